/**
 * The call model: statuses of 27.007 §7.18 (`+CLCC <stat>`) plus `released`, and the
 * reasons a call ends, each with words a person understands.
 */

/** 27.007 §7.18 `<stat>`: 0 active, 1 held, 2 dialing, 3 alerting, 4 incoming, 5 waiting. */
export type CallStatus = "active" | "held" | "dialing" | "alerting" | "incoming" | "waiting" | "released";

/** The status of 27.007 §7.18 `<stat>` (0 to 5); the list is made per call, not kept (heap). */
export function clccStatus(stat: number): CallStatus {
  return (["active", "held", "dialing", "alerting", "incoming", "waiting"] as CallStatus[])[stat];
}

export type EndReason =
  /** This device hung up. */
  | "hungUpHere"
  /** The other party hung up (normal clearing). */
  | "remoteHungUp"
  /** Another device of the number answered it first (R24, R86). */
  | "answeredElsewhere"
  /** The user declined it on another device (R26, R86). */
  | "declinedElsewhere"
  /** Rang and nobody answered; the caller gave up or no-reply handling took it (R25). */
  | "missed"
  /** Declined on this device. */
  | "declinedHere"
  /** An emergency call on another device cut this call (R47, R87). */
  | "preempted"
  /** The number is in use on another device (R39, R88). */
  | "lineInUse"
  /** The called party is busy. */
  | "busy"
  /** The called party did not answer. */
  | "noAnswer"
  /** The modem restarted; the call could not survive it. */
  | "modemReset"
  /** A connected call was lost (radio link failure, coverage, 24.008 #38/#41/#47/#102): nobody hung up. */
  | "dropped"
  /** The number does not exist (24.008 #1 unassigned, #3 no route). */
  | "numberUnknown"
  /** The number is incomplete or malformed (#28). */
  | "badNumber"
  /** The called phone is off or out of reach (#27 destination out of order, #20 subscriber absent). */
  | "unreachable"
  /** The called party declined the call (#21). */
  | "rejected"
  /** The network could not set the call up now (#38, #41, #42, #44, #47, #102 before answer): try again. */
  | "networkProblem"
  /** Anything else: see the cause. */
  | "failed";

export interface CallEnd {
  reason: EndReason;
  /** 24.008 cause from +CEER, when the modem gave one (R92). */
  cause: number | undefined;
  causeText: string;
  /** One sentence for the user. */
  message: string;
}

export interface Call {
  /** Our id, stable for the call's life. */
  id: number;
  /** The modem's `+CLCC <idx>`, once known. */
  index: number | undefined;
  direction: "outgoing" | "incoming";
  status: CallStatus;
  /** The other party's number; empty while unknown or withheld. */
  number: string;
  /** The caller's name from the network (27.007 §7.30 +CNAP), "" when none or withheld. */
  name: string;
  /** The number this incoming call was made to (27.007 §7.9 +CDIP), "" when the modem does not say. */
  calledNumber: string;
  /**
   * An outgoing call's connected line (27.007 §7.8 +COLP, or a +CLCC that shows it): the
   * number that answered, "" while unknown. It differs from `number` when the called
   * party's forwarding took the call elsewhere (R59, R60; R42 on the own number).
   */
  connectedNumber: string;
  emergency: boolean;
  startedAt: number;
  connectedAt: number | undefined;
  endedAt: number | undefined;
  end: CallEnd | undefined;
  /** Whether this device asked for the release (hang up, decline). */
  releasedHere: boolean;
}

/**
 * One sentence per reason. A switch, not a table: on the watch a table of 18 sentences
 * held about 70 heap blocks for good, a function's code stays in Storage.
 */
export function endMessage(reason: EndReason): string {
  switch (reason) {
    case "hungUpHere":
      return "call ended";
    case "remoteHungUp":
      return "the other party hung up";
    case "answeredElsewhere":
      return "answered on another device";
    case "declinedElsewhere":
      return "declined on another device";
    case "missed":
      return "missed call";
    case "declinedHere":
      return "call declined";
    case "preempted":
      return "call ended: emergency call on another device";
    case "lineInUse":
      return "the number is in use on another device";
    case "busy":
      return "the number you called is busy";
    case "noAnswer":
      return "no answer";
    case "modemReset":
      return "call ended: the modem restarted";
    case "dropped":
      return "call dropped: the connection was lost";
    case "numberUnknown":
      return "the number you called does not exist";
    case "badNumber":
      return "the number you called is incomplete or invalid";
    case "unreachable":
      return "the phone you called cannot be reached";
    case "rejected":
      return "the other party declined the call";
    case "networkProblem":
      return "the network could not connect the call: try again";
  }
  return "the call could not be completed";
}
