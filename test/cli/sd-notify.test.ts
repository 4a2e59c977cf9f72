/**
 * `sharedline run` under a `Type=notify` unit (deploy/sharedline.service): systemd's
 * notification socket is played by socat listening on a Unix datagram socket, the
 * messages are sent by the real systemd-notify. READY=1 once the firmware runs,
 * WATCHDOG=1 pings at half of WATCHDOG_USEC, STOPPING=1 on SIGTERM; without
 * NOTIFY_SOCKET nothing is sent. The wedge rule itself is tested on the notifier.
 */
import test from "ava";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROCESS_WAIT_MS, startCli } from "../support/cli-process.js";
import { haveTool } from "../support/tools.js";
import { Collector } from "../sim/io.js";
import { ServiceNotifier } from "../../cli/notify.js";

test("ServiceNotifier: nothing without NOTIFY_SOCKET; watchdog at half of WATCHDOG_USEC, only while healthy; one warning when systemd-notify fails", (t) => {
  const never = () => () => undefined;
  const none = new ServiceNotifier({ env: {}, run: () => t.fail("nothing may be spawned"), warn: () => undefined, every: never });
  none.ready("x");
  none.startWatchdog(() => true);
  t.false(none.enabled);
  const sent: string[][] = [];
  const warnings: string[] = [];
  let tick: (() => void) | undefined;
  let period = 0;
  const n = new ServiceNotifier({
    env: { NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "40000000" },
    run: (a, done) => (sent.push(a), done(new Error("gone"))),
    warn: (w) => warnings.push(w),
    every: (ms, fn) => ((period = ms), (tick = fn), () => (tick = undefined)),
  });
  t.is(n.watchdogEveryMs, 20000);
  let healthy = true;
  n.startWatchdog(() => healthy);
  t.is(period, 20000);
  tick!();
  t.is(sent.filter((a) => a.includes("WATCHDOG=1")).length, 2, "a ping at once and one per period");
  healthy = false; // a wedged AT channel
  tick!();
  t.is(sent.filter((a) => a.includes("WATCHDOG=1")).length, 2, "no ping while wedged");
  n.stopping("bye");
  t.is(tick, undefined, "the watchdog stops with the service");
  t.deepEqual(sent[sent.length - 1].slice(0, 2), ["--no-block", "STOPPING=1"]);
  t.is(warnings.length, 1, "told once");
  const other = new ServiceNotifier({ env: { NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "40000", WATCHDOG_PID: "1" }, run: () => undefined, warn: () => undefined, every: never });
  t.is(other.watchdogEveryMs, 0, "a watchdog meant for another process is not ours");
});

if (haveTool("socat", "plays systemd's notification socket") && haveTool("systemd-notify", "sends sd_notify messages for sharedline run")) {
  test("sharedline run with NOTIFY_SOCKET: READY=1 when the firmware runs, WATCHDOG=1 pings, STOPPING=1 on SIGTERM", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-notify-"));
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sock = path.join(dir, "notify");
    const listener = spawn("socat", ["-u", "UNIX-RECVFROM:" + sock + ",fork", "STDOUT"], { stdio: ["ignore", "pipe", "pipe"] });
    t.teardown(() => listener.kill("SIGKILL"));
    const got = new Collector();
    listener.stdout.on("data", (b: Buffer) => got.push(b.toString("utf8") + "\n"));
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
    const sim = startCli(t, ["sim", "--tcp", "0"], "pipe");
    const out = await sim.out.waitFor(/listening on (tcp:\/\/127\.0\.0\.1:\d+)/, PROCESS_WAIT_MS);
    const port = /listening on (tcp:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const env: NodeJS.ProcessEnv = { ...process.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: "1000000" };
    delete env.WATCHDOG_PID;
    const run = startCli(t, ["run", "--port", port, "--board", "sim-generic", "--data", path.join(dir, "data")], "ignore", env);
    await got.waitFor("READY=1", PROCESS_WAIT_MS);
    t.regex(got.text, /STATUS=firmware running; modem \w+/);
    await got.waitFor("WATCHDOG=1", PROCESS_WAIT_MS);
    await got.waitFor(/STATUS=firmware running; modem ready/, PROCESS_WAIT_MS);
    run.child.kill("SIGTERM");
    t.is(await run.exit, 0);
    await got.waitFor("STOPPING=1", 10000);
    sim.child.kill("SIGTERM");
  });
}
