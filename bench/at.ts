/**
 * AT channel throughput on a realistic byte stream full of URCs, beside
 * @serialport/parser-readline framing the same bytes in the same chunks, in the same run.
 *
 * The channel does more than framing (echo, finals, prefixes, URC dispatch with PDU
 * lines, prompt detection); the peer only splits lines. The ratio says what that costs.
 * Beside both, the floor (bench/at-floor.ts): the least a parser with the firmware's needs
 * does, so the channel's ratio can be read against what such a parser reaches at all.
 */
import { ReadlineParser } from "@serialport/parser-readline";
import { AtChannel } from "../drivers/at/index.js";
import type { AtCommand } from "../drivers/at/index.js";
import type { Serial } from "../hal/types.js";
import { VirtualClock } from "../hal/memory/clock.js";
import { hostFloor } from "./at-floor.js";
import type { FloorKey } from "./at-floor.js";

const CMT_PDU = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07";

/** One "transaction": a command's answer plus the URCs that came around it. */
export function transaction(i: number): { cmd: string; prefixes: string[]; answer: string; urcs: string } {
  const urcs =
    '\r\n+CEREG: 1,"1A2B","01C2D3E' + (i % 10) + '",7\r\n' +
    "\r\nRING\r\n" +
    '\r\n+CLIP: "+81901234' + (1000 + (i % 9000)) + '",145,"",0,"",0\r\n' +
    '\r\n+CMTI: "SM",' + (i % 30) + "\r\n" +
    "\r\n+CMT: ,24\r\n" + CMT_PDU + "\r\n" +
    "\r\n+CSQ: " + (i % 31) + ",99\r\n";
  if (i % 3 === 0) return { cmd: "AT+CLCC", prefixes: ["+CLCC:"], answer: '\r\n+CLCC: 1,1,4,0,0,"+819012345678",145\r\n\r\nOK\r\n', urcs };
  if (i % 3 === 1) return { cmd: "AT+CSQ", prefixes: ["+CSQ:"], answer: "\r\n+CSQ: 20,99\r\n\r\nOK\r\n", urcs };
  return { cmd: "AT+CMGR=3", prefixes: ["+CMGR:"], answer: "\r\n+CMGR: 0,,24\r\n" + CMT_PDU + "\r\n\r\nOK\r\n", urcs };
}

/**
 * This process's CPU time (user and system), in ms: on a shared machine the wall clock
 * also counts the time other processes held the cores, which skewed the ratio run to run.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function chunks(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

class BenchSerial implements Serial {
  handler: (c: string) => void = () => undefined;
  write(): Promise<void> {
    return Promise.resolve();
  }
  onData(h: (c: string) => void) {
    this.handler = h;
    return () => undefined;
  }
  onClose() {
    return () => undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** One run's input for the channel: each transaction's command and its answer in chunks. */
type Input = { cmd: string; prefixes: string[]; parts: string[] }[];

function channelInput(n: number, chunk: number): Input {
  const txs: Input = [];
  for (let i = 0; i < n; i++) {
    const t = transaction(i);
    txs.push({ cmd: t.cmd, prefixes: t.prefixes, parts: chunks(t.urcs + t.answer.slice(0, 8) + t.urcs + t.answer.slice(8), chunk) });
  }
  return txs;
}

async function runChannel(txs: Input): Promise<{ bytes: number; ms: number; urcs: number }> {
  const serial = new BenchSerial();
  const ch = new AtChannel(serial, new VirtualClock());
  let urcs = 0;
  for (const p of ["+CEREG:", "RING", "+CLIP:", "+CMTI:", "+CSQ:"]) ch.onUrc(p, () => urcs++);
  ch.onUrc("+CMT:", () => urcs++, { pdu: true });
  return Object.assign(await timed(serial, ch, txs), { urcs });
}

/** Sends each command, hands its answer's chunks over and waits for the answer, on the CPU clock. */
async function timed(serial: BenchSerial, parser: { send(c: AtCommand): Promise<unknown> }, txs: Input): Promise<{ bytes: number; ms: number }> {
  let bytes = 0;
  const start = cpuMs();
  for (const t of txs) {
    const p = parser.send({ cmd: t.cmd, prefixes: t.prefixes });
    for (const c of t.parts) {
      bytes += c.length;
      serial.handler(c);
    }
    await p;
  }
  return { bytes, ms: cpuMs() - start };
}

/** The floor's keys for this stream (bench/at-floor.ts): its finals and URCs by their first five characters. */
export function floorKeys(count: () => void): Map<string, FloorKey> {
  const urc = { handle: count, pdu: false };
  return new Map<string, FloorKey>([
    ["OK", 1],
    ["ERROR", 2],
    ["+CME ", 2],
    ["+CMS ", 2],
    ["+CERE", urc],
    ["RING", urc],
    ["+CLIP", urc],
    ["+CMTI", urc],
    ["+CSQ:", urc],
    ["+CMT:", { handle: count, pdu: true }],
  ]);
}

/** The same input through the floor: the least a parser with the firmware's needs does. */
async function runFloor(txs: Input): Promise<{ bytes: number; ms: number; urcs: number }> {
  const serial = new BenchSerial();
  let urcs = 0;
  const floor = hostFloor(serial, new VirtualClock(), floorKeys(() => urcs++), 5);
  return Object.assign(await timed(serial, floor, txs), { urcs });
}

function readlineInput(n: number, chunk: number): Buffer[] {
  const bufs: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const t = transaction(i);
    for (const c of chunks(t.urcs + t.answer.slice(0, 8) + t.urcs + t.answer.slice(8), chunk)) bufs.push(Buffer.from(c, "latin1"));
  }
  return bufs;
}

function runReadline(bufs: Buffer[]): { bytes: number; ms: number; lines: number } {
  const parser = new ReadlineParser({ delimiter: "\r\n", encoding: "latin1" });
  let lines = 0;
  parser.on("data", () => lines++);
  let bytes = 0;
  const start = cpuMs();
  for (const b of bufs) {
    bytes += b.length;
    parser.write(b);
  }
  const ms = cpuMs() - start;
  return { bytes, ms, lines };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function bench(): Promise<void> {
  const n = 4000;
  console.log("AT channel throughput (" + n + " transactions, each with 12 URCs incl. a +CMT PDU; MB per CPU second, median of 7 runs)");
  console.log("chunk  sharedline AtChannel   parser-readline (framing only)   ratio   floor+ (bench/at-floor.ts)   its ratio");
  for (const chunk of [1, 16, 64, 512]) {
    const ours: number[] = [];
    const peer: number[] = [];
    const floor: number[] = [];
    // The input is built once per chunk size, not before each run: 2.5 MB of strings made
    // just before the clock starts were copied (and sometimes promoted) by the scavenges of
    // the channel's run, charging the harness's own data to it, and whether they were
    // depended on where those scavenges fell: at 512 bytes some processes ran at about 100
    // MB/s throughout and others at about 135. Built once, every run is about 135.
    const input = channelInput(n, chunk);
    const bufs = readlineInput(n, chunk);
    // Warm-up: both sides' code optimised by the JIT before anything is timed.
    for (let w = 0; w < 3; w++) {
      await runChannel(input);
      runReadline(bufs);
      await runFloor(input);
    }
    for (let r = 0; r < 7; r++) {
      const a = await runChannel(input);
      ours.push(a.bytes / 1e6 / (a.ms / 1000));
      const b = runReadline(bufs);
      peer.push(b.bytes / 1e6 / (b.ms / 1000));
      const f = await runFloor(input);
      floor.push(f.bytes / 1e6 / (f.ms / 1000));
    }
    const o = median(ours);
    const p = median(peer);
    const f = median(floor);
    console.log(
      String(chunk).padStart(5) +
        "  " +
        (o.toFixed(2) + " MB/s").padStart(20) +
        "   " +
        (p.toFixed(2) + " MB/s").padStart(30) +
        "   " +
        (o / p).toFixed(2) +
        "x" +
        (f.toFixed(2) + " MB/s").padStart(29) +
        (f / p).toFixed(2).padStart(11) +
        "x",
    );
  }
}
