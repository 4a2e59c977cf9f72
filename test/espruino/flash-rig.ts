/**
 * Flashing the Linux interpreter as a watch in the Espruino end-to-end tests: the
 * interpreter with `--telnet` in a network namespace of its own where `unshare -n` works
 * (its telnet port is fixed, 2323), and `sharedline flash` run inside that namespace.
 */
import { spawn, spawnSync } from "node:child_process";
import * as path from "node:path";
import { ROOT } from "../support/cli-process.js";

/** `unshare -n` works here (root): the interpreter gets its own loopback. */
export function ownNetwork(): boolean {
  const r = spawnSync("unshare", ["-n", "true"], { stdio: "ignore" });
  return !r.error && r.status === 0;
}

/** What runs the interpreter in its own network namespace, when it can have one. */
export function netnsWrap(netns: boolean): string[] {
  return netns ? ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"'] : [];
}

/** Runs `sharedline flash` (inside the interpreter's network namespace when it has one). */
export function flashOver(pid: number | undefined, args: string[]): Promise<{ code: number | null; out: string }> {
  const cmd = [process.execPath, path.join(ROOT, "bin/sharedline.mjs"), "flash"].concat(args);
  const argv = pid ? ["nsenter", "-t", String(pid), "-n"].concat(cmd) : cmd;
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("close", (code) => resolve({ code, out }));
  });
}
