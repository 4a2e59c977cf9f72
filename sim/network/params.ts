/**
 * The simulated network's parameters (SPEC.md R96), each a `[REC]` choice of SPEC.md
 * made into a named setting with the recommended default, plus the few knobs the
 * simulator itself needs. `networkParams(partial)` fills in the defaults and rejects a
 * bad value with a `NetworkParamError` that names the parameter and the allowed range.
 */
import { HISTORY_KEPT } from "./bounded.js";
import { defineError } from "../../hal/errors.js";
import type { EmergencyNumbers, OperatorName } from "../modem/network.js";

/** A parameter outside its allowed range or of the wrong type. */
export const NetworkParamError = defineError<{ param: string; value: unknown }>("NetworkParamError");

export type SmsMode = "guaranteed" | "exclusive";
export type LimitedServiceEmergency = "accept" | "reject";
export type ForeignEmergency = "release" | "ordinary";

export interface NetworkParams {
  /**
   * R28: the no-reply timer, from the moment the first device starts alerting until the
   * call is diverted or released with #19. Default 15 s; 0–120 s (docomo's voicemail
   * ring time, set by calling 1419). Each new number starts with this value; a device
   * can change its number's own timer (1419, `**61*<n>**<s>#`).
   */
  noReplyMs: number;
  /** R68: how long an SMS for an unreachable priority device is kept and retried. Default 72 h (docomo, [S4]). */
  smsRetentionMs: number;
  /**
   * R68/R75: how long the network waits before it retries an SMS the priority device did
   * not acknowledge (or could not be reached for). A device that comes back into coverage
   * gets its stored messages at once. Default 5 min. [REC]
   */
  smsRetryMs: number;
  /** R57: the window after an emergency call in which the number's devices must not auto-reject calls. Default 30 min. */
  emergencyCallbackMs: number;
  /**
   * R67/R76: `guaranteed` (default): the priority device gets every SMS (stored and
   * retried), every other reachable `sms=native` device a copy without retry.
   * `exclusive`: only the priority device receives SMS (UltraCard style, [S18]).
   */
  smsMode: SmsMode;
  /** R56: an emergency call from a device in limited service (no coverage from its own network): `accept` (default) or `reject` (#63). */
  limitedServiceEmergency: LimitedServiceEmergency;
  /**
   * R54: calls to 112 and 911 when they are not on the network's emergency list (the
   * Japan profile). Both modes treat them as ordinary numbers, refused with #34 while
   * another device owns the line. `release` (default, docomo as observed since 2018
   * [S9]): the network then releases the call with #1 (unassigned number), so the
   * firmware can tell the user to dial 110, 118 or 119. `ordinary`: the call is routed
   * to the outside party of that number like any other call.
   */
  foreignEmergency: ForeignEmergency;
  /** R43: short codes the network refuses (#63) when an accessory dials them; P is never affected. Default empty. */
  shortCodeBlocklist: string[];
  /** R2: whether a new number has the Multi-device option (up to five accessories) or not (one). Default off. */
  multiDevice: boolean;
  /** R44/R53: the emergency number list the network sends to every device (+CEN) and uses to decide what is an emergency call. Default Japan: 110, 118, 119. */
  emergencyNumbers: EmergencyNumbers;
  /** The network name devices see (+COPS). */
  operator: OperatorName;
  /** R80: how long a service code dialed as a call stays connected (the announcement) before the network releases it with #16. Default 2 s. */
  announcementMs: number;
  /** R66: how long after an outside party received an SMS its status report reaches the sender. Default 1 s. */
  statusReportDelayMs: number;
  /**
   * How many entries the event log keeps (oldest dropped first); 0 keeps none but still
   * tells listeners; Infinity keeps all. Default 10,000 (a few MB), so that a simulator
   * left running stays small; GET /log says how many a reader missed.
   */
  logCapacity: number;
  /**
   * How many entries each history keeps (bounded.ts): what the smartphone received, its
   * status reports, USSD answers and call log, a party's status reports and reassembled
   * messages, the voicemail box. Default 1000 (each holds between this and twice this);
   * the soak, which follows every message by the events, keeps fewer so that its memory is
   * flat within a run rather than within weeks.
   */
  historyKept: number;
  /**
   * Outside parties (not emergency agencies, which answer at once) answer an incoming call
   * by themselves this long after it rings; null (default) never, so tests and scenarios
   * decide. `sharedline sim --tcp/--pty` sets 3 s so that a client's `ATD` (with +COLP=1,
   * a wait for the answer) completes out of the box.
   */
  partyAnswerMs: number | null;
  /** An outside party that lets a call ring releases it with #19 (no answer) after `noReplyMs` (R28's timer). Default off. */
  partyNoReply: boolean;
  /**
   * The network's answer to a USSD string it has no service for (27.007 +CUSD: 0 with
   * this text); null (default) answers +CUSD: 4, operation not supported (R79, R81).
   */
  ussdAnswer: string | null;
}

/** R44: 110 police (category bit 1), 118 marine guard (8), 119 fire brigade + ambulance (4 + 2). */
export const JAPAN_EMERGENCY_NUMBERS: EmergencyNumbers = {
  mcc: 440,
  mnc: 10,
  numbers: [
    { number: "110", categories: 1 },
    { number: "118", categories: 8 },
    { number: "119", categories: 6 },
  ],
};

export const DEFAULT_PARAMS: NetworkParams = {
  noReplyMs: 15000,
  smsRetentionMs: 72 * 3600 * 1000,
  smsRetryMs: 5 * 60 * 1000,
  emergencyCallbackMs: 30 * 60 * 1000,
  smsMode: "guaranteed",
  limitedServiceEmergency: "accept",
  foreignEmergency: "release",
  shortCodeBlocklist: [],
  multiDevice: false,
  emergencyNumbers: JAPAN_EMERGENCY_NUMBERS,
  operator: { long: "SHAREDLINE NETWORK", short: "SLNET", numeric: "44010" },
  announcementMs: 2000,
  statusReportDelayMs: 1000,
  logCapacity: 10000,
  historyKept: HISTORY_KEPT,
  partyAnswerMs: null,
  partyNoReply: false,
  ussdAnswer: null,
};

/** R28: the no-reply timer's range. */
export const NO_REPLY_MAX_MS = 120000;

function bad(param: string, value: unknown, want: string): Error {
  return NetworkParamError("network parameter " + param + " = " + JSON.stringify(value) + ": " + want, { param, value });
}

function checkMs(name: string, v: unknown, min: number, max: number): void {
  if (typeof v !== "number" || !(v >= min && v <= max) || Math.floor(v) !== v) {
    throw bad(name, v, "expected whole milliseconds in " + min + ".." + max);
  }
}

function checkOne(name: string, v: unknown, allowed: string[]): void {
  if (typeof v !== "string" || allowed.indexOf(v) < 0) throw bad(name, v, "expected one of " + allowed.join(", "));
}

/** Checks a no-reply time (R28: 0–120 s in whole seconds' worth of milliseconds). */
export function checkNoReplyMs(v: unknown): number {
  checkMs("noReplyMs", v, 0, NO_REPLY_MAX_MS);
  return v as number;
}

/** The parameters with defaults filled in; throws `NetworkParamError` for the first bad one. */
export function networkParams(p: Partial<NetworkParams> = {}): NetworkParams {
  const out: NetworkParams = { ...DEFAULT_PARAMS, ...p };
  for (const k of Object.keys(p)) {
    if (!(k in DEFAULT_PARAMS)) throw bad(k, (p as { [k: string]: unknown })[k], "unknown parameter (known: " + Object.keys(DEFAULT_PARAMS).join(", ") + ")");
  }
  checkNoReplyMs(out.noReplyMs);
  const day = 24 * 3600 * 1000;
  checkMs("smsRetentionMs", out.smsRetentionMs, 0, 30 * day);
  checkMs("smsRetryMs", out.smsRetryMs, 1, 30 * day);
  checkMs("emergencyCallbackMs", out.emergencyCallbackMs, 0, day);
  checkMs("announcementMs", out.announcementMs, 0, 60000);
  checkMs("statusReportDelayMs", out.statusReportDelayMs, 0, day);
  checkOne("smsMode", out.smsMode, ["guaranteed", "exclusive"]);
  checkOne("limitedServiceEmergency", out.limitedServiceEmergency, ["accept", "reject"]);
  checkOne("foreignEmergency", out.foreignEmergency, ["release", "ordinary"]);
  if (typeof out.multiDevice !== "boolean") throw bad("multiDevice", out.multiDevice, "expected true or false");
  if (!Array.isArray(out.shortCodeBlocklist) || out.shortCodeBlocklist.some((c) => typeof c !== "string" || !/^[0-9*#]{1,15}$/.test(c))) {
    throw bad("shortCodeBlocklist", out.shortCodeBlocklist, "expected a list of dial strings of 0-9 * #");
  }
  const em = out.emergencyNumbers;
  if (!em || !Array.isArray(em.numbers) || em.numbers.some((n) => !/^[0-9]{2,6}$/.test(n.number) || !(n.categories >= 0 && n.categories <= 127))) {
    throw bad("emergencyNumbers", em, "expected { mcc, mnc, numbers: [{ number: digits, categories: 0..127 }] }");
  }
  if (out.partyAnswerMs !== null) checkMs("partyAnswerMs", out.partyAnswerMs, 0, 3600 * 1000);
  if (typeof out.partyNoReply !== "boolean") throw bad("partyNoReply", out.partyNoReply, "expected true or false");
  if (out.ussdAnswer !== null && (typeof out.ussdAnswer !== "string" || out.ussdAnswer.length === 0 || out.ussdAnswer.length > 182)) {
    throw bad("ussdAnswer", out.ussdAnswer, "expected null or a text of 1 to 182 characters (23.038 USSD length)");
  }
  if (!(out.logCapacity >= 0)) throw bad("logCapacity", out.logCapacity, "expected a count >= 0 (Infinity keeps all)");
  const kept = out.historyKept as unknown;
  if (!(typeof kept === "number" && kept >= 1 && (kept === Infinity || Number.isInteger(kept)))) throw bad("historyKept", out.historyKept, "expected a whole count >= 1 (Infinity keeps all)");
  return out;
}
