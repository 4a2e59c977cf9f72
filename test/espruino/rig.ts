/**
 * What the Espruino entries drive the portable code with: a clock whose timers fire only
 * when `advance` is called, the modem's end of a serial line, and a way to let queued
 * promise callbacks run. Portable code (hal/memory is host code).
 */
import type { Clock, Pins, Serial, TimerHandle, Unsubscribe } from "../../hal/types.js";

/** Timers that fire only when `advance` is called, in due order. */
export class StepClock implements Clock {
  /** The time in ms (any origin; set it to epoch ms where expiries are epoch seconds). */
  time: number;
  constructor(start?: number) {
    this.time = start || 0;
  }
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.next++;
    this.timers.push({ id: id, at: this.time + (ms > 0 ? ms : 0), fn: fn });
    return id;
  }
  clearTimeout(h: TimerHandle): void {
    for (let i = 0; i < this.timers.length; i++) {
      if (this.timers[i].id === h) {
        this.timers.splice(i, 1);
        return;
      }
    }
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.timers.length; i++) {
        if (this.timers[i].at <= end && (best < 0 || this.timers[i].at < this.timers[best].at)) best = i;
      }
      if (best < 0) break;
      const t = this.timers.splice(best, 1)[0];
      this.time = t.at;
      t.fn();
    }
    this.time = end;
  }
}

/** Lets queued promise callbacks run (a round of the event loop). */
export function later(): Promise<void> {
  return new Promise<void>(function (resolve) {
    setTimeout(resolve, 0);
  });
}

/**
 * The modem's end of the serial line: records what was written; with `answers` set, each
 * command line (Esc, Ctrl-Z and LF before it dropped) is kept in `commands` and answered
 * with what `answers` returns, a tick later, as a module would.
 */
export class FakeEnd implements Serial {
  written = "";
  commands: string[] = [];
  answers: ((cmd: string) => string) | undefined = undefined;
  /** Splits what `push` delivers into pieces of this many bytes (0: whole). */
  chunk = 0;
  private handler: ((c: string) => void) | undefined = undefined;
  private pending = "";
  write(bytes: string): Promise<void> {
    this.written += bytes;
    if (this.answers) this.answer(bytes, this.answers);
    return Promise.resolve();
  }
  onData(h: (c: string) => void): Unsubscribe {
    this.handler = h;
    return function () {};
  }
  onClose(): Unsubscribe {
    return function () {};
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** Delivers bytes to the channel, split into `chunk`-byte pieces when set. */
  push(bytes: string): void {
    const h = this.handler;
    if (!h) return;
    const size = this.chunk > 0 ? this.chunk : bytes.length;
    for (let i = 0; i < bytes.length; i += size) h(bytes.substr(i, size));
  }
  /** An unsolicited line from the module. */
  urc(line: string): void {
    this.push("\r\n" + line + "\r\n");
  }
  private answer(bytes: string, answers: (cmd: string) => string): void {
    this.pending += bytes;
    for (;;) {
      const i = this.pending.indexOf("\r");
      if (i < 0) return;
      let cmd = this.pending.substring(0, i);
      while (cmd.length > 0 && "\n\x1a\x1b".indexOf(cmd.charAt(0)) >= 0) cmd = cmd.substr(1);
      this.pending = this.pending.substring(i + 1);
      if (cmd.length === 0) continue;
      this.commands.push(cmd);
      const reply = answers(cmd);
      Promise.resolve().then(() => this.push(reply));
    }
  }
}

/** Pins the firmware sees as not wired: it drives no power key and reads no status line. */
export const noPins: Pins = {
  has: function () {
    return false;
  },
  write: function () {
    return Promise.resolve();
  },
  read: function () {
    return Promise.resolve(false);
  },
};
