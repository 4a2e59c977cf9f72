/**
 * A small network for one simulated modem, driven by tests and by `sharedline sim`:
 * registration (home, roaming, denied, searching), incoming calls with a caller number,
 * the far end of outgoing calls (answer, hang up, busy), incoming SMS built with the
 * simulator's own codec (or given as PDU hex), status reports, USSD answers and the
 * emergency number list. It records what the modem sent: calls, DTMF, SMS (decoded, and
 * reassembled when concatenated) and acknowledgements.
 *
 * It is replaced by the shared-number network later; the modem only sees `ModemNetwork`.
 */
import type { Clock } from "../../hal/types.js";
import type {
  DialOptions,
  EmergencyNumbers,
  ModemNetwork,
  ModemNetworkListener,
  OperatorName,
  PdnGrant,
  Registration,
  Signal,
  SmsAck,
  SmsSubmitResult,
  UeIdentity,
  UssdResult,
} from "./network.js";
import { AssembledMessage, encodeDeliverParts, reassemble } from "../pdu/concat.js";
import { fromHex } from "../pdu/hex.js";
import { Alphabet, Concat } from "../pdu/userdata.js";
import { decodeSubmit, encodeStatusReport, joinAtPdu } from "../pdu/tpdu.js";
import { FCS_DUPLICATE_SM, SubmissionMemory } from "../pdu/duplicates.js";

export type RegistrationKind = "home" | "roaming" | "denied" | "searching" | "none";
const STAT: { [k in RegistrationKind]: number } = { none: 0, home: 1, searching: 2, denied: 3, roaming: 5 };

/** What the far end does when the modem dials: ring until the test acts, answer, user busy (#17), or line in use (#34, SPEC R39). */
export type OutgoingBehaviour = "ring" | "answer" | "busy" | "line-in-use";

export interface StubCall {
  callId: string;
  dir: "mo" | "mt";
  number: string;
  state: "dialing" | "alerting" | "incoming" | "active" | "held" | "released";
  emergency: boolean;
  hideNumber?: boolean;
  dtmf: string;
  /** Cause of the release, once released. */
  cause?: number;
}

export interface SentSms {
  to: string;
  text: string;
  alphabet: Alphabet;
  concat?: Concat;
  messageRef: number;
  statusReportRequest: boolean;
  smsc: string;
  /** The TPDU as submitted, hex. */
  tpdu: string;
}

export interface NetworkStubOptions {
  clock: Clock;
  registration?: RegistrationKind;
  operator?: OperatorName;
  tac?: number;
  ci?: number;
  signal?: Signal;
  emergencyNumbers?: EmergencyNumbers;
  /** Delay of every event to the modem on the clock (default 0: on the next microtask). */
  eventDelayMs?: number;
  /** Service centre that "sends" delivered messages. */
  smsc?: string;
  outgoing?: OutgoingBehaviour;
  /** USSD answers by request string; `null` never answers (the modem times out). Others get +CUSD: 4. */
  ussd?: { [request: string]: UssdResult | null };
  /** Status reports for SUBMITs that ask for one, this long after the submission (default 1000 ms). */
  statusReportDelayMs?: number;
  /** Redelivers a message that was not acknowledged after this long (default 0: never). */
  smsRetryMs?: number;
  /**
   * How long the network takes to accept a submission (its RP-ACK, 24.011 §7.3): the
   * modem's `+CMGS` waits that long for its result (default 0: at once).
   */
  submitDelayMs?: number;
  /** Called with a one-line description of everything that happens. */
  onEvent?: (line: string) => void;
}

/** The Japanese list of SPEC R44: 110 police, 118 marine guard, 119 fire brigade and ambulance. */
export const JAPAN_EMERGENCY: EmergencyNumbers = {
  mcc: 440,
  mnc: 10,
  numbers: [
    { number: "110", categories: 1 },
    { number: "118", categories: 8 },
    { number: "119", categories: 6 },
  ],
};

export class NetworkStub implements ModemNetwork {
  readonly calls: StubCall[] = [];
  readonly sent: SentSms[] = [];
  /** Submissions refused as duplicates (TP-RD set, same TP-MR and TP-DA: 23.040 §9.2.3.25). */
  readonly duplicates: SentSms[] = [];
  private readonly submissions = new SubmissionMemory();
  readonly acks: { deliveryId: string; result: SmsAck }[] = [];
  readonly ussdRequests: string[] = [];
  readonly log: string[] = [];
  ue: UeIdentity | undefined = undefined;
  callWaiting = true;
  outgoing: OutgoingBehaviour;
  ussdAnswers: { [request: string]: UssdResult | null };
  private listener: ModemNetworkListener | undefined = undefined;
  private generation = 0;
  private registration: Registration;
  private signal: Signal;
  private emergency: EmergencyNumbers;
  private nextCall = 1;
  private nextDelivery = 1;
  private nextRef = 1;
  private pendingDeliveries: { [id: string]: string } = {};
  /** Refuse PDN connections with this ESM cause (undefined: grant them). */
  dataRefusal: number | undefined = undefined;
  /** APNs the network knows (undefined: any). */
  apns: string[] | undefined = undefined;
  /** Contexts with a PDN connection, as the network sees them. */
  activePdns: number[] = [];
  private readonly clock: Clock;

  constructor(private readonly opts: NetworkStubOptions) {
    this.clock = opts.clock;
    this.registration = {
      stat: STAT[opts.registration || "home"],
      tac: opts.tac === undefined ? 0x1a2b : opts.tac,
      ci: opts.ci === undefined ? 0x01b2c3d : opts.ci,
      act: 7,
      operator: opts.operator || { long: "SIM NETWORK", short: "SIMNET", numeric: "44010" },
    };
    this.signal = opts.signal || { rssi: 20, ber: 99, rsrq: 20, rsrp: 50 };
    this.emergency = opts.emergencyNumbers || JAPAN_EMERGENCY;
    this.outgoing = opts.outgoing || "ring";
    this.ussdAnswers = opts.ussd || {};
  }

  private note(line: string): void {
    this.log.push(line);
    if (this.opts.onEvent) this.opts.onEvent(line);
  }

  /**
   * Queues an event for the attached modem (dropped if it detached meanwhile). Never
   * synchronous; without a delay it comes on the next microtask, in the order events were
   * made (SPEC R95), so it needs no clock advance: a test may await a command whose
   * answer waits for the network (ATA). A delay puts it on the clock.
   */
  private emit(fn: (l: ModemNetworkListener) => void, delay?: number): void {
    const gen = this.generation;
    const fire = () => {
      if (gen === this.generation && this.listener) fn(this.listener);
    };
    const ms = delay === undefined ? this.opts.eventDelayMs || 0 : delay;
    if (ms > 0) this.clock.setTimeout(fire, ms);
    else Promise.resolve().then(fire);
  }

  get attached(): boolean {
    return this.listener !== undefined;
  }

  // ---- ModemNetwork ----

  attach(ue: UeIdentity, listener: ModemNetworkListener): void {
    this.generation++;
    this.ue = ue;
    this.listener = listener;
    this.note("attach imei=" + ue.imei + " imsi=" + ue.imsi);
    const reg = this.registration;
    const sig = this.signal;
    const em = this.emergency;
    this.emit((l) => {
      l.registrationChanged(reg);
      l.signalChanged(sig);
      l.emergencyNumbers(em);
    });
  }

  detach(): void {
    this.generation++;
    this.listener = undefined;
    this.activePdns = [];
    for (const c of this.calls) if (c.state !== "released") this.release(c, 16);
    this.note("detach");
  }

  dial(number: string, options: DialOptions): string {
    const call: StubCall = { callId: "c" + this.nextCall++, dir: "mo", number, state: "dialing", emergency: options.emergency, dtmf: "" };
    if (options.hideNumber !== undefined) call.hideNumber = options.hideNumber;
    this.calls.push(call);
    this.note("dial " + number + (options.emergency ? " (emergency)" : "") + " -> " + call.callId);
    const b = this.outgoing;
    if (b === "busy" || b === "line-in-use") {
      this.releaseRemote(call, b === "busy" ? 17 : 34, b === "line-in-use" ? "Line in use on another device" : undefined);
      return call.callId;
    }
    this.emit((l) => {
      if (call.state !== "dialing") return;
      call.state = "alerting";
      l.callStateChanged({ callId: call.callId, state: "alerting" });
    });
    if (b === "answer") this.remoteAnswer(call.callId);
    return call.callId;
  }

  answer(callId: string): void {
    const c = this.find(callId);
    this.note("answer " + callId);
    if (!c || c.state !== "incoming") return;
    c.state = "active";
    this.emit((l) => l.callStateChanged({ callId, state: "active" }));
  }

  hangup(callId: string, cause: number): void {
    const c = this.find(callId);
    this.note("hangup " + callId + " cause " + cause);
    if (c && c.state !== "released") this.release(c, cause);
  }

  hold(callId: string, held: boolean): void {
    const c = this.find(callId);
    this.note((held ? "hold " : "retrieve ") + callId);
    if (c && (c.state === "active" || c.state === "held")) c.state = held ? "held" : "active";
  }

  dtmf(callId: string, tones: string): void {
    const c = this.find(callId);
    if (c) c.dtmf += tones;
    this.note("dtmf " + callId + " " + tones);
  }

  setCallWaiting(enabled: boolean): void {
    this.callWaiting = enabled;
    this.note("call waiting " + (enabled ? "on" : "off"));
  }

  sendSms(smsc: string, tpdu: string): Promise<SmsSubmitResult> {
    const octets = fromHex(tpdu);
    const s = decodeSubmit(octets);
    const entry: SentSms = {
      to: s.to.number,
      text: s.userData.text,
      alphabet: s.userData.alphabet,
      messageRef: s.messageRef,
      statusReportRequest: s.statusReportRequest,
      smsc,
      tpdu: tpdu.toUpperCase(),
    };
    if (s.userData.concat) entry.concat = s.userData.concat;
    if (this.submissions.isDuplicate(this.ue ? this.ue.imsi : "ue", s.to.number, s.messageRef, s.rejectDuplicates, this.clock.now())) {
      this.duplicates.push(entry);
      this.note("sms to " + entry.to + " mr=" + s.messageRef + ": duplicate refused (TP-RD)");
      return Promise.resolve({ ok: false, cmsError: FCS_DUPLICATE_SM });
    }
    this.sent.push(entry);
    this.note("sms to " + entry.to + " mr=" + s.messageRef + (s.userData.concat ? " part " + s.userData.concat.seq + "/" + s.userData.concat.total : "") + ": " + entry.text);
    if (s.statusReportRequest) {
      const at = this.clock.now();
      this.clock.setTimeout(() => this.statusReport(s.messageRef, s.to.number, at, 0), this.opts.statusReportDelayMs === undefined ? 1000 : this.opts.statusReportDelayMs);
    }
    const ok: SmsSubmitResult = { ok: true, messageRef: s.messageRef };
    const delay = this.opts.submitDelayMs || 0;
    if (delay <= 0) return Promise.resolve(ok);
    return new Promise<SmsSubmitResult>((resolve) => this.clock.setTimeout(() => resolve(ok), delay));
  }

  ackSms(deliveryId: string, result: SmsAck): void {
    this.acks.push({ deliveryId, result });
    this.note("sms " + deliveryId + " " + result);
    const pdu = this.pendingDeliveries[deliveryId];
    delete this.pendingDeliveries[deliveryId];
    if (result !== "ack" && pdu && (this.opts.smsRetryMs || 0) > 0) {
      this.clock.setTimeout(() => this.deliverPdu(pdu), this.opts.smsRetryMs || 0);
    }
  }

  ussd(text: string, dcs: number): void {
    this.ussdRequests.push(text);
    this.note("ussd " + text + " dcs=" + dcs);
    const answer = this.ussdAnswers[text];
    if (answer === null) return;
    const r: UssdResult = answer || { status: 4 };
    this.emit((l) => l.ussdResult(r));
  }

  /**
   * Packet data: grants a PDN connection with `dataAddress` unless `dataRefusal` holds an
   * ESM cause (24.301 §9.9.4.4, e.g. 27 unknown APN); `apns`, when set, lists the APNs it
   * knows (others get cause 27).
   */
  activatePdn(cid: number, apn: string): PdnGrant {
    this.note("pdn activate cid=" + cid + " apn=" + JSON.stringify(apn));
    if (this.dataRefusal !== undefined) return { ok: false, esmCause: this.dataRefusal };
    if (this.apns && apn !== "" && this.apns.indexOf(apn) < 0) return { ok: false, esmCause: 27 };
    this.activePdns.push(cid);
    return { ok: true, address: "10.44.0." + (1 + cid) };
  }

  deactivatePdn(cid: number): void {
    this.note("pdn deactivate cid=" + cid);
    this.activePdns = this.activePdns.filter((c) => c !== cid);
  }

  /** The network deactivates one PDN connection (`cid`) or all of them: the modem's `pdpdeact`. */
  pdnDeactivate(cid?: number): void {
    this.activePdns = cid === undefined ? [] : this.activePdns.filter((c) => c !== cid);
    this.emit((l) => l.pdnDeactivated && l.pdnDeactivated(cid));
  }

  ussdCancel(): void {
    this.note("ussd cancel");
  }

  // ---- test controls ----

  /** Changes the registration the modem sees (a URC follows when its +CREG/+CEREG <n> asks for one). */
  setRegistration(kind: RegistrationKind, cell?: { tac?: number; ci?: number }): void {
    this.registration = { ...this.registration, stat: STAT[kind] };
    if (cell && cell.tac !== undefined) this.registration.tac = cell.tac;
    if (cell && cell.ci !== undefined) this.registration.ci = cell.ci;
    const reg = this.registration;
    this.note("registration " + kind);
    this.emit((l) => l.registrationChanged(reg));
  }

  setSignal(signal: Signal): void {
    this.signal = signal;
    this.emit((l) => l.signalChanged(signal));
  }

  setEmergencyNumbers(list: EmergencyNumbers): void {
    this.emergency = list;
    this.emit((l) => l.emergencyNumbers(list));
  }

  /** A call to the modem from `number` ("" withholds it). Returns its id; with a call up and waiting off, the caller gets busy and the id is of a released call. */
  ringIn(number: string): string {
    const call: StubCall = { callId: "c" + this.nextCall++, dir: "mt", number, state: "incoming", emergency: false, dtmf: "" };
    this.calls.push(call);
    const busy = this.calls.some((c) => c !== call && c.state !== "released");
    if (busy && !this.callWaiting) {
      call.state = "released";
      call.cause = 17;
      this.note("ring " + number + " -> busy (call waiting off)");
      return call.callId;
    }
    this.note("ring " + (number || "(withheld)") + " -> " + call.callId);
    this.emit((l) =>
      l.incomingCall({ callId: call.callId, number, type: number === "" ? 128 : number.charAt(0) === "+" ? 145 : 129, cliValidity: number === "" ? 1 : 0 }),
    );
    return call.callId;
  }

  /**
   * The far end of a dialled call answers (default: the newest call); `connected` is the
   * number that answered when the call was forwarded (COLP), absent when not said.
   */
  remoteAnswer(callId?: string, connected?: string): void {
    const c = this.pick(callId);
    if (!c) return;
    this.emit((l) => {
      if (c.state === "released") return;
      c.state = "active";
      l.callStateChanged(connected === undefined ? { callId: c.callId, state: "active" } : { callId: c.callId, state: "active", connectedNumber: connected });
    });
  }

  /** The far end (or the network) releases a call: 16 normal, 17 busy, 21 rejected, 25 pre-emption, 26 answered elsewhere, 34 line in use. */
  remoteHangup(callId?: string, cause = 16, causeText?: string): void {
    const c = this.pick(callId);
    if (c) this.releaseRemote(c, cause, causeText);
  }

  /** The dialled party is busy (#17). */
  remoteBusy(callId?: string): void {
    this.remoteHangup(callId, 17);
  }

  /**
   * An SMS to the modem from `from`; long texts become concatenated parts (8-bit
   * reference). Returns the delivery ids, one per part.
   */
  deliverSms(m: { from: string; text: string; alphabet?: Alphabet; msgClass?: number; time?: number; tzQuarters?: number; ref?: number }): string[] {
    const scts = { time: m.time === undefined ? this.clock.now() : m.time, tzQuarters: m.tzQuarters === undefined ? 36 : m.tzQuarters };
    const parts = encodeDeliverParts({ from: m.from, text: m.text, alphabet: m.alphabet, msgClass: m.msgClass, scts }, m.ref === undefined ? this.nextRef++ : m.ref);
    return parts.map((tpdu) => this.deliverPdu(joinAtPdu(this.opts.smsc || "+819000000000", tpdu)));
  }

  /** Delivers a PDU (SCA + TPDU hex) as it is. */
  deliverPdu(pdu: string): string {
    const id = "d" + this.nextDelivery++;
    this.pendingDeliveries[id] = pdu;
    this.note("deliver " + id + " " + pdu);
    this.emit((l) => l.smsDelivered({ deliveryId: id, pdu }));
    return id;
  }

  /** A status report for message `messageRef` (TP-ST 0: received by the recipient). */
  statusReport(messageRef: number, recipient: string, submitted: number, status: number): string {
    const tpdu = encodeStatusReport({
      messageRef,
      recipient,
      scts: { time: submitted, tzQuarters: 36 },
      dischargeTime: { time: this.clock.now(), tzQuarters: 36 },
      status,
    });
    return this.deliverPdu(joinAtPdu(this.opts.smsc || "+819000000000", tpdu));
  }

  /** A network-initiated USSD message (27.007 §7.15: m=0 notify, m=1 request). */
  ussdNotify(result: UssdResult): void {
    this.emit((l) => l.ussdResult(result));
  }

  /** Sent messages, concatenated parts put back together. */
  sentMessages(): AssembledMessage[] {
    return reassemble(this.sent.map((s) => ({ peer: s.to, concat: s.concat, text: s.text })));
  }

  /** Calls not yet released. */
  liveCalls(): StubCall[] {
    return this.calls.filter((c) => c.state !== "released");
  }

  private find(callId: string): StubCall | undefined {
    for (const c of this.calls) if (c.callId === callId) return c;
    return undefined;
  }

  private pick(callId?: string): StubCall | undefined {
    if (callId !== undefined) return this.find(callId);
    const live = this.liveCalls();
    return live[live.length - 1];
  }

  private release(c: StubCall, cause: number): void {
    c.state = "released";
    c.cause = cause;
  }

  private releaseRemote(c: StubCall, cause: number, causeText?: string): void {
    if (c.state === "released") return;
    this.release(c, cause);
    this.note("release " + c.callId + " cause " + cause);
    this.emit((l) => l.callStateChanged({ callId: c.callId, state: "released", cause, causeText }));
  }
}
