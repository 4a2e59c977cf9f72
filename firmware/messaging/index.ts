/**
 * The accessory's SMS (SPEC §8–§10, R62–R82, R90–R91): a persistent outbox, both delivery
 * paths into a persistent inbox, status reports, the SMS priority setting by service
 * code, and capability gating. Built by firmware/main.ts; `start()` runs each time the
 * modem becomes ready (after every bring-up).
 *
 * Console-friendly API:
 *   messaging.send("+819011112222", "hello", { statusReport: true })  -> Promise<outbox id>
 *   messaging.inbox() / outbox() / sentHistory() / quarantine()      -> Promise<list>
 *   messaging.setPriority() / queryPriority() / serviceCode("*#103#") -> Promise<PriorityResult>
 *   messaging.priorityState()                                        -> last known (R82)
 *   events: received, sent, sendFailed, statusReport, priority, quarantined, inboxEvicted, log
 *
 * Guarantees (tested by test/messaging/power-cut.test.ts, cutting the power at every
 * storage write and every AT exchange): a message `send` accepted is sent even after a
 * power cut, and a part the modem confirmed is never submitted again; a received part is
 * persisted before the modem may forget it, and each message reaches the inbox once.
 *
 * Hot and cold: this class keeps the state (state.ts: the outbox, inbox and quarantine
 * indexes, the parts held, the receiver's and the service-code runner's state, the last
 * known priority), the URC handlers, the receive queue, the timers and the boot-time
 * sync (sync.ts). The work itself is plain functions over that state in three modules
 * that the watch keeps in Storage and loads for a call (tools/bundle.ts COLD_MODULES):
 * sender.ts (`sl.out`: sending, the outbox's records, the PDU encoder), receiver.ts
 * (`sl.rcv`: receive jobs, PDU decoding, reassembly, inbox, quarantine) and priority.ts
 * (`sl.prio`: the priority setting and the USSD runner). Espruino keeps every reaction
 * attached to a promise while it was pending for as long as the promise is reachable, so
 * no promise that lives on (`loaded`, the code chain) keeps a cold module's reactions.
 */
import type { Clock, Storage, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import type { AtChannel } from "../../drivers/at/index.js";
import type { Capabilities } from "../board.js";
import { smsRefusal } from "./capability.js";
import { errorText } from "./errors.js";
import type { InboxMessage } from "./inbox.js";
import type { StatusReportEvent } from "./incoming.js";
import type { HeldPart } from "./parts.js";
import type { OutMessage } from "./outbox.js";
import { priorityChanged, priorityCode, priorityUnregistered, ussdEnd, ussdHeard, ussdReply, type PriorityHolder, type PriorityResult, type PriorityState } from "./priority.js";
import { describePriority } from "./describe.js";
import type { QuarantinedPdu } from "./quarantine.js";
import { listInbox, listQuarantine, rcvExpired, rcvLoad, rcvRouted, rcvStored, removeFromInbox, type Routing } from "./receiver.js";
import { syncJob } from "./sync.js";
import { outboxLoad, sendAccept, sendNext, sentHistory } from "./sender.js";
import { newRxState, type InboxState, type OutboxState, type QuarantineState, type RxState, type SmsHost, type UssdState } from "./state.js";
import { PRIORITY_KEY, RamStorage, Store } from "./store.js";
import type { CodeAnswer } from "./ussd.js";

export { MessagingError } from "./errors.js";
export type { MessagingErrorCode } from "./errors.js";
export type { InboxMessage } from "./inbox.js";
export type { OutMessage, OutState } from "./outbox.js";
export type { StatusReportEvent } from "./incoming.js";
export type { QuarantinedPdu } from "./quarantine.js";
export type { PriorityHolder, PriorityResult, PriorityState, PriorityFailure } from "./priority.js";
export type { Routing } from "./receiver.js";
export { parsePriorityAnswer } from "./priority.js";
export { describePriority } from "./describe.js";
export { smsRefusal } from "./capability.js";

export interface MessagingOptions {
  /** `stored` (+CMTI, what bring-up sets) or `direct` (+CMT with +CNMA; set at start). */
  routing: Routing;
  /** Messages kept in the inbox; beyond it the oldest goes (event `inboxEvicted`). */
  maxInbox: number;
  /** Identities of dropped messages remembered for duplicate detection. */
  maxSeen: number;
  /** Messages kept in the sent history. */
  maxHistory: number;
  /** Unreadable PDUs kept aside. */
  maxQuarantine: number;
  /** Parts of incomplete messages held at most; beyond it the oldest message is delivered as it is. */
  maxPendingParts: number;
  /** An incomplete message is delivered as it is this long after its first part (ms). */
  partTimeoutMs: number;
  /** Parts an outgoing message may have. */
  maxParts: number;
  /**
   * Size of the concatenation reference of outgoing messages: 16 (IE 0x08, the default:
   * devices of one number rarely meet) or 8 (IE 0x00, one septet more per part).
   */
  concatRefBits: number;
  /** Failed submissions before a message fails for good. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Time limit of AT+CMGS (ms). */
  cmgsTimeoutMs: number;
  /** Time limit of AT+CMGL / AT+CMGR (ms). */
  readTimeoutMs: number;
  /** Time limit of AT+CUSD, and the wait for its +CUSD answer (ms). */
  cusdCommandMs: number;
  ussdAnswerMs: number;
  /** Time limit of the dial fallback, and the wait for the network to release it (ms). */
  dialMs: number;
  releaseMs: number;
}

export const defaultMessagingOptions: MessagingOptions = {
  routing: "stored",
  maxInbox: 50,
  maxSeen: 200,
  maxHistory: 50,
  maxQuarantine: 20,
  maxPendingParts: 40,
  partTimeoutMs: 24 * 3600 * 1000,
  maxParts: 10,
  concatRefBits: 16,
  maxAttempts: 5,
  retryBaseMs: 10000,
  retryMaxMs: 600000,
  cmgsTimeoutMs: 120000,
  readTimeoutMs: 30000,
  cusdCommandMs: 30000,
  ussdAnswerMs: 35000,
  dialMs: 30000,
  releaseMs: 30000,
};

/** What messaging needs to know about the modem. */
export interface MessagingModemView {
  /** Bring-up is done and the modem answers (ModemManager state `ready`). */
  ready(): boolean;
  /** The modem's IMEI ("" when not read): the base of this device's concatenation references. */
  identity?(): string;
}

export type MessagingEvents = {
  /** A message reached the inbox (complete, or given up with `missing` parts). */
  received: InboxMessage;
  /** Every part of a message was accepted by the network (`+CMGS`). */
  sent: OutMessage;
  /** A message failed for good; `error` says why. */
  sendFailed: OutMessage;
  statusReport: StatusReportEvent;
  /** The last known SMS priority state changed (R82). */
  priority: PriorityState;
  quarantined: QuarantinedPdu;
  inboxEvicted: InboxMessage;
  /**
   * A USSD message the network sent by itself (`+CUSD` nobody asked for, 27.007 §7.15).
   * `replyExpected`: it waits for an answer (`ussdReply`) or a refusal (`ussdEnd`).
   * `text` comes from the network: show it escaped.
   */
  networkUssd: { status: number; text: string; replyExpected: boolean };
  log: string;
};

function copy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export class Messaging implements SmsHost {
  readonly events = new Emitter<MessagingEvents>();
  /** @internal (state.ts: what the cold parts work on) */
  readonly opts: MessagingOptions;
  /** @internal */
  readonly store: Store;
  /** @internal the outbox in RAM (outbox.ts) */
  readonly ob: OutboxState = { pending: [], history: [], nextId: 1, lastMr: 0, refCount: 0, busy: false, told: false };
  /** @internal the service-code runner's state (ussd.ts) */
  readonly us: UssdState = { phase: "", heard: undefined, waiter: undefined, timer: undefined, chain: Promise.resolve(), asks: false };
  /** @internal the last known SMS priority state (R82) */
  prio: PriorityState = { holder: "unknown", name: "", source: "none", answer: "", at: 0 };
  /** @internal the receiver's state (receiver.ts) */
  readonly rx: RxState;
  /** @internal the inbox's index (inbox.ts) */
  readonly ib: InboxState = { index: [], seen: [], nextId: 1 };
  /** @internal the quarantine's keys (quarantine.ts) */
  readonly qs: QuarantineState = { keys: [], nextId: 1 };
  /** @internal parts of incomplete messages (parts.ts) */
  readonly held: HeldPart[] = [];
  /** @internal settles once the records are read */
  loaded: Promise<void>;
  /** The board has SMS of its own (the receive and send sides exist). */
  private readonly native: boolean;
  private running = false;
  private stopped = false;
  private expiryTimer: TimerHandle | undefined = undefined;
  private sendTimer: TimerHandle | undefined = undefined;

  constructor(
    /** @internal */
    readonly channel: AtChannel,
    /** @internal */
    readonly clock: Clock,
    storage: Storage | undefined,
    /** @internal */
    readonly caps: Capabilities,
    /** @internal */
    readonly modem: MessagingModemView,
    options?: Partial<MessagingOptions>,
  ) {
    const self = this;
    // Without options the defaults themselves (never written): a copy would cost heap on the watch.
    const o = (this.opts = options ? Object.assign({}, defaultMessagingOptions, options) : defaultMessagingOptions);
    // A listener that throws must not break a persistence chain.
    this.events.onListenerError = function (err, event) {
      if (event !== "log") self.log("sms: a listener of " + event + " threw: " + errorText(err));
    };
    this.store = new Store(storage || new RamStorage());
    const rx = (this.rx = newRxState(o.routing, function (e) {
      self.log("sms: receive job failed: " + errorText(e));
    }));
    this.native = smsRefusal(caps.sms) === "";
    if (this.native) {
      // The URC handlers only queue jobs; what the jobs do is in the cold modules
      // (receiver.ts, priority.ts), loaded when a job runs.
      const stored = function (line: string) {
        rx.jobs.add(function () {
          return rcvStored(self, line);
        }, false);
      };
      channel.onUrc("+CMTI:", stored);
      channel.onUrc("+CDSI:", stored);
      // Urgent: the acknowledgement has a deadline (24.011 TR2M, some seconds).
      const routed = function (line: string, pdu: string | undefined) {
        rx.jobs.add(function () {
          return rcvRouted(self, line, pdu);
        }, true);
      };
      channel.onUrc("+CMT:", routed, { pdu: true });
      channel.onUrc("+CDS:", routed, { pdu: true });
      // +CUSD and the release of a dialled code go to the service-code runner; NO CARRIER
      // ends every call, so it is passed on only while a dialled code waits for it.
      const heard = function (line: string) {
        if (self.us.phase === "dial" || line.indexOf("+CUSD:") === 0) ussdHeard(self, line);
      };
      channel.onUrc("+CUSD:", heard);
      channel.onUrc("NO CARRIER", heard);
      channel.events.on("reboot", function () {
        self.running = false;
        self.reset();
      });
    }
    if (!storage) this.log("sms: no storage on this board: messages do not survive a restart");
    const loaded = (this.loaded = this.load());
    if (this.native) rx.jobs.hold(loaded);
    // On Espruino a promise keeps every reaction attached to it while it was pending (here
    // the start's, the queue's, and any call made during the load, some made in cold
    // modules): once loaded, a fresh promise stands for it and the first one goes.
    loaded.then(function () {
      self.loaded = Promise.resolve();
    });
  }

  private load(): Promise<void> {
    const self = this;
    const p = this.store.read(PRIORITY_KEY).then(
      function (v) {
        const st = v as PriorityState | undefined;
        if (st && typeof st.holder === "string") self.prio = st;
      },
      function (e) {
        self.log("sms: priority record unreadable: " + errorText(e));
      },
    );
    if (!this.native) return p;
    return p
      .then(function () {
        return rcvLoad(self);
      })
      .then(function () {
        return outboxLoad(self);
      })
      .then(undefined, function (e) {
        self.log("sms: loading the outbox failed: " + errorText(e));
      });
  }

  /** The modem restarted, or the firmware stops: what was queued is re-read by the next sync. */
  private reset(): void {
    const rx = this.rx;
    rx.active = false;
    rx.jobs.clear();
    rx.mem1 = "";
  }

  /**
   * The modem is ready (after every bring-up): read what it stored while we were away,
   * set routing, and go on sending. Does nothing on boards without native SMS.
   */
  start(): void {
    if (this.stopped || !this.native) return;
    this.running = true;
    const rx = this.rx;
    rx.active = true;
    rx.jobs.clear();
    rx.mem1 = "";
    rx.recovering = false;
    const self = this;
    rx.jobs.add(function () {
      return syncJob(self, false);
    }, false);
    this.loaded.then(function () {
      self.armExpiry();
      self.kick();
    });
  }

  /** Sending may go on again (a hold such as an emergency call set-up ended). */
  resume(): void {
    if (this.running) this.kick();
  }

  /** @internal A line for the firmware's log. */
  log(line: string): void {
    this.events.emit("log", line);
  }

  /**
   * @internal Sends what is due, one part at a time (sender.ts, a cold module on the
   * watch), while the modem is ready and nothing holds sending; arms a timer for the next
   * message due otherwise.
   */
  kick(): void {
    const ob = this.ob;
    // Nothing pending: sender.ts is not loaded only to find that out.
    if (this.stopped || ob.busy || ob.pending.length === 0 || !this.native || !this.running || !this.modem.ready()) return;
    ob.busy = true;
    const self = this;
    sendNext(this).then(function (wait) {
      ob.busy = false;
      if (wait === 0) self.kick();
      else if (wait > 0 && !self.stopped) {
        if (self.sendTimer !== undefined) self.clock.clearTimeout(self.sendTimer);
        self.sendTimer = self.clock.setTimeout(function () {
          self.sendTimer = undefined;
          self.kick();
        }, wait);
      }
    });
  }

  /**
   * @internal Puts incomplete messages whose time is up into the inbox, on the receive
   * queue: armed for the oldest part held.
   */
  armExpiry(): void {
    if (this.stopped || !this.native) return;
    let first = Infinity;
    for (let i = 0; i < this.held.length; i++) if (this.held[i].at < first) first = this.held[i].at;
    if (this.expiryTimer !== undefined) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (first === Infinity) return;
    const self = this;
    const at = first + this.opts.partTimeoutMs;
    const now = this.clock.now();
    this.expiryTimer = this.clock.setTimeout(function () {
      self.expiryTimer = undefined;
      self.rx.jobs.add(function () {
        return rcvExpired(self);
      }, false);
    }, at > now ? at - now : 0);
  }

  /** Stops timers and sending (the firmware is shutting down). */
  stop(): void {
    this.stopped = true;
    this.running = false;
    if (this.sendTimer !== undefined) this.clock.clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    if (this.native) this.reset();
    if (this.expiryTimer !== undefined) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
  }

  /** "" when this board can use SMS, else the sentence to show before the user writes (R64, R65). */
  capability(): string {
    return smsRefusal(this.caps.sms);
  }

  /**
   * Accepts a message for sending: validates the recipient and the text (cheapest
   * alphabet, at most `maxParts` parts), makes it durable, and resolves with its outbox
   * id. Sending goes on in the background (`sent`, `sendFailed`, `statusReport`).
   * Rejects with MessagingError (`capability`, `bad-number`, `bad-text`, `too-long`,
   * `storage`) before anything reaches the modem.
   */
  send(to: string, text: string, options?: { statusReport?: boolean }): Promise<number> {
    return sendAccept(this, to, text, options);
  }

  /** Received messages, oldest first. */
  inbox(): Promise<InboxMessage[]> {
    const self = this;
    return this.loaded.then(function () {
      return listInbox(self);
    });
  }

  /** Deletes a received message; false when there is none with that id. */
  deleteMessage(id: number): Promise<boolean> {
    const self = this;
    return this.loaded.then(function () {
      return removeFromInbox(self, id);
    });
  }

  /** Messages accepted and not yet sent or failed, oldest first. */
  outbox(): Promise<OutMessage[]> {
    const self = this;
    return this.loaded.then(function () {
      return copy(self.ob.pending);
    });
  }

  /** Sent and failed messages, oldest first; kept on this device only (R63). */
  sentHistory(): Promise<OutMessage[]> {
    return sentHistory(this);
  }

  /** PDUs the modem gave that could not be read, with why. */
  quarantine(): Promise<QuarantinedPdu[]> {
    const self = this;
    return this.loaded.then(function () {
      return listQuarantine(self);
    });
  }

  /** The last known SMS priority state (R82). */
  priorityState(): PriorityState {
    return this.prio;
  }

  /** The state in words, e.g. "another accessory: Car". */
  priorityText(): string {
    return describePriority(this.prio);
  }

  /** Makes this accessory the SMS priority device (`*103*1#`); `"smartphone"` is refused here (R69). */
  setPriority(target?: "accessory" | "smartphone"): Promise<PriorityResult> {
    return this.serviceCode(target === "smartphone" ? "*103*0#" : "*103*1#");
  }

  /** Asks which device has priority (`*#103#`). */
  queryPriority(): Promise<PriorityResult> {
    return this.serviceCode("*#103#");
  }

  /** A service code as typed (`*103*1#`, `*#103#`; `*103*0#` is refused, R69). */
  serviceCode(code: string): Promise<PriorityResult> {
    const self = this;
    return this.loaded.then(function () {
      return priorityCode(self, code);
    });
  }

  /**
   * Answers a network-initiated USSD request that waits for one; resolves with the
   * network's next message, or why not. Never rejects.
   */
  ussdReply(text: string): Promise<CodeAnswer> {
    return ussdReply(this, text);
  }

  /** Declines a network-initiated USSD request (ends the session). */
  ussdEnd(): Promise<void> {
    return ussdEnd(this);
  }

  /** R72: this device was unregistered; a priority it held goes back to the smartphone. */
  unregistered(): Promise<PriorityState> {
    const self = this;
    return this.loaded.then(function () {
      return priorityUnregistered(self);
    });
  }

  /** For the companion link: the priority changed on another device (R82). */
  priorityChanged(state: { holder: PriorityHolder; name?: string }): Promise<PriorityState> {
    const self = this;
    return this.loaded.then(function () {
      return priorityChanged(self, state);
    });
  }
}
