/**
 * Parties outside the shared numbers: callers and SMS senders, the people the devices
 * call, and the emergency agencies (110, 118, 119). Tests drive them through methods
 * and read what they saw: the identity that called them (R1, R21, R38), the location an
 * emergency call carried (R52), the messages and status reports they received (R62, R66).
 */
import type { Call, CallEnd, Cli } from "./call.js";
import { CAUSE, NORMAL, Release, USER_BUSY } from "./causes.js";
import { Location, NetworkError } from "./device.js";
import type { SharedNetwork } from "./network.js";
import { AssembledMessage, MessagePart, reassemble } from "../pdu/concat.js";
import type { Alphabet, Concat } from "../pdu/userdata.js";
import { typedEmitter } from "../../hal/node/typed-emitter.js";
import { appendBounded, pruneReleased } from "./bounded.js";

export type PartyCallState = "dialing" | "alerting" | "ringing" | "active" | "released";

export interface PartyCall {
  id: string;
  dir: "in" | "out";
  /** The other side: the number called, or the caller's identity ("" withheld). */
  peer: string;
  withheld: boolean;
  state: PartyCallState;
  cause?: number;
  causeText?: string;
  /** R52: the caller's location, on a call an emergency agency received. */
  location?: Location;
  /** R44/R47: the emergency call's service category and URN, as the agency receives them. */
  emergencyService?: { categories: number; urn: string };
  /** Why the network diverted the call, when it did (R28, R29, R33, R59). */
  divertedBy?: string;
  /** Who took the call (a device id, "voicemail", a forwarded-to number). */
  answeredBy?: string;
  dtmf: string;
  readonly call: Call;
}

export interface PartyOptions {
  /** Answer incoming calls by itself this long after they ring (emergency agencies: 0). Default: never. */
  autoAnswerMs?: number;
}

class PartyEnd implements CallEnd {
  constructor(
    readonly party: OutsideParty,
    readonly pc: PartyCall,
  ) {}

  get label(): string {
    return this.party.number;
  }

  peerAlerting(call: Call): void {
    if (this.pc.state === "dialing") this.pc.state = "alerting";
    if (call.divertedBy) this.pc.divertedBy = call.divertedBy;
  }

  peerAnswered(call: Call): void {
    if (this.pc.state === "released") return;
    this.pc.state = "active";
    this.pc.answeredBy = call.b.label;
    if (call.divertedBy) this.pc.divertedBy = call.divertedBy;
  }

  peerReleased(call: Call, r: Release): void {
    this.pc.state = "released";
    this.pc.cause = r.cause;
    this.pc.causeText = r.text;
    if (call.divertedBy) this.pc.divertedBy = call.divertedBy;
  }

  peerDtmf(_call: Call, tones: string): void {
    this.pc.dtmf += tones;
  }
}

export class OutsideParty {
  /** Live calls, and the newest released ones (bounded.ts: RELEASED_CALLS_KEPT). */
  readonly calls: PartyCall[] = [];
  /** Message parts received, in arrival order: the newest HISTORY_KEPT (bounded.ts); `partsReceived` counts them all. */
  readonly parts: MessagePart[] = [];
  partsReceived = 0;
  /** Status reports for messages this party sent to a shared number (TP-ST values), the newest HISTORY_KEPT. */
  readonly statusReports: { to: string; status: number; at: number }[] = [];
  /** Host-side events: every part as it arrives (for whoever needs more than the kept history). */
  readonly events = typedEmitter<{ sms: (part: MessagePart) => void }>();
  autoAnswerMs: number | undefined;
  /** While true, incoming calls get user busy (#17). */
  busy = false;
  private ends: { [id: string]: PartyEnd } = {};
  private nextRef = 1;

  constructor(
    private readonly net: SharedNetwork,
    readonly number: string,
    opts: PartyOptions = {},
  ) {
    this.autoAnswerMs = opts.autoAnswerMs;
  }

  /** Lists a new call; released calls beyond the kept ones are forgotten. */
  private track(end: PartyEnd): void {
    this.calls.push(end.pc);
    this.ends[end.pc.id] = end;
    for (const gone of pruneReleased(this.calls)) delete this.ends[gone.id];
  }

  private pick(id: string | undefined, states: PartyCallState[]): PartyCall {
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const c = this.calls[i];
      if ((id === undefined || c.id === id) && states.indexOf(c.state) >= 0) return c;
    }
    throw NetworkError("party " + this.number + " has no " + states.join("/") + " call" + (id ? " " + id : ""), { code: "no-call" });
  }

  /** Calls `to` (a shared number or another party); `withhold` hides this party's number. */
  call(to: string, opts: { withhold?: boolean } = {}): PartyCall {
    const withheld = opts.withhold === true;
    const cli: Cli = { number: withheld ? "" : this.number, withheld };
    const call = this.net.newCall(cli, to);
    const end = new PartyEnd(this, { id: call.id, dir: "out", peer: to, withheld: false, state: "dialing", dtmf: "", call });
    call.a = end;
    this.track(end);
    this.net.connect(call, to, undefined);
    return end.pc;
  }

  /** The network offers a call to this party. */
  incoming(call: Call): void {
    const pc: PartyCall = { id: call.id, dir: "in", peer: call.cli.number, withheld: call.cli.withheld, state: "ringing", dtmf: "", call };
    if (call.location) pc.location = call.location;
    if (call.emergencyService) pc.emergencyService = call.emergencyService;
    const end = new PartyEnd(this, pc);
    call.b = end;
    this.track(end);
    if (this.busy) {
      pc.state = "released";
      pc.cause = CAUSE.userBusy;
      call.release(end, USER_BUSY);
      return;
    }
    call.alerting(end);
    if (this.autoAnswerMs !== undefined) this.net.clock.setTimeout(() => this.tryAnswer(pc), this.autoAnswerMs);
    // R28's timer on this side too: a party nobody answers for releases with #19 instead of ringing forever.
    if (this.net.params.partyNoReply) {
      this.net.clock.setTimeout(() => {
        if (pc.state === "ringing") this.reject(pc.id, CAUSE.noAnswer);
      }, this.net.params.noReplyMs);
    }
  }

  private tryAnswer(pc: PartyCall): void {
    if (pc.state === "ringing") this.answer(pc.id);
  }

  /** Answers a call ringing here (the newest by default). */
  answer(id?: string): void {
    const pc = this.pick(id, ["ringing"]);
    pc.state = "active";
    pc.call.answered(this.ends[pc.id]);
  }

  /** Refuses a call ringing here (user busy by default). */
  reject(id?: string, cause: number = CAUSE.userBusy): void {
    const pc = this.pick(id, ["ringing"]);
    pc.state = "released";
    pc.cause = cause;
    pc.call.release(this.ends[pc.id], { cause });
  }

  /** Hangs up (or abandons before answer) a call (the newest live one by default). */
  hangup(id?: string): void {
    const pc = this.pick(id, ["dialing", "alerting", "ringing", "active"]);
    pc.state = "released";
    pc.cause = CAUSE.normal;
    pc.call.release(this.ends[pc.id], NORMAL);
  }

  sendDtmf(tones: string, id?: string): void {
    const pc = this.pick(id, ["active"]);
    pc.call.dtmf(this.ends[pc.id], tones);
  }

  /** Sends an SMS to `to` (concatenated when long); `statusReport` asks for status reports (R66). */
  /** `partGapMs`: a long message's parts reach the network this far apart. */
  sendSms(to: string, text: string, opts: { alphabet?: Alphabet; statusReport?: boolean; ref?: number; msgClass?: number; partGapMs?: number } = {}): void {
    const report = opts.statusReport ? (status: number) => appendBounded(this.statusReports, { to, status, at: this.net.clock.now() }) : undefined;
    this.net.deliverText(this.number, to, text, { alphabet: opts.alphabet, ref: opts.ref === undefined ? this.nextRef++ & 0xff : opts.ref, report, msgClass: opts.msgClass, partGapMs: opts.partGapMs });
  }

  /** The network delivers a message part to this party. */
  receiveSms(from: string, text: string, concat: Concat | undefined): void {
    const part: MessagePart = concat ? { peer: from, text, concat } : { peer: from, text };
    appendBounded(this.parts, part);
    this.partsReceived++;
    this.events.emit("sms", part);
  }

  /** Received messages, parts put together. */
  messages(): AssembledMessage[] {
    return reassemble(this.parts);
  }

  /** The newest call (any state). */
  get lastCall(): PartyCall | undefined {
    return this.calls[this.calls.length - 1];
  }
}
