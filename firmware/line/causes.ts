/**
 * Why a call ended, from what the modem says: the `+CEER` report (27.007 §6.10) after a
 * release, read against 3GPP TS 24.008 Table 10.5.123 causes and the SIP reason texts a
 * network that forks calls uses (RFC 3326 "Call completed elsewhere", flexisip's "Busy
 * Everywhere", RFC 4411 preemption). SPEC R86–R88, R92.
 */
import { paramsOf } from "../../drivers/at/index.js";
import type { EndReason } from "./call.js";

/** A parsed `+CEER` line: the 24.008 cause if one was given, and any text. */
export interface ReleaseReport {
  cause: number | undefined;
  text: string;
}

function digits(s: string): boolean {
  if (s.length === 0 || s.length > 3) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Parses the forms modules use for `+CEER` (its content is manufacturer specific):
 * `+CEER: 26,"Non-selected user clearing"` (cause, text), `+CEER: "Normal call clearing"`
 * or `+CEER: Normal call clearing` (text only), `+CEER: 8,26,0` (location, cause,
 * supplementary), `+CEER: "CC INFO","Normal call clearing"` (category, text).
 */
export function parseCeer(line: string): ReleaseReport | undefined {
  const parts = paramsOf(line, "+CEER:");
  if (!parts) return undefined;
  let cause: number | undefined = undefined;
  const texts: string[] = [];
  const numeric: number[] = [];
  for (const p of parts) {
    if (digits(p)) numeric.push(parseInt(p, 10));
    else if (p.length > 0 && p !== "CC INFO" && p !== "SM INFO") texts.push(p);
  }
  // One number: the cause. Three numbers: <location>,<cause>,<ss> (Ericsson/Sierra style).
  if (numeric.length === 1) cause = numeric[0];
  else if (numeric.length >= 2) cause = numeric[1];
  return { cause, text: texts.join(" ") };
}

function has(text: string, word: string): boolean {
  return text.toLowerCase().indexOf(word) >= 0;
}

/** 24.008 causes by name, the ones this firmware acts on. */
export const Cause = {
  unassigned: 1,
  normal: 16,
  userBusy: 17,
  noUserResponding: 18,
  noAnswer: 19,
  rejected: 21,
  preemption: 25,
  nonSelectedUserClearing: 26,
  normalUnspecified: 31,
  noCircuit: 34,
  serviceNotAvailable: 63,
  noRoute: 3,
  subscriberAbsent: 20,
  destinationOutOfOrder: 27,
  invalidNumberFormat: 28,
  networkOutOfOrder: 38,
  temporaryFailure: 41,
  congestion: 42,
  channelUnavailable: 44,
  resourcesUnavailable: 47,
  recoveryOnTimerExpiry: 102,
};

/**
 * 24.008 causes that mean the network lost or could not keep the connection (Annex H
 * class "resource unavailable" and #102), not a person hanging up; and the texts modules
 * give for a radio link failure or lost coverage (Quectel "RLF", SIMCom "radio link
 * failure", "lower layer failure").
 */
const CONNECTION_LOST = [Cause.networkOutOfOrder, Cause.temporaryFailure, Cause.congestion, Cause.channelUnavailable, Cause.resourcesUnavailable, Cause.recoveryOnTimerExpiry];

export function isConnectionLost(r: ReleaseReport): boolean {
  if (r.cause !== undefined && CONNECTION_LOST.indexOf(r.cause) >= 0) return true;
  return has(r.text, "radio link") || has(r.text, "rlf") || has(r.text, "coverage") || has(r.text, "lower layer failure") || has(r.text, "signal lost");
}

export function isAnsweredElsewhere(r: ReleaseReport): boolean {
  return r.cause === Cause.nonSelectedUserClearing || has(r.text, "completed elsewhere") || has(r.text, "answered elsewhere");
}

export function isDeclinedElsewhere(r: ReleaseReport): boolean {
  return r.cause === Cause.rejected || has(r.text, "busy everywhere");
}

export function isPreempted(r: ReleaseReport): boolean {
  return r.cause === Cause.preemption || has(r.text, "preemption") || has(r.text, "pre-emption");
}

export function isLineInUse(r: ReleaseReport): boolean {
  return r.cause === Cause.noCircuit || has(r.text, "line in use");
}

/** The reason a call ended, from how far it got, who released it and the release report. */
export function classifyEnd(
  call: { direction: "outgoing" | "incoming"; connectedAt: number | undefined; releasedHere: boolean },
  r: ReleaseReport,
): EndReason {
  const connected = call.connectedAt !== undefined;
  if (call.releasedHere) return !connected && call.direction === "incoming" ? "declinedHere" : "hungUpHere";
  if (!connected && call.direction === "incoming") {
    // R86: the order matters; a call answered elsewhere must never be logged as missed (R24).
    if (isAnsweredElsewhere(r)) return "answeredElsewhere";
    if (isDeclinedElsewhere(r)) return "declinedElsewhere";
    return "missed";
  }
  if (!connected) {
    if (isLineInUse(r)) return "lineInUse";
    // R48: an emergency call elsewhere aborts a set-up in progress with #25.
    if (isPreempted(r)) return "preempted";
    if (r.cause === Cause.userBusy) return "busy";
    if (r.cause === Cause.noUserResponding || r.cause === Cause.noAnswer) return "noAnswer";
    if (r.cause === Cause.unassigned || r.cause === Cause.noRoute) return "numberUnknown";
    if (r.cause === Cause.invalidNumberFormat) return "badNumber";
    if (r.cause === Cause.destinationOutOfOrder || r.cause === Cause.subscriberAbsent) return "unreachable";
    if (r.cause === Cause.rejected) return "rejected";
    if (isConnectionLost(r)) return "networkProblem";
    return "failed";
  }
  if (isPreempted(r)) return "preempted";
  // Issue 9 §4: a call the network lost is "dropped", never "the other party hung up".
  if (isConnectionLost(r)) return "dropped";
  return "remoteHungUp";
}
