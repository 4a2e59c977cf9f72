/**
 * A call to a shared number (SPEC.md §3, §4, R59–R60): the number's end of the call.
 * It decides in this order: unconditional forwarding (R59); a call from the number to
 * itself (R42); a busy line (R31–R33, R51: waiting call to the owner or busy treatment);
 * a call already alerting (busy treatment); otherwise it forks the call to every
 * reachable device (R19–R20) or, with none, applies not-reachable handling (R29).
 * While forked: first answer wins (R22–R23), a user's decline declines everywhere (R26),
 * another branch failure only drops that branch (R27), the caller's hang-up releases all
 * (R25), the no-reply timer diverts or releases (R28).
 */
import type { TimerHandle } from "../../hal/types.js";
import type { Call, CallEnd } from "./call.js";
import { ANSWERED_ELSEWHERE, DECLINED_ELSEWHERE, NORMAL, NOT_REACHABLE, NO_ANSWER, Release, USER_BUSY, isUserDecline } from "./causes.js";
import type { Device, Leg, LegOwner } from "./device.js";
import type { LogKind } from "./log.js";
import type { SharedNumber } from "./number.js";

type Mode = "new" | "alerting" | "waiting" | "connected" | "done";

export class NumberEnd implements CallEnd, LegOwner {
  mode: Mode = "new";
  legs: Leg[] = [];
  private timer: TimerHandle | undefined = undefined;

  constructor(
    readonly num: SharedNumber,
    readonly call: Call,
  ) {}

  get label(): string {
    return this.num.msisdn;
  }

  /** R1: whichever device answers, the caller is connected to the number. */
  get connectedNumber(): string {
    return this.num.msisdn;
  }

  private log(kind: LogKind, device: Device | undefined, rule: string | undefined, detail: { [k: string]: string | number | boolean | string[] | undefined } = {}, cause?: number): void {
    this.num.log(kind, { device: device ? device.id : undefined, call: this.call.id, rule, cause, detail });
  }

  /** Offers the call to the number (the decision order is in the module comment). */
  start(): void {
    const num = this.num;
    const s = num.settings;
    const fromSelf = this.call.a.originNumber === num.msisdn;
    this.log("call-offered", undefined, undefined, {
      from: this.call.cli.withheld ? "withheld" : this.call.cli.number,
      callbackWindow: num.callbackWindowOpen() || undefined,
    });
    if (s.forwarding.unconditional) return this.divert(s.forwarding.unconditional, "unconditional", "R59");
    if (fromSelf) return this.busyTreatment("own-number", "R42");
    if (num.line.busy) {
      const owner = num.line.owner === undefined ? undefined : num.device(num.line.owner);
      if (!num.line.inEmergency && owner && this.canWait(owner)) return this.waitOn(owner);
      return this.busyTreatment(num.line.inEmergency ? "emergency" : "busy", num.line.inEmergency ? "R51" : "R33");
    }
    if (num.line.alertingCall !== undefined) return this.busyTreatment("alerting", "R31");
    const devices = num.devices().filter((d) => d.reachable);
    if (devices.length === 0) return this.notReachable("R29");
    this.fork(devices);
  }

  /** R32/R33: a waiting call needs the service on, a device that can take one, and no other waiting call. */
  private canWait(owner: Device): boolean {
    return this.num.settings.callWaiting && owner.callWaitingCapable && owner.reachable && !owner.legs.some((l) => l.state === "waiting");
  }

  private newLeg(d: Device, state: "incoming" | "waiting"): Leg {
    const leg: Leg = { id: this.num.net.nextId("n"), device: d, call: this.call, mt: true, state, emergency: false, owner: this };
    d.legs.push(leg);
    this.legs.push(leg);
    d.deliverIncoming(leg, this.call.cli);
    return leg;
  }

  /** R19/R21: every reachable device alerts with the same identity; the no-reply timer starts (R28). */
  private fork(devices: Device[]): void {
    this.num.line.apply({ type: "offer", call: this.call.id, devices: devices.map((d) => d.id) });
    this.num.alerting = this;
    this.mode = "alerting";
    for (const d of devices) this.newLeg(d, "incoming");
    this.log("alerting", undefined, "R19", { devices: devices.map((d) => d.id) });
    this.startTimer();
    this.call.alerting(this);
  }

  /** R32: the waiting call goes to the owning device only. */
  private waitOn(owner: Device): void {
    this.mode = "waiting";
    this.newLeg(owner, "waiting");
    this.log("waiting", owner, "R32");
    this.startTimer();
    this.call.alerting(this);
  }

  private startTimer(): void {
    this.timer = this.num.net.clock.setTimeout(() => {
      this.timer = undefined;
      this.noReply();
    }, this.num.settings.noReplyMs);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.num.net.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Leaves the alerting mode (the line no longer offers this call). */
  private endAlerting(): void {
    this.stopTimer();
    if (this.mode === "alerting") {
      this.num.line.apply({ type: "withdraw", call: this.call.id });
      if (this.num.alerting === this) this.num.alerting = undefined;
    }
  }

  /** Releases every leg still offered, telling each device (`kind` says how the device logs it). */
  private releaseLegs(r: Release, kind: "missed" | "answered-elsewhere" | "declined-elsewhere", rule: string): void {
    const legs = this.legs;
    this.legs = [];
    for (const leg of legs) {
      if (leg.state === "released") continue;
      this.num.endLeg(leg, r, true);
      this.log(kind, leg.device, rule, {}, r.cause);
    }
  }

  // ---- what the devices do (LegOwner) ----

  answerLeg(leg: Leg): void {
    if (leg.state === "incoming" && this.mode === "alerting") {
      this.endAlertingForAnswer(leg);
      return;
    }
    if (leg.state === "waiting" && this.mode === "waiting") {
      this.stopTimer();
      this.connect(leg, "R34");
    }
  }

  /** R22: the first answer takes the line; the others are released as answered elsewhere. */
  private endAlertingForAnswer(leg: Leg): void {
    this.stopTimer();
    this.num.line.apply({ type: "answer", call: this.call.id, device: leg.device.id });
    if (this.num.alerting === this) this.num.alerting = undefined;
    this.legs = this.legs.filter((l) => l !== leg);
    this.releaseLegs(ANSWERED_ELSEWHERE, "answered-elsewhere", "R22");
    this.connect(leg, "R22");
  }

  private connect(leg: Leg, rule: string): void {
    this.mode = "connected";
    this.legs = [leg];
    leg.state = "active";
    leg.device.deliverCallState(leg, "active");
    this.log("answered", leg.device, rule);
    this.call.answered(this);
  }

  hangupLeg(leg: Leg, cause: number): void {
    if (leg.state === "released") return;
    if (this.mode === "alerting" && leg.state === "incoming") {
      if (isUserDecline(cause)) this.decline(leg);
      else this.dropBranch(leg, { cause }, false);
      return;
    }
    if (this.mode === "waiting" && leg.state === "waiting") {
      // R34: +CHLD=0 (or a decline of the waiting call once it alerts, R36) is user busy.
      this.stopTimer();
      this.legs = [];
      this.num.endLeg(leg, { cause }, false);
      this.log("declined", leg.device, "R34", {}, cause);
      this.busyTreatment("declined", "R33");
      return;
    }
    this.mode = "done";
    this.legs = [];
    this.log("released", leg.device, undefined, { by: "device" }, cause);
    this.num.endLeg(leg, NORMAL, false);
    this.call.release(this, NORMAL);
  }

  holdLeg(leg: Leg, held: boolean): void {
    if (leg.state === "active" || leg.state === "held") leg.state = held ? "held" : "active";
  }

  /** R27 and link loss: one branch is gone; the rest keep alerting, or not-reachable handling when none is left. */
  private dropBranch(leg: Leg, r: Release, notify: boolean): void {
    this.num.line.apply({ type: "drop", call: this.call.id, device: leg.device.id });
    this.legs = this.legs.filter((l) => l !== leg);
    this.num.endLeg(leg, r, notify);
    this.log("branch-dropped", leg.device, "R27", {}, r.cause);
    if (this.legs.length === 0) {
      this.stopTimer();
      if (this.num.alerting === this) this.num.alerting = undefined;
      this.notReachable("R29");
    }
  }

  /** R26: a user's decline on one device declines the call for the number. */
  private decline(leg: Leg): void {
    this.endAlerting();
    this.legs = this.legs.filter((l) => l !== leg);
    this.num.endLeg(leg, USER_BUSY, false);
    this.log("declined", leg.device, "R26");
    this.releaseLegs(DECLINED_ELSEWHERE, "declined-elsewhere", "R26");
    this.busyTreatment("declined", "R60");
  }

  abortLeg(leg: Leg, r: Release, notify: boolean): void {
    if (leg.state === "released") return;
    if (this.mode === "alerting" && leg.state === "incoming") return this.dropBranch(leg, r, notify);
    this.stopTimer();
    this.mode = "done";
    this.legs = this.legs.filter((l) => l !== leg);
    this.num.endLeg(leg, r, notify);
    this.call.release(this, r);
  }

  /** R37 (glare) and R48 (an emergency call elsewhere): the offered call is withdrawn from every device and gets busy treatment. */
  withdraw(reason: string, rule: string): void {
    if (this.mode !== "alerting") return;
    this.endAlerting();
    this.releaseLegs(NORMAL, "missed", rule);
    this.busyTreatment(reason, rule);
  }

  // ---- what the caller does (CallEnd) ----

  peerAlerting(): void {}

  peerAnswered(): void {}

  /** R25: the caller hung up; every device still alerting logs a missed call. */
  peerReleased(_call: Call, r: Release): void {
    const mode = this.mode;
    this.endAlerting();
    this.mode = "done";
    if (mode === "alerting" || mode === "waiting") this.releaseLegs(NORMAL, "missed", "R25");
    else {
      const legs = this.legs;
      this.legs = [];
      for (const leg of legs) {
        this.num.endLeg(leg, r, true);
        this.log("released", leg.device, undefined, { by: "remote" }, r.cause);
      }
    }
  }

  peerDtmf(): void {}

  // ---- outcomes without a device ----

  /** R28/R35: on expiry, divert (each device logs a missed call) or release the caller and the devices with #19. */
  private noReply(): void {
    const s = this.num.settings;
    const target = s.forwarding.noReply || (s.voicemail ? "voicemail" : undefined);
    const rule = this.mode === "waiting" ? "R35" : "R28";
    this.log("no-reply", undefined, rule, { afterMs: s.noReplyMs, target });
    this.endAlerting();
    if (target) {
      this.releaseLegs(NORMAL, "missed", rule);
      return this.divert(target, "no-reply", rule);
    }
    this.releaseLegs(NO_ANSWER, "missed", rule);
    this.mode = "done";
    this.call.release(this, NO_ANSWER);
  }

  /** R33/R60: busy forwarding, else voicemail, else user busy (#17) to the caller. */
  private busyTreatment(reason: string, rule: string): void {
    const s = this.num.settings;
    const target = s.forwarding.busy || (s.voicemail ? "voicemail" : undefined);
    this.log("busy", undefined, rule, { reason, target });
    if (target) return this.divert(target, "busy", rule);
    this.mode = "done";
    this.call.release(this, USER_BUSY);
  }

  /** R29: not-reachable forwarding, else voicemail, else #18 to the caller. */
  private notReachable(rule: string): void {
    const s = this.num.settings;
    const target = s.forwarding.notReachable || (s.voicemail ? "voicemail" : undefined);
    this.log("not-reachable", undefined, rule, { target });
    if (target) return this.divert(target, "not-reachable", rule);
    this.mode = "done";
    this.call.release(this, NOT_REACHABLE);
  }

  private divert(target: string, reason: string, rule: string): void {
    this.mode = "done";
    this.log(target === "voicemail" ? "voicemail" : "forwarded", undefined, rule, { reason, to: target });
    this.num.net.divert(this.call, target, this.num, reason);
  }
}
