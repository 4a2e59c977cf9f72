/**
 * Host side of the Espruino tests: bundles an entry of test/espruino/entries the way a
 * board bundle is built (tools/bundle.ts: iife, ES2015, pure ASCII), checks the bundle
 * against the subset (tools/portable-check.ts), runs it on the interpreter named by
 * ESPRUINO_BIN and reads the harness's result lines (test/espruino/harness.ts).
 *
 * Adding a test is adding a file to entries/: each entry registers `check(...)` cases
 * and calls `runChecks()`.
 */
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForEspruino, repoRoot } from "../../tools/bundle.js";
import { checkBundle } from "../../tools/portable-check.js";
import { interpreterErrors, runEspruino, type EspruinoRun } from "../../tools/espruino-run.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const entriesDir = path.join(here, "entries");

/** The interpreter to run on, from ESPRUINO_BIN; undefined when the tests must be skipped. */
export function espruinoBin(): string | undefined {
  return process.env.ESPRUINO_BIN || undefined;
}

/** The entries, as paths relative to the repository root, sorted. */
export function listEntries(): string[] {
  return readdirSync(entriesDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .sort()
    .map((f) => path.relative(repoRoot, path.join(entriesDir, f)).split(path.sep).join("/"));
}

export interface HarnessResults {
  passed: string[];
  failed: { name: string; detail: string }[];
  /** The final `DONE n passed, m failed` line, when it came. */
  done: { passed: number; failed: number } | undefined;
}

/** Reads the harness's PASS/FAIL/DONE lines out of the interpreter's output. */
export function parseResults(output: string): HarnessResults {
  const r: HarnessResults = { passed: [], failed: [], done: undefined };
  for (const raw of output.split("\n")) {
    // The interpreter's prompt (">") can precede a line once the script has run.
    const line = raw.replace(/^>\s*/, "");
    let m: RegExpExecArray | null;
    if ((m = /^PASS (.+)$/.exec(line))) r.passed.push(m[1]);
    else if ((m = /^FAIL (.+?) :: (.*)$/.exec(line))) r.failed.push({ name: m[1], detail: m[2] });
    else if ((m = /^DONE (\d+) passed, (\d+) failed$/.exec(line))) r.done = { passed: Number(m[1]), failed: Number(m[2]) };
  }
  return r;
}

export interface EntryRun extends HarnessResults {
  /** Subset violations found in the bundle (it is still run). */
  violations: string[];
  /** Uncaught errors and syntax errors the interpreter printed. */
  errors: string[];
  run: EspruinoRun;
  bundleBytes: number;
}

/**
 * Bundles `entry` (repository-relative or absolute) into dist/espruino-tests/, checks it,
 * runs it on `bin` and returns what the harness reported. Stops at the DONE line or
 * after `timeoutMs`.
 */
export async function runEntry(bin: string, entry: string, opts: { minify?: boolean; timeoutMs?: number } = {}): Promise<EntryRun> {
  const abs = path.resolve(repoRoot, entry);
  const name = path.basename(abs, ".ts") + (opts.minify ? ".min" : "");
  const outfile = path.join(repoRoot, "dist", "espruino-tests", name + ".js");
  const b = await bundleForEspruino(abs, outfile, { minify: opts.minify === true });
  const violations = checkBundle(b.text, name + ".js").map((v) => `${v.line}:${v.column}${v.module ? " (" + v.module + ")" : ""}: ${v.message}`);
  const run = await runEspruino(bin, outfile, { timeoutMs: opts.timeoutMs ?? 45000, until: /^>?\s*DONE \d+ passed, \d+ failed$/m });
  return Object.assign(parseResults(run.output), { violations, errors: interpreterErrors(run.output), run, bundleBytes: b.bytes });
}
