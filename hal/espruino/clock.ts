/**
 * `Clock` on Espruino: `Date.now()` and the global timers.
 *
 * Two Espruino traps are kept out of callers' way (espruino-facts.md):
 * `clearTimeout(undefined)` throws and `clearTimeout()` clears every timer, and a timer
 * id may be handed out again once its timer has fired, so clearing a stale id could
 * cancel someone else's timer. Handles are therefore small objects that remember
 * whether their timer is still pending; only a pending one is ever cleared.
 */
import type { Clock, TimerHandle } from "../types.js";

/** The timer functions used, injectable so that tests can run this under Node. */
export interface EspruinoTimers {
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id: number): void;
  now(): number;
}

interface Handle {
  /** Espruino's id (a number; whatever the host's setTimeout returns elsewhere). */
  id: number;
  pending: boolean;
}

function globalTimers(): EspruinoTimers {
  return {
    setTimeout: function (fn: () => void, ms: number) {
      return setTimeout(fn, ms) as unknown as number;
    },
    clearTimeout: function (id: number) {
      clearTimeout(id);
    },
    now: function () {
      return Date.now();
    },
  };
}

export class EspruinoClock implements Clock {
  private readonly timers: EspruinoTimers;

  constructor(timers?: EspruinoTimers) {
    this.timers = timers || globalTimers();
  }

  now(): number {
    return this.timers.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const h: Handle = { id: 0, pending: true };
    h.id = this.timers.setTimeout(function () {
      if (!h.pending) return;
      h.pending = false;
      fn();
    }, ms > 0 ? ms : 0);
    return h;
  }

  /** Clears a pending timer; a fired, cleared or foreign handle is ignored. */
  clearTimeout(handle: TimerHandle): void {
    if (!handle || typeof handle !== "object") return;
    const h = handle as Handle;
    // Only handles made here carry `pending`; the id is set before anyone can clear.
    if (h.pending !== true) return;
    h.pending = false;
    this.timers.clearTimeout(h.id);
  }
}
