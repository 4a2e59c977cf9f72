/**
 * Runs a script on the Espruino interpreter's Linux build (`espruino file.js`) and
 * collects what it prints. Used by the Espruino tests (test/espruino) and the optional
 * load check of `sharedline portable-check`.
 *
 * What the interpreter needs (espruino-facts.md: Running code, The Linux interpreter as a
 * stand-in watch): standard input must stay an open pipe (at end-of-file it spins a core
 * and stops serving its event loop), it exits by itself when no timers are left, and a
 * hung interpreter may trap SIGTERM, so it is stopped with SIGKILL. It keeps its flash
 * file (`espruino.flash`) in the current directory, so each run gets a fresh temporary
 * directory.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export interface EspruinoRunOptions {
  /** Kill the interpreter after this many milliseconds (default 30000). */
  timeoutMs?: number;
  /** Stop as soon as the output matches (e.g. the harness's final DONE line). */
  until?: RegExp;
  /** Working directory; default a fresh temporary one, removed afterwards. */
  cwd?: string;
}

export interface EspruinoRun {
  /** Everything written to stdout and stderr, banner included, through `clean`. */
  output: string;
  /** Exit code, or null when killed. */
  code: number | null;
  /** True when the run was killed at the timeout. */
  timedOut: boolean;
  /** True when `until` matched (the run was then stopped). */
  matched: boolean;
  ms: number;
}

/**
 * The console as text: once the script has run, the interpreter's REPL redraws its `>`
 * prompt with terminal escapes (`>ESC[J`) before each printed line; those and `\r` go.
 */
export function clean(raw: string): string {
  // eslint-disable-next-line no-control-regex -- ESC is exactly what is being removed
  return raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");
}

/** Runs `file` on the interpreter `bin`; never rejects for what the script does. */
export function runEspruino(bin: string, file: string, opts: EspruinoRunOptions = {}): Promise<EspruinoRun> {
  const timeoutMs = opts.timeoutMs ?? 30000;
  const cwd = opts.cwd ?? mkdtempSync(path.join(tmpdir(), "espruino-run-"));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [path.resolve(file)], { cwd, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let timedOut = false;
    let matched = false;
    let settled = false;
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    let raw = "";
    const collect = (chunk: Buffer) => {
      raw += chunk.toString("latin1");
      output = clean(raw);
      if (opts.until && !matched && opts.until.test(output)) {
        matched = true;
        stop();
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    // Keep stdin open but never write: EOF would make the interpreter spin.
    child.stdin.on("error", () => undefined);
    child.on("error", (err) => {
      clearTimeout(timer);
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (!opts.cwd) rmSync(cwd, { recursive: true, force: true });
      if (settled) return;
      settled = true;
      resolve({ output, code, timedOut, matched, ms: Date.now() - started });
    });
  });
}

/** The output after the interpreter's start-up banner (which ends with the Donate URL). */
export function withoutBanner(output: string): string {
  const i = output.indexOf("espruino.com/Donate");
  if (i < 0) return output;
  const nl = output.indexOf("\n", i);
  return nl < 0 ? "" : output.slice(nl + 1);
}

/**
 * Lines in which the interpreter reports an uncaught error, a syntax error, or a failed
 * internal assertion (`ASSERT(...) FAILED AT src/...`: the interpreter exits right after,
 * and a board reboots; tools/espruino-arrow-this.js has one cause).
 */
export function interpreterErrors(output: string): string[] {
  return withoutBanner(output)
    .split("\n")
    .filter((l) => /^(Uncaught|ERROR:|SyntaxError|ReferenceError|InternalError)|^ASSERT(\(.*\))? FAILED AT |Got .* expected /.test(l.replace(/^>\s*/, "")));
}

/** The interpreter a board's heap is measured on, and what that build is. */
export interface BoardInterpreter {
  bin: string;
  /** True when `bin` has the board's fixed heap layout (ESPRUINO_BIN_<variables>). */
  layout: boolean;
  /** For messages: which build this is. */
  label: string;
}

/**
 * Picks the interpreter for a board whose firmware has a fixed heap of `variables`
 * blocks: `ESPRUINO_BIN_<variables>` when set (a Linux build made with that many
 * variables, the board's layout), else `ESPRUINO_BIN` (the Linux build, whose heap
 * grows); undefined without ESPRUINO_BIN.
 */
export function interpreterFor(variables: number | undefined, env: { [k: string]: string | undefined } = process.env): BoardInterpreter | undefined {
  const base = env.ESPRUINO_BIN || undefined;
  if (!base) return undefined;
  const own = variables ? env["ESPRUINO_BIN_" + variables] || undefined : undefined;
  if (own) return { bin: own, layout: true, label: `Linux build with the board's ${variables}-block heap (ESPRUINO_BIN_${variables})` };
  return {
    bin: base,
    layout: !variables,
    label: variables ? `Linux build, heap grows (set ESPRUINO_BIN_${variables} for the board's ${variables}-block layout)` : "Linux build",
  };
}

/**
 * Characters of a property or variable name a heap block holds inline on the boards'
 * microcontrollers (all 32-bit: nRF52832/nRF52840). Espruino's src/jsutils.h sets
 * JSVAR_DATA_STRING_NAME_LEN to 4 on 32-bit builds and 8 on 64-bit ones, so a longer
 * name takes a second block: a 64-bit Linux build under-counts names of 5 to 8
 * characters (measured on main 873eeb0: 7,231 blocks after boot on a 64-bit
 * VARIABLES=12000 build, 8,126 on a 32-bit one).
 */
export const DEVICE_NAME_CHARS = 4;

/** What a build's heap is like, read off the running interpreter. */
export interface InterpreterLayout {
  /** Heap blocks (`process.memory().total`; a growing heap reports its current size). */
  blocks: number;
  /** Name characters one block holds inline (4 on 32-bit builds, 8 on 64-bit). */
  nameChars: number;
}

const layouts = new Map<string, Promise<InterpreterLayout>>();

/**
 * Asks the interpreter `bin` about its heap: its size, and whether a five-character
 * property name fits its name block (an object holding one such property is one block
 * for the object and one for the name with its value when it does).
 */
export function probeLayout(bin: string): Promise<InterpreterLayout> {
  let p = layouts.get(bin);
  if (!p) {
    p = (async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "espruino-layout-"));
      try {
        const file = path.join(dir, "layout.js");
        writeFileSync(file, 'print("LAYOUT " + process.memory().total + " " + E.getSizeOf({ abcde: 1 }));\n');
        const run = await runEspruino(bin, file, { timeoutMs: 15000, until: /LAYOUT \d+ \d+/, cwd: dir });
        const m = /LAYOUT (\d+) (\d+)/.exec(run.output);
        if (!m) throw new Error(`${bin} did not report its heap layout:\n${run.output.slice(-500)}`);
        return { blocks: Number(m[1]), nameChars: Number(m[2]) === 2 ? 8 : 4 };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    })();
    layouts.set(bin, p);
  }
  return p;
}

/**
 * Why heap figures from `interp` are not the board's own, or undefined when they are: the
 * board's fixed heap of `variables` blocks and the device's 4-character names.
 */
export async function layoutProblem(interp: BoardInterpreter, variables: number | undefined): Promise<string | undefined> {
  if (!variables) return undefined;
  if (!interp.layout) return `measured on a growing heap, not the board's ${variables} blocks (set ESPRUINO_BIN_${variables})`;
  const l = await probeLayout(interp.bin);
  const problems: string[] = [];
  if (l.blocks !== variables) problems.push(`its heap is ${l.blocks} blocks, the board's ${variables}`);
  if (l.nameChars !== DEVICE_NAME_CHARS)
    problems.push(`it holds names of up to ${l.nameChars} characters in a block, the board's 32-bit microcontroller ${DEVICE_NAME_CHARS} (a 64-bit build under-counts; build it 32-bit, docs/espruino.md)`);
  return problems.length ? `ESPRUINO_BIN_${variables} is not the board's layout: ` + problems.join("; ") : undefined;
}
