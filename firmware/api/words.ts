/**
 * The API's events and replies in words, for front-ends that show them to people (the
 * console, the watch's screen and REPL). Text that comes from the network (numbers,
 * SMS bodies, names, answers) is shown with control characters escaped, so that an SMS
 * carrying `ESC [2J` or an OSC title sequence cannot act on the terminal that shows it.
 *
 * Portable (Espruino).
 */
import type { AnyReply, ApiEventName, CallInfo } from "./types.js";
import { anotherLine } from "../line/same-line.js";
import { hasText } from "../../hal/text.js";
import { describePriority } from "../messaging/describe.js";

function hex2(n: number): string {
  return (n < 16 ? "0" : "") + n.toString(16);
}

/** `text` with C0/C1 control characters and DEL written as escapes (`\x1b`, `\n`). */
export function shown(value: string): string {
  const text = value === undefined || value === null ? "" : String(value);
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c <= 0x9f)) out += text.charAt(i);
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else out += "\\x" + hex2(c);
  }
  return out;
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

export const LINE_WORDS: { [s: string]: string } = {
  idle: "idle",
  ringingHere: "ringing here",
  inCallHere: "in a call here",
  inUseElsewhere: "in use on another device",
  emergency: "emergency call",
};

/** `AT+CPIN?` answers (27.007 §8.3), and "SIM NOT INSERTED" for +CME ERROR: 10. */
const SIM_WORDS: { [s: string]: string } = {
  READY: "ready",
  "SIM PIN": "asks for its PIN",
  "SIM PUK": "asks for its PUK",
  "SIM NOT INSERTED": "not inserted",
};

const EMERGENCY_WORDS: { [phase: string]: string } = {
  requested: "requested, going out first",
  placed: "placed",
  retrying: "dialled again",
  waiting: "waiting for the modem to answer",
  ended: "ended",
};

function who(n: string): string {
  return n ? shown(n) : "(withheld)";
}

/**
 * The caller's name (+CNAP), the number called (+CDIP), and for an outgoing call that
 * another line answered (+COLP: forwarded), who did, as they add to a call's line.
 */
function extras(c: { number?: string; name?: string; calledNumber?: string; connectedNumber?: string }): string {
  const forwarded = c.connectedNumber && anotherLine(c.number || "", c.connectedNumber);
  return (c.name ? " (" + shown(c.name) + ")" : "") + (c.calledNumber ? " to " + shown(c.calledNumber) : "") + (forwarded ? " (answered by " + shown(c.connectedNumber!) + ")" : "");
}

export function describeCall(c: CallInfo): string {
  return "call " + c.id + " " + c.direction + " " + who(c.number) + extras(c) + " " + c.status + (c.emergency ? " (emergency)" : "");
}

function ended(c: CallInfo): string {
  const e = c.end;
  const why = e ? e.message + (e.cause !== undefined && e.cause !== null ? " (cause " + e.cause + ")" : "") : "ended";
  return "call " + c.id + " with " + who(c.number) + " ended: " + why;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = any;

/** One event as a line for people. */
export function describeEvent(name: ApiEventName, d: Data): string {
  switch (name) {
    case "incoming":
      return (d.status === "waiting" ? "call waiting" : "incoming call") + " from " + (d.number ? shown(d.number) : "a withheld number") + extras(d);
    case "callChanged":
      return "call " + d.id + " " + d.direction + " " + who(d.number) + ": " + d.status + (d.direction === "outgoing" ? extras({ number: d.number, connectedNumber: d.connectedNumber }) : "");
    case "callEnded":
      return ended(d);
    case "lineState":
      return "line: " + (LINE_WORDS[d.state] || d.state);
    case "logged":
      return "call log: " + d.direction + " " + who(d.number) + " " + d.outcome;
    case "smsReceived":
      return "SMS from " + shown(d.from) + " (" + shown(d.time) + (d.parts > 1 ? ", " + d.parts + " parts" : "") + "): " + shown(d.text);
    case "smsSent":
      return "SMS " + d.id + " to " + shown(d.to) + " sent";
    case "smsFailed":
      return "SMS " + d.id + " to " + shown(d.to) + " failed: " + shown(d.error);
    case "statusReport":
      return "status report for SMS " + (d.id === null ? "?" : d.id) + " to " + shown(d.to) + ": " + d.category + (d.delivered ? "" : " (TP-ST " + d.status + ")");
    case "priority":
      return "SMS priority: " + shown(d.text);
    case "modemState":
      return "modem: " + d.name + (d.lastError ? " (" + shown(d.lastError) + ")" : "");
    case "identified":
      return "modem identified: " + shown(d.manufacturer + " " + d.model) + ", firmware " + shown(d.revision) + ", IMEI " + shown(d.imei) + "; SIM IMSI " + shown(d.imsi || "?") + ", ICCID " + shown(d.iccid || "?");
    case "registration":
      return (d.domain === "eps" ? "LTE" : "CS") + ": " + (REG_WORDS[d.stat] || d.stat) + (d.area ? ", area " + d.area + " cell " + d.cell : "");
    case "signal":
      return "signal: " + (d.rssiDbm === undefined ? "unknown" : d.rssiDbm + " dBm");
    case "operator":
      return "operator: " + shown(d.name || "none");
    case "emergencyNumbers":
      return "emergency numbers from the network: " + d.numbers.join(", ");
    case "ready":
      return "ready";
    case "log":
      return shown(d.text);
    case "storage":
      return d.ok ? "storage works again" : "storage failing: " + shown(d.message);
    case "unsolicited":
      return "modem says: " + shown(d.line);
    case "overflow":
      return "modem sent an over-long line (" + d.bytes + " bytes), dropped";
    case "at":
      return (d.dir === "tx" ? "AT> " : "AT< ") + JSON.stringify(d.data);
    case "position":
      return "position " + (d.given === "location" ? "given to the network" : "not given to the network: " + shown(d.reason));
    case "emergency":
      if (d.message) return "emergency call " + d.callId + ": " + (d.phase === "waiting" ? "waiting: " : d.phase + ": ") + d.message;
      return "emergency call " + d.callId + ": " + EMERGENCY_WORDS[d.phase] + (d.attempts > 1 ? " (attempt " + d.attempts + ")" : "");
    case "adopted":
      return "call " + d.id + " with " + who(d.number) + " was still up on the modem: taken over (" + d.status + ")";
    case "service":
      return shown(d.message);
    case "simLock":
      if (d.state === "READY") return "SIM unlocked";
      return "the SIM asks for its " + (d.state === "SIM PUK" ? "PUK" : "PIN") + (d.triesLeft === null ? "" : " (" + d.triesLeft + (d.triesLeft === 1 ? " try" : " tries") + " left)") + (d.refused ? ": " + shown(d.refused) : "");
    case "activation":
      // Only news for a person (how to register, a new profile); "" for the rest, which a
      // console does not print (active / not active is the service event's sentence).
      return d.said ? shown(d.said) : "";
    case "data":
      return "data: " + d.state + (d.address ? " " + shown(d.address) : "") + (d.reason ? " (" + shown(d.reason) + ")" : "");
    case "companion":
      return "companion link: " + (d.online ? "online" : d.state);
    case "networkUssd":
      return "the network says: " + shown(d.text) + (d.replyExpected ? "  (answer: ussd reply <text> | ussd end)" : "");
    default:
      return String(name);
  }
}

function list<T>(items: T[], one: (x: T) => string, none: string): string {
  if (items.length === 0) return none;
  const out: string[] = [];
  for (let i = 0; i < items.length; i++) out.push(one(items[i]));
  return out.join("\n  ");
}

/** A command's reply as a line for people: `<command>: ok`, its data, or its message. */
export function describeReply(command: string, r: AnyReply): string {
  if (!r.ok) return command + ": " + shown(r.message);
  const verb = command.split(" ")[0];
  const d = r as Data;
  if (d.help) return "  " + d.help.map(shown).join("\n  ");
  if (verb === "calls") return list(d.calls, describeCall, "no calls");
  if (verb === "log") {
    return list(d.entries, function (e: Data) {
      return e.direction + " " + who(e.number) + " " + e.outcome + (e.durationMs ? " " + Math.round(e.durationMs / 1000) + " s" : "");
    }, "call log empty");
  }
  if (verb === "inbox" || (verb === "sms" && hasText(command, "inbox"))) {
    return list(d.messages, function (m: Data) {
      return m.id + ": " + shown(m.from) + ": " + shown(m.text);
    }, "inbox empty");
  }
  if (verb === "outbox" || (verb === "sms" && hasText(command, "outbox"))) {
    return list(d.pending.concat(d.sent), function (m: Data) {
      return m.id + ": to " + shown(m.to) + ": " + shown(m.text) + " (" + m.state + (m.error ? ": " + shown(m.error) : "") + ")";
    }, "nothing sent");
  }
  if (d.id !== undefined && (verb === "sms" || verb === "text")) return command.split(" ").slice(0, 2).join(" ") + ": stored as SMS " + d.id + ", sending";
  if (verb === "ussd" && d.text !== undefined) return "the network says: " + shown(d.text) + (d.replyExpected ? " (it waits for an answer)" : "");
  if (verb === "status") {
    const reg = d.eps || d.cs;
    const model = shown(d.info.manufacturer + " " + d.info.model).trim();
    // Right after bring-up the first reports may still be on their way: said as such, not "?".
    const unknown = "not known yet";
    return (
      "modem " + d.modem.name + (model ? "; " + model : "") + "; SIM " + (d.sim ? SIM_WORDS[d.sim] || shown(d.sim) : "not read yet") +
      "; registration " + (reg ? reg.stat : unknown) +
      "; signal " + (d.signal && d.signal.rssiDbm !== undefined ? d.signal.rssiDbm + " dBm" : unknown) +
      "; operator " + (d.operator && d.operator.name ? shown(d.operator.name) : unknown) + "; line " + (LINE_WORDS[d.line] || d.line) +
      "; SMS priority " + describePriority(d.priority)
    );
  }
  if (d.priority !== undefined) return "SMS priority: " + shown(d.text) + (d.message ? " (" + shown(d.message) + ")" : "");
  // The call as the command found it: its new state is the next event, so none is said here.
  if (d.call && verb !== "dial") return command + ": ok, call " + d.call.id + " " + d.call.direction + " " + who(d.call.number);
  if (d.call) return command + ": ok, " + describeCall(d.call);
  return command + ": ok";
}
