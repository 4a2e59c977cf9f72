/**
 * Why a call ended, from what the modem says: the `+CEER` report (27.007 §6.10) after a
 * release, read against 3GPP TS 24.008 Table 10.5.123 causes and the SIP reason texts a
 * network that forks calls uses (RFC 3326 "Call completed elsewhere", flexisip's "Busy
 * Everywhere", RFC 4411 preemption). SPEC R86–R88, R92.
 */
import { paramsOf } from "../../drivers/at/index.js";
import type { EndReason } from "./call.js";
import { hasText } from "../../hal/text.js";

/** A parsed `+CEER` line: the 24.008 cause if one was given, and any text. */
export interface ReleaseReport {
  cause: number | undefined;
  text: string;
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
    if (p.length > 0 && p.length <= 3 && !/[^0-9]/.test(p)) numeric.push(parseInt(p, 10));
    else if (p.length > 0 && p !== "CC INFO" && p !== "SM INFO") texts.push(p);
  }
  // One number: the cause. Three numbers: <location>,<cause>,<ss> (Ericsson/Sierra style).
  if (numeric.length === 1) cause = numeric[0];
  else if (numeric.length >= 2) cause = numeric[1];
  return { cause, text: texts.join(" ") };
}

/**
 * The reason a call ended, from how far it got, who released it and the release report.
 *
 * The 24.008 causes it acts on are written as numbers where they are read (no table
 * object: on Espruino each member of one is heap for good, a literal in the code is not):
 * #1 unassigned number, #3 no route, #16 normal, #17 user busy, #18 no user responding,
 * #19 no answer, #20 subscriber absent, #21 rejected, #25 preemption, #26 non-selected
 * user clearing, #27 destination out of order, #28 invalid number format, #34 no circuit.
 * A connection the network lost or could not keep is Annex H class "resource
 * unavailable" (#38 network out of order, #41 temporary failure, #42 congestion, #44
 * channel unavailable, #47 resources unavailable) or #102 recovery on timer expiry, or the
 * text a module gives for a radio link failure or lost coverage (Quectel "RLF", SIMCom
 * "radio link failure", "lower layer failure"); not a person hanging up.
 */
export function classifyEnd(
  call: { direction: "outgoing" | "incoming"; connectedAt: number | undefined; releasedHere: boolean },
  r: ReleaseReport,
): EndReason {
  const connected = call.connectedAt !== undefined;
  if (call.releasedHere) return !connected && call.direction === "incoming" ? "declinedHere" : "hungUpHere";
  const c = r.cause === undefined ? -1 : r.cause;
  const t = r.text.toLowerCase();
  const lost =
    c === 38 || c === 41 || c === 42 || c === 44 || c === 47 || c === 102 ||
    hasText(t, "radio link") || hasText(t, "rlf") || hasText(t, "coverage") || hasText(t, "lower layer failure") || hasText(t, "signal lost");
  const preempted = c === 25 || hasText(t, "preemption") || hasText(t, "pre-emption");
  if (!connected && call.direction === "incoming") {
    // R86: the order matters; a call answered elsewhere must never be logged as missed (R24).
    if (c === 26 || hasText(t, "completed elsewhere") || hasText(t, "answered elsewhere")) return "answeredElsewhere";
    if (c === 21 || hasText(t, "busy everywhere")) return "declinedElsewhere";
    return "missed";
  }
  if (!connected) {
    if (c === 34 || hasText(t, "line in use")) return "lineInUse";
    // R48: an emergency call elsewhere aborts a set-up in progress with #25.
    if (preempted) return "preempted";
    if (c === 17) return "busy";
    if (c === 18 || c === 19) return "noAnswer";
    if (c === 1 || c === 3) return "numberUnknown";
    if (c === 28) return "badNumber";
    if (c === 27 || c === 20) return "unreachable";
    if (c === 21) return "rejected";
    if (lost) return "networkProblem";
    return "failed";
  }
  if (preempted) return "preempted";
  // Issue 9 §4: a call the network lost is "dropped", never "the other party hung up".
  if (lost) return "dropped";
  return "remoteHungUp";
}
