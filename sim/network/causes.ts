/**
 * The release causes the network gives devices: 3GPP TS 24.008 Table 10.5.123 values
 * with, where SPEC.md fixes one, the IMS reason text a VoLTE modem shows in +CEER
 * (RFC 3326 / RFC 4411 `Reason` headers). The simulated modem prints `causeText` when
 * it is given and its own 24.008 name otherwise (sim/modem/call-control.ts).
 */

/** A cause with its optional reason text. */
export interface Release {
  cause: number;
  text?: string;
}

export const CAUSE = {
  unassigned: 1,
  normal: 16,
  userBusy: 17,
  noUserResponding: 18,
  noAnswer: 19,
  rejected: 21,
  preemption: 25,
  nonSelected: 26,
  noCircuit: 34,
  temporaryFailure: 41,
  serviceUnavailable: 63,
  incompatible: 88,
} as const;

/** R22: released because another device answered (RFC 3326 `Reason: SIP ;cause=200 ;text="Call completed elsewhere"`). */
export const ANSWERED_ELSEWHERE: Release = { cause: CAUSE.nonSelected, text: "Call completed elsewhere" };
/** R26: released because the user declined on another device (flexisip / Android "Busy Everywhere"). */
export const DECLINED_ELSEWHERE: Release = { cause: CAUSE.rejected, text: "Busy Everywhere" };
/** R47: released for an emergency call on another device (RFC 4411 `Reason: preemption ;cause=3 ;text="Generic Preemption"`). */
export const PREEMPTED: Release = { cause: CAUSE.preemption, text: "Generic Preemption" };
/** R39: an outgoing call refused because another device owns the line. */
export const LINE_IN_USE: Release = { cause: CAUSE.noCircuit, text: "Line in use on another device" };
export const NORMAL: Release = { cause: CAUSE.normal };
export const USER_BUSY: Release = { cause: CAUSE.userBusy };
/** R28/R35: nobody answered before the no-reply timer. */
export const NO_ANSWER: Release = { cause: CAUSE.noAnswer };
/** R29: no device could be alerted. */
export const NOT_REACHABLE: Release = { cause: CAUSE.noUserResponding };
/** Radio link lost (coverage loss, power cut): the network only notices the link is gone. */
export const LINK_LOST: Release = { cause: CAUSE.temporaryFailure, text: "Radio link lost" };

/** A refusal by network policy (R43 blocked short code, R55 no subscription, R56 limited service rejected). */
export function notAvailable(text: string): Release {
  return { cause: CAUSE.serviceUnavailable, text };
}

/** Whether a device's release of an alerting call is the user's decline (R26: #17 user busy or #21 call rejected), not a branch failure (R27). */
export function isUserDecline(cause: number): boolean {
  return cause === CAUSE.userBusy || cause === CAUSE.rejected;
}
