/**
 * An emergency dial that is kept until it is placed or cancelled (SPEC R45, R46, R56).
 *
 * - `ATD<number>;` goes out in the channel's priority lane: ahead of everything queued,
 *   and a long command in flight (an SMS prompt, a USSD request) is cut short.
 * - Placed means the modem took the dial (`OK`), or `+CLCC` lists the outgoing call after
 *   an answer was lost. A call the network releases at once (`NO CARRIER`, `BUSY`) was
 *   placed and failed: that is the network's answer, not retried.
 * - The modem rebooted (boot banner): dialled again at once, the banner being the modem's
 *   sign of life. The modem was reset, or the dial timed out: dialled again as soon as the
 *   modem answers anything (the channel's probe, bring-up's first `AT`). After a time-out
 *   `+CLCC` is read first, so a dial whose `OK` was lost is not made twice.
 * - The modem refuses (`ERROR`, `+CME ERROR`: no SIM yet, SIM busy while booting, no
 *   network): tried again after a pause, a bounded number of times. R56: no SIM, no
 *   registration are no reason not to try; the modem and the network decide.
 * - Cancelled by the user: nothing more is written; a dial already written that turns out
 *   placed is hung up (`AT+CHUP`).
 *
 * Portable (Espruino).
 */
import type { Clock, TimerHandle, Unsubscribe } from "../../hal/types.js";
import { AtAbortedError, AtCommandError, AtTimeoutError, REBOOTED, type AtChannel } from "../../drivers/at/index.js";
import { callProgressFinal } from "../../drivers/at/finals.js";
import { parseClcc } from "./clcc.js";
import { RESETTING } from "../modem/machine.js";
import { hasText } from "../../hal/text.js";

export type EmergencyOutcome =
  /** The modem took the dial: the call is being set up. */
  | { kind: "placed"; attempts: number }
  /** The network released the call at once (`NO CARRIER`, `BUSY`): `error` is that final. */
  | { kind: "released"; attempts: number; error: unknown }
  /** The modem refused the dial every time: `error` is the last refusal. */
  | { kind: "refused"; attempts: number; error: unknown }
  | { kind: "cancelled"; attempts: number; reason: string };

export interface EmergencyDialOptions {
  /** Time limit of one `ATD` (ms); after it `+CLCC` says whether the call exists. */
  dialMs: number;
  /** Pause before dialling again after the modem refused (ms). */
  retryMs: number;
  /** Refusals (`ERROR`, `+CME ERROR`) after which the dial gives up. */
  maxRefusals: number;
}

export const defaultEmergencyDialOptions: EmergencyDialOptions = { dialMs: 10000, retryMs: 1000, maxRefusals: 10 };

function reasonOf(e: unknown): string {
  return AtAbortedError.is(e) ? e.reason : "";
}

export class EmergencyDial {
  readonly result: Promise<EmergencyOutcome>;
  private settle: (o: EmergencyOutcome) => void = function () {};
  private done = false;
  private attempts = 0;
  private refusals = 0;
  private timer: TimerHandle | undefined = undefined;
  private waiting: Unsubscribe | undefined = undefined;
  /** Set while the dial waits for a modem that has stopped answering; cleared by an answer. */
  private silent = false;

  /**
   * `onSilent` runs once each time the dial starts waiting for a modem that does not
   * answer (a timed-out `ATD` or `+CLCC`, a reset): a person must hear why nothing happens.
   */
  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly number: string,
    private readonly opts: EmergencyDialOptions,
    private readonly onSilent?: (attempts: number) => void,
  ) {
    const self = this;
    this.result = new Promise<EmergencyOutcome>(function (resolve) {
      self.settle = resolve;
    });
    this.attempt();
  }

  /** Stops trying; resolves the result with `cancelled` unless the dial already ended. */
  cancel(reason: string): void {
    this.end({ kind: "cancelled", attempts: this.attempts, reason });
  }

  /** Whether the dial is still being tried. */
  pending(): boolean {
    return !this.done;
  }

  private end(o: EmergencyOutcome): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting) this.waiting();
    this.waiting = undefined;
    this.settle(o);
  }

  private attempt(): void {
    if (this.done) return;
    this.attempts++;
    const self = this;
    this.channel.send({ cmd: "ATD" + this.number + ";", urgent: true, timeoutMs: this.opts.dialMs }).then(
      function () {
        if (self.done) self.hangUpLate();
        else self.end({ kind: "placed", attempts: self.attempts });
      },
      function (e: unknown) {
        if (self.done) return;
        if (AtCommandError.is(e)) self.silent = false;
        self.failed(e);
      },
    );
  }

  private failed(e: unknown): void {
    const self = this;
    if (AtCommandError.is(e) && callProgressFinal(e.kind)) {
      this.end({ kind: "released", attempts: this.attempts, error: e });
      return;
    }
    if (AtCommandError.is(e)) {
      this.refusals++;
      if (this.refusals >= this.opts.maxRefusals) {
        this.end({ kind: "refused", attempts: this.attempts, error: e });
        return;
      }
      this.timer = this.clock.setTimeout(function () {
        self.timer = undefined;
        self.attempt();
      }, this.opts.retryMs);
      return;
    }
    if (AtTimeoutError.is(e)) {
      this.modemSilent();
      // The dial may have gone out with its answer lost: look before dialling again.
      this.whenAnswered(function () {
        self.check();
      });
      return;
    }
    const reason = reasonOf(e);
    if (hasText(reason, "closed")) {
      this.end({ kind: "cancelled", attempts: this.attempts, reason: "the AT channel closed" });
      return;
    }
    // The boot banner is the modem's sign of life: dial again now (ahead of bring-up).
    if (reason.indexOf(REBOOTED) === 0) this.attempt();
    else {
      // Reset because it stopped answering (modem/machine.ts); a reboot's banner is no silence.
      if (reason === RESETTING) this.modemSilent();
      this.whenAnswered(function () {
        self.attempt();
      });
    }
  }

  /** The modem answered nothing in time: said once per silence (onSilent). */
  modemSilent(): void {
    if (this.silent || this.done) return;
    this.silent = true;
    if (this.onSilent) this.onSilent(this.attempts);
  }

  /** Runs `fn` once the modem next says anything final (it is alive again). */
  private whenAnswered(fn: () => void): void {
    if (this.waiting) this.waiting();
    const self = this;
    const unsub = this.channel.events.on("answered", function () {
      unsub();
      if (self.waiting === unsub) self.waiting = undefined;
      // After the answer's own handling: the command it answered settles first.
      Promise.resolve().then(fn);
    });
    this.waiting = unsub;
  }

  /** +CLCC (27.007 §7.18): an outgoing call to our number means the dial went out. */
  private check(): void {
    if (this.done) return;
    const self = this;
    this.channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"], urgent: true, timeoutMs: 2000 }).then(
      function (r) {
        if (self.done) return;
        self.silent = false;
        for (let i = 0; i < r.lines.length; i++) {
          const c = parseClcc(r.lines[i]);
          if (c && c.direction === "outgoing" && c.number === self.number && c.status !== "released") {
            self.end({ kind: "placed", attempts: self.attempts });
            return;
          }
        }
        self.attempt();
      },
      function (e: unknown) {
        if (self.done) return;
        if (AtCommandError.is(e)) {
          self.silent = false;
          self.attempt();
        } else self.failed(e);
      },
    );
  }

  /** Cancelled while the dial was in flight, and the modem placed it: end that call. */
  private hangUpLate(): void {
    this.channel.send({ cmd: "AT+CHUP", urgent: true }).then(
      function () {},
      function () {},
    );
  }
}
