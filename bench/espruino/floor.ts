/**
 * Two lower bounds for an AT parser inside Espruino, run on the benchmark's stream beside
 * our channel and AT.js (bench/espruino.ts): what the interpreter charges for the least
 * work that gets every answer of that stream right, so the channel's figure can be read
 * against what any parser must pay, not only against a peer.
 *
 * - `bareFloor`: frames lines at CR LF, looks each up by its first four characters
 *   (final, URC or answer), gives the command its lines through a callback, writes the
 *   SMS payload after `> `. No time limit, no check of the command, no response prefix,
 *   no lone CR or LF: less than AT.js does, and less than a firmware can live with.
 * - `needsFloor`: `bareFloor` plus what the firmware cannot do without, each in the
 *   cheapest form we know: the command line checked before it is written (27.007 §4.0
 *   characters), a promise per command (the firmware API's form), a time limit per
 *   command (armed and cleared through the clock), the answer taken only when it carries
 *   the command's response prefix, and a line holding a lone CR or LF cut again. Still
 *   none of the channel's emergency lane, echo, probe after a time-out, owed answers, PDU
 *   lines, counted blocks, boot banners or events.
 *
 * Both are measurement tools, never used by the firmware. Written for Espruino's costs
 * (bench/espruino/ops-entry.ts): state in a few locals, no object per line, native string
 * search only.
 */
import type { AtCommand, AtResponse } from "../../drivers/at/index.js";
import { PLAIN_LINE } from "../../drivers/at/args.js";
import type { Clock, Serial, TimerHandle } from "../../hal/types.js";

/** The four-character keys of the stream's finals and URCs: 1 success, 2 error, else the URC handler. */
type Key = 1 | 2 | ((line: string) => void);

function keys(urc: (line: string) => void): { [k: string]: Key } {
  return { OK: 1, ERRO: 2, "+CME": 2, "+CMS": 2, RING: urc, "+CRE": urc, "+CMT": urc };
}

export interface BareFloor {
  send(cmd: string, payload: string, done: (lines: string[]) => void): void;
  receive(chunk: string): void;
  waiting(): number;
}

interface BareCmd {
  c: string;
  y: string;
  f: (lines: string[]) => void;
  l: string[];
  n: BareCmd | undefined;
}

export function bareFloor(write: (s: string) => void, urc: (line: string) => void): BareFloor {
  const gate = keys(urc);
  let buf = "";
  let cur: BareCmd | undefined = undefined;
  let head: BareCmd | undefined = undefined;
  let last: BareCmd | undefined = undefined;
  let queued = 0;
  function line(l: string): void {
    const k = gate[l.substr(0, 4)];
    if (k === undefined) {
      if (cur !== undefined) cur.l.push(l);
      return;
    }
    if (k === 1 || k === 2) {
      const p = cur!;
      cur = head;
      if (head !== undefined) {
        head = head.n;
        if (head === undefined) last = undefined;
        queued--;
        write(cur!.c + "\r");
      }
      p.f(p.l);
      return;
    }
    k(l);
  }
  return {
    send: function (cmd, payload, done) {
      const p: BareCmd = { c: cmd, y: payload, f: done, l: [], n: undefined };
      if (cur === undefined) {
        cur = p;
        write(cmd + "\r");
      } else {
        if (last !== undefined) last.n = p;
        else head = p;
        last = p;
        queued++;
      }
    },
    receive: function (d) {
      let b = buf + d;
      let pos = 0;
      let e = b.indexOf("\r\n");
      // Espruino 2v29's indexOf matches "\r\n" at a final "\r" (see drivers/at/channel.ts).
      const end = b.length - 1;
      while (e >= 0 && e < end) {
        if (e > pos) line(b.substring(pos, e));
        pos = e + 2;
        e = b.indexOf("\r\n", pos);
      }
      if (pos !== 0) b = b.substring(pos);
      if (b[0] === ">" && b[1] === " " && cur !== undefined && cur.y !== "") {
        write(cur.y + "\x1a");
        b = b.substring(2);
      }
      buf = b;
    },
    waiting: function () {
      return queued;
    },
  };
}

export interface NeedsFloor {
  send(c: AtCommand): Promise<AtResponse>;
  queued(): number;
}

interface NeedsCmd {
  c: AtCommand;
  r: (r: AtResponse) => void;
  j: (e: Error) => void;
  l: string[];
  t: TimerHandle | undefined;
  n: NeedsCmd | undefined;
}

let takeResolve: ((r: AtResponse) => void) | undefined = undefined;
let takeReject: ((e: Error) => void) | undefined = undefined;
function take(resolve: (r: AtResponse) => void, reject: (e: Error) => void): void {
  takeResolve = resolve;
  takeReject = reject;
}

export function needsFloor(serial: Serial, clock: Clock, urc: (line: string) => void): NeedsFloor {
  const gate = keys(urc);
  const writeNow = serial.writeNow!.bind(serial);
  let buf = "";
  let cur: NeedsCmd | undefined = undefined;
  let head: NeedsCmd | undefined = undefined;
  let last: NeedsCmd | undefined = undefined;
  let queued = 0;
  /** The next queued command goes in flight (or none is). */
  function advance(): void {
    cur = head;
    if (head !== undefined) {
      head = head.n;
      if (head === undefined) last = undefined;
      queued--;
      go(cur!);
    }
  }
  const expire = function () {
    const p = cur;
    if (p === undefined) return;
    advance();
    p.j(new Error(p.c.cmd + ": no answer within " + (p.c.timeoutMs || 5000) + " ms"));
  };
  function go(p: NeedsCmd): void {
    cur = p;
    const ms = p.c.timeoutMs || 5000;
    p.t = clock.setTimeout(expire, ms);
    writeNow(p.c.cmd + "\r");
  }
  function line(l: string): void {
    const k = gate[l.substr(0, 4)];
    const p = cur;
    if (k === undefined) {
      if (p !== undefined) {
        const pre = p.c.prefixes;
        if (pre === undefined || pre[0] === undefined || l.startsWith(pre[0])) p.l.push(l);
      }
      return;
    }
    if (k === 1 || k === 2) {
      if (p === undefined) return;
      clock.clearTimeout(p.t!);
      advance();
      if (k === 1) p.r({ final: l, lines: p.l, pdus: [] });
      else p.j(new Error(l));
      return;
    }
    k(l);
  }
  /** A line holding a lone CR or LF: each of them ends a line too. */
  function loose(s: string): void {
    let pos = 0;
    for (let i = 0; i <= s.length; i++) {
      const ch = s.charAt(i);
      if (ch === "\r" || ch === "\n" || i === s.length) {
        if (i > pos) line(s.substring(pos, i));
        pos = i + 1;
      }
    }
  }
  serial.onData(function (d) {
    let b = buf + d;
    let pos = 0;
    let e = b.indexOf("\r\n");
    const end = b.length - 1;
    while (e >= 0 && e < end) {
      if (e > pos) {
        const s = b.substring(pos, e);
        if (s.indexOf("\r") < 0 && s.indexOf("\n") < 0) line(s);
        else loose(s);
      }
      pos = e + 2;
      e = b.indexOf("\r\n", pos);
    }
    if (pos !== 0) b = b.substring(pos);
    if (b[0] === ">" && b[1] === " " && cur !== undefined && cur.c.payload !== undefined) {
      writeNow(cur.c.payload + "\x1a");
      b = b.substring(2);
    }
    buf = b;
  });
  return {
    send: function (c) {
      if (!(c.cmd.length <= 1024 && PLAIN_LINE.test(c.cmd))) return Promise.reject(new Error("refused command " + c.cmd));
      const promise = new Promise<AtResponse>(take);
      const p: NeedsCmd = { c: c, r: takeResolve!, j: takeReject!, l: [], t: undefined, n: undefined };
      takeResolve = undefined;
      takeReject = undefined;
      if (cur === undefined) go(p);
      else {
        if (last !== undefined) last.n = p;
        else head = p;
        last = p;
        queued++;
      }
      return promise;
    },
    queued: function () {
      return queued;
    },
  };
}
