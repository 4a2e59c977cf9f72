/**
 * Voice calls of the simulated modem, as 3GPP TS 27.007 shows them: the call list of
 * +CLCC (§7.18, `<stat>` 0 active, 1 held, 2 dialing, 3 alerting, 4 incoming, 5 waiting),
 * RING / +CRING and +CLIP for an incoming call (§6.11, §7.6), +CCWA for a waiting one
 * (§7.12), NO CARRIER / BUSY / NO ANSWER when a call ends, +CEER (§6.10) for the cause,
 * and the +CHLD operations (§7.13, 22.030 §6.5.5).
 *
 * The network decides what happens to a call; this module keeps the modem's view of
 * it and turns network events into what a client sees.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import type { CallStateChange, IncomingCall, ModemNetwork } from "./network.js";
import { Reply, cme, CME } from "./results.js";
import type { ModemSettings } from "./settings.js";

export const STAT_ACTIVE = 0;
export const STAT_HELD = 1;
export const STAT_DIALING = 2;
export const STAT_ALERTING = 3;
export const STAT_INCOMING = 4;
export const STAT_WAITING = 5;

export interface ModemCall {
  /** +CLCC `<id>` (1..7). */
  index: number;
  callId: string;
  /** 0 mobile originated, 1 mobile terminated. */
  dir: number;
  stat: number;
  number: string;
  type: number;
  cliValidity: number;
  emergency: boolean;
  /** Calling name (CNAP) and called number (CDIP) of an incoming call. */
  name?: string;
  calledNumber?: string;
  /** When it connected (clock ms). */
  connectedAt?: number;
  /** An outgoing call's connected line identity once answered (+COLP): "" not available. */
  connectedNumber?: string;
}

/**
 * Where a module puts `+COLP` (27.007 §7.8 leaves it "manufacturer specific ... when
 * normal voice call is established"):
 * - `intermediate` (every vendor by default): the literal 27.007 form. With +COLP=1 the
 *   dial command's final waits for the answer: `+COLP: ...` then OK, or BUSY / NO ANSWER /
 *   NO CARRIER (SIMCom SIM900 AT Commands Set V1.01 §2.2.3 ATD; oFono's atmodem
 *   voicecall.c reads +COLP as ATD's intermediate result for every vendor, Quectel too).
 * - `unsolicited`: ATD answers OK at once and `+COLP: ...` comes as an unsolicited line
 *   when the far end answers. No vendor manual we found documents it (Quectel's URC
 *   summary lists +COLP beside +CSSI, another intermediate result, without saying when):
 *   a test double for a module that prints it on its own, never a vendor's default.
 */
export type ColpStyle = "intermediate" | "unsolicited";

/** How long ATA / +CHLD wait for the network to connect an answered call (24.008 recovery on timer expiry, #102, after). */
const ANSWER_TIMEOUT_MS = 30000;

/** How +CEER words the last release (manufacturer specific in 27.007 §6.10; configurable so firmware parsers meet several). */
export type CeerStyle = "cause-text" | "text" | "location-cause";

/** 24.008 Table 10.5.123 names of the causes the simulator uses. */
const CAUSE_TEXT: { [cause: number]: string } = {
  0: "No cause information available",
  1: "Unassigned (unallocated) number",
  16: "Normal call clearing",
  17: "User busy",
  18: "No user responding",
  19: "User alerting, no answer",
  21: "Call rejected",
  25: "Pre-emption",
  26: "Non-selected user clearing",
  27: "Destination out of order",
  28: "Invalid number format",
  31: "Normal, unspecified",
  34: "No circuit/channel available",
  38: "Network out of order",
  41: "Temporary failure",
  63: "Service or option not available, unspecified",
  88: "Incompatible destination",
  102: "Recovery on timer expiry",
};

export interface CallHost {
  readonly settings: ModemSettings;
  readonly clock: Clock;
  readonly network: ModemNetwork;
  readonly ringIntervalMs: number;
  readonly ceerStyle: CeerStyle;
  /** Whether an incoming call released before it was answered shows NO CARRIER (some modules only stop ringing). */
  readonly unansweredReleaseShowsNoCarrier: boolean;
  /** Sends an unsolicited line (information text form). */
  urc(text: string): void;
  /** Sends an unsolicited result code (RING, NO CARRIER, BUSY: numeric under ATV0). */
  urcCode(text: string): void;
  /** A string parameter in the client's character set (+CSCS). */
  te(text: string): string;
  /** Whose modem this is: SIMCom's print `VOICE CALL: BEGIN` / `VOICE CALL: END: <duration>` (A76XX AT manual). */
  readonly vendor: string;
  readonly colpStyle: ColpStyle;
  /** +CLCC shows an answered outgoing call with the connected number instead of the dialled one (some modules update it). */
  readonly clccShowsConnectedNumber: boolean;
  /** Prints Ericsson call monitoring (`*ECAV`, what AT*ECAM=1 turns on) at every call state change, as oFono's phonesim does unasked. */
  readonly callMonitor: boolean;
}

/**
 * Ericsson call monitoring `*ECAV: <ccid>,<ccstatus>,<calltype>[,<processid>,<exitcause>,<number>,<type>]`
 * (AT*ECAM, Sony Ericsson and ST-Ericsson modules; oFono's phonesim prints it for every
 * call): <ccstatus> 0 idle, 1 calling, 3 active, 4 held, 5 waiting, 6 alerting (an
 * incoming call rings: "*ECAV: 1,6,1" with RING); <calltype> 1 voice.
 */
const ECAV_IDLE = 0;
const ECAV_CALLING = 1;
const ECAV_ACTIVE = 3;
const ECAV_HELD = 4;
const ECAV_WAITING = 5;
const ECAV_ALERTING = 6;
const ECAV_OF: { [stat: number]: number } = { [STAT_ACTIVE]: ECAV_ACTIVE, [STAT_HELD]: ECAV_HELD, [STAT_DIALING]: ECAV_CALLING, [STAT_INCOMING]: ECAV_ALERTING, [STAT_WAITING]: ECAV_WAITING };

/** The result code of a call that failed before it connected (V.250 §6.3.1, 27.007 §6.3). */
function failureCode(cause: number): "BUSY" | "NO ANSWER" | "NO CARRIER" {
  return cause === 17 ? "BUSY" : cause === 18 || cause === 19 ? "NO ANSWER" : "NO CARRIER";
}

export class CallControl {
  calls: ModemCall[] = [];
  private lastCause = 0;
  private lastCauseText: string | undefined = undefined;
  private ringTimer: TimerHandle | undefined = undefined;
  /** Calls a command waits on (ATA, +CHLD, ATD with +COLP=1): the network's answer settles the command instead of a URC. */
  private answering: { [callId: string]: (active: boolean, cause: number) => void } = {};

  constructor(private readonly host: CallHost) {}

  byId(callId: string): ModemCall | undefined {
    for (const c of this.calls) if (c.callId === callId) return c;
    return undefined;
  }

  private withStat(stat: number): ModemCall[] {
    return this.calls.filter((c) => c.stat === stat);
  }

  private add(call: Omit<ModemCall, "index">): ModemCall {
    let index = 1;
    while (this.calls.some((c) => c.index === index)) index++;
    const c: ModemCall = { ...call, index };
    this.calls.push(c);
    this.calls.sort((a, b) => a.index - b.index);
    this.monitor(c, ECAV_OF[c.stat]);
    return c;
  }

  /** A call's new state, told by *ECAV where the module monitors calls (its far end ringing, dialling to alerting, is not a change there). */
  private setStat(c: ModemCall, stat: number): void {
    if (c.stat === stat) return;
    c.stat = stat;
    if (ECAV_OF[stat] !== undefined) this.monitor(c, ECAV_OF[stat]);
  }

  private monitor(c: ModemCall, status: number): void {
    if (!this.host.callMonitor) return;
    this.host.urc("*ECAV: " + c.index + "," + status + ",1" + (status !== ECAV_IDLE && c.number ? ",,," + this.numberField(c) : ""));
  }

  private remove(c: ModemCall): void {
    const i = this.calls.indexOf(c);
    if (i >= 0) this.calls.splice(i, 1);
    if (i >= 0) this.monitor(c, ECAV_IDLE);
    if (i >= 0 && c.connectedAt !== undefined && this.host.vendor === "simcom") {
      // SIMCom's call progress: the end of a connected call with its length in seconds.
      const s = String(Math.round((this.host.clock.now() - c.connectedAt) / 1000));
      this.host.urc("VOICE CALL: END: " + "000000".slice(s.length) + s);
    }
  }

  private setCause(cause: number, text?: string): void {
    this.lastCause = cause;
    this.lastCauseText = text;
  }

  /** Forgets every call without signalling (radio off, reboot); the network was told by `detach`. */
  dropAll(): void {
    this.calls = [];
    this.stopRinging();
    const waiters = this.answering;
    this.answering = {};
    for (const k of Object.keys(waiters)) waiters[k](false, 0);
  }

  // ---- network events ----

  incoming(ev: IncomingCall): void {
    if (this.byId(ev.callId)) return;
    const busy = this.calls.length > 0;
    const c = this.add({ callId: ev.callId, dir: 1, stat: busy ? STAT_WAITING : STAT_INCOMING, number: ev.number, type: ev.type, cliValidity: ev.cliValidity, emergency: false, name: ev.name, calledNumber: ev.calledNumber });
    if (c.stat === STAT_WAITING) {
      // 27.007 §7.12: +CCWA: <number>,<type>,<class>[,<alpha>][,<CLI validity>]; class 1 = voice.
      if (this.host.settings.ccwa) this.host.urc("+CCWA: " + this.numberField(c) + ",1" + (c.cliValidity !== 0 ? ",," + c.cliValidity : ""));
      return;
    }
    this.startRinging();
  }

  stateChanged(ev: CallStateChange): void {
    const c = this.byId(ev.callId);
    if (!c) return;
    if (ev.state === "alerting") {
      if (c.stat === STAT_DIALING) this.setStat(c, STAT_ALERTING);
      return;
    }
    if (ev.state === "active") {
      this.setStat(c, STAT_ACTIVE);
      if (c.connectedAt === undefined) {
        c.connectedAt = this.host.clock.now();
        if (c.dir === 0) c.connectedNumber = ev.connectedNumber === undefined ? c.number : ev.connectedNumber;
        if (this.host.vendor === "simcom") this.host.urc("VOICE CALL: BEGIN");
        // 27.007 §7.8 on a module that reports the connected line after ATD's OK.
        if (c.dir === 0 && this.host.settings.colp && this.host.colpStyle === "unsolicited") this.host.urc("+COLP: " + this.colpField(c));
      }
      this.settleAnswer(c.callId, true, 0);
      return;
    }
    const cause = ev.cause === undefined ? 16 : ev.cause;
    this.setCause(cause, ev.causeText);
    const wasStat = c.stat;
    this.remove(c);
    if (this.settleAnswer(c.callId, false, cause)) {
      // A command was waiting for this call: its final result says it.
    } else if (wasStat === STAT_DIALING || wasStat === STAT_ALERTING) {
      this.host.urcCode(failureCode(cause));
    } else if (wasStat === STAT_INCOMING) {
      if (this.host.unansweredReleaseShowsNoCarrier) this.host.urcCode("NO CARRIER");
    } else if (wasStat !== STAT_WAITING) {
      this.host.urcCode("NO CARRIER");
    }
    this.afterRelease();
  }

  // ---- ringing ----

  private ring(): void {
    const c = this.withStat(STAT_INCOMING)[0];
    if (!c) {
      this.stopRinging();
      return;
    }
    this.host.urcCode(this.host.settings.crc ? "+CRING: VOICE" : "RING");
    if (this.host.settings.clip) {
      // 27.007 §7.6: +CLIP: <number>,<type>[,<subaddr>,<satype>[,[<alpha>][,<CLI validity>]]]
      this.host.urc("+CLIP: " + this.numberField(c) + (c.cliValidity !== 0 ? ",,,," + c.cliValidity : ""));
    }
    if (this.host.settings.cdip && c.calledNumber) {
      // 27.007 §7.9: +CDIP: <number>,<type> (the number in digits, like +CLIP's, §7.6).
      this.host.urc('+CDIP: "' + c.calledNumber + '",' + (c.calledNumber.charAt(0) === "+" ? 145 : 129));
    }
    if (this.host.settings.cnap) {
      // 27.007 §7.30: +CNAP: <calling_name>,<CNI_validity> (0 valid, 1 restricted, 2 not
      // available); the name is text, so it follows +CSCS (§5.5) unlike a number.
      const validity = c.cliValidity === 1 ? 1 : c.name ? 0 : 2;
      this.host.urc('+CNAP: "' + (validity === 0 ? this.host.te(c.name || "") : "") + '",' + validity);
    }
    this.ringTimer = this.host.clock.setTimeout(() => this.ring(), this.host.ringIntervalMs);
  }

  private startRinging(): void {
    this.stopRinging();
    this.ring();
  }

  private stopRinging(): void {
    if (this.ringTimer !== undefined) this.host.clock.clearTimeout(this.ringTimer);
    this.ringTimer = undefined;
  }

  /** When only a waiting call is left, it alerts like a new incoming call on this device (SPEC R36). */
  private afterRelease(): void {
    const others = this.calls.filter((c) => c.stat !== STAT_WAITING);
    const waiting = this.withStat(STAT_WAITING)[0];
    if (others.length === 0 && waiting) {
      this.setStat(waiting, STAT_INCOMING);
      this.startRinging();
    } else if (this.withStat(STAT_INCOMING).length === 0) this.stopRinging();
  }

  private settleAnswer(callId: string, active: boolean, cause: number): boolean {
    const w = this.answering[callId];
    if (!w) return false;
    delete this.answering[callId];
    w(active, cause);
    return true;
  }

  /** Answers and waits for the network; a network that never confirms fails the answer after 30 s. */
  private waitAnswer(c: ModemCall): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = this.host.clock.setTimeout(() => {
        if (!this.answering[c.callId]) return;
        delete this.answering[c.callId];
        if (this.calls.indexOf(c) >= 0) this.release(c, 102);
        this.afterRelease();
        resolve(false);
      }, ANSWER_TIMEOUT_MS);
      this.answering[c.callId] = (active) => {
        this.host.clock.clearTimeout(timer);
        resolve(active);
      };
      this.host.network.answer(c.callId);
    });
  }

  // ---- commands ----

  /** ATD<number>; (27.007 §6.3): OK at once, the call's progress follows as result codes. */
  dial(number: string, emergency: boolean, hideNumber: boolean | undefined): Reply | Promise<Reply> {
    if (this.calls.some((c) => c.stat === STAT_DIALING || c.stat === STAT_ALERTING)) throw cme(CME.notAllowed);
    if (emergency) {
      // SPEC R50: the modem releases its own calls before an emergency call. A call only
      // ringing here is let go with normal clearing, not user busy: nobody declined it (R26),
      // and the network withdraws it from the other devices when the emergency call starts (R48).
      for (const c of this.calls.slice()) this.release(c, c.stat === STAT_WAITING ? 17 : 16);
    } else {
      // An alerting incoming call does not stop a new set-up (a new CC transaction, 24.008
      // §5.2.1): the network decides, and on a shared number that is glare (SPEC R37). A
      // waiting call must be answered or rejected first (22.030 §6.5.5).
      if (this.withStat(STAT_WAITING).length > 0) throw cme(CME.notAllowed);
      const active = this.withStat(STAT_ACTIVE);
      if (active.length > 0 && this.withStat(STAT_HELD).length > 0) throw cme(CME.notAllowed);
      // A new call puts the active one on hold (22.030 §6.5.5.1).
      for (const c of active) {
        this.setStat(c, STAT_HELD);
        this.host.network.hold(c.callId, true);
      }
    }
    const callId = this.host.network.dial(number, { emergency, hideNumber });
    const c = this.add({ callId, dir: 0, stat: STAT_DIALING, number, type: number.charAt(0) === "+" ? 145 : 129, cliValidity: 0, emergency });
    this.afterRelease();
    if (!this.host.settings.colp || this.host.colpStyle === "unsolicited") return { lines: [] };
    // 27.007 §7.8: with +COLP=1 the dial command ends when the call connects (+COLP then OK)
    // or fails. Emergency calls too: the manuals that hold ATD make no exception for them.
    return new Promise<Reply>((resolve) => {
      this.answering[callId] = (active, cause) =>
        resolve(active ? { lines: ["+COLP: " + this.colpField(c)] } : { lines: [], final: { kind: "code", text: failureCode(cause) } });
    });
  }

  /** ATA (V.250 §6.3.5): OK once connected, NO CARRIER when there is nothing to answer or the network takes the call away. */
  async answer(): Promise<Reply> {
    const c = this.withStat(STAT_INCOMING)[0];
    if (!c) return { lines: [], final: { kind: "code", text: "NO CARRIER" } };
    this.stopRinging();
    const active = await this.waitAnswer(c);
    return active ? { lines: [] } : { lines: [], final: { kind: "code", text: "NO CARRIER" } };
  }

  private release(c: ModemCall, cause: number): void {
    this.remove(c);
    this.setCause(cause);
    this.host.network.hangup(c.callId, cause);
  }

  /**
   * ATH / +CHUP: releases every call but a waiting one; declining an incoming call sends
   * user busy (#17, SPEC R26). A waiting call left alone then alerts (R36).
   */
  hangupAll(): Reply {
    for (const c of this.calls.slice()) {
      if (c.stat === STAT_WAITING) continue;
      this.release(c, c.stat === STAT_INCOMING ? 17 : 16);
    }
    this.afterRelease();
    return { lines: [] };
  }

  /** +CHLD=<n> (27.007 §7.13). */
  async chld(n: string): Promise<Reply> {
    const waiting = this.withStat(STAT_WAITING)[0];
    const held = this.withStat(STAT_HELD);
    const active = this.withStat(STAT_ACTIVE);
    if (n === "0") {
      // Reject the waiting call as user determined user busy, else release the held calls.
      if (waiting) this.release(waiting, 17);
      else if (held.length > 0) for (const c of held) this.release(c, 16);
      else throw cme(CME.notAllowed);
      this.afterRelease();
      return { lines: [] };
    }
    if (n === "1" || n === "2") {
      // 22.030 §6.5.5.1: 1 releases the active calls, 2 holds them; either then takes the waiting (else held) call.
      if (!waiting && held.length === 0 && active.length === 0) throw cme(CME.notAllowed);
      for (const c of active) {
        if (n === "1") this.release(c, 16);
        else {
          this.setStat(c, STAT_HELD);
          this.host.network.hold(c.callId, true);
        }
      }
      if (waiting) {
        const ok = await this.waitAnswer(waiting);
        return ok ? { lines: [] } : { lines: [], final: { kind: "code", text: "NO CARRIER" } };
      }
      // Without a waiting call, +CHLD=2 swaps: the calls held before become active.
      for (const c of held) {
        this.setStat(c, STAT_ACTIVE);
        this.host.network.hold(c.callId, false);
      }
      this.afterRelease();
      return { lines: [] };
    }
    if (/^[12][1-7]$/.test(n)) {
      const c = this.calls.filter((k) => k.index === Number(n[1]))[0];
      if (!c) throw cme(CME.notFound);
      if (n[0] === "1") {
        this.release(c, c.stat === STAT_INCOMING || c.stat === STAT_WAITING ? 17 : 16);
        this.afterRelease();
        return { lines: [] };
      }
      // 2x: every active call but x on hold; x becomes (or stays) active.
      if (c.stat !== STAT_ACTIVE && c.stat !== STAT_HELD) throw cme(CME.notAllowed);
      for (const k of active) {
        if (k === c) continue;
        this.setStat(k, STAT_HELD);
        this.host.network.hold(k.callId, true);
      }
      if (c.stat === STAT_HELD) {
        this.setStat(c, STAT_ACTIVE);
        this.host.network.hold(c.callId, false);
      }
      return { lines: [] };
    }
    throw cme(CME.notSupported);
  }

  /** +CLCC lines (27.007 §7.18): <id>,<dir>,<stat>,<mode>,<mpty>,<number>,<type>. */
  clcc(): string[] {
    return this.calls.map((c) => {
      const connected = this.host.clccShowsConnectedNumber && c.connectedNumber ? this.colpField(c) : this.numberField(c);
      return "+CLCC: " + c.index + "," + c.dir + "," + c.stat + ",0,0," + connected;
    });
  }

  /** +VTS (27.007 §C.2.11): tones on the active call. */
  dtmf(tones: string): Reply {
    const c = this.withStat(STAT_ACTIVE)[0];
    if (!c) throw cme(CME.notAllowed);
    this.host.network.dtmf(c.callId, tones);
    return { lines: [] };
  }

  /** +CEER line for the last release (27.007 §6.10). */
  ceer(): string {
    const text = this.lastCauseText || CAUSE_TEXT[this.lastCause] || "Cause " + this.lastCause;
    if (this.host.ceerStyle === "text") return '+CEER: "' + text + '"';
    if (this.host.ceerStyle === "location-cause") return "+CEER: 8," + this.lastCause + ",0";
    return "+CEER: " + this.lastCause + ',"' + text + '"';
  }

  /**
   * `<number>,<type>` of +CLCC, +CLIP, +CCWA and +COLP. 27.007 §7.18/§7.6: `<number>` is a
   * "string type phone number of format specified by <type>" and is never converted by
   * +CSCS (only `<alpha>` is): after AT+CSCS="UCS2" a client still reads "+8190...",
   * and ModemManager finds the call in its list.
   */
  private numberField(c: ModemCall): string {
    if (c.cliValidity !== 0 || c.number === "") return '"",128';
    return '"' + c.number + '",' + c.type;
  }

  /** `<number>,<type>` of the connected line (27.007 §7.8): the answering party, "" when not available. */
  private colpField(c: ModemCall): string {
    const n = c.connectedNumber === undefined ? c.number : c.connectedNumber;
    if (n === "") return '"",128';
    return '"' + n + '",' + (n.charAt(0) === "+" ? 145 : 129);
  }
}
