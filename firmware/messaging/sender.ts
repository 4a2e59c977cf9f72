/**
 * The sending loop: one outbox message at a time, one part at a time, through
 * `AT+CMGS=<length>` in prompt mode (27.005 §3.5.1; the engine writes the PDU and Ctrl-Z
 * after `> `). Every part the modem confirms with `+CMGS: <mr>` is written to the record
 * before the next part goes, so after any interruption only unconfirmed parts are sent
 * again.
 *
 * Exactly once (outbox.ts): each part's TP-MR is stored before the part is written; a
 * part written before but never confirmed (a time-out, a modem restart, the process
 * killed) goes again with the same TP-MR and TP-RD = 1, and the service centre's
 * "duplicate" refusal (`+CMS ERROR: 197`, 23.040 §9.2.3.22 TP-FCS 0xC5) means it had it.
 *
 * Failures: a refusal that cannot get better (a `+CMS ERROR` that names the message or the
 * recipient as the problem) ends the message at once; anything else (no network, network
 * time-out, SIM busy, a command time-out) is retried with exponential back-off, and after
 * `maxAttempts` the message fails for good with the last error. A command aborted by a
 * modem restart does not count as an attempt: the loop waits for the modem to be ready.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { AtAbortedError, AtArgumentError, AtCommandError, atInt, type AtChannel } from "../../drivers/at/index.js";
import { buildPart, buildParts, type Outbox, type OutMessage } from "./outbox.js";
import { errorText } from "./errors.js";

export interface SenderOptions {
  /** Attempts (failed submissions) before a message fails for good. */
  maxAttempts: number;
  /** Back-off after the first failure (ms); each further failure triples it. */
  retryBaseMs: number;
  /** The longest back-off (ms). */
  retryMaxMs: number;
  /** Time limit of one `AT+CMGS` (ms): the network answers within TR1M, up to a minute or two. */
  cmgsTimeoutMs: number;
  /** Parts a message may have at most. */
  maxParts: number;
}

export interface SenderHooks {
  ready(): boolean;
  /** This device's identity (its IMEI, "" when unknown), the base of its concatenation references. */
  identity(): string;
  sent(m: OutMessage): void;
  failed(m: OutMessage): void;
  log(line: string): void;
}

/**
 * `+CMS ERROR` codes after which trying again cannot help: 24.011 Annex E-2 RP causes
 * (unassigned number, barred, rejected, unknown subscriber, not subscribed, invalid
 * message), 23.040 §9.2.3.22 TP-FCS values 0x80–0xBF and the permanent 0xC1, 0xC3–0xC7,
 * and 27.005 §3.2.5 "operation not supported" / invalid PDU parameters.
 */
export function permanentCms(code: number): boolean {
  const rp = [1, 8, 10, 21, 29, 30, 50, 69, 96, 97, 99, 111, 127];
  if (rp.indexOf(code) >= 0) return true;
  if (code >= 0x80 && code <= 0xbf) return true;
  if (code === 0xc1 || (code >= 0xc3 && code <= 0xc7)) return true;
  return code === 303 || code === 304 || code === 305;
}

/** 23.040 §9.2.3.22 TP-FCS "SM Rejected - Duplicate SM", as `+CMS ERROR: 197`. */
export const CMS_DUPLICATE_SM = 0xc5;

/** `+CMGS: <mr>[,<scts>]` → TP-MR, or -1. */
export function parseCmgs(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].indexOf("+CMGS:") !== 0) continue;
    const mr = parseInt(lines[i].substr(6), 10);
    if (mr >= 0 && mr <= 255) return mr;
  }
  return -1;
}

export class Sender {
  private busy = false;
  private timer: TimerHandle | undefined = undefined;
  private stopped = false;
  private renumberTold = false;

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly outbox: Outbox,
    private readonly opts: SenderOptions,
    private readonly hooks: SenderHooks,
  ) {}

  /** Looks for a message due now and sends it; arms a timer for the next one otherwise. */
  kick(): void {
    if (this.stopped || this.busy || !this.hooks.ready()) return;
    const now = this.clock.now();
    const list = this.outbox.list();
    let due: OutMessage | undefined = undefined;
    let earliest = Infinity;
    for (let i = 0; i < list.length; i++) {
      if (list[i].state !== "pending") continue;
      if (list[i].next <= now) {
        due = list[i];
        break;
      }
      if (list[i].next < earliest) earliest = list[i].next;
    }
    if (!due) {
      if (earliest < Infinity) this.arm(earliest - now);
      return;
    }
    this.busy = true;
    const self = this;
    const done = function () {
      self.busy = false;
      self.kick();
    };
    this.step(due).then(done, function (e) {
      self.hooks.log("sms: outbox " + due!.id + ": " + errorText(e));
      // Whatever failed (storage, most likely), do not spin: look again later.
      due!.next = self.clock.now() + self.opts.retryBaseMs;
      done();
    });
  }

  /** Stops for good (timers cleared); used when the firmware stops. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const self = this;
    this.timer = this.clock.setTimeout(function () {
      self.timer = undefined;
      self.kick();
    }, ms > 0 ? ms : 0);
  }

  /** Sends the next unconfirmed part of `m`, or finishes it. */
  private step(m: OutMessage): Promise<void> {
    if (m.ref < 0 && m.mrs.length > 1) {
      const self = this;
      return this.outbox.assignRef(m, this.hooks.identity()).then(function () {
        return self.step(m);
      });
    }
    let parts;
    try {
      parts = buildParts(m, this.opts.maxParts);
    } catch (e) {
      return this.fail(m, "the message cannot be encoded: " + errorText(e));
    }
    if (parts.length !== m.mrs.length) return this.fail(m, "the message no longer splits into " + m.mrs.length + " parts");
    let i = 0;
    while (i < m.mrs.length && m.mrs[i] !== null) i++;
    if (i === m.mrs.length) return this.complete(m);
    const self = this;
    const index = i;
    const known = m.tpMrs[i];
    const repeat = known !== null && known !== undefined;
    const assigned: Promise<number> = repeat ? Promise.resolve(known as number) : this.outbox.assignMr(m, i);
    return assigned.then(function (tpMr) {
      return self.submit(m, index, tpMr, repeat);
    });
  }

  /** Writes part `index` with TP-MR `tpMr` (TP-RD when `repeat`) and records the outcome. */
  private submit(m: OutMessage, index: number, tpMr: number, repeat: boolean): Promise<void> {
    const self = this;
    let cmd: string;
    let hex: string;
    try {
      const part = buildPart(m, this.opts.maxParts, index, tpMr, repeat);
      hex = part.hex;
      cmd = "AT+CMGS=" + atInt("TPDU length", part.tpduLength, 1, 255);
    } catch (e) {
      return this.fail(m, errorText(e));
    }
    return this.channel.send({ cmd: cmd, mode: "prompt", payload: hex, prefixes: ["+CMGS:"], timeoutMs: this.opts.cmgsTimeoutMs }).then(
      function (r) {
        const mr = parseCmgs(r.lines);
        if (mr < 0) return self.failure(m, new Error("the modem confirmed part " + (index + 1) + " without a message reference"));
        if (mr !== tpMr && !self.renumberTold) {
          self.renumberTold = true;
          self.hooks.log("sms: the modem numbers messages itself (TP-MR " + tpMr + " became " + mr + "): a part interrupted mid-send may reach the recipient twice");
        }
        m.mrs[index] = mr;
        m.error = "";
        return self.outbox.save(m);
      },
      function (e) {
        if (repeat && AtCommandError.is(e) && e.kind === "cms" && e.code === CMS_DUPLICATE_SM) {
          // The service centre already holds this part: it was delivered before the interruption.
          self.hooks.log("sms: outbox " + m.id + " part " + (index + 1) + " had already reached the service centre (duplicate refused)");
          m.mrs[index] = tpMr;
          m.error = "";
          return self.outbox.save(m);
        }
        return self.failure(m, e);
      },
    );
  }

  private failure(m: OutMessage, e: unknown): Promise<void> {
    const now = this.clock.now();
    const text = errorText(e);
    if (AtAbortedError.is(e)) {
      // The modem restarted or the link closed: not the message's fault.
      m.next = now + 1000;
      m.error = text;
      return this.outbox.save(m);
    }
    if (AtArgumentError.is(e) || (AtCommandError.is(e) && e.kind === "cms" && e.code !== undefined && permanentCms(e.code))) {
      return this.fail(m, text);
    }
    m.attempts++;
    m.error = text;
    if (m.attempts >= this.opts.maxAttempts) return this.fail(m, "gave up after " + m.attempts + " attempts: " + text);
    let wait = this.opts.retryBaseMs;
    for (let k = 1; k < m.attempts; k++) wait = wait * 3;
    m.next = now + (wait < this.opts.retryMaxMs ? wait : this.opts.retryMaxMs);
    this.hooks.log("sms: outbox " + m.id + ": attempt " + m.attempts + " failed (" + text + "), again in " + (m.next - now) + " ms");
    return this.outbox.save(m);
  }

  private complete(m: OutMessage): Promise<void> {
    m.state = "sent";
    m.done = this.clock.now();
    const hooks = this.hooks;
    return this.outbox.finish(m).then(function () {
      hooks.sent(m);
    });
  }

  private fail(m: OutMessage, reason: string): Promise<void> {
    m.state = "failed";
    m.error = reason;
    m.done = this.clock.now();
    const hooks = this.hooks;
    return this.outbox.finish(m).then(function () {
      hooks.failed(m);
    });
  }
}
