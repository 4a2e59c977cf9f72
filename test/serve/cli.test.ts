/**
 * The command lines as a user runs them: `sharedline sim --accessories <n>` prints where
 * each accessory and the control interface are and serves until SIGTERM;
 * `sharedline scenario` exits 0, 1 naming the first failed expectation, or 2.
 */
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseServeArgs } from "../../sim/serve/serve-cli.js";
import { ROOT, startCli } from "../support/cli-process.js";

test("options of sim --accessories: transport, counts and parameters are checked and explained", (t) => {
  const o = parseServeArgs(["--accessories", "3", "--tcp", "5000", "--virtual-time", "--param", "noReplyMs=30000", "--param", "smsMode=exclusive", "--board", "watch-bangle2-bg95,sim-generic"]);
  t.like(o, { accessories: 3, transport: { kind: "tcp", basePort: 5000, host: "127.0.0.1" }, virtualTime: true, control: 0, boards: ["watch-bangle2-bg95", "sim-generic"] });
  t.deepEqual(o !== "help" && o.params, { noReplyMs: 30000, smsMode: "exclusive" });
  t.like(parseServeArgs(["--accessories", "1", "--pty", "--control", "8080"]), { transport: { kind: "pty" }, control: 8080 });
  t.is(parseServeArgs(["--accessories", "2", "--help"]), "help");
  t.throws(() => parseServeArgs(["--accessories", "6", "--tcp", "0"]), { message: /--accessories needs 1\.\.5/ });
  t.throws(() => parseServeArgs(["--accessories", "2"]), { message: /exactly one of --tcp <base-port> and --pty/ });
  t.throws(() => parseServeArgs(["--accessories", "2", "--tcp", "0", "--pty"]), { message: /exactly one of/ });
  t.throws(() => parseServeArgs(["--accessories", "2", "--tcp", "99999"]), { message: /--tcp needs a port number/ });
  t.throws(() => parseServeArgs(["--accessories", "2", "--tcp", "0", "--param", "noReplyMs"]), { message: /--param needs <name>=<value>/ });
  t.throws(() => parseServeArgs(["--accessories", "2", "--tcp", "0", "--frob"]), { message: /unknown option '--frob'/ });
});

test("sharedline sim --accessories 2 --tcp 0 --virtual-time: prints each accessory and the control URL, serves both, exits 0 on SIGTERM", async (t) => {
  const p = startCli(t, ["sim", "--accessories", "2", "--tcp", "0", "--virtual-time"]);
  const text = await p.out.waitFor(/sim: control on http:\/\/127\.0\.0\.1:\d+\n/, 30000);
  t.regex(text, /sim: number \+819012345678 \(virtual time/);
  const acc = Array.from(text.matchAll(/sim: (A\d) "Accessory \d" IMEI (\d{15}) board sim-generic on tcp:\/\/127\.0\.0\.1:(\d+)/g));
  t.deepEqual(
    acc.map((m) => m[1]),
    ["A1", "A2"],
  );
  t.not(acc[0][3], acc[1][3]);
  const url = /control on (http:\/\/\S+)/.exec(text)![1];
  const index = (await (await fetch(url + "/")).json()) as { accessories: { imei: string; where: string }[] };
  t.deepEqual(
    index.accessories.map((a) => a.imei),
    acc.map((m) => m[2]),
  );
  const call = await fetch(url + "/outside/+818011112222/call", { method: "POST", body: "{}" });
  t.is(call.status, 201);
  await p.err.waitFor("alerting call=k1 [R19] devices=P,A1,A2");
  p.child.kill("SIGTERM");
  t.is(await p.exit, 0);
});

test("sharedline sim --accessories with a bad board exits 1 saying why", async (t) => {
  const p = startCli(t, ["sim", "--accessories", "1", "--tcp", "0", "--board", "toaster"]);
  t.is(await p.exit, 1);
  t.regex(p.err.text, /unknown board "toaster"/);
});

test("sharedline scenario: 0 when it passes (printing each step), 1 naming the first failed expectation, 2 for a bad file", async (t) => {
  const good = path.join(ROOT, "test/scenarios/r26-declined-everywhere.json");
  const ok = startCli(t, ["scenario", good]);
  t.is(await ok.exit, 0);
  t.regex(ok.out.text, /step 2 at \+0\.000s: the user declines on the car unit/);
  t.regex(ok.out.text, /then ok watch event "callEnded"/);
  t.regex(ok.out.text, /1 of 1 scenarios passed/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-scenario-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const json = JSON.parse(fs.readFileSync(good, "utf8"));
  json.steps[1].then.push({ party: "alice", call: { cause: 21 } });
  const failing = path.join(dir, "failing.json");
  fs.writeFileSync(failing, JSON.stringify(json));
  const bad = startCli(t, ["scenario", "--quiet", failing]);
  t.is(await bad.exit, 1);
  t.regex(bad.err.text, /first failure: .*failing\.json: steps\[1\]\.then\[\d+\] \(alice call \{"cause":21\}\): not within 2000 ms; saw last call .*"cause":17/);

  const broken = path.join(dir, "broken.json");
  fs.writeFileSync(broken, JSON.stringify({ title: "R1: x", given: json.given, steps: [{ when: { by: "car", do: "fly" } }] }));
  const inv = startCli(t, ["scenario", broken]);
  t.is(await inv.exit, 2);
  t.regex(inv.err.text, /broken\.json: steps\[0\]\.when\[0\]\.do: expected one of answer, reject/);
});
