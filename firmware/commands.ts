/**
 * Console lines onto the firmware API: `dial 110`, `sms send +8190... hello`,
 * `priority set`, `wait call active 30`. One table holds every command with its usage
 * and what it does, so the console (`npm start`, `sharedline run`), the control socket,
 * the watch's REPL and MQTT commands share the same words and the same help.
 *
 * Portable (Espruino). A line never throws: a wrong one answers
 * `{ ok: false, reason: "usage", message: "usage: ..." }`, an unknown verb `unknownCommand`.
 */
import type { FirmwareApi } from "./api.js";
import { CALL_WAIT_STATES, failure, type AnyReply, type CallWaitState } from "./api/types.js";

export interface CommandSpec {
  verb: string;
  /** The arguments, as help shows them. */
  usage: string;
  summary: string;
  /** `args`: the words after the verb; `rest`: the text after the verb as typed. */
  run: (api: FirmwareApi, args: string[], rest: string) => Promise<AnyReply> | string;
}

function usage(spec: string): string {
  return "usage: " + spec;
}

/** A time limit in seconds ("30", "2.5"), undefined when absent; NaN when not a number. */
function limitMs(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  const s = word.charAt(word.length - 1) === "s" ? word.substr(0, word.length - 1) : word;
  const n = Number(s);
  return s !== "" && n === n && n > 0 ? n * 1000 : NaN;
}

/** The text after the first `n` words of `rest`, spacing kept. */
function after(rest: string, n: number): string {
  let s = rest;
  for (let i = 0; i < n; i++) {
    s = s.replace(/^\s+/, "");
    let k = 0;
    while (k < s.length && " \t".indexOf(s.charAt(k)) < 0) k++;
    s = s.substr(k);
  }
  return s.replace(/^\s+/, "").replace(/\s+$/, "");
}

function send(api: FirmwareApi, to: string | undefined, body: string): Promise<AnyReply> | string {
  const report = / --report$/.test(body);
  const text = report ? body.substr(0, body.length - " --report".length) : body;
  if (!to || text === "") return usage("sms send <to> <text> [--report]");
  return api.sendSms(to, text, { statusReport: report });
}

function wait(api: FirmwareApi, args: string[]): Promise<AnyReply> | string {
  const what = args[0];
  if (what === "ready" || what === "incoming") {
    const ms = limitMs(args[1]);
    if (ms !== ms || args.length > 2) return usage("wait " + what + " [seconds]");
    return what === "ready" ? api.waitReady(ms) : api.waitIncoming(ms);
  }
  if (what === "call") {
    const ms = limitMs(args[2]);
    if (CALL_WAIT_STATES.indexOf(args[1] as CallWaitState) < 0 || ms !== ms || args.length > 3) {
      return usage("wait call " + CALL_WAIT_STATES.join("|") + " [seconds]");
    }
    return api.waitCall(args[1] as CallWaitState, ms);
  }
  return usage("wait ready|incoming|call <state> [seconds]");
}

/** Every command, in the order help lists them. */
export const COMMANDS: CommandSpec[] = [
  {
    verb: "dial",
    usage: "<number>",
    summary: "call a number; emergency numbers (110, 118, 119) always go through",
    run: (api, args) => (args.length === 1 ? api.dial(args[0]) : usage("dial <number>")),
  },
  { verb: "answer", usage: "", summary: "answer the incoming (or waiting) call", run: (api) => api.answer() },
  { verb: "reject", usage: "", summary: "decline the incoming call on every device, or the waiting call", run: (api) => api.reject() },
  {
    verb: "hangup",
    usage: "[call id]",
    summary: "end one call, or all; cancels a dial that waits for the modem",
    run: (api, args) => {
      if (args.length === 0) return api.hangup();
      const id = Number(args[0]);
      return args.length === 1 && id === Math.floor(id) && id > 0 ? api.hangup(id) : usage("hangup [call id]");
    },
  },
  { verb: "hold", usage: "", summary: "hold the active call, or swap active and held", run: (api) => api.hold() },
  {
    verb: "accept",
    usage: "hold|release",
    summary: "answer the waiting call, holding or ending the active one",
    run: (api, args) => (args[0] === "hold" || args[0] === "release" ? api.acceptWaiting(args[0]) : usage("accept hold|release")),
  },
  {
    verb: "dtmf",
    usage: "<tones>",
    summary: "send DTMF tones (0-9 * # A-D) on the active call",
    run: (api, args) => (args.length === 1 ? api.dtmf(args[0]) : usage("dtmf <tones>")),
  },
  {
    verb: "quiet",
    usage: "off|silence|reject",
    summary: "do not disturb for incoming calls",
    run: (api, args) => (args[0] === "off" || args[0] === "silence" || args[0] === "reject" ? api.quiet(args[0]) : usage("quiet off|silence|reject")),
  },
  { verb: "calls", usage: "", summary: "the calls now", run: (api) => api.calls() },
  { verb: "log", usage: "", summary: "the call log of this device", run: (api) => api.log() },
  { verb: "status", usage: "", summary: "modem, SIM, registration, signal, line, SMS priority", run: (api) => api.status() },
  {
    verb: "sms",
    usage: "send <to> <text> [--report] | inbox | outbox",
    summary: "send an SMS (stored, then sent), list received or sent ones",
    run: (api, args, rest) => {
      if (args[0] === "send") return send(api, args[1], after(rest, 2));
      if (args[0] === "inbox" && args.length === 1) return api.inbox();
      if (args[0] === "outbox" && args.length === 1) return api.outbox();
      return usage("sms send <to> <text> [--report] | sms inbox | sms outbox");
    },
  },
  { verb: "text", usage: "<to> <text> [--report]", summary: "the same as sms send", run: (api, args, rest) => send(api, args[0], after(rest, 1)) },
  { verb: "inbox", usage: "", summary: "the same as sms inbox", run: (api) => api.inbox() },
  { verb: "outbox", usage: "", summary: "the same as sms outbox", run: (api) => api.outbox() },
  {
    verb: "priority",
    usage: "[set|query|show|elsewhere <smartphone|this|other> [name]]",
    summary: "be the SMS priority device (*103*1#), ask the network (*#103#), show the last known (bare word), or take over another device's change (R82, no code sent)",
    run: (api, args, rest) => {
      const spec = "priority [set|query|show|elsewhere <smartphone|this|other> [name]]";
      if (args.length === 0) return api.priority();
      if (args[0] === "elsewhere") {
        const h = args[1];
        if (h !== "smartphone" && h !== "this" && h !== "other") return usage(spec);
        const name = after(rest, 2);
        return api.priorityChangedElsewhere(h, name === "" ? undefined : name);
      }
      if (args.length !== 1) return usage(spec);
      if (args[0] === "set") return api.prioritySet();
      if (args[0] === "query") return api.priorityQuery();
      if (args[0] === "show") return api.priority();
      return usage(spec);
    },
  },
  {
    verb: "unregistered",
    usage: "[reason]",
    summary: "the management unregistered this accessory (R15, R18): data stops until the network registers it again",
    run: (api, _args, rest) => api.managementUnregistered(rest === "" ? undefined : rest),
  },
  {
    verb: "code",
    usage: "<service code>",
    summary: "send an SMS priority code as typed (*103*1#, *#103#); no other codes",
    run: (api, args) => (args.length === 1 ? api.serviceCode(args[0]) : usage("code <service code>")),
  },
  {
    verb: "ussd",
    usage: "reply <text> | end",
    summary: "answer or decline a USSD request the network started",
    run: (api, args, rest) => {
      if (args[0] === "reply" && args.length > 1) return api.ussdReply(after(rest, 1));
      if (args[0] === "end" && args.length === 1) return api.ussdEnd();
      return usage("ussd reply <text> | ussd end");
    },
  },
  {
    verb: "pin",
    usage: "<code>",
    summary: "enter the SIM PIN when the SIM asks for it",
    run: (api, args) => (args.length === 1 ? api.pin(args[0]) : args.length === 2 ? api.pin(args[0], args[1]) : usage("pin <code> [new PIN after a PUK]")),
  },
  {
    verb: "location",
    usage: "<lat> <lon> [metres] | off",
    summary: "this device's position (degrees; GNSS or the app), sent with its emergency calls (R52)",
    run: (api, args) => {
      if (args.length === 1 && args[0] === "off") return api.setLocation(null);
      if (args.length < 2 || args.length > 3) return usage("location <lat> <lon> [metres] | off");
      return api.setLocation({ lat: Number(args[0]), lon: Number(args[1]), accuracyM: args.length === 3 ? Number(args[2]) : undefined, source: "app" });
    },
  },
  {
    verb: "wait",
    usage: "ready | incoming | call <state> [seconds]",
    summary: "wait (default 60 s) for bring-up, an incoming call, or a call state: " + CALL_WAIT_STATES.join(", "),
    run: (api, args) => wait(api, args),
  },
];

export function findCommand(verb: string): CommandSpec | undefined {
  for (let i = 0; i < COMMANDS.length; i++) if (COMMANDS[i].verb === verb) return COMMANDS[i];
  return undefined;
}

/** Splits a line into its verb, the words after it, and the text after the verb. */
export function splitLine(line: string): { verb: string; args: string[]; rest: string } {
  const text = line.replace(/^\s+/, "").replace(/\s+$/, "");
  const words = text === "" ? [] : text.split(/\s+/);
  const verb = words.length > 0 ? words[0] : "";
  return { verb: verb, args: words.slice(1), rest: text.substr(verb.length).replace(/^\s+/, "") };
}

/** The help table: one line per command. */
export function helpLines(): string[] {
  const out: string[] = [];
  for (let i = 0; i < COMMANDS.length; i++) {
    const c = COMMANDS[i];
    const head = c.verb + (c.usage ? " " + c.usage : "");
    let pad = "";
    for (let k = head.length; k < 44; k++) pad += " ";
    out.push(head + pad + " " + c.summary);
  }
  return out;
}

/**
 * Runs one console line against the API. `unknownCommand` for a verb that is not in
 * the table (front-ends may have commands of their own, the simulator's for example).
 */
export function runCommand(api: FirmwareApi, line: string): Promise<AnyReply> {
  const parts = splitLine(line);
  // Every front-end's "type help" leads here (the watch's sl("help") too).
  if (parts.verb === "help") return Promise.resolve({ ok: true, help: helpLines() } as AnyReply);
  const spec = findCommand(parts.verb);
  if (!spec) return Promise.resolve(failure("unknownCommand", "unknown command '" + parts.verb + "'; type help"));
  let r: Promise<AnyReply> | string;
  try {
    r = spec.run(api, parts.args, parts.rest);
  } catch (e) {
    return Promise.resolve(failure("failed", e instanceof Error ? e.message : String(e)));
  }
  if (typeof r === "string") return Promise.resolve(failure("usage", r));
  return r;
}
