/**
 * The RAK8212's AT channel: one command at a time over the modem UART, answered through
 * a callback, with a priority lane for emergency dials. A smaller form of
 * drivers/at/channel.ts for a 2,500-block heap: no promise per command (about 60 blocks
 * each there), no prompt or raw modes (the RAK firmware sends no SMS and has no data).
 *
 * The guarantees kept from drivers/at/channel.ts, in a simpler form:
 * - a command that times out is failed, and `AT+CMEE?` is written at once: every final
 *   result before the probe's own `+CMEE:` line belongs to a command given up on and is
 *   dropped, so a late answer is never taken as the next command's. A probe that gets no
 *   answer in `PROBE_MS` is written again (a busy module answers late; every probe's
 *   `+CMEE:` is counted, the finals dropped until the last one's); after `PROBE_TRIES`
 *   the modem is gone: `onUrc("~hang")`, and the owner runs bring-up again;
 * - an urgent command (the emergency dial, the `AT+CHUP` before it, SPEC R50) goes ahead
 *   of every queued one; a command in flight gets `STEP_ASIDE_MS` to answer, then steps
 *   aside (failed with "cut", its late final dropped by the same probe, whose limit is
 *   then also `STEP_ASIDE_MS`), so a stuck command never delays the dial by more than
 *   twice that.
 *   Should the probe itself time out while a command stepped aside (a modem that holds
 *   its input while busy, Telit LE910Cx §2.2.5), the urgent command is written anyway: the
 *   modem runs it next, and the finals before `+CMEE:` are still dropped;
 * - `NO CARRIER`, `BUSY`, `NO ANSWER` and `NO DIALTONE` end only `ATD`/`ATA` (V.250
 *   §6.3); otherwise they are URCs (a call ended), never a query's final result. The first
 *   `NO CARRIER` during a dial right after an `AT+CHUP` is the released call's (a URC);
 * - `RDY` is the module rebooting: the command in flight and the queue fail, and the owner
 *   hears it as a URC to run bring-up again; with a command in flight the probe goes
 *   first, as its answer may still come after the banner.
 *
 * Portable (Espruino 2v29): one object, its methods on the prototype (heap), byte strings.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";

/** The answer to a command: `e` is "" on OK, else the final result ("ERROR", "+CME ERROR: 10", "timeout", "cut", "reset"). */
export type AtDone = (e: string, lines: string[]) => void;

interface Cmd {
  /** The command line, without CR. */
  c: string;
  f: AtDone | undefined;
  /** Time limit (ms). */
  m: number;
  /** Urgent (the priority lane). */
  u: boolean;
  /** The resynchronising probe: how many times it was written. */
  p?: number;
  /** Takes each answer line as it comes, instead of the list given to `f` (a listing too big to hold). */
  e?: (line: string) => void;
}

/** How long a command in flight may still take once an urgent one is queued (ms): drivers/at's urgentWaitMs. */
export const STEP_ASIDE_MS = 500;
/** Time limit of the resynchronising probe (ms). */
const PROBE_MS = 1000;
/**
 * How many times the probe is written before the modem counts as gone: a module busy
 * with a slow command (an AT+CMGR that takes 12 s) answers it a few seconds late, and
 * taking that for a hung modem ends live calls and reruns bring-up.
 */
const PROBE_TRIES = 4;

/** Lines that are URCs whatever is in flight (the prefixes the RAK firmware handles). */
const URCS = "RING|+CRING:|+CLIP:|+CCWA:|+CMTI:|+CMT:|+CREG:|+CEREG:|+CEN1:|+CEN2:|+CPIN:|+QIND:|RDY|NO CARRIER|BUSY|NO ANSWER".split("|");
/** V.250 §6.3.1/§6.3.5: the call results, which end a dial or an answer only. */
const CALL_RESULTS = "NO CARRIER|BUSY|NO ANSWER|NO DIALTONE".split("|");

function startsAny(line: string, list: string[]): boolean {
  for (let i = 0; i < list.length; i++) if (line.indexOf(list[i]) === 0) return true;
  return false;
}

function isError(line: string): boolean {
  return line === "ERROR" || line.indexOf("+CME ERROR:") === 0 || line.indexOf("+CMS ERROR:") === 0;
}

/**
 * The channel over `write` (the UART). `onUrc(line, pdu)` gets every unsolicited line
 * (`pdu`: the line after `+CMT:`), plus `~hang` when the modem stopped answering.
 */
export class RakAt {
  private q: Cmd[] = [];
  private cur: Cmd | undefined = undefined;
  private lines: string[] = [];
  private buf = "";
  private feeding = false;
  private timer: TimerHandle | undefined = undefined;
  /** 0: finals go to `cur`; 1: drop finals until the probe's +CMEE: line; 2: drop the next (the probe's own). */
  private skip = 0;
  /** Probes written and not yet answered by their `+CMEE:` line: finals are dropped until the last one's. */
  private pend = 0;
  /** The +CMT: line waiting for its PDU line. */
  private cmt: string | undefined = undefined;
  private aside: TimerHandle | undefined = undefined;
  /** The last command was an `AT+CHUP` that answered OK (see isFinal). */
  private rel = false;

  constructor(
    private readonly write: (s: string) => void,
    private readonly clock: Clock,
    private readonly onUrc: (line: string, pdu?: string) => void,
  ) {}

  /**
   * Queues `cmd` (urgent: ahead of the rest, SPEC R45/R46/R50); `done` gets its final
   * result and the lines before it, or `each` gets every line as it comes (`done` none).
   */
  send(cmd: string, done: AtDone | undefined, ms?: number, urgent?: boolean, each?: (line: string) => void): void {
    const c: Cmd = { c: cmd, f: done, m: ms || 5000, u: !!urgent };
    if (each) c.e = each;
    const q = this.q;
    if (urgent) {
      let i = 0;
      while (i < q.length && q[i].u) i++;
      q.splice(i, 0, c);
      const self = this;
      if (this.cur && !this.cur.u && this.aside === undefined) {
        this.aside = this.clock.setTimeout(function () {
          self.stepAside();
        }, STEP_ASIDE_MS);
      }
    } else q.push(c);
    this.pump();
  }

  /**
   * Bytes from the modem. Lines are cut from the buffer in place: slicing the rest off
   * after each line copied a whole listing once per line (a 7 KB AT+CMGL chunk is 600
   * blocks). Bytes fed while a line is handled (a test's modem answering a write at once)
   * are appended and read after the lines before them.
   */
  feed(bytes: string): void {
    this.buf = this.buf ? this.buf + bytes : bytes;
    if (this.feeding) return;
    this.feeding = true;
    let from = 0;
    let i: number;
    try {
      while ((i = this.buf.indexOf("\n", from)) >= 0) {
        const line = this.buf.slice(from, i).trim();
        from = i + 1;
        if (line) this.onLine(line);
      }
    } finally {
      this.feeding = false;
      this.buf = this.buf.slice(from);
    }
  }

  /** Fails the command in flight and the queue (modem reset, power off). */
  flush(why: string): void {
    const all = (this.cur ? [this.cur] : []).concat(this.q.splice(0, this.q.length));
    this.stopTimer();
    this.cur = undefined;
    this.lines = [];
    this.skip = 0;
    this.pend = 0;
    for (let i = 0; i < all.length; i++) this.end(all[i], why, []);
  }

  private end(c: Cmd, e: string, got: string[]): void {
    if (c.f) c.f(e, got);
  }

  private stopTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private pump(): void {
    if (this.cur || !this.q.length) return;
    const c = (this.cur = this.q.shift()!);
    const self = this;
    this.lines = [];
    this.timer = this.clock.setTimeout(function () {
      self.timer = undefined;
      self.expire();
    }, c.m);
    this.write(c.c + "\r");
  }

  private finish(e: string): void {
    const c = this.cur!;
    const got = this.lines;
    this.cur = undefined;
    this.lines = [];
    this.stopTimer();
    this.rel = c.c === "AT+CHUP" && !e;
    this.end(c, e, got);
    this.pump();
  }

  private probe(ms: number, n: number): void {
    this.skip = 1;
    this.pend++;
    this.q.unshift({ c: "AT+CMEE?", f: undefined, m: ms, u: true, p: n });
  }

  private expire(): void {
    const c = this.cur!;
    this.cur = undefined;
    this.lines = [];
    if (c.p) {
      // Nothing answered the probe: written again a few times (the modem may be busy
      // finishing the slow command), then the modem is gone; unless a command stepped
      // aside for an urgent one, which goes now (see above).
      if (!this.q.length || !this.q[0].u) {
        if (c.p < PROBE_TRIES) this.probe(PROBE_MS, c.p + 1);
        else {
          this.skip = 0;
          this.pend = 0;
          this.onUrc("~hang");
        }
      }
      this.pump();
      return;
    }
    // A plain `AT` is no work to finish: silence there is a modem that is off or booting,
    // and bring-up's own retries pace it (one probe, as before).
    this.probe(PROBE_MS, c.c === "AT" ? PROBE_TRIES : 1);
    this.end(c, "timeout", []);
    this.pump();
  }

  private stepAside(): void {
    this.aside = undefined;
    const c = this.cur;
    if (!c || c.u || !this.q.length || !this.q[0].u) return;
    this.stopTimer();
    this.cur = undefined;
    this.lines = [];
    // A free modem answers the probe in tens of ms; a busy one holds it: the dial goes then.
    this.probe(STEP_ASIDE_MS, PROBE_TRIES);
    this.end(c, "cut", []);
    this.pump();
  }

  private isFinal(line: string): boolean {
    if (line === "OK" || isError(line)) return true;
    const c = this.cur;
    if (!c || (c.c.indexOf("ATD") !== 0 && c.c !== "ATA") || CALL_RESULTS.indexOf(line) < 0) return false;
    // Right after our AT+CHUP (R50), the first NO CARRIER is the released call's, not the
    // dial's: taken as the dial's, its OK would end the next command and the dial be retried.
    if (this.rel && line === "NO CARRIER") {
      this.rel = false;
      return false;
    }
    return true;
  }

  private onLine(line: string): void {
    if (this.cmt !== undefined) {
      const head = this.cmt;
      this.cmt = undefined;
      this.onUrc(head, line);
      return;
    }
    if (this.skip === 1 && line.indexOf("+CMEE:") === 0) {
      // An earlier probe's answer: its final and anything before the last one's are stale too.
      if (--this.pend <= 0) {
        this.pend = 0;
        this.skip = 2;
      }
      return;
    }
    if (this.isFinal(line)) {
      if (this.skip === 1) return;
      if (this.skip === 2) {
        this.skip = 0;
        // The probe's own final: done with it when it is still in flight.
        if (this.cur && this.cur.p) this.finish("");
        return;
      }
      if (this.cur) this.finish(line === "OK" ? "" : line);
      else if (line !== "OK" && !isError(line)) this.onUrc(line);
      return;
    }
    if (line === "RDY") {
      // A command written as the module restarted may still be answered after its banner:
      // that final would end the next command (every answer of bring-up one step late).
      const busy = !!this.cur;
      this.flush("reset");
      if (busy) this.probe(PROBE_MS, PROBE_TRIES);
      this.onUrc(line);
      return;
    }
    const cur = this.cur;
    const colon = line.indexOf(":");
    // A query's own answer (+CLCC: during AT+CLCC, +CREG: during AT+CREG?) is the command's.
    const own = cur && colon > 0 && cur.c.indexOf(line.slice(0, colon)) === 2;
    if (!own && startsAny(line, URCS)) {
      if (line.indexOf("+CMT:") === 0) this.cmt = line;
      else this.onUrc(line);
      return;
    }
    if (cur) {
      if (cur.e) cur.e(line);
      else this.lines.push(line);
    }
  }
}
