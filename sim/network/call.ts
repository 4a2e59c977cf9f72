/**
 * A call through the simulated network: two ends and the state between them. The
 * caller's end (`a`) is a device's outgoing leg or an outside party; the called end
 * (`b`) is a shared number (which forks the call to its devices), an outside party,
 * voicemail or a service announcement. Each end learns what the other did through
 * `CallEnd`; diversion (R28, R29, R33, R59) replaces the called end.
 */
import type { Release } from "./causes.js";
import type { Location } from "./device.js";

/** The calling line identity as the called side sees it (R1, R21, R38). */
export interface Cli {
  /** The number, "" when withheld. */
  number: string;
  withheld: boolean;
  /** The caller's name as the network has it (calling name presentation, 22.096), when any. */
  name?: string;
}

/** One side of a call, told what the other side does. */
export interface CallEnd {
  /** The other end rings (shown to a calling device as its call alerting). */
  peerAlerting(call: Call): void;
  /** The other end answered. */
  peerAnswered(call: Call): void;
  /** The other end released; the call is over for this end too. */
  peerReleased(call: Call, r: Release): void;
  /** DTMF from the other end (27.007 +VTS on the calling device). */
  peerDtmf(call: Call, tones: string): void;
  /** R52: the caller's device reported its own position during the call (agencies see it at once). */
  locationUpdated?(call: Call): void;
  /** Who this end is, for logs ("+819012345678", "voicemail", "P"). */
  readonly label: string;
  /** For a device's outgoing call: the shared number it calls from (R42 needs it). */
  readonly originNumber?: string;
  /**
   * The connected line identity this end presents when it answers (24.081 COLP, shown to
   * the caller by +COLP, 27.007 §7.8): an outside party's own number, or for a shared
   * number the number itself whichever device answers (R1). Absent: not available
   * (voicemail, announcements).
   */
  readonly connectedNumber?: string;
}

export type CallState = "setup" | "alerting" | "active" | "released";

export class Call {
  state: CallState = "setup";
  /** The caller's end, set by whoever places the call. */
  a!: CallEnd;
  /** The called end, attached by the network's routing (SharedNetwork.connect) or a diversion. */
  b!: CallEnd;
  /** Set when diverted (R28, R29, R33, R59): why. */
  divertedBy: string | undefined = undefined;
  /** R52: the calling device's own location, sent with an emergency call (absent with 184). */
  location: Location | undefined = undefined;
  /**
   * R44/R47: on an emergency call, its service category bits (24.008 §10.5.4.33, from the
   * network's list) and the IMS service URN (RFC 5031) the agency is reached by.
   */
  emergencyService: { categories: number; urn: string } | undefined = undefined;
  /** Diversions so far (a forwarding loop ends the call). */
  hops = 0;

  constructor(
    readonly id: string,
    /** The identity shown to the called side. */
    readonly cli: Cli,
    /** What the caller dialled (after 184/186 prefixes). */
    readonly dialled: string,
    readonly emergency: boolean,
  ) {}

  private other(from: CallEnd): CallEnd {
    return from === this.a ? this.b : this.a;
  }

  /** The called end rings. */
  alerting(from: CallEnd): void {
    if (this.state !== "setup") return;
    this.state = "alerting";
    this.other(from).peerAlerting(this);
  }

  /** The called end answered. */
  answered(from: CallEnd): void {
    if (this.state !== "setup" && this.state !== "alerting") return;
    this.state = "active";
    this.other(from).peerAnswered(this);
  }

  /** `from` releases the call; the other end is told. Releasing twice is harmless. */
  release(from: CallEnd, r: Release): void {
    if (this.state === "released") return;
    this.state = "released";
    this.other(from).peerReleased(this, r);
  }

  /** The called side gives the call away (forwarding, voicemail): back in set-up until the network attaches the new called end. */
  divert(reason: string): void {
    this.divertedBy = reason;
    this.hops++;
    if (this.state !== "released") this.state = "setup";
  }

  dtmf(from: CallEnd, tones: string): void {
    if (this.state === "active") this.other(from).peerDtmf(this, tones);
  }

  get released(): boolean {
    return this.state === "released";
  }
}
