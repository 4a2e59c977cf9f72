/**
 * `sharedline run` as a car unit runs it: real processes, a simulated modem served by
 * `sharedline sim --tcp 0`, standard input closed, driven only through the control
 * socket; SIGTERM stops it cleanly; one process per data directory; a lost modem link
 * is a fatal error (exit 1) so that systemd brings the service back.
 */
import test from "ava";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { PROCESS_WAIT_MS, startCli, type CliProcess } from "../support/cli-process.js";
import { Collector } from "../sim/io.js";

interface Client {
  /** Sends a command line and gives its reply. */
  ask(line: string): Promise<{ ok: boolean; reason?: string; [k: string]: unknown }>;
  /** Every JSON line received, in order. */
  lines: { event?: string; command?: string; data?: unknown }[];
  events: Collector;
  close(): void;
}

async function connect(socket: string): Promise<Client> {
  const sock = net.connect(socket);
  await new Promise<void>((resolve, reject) => {
    sock.once("connect", resolve);
    sock.once("error", reject);
  });
  const lines: Client["lines"] = [];
  const events = new Collector();
  const replies: ((r: { ok: boolean }) => void)[] = [];
  createInterface({ input: sock }).on("line", (raw) => {
    const l = JSON.parse(raw);
    lines.push(l);
    if (l.event) events.push(l.event + "\n");
    if (l.command !== undefined) replies.shift()!(l.reply);
  });
  return {
    ask: (line) =>
      new Promise((resolve) => {
        replies.push(resolve as (r: { ok: boolean }) => void);
        sock.write(line + "\n");
      }),
    lines,
    events,
    close: () => sock.destroy(),
  };
}

async function simModem(t: Parameters<typeof startCli>[0]): Promise<{ sim: CliProcess; port: string }> {
  const sim = startCli(t, ["sim", "--tcp", "0"], "pipe");
  const out = await sim.out.waitFor(/listening on (tcp:\/\/127\.0\.0\.1:\d+)/, PROCESS_WAIT_MS);
  return { sim, port: /listening on (tcp:\/\/127\.0\.0\.1:\d+)/.exec(out)![1] };
}

test("sharedline run with stdin closed: driven through the control socket (a call answered, an SMS sent), SIGTERM stops it cleanly; a second run on its data directory is refused", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-run-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { sim, port } = await simModem(t);
  const data = path.join(dir, "data");
  const socket = path.join(dir, "control");
  // The config file carries the port, the board and the socket; --data comes as a flag.
  const config = path.join(dir, "car.json");
  fs.writeFileSync(config, JSON.stringify({ board: "sim-generic", port, control: "control" }));
  const run = startCli(t, ["run", "--config", config, "--data", data], "ignore");
  await run.out.waitFor("control socket on " + socket, PROCESS_WAIT_MS);

  const a = await connect(socket);
  const b = await connect(socket);
  t.true((await a.ask("wait ready 20")).ok);
  t.is(fs.readFileSync(path.join(data, "lock"), "utf8").trim(), String(run.child.pid));

  // A second process on the same data directory is refused, naming the holder.
  const second = startCli(t, ["run", "--port", port, "--board", "sim-generic", "--data", data], "ignore");
  t.is(await second.exit, 1);
  t.regex(second.err.text, new RegExp(`data directory .* is in use by process ${run.child.pid}`));

  // A call to the unit: both clients see it; the one that asks gets the reply.
  const incoming = a.ask("wait incoming 20");
  sim.child.stdin!.write("ring\n"); // the outside party +81311112222 calls the shared number
  const inc = await incoming;
  t.true(inc.ok, JSON.stringify(inc));
  t.is((inc.call as { number: string }).number, "+81311112222");
  const answered = await b.ask("answer");
  t.true(answered.ok, JSON.stringify(answered));
  t.true((await a.ask("wait call active 20")).ok);
  await b.events.waitFor("callChanged");
  t.false(
    b.lines.some((l) => l.command === "wait incoming 20"),
    "a reply goes only to the client that asked",
  );
  sim.child.stdin!.write("caller hangup\n");
  t.true((await a.ask("wait call none 20")).ok);

  const sent = await b.ask("sms send +819011112222 hello from the car");
  t.true(sent.ok, JSON.stringify(sent));
  await b.events.waitFor("smsSent", PROCESS_WAIT_MS);
  t.deepEqual((await b.ask("nonsense")).reason, "unknownCommand");

  // The ctl client: exit 0 on ok, 1 when the reply is a refusal.
  const status = startCli(t, ["ctl", socket, "status"]);
  t.is(await status.exit, 0);
  t.regex(status.out.text, /modem ready/);
  const refused = startCli(t, ["ctl", socket, "answer"]);
  t.is(await refused.exit, 1);
  t.regex(refused.out.text, /no call to answer/);

  // A client that sends a line without end is dropped; the others go on.
  const flood = net.connect(socket);
  const dropped = new Promise((resolve) => flood.on("close", resolve));
  flood.on("error", () => undefined);
  flood.write("x".repeat(70 * 1024));
  await dropped;
  t.true((await a.ask("calls")).ok);

  a.close();
  b.close();
  run.child.kill("SIGTERM");
  t.is(await run.exit, 0);
  t.regex(run.out.text, /stopping \(SIGTERM\)/);
  t.false(fs.existsSync(path.join(data, "lock")), "the lock is released");
  t.false(fs.existsSync(socket), "the socket is removed");
  const outbox = fs.readdirSync(data).filter((f) => f.endsWith(".tmp"));
  t.deepEqual(outbox, [], "no half-written record left");

  // The directory is free again; losing the modem's link is fatal: exit 1.
  const again = startCli(t, ["run", "--port", port, "--board", "sim-generic", "--data", data], "ignore");
  await again.out.waitFor(/^ready$/m, PROCESS_WAIT_MS);
  sim.child.kill("SIGKILL");
  t.is(await again.exit, 1);
  t.regex(again.out.text, /serial link closed/);
});

test("a stale lock of a process that is gone is taken over", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-run-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { port } = await simModem(t);
  const gone = startCli(t, ["--version-that-does-not-exist"]);
  await gone.exit;
  fs.writeFileSync(path.join(dir, "lock"), gone.child.pid + "\n");
  const run = startCli(t, ["run", "--port", port, "--board", "sim-generic", "--data", dir], "ignore");
  await run.out.waitFor(`took over the lock of process ${gone.child.pid}, which is gone`, PROCESS_WAIT_MS);
  run.child.kill("SIGINT");
  t.is(await run.exit, 0);
});

test("sharedline run: a config file with unknown keys or values of the wrong kind is refused, naming each", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-run-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const config = path.join(dir, "bad.json");
  fs.writeFileSync(config, JSON.stringify({ board: "car-linux-eg91", prot: "/dev/ttyUSB2", json: "yes", port: 7, apn: "my apn" }));
  const p = startCli(t, ["run", "--config", config]);
  t.is(await p.exit, 2);
  t.regex(p.err.text, /unknown key "prot"/);
  t.regex(p.err.text, /json: expected true or false, got string "yes"/);
  t.regex(p.err.text, /port: expected a string, got number 7/);
  t.regex(p.err.text, /apn: an APN holds only letters, digits, hyphens and dots; not " "/);
  t.regex(p.err.text, new RegExp(config.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")));
});
