/**
 * A device of a shared number as the network sees it (SPEC.md §1): the smartphone P or
 * an accessory, with its capability profile (R5), its One Number registration (R11), its
 * radio state (attached, coverage) and its calls (legs). Subclasses say how an event
 * reaches the device: an accessory through its simulated modem (port.ts), the
 * smartphone through its API (phone.ts). Events never reach a device inside the call
 * that caused them: they go through the network's queue on the clock (R95).
 */
import { defineError } from "../../hal/errors.js";
import type { Release } from "./causes.js";
import type { Call, CallEnd, Cli } from "./call.js";
import type { UssdResult } from "../modem/network.js";

/** R5: `native` SMS on its own, `relay` only through the paired phone, `none` no SMS at all. */
export type SmsCapability = "native" | "relay" | "none";

/** Own network in coverage (`full`), only other networks (`limited`, R56: emergency calls only), or nothing. */
export type Coverage = "full" | "limited" | "none";

/** R52: where a device is, sent with its emergency calls. */
export interface Location {
  lat: number;
  lon: number;
  source: "gnss" | "cell";
  /** Uncertainty radius (m), when the device reported it (23.032 uncertainty circle). */
  uncertaintyM?: number;
}

/** What an accessory tells the network about itself (the companion fields of R9 that the management site shows, and its profile, R5). */
export interface AccessoryInfo {
  /** 15 digits (3GPP TS 23.003 §6.2.1). */
  imei: string;
  friendlyName: string;
  model: string;
  vendor?: string;
  swVersion?: string;
  /** eUICC id (32 digits); a second registration with the same EID is the same device (R13). */
  eid?: string;
  sms: SmsCapability;
  /** R5 `callWaiting`: whether the device can present and handle a waiting call. */
  callWaiting: boolean;
  settingsMenu?: boolean;
  location?: Location;
}

/** Bad input to the network's API: an unknown number, a malformed IMEI, an impossible request. */
export const NetworkError = defineError<{ code: string }>("NetworkError");

export function checkAccessoryInfo(info: AccessoryInfo): AccessoryInfo {
  const fail = (what: string) => NetworkError("accessory " + JSON.stringify(info.friendlyName || info.imei) + ": " + what, { code: "bad-accessory" });
  if (!info || typeof info.imei !== "string" || !/^[0-9]{15}$/.test(info.imei)) throw fail("imei must be 15 digits");
  if (typeof info.friendlyName !== "string" || info.friendlyName.trim() === "" || info.friendlyName.length > 64) throw fail("friendlyName must be 1..64 characters");
  if (typeof info.model !== "string" || info.model.trim() === "") throw fail("model is required");
  if (["native", "relay", "none"].indexOf(info.sms) < 0) throw fail("sms must be native, relay or none");
  if (typeof info.callWaiting !== "boolean") throw fail("callWaiting must be true or false");
  if (info.eid !== undefined && !/^[0-9]{32}$/.test(info.eid)) throw fail("eid must be 32 digits");
  return info;
}

/** A device's One Number registration: none, registered, or ending once its calls end (R16). */
export type Enrollment = "none" | "registered" | "unregistering";

/**
 * One call as a device sees it. `incoming` alerts (RING), `waiting` is a second call
 * on the owner (+CCWA), `dialing`/`alerting` an outgoing call in set-up.
 */
export type LegState = "dialing" | "alerting" | "incoming" | "waiting" | "active" | "held" | "released";

/** Whoever handles a leg's call on the network side: the number's end for an incoming call, the device's own end for an outgoing one. */
export interface LegOwner extends CallEnd {
  /** The device answers (ATA, +CHLD=1/2, `phone.answer()`). */
  answerLeg(leg: Leg): void;
  /** The device releases the leg (ATH, +CHUP, +CHLD=0/1x), with the 24.008 cause it sent. */
  hangupLeg(leg: Leg, cause: number): void;
  /** The device holds or retrieves the call (R41: the line is unchanged). */
  holdLeg(leg: Leg, held: boolean): void;
  /** The network ends the leg (pre-emption R47, link loss, R50): the far end is released with `r`; `notify` tells the device too. */
  abortLeg(leg: Leg, r: Release, notify: boolean): void;
}

export interface Leg {
  /** The call id the device knows (unique per network). */
  id: string;
  device: Device;
  call: Call;
  /** Mobile terminated (an incoming call to the number) or originated. */
  mt: boolean;
  state: LegState;
  emergency: boolean;
  /** A service code or service number call (R80): it never owns the line. */
  service?: boolean;
  owner: LegOwner;
}

export abstract class Device {
  /** "P" or "A1".."A5" once enrolled; "" for an accessory that never was. */
  id = "";
  enrollment: Enrollment = "none";
  registeredAt = 0;
  attached = false;
  coverage: Coverage = "full";
  legs: Leg[] = [];
  location: Location | undefined = undefined;
  /** The leg released last and why: an answer that crossed the release (R23) is told apart from a late answer to a missed call. */
  lastReleased: { id: string; cause: number } | undefined = undefined;

  abstract readonly kind: "phone" | "accessory";
  abstract readonly sms: SmsCapability;
  abstract readonly callWaitingCapable: boolean;
  abstract readonly imei: string;
  abstract readonly friendlyName: string;
  abstract readonly model: string;
  abstract readonly eid: string | undefined;

  /** R20/R11: registered, attached, in its own network's coverage. */
  get reachable(): boolean {
    return this.enrollment === "registered" && this.attached && this.coverage === "full";
  }

  leg(id: string): Leg | undefined {
    for (const l of this.legs) if (l.id === id) return l;
    return undefined;
  }

  /** A new incoming (RING) or waiting (+CCWA) call. */
  abstract deliverIncoming(leg: Leg, cli: Cli): void;
  /**
   * Progress of a call: the far end rings, answered (with the connected line identity,
   * "" when not available), or the call is released with a cause.
   */
  abstract deliverCallState(leg: Leg, state: "alerting" | "active" | "released", r?: Release, connected?: string): void;
  /** An SMS-DELIVER or SMS-STATUS-REPORT (SCA + TPDU hex); the device answers with `ackSms`. */
  abstract deliverSms(deliveryId: string, pdu: string): void;
  abstract deliverUssd(r: UssdResult): void;
  /** The registration state changed (registered, denied, searching). */
  abstract registrationChanged(): void;
  /** R15: the device's data on the shared subscription ends now (unregistration); the smartphone's is not the network's to stop. */
  stopData(_rule: string): void {}

  /** R52: the network asks the device for its own position (only a modem with +CPOSR on can answer); by default, nothing. */
  requestPosition(): void {}
}
