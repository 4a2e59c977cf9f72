/**
 * The RAK8212's firmware (nRF52832 + Quectel BG96, 2,500 heap blocks, 40,960 bytes of
 * Storage): the call line and SMS receive, nothing else (issue 11 §1; no SMS send, USSD,
 * priority codes, activation, data or companion link: docs/espruino.md "RAK8212" lists
 * what is given up and why). The shared firmware (firmware/main.ts) does not fit this
 * board (`npm run bench -- rak8212`), so this is a second, small composition: one scope
 * of one object over the lean AT channel (firmware/rak/at.ts), the PDU codec and the
 * inbox in a cold Storage module (firmware/rak/pdu.ts). Methods on the prototype,
 * fields on the one instance: a function costs about 4 heap blocks wherever it lives.
 *
 * What it does:
 * - bring-up on the BG96 (its profile's facts, drivers/modems/quectel.ts): `AT` until it
 *   answers (10 tries 500 ms apart, then a power-key pulse and its boot time), echo off,
 *   numeric errors, URCs to the UART, the SIM checked (+CPIN: READY, asked every second
 *   for 20 s while the card starts, again a minute later if it never does), registration
 *   URCs, caller id, +CRING, no call waiting, +COLP off (generic.ts says why), PDU mode,
 *   +CMTI for new messages, the network's emergency numbers (+CEN); `RDY` or a modem that
 *   stops answering runs it again;
 * - calls: `RING`, `+CLIP` and the call results make it read `AT+CLCC`, and it reads it
 *   every 1.5 s while a call exists: `incoming` (with the caller's number), `callChanged`,
 *   `callEnded` (with `AT+CEER`'s cause classified as SPEC R86-R88 say); answer (ATA),
 *   reject and hangup (AT+CHUP, SPEC R26; one call: AT+CHLD=1x), dial;
 * - emergency (SPEC §6): 110, 118, 119 and the network's list (+CEN2, R53) are dialled on
 *   the AT channel's priority lane at once, whatever the modem or the line is doing (R45,
 *   R46): ahead of every queued command, a stuck command steps aside (at.ts), and a call
 *   in progress is released first (AT+CHUP on the same lane, before the first dial only,
 *   never over an emergency call: R50, R49); a failed attempt whose call AT+CLCC lists is
 *   that call, else it is retried twice; a modem that does not answer (off, restarting)
 *   gets the dial as soon as it answers bring-up's `AT`, hangup calls it off meanwhile
 *   (R56: no SIM or registration is waited for); a modem that stays silent gets two
 *   power-key pulses 15 s apart, and 45 s after the request the dial is reported failed
 *   (SOS_WAIT_MS). Never a 184 prefix (R52); 112/911 are ordinary
 *   numbers, and when such a call fails the reply says to dial 110, 118 or 119 (R54);
 * - SMS receive: +CMTI, `AT+CMGR`, the part written to Storage, then `AT+CMGD` (a power
 *   cut in between leaves the message on the SIM, listed again by `AT+CMGL=4` at the next
 *   bring-up); duplicates stored once (R75); `smsReceived` once all parts are stored.
 *
 * Events and replies have the names and shapes of the shared firmware's API
 * (firmware/api.ts, firmware/api/types.ts), so app code written for the watch's
 * `sharedline` global runs here for what both have; one console line per event unless quiet.
 *
 * Portable: firmware/rak/boot.ts runs it on the board, the tests on the virtual clock.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import type { CallInfo, EmergencyEvent, Failure } from "../api/types.js";
import { RakAt } from "./at.js";
import { rakDelete, rakInbox, rakPage, rakStore, rakTidy, type RakPage } from "./pdu.js";

export interface RakIo {
  /** Bytes to the modem UART. */
  write(bytes: string): void;
  clock: Clock;
  /** Espruino's Storage (`require("Storage")`), or hal/memory's MemoryFlash in tests. */
  flash: FlashStorageModule;
  /** One console line. */
  print(line: string): void;
  /** No console line per event (replies to the API are never printed). */
  quiet?: boolean;
  /** Pulses the modem's power key for `ms` (absent where the board has none). */
  powerKey?(ms: number): void;
  /** The modem profile's power-key pulse and boot time (ms). */
  pulseMs: number;
  bootMs: number;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (data: any, name: string) => void;

/** What a call command answers (firmware/api/types.ts CallReply). */
export type RakCallReply = { ok: true; call: CallInfo | null } | Failure;

/** The API of the RAK8212 (a subset of firmware/api.ts's FirmwareApi, same names and replies). */
export interface RakApi {
  events: { on(name: string, fn: Listener): () => void };
  onAny(fn: Listener): () => void;
  answer(): Promise<RakCallReply>;
  reject(): Promise<RakCallReply>;
  hangup(callId?: number): Promise<RakCallReply>;
  dial(number: string): Promise<RakCallReply>;
  calls(): Promise<{ ok: true; calls: CallInfo[] }>;
  /**
   * A page of the inbox: the messages with ids `from` (default 0) and up, oldest first, at
   * most `count` (default and at most pdu.ts INBOX_PAGE, 5) and 5 parts (the whole inbox
   * does not fit the heap), with `next`, the id to ask from for the next page (null when
   * none remain), and `total`. `inbox()` is the first page.
   */
  inbox(page?: { from?: number; count?: number }): Promise<RakPage | Failure>;
  /** Deletes one inbox message (all its parts) by id: a device with 40 KB of Storage must be able to. */
  inboxDelete(id: number): Promise<{ ok: true; id: number } | Failure>;
  status(): Promise<{ ok: true; modem: { name: string }; ready: boolean; emergencyNumbers: string[]; calls: number }>;
  snapshot(): { modem: string; ready: boolean; calls: CallInfo[] };
  /** Bytes from the modem UART (the board's glue feeds them). */
  feed(bytes: string): void;
}

/**
 * The BG96's power-key pulse and boot time (drivers/modems/quectel.ts `quectel-bg96`,
 * from its hardware design), as numbers: importing the profile would bring its bring-up
 * script and the AT chat into the boot code. test/rak/phone.test.ts checks they agree.
 */
export const BG96_PULSE_MS = 600;
export const BG96_BOOT_MS = 5000;

/** A call as AT+CLCC lists it. */
interface Call {
  i: number;
  /** 0 outgoing, 1 incoming. */
  d: number;
  /** 27.007 §7.18 <stat>. */
  s: number;
  n: string;
  e: boolean;
  t: number;
  c: number | null;
  /** Ended by this device (hangup, reject, the release before an emergency dial). */
  h?: boolean;
}

/** An emergency dial: number, attempts, the reply, waiting for the modem, calls to read before dialling. */
interface Sos {
  n: string;
  a: number;
  f: (r: RakCallReply) => void;
  w: boolean;
  c: boolean;
  /** When it was asked for, and how many power-key pulses had been given then. */
  t: number;
  k: number;
  /** The current wait's number (a newer wait makes an older timer do nothing). */
  v: number;
}

/**
 * Time limit of an emergency `ATD` (ms), as the shared line's (firmware/line/emergency-dial.ts):
 * with +COLP=0 (bring-up) the modem answers as soon as the dial is launched, so a longer
 * wait only means a silent modem, and the dial then waits for it instead (R45).
 */
const DIAL_MS = 10000;
/**
 * An emergency dial waiting for a silent modem (SPEC R45): this long after the request,
 * or after the last power-key pulse if later, without an answer, the modem gets a
 * power-key pulse at once; after SOS_CYCLES pulses and this long again, the dial is
 * reported failed (phase "failed", reason "modemSilent"). A BG96 answers AT within its
 * boot time (5 s) of a pulse; a pulse turns a hung one off and the next turns it on.
 * So: 0 s "waiting", 15 s pulse, 30 s pulse, 45 s failed at the latest (a pulse of
 * bring-up's own during the wait moves the next step to 15 s after it).
 */
const SOS_WAIT_MS = 15000;
const SOS_CYCLES = 2;

/** The bring-up script; `!` marks a command whose failure stops bring-up (the rest are optional). */
const SCRIPT = '!ATE0|!AT+CMEE=1|AT+QURCCFG="urcport","uart1"|AT+CPIN?|AT+CREG=2|AT+CEREG=2|!AT+CLIP=1|AT+CRC=1|AT+CCWA=0|AT+COLP=0|!AT+CMGF=0|!AT+CNMI=2,1,0,0,0|AT+CEN=1|AT+CEN?';
/** How long bring-up waits for a SIM that is still starting (s, one AT+CPIN? a second). */
const SIM_WAIT_S = 20;
/** How long a message a read or a delete left on the SIM waits for the next listing. */
const SWEEP_MS = 30000;
/** SPEC R44: the Japanese emergency numbers, known without SIM or network. */
const EMERGENCY = "110|118|119";
/** SPEC R54. */
const HINT = "; 112 and 911 are not emergency numbers here: dial 110, 118 or 119";
const STATUS = "active|held|dialing|alerting|incoming|waiting".split("|");

function failed(reason: string, message: string): Failure {
  return { ok: false, reason: reason, message: message };
}

/** Why a call ended (SPEC R86-R88) from +CEER's cause and text, and who ended it. */
function endReason(c: Call, cause: number | null, text: string): string {
  if (cause === 26 || /elsewhere/i.test(text)) return "answeredElsewhere";
  if (cause === 21 || /busy everywhere/i.test(text)) return "declinedElsewhere";
  if (cause === 25 || /preempt/i.test(text)) return "preempted";
  if (c.h) return c.c === null && c.d ? "declinedHere" : "hungUpHere";
  if (cause === 34) return "lineInUse";
  if (c.c !== null) return "remoteHungUp";
  if (c.d) return "missed";
  return cause === 17 ? "busy" : "noAnswer";
}

/** +CEER: <cause>,"<text>" | "<text>" | <location>,<cause>,<x> (the three forms modules print). */
function ceerCause(text: string): number | null {
  const f = text.slice(text.indexOf(":") + 1).split(",");
  const num = function (x: string | undefined) {
    return x !== undefined && /^\d+$/.test(x.trim()) ? Number(x) : null;
  };
  return f.length >= 3 && num(f[1]) !== null ? num(f[1]) : num(f[0]);
}

function isJapanOnly(n: string): boolean {
  return n === "112" || n === "911";
}

/** The firmware; `sharedline` on the device. Its bring-up begins when it is made. */
export class RakPhone implements RakApi {
  events: { on(name: string, fn: Listener): () => void };
  private readonly at: RakAt;
  private on: { [name: string]: Listener[] } = {};
  private any: Listener[] = [];
  private state = "off";
  /**
   * The bring-up run: a restart (RDY, a hung modem) begins a new one, and every callback
   * and retry timer of an older run does nothing, so two runs never interleave their
   * commands or pulse the power key twice (a BG96 pulsed within its boot turns off again).
   */
  private gen = 0;
  /** The network's emergency numbers (+CEN2, R53). */
  private ecc: string[] = [];
  private list: Call[] = [];
  private pollTimer: TimerHandle | undefined = undefined;
  private polling = false;
  private again = false;
  private afterPoll: (() => void)[] = [];
  /** A 112/911 dial not yet connected (SPEC R54). */
  private warn = "";
  /** The modem answered since it was last silent or restarted. */
  private live = false;
  /** The emergency dial being made. */
  private sos: Sos | undefined = undefined;
  /** A later AT+CMGL=4 for messages a read or a delete left on the SIM (one at a time). */
  private sweep: TimerHandle | undefined;
  /** SIM indexes +CMTI announced and not yet read ("3,5,"). */
  private reads = "";
  /** When the power key was last pulsed, and how many times in all. */
  private kicked = 0;
  private kicks = 0;

  constructor(private readonly io: RakIo) {
    const self = this;
    this.events = {
      on: function (name, fn) {
        return self.listen(self.on[name] || (self.on[name] = []), fn);
      },
    };
    this.at = new RakAt(io.write, io.clock, function (line, pdu) {
      self.urc(line, pdu);
    });
    this.up(0, 0);
  }

  onAny(fn: Listener): () => void {
    return this.listen(this.any, fn);
  }

  answer(): Promise<RakCallReply> {
    const c = this.ringing();
    if (!c) return Promise.resolve(failed("noCall", "no call is ringing"));
    const self = this;
    return this.callCmd("ATA", 30000, false, function () {
      return self.byId(c.i);
    });
  }

  /** Declines the ringing call everywhere (SPEC R26: AT+CHUP). */
  reject(): Promise<RakCallReply> {
    const c = this.ringing();
    if (!c) return Promise.resolve(failed("noCall", "no call is ringing"));
    c.h = true;
    return this.callCmd("AT+CHUP", 5000, false, undefined);
  }

  /** Ends call `id` (AT+CHLD=1x), or every call (AT+CHUP) and an emergency dial waiting for the modem. */
  hangup(id?: number): Promise<RakCallReply> {
    if (id !== undefined && !(id >= 1 && id <= 7 && Math.floor(id) === id)) return Promise.resolve(failed("badCall", "not a call id: " + id));
    // An emergency dial still waiting for the modem is the user's to call off: once the
    // modem wakes it would otherwise ring the agency unasked, maybe minutes later.
    const s = this.sos;
    if (s && s.w && id === undefined) this.sosEnd(s, undefined, "cancelled by hangup");
    if (!this.list.length) return Promise.resolve({ ok: true, call: null } as RakCallReply);
    for (let i = 0; i < this.list.length; i++) if (id === undefined || this.list[i].i === id) this.list[i].h = true;
    return this.callCmd(id === undefined ? "AT+CHUP" : "AT+CHLD=1" + id, 5000, false, undefined);
  }

  dial(number: string): Promise<RakCallReply> {
    const n = String(number).replace(/[\s()-]/g, "");
    if (!/^[0-9*#+]+$/.test(n) || n.length > 40 || n.lastIndexOf("+") > 0) return Promise.resolve(failed("badNumber", "not a number: " + number));
    if (this.emergency(n)) return this.emergencyDial(n);
    if (this.state !== "ready") return Promise.resolve(failed("notReady", "the modem is " + this.state));
    if (this.list.length) return Promise.resolve(failed("busy", "a call is in progress (no call waiting on this board)"));
    this.warn = isJapanOnly(n) ? n : "";
    return this.callCmd("ATD" + n + ";", 30000, false, this.dialled(n), this.warn ? HINT : "");
  }

  calls(): Promise<{ ok: true; calls: CallInfo[] }> {
    return Promise.resolve({ ok: true as const, calls: this.snapshot().calls });
  }

  inbox(page?: { from?: number; count?: number }): Promise<RakPage | Failure> {
    try {
      return Promise.resolve(rakPage(this.io.flash, page) || failed("badPage", "not a page: " + JSON.stringify(page)));
    } catch (e) {
      return Promise.resolve(failed("storage", String(e)));
    }
  }

  inboxDelete(id: number): Promise<{ ok: true; id: number } | Failure> {
    try {
      return Promise.resolve(rakDelete(this.io.flash, id) ? { ok: true as const, id: id } : failed("noMessage", "no message " + id));
    } catch (e) {
      return Promise.resolve(failed("storage", String(e)));
    }
  }

  status(): Promise<{ ok: true; modem: { name: string }; ready: boolean; emergencyNumbers: string[]; calls: number }> {
    return Promise.resolve({ ok: true as const, modem: { name: this.state }, ready: this.state === "ready", emergencyNumbers: EMERGENCY.split("|").concat(this.ecc), calls: this.list.length });
  }

  snapshot(): { modem: string; ready: boolean; calls: CallInfo[] } {
    const out: CallInfo[] = [];
    for (let i = 0; i < this.list.length; i++) out.push(this.info(this.list[i]));
    return { modem: this.state, ready: this.state === "ready", calls: out };
  }

  feed(bytes: string): void {
    this.at.feed(bytes);
  }

  // ---- events ----

  private listen(l: Listener[], fn: Listener): () => void {
    l.push(fn);
    return function () {
      if (l.indexOf(fn) >= 0) l.splice(l.indexOf(fn), 1);
    };
  }

  /** Emergency payloads are checked against the shared EmergencyEvent where emitted (`satisfies`): an app typed by ApiEvents must know every phase sent here. */
  private emit(name: string, data: unknown): void {
    const l = (this.on[name] || []).concat(this.any);
    for (let i = 0; i < l.length; i++) {
      try {
        l[i](data, name);
      } catch (e) {
        this.io.print("listener of " + name + " failed: " + e);
      }
    }
  }

  private say(line: string): void {
    if (!this.io.quiet) this.io.print(line);
  }

  private setState(name: string, why?: string): void {
    if (this.state === name) return;
    this.state = name;
    this.emit("modemState", { name: name, lastError: why || null });
    this.say("modem: " + name + (why ? " (" + why + ")" : ""));
  }

  private later(fn: () => void, ms: number): void {
    this.io.clock.setTimeout(fn, ms);
  }

  // ---- bring-up ----

  private up(tries: number, g: number): void {
    const self = this;
    if (g !== this.gen) return;
    this.setState("bringingUp");
    this.at.send(
      "AT",
      function (e) {
        // The modem answered, whichever run asked: an emergency dial waiting for it goes.
        if (!e) self.alive();
        // RDY failed it: urc() runs bring-up again itself.
        if (e === "reset" || g !== self.gen) return;
        if (!e) return self.step(0, 0, g);
        if (tries < 9)
          return self.later(function () {
            self.up(tries + 1, g);
          }, 500);
        self.cycle(g, "no answer to AT");
      },
      1000,
    );
  }

  /**
   * Off (the supply alone does not start a BG96) or hung: its power-key pulse (on when
   * off, off when on), then its boot time before run `g` asks again.
   */
  private cycle(g: number, why: string): void {
    const self = this;
    const io = this.io;
    this.setState("off", why);
    if (io.powerKey) io.powerKey(io.pulseMs);
    this.kicked = io.clock.now();
    this.kicks++;
    this.later(function () {
      self.up(0, g);
    }, io.bootMs);
  }

  private step(i: number, tries: number, g: number): void {
    const self = this;
    if (g !== this.gen) return;
    const all = SCRIPT.split("|");
    if (i >= all.length) return this.ready();
    const need = all[i].charAt(0) === "!";
    const cmd = need ? all[i].slice(1) : all[i];
    this.at.send(cmd, function (e, lines) {
      // Any answer says the modem is there (a hung command's run goes on with its steps).
      if (!e) self.alive();
      if (e === "reset" || g !== self.gen) return;
      if (cmd === "AT+CPIN?") {
        let v = e;
        for (let k = 0; k < lines.length; k++) if (lines[k].indexOf("+CPIN: ") === 0) v = lines[k].slice(7);
        if (v !== "READY") return self.simWait(i, tries, g, v, v === "NOT READY" || !!e);
      }
      if (e && need) {
        self.setState("backoff", cmd + ": " + e);
        return self.later(function () {
          self.up(0, g);
        }, 10000);
      }
      self.step(i + 1, 0, g);
    });
  }

  /**
   * The SIM is not READY (27.007 §8.3). `NOT READY`, an error (14 SIM busy; 10, which a
   * BG96 also says while the card starts) or no answer: the card may still be starting
   * (seconds after the modem's RDY), so it is asked again every second for SIM_WAIT_S;
   * bring-up never goes on before READY. Any other answer (SIM PIN, SIM PUK) needs a
   * person. Either way the state says why (R55: no emergency call without a usable SIM),
   * and a card that never finished starting is tried again a minute later.
   */
  private simWait(i: number, tries: number, g: number, v: string, starting: boolean): void {
    const self = this;
    if (starting && tries < SIM_WAIT_S) {
      if (!tries) this.say("SIM not ready (" + v + "): asking again every second for " + SIM_WAIT_S + " s");
      return this.later(function () {
        self.step(i, tries + 1, g);
      }, 1000);
    }
    this.setState("simLocked", (starting ? "+CPIN? " + v + " for " + SIM_WAIT_S + " s: the SIM is not ready, asked again in 60 s" : "the SIM asks for " + v) + "; emergency calls are unavailable without a usable SIM");
    if (starting)
      this.later(function () {
        self.up(0, g);
      }, 60000);
  }

  private ready(): void {
    this.setState("ready");
    this.emit("ready", {});
    this.poll(undefined);
    // Messages that came while the firmware was off, or whose deletion a power cut stopped.
    const cut = rakTidy(this.io.flash);
    if (cut) this.say("inbox: " + cut + " part(s) cut by a power cut, read again from the SIM");
    this.listSim();
  }

  /**
   * Every message on the SIM, each stored as its PDU line arrives (a full SIM lists 20 to
   * 50 PDUs of up to 352 hex digits: held together they would not fit the heap), then
   * the stored ones deleted one at a time once the listing ends (R75: stored before
   * deleted; duplicates are stored and reported once).
   */
  private listSim(): void {
    const self = this;
    let idx = "";
    let del = "";
    this.at.send(
      "AT+CMGL=4",
      function (e) {
        if (e) self.resweep();
        self.drop(del);
      },
      20000,
      false,
      function (line) {
        if (line.indexOf("+CMGL: ") === 0) idx = line.slice(7).split(",")[0];
        else if (idx) {
          if (self.keep(line)) del += idx + ",";
          idx = "";
        }
      },
    );
  }

  /**
   * Deletes the SIM's messages `list` ("3,5,"), one command at a time: a queued command
   * holds heap. Left on the SIM, a message would be stored and reported again at the
   * next listing once the user has deleted it here (R75): a failed deletion is tried again.
   */
  private drop(list: string): void {
    const self = this;
    const i = list.indexOf(",");
    if (i < 0) return;
    this.at.send(
      "AT+CMGD=" + list.slice(0, i),
      function (e) {
        if (e) self.resweep();
        self.drop(list.slice(i + 1));
      },
      5000,
    );
  }

  /**
   * A read or a delete that did not finish (cut short by an emergency dial, an error, a
   * time limit) leaves the message on the SIM: it is listed again SWEEP_MS later, so it is
   * delivered without waiting for the next bring-up, and its deletion is tried again.
   */
  private resweep(): void {
    const self = this;
    if (this.sweep) return;
    this.sweep = this.io.clock.setTimeout(function () {
      self.sweep = undefined;
      // Not ready: the bring-up's ready() lists the SIM anyway.
      if (self.state === "ready") self.listSim();
    }, SWEEP_MS);
  }

  // ---- unsolicited lines ----

  private urc(line: string, pdu?: string): void {
    // Parsed by string compares: Espruino 2v29's RegExp fails an optional item right after
    // `^` (/^a?b/ does not match "b", measured) and alternation inside a group (espruino-facts.md).
    const end = line === "NO CARRIER" || line === "BUSY" || line === "NO ANSWER";
    if (end && this.warn) {
      // R54: the 112/911 call failed (before a +CLCC listed it); say which numbers work.
      this.emit("log", { text: this.warn + ": " + line + HINT });
      this.say(this.warn + ": " + line + HINT);
    }
    if (end || line === "RING" || line.indexOf("+CRING:") === 0 || line.indexOf("+CLIP:") === 0) return this.poll(undefined);
    if (line === "RDY" || line === "~hang") this.live = false;
    if (line.indexOf("+CMTI:") === 0) return this.announce(line.split(",")[1]);
    if (line.indexOf("+CMT:") === 0 && pdu) {
      this.keep(pdu);
      return;
    }
    if (line.indexOf("+CEN1:") === 0) this.ecc = [];
    else if (line.indexOf("+CEN2:") === 0) {
      const n = line.split(",")[1];
      if (n && this.ecc.indexOf(n) < 0) this.ecc.push(n);
      this.emit("emergencyNumbers", { numbers: this.ecc.slice() });
    } else if (line.indexOf("+CREG: ") === 0 || line.indexOf("+CEREG: ") === 0) {
      const eps = line.charAt(2) === "E";
      const f = line.slice(line.indexOf(":") + 2).split(",");
      this.emit("registration", { domain: eps ? "eps" : "cs", stat: Number(f[0]) });
      this.say((eps ? "LTE" : "CS") + ": registration " + f[0]);
    } else if (line === "RDY" || (line === "~hang" && this.state === "ready")) {
      // The modem restarted (or stopped answering): bring-up again, as a new run. Outside
      // "ready" a run is already going, and its own retries and power-key pulse handle a
      // silent modem. Only a restart ends calls: one that stopped answering may still hold
      // them, and AT+CLCC says which once it answers again.
      const gone = line === "RDY" ? this.list : [];
      if (gone.length) this.list = [];
      for (let i = 0; i < gone.length; i++) {
        this.emit("callEnded", this.info(gone[i], { reason: "modemReset", cause: null, message: "modemReset" }));
        this.say("call " + gone[i].i + " with " + (gone[i].n || "withheld") + " ended: modemReset");
      }
      this.setState("bringingUp", line === "RDY" ? "the modem restarted" : "the modem stopped answering");
      this.up(0, ++this.gen);
    }
  }

  // ---- calls ----

  private info(c: Call, ended?: { reason: string; cause: number | null; message: string }): CallInfo {
    return {
      id: c.i,
      direction: c.d ? "incoming" : "outgoing",
      status: ended ? "released" : (STATUS[c.s] as CallInfo["status"]),
      number: c.n,
      name: "",
      calledNumber: "",
      connectedNumber: "",
      emergency: c.e,
      startedAt: c.t,
      connectedAt: c.c,
      endedAt: ended ? this.io.clock.now() : null,
      end: (ended || null) as CallInfo["end"],
    };
  }

  private byId(id: number): Call | undefined {
    for (let i = 0; i < this.list.length; i++) if (this.list[i].i === id) return this.list[i];
    return undefined;
  }

  private ringing(): Call | undefined {
    for (let i = 0; i < this.list.length; i++) if (this.list[i].s === 4) return this.list[i];
    return undefined;
  }

  private dialled(n: string): () => Call | undefined {
    const self = this;
    return function () {
      for (let i = 0; i < self.list.length; i++) if (self.list[i].d === 0 && self.list[i].n === n) return self.list[i];
      return undefined;
    };
  }

  /** Reads AT+CLCC (again at once when asked meanwhile), then runs `then`; every 1.5 s while a call exists. */
  private poll(then: (() => void) | undefined): void {
    const self = this;
    const clock = this.io.clock;
    if (then) this.afterPoll.push(then);
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    if (this.pollTimer !== undefined) clock.clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.at.send("AT+CLCC", function (e, lines) {
      self.polling = false;
      if (!e) self.update(lines);
      if (self.again) {
        self.again = false;
        return self.poll(undefined);
      }
      const waiting = self.afterPoll;
      self.afterPoll = [];
      for (let i = 0; i < waiting.length; i++) waiting[i]();
      if (self.list.length && self.pollTimer === undefined) {
        self.pollTimer = clock.setTimeout(function () {
          self.pollTimer = undefined;
          self.poll(undefined);
        }, 1500);
      }
    });
  }

  private update(lines: string[]): void {
    const now: Call[] = [];
    const clock = this.io.clock;
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].indexOf("+CLCC: ") !== 0) continue;
      // 27.007 §7.18: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>...]
      const f = lines[i].slice(7).split(",");
      const id = Number(f[0]);
      const dir = Number(f[1]);
      const num = (f[5] || "").split('"').join("");
      // An id is reused at once (the released call's 1 is the emergency call's 1): same direction and number too.
      let old = this.byId(id);
      if (old && (old.d !== dir || (old.n && num && old.n !== num))) old = undefined;
      const c: Call = old || { i: id, d: dir, s: -1, n: num, e: dir === 0 && this.emergency(num), t: clock.now(), c: null };
      if (!c.n && num) c.n = num;
      const s = Number(f[2]);
      now.push(c);
      if (s === c.s) continue;
      c.s = s;
      if (s === 0 && c.c === null) {
        c.c = clock.now();
        if (c.n === this.warn) this.warn = "";
      }
      const ci = this.info(c);
      if (!old && (s === 4 || s === 5)) {
        this.emit("incoming", ci);
        this.say((s === 5 ? "call waiting" : "incoming call") + " from " + (c.n || "a withheld number"));
      } else {
        this.emit("callChanged", ci);
        this.say("call " + c.i + " " + ci.direction + " " + (c.n || "withheld") + ": " + ci.status);
      }
    }
    const gone: Call[] = [];
    for (let i = 0; i < this.list.length; i++) if (now.indexOf(this.list[i]) < 0) gone.push(this.list[i]);
    this.list = now;
    if (gone.length) this.ended(gone);
  }

  /** SPEC R86-R88, R92: why the calls ended, from AT+CEER. */
  private ended(gone: Call[]): void {
    const self = this;
    this.at.send("AT+CEER", function (e, lines) {
      const text = e ? "" : lines.join(" ");
      const cause = e ? null : ceerCause(text);
      for (let i = 0; i < gone.length; i++) {
        const c = gone[i];
        const reason = endReason(c, cause, text);
        // R54: 112 and 911 reach nobody in Japan; say which numbers do.
        const hint = c.d === 0 && c.c === null && isJapanOnly(c.n) ? HINT : "";
        if (hint) self.warn = "";
        self.emit("callEnded", self.info(c, { reason: reason, cause: cause, message: reason + hint }));
        self.say("call " + c.i + " with " + (c.n || "withheld") + " ended: " + reason + hint + (cause !== null ? " (cause " + cause + ")" : ""));
      }
    });
  }

  private emergency(n: string): boolean {
    return !!n && (EMERGENCY + "|" + this.ecc.join("|")).split("|").indexOf(n) >= 0;
  }

  /** Runs `cmd`, reads the calls, and answers with the call `pick` finds (null when none). */
  private callCmd(cmd: string, ms: number, urgent: boolean, pick: (() => Call | undefined) | undefined, orElse?: string): Promise<RakCallReply> {
    const self = this;
    return new Promise(function (resolve) {
      self.at.send(
        cmd,
        function (e) {
          if (e) return resolve(failed("modem", cmd + ": " + e + (orElse || "")));
          self.poll(function () {
            const c = pick ? pick() : undefined;
            resolve({ ok: true, call: c ? self.info(c) : null });
          });
        },
        ms,
        urgent,
      );
    });
  }

  /**
   * R45/R46/R50/R56: kept until placed. Dialled at once on the priority lane when the modem
   * answers; when it does not (off, restarting, before bring-up's first `AT` answer) the
   * dial waits for that answer rather than queueing a command ahead of the `AT` tries that
   * would wake it. No SIM or registration is waited for: the modem and the network decide.
   */
  private emergencyDial(n: string): Promise<RakCallReply> {
    const self = this;
    return new Promise(function (resolve) {
      if (self.sos) self.sos.f(failed("replaced", "replaced by the emergency call to " + n));
      const s: Sos = (self.sos = { n: n, a: 0, f: resolve, w: !self.live, c: false, t: self.io.clock.now(), k: self.kicks, v: 0 });
      if (self.live) return self.sosDial();
      self.emit("emergency", { phase: "waiting", callId: 0, attempts: 0 } satisfies EmergencyEvent);
      self.say("emergency call to " + n + " as soon as the modem answers");
      self.sosWait(s);
    });
  }

  /** The modem answered (bring-up's `AT`): the waiting emergency dial goes now. */
  private alive(): void {
    this.live = true;
    const s = this.sos;
    if (!s || !s.w) return;
    s.w = false;
    if (!s.c) return this.sosDial();
    // A dial written before the modem went silent may have been placed: look first.
    const self = this;
    this.poll(function () {
      if (self.sos !== s) return;
      const c = self.dialled(s.n)();
      if (c) return self.sosEnd(s, c, "");
      self.sosDial();
    });
  }

  /**
   * The emergency dial waits for a silent modem: bounded from the request, see
   * SOS_WAIT_MS. The pulse starts a new bring-up run, so the old one's own pulse cannot
   * follow within the boot time (a BG96 pulsed while it boots turns off again).
   */
  private sosWait(s: Sos): void {
    const self = this;
    const clock = this.io.clock;
    const v = ++s.v;
    this.later(
      function () {
        if (self.sos !== s || !s.w || s.v !== v) return;
        // A pulse of bring-up's own came meanwhile: the modem gets its full time after it.
        if (clock.now() < Math.max(s.t, self.kicked) + SOS_WAIT_MS) return self.sosWait(s);
        if (self.kicks - s.k < SOS_CYCLES) {
          self.cycle(++self.gen, "an emergency call waits and the modem does not answer");
          return self.sosWait(s);
        }
        const why = "the modem did not answer for " + Math.round((clock.now() - s.t) / 1000) + " s, " + SOS_CYCLES + " power cycles included: the emergency call to " + s.n + " was not placed; dial again, or use another phone";
        self.emit("emergency", { phase: "failed", callId: 0, attempts: s.a, reason: "modemSilent", message: why } satisfies EmergencyEvent);
        self.say("emergency call failed: " + why);
        self.sosEnd(s, undefined, why, "modemSilent");
      },
      Math.max(0, Math.max(s.t, this.kicked) + SOS_WAIT_MS - clock.now()),
    );
  }

  private sosEnd(s: Sos, c: Call | undefined, why: string, reason?: string): void {
    this.sos = undefined;
    s.f(c ? { ok: true, call: this.info(c) } : why ? failed(reason || "modem", why) : { ok: true, call: null });
  }

  private sosDial(): void {
    const self = this;
    const s = this.sos!;
    const n = s.n;
    s.a++;
    this.emit("emergency", { phase: s.a > 1 ? "retrying" : "requested", callId: 0, attempts: s.a } satisfies EmergencyEvent);
    this.say("emergency call to " + n + (s.a > 1 ? " (attempt " + s.a + ")" : ""));
    let sos = false;
    for (let i = 0; i < this.list.length; i++) if (this.list[i].e) sos = true;
    // R50 on the first attempt only, whatever the call list says (it may not have caught up
    // with a dial just made; with no call AT+CHUP answers OK at once). R49: an emergency
    // call is never released, nor is the one a retry's dial may already have placed.
    if (s.a === 1 && !sos) {
      for (let i = 0; i < this.list.length; i++) this.list[i].h = true;
      this.at.send("AT+CHUP", undefined, 5000, true);
    }
    this.at.send(
      "ATD" + n + ";",
      function (e) {
        if (self.sos !== s) return;
        self.poll(function () {
          if (self.sos !== s) return;
          const c = self.dialled(n)();
          // A failed ATD whose call is listed was placed (its final was lost or mistaken): keep it.
          if (c || !e) return self.sosEnd(s, c, "");
          if (!self.live) {
            s.w = s.c = true;
            return self.sosWait(s);
          }
          if (s.a >= 3) return self.sosEnd(s, undefined, "ATD" + n + ": " + e);
          self.later(function () {
            if (self.sos === s) self.sosDial();
          }, 1000);
        });
      },
      DIAL_MS,
      true,
    );
  }

  // ---- SMS receive ----

  /** A +CMTI's SIM index: read after those announced before it. */
  private announce(index: string): void {
    const idle = !this.reads;
    this.reads += index + ",";
    if (idle) this.read();
  }

  /**
   * Reads the first index of `reads`, stores it, deletes it, then the next: one read
   * queued at a time (a queued command holds heap; a modem's buffered indications come
   * 20 at once). A read that fails leaves the rest to the sweep's listing, which finds
   * every message on the SIM.
   */
  private read(): void {
    const self = this;
    const i = this.reads.indexOf(",");
    if (i < 0) return;
    const index = this.reads.slice(0, i);
    this.at.send(
      "AT+CMGR=" + index,
      function (e, lines) {
        if (e) {
          self.reads = "";
          return self.resweep();
        }
        if (lines.length > 1 && self.keep(lines[lines.length - 1])) self.drop(index + ",");
        self.reads = self.reads.slice(i + 1);
        self.read();
      },
      10000,
    );
  }

  /**
   * Stores the PDU; true when it is in Storage (or a duplicate, or kept aside unreadable),
   * so that the SIM's copy may be deleted now, and only then. `smsReceived` once the
   * message is whole.
   */
  private keep(hex: string): boolean {
    let g: string;
    try {
      g = rakStore(this.io.flash, hex, this.io.clock.now());
    } catch (e) {
      g = "full";
      this.say("inbox: " + e);
    }
    if (g === "full") {
      this.say("inbox: Storage is full; the message stays on the SIM");
      return false;
    }
    if (g === "" || g === "!") return true;
    const m = rakInbox(this.io.flash, g)[0];
    if (!m || m.missing.length) return true;
    this.emit("smsReceived", m);
    this.say("SMS from " + m.from + " (" + m.time + (m.parts > 1 ? ", " + m.parts + " parts" : "") + "): " + m.text);
    return true;
  }
}

/** Starts the firmware over `io`; the modem's bring-up begins at once. */
export function startRak(io: RakIo): RakApi {
  return new RakPhone(io);
}
