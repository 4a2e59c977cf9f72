/**
 * The watch surface (firmware/watch.ts) on the real firmware, the simulated modem and the
 * network stub under the virtual clock: one console line per API event, quiet, and the
 * console's text commands as a bench user types them at the Espruino REPL. The device
 * settings reader (hal/espruino/settings.ts) and `sharedline flash` refusing what it
 * cannot verify are here too, since they need no Espruino.
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";
import { installWatch } from "../../firmware/watch.js";
import { readSettings, settingsProblems } from "../../hal/espruino/settings.js";
import { startCli } from "../support/cli-process.js";

const CALLER = "+819011112222";

test("the watch prints one line per event, answers `answer` typed at its console, and says nothing when quiet", async (t) => {
  const r = await simRig();
  const printed: string[] = [];
  const w = installWatch(r.fw, { print: (l) => printed.push(l) }, false);
  r.network.ringIn(CALLER);
  await r.run(200);
  t.true(printed.includes("incoming call from " + CALLER), printed.join("\n"));
  const reply = await r.act(w.command("answer"));
  t.true(reply.ok, JSON.stringify(reply));
  t.true(
    printed.some((l) => /^answer: ok, call \d+ incoming \+819011112222/.test(l)),
    printed.join("\n"),
  );
  await r.act(w.command("calls"));
  t.true(printed.some((l) => /call \d+ incoming \+819011112222 active/.test(l)), printed.join("\n"));
  const bad = await r.act(w.command("dial"));
  t.false(bad.ok);
  t.true(printed.some((l) => /^dial: usage: dial/.test(l)), printed.join("\n"));

  w.quiet = true;
  const before = printed.length;
  await r.act(r.fw.api.hangup());
  await r.run(500);
  t.is(printed.length, before, "quiet: no event lines");
  await r.act(w.command("calls"));
  t.is(printed[printed.length - 1], "no calls", "a command's reply is printed even when quiet");
});

test("device settings: defaults without a file, the file's values, every problem reported and defaults used", (t) => {
  const problems: string[] = [];
  const report = (p: string) => problems.push(p);
  t.deepEqual(readSettings(() => undefined, report), {});
  t.deepEqual(readSettings(() => '{"path":"/dev/pts/3","quiet":true}   ', report), { path: "/dev/pts/3", quiet: true });
  t.deepEqual(problems, []);
  t.deepEqual(readSettings(() => '{"path":3,"colour":"red"}', report), {});
  t.deepEqual(problems, ["sharedline.json: 'path' must be a string; using defaults", "sharedline.json: unknown setting 'colour' (known: path, quiet, words); using defaults"]);
  t.deepEqual(readSettings(() => "{nope", report).path, undefined);
  t.regex(problems[2], /not JSON/);
  t.deepEqual(settingsProblems([]), ["sharedline.json: must be a JSON object"]);
});

test("sharedline flash fails loudly when the device cannot be reached, and refuses bad usage", async (t) => {
  t.timeout(120000);
  const usage = startCli(t, ["flash", "--board", "watch-bangle2-bg95"]);
  t.is(await usage.exit, 2);
  const unknown = startCli(t, ["flash", "--board", "no-such-board", "--port", "tcp://127.0.0.1:1"]);
  t.is(await unknown.exit, 1);
  t.regex(unknown.err.text, /no Espruino board named 'no-such-board'/);
  // Port 1 on loopback: nothing listens, the CLI cannot connect.
  const refused = startCli(t, ["flash", "--board", "watch-bangle2-bg95", "--port", "tcp://127.0.0.1:1", "--no-run"]);
  t.is(await refused.exit, 1, refused.out.text + refused.err.text);
  t.regex(refused.err.text, /sharedline flash: upload to tcp:\/\/127\.0\.0\.1:1 failed/);
  t.notRegex(refused.out.text, /verified/);
});
