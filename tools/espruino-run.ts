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
import { mkdtempSync, rmSync } from "node:fs";
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
