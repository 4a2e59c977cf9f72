/**
 * SMS for one shared number (SPEC.md §8–§9): which devices get a message, and how.
 *
 * - `guaranteed` mode (R67–R68): the priority device gets every message; if it cannot
 *   be reached, or does not acknowledge, the network keeps the message and retries
 *   (every `smsRetryMs`, and at once when the device is back) for `smsRetentionMs`
 *   (72 h). Every other reachable `sms=native` device gets one copy, without retry.
 * - `exclusive` mode (R76): only the priority device.
 * - `relay` and `none` devices never get SMS from the network (R71).
 * - All parts of a concatenated message go to the set chosen for its first part (R73);
 *   a set member that misses a later part gets it retried, so nobody keeps half a message.
 * - Delivery ignores the line state (R74); a retry after a lost acknowledgement sends the
 *   same PDU again (the device must store it once, R75).
 * - A status report goes to the sending device only (R66), when the priority device
 *   acknowledged (TP-ST 0) or the message expired (TP-ST 0x46).
 */
import type { TimerHandle } from "../../hal/types.js";
import type { SmsAck, SmsSubmitResult } from "../modem/network.js";
import { SmsSubmit, decodeSubmit, encodeStatusReport, joinAtPdu } from "../pdu/tpdu.js";
import { fromHex } from "../pdu/hex.js";
import { FCS_DUPLICATE_SM, SubmissionMemory } from "../pdu/duplicates.js";
import type { Device } from "./device.js";
import type { LogKind } from "./log.js";
import type { SharedNumber } from "./number.js";

/** 23.040 §9.2.3.15 TP-ST: received by the SME; SM validity period expired. */
export const TP_ST_RECEIVED = 0x00;
export const TP_ST_EXPIRED = 0x46;

/** 27.005 §3.2.5 +CMS ERROR codes the network answers with. */
export const CMS_NOT_ALLOWED = 302;
export const CMS_NOT_SUPPORTED = 303;
export const CMS_INVALID_PDU = 304;
export const CMS_NO_NETWORK = 331;

/** How long the network waits for a device's RP-ACK before it counts the delivery as failed (24.011 §10 TR1M, 35–45 s). */
export const ACK_TIMEOUT_MS = 45000;

/** Who learns the outcome of a message, once (R66). */
export type ReportSink = (status: number) => void;

/** One message part for a number's devices. */
export interface InboundPart {
  id: string;
  /** The originator as the devices see it. */
  from: string;
  /** SCA + SMS-DELIVER TPDU, hex. */
  pdu: string;
  receivedAt: number;
  /** Originator + reference + total of a concatenated message (R73). */
  concatKey?: string;
  report?: ReportSink;
}

interface Copy {
  part: InboundPart;
  device: Device;
  /** Stored and retried when not delivered (the priority device, or R73's later parts). */
  retry: boolean;
  /** Counts towards the status report (the priority device's copy). */
  reports: boolean;
  deliveryId?: string;
  timer?: TimerHandle;
}

export class SmsRouter {
  private copies: Copy[] = [];
  /**
   * R73: the devices a concatenated message's first part went to, until the retention
   * ends, by sender|reference|total. Inserted in arrival order and forgotten once past
   * (a key is a sender's 8-bit reference: without forgetting, days of traffic keep every
   * multi-part message ever received).
   */
  private readonly sets = new Map<string, { devices: string[]; until: number }>();

  constructor(private readonly num: SharedNumber) {}

  private log(kind: LogKind, c: Copy | undefined, rule: string | undefined, detail: { [k: string]: string | number | boolean | undefined } = {}): void {
    this.num.log(kind, { device: c ? c.device.id : undefined, rule, detail: c ? { msg: c.part.id, ...detail } : detail });
  }

  /** Concatenated messages whose devices are still remembered (R73), for tests and tools. */
  get concatSets(): number {
    return this.sets.size;
  }

  /** Messages still stored or waiting for an acknowledgement, for tests and tools. */
  pendingFor(deviceId: string): InboundPart[] {
    return this.copies.filter((c) => c.device.id === deviceId).map((c) => c.part);
  }

  /** R67/R68/R73/R76: a part reaches the number. */
  receive(part: InboundPart): void {
    const num = this.num;
    if (num.settings.smsReject.indexOf(part.from) >= 0) {
      this.log("sms-rejected", undefined, "R58", { msg: part.id, from: part.from });
      return;
    }
    const prio = num.device(num.priority) || num.phone;
    let members: Device[];
    let later = false;
    const now = num.net.clock.now();
    for (const [key, set] of this.sets) {
      if (set.until > now) break;
      this.sets.delete(key);
    }
    const known = part.concatKey ? this.sets.get(part.concatKey) : undefined;
    if (known && known.until > now) {
      later = true;
      members = known.devices.map((id) => num.device(id)).filter((d): d is Device => d !== undefined && d.enrollment === "registered");
    } else {
      members = [prio];
      if (num.net.params.smsMode === "guaranteed") {
        for (const d of num.devices()) if (d !== prio && d.sms === "native" && d.reachable) members.push(d);
      }
      if (part.concatKey) {
        // Re-inserted at the end, so the oldest stay first (a part arrives after those before it).
        this.sets.delete(part.concatKey);
        this.sets.set(part.concatKey, { devices: members.map((d) => d.id), until: part.receivedAt + num.net.params.smsRetentionMs });
      }
    }
    this.log("sms-delivered", undefined, later ? "R73" : num.net.params.smsMode === "exclusive" ? "R76" : "R67", {
      msg: part.id,
      from: part.from,
      priority: prio.id,
      devices: members.map((d) => d.id).join(","),
    });
    for (const d of members) {
      const c: Copy = { part, device: d, retry: d === prio || later, reports: d === prio };
      this.copies.push(c);
      this.attempt(c, true);
    }
  }

  /** Delivers a copy now, or stores it (retry) or drops it (no retry). */
  private attempt(c: Copy, first: boolean): void {
    const now = this.num.net.clock.now();
    if (c.retry && now >= c.part.receivedAt + this.num.net.params.smsRetentionMs) return this.expire(c);
    if (c.device.reachable && c.device.sms === "native") {
      const id = this.num.net.nextId("s");
      c.deliveryId = id;
      if (!first) this.log("sms-delivered", c, "R68", { retry: true });
      c.device.deliverSms(id, c.part.pdu);
      this.setTimer(c, () => this.ack(c.device, id, "timeout"), ACK_TIMEOUT_MS);
      return;
    }
    if (!c.retry) return this.drop(c, "not reachable");
    if (first) this.log("sms-stored", c, "R68");
    this.schedule(c);
  }

  private setTimer(c: Copy, fn: () => void, ms: number): void {
    const clock = this.num.net.clock;
    if (c.timer !== undefined) clock.clearTimeout(c.timer);
    c.timer = clock.setTimeout(() => {
      c.timer = undefined;
      fn();
    }, ms);
  }

  /** The next attempt: after the retry interval, or at the end of the retention time if that comes first. */
  private schedule(c: Copy): void {
    const p = this.num.net.params;
    const expires = c.part.receivedAt + p.smsRetentionMs;
    this.setTimer(c, () => this.attempt(c, false), Math.max(0, Math.min(p.smsRetryMs, expires - this.num.net.clock.now())));
  }

  private remove(c: Copy): void {
    const i = this.copies.indexOf(c);
    if (i >= 0) this.copies.splice(i, 1);
    if (c.timer !== undefined) this.num.net.clock.clearTimeout(c.timer);
    c.timer = undefined;
  }

  private drop(c: Copy, reason: string): void {
    this.remove(c);
    this.log("sms-failed", c, "R67", { reason });
  }

  private expire(c: Copy): void {
    this.remove(c);
    this.log("sms-expired", c, "R68", { afterMs: this.num.net.params.smsRetentionMs });
    if (c.reports) this.report(c, TP_ST_EXPIRED);
  }

  private report(c: Copy, status: number): void {
    const sink = c.part.report;
    if (!sink) return;
    c.part.report = undefined;
    sink(status);
  }

  /** The device's acknowledgement (+CNMA, or the modem's own), refusal or silence for a delivery. */
  ack(device: Device, deliveryId: string, result: SmsAck): void {
    let c: Copy | undefined = undefined;
    for (const k of this.copies) if (k.deliveryId === deliveryId && k.device === device) c = k;
    if (!c) {
      // A status report, or a delivery that was dropped meanwhile: nothing to retry.
      this.num.log("sms-acked", { device: device.id, detail: { delivery: deliveryId, result } });
      return;
    }
    c.deliveryId = undefined;
    if (c.timer !== undefined) this.num.net.clock.clearTimeout(c.timer);
    c.timer = undefined;
    if (result === "ack") {
      this.remove(c);
      this.log("sms-acked", c, undefined);
      if (c.reports) this.report(c, TP_ST_RECEIVED);
      return;
    }
    if (!c.retry) return this.drop(c, result);
    // R75: the network tries again later with the same PDU.
    this.log("sms-failed", c, "R75", { reason: result, retry: true });
    this.schedule(c);
  }

  /** R68: a device is reachable again: its stored messages go out now. */
  deviceReachable(device: Device): void {
    for (const c of this.copies.slice()) {
      if (c.device === device && c.deliveryId === undefined) this.attempt(c, false);
    }
  }

  /** The device lost its link: a delivery it did not acknowledge yet has failed (kept for retry when it may be). */
  deviceDown(device: Device): void {
    for (const c of this.copies.slice()) {
      if (c.device === device && c.deliveryId !== undefined) this.ack(device, c.deliveryId, "nack");
    }
  }

  /** R15/R72: a device left the number; its guaranteed copies move to the new priority device, the rest are dropped. */
  deviceRemoved(device: Device, to: Device): void {
    for (const c of this.copies.slice()) {
      if (c.device !== device) continue;
      this.remove(c);
      if (!c.reports) {
        this.log("sms-failed", c, "R15", { reason: "unregistered" });
        continue;
      }
      const moved: Copy = { part: c.part, device: to, retry: true, reports: true };
      this.copies.push(moved);
      this.log("sms-stored", moved, "R72", { from: device.id });
      this.attempt(moved, false);
    }
  }
}

/**
 * R62–R66: a device submits an SMS (its TP-MR already set). The recipient sees the
 * number as originator; the answer is the TP-MR or a +CMS ERROR code.
 */
/** Each number's service-centre memory of submissions, for duplicate refusal. */
const submissionMemories = new WeakMap<SharedNumber, SubmissionMemory>();

export function submitFromDevice(num: SharedNumber, device: Device, tpduHex: string): SmsSubmitResult {
  const fail = (cmsError: number, rule: string, reason: string): SmsSubmitResult => {
    num.log("sms-refused", { device: device.id, rule, detail: { reason, cms: cmsError } });
    return { ok: false, cmsError };
  };
  if (device.sms === "none") return fail(CMS_NOT_SUPPORTED, "R65", "this device has no SMS");
  if (device.sms === "relay") return fail(CMS_NOT_ALLOWED, "R64", "this device sends SMS only through the paired phone");
  if (device.enrollment !== "registered") return fail(CMS_NO_NETWORK, "R15", "One Number is not active on this device");
  if (!device.reachable) return fail(CMS_NO_NETWORK, "R20", "no network coverage");
  let s: SmsSubmit;
  try {
    s = decodeSubmit(fromHex(tpduHex));
  } catch (e) {
    return fail(CMS_INVALID_PDU, "R62", String((e as Error).message));
  }
  // 23.040 §9.2.3.25: a repeat (TP-RD set) of a message the SC still holds is refused.
  let memory = submissionMemories.get(num);
  if (!memory) submissionMemories.set(num, (memory = new SubmissionMemory()));
  if (memory.isDuplicate(device.id, s.to.number, s.messageRef, s.rejectDuplicates, num.net.clock.now())) {
    return fail(FCS_DUPLICATE_SM, "R62", "duplicate of message " + s.messageRef + " to " + s.to.number + " (TP-RD)");
  }
  const c = s.userData.concat;
  num.log("sms-submitted", {
    device: device.id,
    rule: "R62",
    detail: { to: s.to.number, mr: s.messageRef, part: c ? c.seq + "/" + c.total : undefined, statusReport: s.statusReportRequest || undefined },
  });
  const submittedAt = num.net.clock.now();
  const report: ReportSink | undefined = s.statusReportRequest ? (status) => statusReportTo(num, device, s, submittedAt, status) : undefined;
  num.net.routeSubmit(num.msisdn, s, report);
  return { ok: true, messageRef: s.messageRef };
}

/** R66: the status report goes to the device that sent the message, and to no other. */
function statusReportTo(num: SharedNumber, device: Device, s: SmsSubmit, submittedAt: number, status: number): void {
  const now = num.net.clock.now();
  const tpdu = encodeStatusReport({
    messageRef: s.messageRef,
    recipient: s.to.number,
    scts: { time: submittedAt, tzQuarters: 36 },
    dischargeTime: { time: now, tzQuarters: 36 },
    status,
  });
  const delivered = device.enrollment !== "none" && device.attached && device.coverage === "full" && device.sms === "native";
  num.log("status-report", { device: device.id, rule: "R66", detail: { mr: s.messageRef, status, delivered } });
  if (delivered) device.deliverSms(num.net.nextId("s"), joinAtPdu(num.net.smsc, tpdu));
}
