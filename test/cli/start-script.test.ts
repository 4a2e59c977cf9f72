/**
 * README's scripted example, run exactly as printed:
 * `printf 'dial 110\nhangup\n' | npm start --silent -- --json` gives JSON lines only,
 * the emergency call placed and ended, and the program ends by itself; its records went
 * to a directory of its own for the run, removed at the end.
 */
import test from "ava";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { ROOT } from "../support/cli-process.js";

test("README: printf 'dial 110\\nhangup\\n' | npm start --silent -- --json", async (t) => {
  const child = spawn("npm", ["start", "--silent", "--", "--json"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString("utf8")));
  child.stderr.on("data", (b: Buffer) => (err += b.toString("utf8")));
  child.stdin.end("dial 110\nhangup\n");
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  t.is(code, 0, err);
  const lines = out.trim().split("\n");
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l);
    } catch {
      return t.fail("not a JSON line: " + l);
    }
  });
  const dial = parsed.find((l) => l.command === "dial 110");
  t.truthy(dial, out);
  t.true(dial.reply.ok, JSON.stringify(dial.reply));
  t.true(dial.reply.call.emergency);
  const hangup = parsed.find((l) => l.command === "hangup");
  t.true(hangup.reply.ok, JSON.stringify(hangup.reply));
  t.true(parsed.some((l) => l.event === "callEnded" && l.data.number === "110" && l.data.end.reason === "hungUpHere"));
  const start = parsed.find((l) => l.event === "start");
  t.regex(start.data.data, /sharedline-start-/);
  t.false(fs.existsSync(start.data.data), "the run's own data directory is removed at the end");
});
