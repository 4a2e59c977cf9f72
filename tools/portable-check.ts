/**
 * `sharedline portable-check` (`npm run portable`): proves the portable code stays inside
 * Espruino's subset by checking what actually ships, the esbuild output, not the source.
 *
 * Espruino has no pre-parse: a function body that never runs is never syntax-checked, so
 * a bundle that loads can still hold unsupported syntax on a cold path
 * (espruino-facts.md: How Espruino runs code, trap 1). Hence:
 *
 * 1. Bundles: each Espruino board's entry (boards.json), plain and minified, and one
 *    bundle of every portable module (drivers/, firmware/, hal/*.ts, hal/espruino/) so
 *    code no board reaches yet is checked too. Bundling fails on Node built-in imports
 *    and on syntax esbuild cannot lower (tools/bundle.ts).
 * 2. Static check of each bundle: parsed as ES2015 (anything newer is outside the
 *    subset), then the subset rules of tools/espruino-subset.js (the same rules the
 *    source lint uses) plus the ones only generated code needs: the `var X = class _X`
 *    self-reference esbuild emits, array holes, uses that run before their definition,
 *    `of` as a name (a minifier pick), `\u{...}` escapes, non-ASCII text, `require` of
 *    a module Espruino does not have. The subset rules include `espruino/arrow-this`:
 *    an arrow using `this` where Espruino parses it without running it (a skipped
 *    branch, an arrow's expression body) kills the interpreter, which is the shape
 *    esbuild's minifySyntax writes (tools/espruino-arrow-this.js, tools/bundle.ts).
 * 3. Budgets: each board's minified bundle against budgets.bundleBytes.
 * 4. With ESPRUINO_BIN, on the real interpreter: each board's minified bundle, booted
 *    from Storage as the device runs it (`.bootcde` with its cold modules beside it,
 *    tools/bundle.ts COLD_MODULES), must start without an error and stay within
 *    budgets.ramBlocks, measured on the board's heap layout when ESPRUINO_BIN_<variables>
 *    names such a build (the report names the Espruino build the board expects); and
 *    the all-modules bundle must define every module without an error. The cold modules
 *    get the static check of step 2 as Storage modules (`exports` allowed).
 *
 * Exit code: 0 clean, 1 on any violation, 2 on bad usage.
 */
import { Linter } from "eslint";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, bundleForEspruino, BundleError, espruinoBoards, espruinoModules, repoRoot, textProblems, type Board, type BundleResult } from "./bundle.js";
import { plugin, subsetRules } from "./espruino-subset.js";
import { interpreterErrors, interpreterFor, layoutProblem, runEspruino, withoutBanner } from "./espruino-run.js";
import { bootHeap, writeStorageFiles } from "./espruino-repl.js";
import { readOptions } from "../cli/output.js";

export interface Violation {
  /** Which bundle. */
  bundle: string;
  line: number;
  column: number;
  /** The source module the line belongs to, when the bundle says (unminified). */
  module?: string;
  message: string;
}

/** Node modules an Espruino `require` cannot load (the names Espruino lacks). */
const NOT_ON_ESPRUINO = ["events", "buffer", "util", "stream", "path", "os", "child_process", "worker_threads", "readline", "zlib", "url", "assert", "process"];

function bundleConfig(storageModule: boolean): Linter.Config[] {
  return [
    {
      files: ["**/*.js"],
      languageOptions: { ecmaVersion: 2015, sourceType: "script" },
      plugins: { espruino: plugin },
      // hal/espruino may call Espruino's own require/process; which modules is checked
      // below. A Storage module (a cold part, loaded with `require`) has `exports`.
      rules: Object.assign(subsetRules({ allowGlobals: ["require", "process"].concat(storageModule ? ["exports"] : []) }), { "espruino/no-use-before-run": "error" as const }),
    },
  ];
}

/** The module comment (`// drivers/at/channel.ts`) that esbuild writes before each module. */
function moduleAt(lines: string[], line: number): string | undefined {
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = /^\s*\/\/ ((?:[\w.@-]+\/)*[\w.@-]+\.(?:ts|js))$/.exec(lines[i]);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Checks bundle text statically against Espruino's subset; returns every violation.
 * `name` labels the violations; `storageModule` for a Storage module (it has `exports`).
 */
export function checkBundle(text: string, name: string, storageModule = false): Violation[] {
  const lines = text.split("\n");
  const out: Violation[] = [];
  const add = (line: number, column: number, message: string) => out.push({ bundle: name, line, column, module: moduleAt(lines, line), message });

  for (const p of textProblems(text)) {
    const m = /at (?:line )?(\d+)(?::(\d+))?/.exec(p);
    add(m ? Number(m[1]) : 0, m && m[2] ? Number(m[2]) : 0, p);
  }

  const linter = new Linter({ configType: "flat" });
  for (const m of linter.verify(text, bundleConfig(storageModule), { filename: "bundle.js" })) {
    if (m.fatal) add(m.line, m.column, `not ES2015 (Espruino's subset lies within ES2015): ${m.message}`);
    else add(m.line, m.column, m.message);
  }

  // Espruino's own modules only (hal/espruino); esbuild writes `(0, globalThis.require)("x")`.
  const req = /globalThis\.require\)?\(\s*(["'])([^"']*)\1/g;
  for (let m = req.exec(text); m; m = req.exec(text)) {
    const mod = m[2];
    const line = text.slice(0, m.index).split("\n").length;
    if (NOT_ON_ESPRUINO.indexOf(mod) >= 0 || mod.startsWith("node:")) add(line, 0, `require("${mod}"): Espruino has no such module (events, buffer and util do not load; espruino-facts.md: require)`);
    else if (espruinoModules.indexOf(mod) < 0) add(line, 0, `require("${mod}"): not a known Espruino module (${espruinoModules.join(", ")})`);
  }
  return out;
}

/** Every portable module: .ts under drivers/, firmware/, hal/ (top level) and hal/espruino/. */
export function portableModules(root = repoRoot): string[] {
  const found: string[] = [];
  const walk = (dir: string, recurse: boolean) => {
    let names: string[];
    try {
      names = readdirSync(path.join(root, dir)).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const rel = dir + "/" + n;
      if (statSync(path.join(root, rel)).isDirectory()) {
        if (recurse && n !== "node" && n !== "node_modules") walk(rel, true);
      } else if (n.endsWith(".ts") && !n.endsWith(".d.ts") && !n.endsWith(".node.ts") && !n.endsWith(".test.ts")) {
        found.push(rel);
      }
    }
  };
  walk("drivers", true);
  walk("firmware", true);
  walk("hal", false);
  walk("hal/espruino", true);
  // A board's entry starts its firmware (the default one, or the one boards.json names,
  // e.g. the RAK8212's firmware/rak/boot.ts); it is bundled (and checked) per board.
  const entries = ["hal/espruino/boot.ts"];
  for (const b of espruinoBoards(path.join(root, "boards.json"))) if (b.entry) entries.push(b.entry);
  return found.filter((f) => entries.indexOf(f) < 0);
}

/**
 * An entry that imports every module and keeps all their exports alive, so nothing is
 * tree-shaken away unchecked. Loaded on Espruino it prints one line with the heap use.
 */
export function allModulesEntry(modules: string[]): string {
  const lines = modules.map((m, i) => `import * as m${i} from ${JSON.stringify("./" + m)};`);
  lines.push(`(globalThis as any).__sharedlinePortable = [${modules.map((_m, i) => "m" + i).join(", ")}];`);
  lines.push(
    `declare const process: { memory?: () => { usage: number } };`,
    `console.log("SHAREDLINE_LOADED " + ${modules.length} + " " + (typeof process !== "undefined" && process.memory ? process.memory().usage : -1));`,
  );
  return lines.join("\n") + "\n";
}

function kb(n: number): string {
  return (n / 1024).toFixed(1) + " KB";
}

function report(v: Violation): string {
  return `  ${v.bundle}:${v.line}:${v.column}${v.module ? " (" + v.module + ")" : ""}: ${v.message}`;
}

/** Bundles and checks; collects violations instead of stopping at the first. */
async function checkOne(label: string, build: () => Promise<BundleResult>, violations: Violation[], problems: string[]): Promise<BundleResult | undefined> {
  try {
    const r = await build();
    violations.push(...checkBundle(r.text, label));
    return r;
  } catch (err) {
    if (err instanceof BundleError) problems.push(err.message);
    else problems.push(`${label}: ${String(err)}`);
    return undefined;
  }
}

/**
 * Measures a board the way the device runs its code: the minified bundle written to
 * Storage as the boot code (`.bootcde`, with no device settings: the modem UART stays
 * unbound, so bring-up keeps retrying), the interpreter restarted so that it boots from
 * Storage, and the heap read a second later. Code run from Storage keeps its text in
 * flash (espruino-facts.md: Memory), which loading from RAM would not show. The board's
 * own heap layout is used when ESPRUINO_BIN_<variables> names such a build
 * (tools/espruino-run.ts interpreterFor); over budgets.ramBlocks fails.
 */
async function bootOnEspruino(board: Board, outdir: string, rows: string[], problems: string[]): Promise<void> {
  const interp = interpreterFor(board.espruino ? board.espruino.variables : undefined);
  if (!interp) return;
  let r: BundleResult;
  try {
    r = await bundleBoard(board, outdir, true, false);
  } catch {
    return; // already reported by the static pass
  }
  const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-heap-"));
  try {
    await writeStorageFiles(process.env.ESPRUINO_BIN || interp.bin, cwd, storageFiles(r));
    const h = await bootHeap(interp.bin, cwd, 1000);
    // Without settings the UART has no pins on Linux ("No path defined for device"); only
    // script errors count here.
    const errors = h.errors.filter((l) => !/No path defined for device/.test(l));
    if (errors.length) {
      problems.push(`${board.name}: the minified bundle did not boot cleanly from Storage on ${interp.bin}:\n    ` + errors.join("\n    "));
      return;
    }
    const budget = board.budgets.ramBlocks;
    const build = board.espruino ? `Espruino ${board.espruino.build} build expected; ` : "";
    const notDevice = await layoutProblem(interp, board.espruino ? board.espruino.variables : undefined);
    rows.push(`  ${board.name}: ${h.usage} heap blocks in use 1 s after booting from Storage, of ${h.total} (${build}measured on ${interp.label})` + (budget ? `; budget ${budget}` : "") + (notDevice ? `\n    (${notDevice}; fewer blocks than the device would use)` : ""));
    if (interp.layout && notDevice) problems.push(`${board.name}: ${notDevice}`);
    if (budget && h.usage > budget) problems.push(`${board.name}: ${h.usage} heap blocks after booting from Storage is over budgets.ramBlocks ${budget} (${interp.label})`);
  } catch (err) {
    problems.push(`${board.name}: could not measure the heap on ${interp.bin}: ${(err as Error).message}`);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** What a board's Storage holds: the boot code and its cold modules (tools/bundle.ts COLD_MODULES). */
export function storageFiles(r: BundleResult): { [name: string]: string } {
  const files: { [name: string]: string } = { ".bootcde": r.text };
  for (const m of r.modules ?? []) files[m.file] = m.text;
  return files;
}

const USAGE = [
  "usage: sharedline portable-check [--espruino <interpreter>] [--outdir <dir>]",
  "",
  "  --espruino <interpreter>  the Espruino interpreter that boots the bundles (also",
  "                            ESPRUINO_BIN)",
  "  --outdir <dir>            where the checked bundles go (default dist/check)",
  "  -h, --help                this text",
].join("\n");

export async function run(args: string[]): Promise<number> {
  const o = readOptions("portable-check", args, { espruino: { type: "string" }, outdir: { type: "string" }, help: { type: "boolean", short: "h" } } as const, USAGE);
  if (typeof o === "number") return o;
  const bin = o.espruino !== undefined ? o.espruino : process.env.ESPRUINO_BIN || undefined;
  const outdir = o.outdir !== undefined ? path.resolve(o.outdir) : path.join(repoRoot, "dist", "check");

  const violations: Violation[] = [];
  const problems: string[] = [];
  const rows: string[] = [];

  for (const board of espruinoBoards()) {
    const plain = await checkOne(board.name + ".js", () => bundleBoard(board, outdir, false, false), violations, problems);
    const min = await checkOne(board.name + ".min.js", () => bundleBoard(board, outdir, true), violations, problems);
    // The cold modules are code the device runs too: the same static check.
    for (const built of [plain, min]) for (const m of (built && built.modules) || []) violations.push(...checkBundle(m.text, path.basename(m.outfile), true));
    const budget = board.budgets.bundleBytes;
    const total = min ? (min.modules ?? []).reduce((n, m) => n + m.bytes, min.bytes) : 0;
    rows.push(
      `  ${board.name.padEnd(24)} ${plain ? kb(plain.bytes).padStart(9) : "    error"}  min ${min ? kb(min.bytes).padStart(9) : "    error"}` +
        (min && min.modules && min.modules.length ? ` + ${min.modules.map((m) => `${m.file} ${kb(m.bytes)}`).join(" + ")}` : "") +
        (budget ? `  budget ${kb(budget)}` + (min ? ` (${((100 * total) / budget).toFixed(0)}%)` : "") : ""),
    );
  }

  const modules = portableModules();
  const allFile = path.join(outdir, "portable-all.js");
  const all = await checkOne(
    "portable-all.js",
    () => bundleForEspruino({ contents: allModulesEntry(modules), resolveDir: repoRoot, sourcefile: "portable-all.ts" }, allFile, { label: "all portable modules" }),
    violations,
    problems,
  );
  await checkOne(
    "portable-all.min.js",
    () => bundleForEspruino({ contents: allModulesEntry(modules), resolveDir: repoRoot, sourcefile: "portable-all.ts" }, path.join(outdir, "portable-all.min.js"), { label: "all portable modules (minified)", minify: true }),
    violations,
    problems,
  );
  rows.push(`  ${"all portable modules".padEnd(24)} ${all ? kb(all.bytes).padStart(9) : "    error"}  (${modules.length} modules)`);

  if (bin) {
    process.env.ESPRUINO_BIN = bin;
    for (const board of espruinoBoards()) await bootOnEspruino(board, outdir, rows, problems);
  }

  if (bin && all) {
    const r = await runEspruino(bin, allFile, { timeoutMs: 60000, until: /SHAREDLINE_LOADED \d+ -?\d+\n/ });
    const loaded = /SHAREDLINE_LOADED (\d+) (-?\d+)/.exec(r.output);
    const errors = interpreterErrors(r.output);
    if (!loaded || errors.length > 0) {
      problems.push(`portable-all.js on ${bin}: did not load cleanly` + (r.timedOut ? " (timed out)" : "") + ":\n    " + (errors.length ? errors.join("\n    ") : withoutBanner(r.output).trim().split("\n").slice(-5).join("\n    ")));
    } else {
      rows.push(`  loaded on Espruino: ${loaded[1]} modules, ${loaded[2]} heap blocks in use after load (${r.ms} ms)`);
    }
  }

  console.log("Espruino bundles (plain / minified, vs boards.json budgets.bundleBytes):");
  for (const r of rows) console.log(r);
  if (problems.length === 0 && violations.length === 0) {
    console.log("portable-check: ok (subset, ASCII, budgets" + (bin ? ", loads on Espruino" : "; set ESPRUINO_BIN to also load on Espruino") + ")");
    return 0;
  }
  for (const p of problems) console.error(p);
  if (violations.length) {
    console.error(`${violations.length} violation(s) of Espruino's subset in the bundles:`);
    for (const v of violations) console.error(report(v));
  }
  return 1;
}
