/**
 * The lower bound of `npm run bench -- at` on Node: the least a parser with the firmware's
 * needs does on that benchmark's stream, written for V8 as bench/espruino/floor.ts's
 * `needsFloor` is for Espruino, so the channel's ratio to @serialport/parser-readline can
 * be read against what such a parser reaches at all.
 *
 * What it does, each in the cheapest form we know on V8: lines framed at CR LF, a line
 * holding a lone CR or LF cut again; the command line checked before it is written; a
 * promise and a time limit per command; a line taken as the answer only with the command's
 * response prefix; finals and URCs found by a `Map` on the line's first characters
 * (a plain object's lookup by a fresh string costs V8 a string-table probe), keyed long
enough to tell `+CMTI:` from `+CMT:`; the PDU line
 * after a URC that takes one (`+CMT:`) handed over with it. What it does not: the
 * emergency lane, echo, the probe after a time-out, owed answers, counted blocks, boot
 * banners, bare answers and events. A measurement tool, never used by the firmware.
 */
import type { AtCommand, AtResponse } from "../drivers/at/index.js";
import { PLAIN_LINE } from "../drivers/at/args.js";
import type { Clock, Serial, TimerHandle } from "../hal/types.js";

/** A key's meaning: 1 a success final, 2 an error final, or a URC (with `pdu`: its next line is its PDU). */
export type FloorKey = 1 | 2 | { handle: (line: string, pdu?: string) => void; pdu: boolean };

interface Cmd {
  c: AtCommand;
  /** The response prefix, or undefined when the command takes none. */
  pre: string | undefined;
  resolve: (r: AtResponse) => void;
  reject: (e: Error) => void;
  lines: string[];
  timer: TimerHandle | undefined;
}

const NOT_HEX = /[^0-9A-Fa-f]/;

export interface HostFloor {
  send(c: AtCommand): Promise<AtResponse>;
}

/** `keys` by the first `keyLength` characters of the lines they stand for. */
export function hostFloor(serial: Serial, clock: Clock, keys: Map<string, FloorKey>, keyLength: number): HostFloor {
  let buf = "";
  let cur: Cmd | undefined = undefined;
  const queue: Cmd[] = [];
  /** A URC line waiting for its PDU line. */
  let held: { key: Exclude<FloorKey, 1 | 2>; line: string } | undefined = undefined;

  const expire = (): void => {
    const p = cur;
    if (p === undefined) return;
    cur = undefined;
    p.reject(new Error(p.c.cmd + ": no answer within " + (p.c.timeoutMs ?? 5000) + " ms"));
    next();
  };
  function next(): void {
    if (cur !== undefined || queue.length === 0) return;
    const p = queue.shift()!;
    cur = p;
    p.timer = clock.setTimeout(expire, p.c.timeoutMs ?? 5000);
    void serial.write(p.c.cmd + "\r");
  }
  function line(l: string): void {
    if (held !== undefined) {
      const h = held;
      held = undefined;
      if (!NOT_HEX.test(l)) return h.key.handle(h.line, l);
      h.key.handle(h.line);
    }
    const p = cur;
    if (p !== undefined && p.pre !== undefined && l.startsWith(p.pre)) {
      p.lines.push(l);
      return;
    }
    const k = keys.get(l.substring(0, keyLength));
    if (k === undefined) return;
    if (k !== 1 && k !== 2) {
      if (k.pdu) held = { key: k, line: l };
      else k.handle(l);
      return;
    }
    if (p === undefined) return;
    clock.clearTimeout(p.timer!);
    cur = undefined;
    if (k === 1) p.resolve({ final: l, lines: p.lines, pdus: [] });
    else p.reject(new Error(l));
    next();
  }
  serial.onData((d) => {
    const b = buf + d;
    let pos = 0;
    let e = b.indexOf("\r\n");
    while (e >= 0) {
      if (e > pos) {
        const s = b.substring(pos, e);
        if (s.indexOf("\r") < 0 && s.indexOf("\n") < 0) line(s);
        else for (const piece of s.split(/[\r\n]/)) if (piece !== "") line(piece);
      }
      pos = e + 2;
      e = b.indexOf("\r\n", pos);
    }
    buf = pos === 0 ? b : b.substring(pos);
  });
  return {
    send(c: AtCommand): Promise<AtResponse> {
      if (!(c.cmd.length <= 1024 && PLAIN_LINE.test(c.cmd))) return Promise.reject(new Error("refused command " + JSON.stringify(c.cmd)));
      return new Promise<AtResponse>((resolve, reject) => {
        queue.push({ c, pre: c.prefixes !== undefined ? c.prefixes[0] : undefined, resolve, reject, lines: [], timer: undefined });
        next();
      });
    },
  };
}
