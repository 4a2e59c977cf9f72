/**
 * `sharedline sim` left running (issue 10 §4): the memory a served number holds after N
 * control requests, and the size of the event log, with the default bounded log beside
 * the unbounded one of before (logCapacity Infinity) and no log at all (0), each in a
 * fresh process of its own (so one run's garbage does not count in the next), in the
 * same benchmark run. Each request is an SMS from an outside party to the number over
 * HTTP (three log entries each: delivered and acknowledged by the phone and the
 * accessory). Not a test: nothing here asserts a size.
 *
 *   npm run bench -- sim-memory            (N = 10000; SIM_MEMORY_N=<n> to change)
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startControl } from "../sim/serve/http-control.js";
import { startNumberServer } from "../sim/serve/number-server.js";

const N = Number(process.env.SIM_MEMORY_N || 10000);

interface Figures {
  capacity: string;
  heapMb: number;
  rssMb: number;
  logEntries: number;
  pageKb: number;
  wholeKb: number;
  perSecond: number;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
}

/** One configuration, in this process: serve, send N requests, measure. */
async function one(capacity: number): Promise<Figures> {
  const server = await startNumberServer({ accessories: 1, transport: { kind: "tcp", basePort: 0, host: "127.0.0.1" }, virtualTime: true, params: { logCapacity: capacity } });
  const control = await startControl(server, 0);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const res = await fetch(control.url + "/outside/+818011112222/sms", { method: "POST", body: JSON.stringify({ to: "+819012345678", text: "message " + i }) });
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error("request " + i + " answered " + res.status);
  }
  const ms = performance.now() - t0;
  const page = await (await fetch(control.url + "/log")).text();
  gc();
  const mem = process.memoryUsage();
  const figures: Figures = {
    capacity: String(capacity),
    heapMb: mem.heapUsed / 1048576,
    rssMb: mem.rss / 1048576,
    logEntries: server.net.log.entries.length,
    pageKb: page.length / 1024,
    // What one unpaged answer with every kept entry would weigh (the answer of before).
    wholeKb: JSON.stringify(server.net.log.entries).length / 1024,
    perSecond: N / (ms / 1000),
  };
  await control.close();
  await server.close();
  return figures;
}

export async function bench(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const run = (capacity: string): Figures =>
    JSON.parse(
      execFileSync(process.execPath, ["--expose-gc", "--import", "tsx", self], { env: { ...process.env, SIM_MEMORY_ONE: capacity }, encoding: "utf8", maxBuffer: 1 << 20 }).trim().split("\n").pop()!,
    ) as Figures;
  const none = run("0");
  const bounded = run("10000");
  const unbounded = run("Infinity");
  console.log(`${N} SMS requests to one served number, each configuration in a fresh process (heap after a full GC):`);
  for (const [name, f] of [
    ["no log (0)", none],
    ["default (10000)", bounded],
    ["unbounded (Infinity)", unbounded],
  ] as [string, Figures][]) {
    console.log(
      `${name.padEnd(22)} heap ${f.heapMb.toFixed(1).padStart(6)} MB  rss ${f.rssMb.toFixed(0).padStart(4)} MB  log kept ${String(f.logEntries).padStart(6)}  GET /log page ${f.pageKb.toFixed(0).padStart(4)} KB  whole log ${f.wholeKb.toFixed(0).padStart(6)} KB  ${f.perSecond.toFixed(0)} req/s`,
    );
  }
  const logCost = (f: Figures) => f.heapMb - none.heapMb;
  console.log(`the log's own heap: default ${logCost(bounded).toFixed(1)} MB, unbounded ${logCost(unbounded).toFixed(1)} MB (ratio ${(logCost(unbounded) / Math.max(0.1, logCost(bounded))).toFixed(1)}x); whole-log answer ratio ${(unbounded.wholeKb / bounded.wholeKb).toFixed(1)}x`);
}

if (process.env.SIM_MEMORY_ONE !== undefined) {
  const cap = process.env.SIM_MEMORY_ONE === "Infinity" ? Infinity : Number(process.env.SIM_MEMORY_ONE);
  one(cap).then(
    (f) => {
      console.log(JSON.stringify(f));
      process.exit(0);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
