/**
 * Sending a service code (SPEC R78–R81, R91): USSD first, dialling as the fallback.
 *
 * - `AT+CUSD=1,"<code>",15` (27.007 §7.15; 15 = GSM 7-bit, language unspecified, 23.038
 *   §5). The answer is a `+CUSD: <m>[,<str>,<dcs>]` URC that usually comes after the
 *   `OK`, sometimes before it (python-gsmmodem faucamp#16, babca#25): it is caught from
 *   the moment the command is queued and waited for with its own time limit.
 * - `+CUSD: 4` (operation not supported) or `ERROR` for the command: the code is dialled
 *   instead, `ATD<code>;` (27.007 §6.2: SS control through the dial command; R79). The
 *   network takes the call, applies the code and releases it with cause 16 (R80); the
 *   release (`NO CARRIER`) and its `+CEER` cause are the answer. A modem that turns the
 *   dialled code into USSD answers with `+CUSD`, which is taken as well.
 * - `+CUSD: 5` (network time-out) or no `+CUSD` at all in time: "no answer". An open
 *   session (`<m>` 1, or nothing) is closed with `AT+CUSD=2`.
 *
 * One code at a time; a second caller waits for the first.
 *
 * Network-initiated USSD (27.007 §7.15, 24.090 §4.2): a `+CUSD` nobody asked for is
 * passed on (`unsolicited`); with `<m>` = 1 the network waits for an answer, which the
 * user gives with `reply(text)` (`AT+CUSD=1,"<text>",15` in that session) or declines with
 * `end()` (`AT+CUSD=2`).
 *
 * Plain functions over the hot state (state.ts `UssdState`), part of the cold module
 * `sl.prio` (priority.ts) on the watch: what must outlive a call (the phase, a waiter, its
 * timer, the chain of codes) is in `s.us`, so that a `+CUSD` heard by one load of the
 * module answers a code another load sent.
 */
import { AtCommandError, atDialString, atQuoted } from "../../drivers/at/index.js";
import { stringFromCodePoints } from "../../drivers/sms/index.js";
import { decodeUcs2 } from "../../drivers/sms/ucs2.js";
import { parseCeer } from "../line/causes.js";
import { parseClcc } from "../line/clcc.js";
import { errorText } from "./errors.js";
import { atFields, atNumber } from "./fields.js";
import type { Heard, SmsHost } from "./state.js";

/** A parsed `+CUSD` result (27.007 §7.15). */
export interface Cusd {
  /** `<m>`: 0 done, 1 further action required, 2 terminated by network, 3 other local client, 4 not supported, 5 network time-out. */
  status: number;
  /** `<str>` decoded to text ("" when absent). */
  text: string;
  dcs: number;
}

export type CodeAnswer =
  | { kind: "answer"; via: "ussd" | "dial"; cusd: Cusd }
  | { kind: "no-answer"; via: "ussd" | "dial" }
  | { kind: "dialled"; released: boolean; cause: number | undefined; causeText: string }
  | { kind: "failed"; message: string };

function hexBytes(s: string): number[] | undefined {
  if (s.length % 2 !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < s.length; i += 2) {
    const v = parseInt(s.substr(i, 2), 16);
    if (!(v >= 0) || "0123456789abcdefABCDEF".indexOf(s.charAt(i)) < 0 || "0123456789abcdefABCDEF".indexOf(s.charAt(i + 1)) < 0) return undefined;
    out.push(v);
  }
  return out;
}

/**
 * `<str>` as text. CBS data coding (23.038 §5): GSM 7-bit strings arrive in the TE
 * character set (text as is); UCS2 (group 01xx with bits 3..2 = 10, or 0x11 with a
 * two-character language prefix) and 8-bit data arrive as hex octets.
 */
export function ussdText(str: string, dcs: number): string {
  const group = dcs >> 4;
  let alphabet = "gsm7";
  if (dcs === 0x11) alphabet = "ucs2";
  else if ((group >= 4 && group <= 7) || group === 9) {
    const a = (dcs >> 2) & 3;
    alphabet = a === 1 ? "8bit" : a === 2 ? "ucs2" : "gsm7";
  } else if (group === 15 && (dcs & 4) !== 0) alphabet = "8bit";
  if (alphabet === "gsm7") return str;
  const bytes = hexBytes(str);
  if (!bytes) return str;
  // Through the codec's helpers: a string built with fromCharCode above 0xFF is not text
  // on Espruino (its strings are bytes; measured: U+30D3 came out as 0xD3).
  if (alphabet === "8bit") return stringFromCodePoints(bytes);
  // 0x11: two octets of language (GSM 7-bit packed) come before the UCS2 text.
  const ucs2 = new Uint8Array(dcs === 0x11 ? bytes.slice(2) : bytes);
  return stringFromCodePoints(decodeUcs2(ucs2));
}

/** `+CUSD: <m>[,<str>[,<dcs>]]`, or undefined when it is not one. */
export function parseCusd(line: string): Cusd | undefined {
  if (line.indexOf("+CUSD:") !== 0) return undefined;
  const f = atFields(line);
  const status = atNumber(f[0]);
  if (status < 0 || status > 5) return undefined;
  const dcs = f.length > 2 && atNumber(f[2]) >= 0 ? atNumber(f[2]) : 15;
  return { status: status, text: f.length > 1 ? ussdText(f[1], dcs) : "", dcs: dcs };
}

/** Passes what was heard to the code waiting for it, or keeps it for the wait to come. */
export function hear(s: SmsHost, h: Heard): void {
  const u = s.us;
  if (u.waiter) {
    const w = u.waiter;
    u.waiter = undefined;
    if (u.timer !== undefined) s.clock.clearTimeout(u.timer);
    u.timer = undefined;
    w(h);
  } else if (u.heard === undefined) u.heard = h;
}

function listen(s: SmsHost, phase: "ussd" | "dial"): void {
  s.us.phase = phase;
  s.us.heard = undefined;
}

function wait(s: SmsHost, ms: number): Promise<Heard | undefined> {
  const u = s.us;
  const early = u.heard;
  u.heard = undefined;
  if (early) return Promise.resolve(early);
  return new Promise<Heard | undefined>(function (resolve) {
    u.waiter = resolve;
    u.timer = s.clock.setTimeout(function () {
      u.timer = undefined;
      u.waiter = undefined;
      resolve(undefined);
    }, ms);
  });
}

function cancelSession(s: SmsHost): Promise<void> {
  return s.channel.send("AT+CUSD=2").then(
    function () {
      return undefined;
    },
    function () {
      return undefined;
    },
  );
}

/** 27.007 §6.10: the cause of the release. */
function releaseCause(s: SmsHost): Promise<CodeAnswer> {
  return s.channel.send({ cmd: "AT+CEER", prefixes: ["+CEER:"] }).then(
    function (r) {
      const rep = parseCeer(r.lines[0] || "");
      return { kind: "dialled", released: true, cause: rep ? rep.cause : undefined, causeText: rep ? rep.text : "" } as CodeAnswer;
    },
    function () {
      return { kind: "dialled", released: true, cause: undefined, causeText: "" } as CodeAnswer;
    },
  );
}

/** The network never released the code's call: release that call only (27.007 §7.13 +CHLD=1x). */
function releaseOurCall(s: SmsHost, code: string): Promise<CodeAnswer> {
  const ch = s.channel;
  const out: CodeAnswer = { kind: "dialled", released: false, cause: undefined, causeText: "" };
  return ch.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }).then(
    function (r) {
      for (let i = 0; i < r.lines.length; i++) {
        const e = parseClcc(r.lines[i]);
        if (e && e.direction === "outgoing" && e.number === code) {
          return ch.send("AT+CHLD=1" + e.index).then(
            function () {
              return out;
            },
            function () {
              return out;
            },
          );
        }
      }
      return out;
    },
    function () {
      return out;
    },
  );
}

function viaDial(s: SmsHost, code: string): Promise<CodeAnswer> {
  const cmd = "ATD" + atDialString(code) + ";";
  listen(s, "dial");
  return s.channel.send({ cmd: cmd, timeoutMs: s.opts.dialMs, cuttable: true }).then(
    function () {
      return wait(s, s.opts.releaseMs).then(function (h) {
        if (h && h.type === "cusd") {
          const c = h.cusd;
          if (c.status === 5 || c.status === 4) return { kind: "no-answer", via: "dial" } as CodeAnswer;
          return { kind: "answer", via: "dial", cusd: c } as CodeAnswer;
        }
        if (h && h.type === "release") return releaseCause(s);
        return releaseOurCall(s, code);
      });
    },
    function (e) {
      // A network that releases at once: the dial command itself ends with NO CARRIER.
      if (AtCommandError.is(e) && e.kind === "no-carrier") return releaseCause(s);
      return { kind: "failed", message: "dialling " + code + " failed: " + errorText(e) } as CodeAnswer;
    },
  );
}

function viaUssd(s: SmsHost, code: string): Promise<CodeAnswer> {
  const cmd = "AT+CUSD=1," + atQuoted("service code", code, 40) + ",15";
  listen(s, "ussd");
  // cuttable: modems that hold the OK until the network answers must not hold an
  // emergency dial behind it (issue 9); the answer itself is a URC, awaited outside the queue.
  return s.channel.send({ cmd: cmd, timeoutMs: s.opts.cusdCommandMs, cuttable: true }).then(
    function () {
      return wait(s, s.opts.ussdAnswerMs).then(function (h) {
        if (!h || h.type !== "cusd") {
          return cancelSession(s).then(function () {
            return { kind: "no-answer", via: "ussd" } as CodeAnswer;
          });
        }
        const c = h.cusd;
        if (c.status === 4) return viaDial(s, code); // R79: not supported as USSD
        if (c.status === 5) return { kind: "no-answer", via: "ussd" } as CodeAnswer;
        const answer: CodeAnswer = { kind: "answer", via: "ussd", cusd: c };
        if (c.status === 1) {
          // The network wants more; we have nothing more to say: close the session.
          return cancelSession(s).then(function () {
            return answer;
          });
        }
        return answer;
      });
    },
    function (e) {
      // R79: the modem refuses USSD (ERROR / +CME ERROR): dial the code instead.
      if (AtCommandError.is(e)) return viaDial(s, code);
      return { kind: "failed", message: "the modem did not take the code: " + errorText(e) } as CodeAnswer;
    },
  );
}

/** Sends `code` (already validated by the caller) after the codes before it; resolves with what came back, never rejects. */
export function runCode(s: SmsHost, code: string): Promise<CodeAnswer> {
  const u = s.us;
  let p: Promise<CodeAnswer> | undefined = undefined;
  const done = function (a: CodeAnswer) {
    u.phase = "";
    // On Espruino a promise keeps the reactions attached to it while it was pending (the
    // caller's, made in this cold module): the last code's would keep the module in the
    // heap until the next code. Nothing waits behind this one: the chain starts afresh.
    if (u.chain === p) u.chain = Promise.resolve();
    return a;
  };
  const go = function () {
    return viaUssd(s, code).then(done, function (e) {
      return done({ kind: "failed", message: errorText(e) });
    });
  };
  p = u.chain.then(go, go);
  u.chain = p;
  return p;
}

/**
 * Answers a network-initiated request (`<m>` = 1) with `text`; resolves with what the
 * network says next (it may ask again: `answer` with status 1). Never rejects.
 */
export function replyCode(s: SmsHost, text: string): Promise<CodeAnswer> {
  const u = s.us;
  if (!u.asks) return Promise.resolve({ kind: "failed", message: "the network is not waiting for an answer" } as CodeAnswer);
  let cmd: string;
  try {
    cmd = "AT+CUSD=1," + atQuoted("USSD answer", text, 160) + ",15";
  } catch (e) {
    return Promise.resolve({ kind: "failed", message: errorText(e) } as CodeAnswer);
  }
  let p: Promise<CodeAnswer> | undefined = undefined;
  const done = function (a: CodeAnswer) {
    u.phase = "";
    if (u.chain === p) u.chain = Promise.resolve(); // as in runCode
    return a;
  };
  const go = function (): Promise<CodeAnswer> {
    u.asks = false;
    listen(s, "ussd");
    return s.channel.send({ cmd: cmd, timeoutMs: s.opts.cusdCommandMs, cuttable: true }).then(
      function () {
        return wait(s, s.opts.ussdAnswerMs).then(function (h) {
          if (!h || h.type !== "cusd") return done({ kind: "no-answer", via: "ussd" });
          u.asks = h.cusd.status === 1;
          return done({ kind: "answer", via: "ussd", cusd: h.cusd });
        });
      },
      function (e: unknown) {
        return done({ kind: "failed", message: "the modem did not take the answer: " + errorText(e) });
      },
    );
  };
  p = u.chain.then(go, go);
  u.chain = p;
  return p;
}

/** Declines a network-initiated request: ends the session (`AT+CUSD=2`). */
export function endCode(s: SmsHost): Promise<void> {
  s.us.asks = false;
  return cancelSession(s);
}
