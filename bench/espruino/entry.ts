/**
 * Runs inside Espruino (bundled by bench/espruino.ts): feeds the same byte stream, in the
 * same chunks, to our AT channel and to Espruino's own AT module (modules/AT.js of
 * espruino/EspruinoDocs, passed in as source text), synchronously: a chunk is handed to
 * the parser, whose final result writes the next command at once, before the next chunk.
 *
 * Like for like: both sides keep at most WINDOW commands waiting (topped up before each
 * chunk, as a firmware queues a few commands, not the whole run), and both do that
 * queueing inside the timed loop, AT.js's `cmd` as our `send`. Each side's answers are
 * kept as delivered (AT.js's line callback, our promise) and compared with what the
 * modem sent after the clock stops, on both sides. The chunks are cut from the stream
 * before the clock starts, so neither side pays for slicing a long string.
 *
 * Inputs (globals the Node side defines before this bundle): BENCH_STREAM (the modem's
 * bytes), BENCH_CHUNKS (one char per chunk: its size + 32), BENCH_TX (the transactions:
 * command, prompt payload or "", expected response lines joined by "|", response prefix
 * or "" for a bare answer), BENCH_URCS (how
 * many URC lines the stream holds; the Node side compares), BENCH_AT_JS (AT.js source, or ""), BENCH_WHICH.
 * Output: one line per parser, `BENCH <name> <bytes> <ms> <corrupted> <urcs>`.
 */
import { AtChannel } from "../../drivers/at/index.js";
import type { AtResponse } from "../../drivers/at/index.js";
import type { Serial } from "../../hal/types.js";
import { bareFloor, needsFloor } from "./floor.js";
import { benchLink, stillClock } from "./link.js";

declare const BENCH_STREAM: string;
declare const BENCH_CHUNKS: string;
declare const BENCH_TX: string[][];
declare const BENCH_AT_JS: string;
declare const BENCH_WHICH: string;
declare const Modules: { addCached(name: string, code: string): void };
declare const require: (name: string) => { connect(ser: unknown): AtJs };

interface AtJs {
  cmd(command: string, timeout: number, cb: (line?: string) => unknown): void;
  write(data: string): void;
  register(prefix: string, fn: (line: string) => string): void;
  registerLine(prefix: string, fn: (line: string) => void): void;
}

const URC_PREFIXES = ["RING", "+CREG:", "+CMTI:"];

/**
 * Commands queued ahead of the modem's answers on either side. A 64-byte chunk holds a
 * few whole transactions at most, so every answer finds its command already queued.
 */
const WINDOW = 8;

/** A transaction and the one after it. */
interface Link {
  tx: string[];
  next: Link | undefined;
}

/**
 * The transactions as a linked list (before timing): Espruino finds an array's element
 * by walking its members, so `BENCH_TX[i]` in the timed loop cost each side time growing
 * with i (the run's MB/s fell from 300 to 3000 commands, on both sides).
 */
function transactions(): Link | undefined {
  let head: Link | undefined = undefined;
  for (let i = BENCH_TX.length - 1; i >= 0; i--) head = { tx: BENCH_TX[i], next: head };
  return head;
}

/** The stream cut into its chunks (before timing). */
function chunks(): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < BENCH_CHUNKS.length; i++) {
    const n = BENCH_CHUNKS.charCodeAt(i) - 32;
    out.push(BENCH_STREAM.substr(at, n));
    at += n;
  }
  return out;
}

/**
 * Hands each chunk to `deliver` (native forEach: no indexing into a long array) and times
 * it. The only forEach of the run, so that `valgrind --tool=callgrind
 * --toggle-collect=jswrap_array_forEach` counts the instructions of the feed alone (see
 * bench/espruino.ts, BENCH_CALLGRIND): a measure the machine's load cannot skew.
 */
function feed(parts: string[], deliver: (chunk: string) => void): number {
  const t0 = Date.now();
  parts.forEach(deliver);
  return Date.now() - t0;
}

/**
 * Prompt commands whose payload was not written, in order, after its `> `: each is a
 * message the modem never got, so it counts as a corrupted response.
 */
function unsent(all: string[]): number {
  // Every write on each side was kept (the same cost for both); the payloads end in Ctrl-Z.
  const written = all.filter(function (w) {
    return w.charAt(w.length - 1) === "\x1a";
  });
  let k = 0;
  let missing = 0;
  for (let i = 0; i < BENCH_TX.length; i++) {
    if (!BENCH_TX[i][1]) continue;
    if (written[k] !== BENCH_TX[i][1] + "\x1a") missing++;
    k++;
  }
  return missing + Math.max(0, written.length - k);
}

function report(name: string, ms: number, corrupted: number, urcs: number): void {
  console.log("BENCH " + name + " " + BENCH_STREAM.length + " " + ms + " " + corrupted + " " + urcs);
}

/** What the promise-based drivers need of a parser: our channel, or the floor with the firmware's needs. */
interface Sender {
  send(c: { cmd: string; prefixes: string[]; mode?: "prompt"; payload?: string }): Promise<AtResponse>;
  queued(): number;
}

function channel(serial: Serial, count: () => void): Sender {
  const ch = new AtChannel(serial, stillClock, { timeoutMs: 60000 });
  for (let i = 0; i < URC_PREFIXES.length; i++) ch.onUrc(URC_PREFIXES[i], count);
  return ch;
}

function floorWithNeeds(serial: Serial, count: () => void): Sender {
  return needsFloor(serial, stillClock, count);
}

function ours(name: string, make: (serial: Serial, count: () => void) => Sender): void {
  const parts = chunks();
  const written: string[] = [];
  const link = benchLink(written);
  let urcs = 0;
  const count = function () {
    urcs++;
  };
  const ch = make(link.serial, count);
  const handler = link.handler;
  const results: (AtResponse | undefined)[] = [];
  const sent: Promise<AtResponse>[] = [];
  let next = transactions();
  const n = BENCH_TX.length;
  const ms = feed(parts, function (c) {
    while (next !== undefined && ch.queued() < WINDOW) {
      const tx = next.tx;
      next = next.next;
      const prefix = tx[3] ? [tx[3]] : [];
      sent.push(ch.send(tx[1] ? { cmd: tx[0], prefixes: prefix, mode: "prompt", payload: tx[1] } : { cmd: tx[0], prefixes: prefix }));
    }
    handler(c);
  });
  // The answers resolve in promise jobs after the feed; they are kept in order and
  // checked once all have run (or after a second: one still missing then is corrupted).
  let failed = 0;
  let settled = 0;
  const keep = function (r: AtResponse) {
    results.push(r);
    settled++;
  };
  const lose = function () {
    results.push(undefined);
    failed++;
    settled++;
  };
  for (let k = 0; k < sent.length; k++) sent[k].then(keep, lose);
  const started = Date.now();
  const check = function () {
    if (settled < sent.length && Date.now() - started < 1000) {
      setTimeout(check, 10);
      return;
    }
    let corrupted = failed + (n - sent.length) + unsent(written);
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      if (!r || r.lines.join("|") !== BENCH_TX[i][2]) corrupted++;
    }
    report(name, ms, corrupted, urcs);
  };
  setTimeout(check, 0);
}

function peer(): void {
  if (!BENCH_AT_JS) return;
  Modules.addCached("AT", BENCH_AT_JS);
  const parts = chunks();
  let handler: (chunk: string) => void = function () {};
  const written: string[] = [];
  const ser = {
    on: function (_ev: string, h: (chunk: string) => void) {
      handler = h;
    },
    write: function (data: string) {
      written.push(data);
    },
  };
  const at = require("AT").connect(ser);
  let urcs = 0;
  for (let i = 0; i < URC_PREFIXES.length; i++) {
    at.registerLine(URC_PREFIXES[i], function () {
      urcs++;
    });
  }
  // The payloads of the prompt commands issued and not yet prompted for, oldest first.
  const payloads: string[] = [];
  // `> ` has no line end: AT.js's raw handlers see it at the start of its buffer.
  at.register("> ", function (line: string) {
    at.write(payloads.shift() + "\x1a");
    return line.substr(2);
  });
  // Each answer's lines as delivered, in order; `undefined` for a command that timed out.
  const answers: (string[] | undefined)[] = [];
  const issue = function (tx: string[]) {
    const lines: string[] = [];
    const collect = function (line?: string): unknown {
      if (line === undefined) {
        answers.push(undefined);
        return undefined;
      }
      if (line === "OK" || line === "ERROR") {
        answers.push(lines);
        return undefined;
      }
      lines.push(line);
      return collect;
    };
    if (tx[1]) payloads.push(tx[1]);
    at.cmd(tx[0] + "\r", 60000, collect);
  };
  let next = transactions();
  let issued = 0;
  const n = BENCH_TX.length;
  const ms = feed(parts, function (c) {
    while (next !== undefined && issued - answers.length <= WINDOW) {
      issue(next.tx);
      next = next.next;
      issued++;
    }
    handler(c);
  });
  let corrupted = n - answers.length + unsent(written);
  for (let i = 0; i < answers.length; i++) {
    const lines = answers[i];
    if (!lines || lines.join("|") !== BENCH_TX[i][2]) corrupted++;
  }
  report("AT.js", ms, corrupted, urcs);
}

/** The floor without the firmware's needs, driven like AT.js: a callback per command. */
function bare(): void {
  const parts = chunks();
  const written: string[] = [];
  let urcs = 0;
  const floor = bareFloor(
    function (s: string) {
      written.push(s);
    },
    function () {
      urcs++;
    },
  );
  const answers: string[][] = [];
  const keep = function (lines: string[]) {
    answers.push(lines);
  };
  let next = transactions();
  const ms = feed(parts, function (c) {
    while (next !== undefined && floor.waiting() < WINDOW) {
      const tx = next.tx;
      next = next.next;
      floor.send(tx[0], tx[1], keep);
    }
    floor.receive(c);
  });
  let corrupted = BENCH_TX.length - answers.length + unsent(written);
  for (let i = 0; i < answers.length; i++) if (answers[i].join("|") !== BENCH_TX[i][2]) corrupted++;
  report("floor", ms, corrupted, urcs);
}

if (BENCH_WHICH === "ours") ours("ours", channel);
else if (BENCH_WHICH === "floor+") ours("floor+", floorWithNeeds);
else if (BENCH_WHICH === "floor") bare();
else peer();
