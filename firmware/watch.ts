/**
 * The watch's own code in control: what a device running the firmware offers its app
 * code and its console (Espruino's REPL), portable so that Node tests drive it too.
 *
 * - `sharedline` (a global on the watch, set up by hal/espruino/boot.ts): the firmware
 *   for app code. Calls: `answer()`, `reject()`, `hangup(id?)`, `dial(number)`,
 *   `calls()`; SMS: `send(to, text)`, `inbox()`; priority: `priority()` (last known
 *   state), `setPriority()` (`*103*1#`), `serviceCode(code)`; `quiet(on)`; and
 *   `on(event, fn)` for `incoming` (a call rings: show the incoming-call screen),
 *   `callChanged`, `callEnded`, `lineState`, `sms` (a message reached the inbox),
 *   `priority`, `log`. `command(line)` runs one console text command.
 * - Console words: `answer`, `reject`, `hangup`, `calls`, `inbox`, `status`,
 *   `priority` typed bare at the REPL run the text command of that name (they are
 *   getters on the global object), and `sl("dial 110")` / `sl("text +8190... hi")` run
 *   any text command (`sl("help")` lists them).
 * - One console line per event (modem state, incoming call, call ended, SMS received,
 *   priority changed, the firmware's own log lines) unless quiet.
 *
 * Written to stay small in the watch's heap (espruino-facts.md: Memory): one object with
 * prototype methods, one closure per event source, the text-command table as a string.
 */
import type { Firmware } from "./main.js";
import type { ActionResult } from "./line/line.js";
import type { Call } from "./line/call.js";

/** What the device gives the watch surface. */
export interface WatchHost {
  /** One console line. */
  print(line: string): void;
}

/** Event names of `on`, and where each comes from. */
const SOURCES: { [event: string]: [string, string] } = {
  incoming: ["line", "incoming"],
  callChanged: ["line", "callChanged"],
  callEnded: ["line", "callEnded"],
  lineState: ["line", "lineState"],
  sms: ["messaging", "received"],
  priority: ["messaging", "priority"],
  log: ["", "log"],
};

/** The console's text commands (verb and usage), one string rather than an array of objects. */
const HELP =
  "dial <number>|answer|reject|hangup [call]|calls|status|text <to> <message>|inbox|priority [set|query]|code <service code>|quiet on|off|help";

function callText(c: Call): string {
  return "call " + c.id + " " + c.direction + " " + (c.number || "(withheld)") + " " + c.status;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The watch surface over one firmware; `installWatch` makes it and prints events. */
export class Watch {
  private silent = false;

  constructor(
    readonly fw: Firmware,
    private readonly host: WatchHost,
  ) {}

  /** Subscribes `fn` to an event (see the file comment); returns the unsubscribe. */
  on(event: string, fn: (payload: unknown) => void): () => void {
    const src = Object.prototype.hasOwnProperty.call(SOURCES, event) ? SOURCES[event] : undefined;
    if (!src) throw new Error("unknown event '" + event + "' (known: " + Object.keys(SOURCES).join(", ") + ")");
    const fw = this.fw as unknown as { [k: string]: { events: { on(e: string, f: (p: unknown) => void): () => void } } };
    const emitter = src[0] === "" ? (this.fw.events as unknown as { on(e: string, f: (p: unknown) => void): () => void }) : fw[src[0]].events;
    return emitter.on(src[1], fn);
  }

  answer(): Promise<ActionResult> {
    return this.fw.line.answer();
  }

  reject(): Promise<ActionResult> {
    return this.fw.line.reject();
  }

  hangup(callId?: number): Promise<ActionResult> {
    return this.fw.line.hangup(callId);
  }

  dial(number: string): Promise<ActionResult> {
    return this.fw.line.dial(number);
  }

  calls(): Call[] {
    return this.fw.line.current();
  }

  send(to: string, text: string): Promise<number> {
    return this.fw.messaging.send(to, text);
  }

  inbox(): Promise<{ id: number; from: string; text: string }[]> {
    return this.fw.messaging.inbox();
  }

  priority(): { holder: string } {
    return this.fw.messaging.priorityState();
  }

  setPriority(): Promise<{ ok: boolean; message: string }> {
    return this.fw.messaging.setPriority();
  }

  serviceCode(code: string): Promise<{ ok: boolean; message: string }> {
    return this.fw.messaging.serviceCode(code);
  }

  /** Quiet: no console line per event. */
  quiet(on: boolean): void {
    this.silent = on;
  }

  isQuiet(): boolean {
    return this.silent;
  }

  /** Prints `line` unless quiet. */
  say(line: string): void {
    if (!this.silent) this.host.print(line);
  }

  /**
   * Runs one text command and prints its result line (always, quiet or not: it was
   * asked for). Resolves when the command is done; never rejects.
   */
  command(text: string): Promise<void> {
    const host = this.host;
    const words = String(text).trim().split(" ");
    const verb = words[0];
    const arg = words.length > 1 ? words[1] : "";
    const rest = words.slice(2).join(" ");
    const act = function (what: string, p: Promise<ActionResult>): Promise<void> {
      return p.then(function (r) {
        host.print(what + ": " + (r.ok ? "ok" : r.message));
      });
    };
    const said = function (what: string, p: Promise<{ message: string }>): Promise<void> {
      return p.then(function (r) {
        host.print(what + ": " + r.message);
      });
    };
    let run: Promise<void>;
    try {
      if (verb === "dial" && arg) run = act("dial " + arg, this.dial(arg));
      else if (verb === "answer") run = act("answer", this.answer());
      else if (verb === "reject") run = act("reject", this.reject());
      else if (verb === "hangup") run = act("hangup", this.hangup(arg ? Number(arg) : undefined));
      else if (verb === "calls") {
        const c = this.calls();
        host.print(c.length ? c.map(callText).join("; ") : "no calls");
        run = Promise.resolve();
      } else if (verb === "status") {
        const st = this.fw.modem.status();
        const reg = st.eps || st.cs;
        host.print("modem " + st.state.name + "; registration " + (reg ? reg.stat : "?") + "; line " + this.fw.line.lineState() + "; SMS priority: " + this.fw.messaging.priorityText());
        run = Promise.resolve();
      } else if (verb === "text" && arg && rest) {
        run = this.send(arg, rest).then(function (id) {
          host.print("text: stored as SMS " + id + ", sending");
        });
      } else if (verb === "inbox") {
        run = this.inbox().then(function (all) {
          host.print(
            all.length
              ? all
                  .map(function (m) {
                    return m.id + ": " + m.from + ": " + m.text;
                  })
                  .join("\n")
              : "inbox empty",
          );
        });
      } else if (verb === "priority" && arg === "set") run = said("priority set", this.setPriority());
      else if (verb === "priority" && arg === "query") run = said("priority query", this.fw.messaging.queryPriority());
      else if (verb === "priority" && !arg) {
        host.print("SMS priority: " + this.fw.messaging.priorityText());
        run = Promise.resolve();
      } else if (verb === "code" && arg) run = said("code " + arg, this.serviceCode(arg));
      else if (verb === "quiet" && (arg === "on" || arg === "off")) {
        this.quiet(arg === "on");
        host.print("quiet: " + arg);
        run = Promise.resolve();
      } else {
        host.print((verb === "help" ? "" : "unknown or incomplete command '" + text + "'; ") + "commands: " + HELP);
        run = Promise.resolve();
      }
    } catch (e) {
      run = Promise.reject(e);
    }
    return run.then(undefined, function (e: unknown) {
      host.print(verb + ": " + errText(e));
    });
  }
}

/** The bare words the console offers (getters on the device's global object). */
export const CONSOLE_WORDS = ["answer", "reject", "hangup", "calls", "inbox", "status", "priority"];

/** Builds the watch surface and prints one line per event unless quiet. */
export function installWatch(fw: Firmware, host: WatchHost, quiet: boolean): Watch {
  const w = new Watch(fw, host);
  w.quiet(quiet);
  fw.events.on("log", function (l) {
    w.say(l);
  });
  fw.modem.events.on("state", function (st) {
    w.say("modem: " + st.name);
  });
  fw.line.events.on("incoming", function (c) {
    w.say((c.status === "waiting" ? "call waiting" : "incoming call") + " from " + (c.number || "a withheld number"));
  });
  fw.line.events.on("callEnded", function (c) {
    w.say("call " + c.id + " ended" + (c.end ? ": " + c.end.message : ""));
  });
  fw.messaging.events.on("received", function (m) {
    w.say("SMS " + m.id + " from " + m.from + ": " + m.text);
  });
  fw.messaging.events.on("priority", function () {
    w.say("SMS priority: " + fw.messaging.priorityText());
  });
  return w;
}
