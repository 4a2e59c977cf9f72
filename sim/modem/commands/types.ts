/**
 * The command table of the simulated modem (the phonesim pattern: one entry per command
 * name, one handler per form). Handlers read and change the modem through `SimModem` and
 * end a command line early by throwing `AtFailure` (see results.ts).
 */
import type { SimModem } from "../modem.js";
import type { AtArg, AtCommandLine } from "../at-parser.js";
import { Reply, cme, cms } from "../results.js";

export type HandlerFn = (m: SimModem, a: Args, c: AtCommandLine) => Reply | Promise<Reply>;

export interface CommandSpec {
  /** `AT+X` (and, for basic commands, `ATX<n>`). */
  action?: HandlerFn;
  /** `AT+X=...` */
  set?: HandlerFn;
  /** `AT+X?` */
  read?: HandlerFn;
  /** `AT+X=?` */
  test?: HandlerFn;
  /** Errors of this command are message service errors (`+CMS ERROR`, 27.005 §3.2.5). */
  sms?: boolean;
  /** The command needs a SIM that is present and unlocked (27.007 §9.2: 10, 11; 27.005: 310, 311). */
  needsSim?: boolean;
}

export type CommandTable = { [name: string]: CommandSpec };

/** The parameters of one command, with range checks that fail the command the way the modem should. */
export class Args {
  constructor(
    readonly list: AtArg[],
    private readonly smsErrors: boolean,
  ) {}

  get count(): number {
    return this.list.length;
  }

  /** Whether parameter `i` is given (not omitted). */
  has(i: number): boolean {
    return i < this.list.length && !this.list[i].omitted;
  }

  /** The error for a bad parameter: +CME ERROR: 50, or +CMS ERROR: 304 for SMS commands (PDU mode). */
  bad(): Error {
    return this.smsErrors ? cms(304) : cme(50);
  }

  /** Integer parameter `i` in [min, max]; `def` when omitted (no default: required). */
  int(i: number, min: number, max: number, def?: number): number {
    if (!this.has(i)) {
      if (def === undefined) throw this.bad();
      return def;
    }
    const a = this.list[i];
    if (a.quoted || !/^[0-9]+$/.test(a.value)) throw this.bad();
    const n = parseInt(a.value, 10);
    if (n < min || n > max) throw this.bad();
    return n;
  }

  /** String parameter `i` (quoted or not); `def` when omitted. */
  str(i: number, def?: string): string {
    if (!this.has(i)) {
      if (def === undefined) throw this.bad();
      return def;
    }
    return this.list[i].value;
  }

  /** Fails unless there are at most `n` parameters. */
  atMost(n: number): void {
    if (this.list.length > n) throw this.bad();
  }
}
