/**
 * The firmware's one front door (DESIGN "One front door, many front-ends"): commands in,
 * events out, as plain data. The console (`npm start`, `sharedline run`), the control
 * socket of a car unit, the watch's own code and REPL, MQTT commands and the scenario
 * runner all drive the firmware through this object (`fw.api`) and nothing else, the way
 * oFono's and ModemManager's UIs go through one D-Bus interface.
 *
 * - Every command answers a Promise of `{ ok: true, ...data }` or
 *   `{ ok: false, reason, message }`: a machine-readable reason and one sentence for
 *   people. A command never rejects and never throws.
 * - Events have the same names everywhere (`API_EVENTS`) and carry snapshots, never the
 *   firmware's live objects.
 * - A command that needs the modem and comes before bring-up is done waits for it
 *   (`readyWaitMs`) instead of being lost to the boot banner; an emergency dial is never
 *   refused by that wait: at its end it goes to the line whatever the modem's state.
 *
 * Portable (Espruino): Promise chains only, no Node built-ins. Documented with an example
 * per command in docs/api.md; `firmware/commands.ts` maps console lines onto it.
 */
import type { Clock } from "../hal/types.js";
import { Emitter } from "../hal/emitter.js";
import { atDialString, type AtChannel } from "../drivers/at/index.js";
import type { Call } from "./line/call.js";
import { emergencyDialString } from "./line/emergency.js";
import type { ActionResult, Line, LineEvents, LineState, QuietMode } from "./line/line.js";
import { MessagingError, describePriority, type Messaging, type MessagingEvents, type PriorityResult, type PriorityState } from "./messaging/index.js";
import type { ModemManager } from "./modem/manager.js";
import type { Activation, ActivationInfo } from "./activation/activation.js";
import type { OneNumberState } from "./activation/one-number.js";
import { deleteProfile, isIccid } from "./activation/profiles.js";
import type { ModemState } from "./modem/machine.js";
import type { SimLock } from "./modem/pin.js";
import { seconds, Waits, okReply } from "./api/waits.js";
import {
  API_EVENTS,
  callWaitStates,
  callInfo,
  camelReason,
  failure,
  plain,
  type ApiEventName,
  type ApiEvents,
  type CallInfo,
  type CallReply,
  type CallWaitState,
  type CompanionInfo,
  type DataInfo,
  type PriorityInfo,
  type Reply,
  type Snapshot,
  type StatusInfo,
} from "./api/types.js";
import type { CallLogEntry } from "./line/log.js";
import type { DataStack } from "./data/index.js";
import type { PriorityHolder } from "./messaging/priority.js";
import type { InboxMessage, OutMessage } from "./messaging/index.js";
import type { Location } from "./location.js";

export * from "./api/types.js";

/** The parts of the firmware the API wraps (firmware/main.ts passes them). */
export interface ApiParts {
  clock: Clock;
  channel: AtChannel;
  modem: ModemManager;
  line: Line;
  messaging: Messaging;
  /** The firmware's log lines and storage faults. */
  log: Emitter<{ log: string; storage: { ok: boolean; message: string } }>;
  /** One Number activation (R7, R18); optional so that parts-only tests can leave it out. */
  activation?: Activation;
  /** The accessory's own data session (R83), when the board runs one. */
  data?: DataStack;
  /** The device's own position for emergency calls (R52); optional like `activation`. */
  location?: Location;
  /** The one owner of "One Number active / not active" and its sentence (R18): the `service` event. */
  oneNumber: OneNumberState;
}

/** What the API reads of the companion link (firmware/companion/link.ts), wired by createFirmware. */
export interface CompanionView {
  status(): { name: string };
  /** Calls `fn` with the link's state name on every change. */
  onState(fn: (name: string) => void): void;
}

export interface ApiOptions {
  /** How long a command that needs the modem waits for bring-up (ms). */
  readyWaitMs: number;
  /** Default limit of `waitReady`, `waitIncoming` and `waitCall` (ms). */
  waitMs: number;
}

export const defaultApiOptions: ApiOptions = { readyWaitMs: 60000, waitMs: 60000 };

type AnyListener = (name: ApiEventName, data: unknown) => void;

function callReply(r: ActionResult): CallReply {
  if (!r.ok) return failure(r.reason, r.message);
  return { ok: true, call: r.call ? callInfo(r.call) : null };
}

function priorityReply(r: PriorityResult): Reply<PriorityInfo & { message: string }> {
  if (!r.ok) return failure(camelReason(r.reason), r.message);
  return { ok: true, priority: plain(r.state), text: describePriority(r.state), message: r.message };
}

function thrown(e: unknown): { reason: string; message: string } {
  if (MessagingError.is(e)) return { reason: camelReason(e.code), message: e.message };
  return { reason: "failed", message: e instanceof Error ? e.message : String(e) };
}

/** Why an emergency dial waits for a silent modem, and what happens next. */
function silentModemWords(reset: "reset" | "powerKey" | "none"): string {
  // Short: the watch's Storage is nearly full, and every byte of text is in it.
  return "modem is not answering; " + (reset === "none" ? "no reset pin" : "power-cycled with its " + (reset === "reset" ? "reset pin" : "power key") + " if it stays so") + "; the call goes out as soon as the modem answers; hangup cancels it";
}

export class FirmwareApi {
  /** Typed events; `onAny` gets all of them by name. */
  readonly events = new Emitter<ApiEvents>();
  private readonly opts: ApiOptions;
  private readonly waits: Waits;
  private readonly anyListeners: AnyListener[] = [];
  /** The last call that ended and how many did (`waitCall("ended")` waits for the next). */
  private lastEnded: CallInfo | undefined;
  private endedCount = 0;
  /** Dials waiting for bring-up; `hangup` cancels them. */
  private waitingDials: { cancelled: boolean }[] | undefined;
  /** Set by `quiet` (off until then). */
  private quietMode: QuietMode | undefined;
  /** Undefined or "" while storage works, else its last error. */
  private storageState: string | undefined;
  /** The trace's unsubscribes while it is on. */
  private traceOff: (() => void)[] | undefined;
  /** The modem state last told (name and error), so that a counter alone is not told again. */
  private modemSaid = "";
  private stopped: boolean | undefined;
  private companion: CompanionView | undefined;

  constructor(
    private readonly parts: ApiParts,
    options?: Partial<ApiOptions>,
  ) {
    // Without options the defaults themselves (never written): a copy would cost heap on the watch.
    this.opts = options ? Object.assign({}, defaultApiOptions, options) : defaultApiOptions;
    this.waits = new Waits(parts.clock);
    this.wire();
  }

  /** Clock time of the first write since the modem last said something final; -1: none. */
  private writtenSince = -1;

  // ---- events ----

  /** Subscribes to every event; returns the unsubscribe. */
  onAny(fn: AnyListener): () => void {
    const list = this.anyListeners;
    list.push(fn);
    return function () {
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  private emit<K extends ApiEventName>(name: K, data: ApiEvents[K]): void {
    try {
      this.events.emit(name, data);
      const list = this.anyListeners.slice();
      for (let i = 0; i < list.length; i++) list[i](name, data);
    } finally {
      this.waits.poke();
    }
  }

  /**
   * Subscribes the API to the parts' events. One function (`relay`) for all of them, told
   * apart by the event's name (hal/emitter.ts passes it): on the watch a function per
   * event cost about six heap blocks each, some 170 for the API alone.
   */
  private wire(): void {
    const self = this;
    const p = this.parts;
    // A bound method, not a closure: a closure made here would keep wire()'s scope.
    const relay = this.relay.bind(this);
    const line = p.line.events;
    line.on("incoming", relay);
    line.on("callChanged", relay);
    line.on("callEnded", relay);
    line.on("lineState", relay);
    line.on("logged", relay);
    line.on("emergency", relay);
    line.on("adopted", relay);
    const sms = p.messaging.events;
    sms.on("received", relay);
    sms.on("sent", relay);
    sms.on("sendFailed", relay);
    sms.on("statusReport", relay);
    sms.on("networkUssd", relay);
    sms.on("priority", relay);
    const m = p.modem.events;
    m.on("state", relay);
    m.on("identified", relay);
    m.on("registration", relay);
    m.on("signal", relay);
    m.on("operator", relay);
    p.oneNumber.events.on("service", relay);
    m.on("emergencyNumbers", relay);
    m.on("simLock", relay);
    if (p.location) p.location.events.on("report", relay);
    const act = p.activation;
    if (act) act.events.on("activation", relay);
    p.log.on("log", relay);
    p.log.on("storage", relay);
    const data = p.data;
    if (data) {
      let last = "";
      data.session.events.on("state", function () {
        const info = self.dataInfo()!;
        // The machine's state changes often inside one name (failure counts, timers): one event per name and address.
        const key = info.state + " " + info.address;
        if (key === last) return;
        last = key;
        self.emit("data", info);
      });
    }
    const ch = p.channel.events;
    ch.on("unsolicited", relay);
    ch.on("overflow", relay);
    // For `atSilentMs`: the first write after the modem's last final result.
    ch.on("tx", relay);
    ch.on("answered", relay);
  }

  /** One event of a part (`ev`, its payload `x`) as the API's event, with plain data. */
  private relay(x: unknown, ev: string): void {
    switch (ev) {
      case "incoming":
        return this.emit("incoming", callInfo(x as Call));
      case "callChanged":
        return this.emit("callChanged", callInfo(x as Call));
      case "adopted":
        return this.emit("adopted", callInfo(x as Call));
      case "callEnded": {
        const info = callInfo(x as Call);
        // Kept only while the event is out: the waits it pokes read it then (heap on the watch).
        this.lastEnded = info;
        this.endedCount++;
        try {
          return this.emit("callEnded", info);
        } finally {
          this.lastEnded = undefined;
        }
      }
      case "lineState":
        return this.emit("lineState", { state: x as LineState });
      case "logged":
        return this.emit("logged", plain(x as CallLogEntry));
      case "emergency": {
        const e = x as LineEvents["emergency"];
        if (e.phase === "waiting") {
          // A person who dialled 110 and hears nothing must learn why and what comes next.
          return this.emit("emergency", { phase: e.phase, callId: e.callId, attempts: e.attempts, reason: "modemSilent", message: silentModemWords(this.parts.modem.hardwareReset()) });
        }
        return this.emit("emergency", { phase: e.phase, callId: e.callId, attempts: e.attempts });
      }
      case "received":
        return this.emit("smsReceived", plain(x as ApiEvents["smsReceived"]));
      case "sent":
        return this.emit("smsSent", plain(x as ApiEvents["smsSent"]));
      case "sendFailed":
        return this.emit("smsFailed", plain(x as ApiEvents["smsFailed"]));
      case "statusReport":
        return this.emit("statusReport", plain(x as ApiEvents["statusReport"]));
      case "networkUssd": {
        const u = x as MessagingEvents["networkUssd"];
        return this.emit("networkUssd", { status: u.status, text: u.text, replyExpected: u.replyExpected });
      }
      case "priority": {
        const s = x as PriorityState;
        return this.emit("priority", { priority: plain(s), text: describePriority(s) });
      }
      case "state": {
        const s = x as ModemState;
        // A count that changed (reboots, failures) alone is no news for the state line.
        const said = s.name + "|" + s.lastError;
        if (said !== this.modemSaid) this.emit("modemState", plain(s));
        this.modemSaid = said;
        if (s.name === "ready") this.emit("ready", { info: plain(this.parts.modem.status().info) });
        return;
      }
      case "identified":
        return this.emit("identified", plain(x as ApiEvents["identified"]));
      case "registration":
        return this.emit("registration", plain(x as ApiEvents["registration"]));
      case "signal":
        return this.emit("signal", plain(x as ApiEvents["signal"]));
      case "operator":
        return this.emit("operator", plain(x as ApiEvents["operator"]));
      case "service":
        return this.emit("service", plain(x as ApiEvents["service"]));
      case "emergencyNumbers":
        return this.emit("emergencyNumbers", { numbers: (x as string[]).slice() });
      case "simLock": {
        const l = x as SimLock;
        return this.emit("simLock", { state: l.state, triesLeft: l.triesLeft === undefined ? null : l.triesLeft, refused: l.refused });
      }
      case "report":
        return this.emit("position", plain(x as ApiEvents["position"]));
      case "activation":
        return this.emit("activation", plain(x as ApiEvents["activation"]));
      case "log":
        return this.emit("log", { text: x as string });
      case "storage": {
        const st = x as { ok: boolean; message: string };
        this.storageState = st.ok ? "" : st.message;
        return this.emit("storage", { ok: st.ok, message: st.message });
      }
      case "unsolicited":
        return this.emit("unsolicited", { line: x as string });
      case "overflow":
        return this.emit("overflow", { bytes: x as number });
      case "tx":
        if (this.writtenSince < 0) this.writtenSince = this.parts.clock.now();
        return;
      case "answered":
        this.writtenSince = -1;
        return;
    }
  }

  /** Emits `at` events for every AT line in and out while on (a bench aid; off by default). */
  trace(on: boolean): void {
    const offs = this.traceOff;
    if (offs) for (let i = 0; i < offs.length; i++) offs[i]();
    this.traceOff = undefined;
    if (!on) return;
    const self = this;
    const ev = this.parts.channel.events;
    this.traceOff = [
      ev.on("tx", function (b) {
        self.emit("at", { dir: "tx", data: b });
      }),
      ev.on("rx", function (l) {
        self.emit("at", { dir: "rx", data: l });
      }),
    ];
  }

  /** Ends every wait (the firmware is stopping); later commands are refused. */
  stop(): void {
    this.stopped = true;
    this.trace(false);
    this.waits.cancelAll("stopped", "the firmware is stopping");
  }

  // ---- readiness ----

  /**
   * Resolves when bring-up is done, at once if it is. A SIM that needs its PIN ends the
   * wait with `simLocked` (a person must act: `pin`), no usable SIM with `noProfile` (One
   * Number not set up yet) or `noSim`.
   */
  waitReady(ms?: number): Promise<Reply<{ modem: string }>> {
    const modem = this.parts.modem;
    const limit = ms === undefined ? this.opts.waitMs : ms;
    return this.waits.until(
      function () {
        const n = modem.status().state.name;
        return n === "ready" || n === "simLocked" || n === "noSim" ? { modem: n } : undefined;
      },
      limit,
      "the modem was not ready",
    ).then((r) => (r.ok && this.simRefusal(r.modem)) || r);
  }

  /**
   * Waits for bring-up before a command that needs the modem: gives the modem's state
   * once bring-up is over (`ready`, or `simLocked`), `notReady` after `readyWaitMs`.
   * A `cancel` token set (and poked) ends the wait early.
   */
  private gate(cancel?: { cancelled: boolean }): Promise<Reply<{ modem: string }>> {
    if (this.stopped) return Promise.resolve(failure("stopped", "the firmware is stopping"));
    const modem = this.parts.modem;
    const ms = this.opts.readyWaitMs;
    return this.waits.until(
      function () {
        const n = modem.status().state.name;
        // Bring-up under way: a command written now would be lost to the banner.
        const bringingUp = n === "off" || n === "bringingUp" || n === "backoff" || n === "resetting";
        return bringingUp && !(cancel && cancel.cancelled) ? undefined : { modem: n };
      },
      ms,
      "the modem did not come up",
    ).then(function (r) {
      if (r.ok || r.reason !== "timeout") return r;
      const st = modem.status().state;
      return failure("notReady", "the modem is not ready (" + st.name + (st.lastError ? ": " + st.lastError : "") + ") after " + seconds(ms));
    });
  }

  // ---- calls ----

  /**
   * Dials `number`. Emergency numbers (R45, R53) always reach the line, which places them
   * whatever else goes on; other numbers wait for bring-up and are refused without a SIM.
   */
  dial(number: string): Promise<CallReply> {
    const p = this.parts;
    let digits: string;
    try {
      digits = atDialString(number);
    } catch (e) {
      return Promise.resolve(failure("badNumber", thrown(e).message));
    }
    // R45, R46: an emergency number goes to the line at once, whatever the modem's state:
    // the line keeps it through bring-up, reboots and resets until placed or cancelled.
    if (emergencyDialString(digits, p.modem.status().emergencyNumbers) !== undefined) {
      if (this.stopped) return Promise.resolve(failure("stopped", "the firmware is stopping"));
      return p.line.dial(number).then(callReply);
    }
    const dial = { cancelled: false };
    const waiting = this.waitingDials || (this.waitingDials = []);
    waiting.push(dial);
    const self = this;
    return this.gate(dial).then(function (r) {
      waiting.splice(waiting.indexOf(dial), 1);
      if (dial.cancelled) return failure("cancelled", "the call was cancelled before it was placed");
      if (!r.ok) return r;
      // R18: with One Number not active (or no profile yet) only emergency calls are offered.
      const off = self.notActive() || self.simRefusal(r.modem);
      if (off) return off;
      return p.line.dial(number).then(callReply);
    });
  }

  answer(): Promise<CallReply> {
    return this.parts.line.answer().then(callReply);
  }

  /** Declines the incoming call everywhere (R26) or the waiting call (user busy, R34). */
  reject(): Promise<CallReply> {
    return this.parts.line.reject().then(callReply);
  }

  /** Ends `callId`, or every call; also cancels a dial still waiting for bring-up. */
  hangup(callId?: number): Promise<CallReply> {
    if (callId !== undefined && (typeof callId !== "number" || callId !== Math.floor(callId) || callId < 1)) {
      return Promise.resolve(failure("badCall", "not a call id: " + callId));
    }
    const waiting = this.waitingDials;
    if (waiting && waiting.length > 0 && callId === undefined) {
      for (let i = 0; i < waiting.length; i++) waiting[i].cancelled = true;
      this.waits.poke();
      if (this.parts.line.current().length === 0) return Promise.resolve({ ok: true, call: null } as CallReply);
    }
    return this.parts.line.hangup(callId).then(callReply);
  }

  /** Holds the active call, or swaps active and held (27.007 §7.13 CHLD=2). */
  hold(): Promise<CallReply> {
    return this.parts.line.holdOrSwap().then(callReply);
  }

  /** Answers the waiting call, holding (`hold`) or ending (`release`) the active one (R34). */
  acceptWaiting(how: "hold" | "release"): Promise<CallReply> {
    if (how !== "hold" && how !== "release") return Promise.resolve(failure("usage", "accept a waiting call with hold or release"));
    return this.parts.line.acceptWaiting(how).then(callReply);
  }

  dtmf(tones: string): Promise<CallReply> {
    return this.parts.line.dtmf(tones).then(callReply);
  }

  /** Do-not-disturb for incoming calls; never in the emergency call-back window (R57). */
  quiet(mode: QuietMode): Promise<Reply<{ quiet: QuietMode }>> {
    if (mode !== "off" && mode !== "silence" && mode !== "reject") return Promise.resolve(failure("usage", "quiet is off, silence or reject"));
    this.parts.line.setQuiet(mode);
    this.quietMode = mode;
    return Promise.resolve({ ok: true, quiet: mode } as Reply<{ quiet: QuietMode }>);
  }

  calls(): Promise<Reply<{ calls: CallInfo[] }>> {
    return Promise.resolve({ ok: true, calls: this.parts.line.current().map(callInfo) } as Reply<{ calls: CallInfo[] }>);
  }

  /** The call log of this device, oldest first (R24, R25). */
  log(): Promise<Reply<{ entries: CallLogEntry[] }>> {
    return Promise.resolve({ ok: true, entries: plain(this.parts.line.log.list()) } as Reply<{ entries: CallLogEntry[] }>);
  }

  /** Resolves when a call rings here or waits (at once if one does). */
  waitIncoming(ms?: number): Promise<Reply<{ call: CallInfo }>> {
    const line = this.parts.line;
    return this.waits.until(
      function () {
        const c = line.current().filter((x) => x.status === "incoming" || x.status === "waiting");
        return c.length > 0 ? { call: callInfo(c[0]) } : undefined;
      },
      ms === undefined ? this.opts.waitMs : ms,
      "no incoming call",
    );
  }

  /**
   * Resolves when a call is in `state` (at once if one is); `none` when no call is left,
   * `ended` at the next end of a call.
   */
  waitCall(state: CallWaitState, ms?: number): Promise<Reply<{ call: CallInfo | null }>> {
    const states = callWaitStates();
    if (states.indexOf(state) < 0) return Promise.resolve(failure("usage", "a call state is one of " + states.join(", ")));
    const line = this.parts.line;
    const self = this;
    const endedBefore = this.endedCount;
    return this.waits.until(
      function () {
        if (state === "ended") return self.endedCount > endedBefore ? { call: self.lastEnded! } : undefined;
        const calls = line.current();
        if (state === "none") return calls.length === 0 ? { call: null } : undefined;
        const c = calls.filter((x) => x.status === state);
        return c.length > 0 ? { call: callInfo(c[0]) } : undefined;
      },
      ms === undefined ? this.opts.waitMs : ms,
      state === "none" ? "calls did not end" : state === "ended" ? "no call ended" : "no call became " + state,
    );
  }

  // ---- SMS ----

  /** Accepts a message for sending (stored first; `smsSent`/`smsFailed` follow). */
  sendSms(to: string, text: string, options?: { statusReport?: boolean }): Promise<Reply<{ id: number }>> {
    const off = this.notActive();
    if (off) return Promise.resolve(off);
    return this.parts.messaging.send(to, text, options).then(
      function (id) {
        return { ok: true, id: id } as Reply<{ id: number }>;
      },
      function (e) {
        const t = thrown(e);
        return failure(t.reason, t.message);
      },
    );
  }

  /** Received messages, oldest first. */
  inbox(): Promise<Reply<{ messages: InboxMessage[] }>> {
    return this.parts.messaging.inbox().then(
      function (messages) {
        return { ok: true, messages: plain(messages) } as Reply<{ messages: InboxMessage[] }>;
      },
      function (e) {
        return failure("storage", thrown(e).message);
      },
    );
  }

  /** Messages not yet sent (`pending`) and the sent history (`sent`), oldest first. */
  outbox(): Promise<Reply<{ pending: OutMessage[]; sent: OutMessage[] }>> {
    const m = this.parts.messaging;
    return Promise.all([m.outbox(), m.sentHistory()]).then(
      function (r) {
        return { ok: true, pending: r[0], sent: plain(r[1]) } as Reply<{ pending: OutMessage[]; sent: OutMessage[] }>;
      },
      function (e) {
        return failure("storage", thrown(e).message);
      },
    );
  }

  /** The SMS priority as last known (R82), without asking the network. */
  priority(): Promise<Reply<PriorityInfo>> {
    const s = this.parts.messaging.priorityState();
    return Promise.resolve({ ok: true, priority: plain(s), text: describePriority(s) } as Reply<PriorityInfo>);
  }

  /** Makes this accessory the SMS priority device (`*103*1#`, R69). */
  prioritySet(): Promise<Reply<PriorityInfo & { message: string }>> {
    const m = this.parts.messaging;
    return this.afterGate(function () {
      return m.setPriority().then(priorityReply);
    });
  }

  /** Asks the network which device has the SMS priority (`*#103#`). */
  priorityQuery(): Promise<Reply<PriorityInfo & { message: string }>> {
    const m = this.parts.messaging;
    return this.afterGate(function () {
      return m.queryPriority().then(priorityReply);
    });
  }

  /** A service code as typed (`*103*1#`, `*#103#`; `*103*0#` is refused here, R69). */
  serviceCode(code: string): Promise<Reply<PriorityInfo & { message: string }>> {
    const m = this.parts.messaging;
    return this.afterGate(function () {
      return m.serviceCode(code).then(priorityReply);
    });
  }

  /**
   * Answers a USSD request the network started (`networkUssd` with `replyExpected`):
   * `{ok: true, text, replyExpected}` with the network's next message.
   */
  ussdReply(text: string): Promise<Reply<{ text: string; replyExpected: boolean }>> {
    if (typeof text !== "string" || text === "") return Promise.resolve(failure("usage", "a USSD answer is some text"));
    return this.parts.messaging.ussdReply(text).then(function (a) {
      if (a.kind === "answer") return { ok: true, text: a.cusd.text, replyExpected: a.cusd.status === 1 } as Reply<{ text: string; replyExpected: boolean }>;
      if (a.kind === "no-answer") return failure("noAnswer", "no answer from the network");
      if (a.kind === "failed") return failure("failed", a.message);
      return failure("failed", "the network did not answer by USSD");
    });
  }

  /** Declines (ends) a USSD session the network started. */
  ussdEnd(): Promise<Reply<{ [k: string]: never }>> {
    return this.parts.messaging.ussdEnd().then(
      function () {
        return { ok: true } as Reply<{ [k: string]: never }>;
      },
      function (e: unknown) {
        return failure("failed", thrown(e).message);
      },
    );
  }

  private afterGate<T extends object>(act: () => Promise<Reply<T>>): Promise<Reply<T>> {
    return this.gate().then((r) => {
      if (!r.ok) return r;
      return this.simRefusal(r.modem) || act();
    });
  }

  /**
   * Why a command cannot use the SIM in modem state `n`, else undefined: a locked SIM wants
   * its PIN; none at all (+CME ERROR: 10) is One Number not set up when the firmware has
   * activation, which then says how to register.
   */
  private simRefusal(n: string): { ok: false; reason: string; message: string } | undefined {
    if (n === "simLocked") return failure("simLocked", "the SIM is locked: enter its PIN (pin <code>)");
    if (n !== "noSim") return undefined;
    return this.notActive() || failure("noSim", "no usable SIM (" + this.parts.modem.status().state.lastError + "): only emergency calls can be made");
  }

  /**
   * R18's fast path: the companion link's management command "this accessory was
   * unregistered" (the web management site, P's app). The same as the network's denial,
   * without waiting for the registration report.
   */
  managementUnregistered(reason?: string): Promise<Reply<{ activation: ActivationInfo | null; data: DataInfo | null }>> {
    if (reason !== undefined && typeof reason !== "string") return Promise.resolve(failure("usage", "a reason is some text"));
    const why = reason ? reason : "unregistered on the management site";
    const p = this.parts;
    const a = p.activation;
    // R18: the one owner of the state hears it (activation.unregistered() is the same call).
    p.oneNumber.management();
    // R15: the accessory's own data stops at once; only the network's next registration report lifts it.
    if (p.data) p.data.session.unregistered("management: " + why);
    p.log.emit("log", "unregistered by the management (" + why + "): data stopped; the network's registration report decides the rest");
    return Promise.resolve(okReply({ activation: a ? plain(a.status()) : null, data: this.dataInfo() }));
  }

  /**
   * R82: the SMS priority moved on another device (the smartphone's setting, or an
   * accessory's `*103*1#`), as the companion link's backend reports it. The accessory's
   * setting follows without sending any code; a later `*#103#` answer still wins by recency.
   */
  priorityChangedElsewhere(holder: PriorityHolder, name?: string): Promise<Reply<PriorityInfo>> {
    // The holders accepted: the smartphone, this accessory, another one.
    if (holder !== "smartphone" && holder !== "this" && holder !== "other") return Promise.resolve(failure("usage", "the holder is one of smartphone, this, other"));
    const change: { holder: PriorityHolder; name?: string } = { holder: holder };
    if (name !== undefined) change.name = name;
    return this.parts.messaging.priorityChanged(change).then(
      function (st) {
        return { ok: true, priority: plain(st), text: describePriority(st) } as Reply<PriorityInfo>;
      },
      function (e: unknown) {
        const t = thrown(e);
        return failure(t.reason, t.message);
      },
    );
  }

  /**
   * Reads the registration again now (`AT+CEREG?`, `AT+CREG?`; 27.007 §7.2, §10.1.22)
   * instead of waiting for the next report: the companion link asks for it when the broker
   * refuses its credentials, which is what an unregistered accessory sees first.
   */
  checkRegistration(): Promise<Reply<{ modem: string }>> {
    const modem = this.parts.modem;
    const n = modem.status().state.name;
    if (n !== "ready") return Promise.resolve(failure("notReady", "the modem is not ready (" + n + ")"));
    modem.checkHealth();
    return Promise.resolve(okReply({ modem: n }));
  }

  /** The data session now, null on a firmware without one. */
  private dataInfo(): DataInfo | null {
    const d = this.parts.data;
    if (!d) return null;
    const st = d.session.status();
    return { state: st.name, address: st.name === "up" ? st.address : "", reason: st.name === "up" ? "" : st.reason };
  }

  private companionInfo(): CompanionInfo | null {
    const c = this.companion;
    if (!c) return null;
    const name = c.status().name;
    return { state: name, online: name === "online" };
  }

  /** Composition only (createFirmware): the companion link, for its events and `status()`. */
  useCompanion(link: CompanionView): void {
    const self = this;
    this.companion = link;
    let last = "";
    link.onState(function (name) {
      if (name === last) return;
      last = name;
      self.emit("companion", self.companionInfo()!);
    });
  }

  /**
   * The LPA deletes a profile from the eUICC (SGP.22 ES10c.DisableProfile then
   * DeleteProfile): P's One Number app asks for it when the entitlement server says the
   * profile in use may not be used again (TS.43 SubscriptionResult 6). Without a profile
   * the accessory then says how to register, and P's app goes on with the download.
   */
  deleteProfile(iccid: string): Promise<Reply<{ iccid: string }>> {
    if (!isIccid(iccid)) return Promise.resolve(failure("usage", "an ICCID is 18 to 20 digits"));
    const self = this;
    return this.parts.modem.whenReady(this.opts.readyWaitMs).then(function (ready): Promise<Reply<{ iccid: string }>> | Reply<{ iccid: string }> {
      const n = self.parts.modem.status().state.name;
      if (!ready && n !== "simLocked" && n !== "noSim") return failure("notReady", "the modem is not ready");
      return deleteProfile(self.parts.channel, iccid).then(function (o): Reply<{ iccid: string }> {
        if (!o.ok) return failure(o.reason, o.message);
        self.emit("log", { text: "profile " + iccid + " deleted from this device's eUICC, as P's One Number app asked" });
        return okReply({ iccid: iccid });
      });
    });
  }

  /** R18: the refusal while One Number is not active on this device (or it has no profile yet), else undefined. */
  private notActive(): { ok: false; reason: string; message: string } | undefined {
    const a = this.parts.activation;
    if (!a || a.usable()) return undefined;
    const s = a.status();
    return failure(s.state === "noProfile" ? "noProfile" : "notActive", s.message);
  }

  // ---- the modem ----

  /**
   * What the firmware knows now, without waiting: for screens that redraw often (the
   * watch) and checks that look repeatedly (the scenario runner). Commands stay promises.
   */
  /**
   * The device's own position (R52), from its GNSS or its app: given to the network for
   * an emergency call when the network asks (`+CPOSR`). `{lat, lon}` in degrees WGS 84,
   * `accuracyM` the radius in metres; `null` forgets it.
   */
  setLocation(fix: { lat: number; lon: number; accuracyM?: number; source?: "gnss" | "app" } | null): Promise<Reply<{ location: { lat: number; lon: number; accuracyM: number | null; source: string } | null }>> {
    const loc = this.parts.location;
    if (!loc) return Promise.resolve(failure("unsupported", "this firmware has no location input"));
    if (fix === null) {
      loc.clear();
      return Promise.resolve({ ok: true, location: null });
    }
    const source = fix.source === "app" ? "app" : "gnss";
    const problem = typeof fix === "object" ? loc.set(fix.lat, fix.lon, fix.accuracyM, source) : "expected {lat, lon}";
    if (problem) return Promise.resolve(failure("badLocation", problem));
    return Promise.resolve({ ok: true, location: { lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM === undefined ? null : fix.accuracyM, source: source } });
  }

  snapshot(): Snapshot {
    const p = this.parts;
    const st = p.modem.status();
    const reg = st.eps || st.cs;
    return {
      modem: st.state.name,
      ready: st.state.name === "ready",
      registration: reg ? reg.stat : null,
      line: p.line.lineState(),
      calls: p.line.current().map(callInfo),
      activation: p.activation ? p.activation.status().state : null,
      data: p.data ? p.data.session.status().name : null,
      companion: this.companion ? this.companion.status().name : null,
      atSilentMs: p.channel.busy() && this.writtenSince >= 0 ? p.clock.now() - this.writtenSince : 0,
    };
  }

  status(): Promise<Reply<StatusInfo>> {
    const p = this.parts;
    const st = p.modem.status();
    const s: StatusInfo = {
      modem: plain(st.state),
      ready: st.state.name === "ready",
      info: plain(st.info),
      cs: st.cs ? plain(st.cs) : null,
      eps: st.eps ? plain(st.eps) : null,
      signal: st.signal ? plain(st.signal) : null,
      operator: st.operator ? plain(st.operator) : null,
      emergencyNumbers: st.emergencyNumbers.slice(),
      line: p.line.lineState(),
      calls: p.line.current().length,
      quiet: this.quietMode || "off",
      priority: plain(p.messaging.priorityState()),
      sim: p.modem.simState(),
      service: plain(p.oneNumber.report()),
      sms: p.messaging.capability(),
      activation: p.activation ? plain(p.activation.status()) : null,
      storage: this.storageState || "",
      data: this.dataInfo(),
      companion: this.companionInfo(),
    };
    return Promise.resolve(okReply(s));
  }

  /**
   * Enters the SIM PIN (27.007 §8.3 `AT+CPIN=<pin>`), or with `newPin` the PUK and a new
   * PIN, through the modem manager, which never enters a refused code again by itself
   * and reports the tries left; bring-up then runs again at once.
   */
  pin(code: string, newPin?: string): Promise<Reply<{ modem: string }>> {
    // ETSI TS 102 221 §9.5.1: a PIN is 4 to 8 digits (the manager checks the PUK's form too).
    if (code.length < 4 || code.length > 8 || !/^[0-9]+$/.test(code)) return Promise.resolve(failure("badPin", "a PIN is 4 to 8 digits"));
    const p = this.parts;
    return this.gate().then(function (r) {
      if (!r.ok) return r;
      if (r.modem !== "simLocked") return failure("pinNotNeeded", "the SIM does not ask for a PIN");
      return p.modem.enterPin(code, newPin).then(function (res) {
        if (res.ok) return { ok: true, modem: p.modem.status().state.name } as Reply<{ modem: string }>;
        return failure(res.reason || "failed", res.message);
      });
    });
  }
}

/** Names of every API event (for adapters). */
export { API_EVENTS };
