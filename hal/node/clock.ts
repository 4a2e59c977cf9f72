/**
 * The real clock on Node: wall-clock `now()` (Unix epoch ms) and timers that keep the
 * same promises as the VirtualClock the tests run on.
 *
 * Node does not promise that timers with different delays fire in due order (its
 * docs say so, and two timers created a moment apart can come due in the same
 * millisecond and run either way round). So this clock keeps its own queue, ordered by
 * due time on the monotonic clock and then by creation, and arms one Node timer for the
 * head of it. Due timers run one per macrotask, so the promise callbacks a timer queues
 * run before the next timer, as they do under VirtualClock.advance.
 */
import { performance } from "node:perf_hooks";
import type { Clock, TimerHandle } from "../types.js";

interface Entry {
  due: number;
  fn: () => void;
  /** True while queued; handles are these entries. */
  queued: boolean;
}

export class SystemClock implements Clock {
  private queue: Entry[] = [];
  private wake: { timer?: NodeJS.Timeout; immediate?: NodeJS.Immediate; at: number } | undefined = undefined;

  now(): number {
    return Date.now();
  }

  /** Runs `fn` after `ms` (a negative or NaN delay counts as 0), never from inside this call. */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const e: Entry = { due: performance.now() + (ms > 0 ? ms : 0), fn, queued: true };
    // After every entry due no later: ties keep creation order.
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].due > e.due) i--;
    this.queue.splice(i, 0, e);
    this.schedule();
    return e;
  }

  /** Clearing a fired, cleared or foreign handle is harmless. */
  clearTimeout(handle: TimerHandle): void {
    const e = handle as Entry;
    if (!e || typeof e !== "object" || e.queued !== true) return;
    const i = this.queue.indexOf(e);
    if (i < 0) return;
    e.queued = false;
    this.queue.splice(i, 1);
    this.schedule();
  }

  /** Number of timers waiting (for diagnostics and tests). */
  pending(): number {
    return this.queue.length;
  }

  /** Makes sure a Node timer (or immediate) is set for the head of the queue, and only one. */
  private schedule(): void {
    const first = this.queue[0];
    if (!first) {
      this.cancelWake();
      return;
    }
    if (this.wake && this.wake.at <= first.due) return;
    this.cancelWake();
    const delay = first.due - performance.now();
    if (delay <= 0) this.wake = { immediate: setImmediate(() => this.fire()), at: -Infinity };
    else this.wake = { timer: setTimeout(() => this.fire(), Math.ceil(delay)), at: first.due };
  }

  private cancelWake(): void {
    if (!this.wake) return;
    if (this.wake.timer) clearTimeout(this.wake.timer);
    if (this.wake.immediate) clearImmediate(this.wake.immediate);
    this.wake = undefined;
  }

  /** Runs the head timer if it is due, then arranges the next wake-up (even if it threw). */
  private fire(): void {
    this.wake = undefined;
    const first = this.queue[0];
    if (!first || first.due > performance.now()) {
      this.schedule();
      return;
    }
    this.queue.shift();
    first.queued = false;
    try {
      first.fn();
    } finally {
      this.schedule();
    }
  }
}

/** The one real clock. */
export const systemClock: Clock = new SystemClock();
