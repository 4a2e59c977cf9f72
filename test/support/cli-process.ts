/**
 * `bin/sharedline.mjs` run as a user runs it, in a child process whose output the test
 * reads as it comes.
 */
import { spawn, ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Collector } from "../sim/io.js";

/** The project's root folder. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * How long a test waits for a started `sharedline` process to get somewhere (listening,
 * ready, a control socket): real time, since it is a real process that compiles its
 * TypeScript on start. On a 2-core machine at load 20-30 a start took over 20 s, so the
 * wait is generous; a process that works answers in about a second either way.
 */
export const PROCESS_WAIT_MS = 60000;

export interface CliProcess {
  child: ChildProcess;
  /** Its stdout and stderr, as UTF-8 text. */
  out: Collector;
  err: Collector;
  /** Its exit code (null when a signal ended it). */
  exit: Promise<number | null>;
}

/**
 * Starts `sharedline <args>` from the project root. Its stdin is a pipe the test may
 * write to (`stdin: "pipe"`) or none. Whatever the test's outcome, the child does not
 * outlive it: it is killed at teardown if it is still running.
 */
export function startCli(t: { teardown(fn: () => void): void }, args: string[], stdin: "pipe" | "ignore" = "ignore", env?: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [path.join(ROOT, "bin/sharedline.mjs"), ...args], { cwd: ROOT, stdio: [stdin, "pipe", "pipe"], env: env || process.env });
  const out = new Collector();
  const err = new Collector();
  child.stdout!.on("data", (b: Buffer) => out.push(b.toString("utf8")));
  child.stderr!.on("data", (b: Buffer) => err.push(b.toString("utf8")));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  return { child, out, err, exit };
}
