/**
 * `npm run bench -- espruino`: inside the Espruino interpreter (ESPRUINO_BIN, its Linux
 * build), our AT channel and Espruino's own AT module (`modules/AT.js` of
 * espruino/EspruinoDocs, read from the file ESPRUINO_AT_JS names; it stays outside the
 * repository) each parse the same modem byte stream in the same 1–64-byte chunks:
 * commands in flight, URCs before, inside and after answers, SMS `> ` prompts. Both are
 * driven synchronously (each final result writes the next command at once). Prints MB/s
 * per parser, the ratio, and the count of corrupted responses (an answer whose lines
 * differ from what the modem sent, or a command never answered) and URCs seen.
 * Benchmark, not test: nothing is asserted. Without ESPRUINO_BIN it says so and stops.
 *
 * Both sides run in the form a device runs them: our bundle minified and pretokenised
 * (tools/pretokenise.ts), as the watch loads its boot code from Storage; AT.js both as
 * published (its source text, comments included, as `require` of a module file reads it)
 * and minified the same way as ours (esbuild, whitespace and names) and pretokenised,
 * the form the Web IDE's minified module and its pretokenise option give. Espruino lexes
 * a function's text on every call, so the form changes the figures: ours is compared with
 * both, and the second is the strict one.
 *
 * BENCH_OPS=1 first prints what each kind of operation (a statement, a member read, an
 * absent member, a call, a string method, ...) and each step of the AT channel costs
 * inside Espruino, in instructions under callgrind (bench/espruino/ops-entry.ts).
 *
 * BENCH_CALLGRIND=1 also runs each side under `valgrind --tool=callgrind`, counting only
 * the instructions executed inside the feed (bench/espruino/entry.ts hands the chunks
 * over in the run's one Array.prototype.forEach, so `--toggle-collect=jswrap_array_forEach`
 * brackets it): a figure the load of a shared machine cannot skew, printed beside the
 * timed one. Slow (minutes); set BENCH_TRANSACTIONS lower to shorten it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { bundleForEspruino, repoRoot } from "../tools/bundle.js";
import { pretokenise } from "../tools/pretokenise.js";
import { interpreterErrors, runEspruino } from "../tools/espruino-run.js";

/** A small deterministic generator, so both parsers and every run see the same bytes. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

interface Stream {
  bytes: string;
  chunks: string;
  /** [command, prompt payload or "", expected lines joined by "|", response prefix or "" (a bare answer)] */
  tx: string[][];
  urcs: number;
}

const URCS = ["\r\nRING\r\n", '\r\n+CREG: 1,"1A2B","01B2C3D4",7\r\n', '\r\n+CMTI: "SM",3\r\n'];

export function makeStream(n: number, seed: number): Stream {
  const r = rng(seed);
  let bytes = "";
  let urcs = 0;
  const tx: string[][] = [];
  const maybeUrc = () => {
    if (r() < 0.35) {
      bytes += URCS[Math.floor(r() * URCS.length)];
      urcs++;
    }
  };
  // Where the stream must be cut: after each `> ` prompt the modem waits for the payload,
  // so nothing after it can come in the same chunk.
  const waits: number[] = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    let lines: string[];
    let payload = "";
    let cmd: string;
    if (kind === 0) {
      cmd = "AT+CSQ";
      lines = ["+CSQ: " + (i % 32) + ",99"];
    } else if (kind === 1) {
      cmd = "AT+CLCC";
      lines = [];
      for (let k = 0; k < i % 3; k++) lines.push("+CLCC: " + (k + 1) + ',1,4,0,0,"+8190' + String(10000000 + i).slice(-8) + '",145');
    } else if (kind === 2) {
      cmd = "AT+CGSN";
      lines = ["3569380356" + String(10000 + i).slice(-5)];
    } else {
      cmd = "AT+CMGS=23";
      payload = "0011000B918190214365F70000AA0AE8329BFD4697D9EC37".slice(0, 40 + 2 * (i % 4));
      lines = ["+CMGS: " + (i % 256)];
    }
    maybeUrc();
    if (payload) {
      bytes += "\r\n> ";
      waits.push(bytes.length);
    }
    for (const l of lines) {
      bytes += "\r\n" + l + "\r\n";
      maybeUrc();
    }
    bytes += "\r\nOK\r\n";
    tx.push([cmd, payload, lines.join("|"), kind === 2 ? "" : cmd.slice(2).split("=")[0] + ":"]);
  }
  maybeUrc();
  let chunks = "";
  let w = 0;
  for (let at = 0; at < bytes.length; ) {
    while (w < waits.length && waits[w] <= at) w++;
    const size = Math.min(1 + Math.floor(r() * 64), bytes.length - at, w < waits.length ? waits[w] - at : bytes.length);
    chunks += String.fromCharCode(size + 32);
    at += size;
  }
  return { bytes, chunks, tx, urcs };
}

interface Result {
  name: string;
  bytes: number;
  ms: number;
  corrupted: number;
  urcs: number;
}

function benchFile(dir: string, bundle: string, s: Stream, which: string, atJs: string): string {
  const file = path.join(dir, "bench.js");
  const head =
    `var BENCH_STREAM=${JSON.stringify(s.bytes)};var BENCH_CHUNKS=${JSON.stringify(s.chunks)};` +
    `var BENCH_TX=${JSON.stringify(s.tx)};var BENCH_URCS=${s.urcs};var BENCH_AT_JS=${JSON.stringify(atJs)};var BENCH_WHICH=${JSON.stringify(which)};\n`;
  // Pretokenised text is bytes 0x80-0xFF, one char each.
  writeFileSync(file, head + bundle, "latin1");
  return file;
}

/** Instructions executed inside the feed (see the file comment), or a reason why none were counted. */
function instructions(bin: string, bundle: string, s: Stream, which: string, atJs: string): number | string {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-espruino-cg-"));
  try {
    const file = benchFile(dir, bundle, s, which, atJs);
    const out = path.join(dir, "callgrind.out");
    // Standard input an empty pipe: the interpreter reads it, then runs the script's timers and exits.
    const r = spawnSync("valgrind", ["--tool=callgrind", "--toggle-collect=jswrap_array_forEach", `--callgrind-out-file=${out}`, bin, file], {
      cwd: dir,
      input: "",
      encoding: "latin1",
      timeout: 900000,
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) return `valgrind: ${r.error.message}`;
    const files = readdirSync(dir).filter((f) => f.startsWith("callgrind.out"));
    const m = files.length === 1 ? /^summary: (\d+)$/m.exec(readFileSync(path.join(dir, files[0]), "latin1")) : null;
    return m ? Number(m[1]) : `no callgrind summary (${files.length} output files; valgrind exit ${r.status})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOne(bin: string, bundle: string, s: Stream, which: string, atJs: string): Promise<Result> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-espruino-"));
  try {
    const file = benchFile(dir, bundle, s, which, atJs);
    const r = await runEspruino(bin, file, { cwd: dir, timeoutMs: 300000, until: /BENCH \S+ \d+ [\d.]+ \d+ \d+\n/ });
    const m = /BENCH (\S+) (\d+) ([\d.]+) (\d+) (\d+)\n/.exec(r.output);
    if (!m) throw new Error(`${which} on Espruino gave no result:\n${interpreterErrors(r.output).join("\n") || r.output.slice(-800)}`);
    return { name: m[1], bytes: Number(m[2]), ms: Number(m[3]), corrupted: Number(m[4]), urcs: Number(m[5]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Instructions of one ops-entry.ts case under callgrind (see the file comment), or why none. */
function opsCase(bin: string, bundle: string, name: string): { n: number } | { why: string; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-espruino-ops-"));
  try {
    const file = path.join(dir, "ops.js");
    writeFileSync(file, `var OPS_CASE=${JSON.stringify(name)};\n` + bundle, "latin1");
    const out = path.join(dir, "callgrind.out");
    const args = name === "?" ? [file] : ["valgrind", "--tool=callgrind", "--toggle-collect=jswrap_array_forEach", `--callgrind-out-file=${out}`, bin, file];
    const r = spawnSync(name === "?" ? bin : args[0], name === "?" ? args : args.slice(1), { cwd: dir, input: "", encoding: "latin1", timeout: 300000 });
    const said = (r.stdout || "") + (r.stderr || "");
    if (r.error) return { why: r.error.message, out: said };
    if (name === "?") return { why: "list", out: said };
    const files = readdirSync(dir).filter((f) => f.startsWith("callgrind.out"));
    const m = files.length === 1 ? /^summary: (\d+)$/m.exec(readFileSync(path.join(dir, files[0]), "latin1")) : null;
    return m && /OPS done/.test(said) ? { n: Number(m[1]) } : { why: "no callgrind summary or no OPS done (valgrind exit " + r.status + ")", out: said.slice(-400) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * BENCH_OPS=1: what each kind of operation, and each step of the AT channel, costs inside
 * Espruino, in instructions under callgrind (bench/espruino/ops-entry.ts), beside a plain
 * statement as the unit: the price list the channel's hot path is written against.
 */
async function ops(bin: string): Promise<void> {
  const b = await bundleForEspruino(path.join(repoRoot, "bench/espruino/ops-entry.ts"), path.join(repoRoot, "dist/bench/espruino-ops.js"), { minify: true, write: false });
  const bundle = pretokenise(b.text);
  const list = opsCase(bin, bundle, "?");
  const m = "out" in list ? /OPS (\[.*\])/.exec(list.out) : null;
  if (!m) {
    console.log("ops: the case list did not come back: " + ("out" in list ? list.out.slice(-300) : ""));
    return;
  }
  const names = JSON.parse(m[1]) as string[];
  const count = (name: string): number | undefined => {
    const r = opsCase(bin, bundle, name);
    if ("n" in r) return r.n;
    console.log(`  ${name}: ${r.why} ${r.out}`);
    return undefined;
  };
  const empty = count("empty");
  if (empty === undefined) return;
  const per: { [name: string]: number } = {};
  for (const name of names.slice(1)) {
    const n = count(name);
    // The basic cases do their operation ten times a turn; the channel cases one step.
    if (n !== undefined) per[name] = (n - empty) / 300 / (name.startsWith("channel:") ? 1 : 10);
  }
  const unit = per["statement"];
  console.log("operation (Espruino, pretokenised, callgrind)       instructions   statements");
  for (const name of Object.keys(per)) {
    console.log(`${name.padEnd(50)} ${Math.round(per[name]).toLocaleString("en").padStart(13)} ${(per[name] / unit).toFixed(1).padStart(12)}`);
  }
  console.log("(the channel steps include the caller's call and command literal; 'statement' is `a++`)");
}

export async function bench(): Promise<void> {
  const bin = process.env.ESPRUINO_BIN;
  if (!bin) {
    console.log("espruino: skipped (set ESPRUINO_BIN to an Espruino Linux interpreter, and ESPRUINO_AT_JS to modules/AT.js of espruino/EspruinoDocs)");
    return;
  }
  if (process.env.BENCH_OPS === "1") await ops(bin);
  const atPath = process.env.ESPRUINO_AT_JS;
  const atJs = atPath ? readFileSync(atPath, "latin1") : "";
  const b = await bundleForEspruino(path.join(repoRoot, "bench/espruino/entry.ts"), path.join(repoRoot, "dist/bench/espruino-at.js"), { minify: true, write: false });
  const bundle = pretokenise(b.text);
  const s = makeStream(Number(process.env.BENCH_TRANSACTIONS || 1500), 7);
  console.log(`stream: ${s.bytes.length} bytes, ${s.tx.length} commands (a quarter with a > prompt), ${s.urcs} URCs, ${s.chunks.length} chunks of 1-64 bytes`);
  // The peers: AT.js as published, and minified (the settings of our bundles) and pretokenised.
  const peers: { name: string; code: string }[] = [];
  if (atJs) {
    peers.push({ name: "AT.js", code: atJs });
    const min = esbuild.transformSync(atJs, { minifyWhitespace: true, minifyIdentifiers: true, minifySyntax: false, target: "es2015", charset: "ascii" }).code;
    peers.push({ name: "AT.js min", code: pretokenise(min) });
  } else console.log("AT.js: skipped (set ESPRUINO_AT_JS to the path of modules/AT.js)");
  const ours = await runOne(bin, bundle, s, "ours", "");
  const runs: Result[] = [ours];
  for (const p of peers) runs.push(Object.assign(await runOne(bin, bundle, s, "peer", p.code), { name: p.name }));
  // The lower bounds (bench/espruino/floor.ts), beside the parsers: what the least work costs.
  const floors = [await runOne(bin, bundle, s, "floor", ""), await runOne(bin, bundle, s, "floor+", "")];
  for (const r of runs) {
    const mbs = r.bytes / r.ms / 1000;
    console.log(
      `${r.name.padEnd(9)} ${mbs.toFixed(3)} MB/s (${r.ms} ms), corrupted responses ${r.corrupted} of ${s.tx.length}, URCs ${r.urcs} of ${s.urcs}`,
    );
  }
  for (const r of runs.slice(1)) console.log(`ratio ours / ${r.name}: ${(r.ms / ours.ms).toFixed(2)}x (Espruino ${bin})`);
  for (const f of floors) {
    const against = runs.slice(1).map((r) => `${(r.ms / f.ms).toFixed(2)}x ${r.name}`);
    console.log(`${f.name.padEnd(9)} ${(f.bytes / f.ms / 1000).toFixed(3)} MB/s (${f.ms} ms), corrupted ${f.corrupted}, URCs ${f.urcs}: ${against.join(", ") || "no peer"} (${FLOOR_WHAT[f.name]})`);
  }
  if (process.env.BENCH_CALLGRIND !== "1") return;
  const counted: { name: string; n: number }[] = [];
  const count = (name: string, which: string, code: string): void => {
    const n = instructions(bin, bundle, s, which, code);
    console.log(`${name.padEnd(9)} ${typeof n === "number" ? n.toLocaleString("en") + " instructions in the feed (callgrind), " + (n / s.tx.length / 1e6).toFixed(3) + " M a command" : n}`);
    if (typeof n === "number") counted.push({ name, n });
  };
  count("ours", "ours", "");
  for (const p of peers) count(p.name, "peer", p.code);
  count("floor", "floor", "");
  count("floor+", "floor+", "");
  const mine = counted.find((c) => c.name === "ours");
  for (const c of counted) {
    if (c.name === "ours" || !mine) continue;
    const peer = peers.some((p) => p.name === c.name);
    // For a peer: how many times fewer instructions ours takes; for a floor: the same, which is below 1.
    console.log(`ratio ours / ${c.name} in instructions: ${(c.n / mine.n).toFixed(2)}x${peer ? ` (2x ${c.name} allows ${(c.n / 2 / 1e6).toFixed(1)} M)` : ""}`);
  }
}

/** What each floor is (bench/espruino/floor.ts). */
const FLOOR_WHAT: { [name: string]: string } = {
  floor: "lower bound: framing and dispatch only, no time limit",
  "floor+": "lower bound with what firmware needs: command check, promise, time limit, response prefix, CR/LF rule",
};
