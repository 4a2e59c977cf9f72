/**
 * `sharedline ctl <socket> [command...]`: a client of the control socket of
 * `sharedline run --control <socket>` (cli/control.ts).
 *
 * - With a command: sends it, prints its reply (words, or the JSON line with `--json`)
 *   and exits 0 when the reply is ok, 1 when it is not.
 * - Without one: command lines from standard input go to the firmware, and every line
 *   from it (events and replies) is printed, until either side closes.
 * - `quit` (or `exit`) closes the session without a reply: the close is its answer.
 */
import net from "node:net";
import { createInterface } from "node:readline";
import { usageError } from "./output.js";
import { terminalLines, terminalSafe, terminalSafeJson } from "./terminal-text.js";

const USAGE = `usage: sharedline ctl [--json] <socket> [command...]

Drives a running \`sharedline run --control <socket>\`:
  sharedline ctl /run/sharedline/control status
  sharedline ctl /run/sharedline/control dial 110
  sharedline ctl /run/sharedline/control wait incoming 30
  sharedline ctl /run/sharedline/control --json      (command lines in, events and replies out)

  --json       print the firmware's JSON lines as they come (docs/api.md), not words
  -h, --help   this text

With a command it exits 0 when the reply is ok, 1 when it is not (the reply says why),
2 when the socket cannot be reached. Without one it sends the lines of standard input
until they end or one is quit, and exits 0; 1 when the firmware closes the connection
first. quit ends the control session, not the firmware. Commands: the console's
(sharedline ctl <socket> help).`;

interface Line {
  command?: string;
  reply?: { ok: boolean };
  text?: string;
}

/** A line from the firmware as it is printed: text from the network never drives the terminal; a reply of several lines (help, a list) prints as lines. */
function show(raw: string, json: boolean): string {
  if (json) return terminalSafeJson(raw);
  try {
    const l = JSON.parse(raw) as Line;
    if (l.text === undefined) return terminalSafe(raw);
    return l.command !== undefined ? terminalLines(l.text).join("\n") : terminalSafe(l.text);
  } catch {
    return terminalSafe(raw);
  }
}

/** Ends a control session (cli/control.ts): the connection closes, the firmware keeps running. */
function isQuit(command: string): boolean {
  return command === "quit" || command === "exit";
}

/**
 * The options come before the command (`--json` also right after the socket, as the
 * usage shows); what follows is the command's, whose own flags (`sms send ... --report`)
 * are not ours.
 */
function readArgs(argv: string[]): { json: boolean; path?: string; command: string } | number {
  let json = false;
  let path: string | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--json") json = true;
    else if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return 0;
    } else if (a === "--") {
      i++;
      if (path === undefined) path = argv[i++];
      break;
    } else if (a.startsWith("-")) return usageError("ctl", `unknown option '${a}'`);
    else if (path === undefined) path = a;
    else break;
  }
  if (path === undefined) return usageError("ctl", "which socket? give the path of `sharedline run --control <path>`");
  return { json, path, command: argv.slice(i).join(" ").trim() };
}

export async function run(argv: string[]): Promise<number> {
  const a = readArgs(argv);
  if (typeof a === "number") return a;
  const { json, path, command } = a;
  const sock = net.connect(path!);
  const connected = await new Promise<Error | undefined>((resolve) => {
    sock.once("connect", () => resolve(undefined));
    sock.once("error", (e) => resolve(e));
  });
  if (connected) {
    console.error(`sharedline ctl: cannot reach ${path}: ${connected.message}`);
    return 2;
  }
  const lines = createInterface({ input: sock, terminal: false });
  if (command) {
    return new Promise<number>((resolve) => {
      let answered = false;
      lines.on("line", (raw) => {
        let l: Line;
        try {
          l = JSON.parse(raw) as Line;
        } catch {
          return;
        }
        if (l.command === undefined || !l.reply) return;
        answered = true;
        console.log(show(raw, json));
        sock.end();
        resolve(l.reply.ok ? 0 : 1);
      });
      sock.on("close", () => {
        if (answered) return;
        // quit has no reply: the firmware closes the session, which is its answer.
        if (isQuit(command)) {
          console.error("sharedline ctl: the control session closed; the firmware keeps running (SIGINT or SIGTERM stops it)");
          resolve(0);
          return;
        }
        console.error("sharedline ctl: the firmware closed the connection before it answered");
        resolve(2);
      });
      sock.write(command + "\n");
    });
  }
  return new Promise<number>((resolve) => {
    let quitSent = false;
    lines.on("line", (raw) => console.log(show(raw, json)));
    const input = createInterface({ input: process.stdin, terminal: false });
    input.on("line", (l) => {
      if (quitSent) return;
      if (isQuit(l.trim())) quitSent = true;
      sock.write(l + "\n");
    });
    // The end of our input: let the firmware answer what was sent, then leave.
    input.on("close", () => {
      if (quitSent || sock.destroyed) return;
      quitSent = true;
      sock.write("quit\n");
    });
    sock.on("close", () => {
      // Our own input may still be open (a person at the terminal): it has nowhere to go.
      input.close();
      process.stdin.destroy();
      if (quitSent) {
        resolve(0);
        return;
      }
      console.error("sharedline ctl: the firmware closed the connection");
      resolve(1);
    });
    sock.on("error", (e) => {
      console.error(`sharedline ctl: ${path}: ${e.message}`);
      resolve(2);
    });
  });
}
