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
 *   answer means the modem is gone: `onUrc("~hang")`, and the owner runs bring-up again;
 * - an urgent command (the emergency dial, the `AT+CHUP` before it, SPEC R50) goes ahead
 *   of every queued one; a command in flight gets `STEP_ASIDE_MS` to answer, then steps
 *   aside (failed with "cut", its late final dropped by the same probe, whose limit is
 *   then also `STEP_ASIDE_MS`), so a stuck command never delays the dial by more than
 *   twice that.
 *   Should the probe itself time out while a command stepped aside (a modem that holds
 *   its input while busy, Telit LE910Cx §2.2.5), the urgent command is written anyway: the
 *   modem runs it next, and the finals before `+CMEE:` are still dropped;
 * - `NO CARRIER`, `BUSY`, `NO ANSWER` and `NO DIALTONE` end only `ATD`/`ATA` (V.250
 *   §6.3); otherwise they are URCs (a call ended), never a query's final result;
 * - `RDY` is the module rebooting: the command in flight and the queue fail, and the owner
 *   hears it as a URC to run bring-up again.
 *
 * Portable (Espruino 2v29): plain closures over one scope, byte strings.
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
  /** The resynchronising probe. */
  p?: boolean;
}

export interface RakAt {
  /** Queues `cmd` (urgent: ahead of the rest, SPEC R45/R46/R50); `done` gets its final result and the lines before it. */
  send(cmd: string, done: AtDone | undefined, ms?: number, urgent?: boolean): void;
  /** Bytes from the modem. */
  feed(bytes: string): void;
  /** Fails the command in flight and the queue (modem reset, power off). */
  flush(why: string): void;
}

/** How long a command in flight may still take once an urgent one is queued (ms): drivers/at's urgentWaitMs. */
export const STEP_ASIDE_MS = 500;
/** Time limit of the resynchronising probe (ms). */
const PROBE_MS = 1000;

/** Lines that are URCs whatever is in flight (the prefixes the RAK firmware handles). */
const URCS = "RING|+CRING:|+CLIP:|+CCWA:|+CMTI:|+CMT:|+CREG:|+CEREG:|+CEN1:|+CEN2:|+CPIN:|+QIND:|RDY|NO CARRIER|BUSY|NO ANSWER".split("|");

function startsAny(line: string, list: string[]): boolean {
  for (let i = 0; i < list.length; i++) if (line.indexOf(list[i]) === 0) return true;
  return false;
}

/**
 * The channel over `write` (the UART). `onUrc(line, pdu)` gets every unsolicited line
 * (`pdu`: the line after `+CMT:`), plus `~hang` when the modem stopped answering.
 */
export function rakAt(write: (s: string) => void, clock: Clock, onUrc: (line: string, pdu?: string) => void): RakAt {
  const q: Cmd[] = [];
  let cur: Cmd | undefined;
  let lines: string[] = [];
  let buf = "";
  let timer: TimerHandle | undefined;
  // 0: finals go to `cur`; 1: drop finals until the probe's +CMEE: line; 2: drop the next (the probe's own).
  let skip = 0;
  // The +CMT: line waiting for its PDU line.
  let cmt: string | undefined;
  let aside: TimerHandle | undefined;

  function end(c: Cmd, e: string, got: string[]): void {
    if (c.f) c.f(e, got);
  }

  function finish(e: string): void {
    const c = cur!;
    const got = lines;
    cur = undefined;
    lines = [];
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    end(c, e, got);
    pump();
  }

  function probe(ms: number): void {
    skip = 1;
    q.unshift({ c: "AT+CMEE?", f: undefined, m: ms, u: true, p: true });
  }

  function expire(): void {
    const c = cur!;
    timer = undefined;
    if (c.p) {
      cur = undefined;
      lines = [];
      // Nothing answered the probe: the modem is gone, unless it is busy with a command
      // that stepped aside for an urgent one (then the urgent one goes now, see above).
      if (!q.length || !q[0].u) {
        skip = 0;
        onUrc("~hang");
      }
      pump();
      return;
    }
    cur = undefined;
    lines = [];
    probe(PROBE_MS);
    end(c, "timeout", []);
    pump();
  }

  function pump(): void {
    if (cur || !q.length) return;
    const c = (cur = q.shift()!);
    lines = [];
    timer = clock.setTimeout(expire, c.m);
    write(c.c + "\r");
  }

  function stepAside(): void {
    aside = undefined;
    const c = cur;
    if (!c || c.u || !q.length || !q[0].u) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    cur = undefined;
    lines = [];
    // A free modem answers the probe in tens of ms; a busy one holds it: the dial goes then.
    probe(STEP_ASIDE_MS);
    end(c, "cut", []);
    pump();
  }

  function isFinal(line: string, c: Cmd | undefined): boolean {
    if (line === "OK" || line === "ERROR" || line.indexOf("+CME ERROR:") === 0 || line.indexOf("+CMS ERROR:") === 0) return true;
    // V.250 §6.3.1/§6.3.5: the call results end a dial or an answer only.
    return !!c && /^AT[DA]/.test(c.c) && /^(NO CARRIER|BUSY|NO ANSWER|NO DIALTONE)$/.test(line);
  }

  function onLine(line: string): void {
    if (cmt !== undefined) {
      const head = cmt;
      cmt = undefined;
      onUrc(head, line);
      return;
    }
    if (skip === 1 && line.indexOf("+CMEE:") === 0) {
      skip = 2;
      return;
    }
    if (isFinal(line, cur)) {
      if (skip === 1) return;
      if (skip === 2) {
        skip = 0;
        // The probe's own final: done with it when it is still in flight.
        if (cur && cur.p) finish("");
        return;
      }
      if (cur) finish(line === "OK" ? "" : line);
      else if (!/^(OK|ERROR|\+CM[ES] ERROR)/.test(line)) onUrc(line);
      return;
    }
    if (line === "RDY") {
      flush("reset");
      onUrc(line);
      return;
    }
    const colon = line.indexOf(":");
    // A query's own answer (+CLCC: during AT+CLCC, +CREG: during AT+CREG?) is the command's.
    const own = cur && colon > 0 && cur.c.indexOf(line.slice(0, colon)) === 2;
    if (!own && startsAny(line, URCS)) {
      if (line.indexOf("+CMT:") === 0) cmt = line;
      else onUrc(line);
      return;
    }
    if (cur) lines.push(line);
  }

  function flush(why: string): void {
    const all = (cur ? [cur] : []).concat(q.splice(0, q.length));
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    cur = undefined;
    lines = [];
    skip = 0;
    for (let i = 0; i < all.length; i++) end(all[i], why, []);
  }

  return {
    send: function (cmd, done, ms, urgent) {
      const c: Cmd = { c: cmd, f: done, m: ms || 5000, u: !!urgent };
      if (urgent) {
        let i = 0;
        while (i < q.length && q[i].u) i++;
        q.splice(i, 0, c);
        if (cur && !cur.u && aside === undefined) aside = clock.setTimeout(stepAside, STEP_ASIDE_MS);
      } else q.push(c);
      pump();
    },
    feed: function (bytes) {
      buf += bytes;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) onLine(line);
      }
    },
    flush: flush,
  };
}
