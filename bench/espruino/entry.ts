/**
 * Runs inside Espruino (bundled by bench/espruino.ts): feeds the same byte stream, in the
 * same chunks, to our AT channel and to Espruino's own AT module (modules/AT.js of
 * espruino/EspruinoDocs, passed in as source text), synchronously: a chunk is handed to
 * the parser, whose final result writes the next command at once, before the next chunk.
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
import type { Clock, Serial, TimerHandle } from "../../hal/types.js";

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

/** The chunks as [start, end) pairs over the stream. */
function feed(deliver: (chunk: string) => void): number {
  const t0 = Date.now();
  let at = 0;
  for (let i = 0; i < BENCH_CHUNKS.length; i++) {
    const n = BENCH_CHUNKS.charCodeAt(i) - 32;
    deliver(BENCH_STREAM.substr(at, n));
    at += n;
  }
  return Date.now() - t0;
}

function report(name: string, ms: number, corrupted: number, urcs: number): void {
  console.log("BENCH " + name + " " + BENCH_STREAM.length + " " + ms + " " + corrupted + " " + urcs);
}

/** A clock whose timers never fire during the run (the commands all complete). */
const clock: Clock = {
  now: function () {
    return Date.now();
  },
  setTimeout: function (fn: () => void, ms: number): TimerHandle {
    return { fn: fn, ms: ms };
  },
  clearTimeout: function () {},
};

function ours(): void {
  let handler: (chunk: string) => void = function () {};
  const done = Promise.resolve();
  const serial: Serial = {
    write: function () {
      return done;
    },
    onData: function (h: (chunk: string) => void) {
      handler = h;
      return function () {};
    },
    onClose: function () {
      return function () {};
    },
    close: function () {
      return done;
    },
  };
  const ch = new AtChannel(serial, clock, { timeoutMs: 60000 });
  let urcs = 0;
  const count = function () {
    urcs++;
  };
  for (let i = 0; i < URC_PREFIXES.length; i++) ch.onUrc(URC_PREFIXES[i], count);
  const results: (AtResponse | undefined)[] = [];
  let failed = 0;
  let settled = 0;
  for (let i = 0; i < BENCH_TX.length; i++) {
    const tx = BENCH_TX[i];
    const prefix = tx[3] ? [tx[3]] : [];
    const slot = i;
    ch.send(tx[1] ? { cmd: tx[0], prefixes: prefix, mode: "prompt", payload: tx[1] } : { cmd: tx[0], prefixes: prefix }).then(
      function (r) {
        results[slot] = r;
        settled++;
      },
      function () {
        failed++;
        settled++;
      },
    );
  }
  const ms = feed(function (c) {
    handler(c);
  });
  // The answers resolve in promise jobs after the feed; count once all have run (or
  // after a second: an answer still missing then is counted as corrupted).
  const started = Date.now();
  const check = function () {
    if (settled < BENCH_TX.length && Date.now() - started < 1000) {
      setTimeout(check, 10);
      return;
    }
    let corrupted = failed;
    for (let i = 0; i < BENCH_TX.length; i++) {
      const r = results[i];
      if (!r || r.lines.join("|") !== BENCH_TX[i][2]) corrupted++;
    }
    report("ours", ms, corrupted, urcs);
  };
  setTimeout(check, 0);
}

function peer(): void {
  if (!BENCH_AT_JS) return;
  Modules.addCached("AT", BENCH_AT_JS);
  let handler: (chunk: string) => void = function () {};
  const ser = {
    on: function (_ev: string, h: (chunk: string) => void) {
      handler = h;
    },
    write: function () {},
  };
  const at = require("AT").connect(ser);
  let urcs = 0;
  for (let i = 0; i < URC_PREFIXES.length; i++) {
    at.registerLine(URC_PREFIXES[i], function () {
      urcs++;
    });
  }
  let prompt = "";
  // `> ` has no line end: AT.js's raw handlers see it at the start of its buffer.
  at.register("> ", function (line: string) {
    at.write(prompt + "\x1a");
    return line.substr(2);
  });
  let corrupted = 0;
  let answered = 0;
  const issue = function (i: number) {
    const tx = BENCH_TX[i];
    const lines: string[] = [];
    const collect = function (line?: string): unknown {
      if (line === undefined) {
        corrupted++;
        return undefined;
      }
      if (line === "OK" || line === "ERROR") {
        answered++;
        if (lines.join("|") !== tx[2]) corrupted++;
        return undefined;
      }
      lines.push(line);
      return collect;
    };
    if (tx[1]) prompt = tx[1];
    at.cmd(tx[0] + "\r", 60000, collect);
  };
  for (let i = 0; i < BENCH_TX.length; i++) issue(i);
  const ms = feed(function (c) {
    handler(c);
  });
  report("AT.js", ms, corrupted + (BENCH_TX.length - answered), urcs);
}

if (BENCH_WHICH === "ours") ours();
else peer();
