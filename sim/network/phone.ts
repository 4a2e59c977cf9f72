/**
 * The smartphone P of a shared number, simulated without AT: tests and tools drive it
 * through methods (answer, decline, dial, send SMS, service codes) and read what it
 * shows (its calls, its call log, its inbox). It learns what the network decided the
 * same way an accessory's modem does: as events on the clock (R95).
 *
 * Its call log classifies an unanswered call the way R24/R86 ask of any device:
 * released with #26 is "answered elsewhere", with #21 "declined elsewhere", anything
 * else "missed". With `doNotDisturb` it declines calls by itself, except during the
 * call-back window after an emergency call on the number (R57).
 */
import { typedEmitter } from "../../hal/node/typed-emitter.js";
import { CAUSE, Release } from "./causes.js";
import type { Cli } from "./call.js";
import { Coverage, Device, Leg, Location, NetworkError } from "./device.js";
import type { SharedNumber } from "./number.js";
import { appendBounded, pruneReleased } from "./bounded.js";
import type { SmsSubmitResult, UssdResult } from "../modem/network.js";
import { AssembledMessage, reassemble, splitText } from "../pdu/concat.js";
import { toHex } from "../pdu/hex.js";
import { MTI_DELIVER, decodeDeliver, decodeStatusReport, encodeSubmit, pickAlphabet, splitAtPdu } from "../pdu/tpdu.js";

export type PhoneCallState = "incoming" | "waiting" | "dialing" | "alerting" | "active" | "held" | "released";

export interface PhoneCall {
  id: string;
  dir: "in" | "out";
  state: PhoneCallState;
  /** The other party ("" when withheld). */
  number: string;
  cause?: number;
  causeText?: string;
}

export type CallOutcome = "answered" | "declined" | "missed" | "answered-elsewhere" | "declined-elsewhere" | "outgoing";

export interface CallLogEntry {
  callId: string;
  number: string;
  outcome: CallOutcome;
  at: number;
  cause?: number;
}

export interface PhoneSms {
  from: string;
  text: string;
  /** Service-centre time stamp (ms). */
  scts: number;
  /** `bits`: the reference's size (IE 0x00 or 0x08); absent on messages recorded as 8-bit. */
  concat?: { ref: number; total: number; seq: number; bits?: 8 | 16 };
}

/** A message the smartphone's user sent: P's own sent history, which no accessory shares (R63). */
export interface PhoneSentSms {
  to: string;
  text: string;
  /** When it was handed to the network (clock ms). */
  at: number;
  /** How many parts it took. */
  parts: number;
  /** Whether the network accepted every part. */
  ok: boolean;
}

export interface StatusReport {
  messageRef: number;
  recipient: string;
  status: number;
}

type PhoneEvents = {
  incoming: (call: PhoneCall) => void;
  call: (call: PhoneCall) => void;
  sms: (sms: PhoneSms) => void;
  ussd: (result: UssdResult) => void;
};

export interface PhoneOptions {
  imei?: string;
  location?: Location;
  /** Default true. */
  poweredOn?: boolean;
}

export class Phone extends Device {
  readonly kind = "phone";
  readonly sms = "native";
  readonly callWaitingCapable = true;
  readonly friendlyName = "smartphone";
  readonly model = "smartphone";
  readonly eid = undefined;
  readonly imei: string;
  /** Live calls and the newest released ones (bounded.ts: RELEASED_CALLS_KEPT). */
  readonly calls: PhoneCall[] = [];
  /** The histories below keep their newest `historyKept` entries (the network's params, bounded.ts); the events carry every one. */
  readonly callLog: CallLogEntry[] = [];
  /** Received message parts, each stored once (R75: a repeat is recognised among the kept ones). */
  readonly received: PhoneSms[] = [];
  /** P's sent history (R63: its own; what an accessory sends never appears here). */
  readonly sent: PhoneSentSms[] = [];
  readonly statusReports: StatusReport[] = [];
  readonly ussdResults: UssdResult[] = [];
  /** Host-side (Node) events, typed with typed-emitter. */
  readonly events = typedEmitter<PhoneEvents>();
  /** Declines every call by itself, except in the emergency call-back window (R57). */
  doNotDisturb = false;
  /** What the phone answers to a delivered SMS: `ack`, `nack`, or `ignore` (no answer, as with a lost acknowledgement). */
  smsAck: "ack" | "nack" | "ignore" = "ack";
  private generation = 0;
  private nextRef = 0;
  /** Entries each history keeps (the network's `historyKept`). */
  private get kept(): number {
    return this.num.net.params.historyKept;
  }
  private nextConcatRef = 1;

  constructor(
    readonly num: SharedNumber,
    opts: PhoneOptions = {},
  ) {
    super();
    this.id = "P";
    this.enrollment = "registered";
    this.imei = opts.imei || "350000000000000";
    this.location = opts.location;
    this.attached = opts.poweredOn !== false;
  }

  private post(fn: () => void): void {
    const gen = this.generation;
    this.num.net.post(() => {
      if (gen === this.generation) fn();
    });
  }

  private find(id: string | undefined, states: PhoneCallState[]): PhoneCall {
    for (const c of this.calls) if ((id === undefined || c.id === id) && states.indexOf(c.state) >= 0) return c;
    throw NetworkError("the smartphone of " + this.num.msisdn + " has no " + states.join("/") + " call" + (id ? " " + id : ""), { code: "no-call" });
  }

  // ---- the user's actions ----

  /** Answers the incoming (or waiting) call; the active one is put on hold first, like +CHLD=2. */
  answer(id?: string): void {
    const c = this.find(id, ["incoming", "waiting"]);
    for (const a of this.calls) if (a.state === "active") this.hold(a.id, true);
    this.num.answer(this, c.id);
  }

  /** Declines the incoming or waiting call (user busy, #17: declined on every device, R26). */
  decline(id?: string): void {
    const c = this.find(id, ["incoming", "waiting"]);
    this.num.hangup(this, c.id, CAUSE.userBusy);
    this.gone(c, { cause: CAUSE.userBusy });
    this.logCall(c, "declined");
  }

  /** Fails an alerting branch for a reason other than the user (R27), e.g. #88 incompatible destination. */
  failBranch(cause: number, id?: string): void {
    const c = this.find(id, ["incoming"]);
    this.num.hangup(this, c.id, cause);
    this.gone(c, { cause });
  }

  /** Hangs up a call in progress (the active one by default). */
  hangup(id?: string): void {
    const c = this.find(id, ["active", "held", "dialing", "alerting"]);
    this.num.hangup(this, c.id, CAUSE.normal);
    this.gone(c, { cause: CAUSE.normal });
  }

  hold(id: string, held: boolean): void {
    const c = this.find(id, held ? ["active"] : ["held"]);
    c.state = held ? "held" : "active";
    this.num.hold(this, c.id, held);
  }

  /** Dials (184/186 prefixes and service codes allowed); returns the call id. */
  dial(number: string, opts: { withhold?: boolean } = {}): string {
    const leg = this.num.dial(this, number, opts.withhold);
    const c: PhoneCall = { id: leg.id, dir: "out", state: "dialing", number };
    this.addCall(c);
    appendBounded(this.callLog, { callId: c.id, number, outcome: "outgoing", at: this.num.net.clock.now() }, this.kept);
    return c.id;
  }

  sendDtmf(tones: string, id?: string): void {
    this.num.dtmf(this, this.find(id, ["active"]).id, tones);
  }

  /** Sends an SMS (concatenated when long); one result per part. */
  sendSms(to: string, text: string, opts: { statusReport?: boolean } = {}): SmsSubmitResult[] {
    const alphabet = pickAlphabet(text);
    const bodies = splitText(text, alphabet);
    const ref = this.nextConcatRef++ & 0xff;
    const results = bodies.map((body, i) => {
      const tpdu = encodeSubmit({
        to,
        text: body,
        alphabet,
        messageRef: this.nextRef++ & 0xff,
        statusReportRequest: opts.statusReport,
        concat: bodies.length > 1 ? { ref, total: bodies.length, seq: i + 1, bits: 8 } : undefined,
      });
      return this.num.submitSms(this, toHex(tpdu));
    });
    appendBounded(this.sent, { to, text, at: this.num.net.clock.now(), parts: bodies.length, ok: results.every((r) => r.ok) }, this.kept);
    return results;
  }

  /**
   * Sends a service code as USSD (the settings app does the same, R77); the answer arrives
   * in `ussdResults`, and is returned at once too (undefined: the network did not answer).
   */
  serviceCode(code: string): UssdResult | undefined {
    return this.num.ussd(this, code);
  }

  /** Turns call waiting on or off for the number (R58). */
  setCallWaiting(on: boolean): void {
    this.num.changeSettings(this, { callWaiting: on }, "R58");
  }

  /** Power off: P's calls drop and it gets nothing until it is back on; accessories go on (R4). */
  powerOff(): void {
    if (!this.attached) return;
    this.generation++;
    this.attached = false;
    for (const c of this.calls) if (c.state !== "released") c.state = "released";
    this.num.log("detach", { device: "P", detail: {} });
    this.num.deviceDown(this, false);
  }

  powerOn(): void {
    if (this.attached) return;
    this.attached = true;
    this.num.log("attach", { device: "P", detail: {} });
    this.num.deviceUp(this);
  }

  setCoverage(c: Coverage): void {
    if (this.coverage === c) return;
    this.coverage = c;
    this.num.log("coverage", { device: "P", detail: { coverage: c } });
    if (c !== "full") this.num.deviceDown(this, true);
    else this.num.deviceUp(this);
  }

  setLocation(loc: Location | undefined): void {
    this.location = loc;
  }

  /** The received messages, concatenated parts put together (R73). */
  inbox(): AssembledMessage[] {
    return reassemble(this.received.map((m) => ({ peer: m.from, text: m.text, concat: m.concat ? { ...m.concat, bits: m.concat.bits || 8 } : undefined })));
  }

  /** Live calls. */
  live(): PhoneCall[] {
    return this.calls.filter((c) => c.state !== "released");
  }

  private addCall(c: PhoneCall): void {
    this.calls.push(c);
    pruneReleased(this.calls);
  }

  private gone(c: PhoneCall, r: Release): void {
    c.state = "released";
    c.cause = r.cause;
    c.causeText = r.text;
  }

  private logCall(c: PhoneCall, outcome: CallOutcome, cause?: number): void {
    const e: CallLogEntry = { callId: c.id, number: c.number, outcome, at: this.num.net.clock.now() };
    if (cause !== undefined) e.cause = cause;
    appendBounded(this.callLog, e, this.kept);
  }

  // ---- Device: what the network tells the phone ----

  deliverIncoming(leg: Leg, cli: Cli): void {
    const c: PhoneCall = { id: leg.id, dir: "in", state: leg.state === "waiting" ? "waiting" : "incoming", number: cli.number };
    this.post(() => {
      this.addCall(c);
      this.events.emit("incoming", c);
      if (this.doNotDisturb && c.state === "incoming" && !this.num.callbackWindowOpen()) this.decline(c.id);
    });
  }

  deliverCallState(leg: Leg, state: "alerting" | "active" | "released", r?: Release): void {
    this.post(() => {
      const c = this.calls.filter((k) => k.id === leg.id)[0];
      if (!c || c.state === "released") return;
      if (state === "alerting") c.state = c.state === "dialing" ? "alerting" : c.state;
      else if (state === "active") {
        if (c.dir === "in") this.logCall(c, "answered");
        c.state = "active";
      }
      else {
        const unanswered = c.state === "incoming" || c.state === "waiting";
        this.gone(c, r || { cause: CAUSE.normal });
        if (unanswered) {
          // R24: only a call nobody took is a missed call.
          const cause = c.cause;
          this.logCall(c, cause === CAUSE.nonSelected ? "answered-elsewhere" : cause === CAUSE.rejected ? "declined-elsewhere" : "missed", cause);
        }
      }
      this.events.emit("call", c);
    });
  }

  deliverSms(deliveryId: string, pdu: string): void {
    this.post(() => {
      const tpdu = splitAtPdu(pdu).tpdu;
      if ((tpdu[0] & 3) === MTI_DELIVER) {
        const d = decodeDeliver(tpdu);
        const m: PhoneSms = { from: d.from.number, text: d.userData.text, scts: d.scts.time };
        const cc = d.userData.concat;
        if (cc) m.concat = cc.bits === 16 ? { ref: cc.ref, total: cc.total, seq: cc.seq, bits: 16 } : { ref: cc.ref, total: cc.total, seq: cc.seq };
        // R75: the same message twice (a retry after a lost acknowledgement) is stored once.
        const dup = this.received.some((o) => o.from === m.from && o.scts === m.scts && o.text === m.text && JSON.stringify(o.concat) === JSON.stringify(m.concat));
        if (!dup) {
          appendBounded(this.received, m, this.kept);
          this.events.emit("sms", m);
        }
      } else {
        const s = decodeStatusReport(tpdu);
        appendBounded(this.statusReports, { messageRef: s.messageRef, recipient: s.recipient.number, status: s.status }, this.kept);
      }
      if (this.smsAck !== "ignore") this.num.ackSms(this, deliveryId, this.smsAck);
    });
  }

  deliverUssd(r: UssdResult): void {
    this.post(() => {
      appendBounded(this.ussdResults, r, this.kept);
      this.events.emit("ussd", r);
    });
  }

  registrationChanged(): void {}
}
