/**
 * `sharedline ctl` as a new user meets it: help prints as lines, quit says what it did,
 * a session from standard input ends quietly with exit 0, an unknown flag is a usage
 * error (not a socket path).
 */
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PROCESS_WAIT_MS, startCli } from "../support/cli-process.js";

test("ctl against a running start --control: help as lines, quit and a piped session end with exit 0 and say so", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-ctl-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const socket = path.join(dir, "control");
  // stdin stays open: start keeps running until the test ends.
  const start = startCli(t, ["start", "--control", socket, "--no-broker", "--data", path.join(dir, "data")], "pipe");
  await start.out.waitFor("control socket on " + socket, PROCESS_WAIT_MS);

  const help = startCli(t, ["ctl", socket, "help"]);
  t.is(await help.exit, 0, help.err.text);
  const lines = help.out.text.trimEnd().split("\n");
  t.true(lines.length > 20, help.out.text);
  t.false(help.out.text.includes("\\n"), "no escaped newline between entries");
  t.is(lines[lines.length - 1], "  quit");

  const quit = startCli(t, ["ctl", socket, "quit"]);
  t.is(await quit.exit, 0, quit.err.text);
  t.is(quit.err.text, "sharedline ctl: the control session closed; the firmware keeps running (SIGINT or SIGTERM stops it)\n");

  const piped = startCli(t, ["ctl", socket], "pipe");
  piped.child.stdin!.end("status\n");
  t.is(await piped.exit, 0, piped.err.text);
  t.regex(piped.out.text, /^modem \w+; .*; line idle; SMS priority .*$/m);
  t.is(piped.err.text, "");

  // A person's quit ends the session though their input is still open.
  const typed = startCli(t, ["ctl", socket], "pipe");
  typed.child.stdin!.write("quit\n");
  t.is(await typed.exit, 0, typed.err.text);
  t.is(typed.err.text, "");

  start.child.stdin!.end();
  t.is(await start.exit, 0);
});

test("ctl: an unknown flag is a usage error, not a socket path; no socket at all says which is missing", async (t) => {
  const bogus = startCli(t, ["ctl", "--bogus"]);
  t.is(await bogus.exit, 2);
  t.is(bogus.err.text, "sharedline ctl: unknown option '--bogus'\nTry 'sharedline ctl --help' for the options.\n");
  const none = startCli(t, ["ctl", "--json"]);
  t.is(await none.exit, 2);
  t.regex(none.err.text, /^sharedline ctl: which socket\? .*\nTry 'sharedline ctl --help' for the options\.\n$/);
});
