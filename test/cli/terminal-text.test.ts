/**
 * Issue 9 §4: text from the network never controls the terminal. An SMS carrying a
 * clear-screen sequence (`ESC [2J`), an OSC window-title sequence (`ESC ] 0;... BEL`), a
 * one-character CSI (U+009B) and a bidi override arrives through the simulated network;
 * the console's human output shows them escaped, its JSON output encodes them.
 */
import test from "ava";
import { FirmwareConsole } from "../../cli/console.js";
import { terminalLines, terminalSafe } from "../../cli/terminal-text.js";
import { messagingRig } from "../messaging/rig.js";

/** Whether `s` holds a character a terminal obeys (C0, DEL, C1, bidi controls). */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return true;
  }
  return false;
}

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
  new FirmwareConsole(r.dev.fw.api, undefined, { json: false, verbose: false, now: () => r.clock.now(), stamps: "relative", print: (l) => human.push(l) });
  new FirmwareConsole(r.dev.fw.api, undefined, { json: true, verbose: false, now: () => r.clock.now(), stamps: "none", print: (l) => json.push(l) });
  r.network.deliverSms({ from: "+819011112222", text: HOSTILE, alphabet: "ucs2" });
  await r.run(3000);
  t.true(r.dev.received.some((m) => m.text === HOSTILE), "the message arrived as sent");
  const shown = human.find((l) => l.includes("pwned"));
  t.truthy(shown, human.join("\n"));
  for (const l of human) {
    t.false(hasControl(l), "no control character reaches the terminal: " + JSON.stringify(l));
  }
  t.true(shown!.includes("\\x1b[2J") && shown!.includes("\\x1b]0;pwned\\x07") && shown!.includes("\\u202E"), shown);
  const j = json.find((l) => l.includes("pwned"))!;
  t.false(hasControl(j), "JSON lines carry no raw control character");
  const parsed = JSON.parse(j) as { data: { text: string } };
  t.is(parsed.data.text, HOSTILE, "the JSON line still carries the exact text");
});

test("a reply of several lines (help, a list) prints as lines; a network newline inside one stays escaped", async (t) => {
  t.deepEqual(terminalLines("  a\n  b"), ["  a", "  b"]);
  // A list line holding an SMS body: words.ts wrote its newline and ESC as escapes already.
  t.deepEqual(terminalLines("  1: +8190: x\\ny\\x1b[2J\n  2: \x1b[2J"), ["  1: +8190: x\\ny\\x1b[2J", "  2: \\x1b[2J"]);
  const r = await messagingRig();
  const human: string[] = [];
  const con = new FirmwareConsole(r.dev.fw.api, undefined, { json: false, verbose: false, now: () => r.clock.now(), stamps: "relative", print: (l) => human.push(l) });
  await con.run("help");
  t.true(human.length > 20, "one line per command: " + human.join("\n"));
  const joined = human.filter((l) => l.includes("\\n") || l.includes("\n"));
  t.deepEqual(joined, []);
  t.true(human.some((l) => /^\[\d\d:\d\d\.\d{3}\] {3}dial <number>/.test(l)), "the time before the first line");
  t.true(human.some((l) => l === "  quit"), "the last line on its own");
});
