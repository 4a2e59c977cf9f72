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
import { linkSettingsProblems, type LinkBoard } from "../../tools/link-settings.js";
import { espruinoBoards } from "../../tools/bundle.js";
import { startCli } from "../support/cli-process.js";

const CALLER = "+819011112222";

test("the watch prints one line per event, answers `answer` typed at its console, and says nothing when quiet", async (t) => {
  const r = await simRig();
  const printed: string[] = [];
  const w = installWatch(r.fw, { print: (l) => printed.push(l) }, false);
  r.network.ringIn(CALLER);
  await r.run(200);
  t.true(printed.includes("incoming call from " + CALLER), printed.join("\n"));
  t.is(printed.indexOf(""), -1, "no empty line for an event that is no news (activation without words)");
  t.is(printed.indexOf("position"), -1, "no bare event name");
  const reply = await r.act(w.command("answer"));
  t.true(reply.ok, JSON.stringify(reply));
  t.true(
    printed.some((l) => /^answer: ok, call \d+ incoming \+819011112222/.test(l)),
    printed.join("\n"),
  );
  await r.act(w.command("calls"));
  t.true(printed.some((l) => /call \d+ incoming \+819011112222 active/.test(l)), printed.join("\n"));
  await r.act(w.command("help"));
  t.regex(printed[printed.length - 1], /^ {2}dial <number>/, "sl(\"help\") answers the table");
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

test("device settings: defaults without a file, the file's values, every problem reported and only the bad settings ignored", (t) => {
  const problems: string[] = [];
  const report = (p: string) => problems.push(p);
  t.deepEqual(readSettings(() => undefined, report), {});
  t.deepEqual(readSettings(() => '{"path":"/dev/pts/3","quiet":true}   ', report), { path: "/dev/pts/3", quiet: true });
  t.deepEqual(problems, []);
  t.deepEqual(readSettings(() => '{"path":3,"colour":"red","quiet":true}', report), { quiet: true });
  t.deepEqual(problems, ["sharedline.json: 'path' must be a string; ignored", "sharedline.json: unknown setting 'colour' (known: path, quiet, words, apn, mqtt, msisdn, device, password); ignored"]);
  t.deepEqual(readSettings(() => "{nope", report).path, undefined);
  t.regex(problems[2], /not JSON/);
  t.deepEqual(readSettings(() => "[1]", report), {});
  t.is(problems[3], "sharedline.json: must be a JSON object; using defaults");
  t.deepEqual(settingsProblems([]), ["sharedline.json: must be a JSON object"]);
  // The companion link's settings come all together, with a broker URL.
  const link = { mqtt: "mqtt://127.0.0.1:1883", msisdn: "+819012345678", device: "w4tch001", password: "pw" };
  t.deepEqual(settingsProblems(Object.assign({ apn: "internet" }, link)), []);
  t.deepEqual(settingsProblems({ mqtt: link.mqtt, device: "w4tch001" }), ["sharedline.json: the companion link needs all of mqtt, msisdn, device, password; has only mqtt, device"]);
  t.regex(settingsProblems(Object.assign({}, link, { mqtt: "tcp://x" })).join(), /'mqtt' is mqtt:\/\/host/);
  // A hand-edited broker of the wrong shape turns the link off and keeps the rest (path, quiet, words, apn).
  problems.length = 0;
  const kept = readSettings(() => JSON.stringify(Object.assign({ path: "/dev/pts/3", quiet: true, words: false, apn: "internet" }, link, { mqtt: "tcp://x" })), report);
  t.deepEqual(kept, { path: "/dev/pts/3", quiet: true, words: false, apn: "internet" });
  t.is(problems.length, 2);
  t.regex(problems[0], /'mqtt' is mqtt:\/\/host.*; ignored$/);
  t.is(problems[1], "sharedline.json: the companion link is off (mqtt, msisdn, device and password go together)");
  // Only some of the four: the same.
  problems.length = 0;
  t.deepEqual(readSettings(() => JSON.stringify({ quiet: true, mqtt: link.mqtt, device: "w4tch001" }), report), { quiet: true });
  t.deepEqual(problems.length, 2);
  // Without an apn setting the data session was on for the link only (firmware/watch-firmware.ts): the line says it is off too.
  t.is(problems[1], "sharedline.json: the companion link is off (mqtt, msisdn, device and password go together), and so is the data session (no apn setting)");
});

test("link settings for sharedline flash: the broker, the number, the device id and the APN are checked with the flag named", (t) => {
  const watch = espruinoBoards().find((b) => b.name === "watch-bangle2-bg95")! as LinkBoard;
  const link = { mqtt: "mqtt://127.0.0.1:1883", msisdn: "+819012345678", device: "w4tch001", password: "pw" };
  t.deepEqual(linkSettingsProblems(watch, {}), []);
  t.deepEqual(linkSettingsProblems(watch, link), []);
  t.deepEqual(linkSettingsProblems(watch, { apn: "internet" }), []);
  t.deepEqual(linkSettingsProblems(watch, { apn: "bad..apn" }), ['--apn "bad..apn": an APN has no empty label ("..", or a dot at an end)']);
  t.deepEqual(linkSettingsProblems(watch, { mqtt: link.mqtt }), [
    "--mqtt needs --msisdn <+E.164 shared number>",
    "--mqtt needs --device-id <id issued at registration>",
    "--mqtt needs --mqtt-password <password>",
  ]);
  t.regex(linkSettingsProblems(watch, Object.assign({}, link, { mqtt: "mqtt://host:99999" })).join(), /^--mqtt: .*port 99999 is not 1\.\.65535/);
  t.regex(linkSettingsProblems(watch, Object.assign({}, link, { mqtt: "mqtts://host" })).join(), /mqtts through the modem's own MQTT stack is not supported/);
  t.regex(linkSettingsProblems(watch, Object.assign({}, link, { msisdn: "819012345678" })).join(), /E\.164, with its \+/);
  t.regex(linkSettingsProblems(watch, Object.assign({}, link, { device: "a/b" })).join(), /device id "a\/b" cannot be a topic level/);
  t.deepEqual(linkSettingsProblems(watch, { device: "w4tch001" }), ["--msisdn, --device-id and --mqtt-password belong to --mqtt <broker URL>, which is missing"]);
  const noData = Object.assign({}, watch, { capabilities: { data: false } });
  t.regex(linkSettingsProblems(noData, { apn: "internet" }).join(), /has no data session/);
});

test("sharedline flash fails loudly when the device cannot be reached, and refuses bad usage", async (t) => {
  t.timeout(120000);
  const usage = startCli(t, ["flash", "--board", "watch-bangle2-bg95"]);
  t.is(await usage.exit, 2);
  const unknown = startCli(t, ["flash", "--board", "no-such-board", "--port", "tcp://127.0.0.1:1"]);
  t.is(await unknown.exit, 2, "a board that does not exist is a usage error, as on run");
  t.regex(unknown.err.text, /no Espruino board named 'no-such-board'/);
  // Port 1 on loopback: nothing listens, the CLI cannot connect.
  const refused = startCli(t, ["flash", "--board", "watch-bangle2-bg95", "--port", "tcp://127.0.0.1:1", "--no-run"]);
  t.is(await refused.exit, 1, refused.out.text + refused.err.text);
  t.regex(refused.err.text, /sharedline flash: upload to tcp:\/\/127\.0\.0\.1:1 failed/);
  t.notRegex(refused.out.text, /verified/);
});
