/**
 * `sharedline ctl <socket> [command...]`: a client of the control socket of
 * `sharedline run --control <socket>` (cli/control.ts).
 *
 * - With a command: sends it, prints its reply (words, or the JSON line with `--json`)
 *   and exits 0 when the reply is ok, 1 when it is not.
 * - Without one: command lines from standard input go to the firmware, and every line
 *   from it (events and replies) is printed, until either side closes.
 */
import net from "node:net";
import { createInterface } from "node:readline";
import { terminalSafe, terminalSafeJson } from "./terminal-text.js";

const USAGE = `usage: sharedline ctl <socket> [--json] [command...]

Drives a running \`sharedline run --control <socket>\`:
  sharedline ctl /run/sharedline/control status
  sharedline ctl /run/sharedline/control dial 110
  sharedline ctl /run/sharedline/control wait incoming 30
  sharedline ctl /run/sharedline/control --json      (command lines in, events and replies out)

With a command it exits 0 when the reply is ok, 1 when it is not (the reply says why),
2 when the socket cannot be reached. Commands: the console's (sharedline ctl <socket> help).`;

interface Line {
  command?: string;
  reply?: { ok: boolean };
  text?: string;
}

/** A line from the firmware as it is printed: text from the network never drives the terminal. */
function show(raw: string, json: boolean): string {
  if (json) return terminalSafeJson(raw);
  try {
    const l = JSON.parse(raw) as Line;
    return terminalSafe(l.text !== undefined ? l.text : raw);
  } catch {
    return terminalSafe(raw);
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = argv.slice();
  let json = false;
  const i = args.indexOf("--json");
  if (i >= 0) {
    json = true;
    args.splice(i, 1);
  }
  if (args[0] === "-h" || args[0] === "--help") {
    console.log(USAGE);
    return 0;
  }
  const path = args.shift();
  if (!path) {
    console.error("sharedline ctl: which socket? (sharedline ctl --help)");
    return 2;
  }
  const command = args.join(" ").trim();
  const sock = net.connect(path);
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
        console.error("sharedline ctl: the firmware closed the connection before it answered");
        resolve(2);
      });
      sock.write(command + "\n");
    });
  }
  return new Promise<number>((resolve) => {
    lines.on("line", (raw) => console.log(show(raw, json)));
    const input = createInterface({ input: process.stdin, terminal: false });
    input.on("line", (l) => sock.write(l + "\n"));
    // The end of our input: let the firmware answer what was sent, then leave.
    input.on("close", () => sock.write("quit\n"));
    sock.on("close", () => resolve(0));
    sock.on("error", () => resolve(2));
  });
}
