/**
 * The SMS priority device (優先受信端末, SPEC R68–R71, R77–R82) as this accessory sees it.
 *
 * - `*103*1#` makes this accessory the priority device; it is sent from here (R69).
 * - `*103*0#` makes the smartphone the priority device and must come from the smartphone:
 *   it is refused here, with a sentence saying so, before anything reaches the modem.
 * - `*#103#` asks which device has priority.
 * - Answers (R80–R81): a state token first, `103*7*0#` (the smartphone) or `103*7*1#` (an
 *   accessory), then a readable part: `smartphone`, `this accessory`, or
 *   `another accessory: <name>`; a refusal is `NG: <reason>`.
 * - The last known state is kept in Storage and shown (R82), whether it came from a code
 *   sent here, from a query, or from the companion link when it changed on another
 *   device (`priorityChanged`). A code without an answer keeps it and says "no answer
 *   from the network" (R81).
 * - Boards without native SMS refuse all of it (R71: service codes do nothing there).
 *
 * The cold module `sl.prio` on the watch (tools/bundle.ts COLD_MODULES), with the USSD
 * runner (ussd.ts): plain functions over the hot state (state.ts); the state itself
 * (`s.prio`) and describePriority (describe.ts) stay in the boot code.
 */
import { smsRefusal } from "./capability.js";
import { describePriority } from "./describe.js";
import { errorText, messagingError } from "./errors.js";
import type { SmsHost } from "./state.js";
import { KEY } from "./store.js";
import { endCode, hear, parseCusd, replyCode, runCode, type CodeAnswer } from "./ussd.js";

/** Who has priority: the smartphone, this accessory, another accessory, an accessory the answer did not name, or not known. */
export type PriorityHolder = "smartphone" | "this" | "other" | "accessory" | "unknown";

export interface PriorityState {
  holder: PriorityHolder;
  /** The other accessory's friendly name ("" when not `other` or not given). */
  name: string;
  /** Where the state came from. */
  source: "none" | "set" | "query" | "companion" | "network";
  /** The network's answer as it came ("" when none). */
  answer: string;
  /** When it was learned (clock ms; 0 never). */
  at: number;
}

export type PriorityFailure = "capability" | "refused-locally" | "bad-code" | "refused" | "no-answer" | "unreadable" | "failed";

/** What `setPriority`, `queryPriority` and `serviceCode` give back; never a rejection. */
export type PriorityResult =
  | { ok: true; state: PriorityState; message: string }
  | { ok: false; reason: PriorityFailure; message: string; state: PriorityState };

/** R77 codes. */
export const CODES = { accessory: "*103*1#", smartphone: "*103*0#", query: "*#103#" };

export type ParsedAnswer = { kind: "state"; holder: PriorityHolder; name: string } | { kind: "ng"; reason: string } | { kind: "unreadable" };

function after(text: string, start: number): string {
  let s = text.substr(start);
  while (s.length > 0 && " :,-\t".indexOf(s.charAt(0)) >= 0) s = s.substr(1);
  return s.trim();
}

/** Reads an answer text of R80–R81. */
export function parsePriorityAnswer(text: string): ParsedAnswer {
  const t = text.trim();
  if (t.substr(0, 2).toUpperCase() === "NG") return { kind: "ng", reason: after(t, 2) };
  let token = -1;
  let at = t.indexOf("103*7*0#");
  if (at >= 0) token = 0;
  else {
    at = t.indexOf("103*7*1#");
    if (at >= 0) token = 1;
  }
  if (token < 0) return { kind: "unreadable" };
  // The token comes first; some models show it with the leading `*` or `#`.
  const readable = after(t, at + 8);
  const low = readable.toLowerCase();
  if (token === 0) return { kind: "state", holder: "smartphone", name: "" };
  if (low.indexOf("this accessory") === 0) return { kind: "state", holder: "this", name: "" };
  if (low.indexOf("another accessory") === 0) return { kind: "state", holder: "other", name: after(readable, 17) };
  return { kind: "state", holder: "accessory", name: "" };
}

/** Normalises what a person typed: spaces removed. */
function normalise(code: string): string {
  let out = "";
  for (let i = 0; i < code.length; i++) if (code.charAt(i) !== " ") out += code.charAt(i);
  return out;
}

function refuse(s: SmsHost, reason: PriorityFailure, message: string): PriorityResult {
  return { ok: false, reason: reason, message: message, state: s.prio };
}

function gate(s: SmsHost): PriorityResult | undefined {
  const why = smsRefusal(s.caps.sms);
  if (why === "") return undefined;
  return refuse(s, "capability", "service codes do nothing on this device: " + why);
}

/** Shows the new state at once; it is written to Storage too (a failed write is logged, the state still shown). */
function keep(s: SmsHost, st: PriorityState): Promise<PriorityState> {
  s.prio = st;
  s.events.emit("priority", st);
  return s.store.put(KEY.priority, st).then(
    function () {
      return st;
    },
    function (e) {
      s.log("sms: priority state not stored: " + errorText(e));
      return st;
    },
  );
}

function outcome(s: SmsHost, a: CodeAnswer, source: "set" | "query"): Promise<PriorityResult> {
  const last = "; last known: " + describePriority(s.prio);
  if (a.kind === "failed") return Promise.resolve(refuse(s, "failed", a.message + last));
  if (a.kind === "no-answer") return Promise.resolve(refuse(s, "no-answer", "no answer from the network" + last));
  if (a.kind === "dialled") {
    // R80: dialled, the network applies the code and releases with cause 16.
    const normal = a.released && (a.cause === undefined || a.cause === 16);
    if (!normal) {
      const why = a.released ? "the network released the code with cause " + a.cause + (a.causeText ? " (" + a.causeText + ")" : "") : "no answer from the network";
      return Promise.resolve(refuse(s, a.released ? "refused" : "no-answer", why + last));
    }
    if (source === "query") return Promise.resolve(refuse(s, "no-answer", "the network took the code but sent no answer text" + last));
    return keep(s, { holder: "this", name: "", source: "set", answer: "", at: s.clock.now() }).then(function (st) {
      return { ok: true, state: st, message: "this accessory is now the SMS priority device" } as PriorityResult;
    });
  }
  const p = parsePriorityAnswer(a.cusd.text);
  if (p.kind === "ng") return Promise.resolve(refuse(s, "refused", "the network refused the code: " + (p.reason || a.cusd.text) + last));
  if (p.kind === "unreadable") return Promise.resolve(refuse(s, "unreadable", "the network's answer could not be read: " + JSON.stringify(a.cusd.text) + last));
  return keep(s, { holder: p.holder, name: p.name, source: source, answer: a.cusd.text, at: s.clock.now() }).then(function (st) {
    const now = "the SMS priority device is " + describePriority(st);
    if (source === "set" && st.holder !== "this") {
      return { ok: false, reason: "refused", message: "the network answered that " + now, state: st } as PriorityResult;
    }
    return { ok: true, state: st, message: now } as PriorityResult;
  });
}

/**
 * Runs a code (Messaging.serviceCode, setPriority and queryPriority): `*103*1#` and
 * `*#103#` are sent, `*103*0#` is refused here (R69), anything else is not a priority
 * code. The board's capability is checked first for a priority code. Never rejects.
 */
export function priorityCode(s: SmsHost, code: string): Promise<PriorityResult> {
  const c = typeof code === "string" ? normalise(code) : "";
  const source = c === CODES.accessory ? "set" : c === CODES.query ? "query" : "";
  if (source === "" && c !== CODES.smartphone) {
    return Promise.resolve(refuse(s, "bad-code", JSON.stringify(code) + " is not an SMS priority code; this accessory sends " + CODES.accessory + " (make this accessory the priority device) and " + CODES.query + " (ask)"));
  }
  const g = gate(s);
  if (g) return Promise.resolve(g);
  if (source === "") {
    return Promise.resolve(refuse(s, "refused-locally", CODES.smartphone + " makes the smartphone the priority device and must be sent from the smartphone; nothing was sent"));
  }
  return runCode(s, c).then(function (a) {
    return outcome(s, a, source);
  });
}

/**
 * The companion link reports a change made on another device (R82). Validated, kept
 * and shown; resolves with the state kept.
 */
export function priorityChanged(s: SmsHost, state: { holder: PriorityHolder; name?: string }): Promise<PriorityState> {
  const ok = ["smartphone", "this", "other", "accessory", "unknown"];
  if (!state || ok.indexOf(state.holder) < 0) {
    return Promise.reject(messagingError("bad-code", "priorityChanged: holder must be one of " + ok.join(", ")));
  }
  const name = typeof state.name === "string" && state.holder === "other" ? state.name.substr(0, 64) : "";
  // The link repeats the holder with every line it publishes (each ring, answer, hang-up):
  // the same holder again is no change, neither shown nor written to Storage again.
  if (s.prio.holder === state.holder && s.prio.name === name) return Promise.resolve(s.prio);
  return keep(s, { holder: state.holder, name: name, source: "companion", answer: "", at: s.clock.now() });
}

/**
 * R72: the network refused this device (unregistered, R18). If it held the priority,
 * the smartphone holds it again: the shown state follows at once, without a query
 * (an unregistered device can send no service code). Resolves with the state kept.
 */
export function priorityUnregistered(s: SmsHost): Promise<PriorityState> {
  if (s.prio.holder !== "this") return Promise.resolve(s.prio);
  return keep(s, { holder: "smartphone", name: "", source: "network", answer: "", at: s.clock.now() });
}

/**
 * A `+CUSD` line, or `NO CARRIER` while a dialled code waits for its release (the hot
 * URC handler in Messaging passes both): to the code waiting for it, or, when none
 * waits, a network-initiated message, passed on as `networkUssd` (a network that tells
 * the priority state by itself is heard too).
 */
export function ussdHeard(s: SmsHost, line: string): void {
  if (line.indexOf("+CUSD:") !== 0) {
    if (s.us.phase === "dial") hear(s, { type: "release" });
    return;
  }
  const c = parseCusd(line);
  if (!c) return;
  if (s.us.phase !== "") {
    hear(s, { type: "cusd", cusd: c });
    return;
  }
  s.us.asks = c.status === 1;
  const p = parsePriorityAnswer(c.text);
  if (p.kind === "state") keep(s, { holder: p.holder, name: p.name, source: "network", answer: c.text, at: s.clock.now() });
  s.events.emit("networkUssd", { status: c.status, text: c.text, replyExpected: c.status === 1 });
}

/** Messaging.ussdReply: answers a network-initiated request that waits for one. Never rejects. */
export function ussdReply(s: SmsHost, text: string): Promise<CodeAnswer> {
  const why = smsRefusal(s.caps.sms);
  if (why !== "") return Promise.resolve({ kind: "failed", message: "service codes do nothing on this device: " + why } as CodeAnswer);
  return replyCode(s, text);
}

/** Messaging.ussdEnd: declines a network-initiated request (ends the session); refused when none is open. */
export function ussdEnd(s: SmsHost): Promise<void> {
  if (!s.us.asks && s.us.phase === "") return Promise.reject(messagingError("refused-locally", "no USSD session is open"));
  return smsRefusal(s.caps.sms) === "" ? endCode(s) : Promise.resolve();
}
