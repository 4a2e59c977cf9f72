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
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { AtCommandError, atDialString, atQuoted, type AtChannel } from "../../drivers/at/index.js";
import { stringFromCodePoints } from "../../drivers/sms/index.js";
import { decodeUcs2 } from "../../drivers/sms/ucs2.js";
import { parseCeer } from "../line/causes.js";
import { parseClcc } from "../line/clcc.js";
import { errorText } from "./errors.js";
import { atFields, atNumber } from "./fields.js";

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

export interface ServiceCodeOptions {
  /** Time limit of the `AT+CUSD` command itself (ms). */
  cusdCommandMs: number;
  /** How long to wait for the `+CUSD` answer after the command (ms); the network's own limit is 30 s (R81). */
  answerMs: number;
  /** Time limit of `ATD<code>;` (ms). */
  dialMs: number;
  /** How long to wait for the network to release the dialled code (ms). */
  releaseMs: number;
}

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

type Heard = { type: "cusd"; cusd: Cusd } | { type: "release" };

export class ServiceCodes {
  /** "" idle, or what a `+CUSD` / `NO CARRIER` now answers. */
  private phase: "" | "ussd" | "dial" = "";
  private heard: Heard | undefined = undefined;
  private waiter: ((h: Heard | undefined) => void) | undefined = undefined;
  private timer: TimerHandle | undefined = undefined;
  private chain: Promise<unknown> = Promise.resolve();
  /** A network-initiated session waits for the user's answer (`<m>` = 1). */
  private networkAsks = false;

  /** `unsolicited` hears a `+CUSD` nobody asked for (network-initiated USSD). */
  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly opts: ServiceCodeOptions,
    private readonly unsolicited: (c: Cusd) => void,
  ) {
    const self = this;
    channel.onUrc("+CUSD:", function (line) {
      const c = parseCusd(line);
      if (!c) return;
      if (self.phase === "") {
        self.networkAsks = c.status === 1;
        self.unsolicited(c);
      } else self.hear({ type: "cusd", cusd: c });
    });
    channel.onUrc("NO CARRIER", function () {
      if (self.phase === "dial") self.hear({ type: "release" });
    });
  }

  /** Sends `code` (already validated by the caller); resolves with what came back, never rejects. */
  run(code: string): Promise<CodeAnswer> {
    const self = this;
    const go = function () {
      return self.viaUssd(code).then(
        function (a) {
          self.phase = "";
          return a;
        },
        function (e) {
          self.phase = "";
          return { kind: "failed", message: errorText(e) } as CodeAnswer;
        },
      );
    };
    const p = this.chain.then(go, go);
    this.chain = p;
    return p;
  }

  /** Whether a network-initiated session waits for an answer. */
  networkWaiting(): boolean {
    return this.networkAsks;
  }

  /**
   * Answers a network-initiated request (`<m>` = 1) with `text`; resolves with what the
   * network says next (it may ask again: `answer` with status 1). Never rejects.
   */
  reply(text: string): Promise<CodeAnswer> {
    const self = this;
    if (!this.networkAsks) return Promise.resolve({ kind: "failed", message: "the network is not waiting for an answer" } as CodeAnswer);
    let cmd: string;
    try {
      cmd = "AT+CUSD=1," + atQuoted("USSD answer", text, 160) + ",15";
    } catch (e) {
      return Promise.resolve({ kind: "failed", message: errorText(e) } as CodeAnswer);
    }
    const go = function (): Promise<CodeAnswer> {
      self.networkAsks = false;
      self.listen("ussd");
      return self.channel.send({ cmd: cmd, timeoutMs: self.opts.cusdCommandMs, cuttable: true }).then(
        function () {
          return self.wait(self.opts.answerMs).then(function (h) {
            self.phase = "";
            if (!h || h.type !== "cusd") return { kind: "no-answer", via: "ussd" } as CodeAnswer;
            self.networkAsks = h.cusd.status === 1;
            return { kind: "answer", via: "ussd", cusd: h.cusd } as CodeAnswer;
          });
        },
        function (e: unknown) {
          self.phase = "";
          return { kind: "failed", message: "the modem did not take the answer: " + errorText(e) } as CodeAnswer;
        },
      );
    };
    const p = this.chain.then(go, go);
    this.chain = p;
    return p;
  }

  /** Declines a network-initiated request: ends the session (`AT+CUSD=2`). */
  end(): Promise<void> {
    this.networkAsks = false;
    return this.cancelSession();
  }

  private hear(h: Heard): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      w(h);
    } else if (this.heard === undefined) this.heard = h;
  }

  private listen(phase: "ussd" | "dial"): void {
    this.phase = phase;
    this.heard = undefined;
  }

  private wait(ms: number): Promise<Heard | undefined> {
    const early = this.heard;
    this.heard = undefined;
    if (early) return Promise.resolve(early);
    const self = this;
    return new Promise<Heard | undefined>(function (resolve) {
      self.waiter = resolve;
      self.timer = self.clock.setTimeout(function () {
        self.timer = undefined;
        self.waiter = undefined;
        resolve(undefined);
      }, ms);
    });
  }

  private cancelSession(): Promise<void> {
    return this.channel.send("AT+CUSD=2").then(
      function () {
        return undefined;
      },
      function () {
        return undefined;
      },
    );
  }

  private viaUssd(code: string): Promise<CodeAnswer> {
    const self = this;
    const cmd = "AT+CUSD=1," + atQuoted("service code", code, 40) + ",15";
    this.listen("ussd");
    // cuttable: modems that hold the OK until the network answers must not hold an
    // emergency dial behind it (issue 9); the answer itself is a URC, awaited outside the queue.
    return this.channel.send({ cmd: cmd, timeoutMs: this.opts.cusdCommandMs, cuttable: true }).then(
      function () {
        return self.wait(self.opts.answerMs).then(function (h) {
          if (!h || h.type !== "cusd") {
            return self.cancelSession().then(function () {
              return { kind: "no-answer", via: "ussd" } as CodeAnswer;
            });
          }
          const c = h.cusd;
          if (c.status === 4) return self.viaDial(code); // R79: not supported as USSD
          if (c.status === 5) return { kind: "no-answer", via: "ussd" } as CodeAnswer;
          const answer: CodeAnswer = { kind: "answer", via: "ussd", cusd: c };
          if (c.status === 1) {
            // The network wants more; we have nothing more to say: close the session.
            return self.cancelSession().then(function () {
              return answer;
            });
          }
          return answer;
        });
      },
      function (e) {
        // R79: the modem refuses USSD (ERROR / +CME ERROR): dial the code instead.
        if (AtCommandError.is(e)) return self.viaDial(code);
        return { kind: "failed", message: "the modem did not take the code: " + errorText(e) } as CodeAnswer;
      },
    );
  }

  private viaDial(code: string): Promise<CodeAnswer> {
    const self = this;
    const cmd = "ATD" + atDialString(code) + ";";
    this.listen("dial");
    return this.channel.send({ cmd: cmd, timeoutMs: this.opts.dialMs, cuttable: true }).then(
      function () {
        return self.wait(self.opts.releaseMs).then(function (h) {
          if (h && h.type === "cusd") {
            const c = h.cusd;
            if (c.status === 5 || c.status === 4) return { kind: "no-answer", via: "dial" } as CodeAnswer;
            return { kind: "answer", via: "dial", cusd: c } as CodeAnswer;
          }
          if (h && h.type === "release") return self.releaseCause();
          return self.releaseOurCall(code);
        });
      },
      function (e) {
        // A network that releases at once: the dial command itself ends with NO CARRIER.
        if (AtCommandError.is(e) && e.kind === "no-carrier") return self.releaseCause();
        return { kind: "failed", message: "dialling " + code + " failed: " + errorText(e) } as CodeAnswer;
      },
    );
  }

  /** 27.007 §6.10: the cause of the release. */
  private releaseCause(): Promise<CodeAnswer> {
    return this.channel.send({ cmd: "AT+CEER", prefixes: ["+CEER:"] }).then(
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
  private releaseOurCall(code: string): Promise<CodeAnswer> {
    const ch = this.channel;
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
}
