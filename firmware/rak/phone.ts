/**
 * The RAK8212's firmware (nRF52832 + Quectel BG96, 2,500 heap blocks, 40,960 bytes of
 * Storage): the call line and SMS receive, nothing else (issue 11 §1; no SMS send, USSD,
 * priority codes, activation, data or companion link: docs/espruino.md "RAK8212" lists
 * what is given up and why). The shared firmware (firmware/main.ts) does not fit this
 * board (`npm run bench -- rak8212`), so this is a second, small composition: one scope
 * of plain closures over the lean AT channel (firmware/rak/at.ts), the PDU codec and the
 * inbox in a cold Storage module (firmware/rak/pdu.ts).
 *
 * What it does:
 * - bring-up on the BG96 (its profile's facts, drivers/modems/quectel.ts): `AT` until it
 *   answers (10 tries 500 ms apart, then a power-key pulse and its boot time), echo off,
 *   numeric errors, URCs to the UART, the SIM checked (+CPIN, 5 tries), registration
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
 *   in progress is released first (AT+CHUP on the same lane, before the dial: R50); a
 *   failed attempt is retried twice. Never a 184 prefix (R52); 112/911 are ordinary
 *   numbers, and when such a call fails the reply says to dial 110, 118 or 119 (R54);
 * - SMS receive: +CMTI, `AT+CMGR`, the part written to Storage, then `AT+CMGD` (a power
 *   cut in between leaves the message on the SIM, listed again by `AT+CMGL=4` at the next
 *   bring-up); duplicates stored once (R75); `smsReceived` once all parts are stored.
 *
 * Events and replies have the names and shapes of the shared firmware's API
 * (firmware/api.ts, firmware/api/types.ts), so app code written for the watch's
 * `sharedline` global runs here for what both have; one console line per event unless quiet.
 *
 * Portable: hal/espruino/rak.ts runs it on the board, the tests on the virtual clock.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import type { CallInfo, Failure } from "../api/types.js";
import { rakAt } from "./at.js";
import { rakDelete, rakInbox, rakStore, rakTidy, type RakMessage } from "./pdu.js";

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
  inbox(): Promise<{ ok: true; messages: RakMessage[] } | Failure>;
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

/** The bring-up script; `!` marks a command whose failure stops bring-up (the rest are optional). */
const SCRIPT = '!ATE0|!AT+CMEE=1|AT+QURCCFG="urcport","uart1"|AT+CPIN?|AT+CREG=2|AT+CEREG=2|!AT+CLIP=1|AT+CRC=1|AT+CCWA=0|AT+COLP=0|!AT+CMGF=0|!AT+CNMI=2,1,0,0,0|AT+CEN=1|AT+CEN?';
/** SPEC R44: the Japanese emergency numbers, known without SIM or network. */
const EMERGENCY = "110|118|119";
/** SPEC R54. */
const HINT = "; 112 and 911 are not emergency numbers here: dial 110, 118 or 119";
const STATUS = "active|held|dialing|alerting|incoming|waiting".split("|");

function fail(reason: string, message: string): Failure {
  return { ok: false, reason: reason, message: message };
}

/** Starts the firmware over `io`; the modem's bring-up begins at once. */
export function startRak(io: RakIo): RakApi {
  const clock = io.clock;
  const flash = io.flash;
  const on: { [name: string]: Listener[] } = {};
  const any: Listener[] = [];
  let state = "off";
  let ecc: string[] = [];
  let calls: Call[] = [];
  let pollTimer: TimerHandle | undefined;
  let polling = false;
  let again = false;
  let afterPoll: (() => void)[] = [];
  // A 112/911 dial not yet connected (SPEC R54).
  let warn = "";

  function emit(name: string, data: unknown): void {
    const l = (on[name] || []).concat(any);
    for (let i = 0; i < l.length; i++) {
      try {
        l[i](data, name);
      } catch (e) {
        io.print("listener of " + name + " failed: " + e);
      }
    }
  }

  function say(line: string): void {
    if (!io.quiet) io.print(line);
  }

  function setState(name: string, why?: string): void {
    if (state === name) return;
    state = name;
    emit("modemState", { name: name, lastError: why || null });
    say("modem: " + name + (why ? " (" + why + ")" : ""));
  }

  // ---- bring-up ----

  function up(tries: number): void {
    setState("bringingUp");
    at.send(
      "AT",
      function (e) {
        if (!e) return step(0, 0);
        if (tries < 9) clock.setTimeout(up.bind(null, tries + 1), 500);
        else if (io.powerKey) {
          // Off (the supply alone does not start a BG96): its power-key pulse, then its boot time.
          setState("off", "no answer to AT");
          io.powerKey(io.pulseMs);
          clock.setTimeout(up.bind(null, 0), io.bootMs);
        } else {
          setState("off", "no answer to AT");
          clock.setTimeout(up.bind(null, 0), io.bootMs);
        }
      },
      1000,
    );
  }

  function step(i: number, tries: number): void {
    const all = SCRIPT.split("|");
    if (i >= all.length) return ready();
    const need = all[i].charAt(0) === "!";
    const cmd = need ? all[i].slice(1) : all[i];
    at.send(cmd, function (e, lines) {
      if (e === "reset") return;
      if (cmd === "AT+CPIN?" && (e || lines.join().indexOf("READY") < 0)) {
        // 27.007 §8.3: SIM busy right after boot is normal; a PIN or no SIM is not.
        if (tries < 4) return void clock.setTimeout(step.bind(null, i, tries + 1), 1000);
        setState("simLocked", e || lines.join());
        return;
      }
      if (e && need) {
        setState("backoff", cmd + ": " + e);
        return void clock.setTimeout(up.bind(null, 0), 10000);
      }
      step(i + 1, 0);
    });
  }

  function ready(): void {
    setState("ready");
    emit("ready", {});
    poll();
    // Messages that came while the firmware was off, or whose deletion a power cut stopped.
    const cut = rakTidy(flash);
    if (cut) say("inbox: " + cut + " part(s) cut by a power cut, read again from the SIM");
    at.send(
      "AT+CMGL=4",
      function (e, lines) {
        if (e) return;
        for (let i = 0; i + 1 < lines.length; i++) {
          const m = /^\+CMGL: (\d+)/.exec(lines[i]);
          if (m) keep(lines[i + 1], m[1]);
        }
      },
      20000,
    );
  }

  // ---- unsolicited lines ----

  function urc(line: string, pdu?: string): void {
    if (/^(NO CARRIER|BUSY|NO ANSWER)/.test(line) && warn) {
      // R54: the 112/911 call failed (before it was ever listed); say which numbers work.
      emit("log", { text: warn + ": " + line + HINT });
      say(warn + ": " + line + HINT);
    }
    if (/^(RING|\+CRING|\+CLIP|NO CARRIER|BUSY|NO ANSWER)/.test(line)) return poll();
    // Parsed by hand here and below: Espruino 2v29's regex fails an optional item (`a?`,
    // `(x)?`) right after `^` (measured: /^a?b/.test("b") is false).
    if (line.indexOf("+CMTI:") === 0) return read(line.split(",")[1]);
    if (line.indexOf("+CMT:") === 0 && pdu) return keep(pdu, "");
    if (line.indexOf("+CEN1:") === 0) ecc = [];
    else if (line.indexOf("+CEN2:") === 0) {
      const n = line.split(",")[1];
      if (n && ecc.indexOf(n) < 0) ecc.push(n);
      emit("emergencyNumbers", { numbers: ecc.slice() });
    } else if (line.indexOf("+CREG: ") === 0 || line.indexOf("+CEREG: ") === 0) {
      const eps = line.charAt(2) === "E";
      const f = line.slice(line.indexOf(":") + 2).split(",");
      emit("registration", { domain: eps ? "eps" : "cs", stat: Number(f[0]) });
      say((eps ? "LTE" : "CS") + ": registration " + f[0]);
    } else if (line === "RDY" || (line === "~hang" && state !== "bringingUp")) {
      // (During bring-up its own steps retry: a silent modem there is one that is off.)
      // The modem restarted (or stopped answering): no call survives, bring-up again.
      update([]);
      setState("bringingUp", line === "RDY" ? "the modem restarted" : "the modem stopped answering");
      up(0);
    }
  }

  // ---- calls ----

  function info(c: Call, ended?: { reason: string; cause: number | null; message: string }): CallInfo {
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
      endedAt: ended ? clock.now() : null,
      end: (ended || null) as CallInfo["end"],
    };
  }

  function poll(then?: () => void): void {
    if (then) afterPoll.push(then);
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    if (pollTimer !== undefined) clock.clearTimeout(pollTimer);
    pollTimer = undefined;
    at.send("AT+CLCC", function (e, lines) {
      polling = false;
      if (!e) update(lines);
      if (again) {
        again = false;
        return poll();
      }
      const waiting = afterPoll;
      afterPoll = [];
      for (let i = 0; i < waiting.length; i++) waiting[i]();
      if (calls.length && pollTimer === undefined) {
        pollTimer = clock.setTimeout(function () {
          pollTimer = undefined;
          poll();
        }, 1500);
      }
    });
  }

  function update(lines: string[]): void {
    const now: Call[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].indexOf("+CLCC: ") !== 0) continue;
      // 27.007 §7.18: <id>,<dir>,<stat>,<mode>,<mpty>[,<number>,<type>...]
      const m = lines[i].slice(7).split(",");
      m[4] = (m[5] || "").split('"').join("");
      const id = Number(m[0]);
      const dir = Number(m[1]);
      // An id is reused at once (the released call's 1 is the emergency call's 1): same direction and number too.
      const old = calls.filter(function (c) {
        return c.i === id && c.d === dir && (!c.n || !m[4] || c.n === m[4]);
      })[0];
      const c: Call = old || { i: id, d: dir, s: -1, n: m[4] || "", e: false, t: clock.now(), c: null };
      if (!c.n && m[4]) c.n = m[4];
      if (!old) c.e = c.d === 0 && emergency(c.n);
      const s = Number(m[2]);
      now.push(c);
      if (s === c.s) continue;
      c.s = s;
      if (s === 0 && c.c === null) {
        c.c = clock.now();
        if (c.n === warn) warn = "";
      }
      const ci = info(c);
      if (!old && (s === 4 || s === 5)) {
        emit("incoming", ci);
        say((s === 5 ? "call waiting" : "incoming call") + " from " + (c.n || "a withheld number"));
      } else {
        emit("callChanged", ci);
        say("call " + c.i + " " + ci.direction + " " + (c.n || "withheld") + ": " + ci.status);
      }
    }
    const gone = calls.filter(function (c) {
      return now.indexOf(c) < 0;
    });
    calls = now;
    if (gone.length) ended(gone);
  }

  /** SPEC R86-R88, R92: why the calls ended, from AT+CEER. */
  function ended(gone: Call[]): void {
    at.send("AT+CEER", function (e, lines) {
      const text = e ? "" : lines.join(" ");
      // +CEER: <cause>,"<text>" | "<text>" | <location>,<cause>,<x> (the three forms modules print).
      const f = text.slice(text.indexOf(":") + 1).split(",");
      const num = function (x: string | undefined) {
        return x !== undefined && /^\d+$/.test(x.trim()) ? Number(x) : null;
      };
      const cause = f.length >= 3 && num(f[1]) !== null ? num(f[1]) : num(f[0]);
      for (let i = 0; i < gone.length; i++) {
        const c = gone[i];
        const reason =
          cause === 26 || /elsewhere/i.test(text)
            ? "answeredElsewhere"
            : cause === 21 || /busy everywhere/i.test(text)
              ? "declinedElsewhere"
              : cause === 25 || /preempt/i.test(text)
                ? "preempted"
                : c.h
                  ? c.c === null && c.d
                    ? "declinedHere"
                    : "hungUpHere"
                  : cause === 34
                    ? "lineInUse"
                    : c.c === null
                      ? c.d
                        ? "missed"
                        : cause === 17
                          ? "busy"
                          : "noAnswer"
                      : "remoteHungUp";
        // R54: 112 and 911 reach nobody in Japan; say which numbers do.
        const hint = c.d === 0 && c.c === null && /^(112|911)$/.test(c.n) ? HINT : "";
        if (hint) warn = "";
        const d = info(c, { reason: reason, cause: cause, message: reason + hint });
        emit("callEnded", d);
        say("call " + c.i + " with " + (c.n || "withheld") + " ended: " + reason + hint + (cause !== null ? " (cause " + cause + ")" : ""));
      }
    });
  }

  function emergency(n: string): boolean {
    return (EMERGENCY + "|" + ecc.join("|")).split("|").indexOf(n) >= 0;
  }

  function mark(): void {
    for (let i = 0; i < calls.length; i++) calls[i].h = true;
  }

  /** Runs `cmd`, reads the calls, and answers with the call `pick` finds (null when none). */
  function callCmd(cmd: string, ms: number, urgent: boolean, pick: () => Call | undefined, orElse?: string): Promise<RakCallReply> {
    return new Promise(function (resolve) {
      at.send(
        cmd,
        function (e) {
          if (e) return resolve(fail("modem", cmd + ": " + e + (orElse || "")));
          poll(function () {
            const c = pick();
            resolve({ ok: true, call: c ? info(c) : null });
          });
        },
        ms,
        urgent,
      );
    });
  }

  function ringing(): Call | undefined {
    return calls.filter(function (c) {
      return c.s === 4;
    })[0];
  }

  function dialled(n: string): () => Call | undefined {
    return function () {
      return calls.filter(function (c) {
        return c.d === 0 && c.n === n;
      })[0];
    };
  }

  /** R45/R46/R50: on the priority lane, after releasing this device's own calls; retried. */
  function emergencyDial(n: string, attempt: number): Promise<RakCallReply> {
    emit("emergency", { phase: attempt > 1 ? "retrying" : "requested", callId: 0, attempts: attempt });
    say("emergency call to " + n + (attempt > 1 ? " (attempt " + attempt + ")" : ""));
    if (calls.length) {
      mark();
      at.send("AT+CHUP", undefined, 5000, true);
    }
    return callCmd("ATD" + n + ";", 30000, true, dialled(n)).then(function (r) {
      if (r.ok || attempt >= 3) return r;
      return new Promise<RakCallReply>(function (resolve) {
        clock.setTimeout(function () {
          resolve(emergencyDial(n, attempt + 1));
        }, 1000);
      });
    });
  }

  // Here, after urc's statement: Espruino hoists nothing (espruino-facts.md).
  const at = rakAt(io.write, clock, urc);

  const api: RakApi = {
    events: {
      on: function (name, fn) {
        const l = on[name] || (on[name] = []);
        l.push(fn);
        return function () {
          if (l.indexOf(fn) >= 0) l.splice(l.indexOf(fn), 1);
        };
      },
    },
    onAny: function (fn) {
      any.push(fn);
      return function () {
        if (any.indexOf(fn) >= 0) any.splice(any.indexOf(fn), 1);
      };
    },
    answer: function () {
      const c = ringing();
      if (!c) return Promise.resolve(fail("noCall", "no call is ringing"));
      return callCmd("ATA", 30000, false, function () {
        return calls.filter(function (k) {
          return k.i === c.i;
        })[0];
      });
    },
    reject: function () {
      const c = ringing();
      if (!c) return Promise.resolve(fail("noCall", "no call is ringing"));
      c.h = true;
      return callCmd("AT+CHUP", 5000, false, function () {
        return undefined;
      });
    },
    hangup: function (id) {
      if (id !== undefined && !(id >= 1 && id <= 7 && Math.floor(id) === id)) return Promise.resolve(fail("badCall", "not a call id: " + id));
      if (!calls.length) return Promise.resolve({ ok: true, call: null } as RakCallReply);
      if (id === undefined) mark();
      else
        calls.forEach(function (c) {
          if (c.i === id) c.h = true;
        });
      return callCmd(id === undefined ? "AT+CHUP" : "AT+CHLD=1" + id, 5000, false, function () {
        return undefined;
      });
    },
    dial: function (number) {
      const n = String(number).replace(/[\s()-]/g, "");
      if (!/^[0-9*#+]+$/.test(n) || n.length > 40 || n.lastIndexOf("+") > 0) return Promise.resolve(fail("badNumber", "not a number: " + number));
      if (emergency(n)) return emergencyDial(n, 1);
      if (state !== "ready") return Promise.resolve(fail("notReady", "the modem is " + state));
      if (calls.length) return Promise.resolve(fail("busy", "a call is in progress (no call waiting on this board)"));
      // R54: 112 and 911 are not emergency numbers in Japan.
      warn = /^(112|911)$/.test(n) ? n : "";
      return callCmd("ATD" + n + ";", 30000, false, dialled(n), warn ? HINT : "");
    },
    calls: function () {
      return Promise.resolve({ ok: true as const, calls: calls.map(function (c) {
        return info(c);
      }) });
    },
    inbox: function () {
      try {
        return Promise.resolve({ ok: true as const, messages: rakInbox(flash) });
      } catch (e) {
        return Promise.resolve(fail("storage", String(e)));
      }
    },
    inboxDelete: function (id) {
      try {
        return Promise.resolve(rakDelete(flash, id) ? { ok: true as const, id: id } : fail("noMessage", "no message " + id));
      } catch (e) {
        return Promise.resolve(fail("storage", String(e)));
      }
    },
    status: function () {
      return Promise.resolve({ ok: true as const, modem: { name: state }, ready: state === "ready", emergencyNumbers: EMERGENCY.split("|").concat(ecc), calls: calls.length });
    },
    snapshot: function () {
      return {
        modem: state,
        ready: state === "ready",
        calls: calls.map(function (c) {
          return info(c);
        }),
      };
    },
    feed: at.feed,
  };

  // ---- SMS receive ----

  function read(index: string): void {
    at.send(
      "AT+CMGR=" + index,
      function (e, lines) {
        if (!e && lines.length > 1) keep(lines[lines.length - 1], index);
      },
      10000,
    );
  }

  /** Stores the PDU, then (only then) deletes it from the SIM; `smsReceived` once the message is whole. */
  function keep(hex: string, index: string): void {
    let g: string;
    try {
      g = rakStore(flash, hex, clock.now());
    } catch (e) {
      g = "full";
      say("inbox: " + e);
    }
    if (g === "full") return say("inbox: Storage is full; the message stays on the SIM");
    if (index) at.send("AT+CMGD=" + index, undefined, 5000);
    if (g === "" || g === "!") return;
    const m = rakInbox(flash, g)[0];
    if (!m || m.missing.length) return;
    emit("smsReceived", m);
    say("SMS from " + m.from + " (" + m.time + (m.parts > 1 ? ", " + m.parts + " parts" : "") + "): " + m.text);
  }

  up(0);
  return api;
}
