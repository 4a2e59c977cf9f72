/**
 * `sharedline sim --accessories` left running (issue 10 §4): the memory the served
 * network holds after N control requests, and the size of one GET /log answer, with the
 * default bounded event log beside the unbounded one of before (logCapacity Infinity),
 * in the same run. Each request is an SMS from an outside party to the number (several
 * log entries each: submit, routing per device, delivery). Not a test: nothing here
 * asserts a size.
 *
 *   npm run bench -- sim-memory            (N = 20000; SIM_MEMORY_N=<n> to change)
 */
import { startControl } from "../sim/serve/http-control.js";
import { startNumberServer } from "../sim/serve/number-server.js";
import type { NetworkParams } from "../sim/network/index.js";

const N = Number(process.env.SIM_MEMORY_N || 20000);

function heapMb(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
  return process.memoryUsage().heapUsed / 1048576;
}

async function run(label: string, params: Partial<NetworkParams>): Promise<{ heapMb: number; logEntries: number; logAnswerKb: number; wholeKb: number; ms: number }> {
  const before = heapMb();
  const server = await startNumberServer({ accessories: 1, transport: { kind: "tcp", basePort: 0, host: "127.0.0.1" }, virtualTime: true, params });
  const control = await startControl(server, 0);
  const t0 = performance.now();
  try {
    for (let i = 0; i < N; i++) {
      const res = await fetch(control.url + "/outside/+818011112222/sms", { method: "POST", body: JSON.stringify({ to: "+819012345678", text: "message " + i }) });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(label + ": request " + i + " answered " + res.status);
    }
    const ms = performance.now() - t0;
    const answer = await (await fetch(control.url + "/log")).text();
    // What one unpaged answer with every kept entry would weigh (the answer of before).
    const wholeKb = JSON.stringify(server.net.log.entries).length / 1024;
    const heap = heapMb() - before;
    return { heapMb: heap, logEntries: server.net.log.entries.length, logAnswerKb: answer.length / 1024, wholeKb, ms };
  } finally {
    await control.close();
    await server.close();
  }
}

export async function bench(): Promise<void> {
  if (!(globalThis as { gc?: () => void }).gc) console.log("(run with --expose-gc, as npm run bench does, for steady heap figures)");
  const bounded = await run("bounded", {});
  const unbounded = await run("unbounded", { logCapacity: Infinity });
  const row = (name: string, r: typeof bounded) =>
    `${name.padEnd(28)} heap +${r.heapMb.toFixed(1).padStart(6)} MB   log kept ${String(r.logEntries).padStart(7)}   GET /log page ${r.logAnswerKb.toFixed(0).padStart(5)} KB (whole log ${r.wholeKb.toFixed(0).padStart(6)} KB)   ${(N / (r.ms / 1000)).toFixed(0)} req/s`;
  console.log(`${N} SMS requests to one served number (memory after a full GC):`);
  console.log(row("default (logCapacity 10000)", bounded));
  console.log(row("unbounded (Infinity)", unbounded));
  console.log(`ratio unbounded/bounded: heap ${(unbounded.heapMb / bounded.heapMb).toFixed(1)}x, whole log ${(unbounded.wholeKb / bounded.wholeKb).toFixed(1)}x`);
}
