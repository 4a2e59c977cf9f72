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
import { AssembledMessage, Reassembler, defaultReassemblerOptions, type CloseReason, type MessagePart, type ReassemblerOptions } from "../pdu/concat.js";
import type { TimerHandle } from "../../hal/types.js";
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
  /** The party's name, which the network presents with its calls (CNAP, 22.096) unless the number is withheld. */
  name?: string;
  /** How long an incomplete concatenated message waits for its parts, and how many may wait (default 24 h, 64). */
  reassembly?: Partial<ReassemblerOptions>;
}

class PartyEnd implements CallEnd {
  constructor(
    readonly party: OutsideParty,
    readonly pc: PartyCall,
  ) {}

  get label(): string {
    return this.party.number;
  }

  get connectedNumber(): string {
    return this.party.number;
  }

  locationUpdated(call: Call): void {
    if (call.location) this.pc.location = call.location;
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
  /**
   * Messages received, parts put together as they arrive; an incomplete one is closed
   * after `reassembly.timeoutMs` on the network's clock (or when too many are open) and
   * stays listed with `complete: false`, logged as `sms-expired`.
   */
  private readonly inbox: Reassembler;
  private expiryTimer: TimerHandle | undefined = undefined;
  /** Message parts received so far, all of them counted (the parts themselves live in the reassembler, bounded). */
  partsReceived = 0;
  /** Status reports for messages this party sent to a shared number (TP-ST values), the newest HISTORY_KEPT. */
  readonly statusReports: { to: string; status: number; at: number }[] = [];
  /** Host-side events: every part as it arrives (for whoever needs more than the kept history). */
  readonly events = typedEmitter<{ sms: (part: MessagePart) => void }>();
  autoAnswerMs: number | undefined;
  /** The name presented with this party's calls (CNAP), when any. */
  name: string | undefined;
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
    this.name = opts.name;
    this.inbox = new Reassembler({ ...defaultReassemblerOptions, ...(opts.reassembly || {}) }, (m, why) => this.closedIncomplete(m, why));
  }

  private closedIncomplete(m: AssembledMessage, why: CloseReason): void {
    this.net.log.add({
      number: "",
      kind: "sms-expired",
      detail: { party: this.number, from: m.peer, ref: m.ref, total: m.total, received: m.received.join(","), reason: why === "timeout" ? "parts missing at the reassembly time limit" : "too many incomplete messages" },
    });
  }

  /** Arms one timer, on the network's clock, for the earliest incomplete message's time limit. */
  private armExpiry(): void {
    if (this.expiryTimer !== undefined) this.net.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const due = this.inbox.nextDeadline();
    if (due === undefined) return;
    this.expiryTimer = this.net.clock.setTimeout(() => {
      this.expiryTimer = undefined;
      this.inbox.expire(this.net.clock.now());
      this.armExpiry();
    }, Math.max(0, due - this.net.clock.now()));
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
    // 22.096: a withheld number withholds the name too.
    const cli: Cli = { number: withheld ? "" : this.number, withheld, name: withheld ? undefined : this.name };
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
    const open = this.inbox.openCount;
    const m = this.inbox.add(concat ? { peer: from, text, concat } : { peer: from, text }, this.net.clock.now());
    if (this.inbox.openCount !== open || (m.complete && m.total > 1)) this.armExpiry();
    this.partsReceived++;
    this.events.emit("sms", concat ? { peer: from, text, concat } : { peer: from, text });
  }

  /** Received messages, parts put together, in the order their first part arrived (copies). */
  messages(): AssembledMessage[] {
    return this.inbox.messages.map((m) => ({ ...m, received: m.received.slice() }));
  }

  /** Concatenated messages still waiting for parts. */
  get incompleteOpen(): number {
    return this.inbox.openCount;
  }

  /** The newest call (any state). */
  get lastCall(): PartyCall | undefined {
    return this.calls[this.calls.length - 1];
  }
}
