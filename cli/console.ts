/**
 * The firmware console of `sharedline start` / `sharedline run`: prints what the
 * firmware does (human lines, or one JSON object per line with `--json`) and runs
 * command lines typed by a person, piped by a script, or sent over the control socket.
 *
 * It is a thin adapter over the firmware API (`fw.api`, firmware/api.ts): the commands
 * are firmware/commands.ts's table, the events are the API's, under the same names.
 * Network commands exist only on the in-process simulator and play the other parties.
 *
 * JSON lines: an event is `{"t":ms,"event":name,"data":{...},"text":"..."}`, a command's
 * answer `{"t":ms,"command":"dial 110","reply":{"ok":true,...},"text":"..."}`.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { FirmwareApi } from "../firmware/api.js";
import { API_EVENTS, type AnyReply, type ApiEventName } from "../firmware/api/types.js";
import { describeEvent, describeReply } from "../firmware/api/words.js";
import { findCommand, helpLines, runCommand, splitLine } from "../firmware/commands.js";
import { paint, type Tone } from "./output.js";
import { terminalLines, terminalSafe, terminalSafeJson } from "./terminal-text.js";

/** A network-side command the network refused (World.command). */
export interface WorldRefusal {
  ok: false;
  reason: string;
  message: string;
}

/** The simulated world behind the accessory, when there is one. */
export interface World {
  /**
   * Runs a network-side command; returns false when it is not one, a refusal when the
   * network refused it (a service code answered NG). Throws Error("usage: ...") on bad arguments.
   */
  command(verb: string, args: string[], rest: string): boolean | WorldRefusal;
  help: string[];
  /**
   * Words that act on the simulated hardware itself (`hang`, `unhang`, `reboot`): they
   * never wait behind a firmware command, whose answer may be what they hold up.
   */
  hardware?: string[];
}

/** Commands that only look: answered from what the firmware knows, they wait behind no command. */
const LOOKS = ["status", "calls", "log", "inbox", "outbox", "help"];

/**
 * How command lines wait for each other, on the console and on each control socket
 * client. Lines run in the order read, each once the one before has answered, so a
 * script's `dial 110` then `hangup` hangs up the call it placed. But:
 * - `wait ...` holds every line after it: that is what it is for;
 * - a look (`status`, `calls`, `log`, `sms inbox`...) and the simulator's hardware words
 *   (`hang`, `unhang`, `reboot`) wait for no command, only for a `wait`;
 * - an emergency dial that waits for a silent modem (its `waiting` event) holds no line
 *   after it: it is kept until placed or cancelled, which may be never, so `hangup` must
 *   still reach it (README; principles 1 and 2 of DESIGN).
 */
export class CommandLines {
  /** What an ordinary line waits for: the previous ordinary line (or its release). */
  private ordered: Promise<unknown> = Promise.resolve();
  /** What every line waits for: the last `wait`. */
  private barrier: Promise<unknown> = Promise.resolve();
  /** Every line's answer, for `idle`. */
  private all: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly con: FirmwareConsole,
    private readonly origin?: unknown,
  ) {}

  /** Runs `text` in its turn (see above); resolves once it has answered. */
  push(text: string): Promise<unknown> {
    const con = this.con;
    const origin = this.origin;
    const kind = con.lineKind(text);
    let done: Promise<unknown>;
    if (kind === "look") {
      done = this.barrier.then(() => con.run(text, origin));
    } else if (kind === "wait") {
      done = this.ordered.then(() => con.run(text, origin));
      this.ordered = this.barrier = done;
    } else {
      const turn = this.ordered;
      let release: () => void = () => undefined;
      this.ordered = new Promise<void>((resolve) => (release = resolve));
      done = turn.then(() => {
        const off = con.onDialWaiting(release);
        return con.run(text, origin).finally(() => {
          off();
          release();
        });
      });
    }
    this.all = Promise.all([this.all, done]);
    return done;
  }

  /** Resolves once every line pushed so far has answered. */
  idle(): Promise<unknown> {
    return this.all;
  }
}

export interface ConsoleOptions {
  json: boolean;
  verbose: boolean;
  now: () => number;
  /**
   * What goes before a human line: the time since start (`[00:05.116]`, the
   * simulator's console), the wall-clock time (`--timestamps`), or nothing (a service:
   * journald adds the time).
   */
  stamps: "relative" | "wallclock" | "none";
  /** Where lines go (default: standard output). */
  print?: (line: string) => void;
  /** Colours for a person at a terminal (cli/output.ts decides); plain otherwise. */
  colour?: boolean;
}

/** Which lines stand out in colour on a terminal, by event name. */
function toneOf(l: ConsoleLine): Tone | undefined {
  if ("command" in l) return l.reply.ok ? undefined : "warn";
  if (/fail|error|closed|lock/i.test(l.event)) return "error";
  if (l.event === "incoming" || l.event === "callEnded") return "call";
  if (l.event === "identified" || l.event === "smsSent" || l.event === "smsReceived") return "good";
  if (l.event === "network" || l.event === "at") return "dim";
  return undefined;
}

/** One JSON line of the console and the control socket. */
export type ConsoleLine =
  | { t: number; event: string; data: unknown; text: string }
  | { t: number; command: string; reply: AnyReply; text: string };

export class FirmwareConsole {
  private readonly started: number;
  private readonly print: (line: string) => void;
  /** Everyone who wants the lines as data (control socket clients), with who asked for a reply. */
  private readonly taps: ((l: ConsoleLine, origin: unknown) => void)[] = [];
  /** Who waits for an emergency dial to start waiting for a silent modem (CommandLines). */
  private readonly dialWaiters: (() => void)[] = [];

  constructor(
    private readonly api: FirmwareApi,
    private readonly world: World | undefined,
    private readonly opts: ConsoleOptions,
  ) {
    this.started = opts.now();
    this.print = opts.print || ((l) => console.log(l));
    if (opts.verbose) api.trace(true);
    api.onAny((name, data) => this.event(name, data));
  }

  /**
   * Subscribes to every line as data; a reply comes with the `origin` its command was
   * run with (`run(text, origin)`), an event with none. Returns the unsubscribe.
   */
  tap(fn: (l: ConsoleLine, origin: unknown) => void): () => void {
    this.taps.push(fn);
    return () => {
      const i = this.taps.indexOf(fn);
      if (i >= 0) this.taps.splice(i, 1);
    };
  }

  private time(): number {
    return this.opts.now() - this.started;
  }

  /** Prints one line: JSON, or words with the time since start. */
  private out(l: ConsoleLine, origin?: unknown): void {
    for (const fn of this.taps.slice()) fn(l, origin);
    if (this.opts.json) {
      this.print(terminalSafeJson(JSON.stringify(l)));
      return;
    }
    // Text from the network never controls the terminal (terminal-text.ts); a reply of
    // several lines (help, a list) is printed as lines, the time before the first.
    const lines = "command" in l ? terminalLines(l.text) : [terminalSafe(l.text)];
    const text = lines[0];
    const more = lines.slice(1);
    if (this.opts.stamps === "none") {
      this.print(text);
      for (const m of more) this.print(m);
      return;
    }
    if (this.opts.stamps === "wallclock") {
      this.print(`${new Date().toISOString()} ${text}`);
      for (const m of more) this.print(m);
      return;
    }
    const t = l.t;
    const s = Math.floor(t / 1000);
    const stamp = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}.${String(t % 1000).padStart(3, "0")}`;
    // Colours are ours, added after the text was made safe.
    const colour = !!this.opts.colour;
    const tone = colour ? toneOf(l) : undefined;
    this.print(paint(colour, "dim", `[${stamp}]`) + " " + (tone ? paint(true, tone, text) : text));
    for (const m of more) this.print(tone ? paint(true, tone, m) : m);
  }

  /** An event of the API, or of the host around it (`start`, `stop`, `network`, `serial`). */
  event(name: ApiEventName | string, data: unknown, text?: string): void {
    const words = text !== undefined ? text : API_EVENTS.indexOf(name as ApiEventName) >= 0 ? describeEvent(name as ApiEventName, data) : name;
    if (name === "emergency" && data && (data as { phase?: string }).phase === "waiting") {
      for (const fn of this.dialWaiters.splice(0)) fn();
    }
    // An event that is no news to a person has no words: JSON readers still get it.
    if (words === "" && !this.opts.json) return;
    this.out({ t: this.time(), event: name, data: data === undefined ? null : data, text: words });
  }

  /** Calls `fn` once the next time an emergency dial waits for a silent modem; returns the unsubscribe. */
  onDialWaiting(fn: () => void): () => void {
    this.dialWaiters.push(fn);
    return () => {
      const i = this.dialWaiters.indexOf(fn);
      if (i >= 0) this.dialWaiters.splice(i, 1);
    };
  }

  /** How `text` waits for the lines before it (CommandLines). */
  lineKind(text: string): "look" | "wait" | "ordered" {
    const { verb, args } = splitLine(text);
    if (verb === "wait") return "wait";
    if (args.length === 0 && LOOKS.indexOf(verb) >= 0) return "look";
    if (verb === "sms" && args.length === 1 && (args[0] === "inbox" || args[0] === "outbox")) return "look";
    if (this.world && this.world.hardware && this.world.hardware.indexOf(verb) >= 0 && !findCommand(verb)) return "look";
    return "ordered";
  }

  /** Runs one command line and gives its reply (also printed; taps get it with `origin`). */
  async run(text: string, origin?: unknown): Promise<AnyReply> {
    const reply = await this.answer(text);
    this.out({ t: this.time(), command: text, reply, text: describeReply(text, reply) }, origin);
    return reply;
  }

  private async answer(text: string): Promise<AnyReply> {
    const { verb, args, rest } = splitLine(text);
    if (verb === "help") return { ok: true, help: this.help() };
    const reply = await runCommand(this.api, text);
    if (reply.ok || reply.reason !== "unknownCommand" || !this.world) return reply;
    try {
      const done = this.world.command(verb, args, rest);
      if (done === true) return { ok: true };
      if (done) return done;
    } catch (e) {
      return { ok: false, reason: "usage", message: (e as Error).message };
    }
    return reply;
  }

  private help(): string[] {
    return helpLines().concat(this.world ? this.world.help : [], ["quit"]);
  }

  /**
   * Reads command lines from `input` as they come, until `quit` or the end of input, and
   * runs each in its turn (CommandLines); then `ended` runs once every command has answered.
   */
  readCommands(input: Readable, ended: () => void): void {
    const rl = createInterface({ input, terminal: false });
    const lines = new CommandLines(this);
    rl.on("line", (raw) => {
      const text = raw.trim();
      if (!text || text.startsWith("#")) return;
      if (text === "quit" || text === "exit") {
        rl.close();
        return;
      }
      void lines.push(text);
    });
    rl.on("close", () => void lines.idle().then(ended));
  }
}
