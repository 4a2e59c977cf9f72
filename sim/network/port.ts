/**
 * An accessory's radio link to the shared-number network: the `ModemNetwork` a
 * simulated modem (sim/modem) is built with. What the modem asks goes to its number;
 * what the network decides comes back through the modem's listener, always on the clock
 * (never inside the modem's own call), in the order the network decided it (R95), and
 * never after the modem detached. So every rule shows in the modem's AT output
 * (R85–R93): RING/+CLIP, +CCWA, NO CARRIER/BUSY with +CEER, +CMT/+CMTI, +CUSD, +CEREG.
 */
import type { Release } from "./causes.js";
import type { Cli } from "./call.js";
import { AccessoryInfo, Coverage, Device, Leg, Location } from "./device.js";
import type { EntitlementAnswer, SharedNumber } from "./number.js";
import {
  CallStateChange,
  DialOptions,
  ModemNetwork,
  ModemNetworkListener,
  PdnGrant,
  PositionReport,
  REG_DENIED,
  REG_HOME,
  REG_NOT_SEARCHING,
  REG_SEARCHING,
  Registration,
  Signal,
  SmsAck,
  SmsSubmitResult,
  UeIdentity,
  UssdResult,
} from "../modem/network.js";

const SIGNAL: { [c in Coverage]: Signal } = {
  full: { rssi: 24, ber: 99, rsrq: 22, rsrp: 55 },
  limited: { rssi: 8, ber: 99, rsrq: 8, rsrp: 20 },
  none: { rssi: 99, ber: 99, rsrq: 255, rsrp: 255 },
};

export class AccessoryPort extends Device implements ModemNetwork {
  readonly kind = "accessory";
  /** The entitlement answer of the last registration attempt (R12, R13). */
  entitlement: EntitlementAnswer | undefined = undefined;
  /** The identity the modem gave when it attached. */
  ue: UeIdentity | undefined = undefined;
  private listener: ModemNetworkListener | undefined = undefined;
  private generation = 0;
  /** R83: this accessory's own PDN connections (cid -> address), on its own subscription. */
  readonly pdns = new Map<number, string>();

  constructor(
    readonly num: SharedNumber,
    /** What the accessory told the network; only its friendly name changes (rename). */
    public info: AccessoryInfo,
  ) {
    super();
    if (info.location) this.location = info.location;
  }

  get sms(): AccessoryInfo["sms"] {
    return this.info.sms;
  }
  get callWaitingCapable(): boolean {
    return this.info.callWaiting;
  }
  get imei(): string {
    return this.info.imei;
  }
  get eid(): string | undefined {
    return this.info.eid;
  }
  get friendlyName(): string {
    return this.info.friendlyName;
  }
  /** The name the user gave in P's app (R9 companion_terminal_friendly_name), shown in the list (R14). */
  rename(name: string): void {
    if (name.trim() === "" || name.length > 64) throw new RangeError("friendlyName must be 1..64 characters");
    this.info = { ...this.info, friendlyName: name };
  }
  get model(): string {
    return this.info.model;
  }

  /** 27.007 `<stat>`: home when registered in coverage, denied without a One Number registration (R18), searching out of coverage. */
  registration(): Registration {
    let stat = REG_NOT_SEARCHING;
    if (this.attached) stat = this.coverage !== "full" ? REG_SEARCHING : this.enrollment === "none" ? REG_DENIED : REG_HOME;
    return { stat, tac: 0x1a2b, ci: 0x1b2c3d, act: 7, operator: this.num.net.params.operator };
  }

  /** Runs `fn` with the modem's listener on the next clock turn, unless the modem detached meanwhile. */
  private post(fn: (l: ModemNetworkListener) => void): void {
    const gen = this.generation;
    this.num.net.post(() => {
      if (gen === this.generation && this.listener) fn(this.listener);
    });
  }

  // ---- ModemNetwork: what the modem asks ----

  attach(ue: UeIdentity, listener: ModemNetworkListener): void {
    this.generation++;
    this.listener = listener;
    this.ue = ue;
    // A modem whose IMEI is not the registered one is another device: the network denies it.
    const mismatch = ue.imei !== this.info.imei;
    this.attached = !mismatch;
    this.num.log("attach", { device: this.id || undefined, detail: { imei: ue.imei, imsi: ue.imsi, registered: this.enrollment === "registered", mismatch: mismatch || undefined } });
    // R8 step 5 / R11: the first attach with the profile issued for this accessory completes its registration.
    const completed = !mismatch && this.enrollment === "none" && this.num.profileAttached(this, ue.iccid);
    const reg = mismatch ? { ...this.registration(), stat: REG_DENIED } : this.registration();
    const sig = SIGNAL[this.coverage];
    const em = this.num.net.params.emergencyNumbers;
    this.post((l) => {
      l.registrationChanged(reg);
      l.signalChanged(sig);
      l.emergencyNumbers(em);
    });
    if (!mismatch && !completed) this.num.deviceUp(this);
  }

  /** The network's emergency number list changed (R93): an attached modem is told. */
  emergencyNumbersChanged(): void {
    if (!this.attached) return;
    const em = this.num.net.params.emergencyNumbers;
    this.post((l) => l.emergencyNumbers(em));
  }

  detach(): void {
    this.generation++;
    this.listener = undefined;
    this.pdns.clear();
    if (!this.attached) return;
    this.attached = false;
    this.num.log("detach", { device: this.id || undefined, detail: {} });
    this.num.deviceDown(this, false);
  }

  dial(number: string, options: DialOptions): string {
    // R53: the modem's own view (options.emergency) is only advice; the network decides.
    return this.num.dial(this, number, options.hideNumber).id;
  }

  answer(callId: string): void {
    this.num.answer(this, callId);
  }

  hangup(callId: string, cause: number): void {
    this.num.hangup(this, callId, cause);
  }

  hold(callId: string, held: boolean): void {
    this.num.hold(this, callId, held);
  }

  dtmf(callId: string, tones: string): void {
    this.num.dtmf(this, callId, tones);
  }

  /** +CCWA=<n>,<mode>: call waiting belongs to the number (R58). */
  setCallWaiting(enabled: boolean): void {
    if (this.enrollment !== "registered") return;
    this.num.changeSettings(this, { callWaiting: enabled }, "R58");
  }

  sendSms(_smsc: string, tpdu: string): Promise<SmsSubmitResult> {
    return Promise.resolve(this.num.submitSms(this, tpdu));
  }

  /**
   * Fault knob: this many of the device's next SMS acknowledgements are lost on the radio
   * (never reach the network), so the network's acknowledgement timer runs out and it
   * delivers the same PDU again (R75, 24.011 TR1N).
   */
  lostSmsAcks = 0;

  ackSms(deliveryId: string, result: SmsAck): void {
    if (this.lostSmsAcks > 0) {
      this.lostSmsAcks--;
      return;
    }
    this.num.ackSms(this, deliveryId, result);
  }

  ussd(text: string): void {
    if (this.enrollment === "none" || !this.attached) return;
    this.num.ussd(this, text);
  }

  ussdCancel(): void {
    this.num.log("ussd", { device: this.id, detail: { cancelled: true } });
  }

  /**
   * R83: data on the accessory's own subscription, with no need for P (P's power, calls
   * and data play no part); R84: nothing about calls suspends it. Refused with ESM cause
   * 33 (requested service option not subscribed) once unregistered (R15), 26 (insufficient
   * resources) out of coverage.
   */
  activatePdn(cid: number, apn: string): PdnGrant {
    const refuse = (esmCause: number, why: string): PdnGrant => {
      this.num.log("data-refused", { device: this.id || undefined, rule: "R15", detail: { cid, apn, esmCause, why } });
      return { ok: false, esmCause };
    };
    if (!this.attached || this.coverage !== "full") return refuse(26, "no coverage");
    if (this.enrollment !== "registered") return refuse(33, "not registered");
    const address = this.num.net.dataAddress();
    this.pdns.set(cid, address);
    this.num.log("data-up", { device: this.id, rule: "R83", detail: { cid, apn, address } });
    return { ok: true, address };
  }

  deactivatePdn(cid: number): void {
    if (!this.pdns.delete(cid)) return;
    this.num.log("data-down", { device: this.id || undefined, detail: { cid, by: "device" } });
  }

  /** The network deactivates one PDN connection or all (`cid` undefined): the modem shows `+CGEV: NW PDN DEACT` and `pdpdeact`. */
  deactivateData(cid: number | undefined, rule?: string): void {
    const cids = cid === undefined ? Array.from(this.pdns.keys()) : this.pdns.has(cid) ? [cid] : [];
    if (cids.length === 0) return;
    for (const c of cids) this.pdns.delete(c);
    this.num.log("data-down", { device: this.id || undefined, rule, detail: { cids: cids.join(","), by: "network" } });
    for (const c of cids) this.post((l) => l.pdnDeactivated && l.pdnDeactivated(c));
  }

  stopData(rule: string): void {
    this.deactivateData(undefined, rule);
  }

  // ---- Device: what the network tells the modem ----

  deliverIncoming(leg: Leg, cli: Cli): void {
    const call = {
      callId: leg.id,
      number: cli.number,
      type: cli.withheld ? 128 : cli.number.charAt(0) === "+" ? 145 : 129,
      cliValidity: cli.withheld ? 1 : 0,
      name: cli.name,
      // Every call offered here was made to the shared number (R19).
      calledNumber: this.num.msisdn,
    };
    this.post((l) => l.incomingCall(call));
  }

  deliverCallState(leg: Leg, state: "alerting" | "active" | "released", r?: Release, connected?: string): void {
    const change: CallStateChange = r ? { callId: leg.id, state, cause: r.cause, causeText: r.text } : { callId: leg.id, state };
    if (connected !== undefined) change.connectedNumber = connected;
    this.post((l) => l.callStateChanged(change));
  }

  deliverSms(deliveryId: string, pdu: string): void {
    this.post((l) => l.smsDelivered({ deliveryId, pdu }));
  }

  deliverUssd(r: UssdResult): void {
    this.post((l) => l.ussdResult(r));
  }

  registrationChanged(): void {
    const reg = this.registration();
    // Out of service: the PDN connections are gone with the registration (the modem sees NW DETACH).
    if (reg.stat !== REG_HOME && this.pdns.size > 0) {
      this.num.log("data-down", { device: this.id || undefined, detail: { cids: Array.from(this.pdns.keys()).join(","), by: "registration", stat: reg.stat } });
      this.pdns.clear();
    }
    this.post((l) => l.registrationChanged(reg));
  }

  // ---- test controls ----

  /**
   * Coverage loss and return. Losing coverage drops the device's calls (the far ends
   * get #41, its modem NO CARRIER) and its alerting branches (R27); coming back delivers
   * its stored SMS (R68). `limited`: only other networks, emergency calls only (R56).
   */
  setCoverage(c: Coverage): void {
    if (this.coverage === c) return;
    const was = this.reachable;
    this.coverage = c;
    this.num.log("coverage", { device: this.id || undefined, detail: { coverage: c } });
    if (this.attached) {
      const sig = SIGNAL[c];
      this.registrationChanged();
      this.post((l) => l.signalChanged(sig));
    }
    if (c !== "full") {
      if (was || this.legs.length > 0) this.num.deviceDown(this, true);
    } else this.num.deviceUp(this);
  }

  /** R52: an emergency call of this accessory started; its modem is asked where it is. */
  requestPosition(): void {
    this.post((l) => l.positioningRequest && l.positioningRequest());
  }

  /**
   * R52: the accessory's answer (+CPOS). A fix replaces the cell's position on its
   * emergency calls (a 184 call carries none) and reaches the agency at once; without one
   * the cell's stays, and the log says why.
   */
  positionReport(r: PositionReport): void {
    const legs = this.legs.filter((l) => l.emergency && !l.call.cli.withheld);
    if (legs.length === 0) {
      this.num.log("location", { device: this.id, rule: "R52", detail: { ignored: "no emergency call", error: r.error } });
      return;
    }
    for (const leg of legs) {
      const call = leg.call;
      if (r.fix) {
        call.location = { lat: r.fix.lat, lon: r.fix.lon, source: "gnss", uncertaintyM: r.fix.uncertaintyM };
        if (call.b && call.b.locationUpdated) call.b.locationUpdated(call);
      }
      const loc = call.location;
      this.num.log("location", {
        device: this.id,
        call: call.id,
        rule: "R52",
        detail: {
          location: loc ? loc.lat + "," + loc.lon + " (" + loc.source + ")" : undefined,
          uncertaintyM: loc ? loc.uncertaintyM : undefined,
          from: r.fix ? "device" : "network",
          error: r.error,
        },
      });
    }
  }

  /** R52: where the accessory is (sent with its emergency calls). */
  setLocation(loc: Location | undefined): void {
    this.location = loc;
  }
}
