/**
 * The firmware console of `sharedline start` / `sharedline run`: prints what the
 * firmware does (human lines, or one JSON object per line with `--json`) and reads one
 * command per line from standard input, typed by a person or piped by a script.
 *
 * Accessory commands act through the firmware exactly as a watch's buttons would.
 * Network commands exist only on the in-process simulator and play the other parties.
 */
import { createInterface } from "node:readline";
import type { Firmware } from "../firmware/main.js";
import type { Call } from "../firmware/line/call.js";
import type { ActionResult } from "../firmware/line/line.js";
import { paint, type Tone } from "./output.js";

/** The simulated world behind the accessory, when there is one. */
export interface World {
  /** Runs a network-side command; returns false when it is not one. Throws Error("usage: ...") on bad arguments. */
  command(verb: string, args: string[], rest: string): boolean;
  help: string[];
}

export interface ConsoleOptions {
  json: boolean;
  verbose: boolean;
  now: () => number;
  /** Colours for a person at a terminal (cli/output.ts decides); plain otherwise. */
  colour?: boolean;
}

/** Which events stand out in colour on a terminal. */
function toneOf(source: string, event: string): Tone | undefined {
  if (event === "error" || event === "sendFailed" || event === "simLock" || event === "closed") return "error";
  if (source === "line" && (event === "incoming" || event === "callEnded")) return "call";
  if (event === "identified" || event === "sent" || event === "received") return "good";
  if (source === "at" || source === "network") return "dim";
  return undefined;
}

export class FirmwareConsole {
  private readonly started: number;
  constructor(
    private readonly fw: Firmware,
    private readonly world: World | undefined,
    private readonly opts: ConsoleOptions,
  ) {
    this.started = opts.now();
    this.subscribe();
  }

  /** One event: a human line, or a JSON object with the same content. */
  emit(source: string, event: string, text: string, data?: unknown): void {
    const t = this.opts.now() - this.started;
    if (this.opts.json) {
      console.log(JSON.stringify({ t, source, event, text, data }));
      return;
    }
    const s = Math.floor(t / 1000);
    const stamp = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}.${String(t % 1000).padStart(3, "0")}`;
    const tone = this.opts.colour ? toneOf(source, event) : undefined;
    console.log(paint(!!this.opts.colour, "dim", `[${stamp}]`) + " " + (tone ? paint(true, tone, text) : text));
  }

  private subscribe(): void {
    const fw = this.fw;
    const m = fw.modem.events;
    m.on("state", (s) => this.emit("modem", "state", `modem: ${s.name}${s.lastError ? ` (${s.lastError})` : ""}`, s));
    m.on("identified", (i) => {
      this.emit("modem", "identified", `modem identified: ${i.manufacturer} ${i.model}, firmware ${i.revision}, IMEI ${i.imei}`, i);
      this.emit("modem", "sim", `SIM ready: IMSI ${i.imsi || "?"}, ICCID ${i.iccid || "?"}`, { imsi: i.imsi, iccid: i.iccid });
    });
    m.on("registration", (r) =>
      this.emit("modem", "registration", `${r.domain === "eps" ? "LTE" : "CS"}: ${REG_WORDS[r.stat] || r.stat}${r.area ? `, area ${r.area} cell ${r.cell}` : ""}`, r),
    );
    m.on("signal", (s) => this.emit("modem", "signal", `signal: ${s.rssiDbm === undefined ? "unknown" : s.rssiDbm + " dBm"}`, s));
    m.on("operator", (o) => this.emit("modem", "operator", `operator: ${o.name || "none"}`, o));
    m.on("simLock", (l) => {
      if (l.state === "READY") return;
      const left = l.triesLeft === undefined ? "" : ` (${l.triesLeft} ${l.triesLeft === 1 ? "try" : "tries"} left)`;
      this.emit("modem", "simLock", l.refused ? `SIM: ${l.refused}` : `SIM: the SIM asks for its ${l.state === "SIM PUK" ? "PUK" : "PIN"}${left}`, l);
    });
    m.on("emergencyNumbers", (l) => this.emit("modem", "emergencyNumbers", `emergency numbers from the network: ${l.join(", ")}`, l));
    fw.events.on("log", (l) => this.emit("firmware", "log", l));
    const line = fw.line.events;
    line.on("incoming", (c) =>
      this.emit("line", "incoming", `${c.status === "waiting" ? "call waiting" : "incoming call"} from ${c.number || "a withheld number"}${fw.line.silenced() ? " (silenced)" : ""}`, c),
    );
    line.on("callChanged", (c) => this.emit("line", "call", `call ${c.id} ${c.direction} ${c.number || "(withheld)"}: ${c.status}`, c));
    line.on("callEnded", (c) =>
      this.emit("line", "callEnded", `call ${c.id} with ${c.number || "(withheld)"} ended: ${c.end!.message}${c.end!.cause !== undefined ? ` (cause ${c.end!.cause})` : ""}`, c),
    );
    line.on("lineState", (s) => this.emit("line", "lineState", `line: ${LINE_WORDS[s]}`, s));
    const msg = fw.messaging.events;
    msg.on("received", (m) =>
      this.emit("sms", "received", `SMS from ${m.from} (${m.time}${m.parts > 1 ? `, ${m.parts} parts` : ""}): ${m.text}`, m),
    );
    msg.on("sent", (m) => this.emit("sms", "sent", `SMS ${m.id} to ${m.to} sent`, m));
    msg.on("sendFailed", (m) => this.emit("sms", "sendFailed", `SMS ${m.id} to ${m.to} failed: ${m.error}`, m));
    msg.on("statusReport", (r) => this.emit("sms", "statusReport", `status report for SMS ${r.id === null ? "?" : r.id} to ${r.to}`, r));
    msg.on("priority", () => this.emit("sms", "priority", `SMS priority: ${fw.messaging.priorityText()}`, fw.messaging.priorityState()));
    fw.channel.events.on("unsolicited", (l) => this.emit("modem", "unsolicited", `modem says: ${l}`, l));
    fw.channel.events.on("overflow", (n) => this.emit("modem", "overflow", `modem sent an over-long line (${n} bytes), dropped`, n));
    if (this.opts.verbose) {
      fw.channel.events.on("tx", (b) => this.emit("at", "tx", `AT> ${JSON.stringify(b)}`, b));
      fw.channel.events.on("rx", (l) => this.emit("at", "rx", `AT< ${l}`, l));
    }
  }

  /** Reads commands until `quit` or the end of input; `stop` ends the program. */
  readCommands(stop: () => void): void {
    const interactive = !!process.stdin.isTTY;
    const rl = createInterface({ input: process.stdin, terminal: false });
    let pending: Promise<unknown> = Promise.resolve();
    rl.on("line", (raw) => {
      const text = raw.trim();
      if (!text || text.startsWith("#")) return;
      if (text === "quit" || text === "exit") {
        rl.close();
        return;
      }
      // Commands run one after another, as typed.
      pending = pending.then(() => this.run(text));
    });
    rl.on("close", () => {
      // A script's last command finishes, then the program ends; a person's Ctrl-D ends at once.
      void pending.then(() => (interactive ? stop() : setTimeout(stop, 1500)));
    });
  }

  private help(): string {
    return [
      "accessory: dial <number> | answer | reject | hangup [call] | hold | accept hold|release | dtmf <tones> | quiet off|silence|reject | calls | log | status",
      "accessory SMS: text <to> <message> [--report] | inbox | outbox | priority set|query|show | code <service code>",
    ]
      .concat(this.world ? this.world.help : [])
      .concat(["quit"])
      .join("\n  ");
  }

  private async run(text: string): Promise<void> {
    const [verb, ...args] = text.split(/\s+/);
    const rest = text.slice(verb.length).trim();
    const line = this.fw.line;
    const report = (what: string, r: ActionResult) =>
      this.emit("console", "result", r.ok ? `${what}: ok` : `${what}: ${r.message}`, r.ok ? { ok: true, call: r.call ? r.call.id : undefined } : r);
    try {
      switch (verb) {
        case "help":
          this.emit("console", "help", this.help());
          return;
        case "dial":
          if (!args[0]) throw new Error("usage: dial <number>");
          report(`dial ${args[0]}`, await line.dial(args[0]));
          return;
        case "answer":
          report("answer", await line.answer());
          return;
        case "reject":
          report("reject", await line.reject());
          return;
        case "hangup":
          report("hangup", await line.hangup(args[0] ? Number(args[0]) : undefined));
          return;
        case "hold":
          report("hold", await line.holdOrSwap());
          return;
        case "accept":
          if (args[0] !== "hold" && args[0] !== "release") throw new Error("usage: accept hold|release");
          report(`accept (${args[0]})`, await line.acceptWaiting(args[0]));
          return;
        case "dtmf":
          report(`dtmf ${args[0] || ""}`, await line.dtmf(args[0] || ""));
          return;
        case "quiet":
          if (args[0] !== "off" && args[0] !== "silence" && args[0] !== "reject") throw new Error("usage: quiet off|silence|reject");
          line.setQuiet(args[0]);
          this.emit("console", "result", `quiet: ${args[0]}`);
          return;
        case "calls":
          this.emit("console", "calls", line.current().length ? line.current().map(describeCall).join("; ") : "no calls", line.current());
          return;
        case "log":
          this.emit(
            "console",
            "log",
            line.log.list().length
              ? line.log
                  .list()
                  .map((e) => `${e.direction} ${e.number || "(withheld)"} ${e.outcome}${e.durationMs ? ` ${Math.round(e.durationMs / 1000)} s` : ""}`)
                  .join("; ")
              : "call log empty",
            line.log.list(),
          );
          return;
        case "status": {
          const st = this.fw.modem.status();
          const reg = st.eps || st.cs;
          this.emit(
            "console",
            "status",
            `modem ${st.state.name}; ${st.info.manufacturer} ${st.info.model}; registration ${reg ? reg.stat : "?"}; signal ${st.signal && st.signal.rssiDbm !== undefined ? st.signal.rssiDbm + " dBm" : "?"}; operator ${st.operator && st.operator.name ? st.operator.name : "?"}; line ${LINE_WORDS[line.lineState()]}`,
            st,
          );
          return;
        }
        case "text": {
          if (args.length < 2) throw new Error("usage: text <to> <message> [--report]");
          const report = rest.endsWith(" --report");
          const body = rest.slice(args[0].length).replace(/ --report$/, "").trim();
          const m = this.fw.messaging;
          try {
            const id = await m.send(args[0], body, { statusReport: report });
            this.emit("console", "result", `text: stored as SMS ${id}, sending`, { ok: true, id });
          } catch (e) {
            this.emit("console", "result", `text: ${(e as Error).message}`, { ok: false, message: (e as Error).message });
          }
          return;
        }
        case "inbox": {
          const all = await this.fw.messaging.inbox();
          this.emit("console", "inbox", all.length ? all.map((m) => `${m.id}: ${m.from}: ${m.text}`).join("\n  ") : "inbox empty", all);
          return;
        }
        case "outbox": {
          const all = (await this.fw.messaging.outbox()).concat(await this.fw.messaging.sentHistory());
          this.emit("console", "outbox", all.length ? all.map((m) => `${m.id}: to ${m.to}: ${m.text}${m.error ? ` (${m.error})` : ""}`).join("\n  ") : "nothing sent", all);
          return;
        }
        case "priority": {
          const m = this.fw.messaging;
          if (args[0] === "show") {
            this.emit("console", "priority", `SMS priority: ${m.priorityText()}`, m.priorityState());
            return;
          }
          if (args[0] !== "set" && args[0] !== "query") throw new Error("usage: priority set|query|show");
          const r = await (args[0] === "set" ? m.setPriority() : m.queryPriority());
          this.emit("console", "result", `priority ${args[0]}: ${r.message}`, r);
          return;
        }
        case "code": {
          if (!args[0]) throw new Error("usage: code <service code>");
          const r = await this.fw.messaging.serviceCode(args[0]);
          this.emit("console", "result", `code ${args[0]}: ${r.message}`, r);
          return;
        }
        default:
          if (this.world && this.world.command(verb, args, rest)) return;
          this.emit("console", "error", `unknown command '${verb}'; type help`);
      }
    } catch (e) {
      this.emit("console", "error", (e as Error).message);
    }
  }
}

function describeCall(c: Call): string {
  return `call ${c.id} ${c.direction} ${c.number || "(withheld)"} ${c.status}${c.emergency ? " (emergency)" : ""}`;
}

const REG_WORDS: { [stat: string]: string } = {
  home: "registered (home)",
  roaming: "registered (roaming)",
  searching: "searching for a network",
  denied: "registration denied",
  "not-registered": "not registered",
  unknown: "registration unknown",
  "emergency-only": "emergency calls only",
};

const LINE_WORDS: { [s: string]: string } = {
  idle: "idle",
  ringingHere: "ringing here",
  inCallHere: "in a call here",
  inUseElsewhere: "in use on another device",
  emergency: "emergency call",
};
