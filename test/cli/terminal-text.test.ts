/**
 * Issue 9 §4: text from the network never controls the terminal. An SMS carrying a
 * clear-screen sequence (`ESC [2J`), an OSC window-title sequence (`ESC ] 0;... BEL`), a
 * one-character CSI (U+009B) and a bidi override arrives through the simulated network;
 * the console's human output shows them escaped, its JSON output encodes them.
 */
import test from "ava";
import { FirmwareConsole } from "../../cli/console.js";
import { terminalSafe } from "../../cli/terminal-text.js";
import { messagingRig } from "../messaging/rig.js";

const HOSTILE = "hi\x1b[2J\x1b]0;pwned\x07 \u009b31m \u202Eevil\\x1b";

test("terminalSafe escapes C0, DEL, C1 and bidi controls; plain text is untouched; escaping twice changes nothing", (t) => {
  t.is(terminalSafe("こんにちは, world"), "こんにちは, world");
  t.is(terminalSafe(HOSTILE), "hi\\x1b[2J\\x1b]0;pwned\\x07 \\x9b31m \\u202Eevil\\x1b");
  t.is(terminalSafe("a\nb\rc\td\x7f"), "a\\nb\\rc\\td\\x7f");
  t.is(terminalSafe(terminalSafe(HOSTILE)), terminalSafe(HOSTILE));
});

test("an SMS with a clear-screen and an OSC title sequence is shown escaped in the human console, encoded in JSON", async (t) => {
  const r = await messagingRig();
  const human: string[] = [];
  const json: string[] = [];
  new FirmwareConsole(r.dev.fw.api, undefined, { json: false, verbose: false, now: () => r.clock.now(), stamps: true, print: (l) => human.push(l) });
  new FirmwareConsole(r.dev.fw.api, undefined, { json: true, verbose: false, now: () => r.clock.now(), stamps: false, print: (l) => json.push(l) });
  r.network.deliverSms({ from: "+819011112222", text: HOSTILE, alphabet: "ucs2" });
  await r.run(3000);
  t.true(r.dev.received.some((m) => m.text === HOSTILE), "the message arrived as sent");
  const shown = human.find((l) => l.includes("pwned"));
  t.truthy(shown, human.join("\n"));
  for (const l of human) {
    t.false(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(l), "no control character reaches the terminal: " + JSON.stringify(l));
  }
  t.true(shown!.includes("\\x1b[2J") && shown!.includes("\\x1b]0;pwned\\x07") && shown!.includes("\\u202E"), shown);
  const j = json.find((l) => l.includes("pwned"))!;
  t.false(/[\x00-\x1f]/.test(j), "JSON lines carry no raw control character");
  t.true(JSON.stringify(JSON.parse(j)).includes("pwned"));
});
