/**
 * The accessory's calls, and its mirror of the shared number's line (SPEC §3–§6 as seen
 * from the accessory, R85–R89, R92–R93).
 *
 * - URCs (RING/+CRING, +CLIP, +CCWA, NO CARRIER/BUSY, the profile's call-end URCs) move
 *   the model at once; whenever the state is in doubt (a call ended, RING stopped, a
 *   command changed the calls, the modem restarted) `AT+CLCC` is read and is the truth.
 * - Every call's status changes in one place, `setStatus`; a release always reads
 *   `AT+CEER` first (R92) and says why in words a person understands (R86–R88).
 * - Nothing is polled while nothing happens: the only timer while idle is none; while a
 *   call rings, one timer notices RING stopping (modems that print nothing when a call
 *   is answered elsewhere, R86); while a call waits, the same timer reads +CLCC, since
 *   modules print nothing when a waiting call goes away (R35).
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { AtCommandError, atDialString, paramsOf, type AtChannel, type AtResponse } from "../../drivers/at/index.js";
import { parseCdip, parseCnap, parseColp, parseEcav } from "../../drivers/modems/parse.js";
import { callProgressFinal } from "../../drivers/at/finals.js";
import { endMessage, type Call, type CallEnd, type CallStatus, type EndReason } from "./call.js";
import { classifyEnd, parseCeer, type ReleaseReport } from "./causes.js";
import { parseClcc, type ClccEntry } from "./clcc.js";
import { emergencyDialString, foreignEmergencyAdvice, isEmergencyNumber } from "./emergency.js";
import { defaultEmergencyDialOptions, EmergencyDial, type EmergencyDialOptions, type EmergencyOutcome } from "./emergency-dial.js";
import { EMERGENCY_UNAVAILABLE } from "../modem/service.js";
import { CallLog, type CallLogEntry } from "./log.js";
import { hasText } from "../../hal/text.js";

/** The accessory's view of the shared line. */
export type LineState = "idle" | "ringingHere" | "inCallHere" | "inUseElsewhere" | "emergency";

export type LineEvents = {
  /** A call started ringing here (or is waiting, R89). */
  incoming: Call;
  callChanged: Call;
  /** A call ended; `call.end` says why. */
  callEnded: Call;
  lineState: LineState;
  logged: CallLogEntry;
  /**
   * An emergency dial's progress (R45): `requested` at once, `placed` when the modem took
   * it, `retrying` when the modem restarted or refused and it is dialled again, `waiting`
   * when the modem stopped answering and the dial waits for it, `ended` when it failed or
   * was cancelled (the call's end says why).
   */
  emergency: { phase: "requested" | "placed" | "retrying" | "waiting" | "ended"; callId: number; attempts: number };
  /** Calls the modem still had at bring-up and the firmware took over (after a restart). */
  adopted: Call;
};

/** What an action gives back: done, or refused/failed with a reason and a sentence. */
export type ActionResult = { ok: true; call: Call | undefined } | { ok: false; reason: string; message: string };

/** What the line needs to know about the modem. */
export interface ModemView {
  /** A usable subscription profile (SIM ready): without one no call at all, not even an emergency call (R55). */
  simReady(): boolean;
  /** Emergency numbers from the network (+CEN2) and the SIM (R53). */
  emergencyNumbers(): string[];
  /** False when R55 forbids an emergency call: no profile, or the network refused this device (R18). */
  emergencyAllowed(): boolean;
  /** Resolves true once bring-up is done, false after `limitMs`. */
  whenReady(limitMs: number): Promise<boolean>;
  /** The modem presents calling names (+CNAP on): an incoming call is announced with its name. */
  callerNames?(): boolean;
}

export interface LineOptions {
  /** The board handles waiting calls (R89, `callWaiting`). */
  callWaiting: boolean;
  /** Vendor URCs that report a call ended (besides NO CARRIER). */
  callEndUrcs: string[];
  /** Vendor URCs that report a call connected (SIMCom `VOICE CALL: BEGIN`). */
  callConnectedUrcs: string[];
  /** RING repeats about every 5 s; this long without one while ringing means "look again" (ms). */
  ringSilenceMs: number;
  /** How long "in use on another device" is shown after a refusal with cause 34 (ms). */
  inUseShownMs: number;
  /** R57: after an emergency call, incoming calls are never auto-rejected or silenced for this long (ms). */
  callbackWindowMs: number;
  /**
   * While a call is up, +CLCC is read this often in case a URC was lost (ms; 0 = never).
   * Only during calls: an idle line stays silent.
   */
  callCheckMs: number;
  /**
   * While an outgoing call is being set up, +CLCC is read this often (ms): 27.007 has no
   * standard URC for "alerting" or "answered", so like oFono for such modems we look.
   */
  setupCheckMs: number;
  /** How long a command given before bring-up finished waits for it (ms). */
  readyWaitMs: number;
  /** How an emergency dial is kept until placed (emergency-dial.ts). */
  emergency: EmergencyDialOptions;
}

export const defaultLineOptions: LineOptions = {
  callWaiting: true,
  callEndUrcs: [],
  callConnectedUrcs: [],
  ringSilenceMs: 8000,
  inUseShownMs: 60000,
  callbackWindowMs: 30 * 60 * 1000,
  callCheckMs: 30000,
  setupCheckMs: 1000,
  readyWaitMs: 60000,
  emergency: defaultEmergencyDialOptions,
};

/** What the user asked for incoming calls when they do not want to be disturbed. */
export type QuietMode = "off" | "silence" | "reject";

function refused(reason: string, message: string): ActionResult {
  return { ok: false, reason, message };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The number a `+CLIP:` / `+CCWA:` URC carries (its first parameter), "" when withheld. */
function urcNumber(line: string, prefix: string): string {
  const p = paramsOf(line, prefix);
  return p ? p[0] : "";
}

function startsWithAny(line: string, prefixes: string[]): boolean {
  for (let i = 0; i < prefixes.length; i++) if (line.indexOf(prefixes[i]) === 0) return true;
  return false;
}

/** How long to wait after RING for the +CLIP that carries the number (ms). */
const CLIP_WAIT_MS = 100;

export class Line {
  readonly events = new Emitter<LineEvents>();
  readonly log: CallLog;
  private calls: Call[] = [];
  private nextId = 1;
  private state: LineState = "idle";
  private inUseUntil = 0;
  // Fields that start undefined are declared, not set: not set, they hold no heap on the watch.
  private inUseTimer: TimerHandle | undefined;
  private ringTimer: TimerHandle | undefined;
  private checkTimer: TimerHandle | undefined;
  private checkMs = 0;
  private announceTimer: TimerHandle | undefined;
  private reconciling = false;
  private reconcileAgain = false;
  /** When the last emergency call ended (clock ms), undefined before one did. */
  private lastEmergencyEnd: number | undefined;
  private quiet: QuietMode = "off";
  /** The incoming call ATA was sent for, until it changes status (a connected URC means it). */
  private answering: Call | undefined;
  /** Outgoing calls whose ATD has not answered yet: CLCC may not list them yet. */
  private pendingDials: Call[] = [];
  /** The emergency dial being kept until placed (R45), with its call. */
  private emergencyDial: { dial: EmergencyDial; call: Call } | undefined;

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly modem: ModemView,
    private readonly opts: LineOptions,
    log?: CallLog,
  ) {
    this.log = log || new CallLog(50);
    // One function for every URC the line takes and for the channel's reboot event, told
    // apart in urc(): on the watch a function per URC cost about six heap blocks each. A
    // bound method, not a closure: a closure made here would keep this constructor's scope.
    const urc = this.urc.bind(this);
    channel.onUrc("RING", urc);
    channel.onUrc("+CRING:", urc);
    channel.onUrc("+CLIP:", urc);
    channel.onUrc("+CCWA:", urc);
    channel.onUrc("+CNAP:", urc);
    channel.onUrc("+CDIP:", urc);
    // 27.007 §7.8 +COLP printed after ATD's OK: bring-up turns it off, but a module that
    // refuses AT+COLP=0 may still print it on its own; it is then who answered.
    channel.onUrc("+COLP:", urc);
    channel.onUrc("NO CARRIER", urc);
    channel.onUrc("BUSY", urc);
    channel.onUrc("NO ANSWER", urc);
    for (const u of opts.callEndUrcs) channel.onUrc(u, urc);
    for (const u of opts.callConnectedUrcs) channel.onUrc(u, urc);
    channel.onUrc("*ECAV:", urc);
    channel.events.on("reboot", urc);
  }

  /**
   * A URC registered in the constructor (`ev` undefined), or the channel's `reboot` event.
   * Whatever is not a call's announcement, its details or a "connected" URC reports a call
   * ended (NO CARRIER, BUSY, NO ANSWER, the profile's call-end URCs): +CLCC says which.
   * The handlers of single URCs are written out here, not as methods (heap on the watch).
   */
  private urc(line: string, ev: string | undefined): void {
    if (ev === "reboot") this.onModemReset();
    else if (line.indexOf("RING") === 0 || line.indexOf("+CRING:") === 0) this.onRing();
    else if (line.indexOf("+CLIP:") === 0) this.onClip(line);
    else if (line.indexOf("+CCWA:") === 0) {
      // R89; a repeated +CCWA for the same call is not a new call (oFono does the same).
      if (!this.opts.callWaiting || this.find("waiting")) return;
      this.announce(this.newCall("incoming", "waiting", urcNumber(line, "+CCWA:"), false));
      this.armRingTimer();
    } else if (line.indexOf("+CNAP:") === 0) {
      // +CNAP: the caller's name; announces the call that waited for it, else updates it.
      const cnap = parseCnap(line);
      const call = this.find("incoming") || this.find("waiting");
      if (!cnap || !call) return;
      const changed = call.name !== cnap.name;
      call.name = cnap.name;
      if (this.announceTimer !== undefined && call.status === "incoming") {
        this.clock.clearTimeout(this.announceTimer);
        this.announceTimer = undefined;
        this.announce(call);
      } else if (changed) this.events.emit("callChanged", call);
    } else if (line.indexOf("+CDIP:") === 0) {
      // +CDIP: the number that was called (27.007 §7.9), kept on the ringing call.
      const number = parseCdip(line);
      const call = this.find("incoming") || this.find("waiting");
      if (number === undefined || !call || call.calledNumber === number) return;
      call.calledNumber = number;
      if (this.announceTimer === undefined) this.events.emit("callChanged", call);
    } else if (line.indexOf("+COLP:") === 0) {
      // +COLP after ATD's OK: the far end answered the call being set up, and this is who
      // answered. With more than one outgoing call in set-up it cannot tell which: +CLCC decides.
      const number = parseColp(line);
      if (number === undefined) return;
      const settingUp = this.calls.filter((c) => c.direction === "outgoing" && (c.status === "dialing" || c.status === "alerting"));
      if (settingUp.length === 1) this.connectedLine(settingUp[0], number);
      this.reconcile();
    } else if (line.indexOf("*ECAV:") === 0) {
      // Ericsson call monitoring (*ECAV, parse.ts): the call it names (its +CLCC id) is active
      // now (3), without waiting for the next +CLCC read, as with a vendor's "call connected";
      // every other state (idle, held, alerting, ...) and a call not known by that id yet only
      // make +CLCC be read at once: it stays the truth, and it ends calls with their cause.
      const e = parseEcav(line);
      const call = e && e.status === 3 ? this.calls.find((c) => c.index === e.id && c.status !== "released") : undefined;
      if (call && call.status !== "active") this.setStatus(call, "active");
      else if (e && e.status === 3 && !call) {
        // Our dial before +CLCC gave it an id: the one outgoing call in set-up, if just one.
        const settingUp = this.calls.filter((c) => c.index === undefined && c.direction === "outgoing" && (c.status === "dialing" || c.status === "alerting"));
        if (settingUp.length === 1) this.setStatus(settingUp[0], "active");
      }
      this.reconcile();
    } else if (startsWithAny(line, this.opts.callConnectedUrcs)) {
      // A vendor's "call connected" URC: the call being set up (our dial, or the call we just
      // answered) is up now, without waiting for the next +CLCC read; that read still follows
      // and stays the truth. With more than one call in set-up it cannot tell which: +CLCC decides.
      const settingUp = this.calls.filter((c) => c.status === "dialing" || c.status === "alerting" || (c.status === "incoming" && c.direction === "incoming"));
      const answered = settingUp.filter((c) => c.direction === "outgoing" || this.answering === c);
      if (answered.length === 1) this.setStatus(answered[0], "active");
      this.reconcile();
    } else this.reconcile();
  }

  /**
   * Stops every timer of the line (the firmware is shutting down). Policy for live calls:
   * they are left up on the modem (the person may be talking); the next start reads
   * +CLCC and adopts them (modemReady). An emergency dial not yet placed is cancelled
   * and says so: nothing will place it once the firmware is gone.
   */
  stop(): void {
    if (this.emergencyDial) this.emergencyDial.dial.cancel("the firmware stopped");
    const timers = [this.inUseTimer, this.ringTimer, this.checkTimer, this.announceTimer];
    for (const t of timers) if (t !== undefined) this.clock.clearTimeout(t);
    this.inUseTimer = undefined;
    this.ringTimer = undefined;
    this.checkTimer = undefined;
    this.announceTimer = undefined;
    this.checkMs = 0;
  }

  /** Live calls (not released), oldest first. */
  current(): Call[] {
    return this.calls.slice();
  }

  lineState(): LineState {
    return this.state;
  }

  /** Do-not-disturb for incoming calls; suspended during the emergency call-back window (R57). */
  setQuiet(mode: QuietMode): void {
    this.quiet = mode;
  }

  /** Whether the emergency call-back window (R57) is open now. */
  inCallbackWindow(): boolean {
    return this.lastEmergencyEnd !== undefined && this.clock.now() - this.lastEmergencyEnd < this.opts.callbackWindowMs;
  }

  // ---- actions ----

  /**
   * Dials `typed`. Emergency numbers (110/118/119 and the network's, R45/R53) are always
   * dialled: with the line in use elsewhere, and with this device in a call, whose calls
   * are released first (R50); never with a 184/186 prefix (R52).
   */
  dial(typed: string): Promise<ActionResult> {
    let number: string;
    try {
      number = atDialString(typed);
    } catch (e) {
      return Promise.resolve(refused("badNumber", errorText(e)));
    }
    const emergency = emergencyDialString(number, this.modem.emergencyNumbers());
    if (emergency !== undefined) return this.dialEmergency(emergency);
    return this.modem.whenReady(this.opts.readyWaitMs).then((ready) => {
      if (!ready) return refused("notReady", "the modem is not ready (still starting or not answering): try again shortly");
      if (!this.modem.simReady()) return refused("noService", "no One Number profile on this device: calls are unavailable");
      // R37 (glare): dialling while a call rings here is the user's choice; the network
      // gives us the line, withdraws the ringing call from every device (missed here too)
      // and gives its caller busy treatment.
      if (this.find("active") && !this.opts.callWaiting) return refused("busyHere", "end the current call first");
      return this.placeCall(number, false);
    });
  }

  /** Whether an emergency call is being placed or set up (not yet connected or ended). */
  emergencySettingUp(): boolean {
    return !!this.emergencyDial || this.calls.some((c) => c.emergency && (c.status === "dialing" || c.status === "alerting"));
  }

  /** The modem stopped answering (modem manager): an emergency dial kept until placed says so. */
  modemSilent(): void {
    if (this.emergencyDial) this.emergencyDial.dial.modemSilent();
  }

  /** Whether an emergency dial is being kept until placed. */
  emergencyPending(): boolean {
    return !!this.emergencyDial;
  }

  /**
   * R45/R46: never refused for the line's state, never waits for bring-up; kept until
   * placed or cancelled (emergency-dial.ts). R55: refused with its sentence only when
   * there is no valid profile or the network refused this device.
   */
  private dialEmergency(number: string): Promise<ActionResult> {
    if (!this.modem.emergencyAllowed()) return Promise.resolve(refused("emergencyUnavailable", EMERGENCY_UNAVAILABLE));
    if (this.emergencyDial) return Promise.resolve(refused("emergencyPending", "an emergency call is already being placed"));
    // A call only ringing here is not ours to end: hanging it up would decline it for the
    // whole number (R26); the network withdraws it when the emergency call starts (R48).
    const own = this.calls.filter((c) => c.status !== "incoming");
    if (own.length > 0) {
      // R50: release our own calls first, in the priority lane just ahead of the dial; the
      // emergency call goes out whatever the release answers.
      for (const c of own) c.releasedHere = true;
      this.channel.send({ cmd: "AT+CHUP", urgent: true }).then(
        () => this.reconcile(),
        () => this.reconcile(),
      );
    }
    return this.placeCall(number, true);
  }

  private placeCall(number: string, emergency: boolean): Promise<ActionResult> {
    const call = this.newCall("outgoing", "dialing", number, emergency);
    this.pendingDials.push(call);
    const settled = () => {
      const i = this.pendingDials.indexOf(call);
      if (i >= 0) this.pendingDials.splice(i, 1);
    };
    this.events.emit("callChanged", call);
    this.updateState();
    // A +COLP before ATD's final (27.007's intermediate form) is part of its answer.
    const placed: Promise<AtResponse | string | void> = emergency
      ? this.keepEmergency(call, number)
      : this.channel.send({ cmd: "ATD" + number + ";", prefixes: ["+COLP:"], timeoutMs: 30000 });
    return placed.then(
      (r) => {
        settled();
        if (typeof r === "string") {
          // An emergency dial the user (or a stop) cancelled before it was placed: `r` says why.
          this.finish(call, { reason: "hungUpHere", cause: undefined, causeText: "", message: "emergency call cancelled: " + r });
          return refused("cancelled", "emergency call cancelled: " + r);
        }
        const colp = r ? parseColp(r.lines[0] || "") : undefined;
        if (colp !== undefined) this.connectedLine(call, colp);
        this.reconcile();
        return { ok: true, call } as ActionResult;
      },
      (e: unknown) => {
        settled();
        // NO CARRIER / BUSY in answer to ATD (R88): +CEER says why. +CME ERROR, ERROR or a
        // time-out is the modem's own answer: the network never saw this call, so +CEER
        // still describes an earlier one (27.007 §6.10) and must not explain this one.
        const progress = AtCommandError.is(e) && callProgressFinal(e.kind);
        const report: Promise<ReleaseReport> = progress ? this.readCeer() : Promise.resolve({ cause: undefined, text: "" });
        return report.then((rep) => {
          if (call.status !== "released") this.release(call, rep, errorText(e));
          // The final may have been another call's (NO CARRIER), or the call may exist after all.
          this.reconcile();
          const end = call.end!;
          return refused(end.reason, end.message);
        });
      },
    );
  }

  /**
   * Runs the emergency dial for `call`: resolves when placed, or with the reason when it
   * was cancelled (a string, not an error type: one type held 17 heap blocks on the
   * watch); rejects with the modem's answer when it failed.
   */
  private keepEmergency(call: Call, number: string): Promise<string | void> {
    const dial = new EmergencyDial(this.channel, this.clock, number, this.opts.emergency, (attempts: number) => {
      this.events.emit("emergency", { phase: "waiting", callId: call.id, attempts });
    });
    this.emergencyDial = { dial, call };
    this.events.emit("emergency", { phase: "requested", callId: call.id, attempts: 0 });
    return dial.result.then((o: EmergencyOutcome) => {
      if (this.emergencyDial && this.emergencyDial.dial === dial) this.emergencyDial = undefined;
      this.events.emit("emergency", { phase: o.kind === "placed" ? "placed" : "ended", callId: call.id, attempts: o.attempts });
      if (o.kind === "placed") return;
      if (o.kind === "cancelled") return o.reason;
      throw o.error;
    });
  }

  /** Answers the incoming call; a waiting call is answered by holding the active one. */
  answer(): Promise<ActionResult> {
    const incoming = this.find("incoming");
    if (incoming) {
      this.answering = incoming;
      return this.command("ATA", incoming);
    }
    if (this.find("waiting")) return this.acceptWaiting("hold");
    return Promise.resolve(refused("nothingToAnswer", "no call to answer"));
  }

  /**
   * Declines: an incoming call with AT+CHUP, which declines it for the number on every
   * device (R26); a waiting call with AT+CHLD=0, user busy (R34).
   */
  reject(): Promise<ActionResult> {
    const incoming = this.find("incoming");
    if (incoming) {
      incoming.releasedHere = true;
      return this.command("AT+CHUP", incoming);
    }
    const waiting = this.find("waiting");
    if (waiting) {
      waiting.releasedHere = true;
      return this.command("AT+CHLD=0", waiting);
    }
    return Promise.resolve(refused("nothingToReject", "no call to decline"));
  }

  /** Hangs up `callId`, or every call; a single call among several with AT+CHLD=1x (27.007 §7.13). */
  hangup(callId?: number): Promise<ActionResult> {
    const e = this.emergencyDial;
    if (e && (callId === undefined || callId === e.call.id)) {
      // Not placed yet: cancelling is hanging up; no AT+CHUP for a call the modem lacks.
      e.dial.cancel("hung up before it was placed");
      if (callId !== undefined || this.calls.length === 1) return Promise.resolve({ ok: true, call: e.call } as ActionResult);
    }
    const targets = (callId === undefined ? this.calls.slice() : this.calls.filter((c) => c.id === callId)).filter(
      (c) => !(e && c === e.call),
    );
    if (targets.length === 0) return Promise.resolve(refused("noCall", "no call to end"));
    if (callId !== undefined && targets[0].status === "waiting") {
      // R34: a waiting call is rejected with CHLD=0 (user busy). AT+CHUP would end the
      // active call instead, and CHLD=1x is "release a specific active call" (22.030).
      targets[0].releasedHere = true;
      return this.command("AT+CHLD=0", targets[0]);
    }
    for (const c of targets) c.releasedHere = true;
    const one = targets.length === 1 && this.calls.length > 1 && targets[0].index !== undefined;
    return this.command(one ? "AT+CHLD=1" + targets[0].index : "AT+CHUP", targets[0]);
  }

  /** Accepts the waiting call, holding (`hold`, CHLD=2) or ending (`release`, CHLD=1) the active one (R34). */
  acceptWaiting(how: "hold" | "release"): Promise<ActionResult> {
    const waiting = this.find("waiting");
    if (!waiting) return Promise.resolve(refused("noWaitingCall", "no waiting call"));
    if (how === "release") {
      const active = this.find("active");
      if (active) active.releasedHere = true;
    }
    return this.command(how === "hold" ? "AT+CHLD=2" : "AT+CHLD=1", waiting);
  }

  /** Puts the active call on hold, or swaps active and held (CHLD=2). */
  holdOrSwap(): Promise<ActionResult> {
    if (!this.find("active") && !this.find("held")) return Promise.resolve(refused("noCall", "no call to hold"));
    // 27.007 §7.13: CHLD=2 "accepts the other (held or waiting) call"; with a call waiting
    // it would answer that call, which is acceptWaiting("hold"), not a hold.
    if (this.find("waiting")) return Promise.resolve(refused("callWaiting", "answer or decline the waiting call first"));
    return this.command("AT+CHLD=2", undefined);
  }

  /** Sends DTMF tones on the active call (27.007 §C.2.11 +VTS), one command per tone. */
  dtmf(tones: string): Promise<ActionResult> {
    const active = this.find("active");
    if (!active) return Promise.resolve(refused("noCall", "DTMF needs an active call"));
    for (let i = 0; i < tones.length; i++) {
      if ("0123456789*#ABCD".indexOf(tones.charAt(i)) < 0) return Promise.resolve(refused("badTone", "not a DTMF tone: " + JSON.stringify(tones.charAt(i))));
    }
    if (tones.length === 0) return Promise.resolve(refused("badTone", "no tones"));
    let chain: Promise<AtResponse> = this.channel.send("AT+VTS=" + tones.charAt(0));
    for (let i = 1; i < tones.length; i++) {
      const t = tones.charAt(i);
      chain = chain.then(() => this.channel.send("AT+VTS=" + t));
    }
    return chain.then(
      () => ({ ok: true, call: active }) as ActionResult,
      (e: unknown) => refused("failed", errorText(e)),
    );
  }

  private command(cmd: string, call: Call | undefined): Promise<ActionResult> {
    return this.channel.send(cmd).then(
      () => {
        this.reconcile();
        return { ok: true, call } as ActionResult;
      },
      (e: unknown) => {
        if (call) call.releasedHere = false;
        this.reconcile();
        return refused("failed", errorText(e));
      },
    );
  }

  // ---- what the modem says ----

  private onRing(): void {
    this.armRingTimer();
    if (this.find("incoming")) return;
    // R36: when the other calls end, a waiting call alerts with RING/+CLIP. It is that
    // call, not a new one: +CLCC will show it as incoming.
    if (this.find("waiting")) {
      this.reconcile();
      return;
    }
    // +CLIP follows RING at once (27.007 §7.6): wait that long for the number, no longer.
    const call = this.newCall("incoming", "incoming", "", false);
    this.announceTimer = this.clock.setTimeout(() => {
      this.announceTimer = undefined;
      if (call.status === "incoming") this.announce(call);
    }, CLIP_WAIT_MS);
  }

  private onClip(line: string): void {
    const number = urcNumber(line, "+CLIP:");
    const call = this.find("incoming");
    if (!call) {
      if (this.find("waiting")) {
        this.reconcile(); // R36, as in onRing
        return;
      }
      this.armRingTimer();
      this.announce(this.newCall("incoming", "incoming", number, false));
      return;
    }
    if (call.number === "" && number !== "") call.number = number;
    // 27.007 §7.30: +CNAP comes after +CLIP; where the modem presents names, the call is
    // announced with its name (or when the short wait after RING ends without one).
    if (this.announceTimer !== undefined && this.modem.callerNames && this.modem.callerNames()) return;
    if (this.announceTimer !== undefined) {
      this.clock.clearTimeout(this.announceTimer);
      this.announceTimer = undefined;
      this.announce(call);
    }
  }

  /** The call connected, to `number` ("" when the network does not say who). */
  private connectedLine(call: Call, number: string): void {
    if (call.status === "released") return;
    const changed = number !== "" && call.connectedNumber !== number;
    if (changed) call.connectedNumber = number;
    if (call.status !== "active") this.setStatus(call, "active");
    else if (changed) this.events.emit("callChanged", call);
  }

  /** Tells the user about a new incoming or waiting call (once). */
  private announce(call: Call): void {
    const status = call.status;
    // An incoming call means the line is free again for this device.
    this.inUseUntil = 0;
    this.events.emit("incoming", call);
    this.updateState();
    if (this.quiet === "reject" && !this.inCallbackWindow() && status === "incoming") {
      call.releasedHere = true;
      this.command("AT+CHUP", call);
    }
  }

  /** Whether a ringing call should make no sound (quiet mode, but never in the R57 window). */
  silenced(): boolean {
    return this.quiet !== "off" && !this.inCallbackWindow();
  }

  private armRingTimer(): void {
    if (this.ringTimer !== undefined) this.clock.clearTimeout(this.ringTimer);
    this.ringTimer = this.clock.setTimeout(() => {
      this.ringTimer = undefined;
      if (this.find("incoming")) this.reconcile();
      else if (this.find("waiting")) {
        // A waiting call the caller or the network ends (R35) leaves no trace on most
        // modules (27.007 §7.12 has no URC for it): only +CLCC tells, so look again while one waits.
        this.reconcile();
        this.armRingTimer();
      }
    }, this.opts.ringSilenceMs);
  }

  private onModemReset(): void {
    // An emergency dial not placed yet is kept: it goes out again as the modem comes back.
    const kept = this.emergencyDial ? this.emergencyDial.call : undefined;
    if (kept) this.events.emit("emergency", { phase: "retrying", callId: kept.id, attempts: 0 });
    const gone = this.calls.filter((c) => c !== kept);
    for (const c of gone) {
      this.finish(c, { reason: "modemReset", cause: undefined, causeText: "", message: endMessage("modemReset") });
    }
  }

  /**
   * The modem finished bring-up (first start, a reboot, a reset): +CLCC is read once and
   * the calls it still holds are adopted (a restarted firmware finds its call), so that
   * `calls` shows them and `hangup` ends them.
   */
  modemReady(): void {
    this.reconcile();
  }

  /** Reads +CLCC and brings the model in line with it; releases what is gone. */
  reconcile(): void {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    const done = () => {
      this.reconciling = false;
      if (this.reconcileAgain) {
        this.reconcileAgain = false;
        this.reconcile();
      }
    };
    this.channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }).then(
      (r) => {
        const entries: ClccEntry[] = [];
        for (const l of r.lines) {
          const e = parseClcc(l);
          if (e && e.mode === 0) entries.push(e);
        }
        return this.apply(entries);
      },
      () => undefined,
    ).then(done, done); // a listener that threw inside apply must not leave `reconciling` set for ever
  }

  private apply(entries: ClccEntry[]): Promise<void> {
    const seen: Call[] = [];
    for (const entry of entries) {
      const e = entry;
      // Indexes are reused by the modem: the same index with another direction or number is
      // another call, and so is a call in set-up at the index of one that had connected.
      const settingUp = e.status === "incoming" || e.status === "waiting" || e.status === "dialing" || e.status === "alerting";
      let call = this.calls.find(
        (c) =>
          c.index === e.index &&
          c.direction === e.direction &&
          !(settingUp && c.connectedAt !== undefined) &&
          (c.number === "" || e.number === "" || c.number === e.number || c.connectedNumber === e.number || this.connectsNow(c, e)),
      );
      const emergency = e.direction === "outgoing" && isEmergencyNumber(e.number, this.modem.emergencyNumbers());
      if (!call) call = this.unlisted(e, emergency, seen);
      if (!call) {
        call = this.newCall(e.direction, e.status, e.number, emergency);
        if (e.status === "incoming" || e.status === "waiting") {
          this.inUseUntil = 0; // a call offered here: the line is free for this device
          this.events.emit("incoming", call);
        } else this.events.emit("adopted", call);
      }
      call.index = e.index;
      if (call.number === "" && e.number !== "") call.number = e.number;
      // A module that lists an answered call with the connected number (27.007 §7.18
      // <number> is the call's, not the dial string): that is who answered.
      if (this.connectsNow(call, e)) call.connectedNumber = e.number;
      seen.push(call);
      this.setStatus(call, e.status);
    }
    const gone = this.calls.filter((c) => seen.indexOf(c) < 0 && this.pendingDials.indexOf(c) < 0);
    if (gone.length === 0) {
      this.updateState();
      return Promise.resolve();
    }
    return this.readCeer().then((report) => {
      for (const c of gone) if (c.status !== "released") this.release(c, report, "");
    });
  }

  /** `e` is our outgoing call, in set-up until now, listed active under another number: the one that answered. */
  private connectsNow(c: Call, e: ClccEntry): boolean {
    return c.direction === "outgoing" && e.direction === "outgoing" && e.status === "active" && c.connectedAt === undefined && e.number !== "" && c.number !== e.number && c.connectedNumber === "";
  }

  /**
   * The call not yet listed by the modem that `e` (a +CLCC entry) is: the one to its
   * number, else one of its kind (emergency or not). Never the first of its direction
   * whatever it is: a normal dial whose answer was lost is still ours (pending) when the
   * emergency call after it shows, and taking the emergency call's entry for it released
   * the emergency call (with the previous call's +CEER cause) and adopted it again (soak
   * seed 15, +21.728 h).
   */
  private unlisted(e: ClccEntry, emergency: boolean, seen: Call[]): Call | undefined {
    const open = this.calls.filter((c) => c.index === undefined && c.direction === e.direction && seen.indexOf(c) < 0);
    return open.find((c) => e.number !== "" && c.number === e.number) || open.find((c) => c.emergency === emergency);
  }

  /** R92: after every release, the modem's report of why. */
  private readCeer(): Promise<ReleaseReport> {
    return this.channel.send({ cmd: "AT+CEER", prefixes: ["+CEER:"] }).then(
      (r) => parseCeer(r.lines[0] || "") || { cause: undefined, text: "" },
      () => ({ cause: undefined, text: "" }),
    );
  }

  private release(call: Call, report: ReleaseReport, fallback: string): void {
    let reason: EndReason = classifyEnd(call, report);
    if (reason === "failed" && hasText(fallback, "BUSY")) reason = "busy";
    let message = endMessage(reason);
    const advice = call.direction === "outgoing" && call.connectedAt === undefined && !call.releasedHere ? foreignEmergencyAdvice(call.number) : undefined;
    if (advice) message = advice; // R54
    if (reason === "lineInUse") this.showInUse();
    this.finish(call, { reason, cause: report.cause, causeText: report.text, message });
  }

  private finish(call: Call, end: CallEnd): void {
    call.end = end;
    this.setStatus(call, "released");
  }

  /** The one place where a call's status changes. */
  private setStatus(call: Call, status: CallStatus): void {
    if (call.status === status) return;
    call.status = status;
    if (this.answering === call) this.answering = undefined;
    const now = this.clock.now();
    if (status === "active" && call.connectedAt === undefined) call.connectedAt = now;
    // Our own call alerts or is up: the number is not in use elsewhere any more (issue 9 §4).
    if (call.direction === "outgoing" && (status === "alerting" || status === "active")) this.inUseUntil = 0;
    if (status === "released") {
      call.endedAt = now;
      const i = this.calls.indexOf(call);
      if (i >= 0) this.calls.splice(i, 1);
      if (call.emergency) this.lastEmergencyEnd = now;
      if (this.calls.length === 0 && this.ringTimer !== undefined) {
        this.clock.clearTimeout(this.ringTimer);
        this.ringTimer = undefined;
      }
      this.events.emit("callEnded", call);
      this.events.emit("logged", this.log.add(call));
    } else {
      this.events.emit("callChanged", call);
    }
    this.updateState();
  }

  private showInUse(): void {
    this.inUseUntil = this.clock.now() + this.opts.inUseShownMs;
    if (this.inUseTimer !== undefined) this.clock.clearTimeout(this.inUseTimer);
    this.inUseTimer = this.clock.setTimeout(() => {
      this.inUseTimer = undefined;
      this.updateState();
    }, this.opts.inUseShownMs);
  }

  /**
   * Keeps the in-call check running exactly while there are calls: fast while a call is
   * being set up, slow once it is up, none when idle.
   */
  private armCallCheck(): void {
    const settingUp = this.calls.some((c) => c.status === "dialing" || c.status === "alerting");
    const ms = this.calls.length === 0 ? 0 : settingUp ? this.opts.setupCheckMs : this.opts.callCheckMs;
    if (ms === this.checkMs && this.checkTimer !== undefined) return;
    if (this.checkTimer !== undefined) this.clock.clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    this.checkMs = ms;
    if (!ms) return;
    this.checkTimer = this.clock.setTimeout(() => {
      this.checkTimer = undefined;
      if (this.calls.length > 0) this.reconcile();
      this.armCallCheck();
    }, ms);
  }

  private updateState(): void {
    this.armCallCheck();
    let next: LineState = "idle";
    if (this.calls.some((c) => c.emergency)) next = "emergency";
    else if (this.calls.some((c) => c.status === "incoming")) next = "ringingHere";
    else if (this.calls.length > 0) next = "inCallHere";
    else if (this.clock.now() < this.inUseUntil) next = "inUseElsewhere";
    if (next === this.state) return;
    this.state = next;
    this.events.emit("lineState", next);
  }

  private newCall(direction: "outgoing" | "incoming", status: CallStatus, number: string, emergency: boolean): Call {
    const call: Call = {
      id: this.nextId++,
      index: undefined,
      direction,
      status,
      number,
      name: "",
      calledNumber: "",
      connectedNumber: "",
      emergency,
      startedAt: this.clock.now(),
      connectedAt: undefined,
      endedAt: undefined,
      end: undefined,
      releasedHere: false,
    };
    this.calls.push(call);
    return call;
  }

  private find(status: CallStatus): Call | undefined {
    return this.calls.find((c) => c.status === status);
  }
}
