/**
 * Waiting for the firmware to reach a state, with a time limit: the machinery behind
 * `waitReady`, `waitIncoming`, `waitCall` and the readiness gate of commands.
 *
 * A waiter is a check that is tried at once and again after every event the API emits;
 * the first value it gives settles the wait. No polling: an idle firmware with a waiter
 * holds exactly one timer (the limit).
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { failure, type Reply } from "./types.js";

export function okReply<T extends object>(v: T): Reply<T> {
  const r = { ok: true } as { [k: string]: unknown };
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) r[keys[i]] = (v as { [k: string]: unknown })[keys[i]];
  r.ok = true;
  return r as Reply<T>;
}

/** "30 s", "1.5 s". */
export function seconds(ms: number): string {
  return ms / 1000 + " s";
}

interface Waiter {
  /** Gives a value once the wait is over (undefined while it is not). */
  check: () => unknown;
  settle: (r: Reply<{ [k: string]: unknown }>) => void;
  timer: TimerHandle | undefined;
}

export class Waits {
  private waiters: Waiter[] = [];

  constructor(private readonly clock: Clock) {}

  /**
   * Resolves with `{ ok: true, ...value }` once `check` gives a value (an object), or with
   * `timeout` and `what` after `ms`.
   */
  until<T extends object>(check: () => T | undefined, ms: number, what: string): Promise<Reply<T>> {
    const now = check();
    if (now !== undefined) return Promise.resolve(okReply(now));
    const self = this;
    return new Promise<Reply<T>>(function (resolve) {
      const w: Waiter = {
        check: check,
        settle: resolve as (r: Reply<{ [k: string]: unknown }>) => void,
        timer: undefined,
      };
      w.timer = self.clock.setTimeout(function () {
        w.timer = undefined;
        self.drop(w);
        resolve(failure("timeout", what + " within " + seconds(ms)));
      }, ms);
      self.waiters.push(w);
    });
  }

  /** Tries every waiter again (after an event). */
  poke(): void {
    if (this.waiters.length === 0) return;
    const list = this.waiters.slice();
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      if (this.waiters.indexOf(w) < 0) continue;
      const v = w.check();
      if (v === undefined) continue;
      this.finish(w, okReply(v as object));
    }
  }

  /** Ends every wait with `reason` (the firmware stops, a dial is cancelled). */
  cancelAll(reason: string, message: string): void {
    const list = this.waiters.slice();
    for (let i = 0; i < list.length; i++) this.finish(list[i], failure(reason, message));
  }

  private finish(w: Waiter, r: Reply<{ [k: string]: unknown }>): void {
    this.drop(w);
    if (w.timer !== undefined) this.clock.clearTimeout(w.timer);
    w.timer = undefined;
    w.settle(r);
  }

  private drop(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }
}

