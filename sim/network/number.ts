/**
 * One shared number (SPEC.md R94): the smartphone P, up to five accessories, the line
 * (R6), the per-number settings (R58), the SMS priority device (R68), the SMS store,
 * the voicemail box, and the contract (One Number, Multi-device option).
 *
 * Devices call in here (through their port or API) to dial, answer, hang up, send SMS
 * and USSD; the call logic is in incoming.ts / outgoing.ts, SMS in sms.ts, codes in
 * services.ts. Registration and unregistration (R11–R17) and the radio state of the
 * devices (attach, coverage) are handled here.
 */
import type { SmsAck, SmsSubmitResult, UssdResult } from "../modem/network.js";
import { CAUSE, LINK_LOST, NORMAL, Release } from "./causes.js";
import { parseServiceCode } from "./codes.js";
import { Device, Leg, NetworkError } from "./device.js";
import type { NumberEnd } from "./incoming.js";
import { Line, describeLine } from "./line.js";
import type { LogInput, LogKind, LogValue } from "./log.js";
import { placeCall } from "./outgoing.js";
import { checkNoReplyMs } from "./params.js";
import type { Phone } from "./phone.js";
import { VoiceMessage, handleUssd } from "./services.js";
import { SmsRouter, submitFromDevice } from "./sms.js";
import type { SharedNetwork } from "./network.js";

/** R58: where calls are forwarded, per condition (R28, R29, R33, R59). */
export interface Forwarding {
  unconditional?: string;
  busy?: string;
  noReply?: string;
  notReachable?: string;
}

/** R58: settings that belong to the number and apply to every device. */
export interface NumberSettings {
  forwarding: Forwarding;
  /** 留守番電話: voicemail takes busy, no-reply and not-reachable calls that no forwarding takes. */
  voicemail: boolean;
  /** キャッチホン: a call to a busy line waits on the owning device (R32). */
  callWaiting: boolean;
  /** R28: 0–120 s. */
  noReplyMs: number;
  /** R38: permanent presentation; 184/186 override it per call. */
  presentation: "allowed" | "restricted";
  /** SMS rejection: originators whose messages the network drops. */
  smsReject: string[];
}

/** R8 step 4 / R12: the entitlement server's answer to a registration (GSMA TS.43). */
export interface EntitlementAnswer {
  /** R10: 1 success (the request was understood). */
  operationResult: number;
  /** R8: 3 done (registered), 5 dismiss (refused). */
  subscriptionResult: number;
  message: string;
  /** The device id given ("A1".."A5") on success. */
  device?: string;
}

/** R8 step 5: an accepted subscription waiting for the accessory to attach with its new profile. */
export interface Reservation {
  imei: string;
  iccid: string;
  /** When it was accepted (clock ms). */
  at: number;
}

export interface LogFields {
  device?: string;
  call?: string;
  cause?: number;
  rule?: string;
  detail?: { [k: string]: LogValue };
}

/** R2: accessories allowed without and with the Multi-device option. */
export const MAX_ACCESSORIES = 5;

export class SharedNumber {
  oneNumber: boolean;
  multiDevice: boolean;
  settings: NumberSettings;
  /** Forwarding numbers registered (`**21*<n>#`), kept when forwarding is only deactivated. */
  forwardingRegistered: Forwarding = {};
  /** R68: the priority device's id ("P" initially). */
  priority = "P";
  readonly line: Line;
  /** The incoming call alerting on the devices, while the line is `alerting`. */
  alerting: NumberEnd | undefined = undefined;
  readonly sms: SmsRouter;
  /** The newest `historyKept` messages (the network's params, bounded.ts). */
  readonly mailbox: VoiceMessage[] = [];
  /**
   * Fault knobs: `ussdSilent` makes the network never answer USSD (R81: the modem times
   * out with +CUSD: 5); `ussdUnsupported` answers every USSD with +CUSD: 4 (R79: the
   * firmware then dials the code).
   */
  readonly faults = { ussdSilent: false, ussdUnsupported: false };
  /** Subscriptions accepted by the entitlement server whose profile was not yet used (R8 step 5). */
  private reservations: Reservation[] = [];
  /** Accessory slots A1..A5 (an unregistering accessory keeps its slot until its calls end, R16). */
  private slots: (Device | undefined)[] = [];
  private lastEmergencyEnd: number | undefined = undefined;
  phone!: Phone;

  constructor(
    readonly net: SharedNetwork,
    readonly msisdn: string,
    opts: { oneNumber: boolean; multiDevice: boolean; settings: NumberSettings },
  ) {
    this.oneNumber = opts.oneNumber;
    this.multiDevice = opts.multiDevice;
    this.settings = opts.settings;
    this.line = new Line((from, to, e) => this.log("line", { rule: "R6", detail: { from: describeLine(from), to: describeLine(to), event: e.type } }));
    this.sms = new SmsRouter(this);
  }

  log(kind: LogKind, f: LogFields): void {
    const e: LogInput = { number: this.msisdn, kind, detail: f.detail || {} };
    if (f.device !== undefined) e.device = f.device;
    if (f.call !== undefined) e.call = f.call;
    if (f.cause !== undefined) e.cause = f.cause;
    if (f.rule !== undefined) e.rule = f.rule;
    this.net.log.add(e);
  }

  // ---- devices ----

  /** P, then the enrolled accessories in slot order. */
  devices(): Device[] {
    const out: Device[] = [this.phone];
    for (const d of this.slots) if (d) out.push(d);
    return out;
  }

  accessories(): Device[] {
    return this.slots.filter((d): d is Device => d !== undefined);
  }

  device(id: string): Device | undefined {
    if (id === "P") return this.phone;
    for (const d of this.slots) if (d && d.id === id) return d;
    return undefined;
  }

  // ---- registration (R11–R17) ----

  /**
   * R2/R12/R13: whether `d` may be added: a refusal (SubscriptionResult=5 naming the
   * limit), the answer for an accessory already registered (R13: nothing changes), or
   * undefined when a slot is free. Accessories whose profile is being downloaded (R8
   * step 5) count toward the limit, so two subscriptions racing for the last slot
   * cannot both succeed.
   */
  admission(d: Device): EntitlementAnswer | undefined {
    const refuse = (message: string, rule: string): EntitlementAnswer => {
      this.log("register-refused", { rule, detail: { imei: d.imei, name: d.friendlyName, message } });
      return { operationResult: 1, subscriptionResult: 5, message };
    };
    if (!this.oneNumber) return refuse("No One Number contract on " + this.msisdn, "R2");
    for (const o of this.accessories()) {
      if (o === d || o.imei === d.imei || (d.eid !== undefined && o.eid === d.eid)) {
        this.log("register", { device: o.id, rule: "R13", detail: { imei: d.imei, again: true } });
        return { operationResult: 1, subscriptionResult: 3, message: "Already registered as " + o.id, device: o.id };
      }
    }
    const limit = this.multiDevice ? MAX_ACCESSORIES : 1;
    const pending = this.reservations.filter((r) => r.imei !== d.imei).length;
    if (this.accessories().length + pending >= limit) {
      return refuse(
        this.multiDevice
          ? "At most " + MAX_ACCESSORIES + " accessories can share " + this.msisdn
          : "Only one accessory can share " + this.msisdn + " without the Multi-device option",
        "R12",
      );
    }
    return undefined;
  }

  /** R11–R13: enrolls an accessory, or refuses it with the entitlement answer of R12. */
  register(d: Device): EntitlementAnswer {
    const no = this.admission(d);
    if (no) return no;
    this.dropReservation(d.imei);
    let slot = 0;
    while (this.slots[slot]) slot++;
    this.slots[slot] = d;
    d.id = "A" + (slot + 1);
    d.enrollment = "registered";
    d.registeredAt = this.net.clock.now();
    this.log("register", { device: d.id, rule: "R11", detail: { imei: d.imei, name: d.friendlyName, model: d.model } });
    d.registrationChanged();
    this.deviceUp(d);
    return { operationResult: 1, subscriptionResult: 3, message: "Registered as " + d.id, device: d.id };
  }

  /**
   * R8 steps 3–5: ManageSubscription accepted `d` and a profile with `iccid` was issued
   * for it; the registration completes when the accessory attaches with that profile
   * (`profileAttached`). Refusals and R13 come back as `admission` gives them.
   */
  reserve(d: Device, iccid: string): EntitlementAnswer | undefined {
    const no = this.admission(d);
    if (no) return no;
    this.dropReservation(d.imei);
    this.reservations.push({ imei: d.imei, iccid, at: this.net.clock.now() });
    this.log("register-pending", { rule: "R8", detail: { imei: d.imei, name: d.friendlyName, iccid } });
    return undefined;
  }

  /** The profile reserved for this IMEI, if a subscription waits for its attach. */
  reservation(imei: string): Reservation | undefined {
    for (const r of this.reservations) if (r.imei === imei) return r;
    return undefined;
  }

  /** R8 step 5 / R11: `d` attached with `iccid`; completes its registration if that is the profile issued for it. */
  profileAttached(d: Device, iccid: string): boolean {
    const r = this.reservation(d.imei);
    if (!r || r.iccid !== iccid) return false;
    const a = this.register(d);
    if (a.subscriptionResult !== 3) this.dropReservation(d.imei);
    return true;
  }

  /** Forgets a pending subscription (unsubscribed before its profile was used). */
  dropReservation(imei: string): boolean {
    const before = this.reservations.length;
    this.reservations = this.reservations.filter((r) => r.imei !== imei);
    return this.reservations.length !== before;
  }

  /**
   * R15/R16: from now on the accessory gets no new call and no SMS; its calls in progress
   * continue, and it is deregistered when the last one ends. R72: priority goes back to P.
   */
  unregister(d: Device, via: "management-site" | "manage-subscription" | "contract-end"): boolean {
    if (d.kind === "phone") throw NetworkError("the smartphone cannot be unregistered; end One Number instead", { code: "phone" });
    if (d.enrollment !== "registered") return false;
    d.enrollment = "unregistering";
    const calls = d.legs.filter((l) => l.state !== "incoming").length;
    this.log("unregister", { device: d.id, rule: calls > 0 ? "R16" : "R15", detail: { via, callsInProgress: calls } });
    // R15: no data from that instant, even while a call continues (R16).
    d.stopData("R15");
    if (this.priority === d.id) this.setPriority("P", undefined, "R72");
    this.sms.deviceRemoved(d, this.phone);
    // A call still only alerting there is not a call in progress: that branch ends now.
    for (const l of d.legs.slice()) if (l.state === "incoming") l.owner.abortLeg(l, NORMAL, true);
    if (d.legs.length === 0) this.finishUnregister(d);
    return true;
  }

  private finishUnregister(d: Device): void {
    const i = this.slots.indexOf(d);
    if (i >= 0) this.slots[i] = undefined;
    d.enrollment = "none";
    this.log("deregistered", { device: d.id, rule: "R18" });
    d.registrationChanged();
  }

  /** R2: the Multi-device option; turning it off needs at most one accessory left. */
  setMultiDevice(on: boolean): void {
    if (!this.oneNumber) throw NetworkError("Multi-device needs a One Number contract on " + this.msisdn, { code: "no-contract" });
    if (!on && this.accessories().length > 1) {
      throw NetworkError("unregister accessories first: " + this.accessories().length + " are registered, one is allowed without Multi-device", { code: "too-many" });
    }
    if (this.multiDevice === on) return;
    this.multiDevice = on;
    this.log("multi-device", { rule: "R2", detail: { on } });
  }

  /** R17: ending One Number unregisters every accessory and ends the Multi-device option. */
  endOneNumber(): void {
    if (!this.oneNumber) return;
    for (const d of this.accessories()) this.unregister(d, "contract-end");
    this.reservations = [];
    this.oneNumber = false;
    this.multiDevice = false;
    this.log("contract-ended", { rule: "R17", detail: {} });
  }

  // ---- settings ----

  /** R68–R70: makes `id` the priority device (`by` is the device that asked, if one did). */
  setPriority(id: string, by: Device | undefined, rule: string): void {
    const from = this.priority;
    this.priority = id;
    this.log("priority", { device: by ? by.id : undefined, rule, detail: { from, to: id } });
  }

  /** R58: a setting of the number changed (by a device, or through the API); it applies to every device at once. */
  changeSettings(by: Device | undefined, change: Partial<NumberSettings>, rule: string): void {
    if (change.noReplyMs !== undefined) checkNoReplyMs(change.noReplyMs);
    this.settings = { ...this.settings, ...change };
    const detail: { [k: string]: LogValue } = {};
    for (const k of Object.keys(change) as (keyof NumberSettings)[]) {
      const v = change[k];
      detail[k] = typeof v === "object" ? JSON.stringify(v) : (v as LogValue);
    }
    this.log("settings", { device: by ? by.id : undefined, rule, detail });
  }

  /** R57: within the call-back window after an emergency call ended on any device of this number. */
  callbackWindowOpen(): boolean {
    const t = this.lastEmergencyEnd;
    return t !== undefined && this.net.clock.now() - t < this.net.params.emergencyCallbackMs;
  }

  // ---- what devices ask (their port or API calls these) ----

  dial(d: Device, number: string, hide: boolean | undefined): Leg {
    return placeCall(this, d, number, hide);
  }

  answer(d: Device, legId: string): void {
    const leg = d.leg(legId);
    if (leg) return leg.owner.answerLeg(leg);
    // The answer crossed the release, which is already on its way to the device.
    const gone = d.lastReleased;
    if (!gone || gone.id !== legId) return;
    if (gone.cause === CAUSE.nonSelected) this.log("answered-elsewhere", { device: d.id, cause: gone.cause, rule: "R23", detail: { leg: legId, late: true } });
    else this.log("released", { device: d.id, cause: gone.cause, detail: { leg: legId, lateAnswer: true } });
  }

  hangup(d: Device, legId: string, cause: number): void {
    const leg = d.leg(legId);
    if (leg) leg.owner.hangupLeg(leg, cause);
  }

  hold(d: Device, legId: string, held: boolean): void {
    const leg = d.leg(legId);
    if (!leg) return;
    leg.owner.holdLeg(leg, held);
    this.log("held", { device: d.id, call: leg.call.id, rule: "R41", detail: { held, line: describeLine(this.line.state) } });
  }

  dtmf(d: Device, legId: string, tones: string): void {
    const leg = d.leg(legId);
    if (!leg) return;
    this.log("dtmf", { device: d.id, call: leg.call.id, detail: { tones } });
    leg.call.dtmf(leg.owner, tones);
  }

  submitSms(d: Device, tpduHex: string): SmsSubmitResult {
    return submitFromDevice(this, d, tpduHex);
  }

  ackSms(d: Device, deliveryId: string, result: SmsAck): void {
    this.sms.ack(d, deliveryId, result);
  }

  /** R80/R81: a USSD string from a device. */
  ussd(d: Device, text: string): UssdResult | undefined {
    this.log("ussd", { device: d.id, detail: { text } });
    return handleUssd(this, d, text, parseServiceCode(text) || { kind: "unknown", text });
  }

  // ---- bookkeeping ----

  /**
   * A leg ends (the one place that does it): the device is told when `notify`, the
   * emergency set and the line owner are updated (R30), an unregistering device whose
   * last call ended is deregistered (R16).
   */
  endLeg(leg: Leg, r: Release, notify: boolean): void {
    if (leg.state === "released") return;
    leg.state = "released";
    const d = leg.device;
    d.lastReleased = { id: leg.id, cause: r.cause };
    if (notify) d.deliverCallState(leg, "released", r);
    const i = d.legs.indexOf(leg);
    if (i >= 0) d.legs.splice(i, 1);
    if (leg.emergency) {
      if (!d.legs.some((l) => l.emergency)) {
        this.line.apply({ type: "emergency-end", device: d.id });
        this.lastEmergencyEnd = this.net.clock.now();
        this.log("emergency", { device: d.id, call: leg.call.id, rule: "R57", detail: { ended: true, callbackWindowMs: this.net.params.emergencyCallbackMs } });
      }
    } else if (!leg.service && this.line.owner === d.id && !d.legs.some((l) => !l.emergency && !l.service)) {
      this.line.apply({ type: "free", device: d.id });
    }
    if (d.enrollment === "unregistering" && d.legs.length === 0) this.finishUnregister(d);
  }

  /** A device became reachable (attached, back in coverage): stored SMS go out (R68). */
  deviceUp(d: Device): void {
    if (d.reachable) this.sms.deviceReachable(d);
  }

  /**
   * A device lost its radio link (power off, coverage loss): its calls end; the far ends
   * are released, an alerting branch is dropped (R27). `notify` tells the device too
   * (its modem noticed the loss; after a detach it already forgot its calls).
   */
  deviceDown(d: Device, notify: boolean): void {
    for (const l of d.legs.slice()) l.owner.abortLeg(l, LINK_LOST, notify);
    this.sms.deviceDown(d);
  }
}

export const DEFAULT_SETTINGS: NumberSettings = {
  forwarding: {},
  voicemail: false,
  callWaiting: false,
  noReplyMs: 15000,
  presentation: "allowed",
  smsReject: [],
};
