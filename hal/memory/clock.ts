import type { Clock, TimerHandle } from "../types.js";

interface VirtualTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A virtual clock for tests and the simulator: time moves only when `advance` is called,
 * and every timer of the code under test runs in due order (ties in creation order), so a
 * scenario that covers hours of simulated time runs in milliseconds and the same way
 * every time.
 *
 * Between timers, `advance` lets pending promise callbacks run, so code written with
 * promise chains sees the same interleaving it would see in real time.
 */
export class VirtualClock implements Clock {
  private time: number;
  private timers: VirtualTimer[] = [];
  private nextId = 1;
  private seq = 0;

  constructor(startMs?: number) {
    this.time = startMs === undefined ? Date.UTC(2026, 0, 1) : startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = ms > 0 ? ms : 0;
    const t: VirtualTimer = { id: this.nextId++, at: this.time + delay, seq: this.seq++, fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimeout(handle: TimerHandle): void {
    for (let i = 0; i < this.timers.length; i++) {
      if (this.timers[i].id === handle) {
        this.timers.splice(i, 1);
        return;
      }
    }
  }

  /** Number of timers waiting to fire. */
  pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      if (next.at > this.time) this.time = next.at;
      next.fn();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Runs timers until none is left or `limitMs` of virtual time has passed. */
  async runAll(limitMs: number): Promise<void> {
    const end = this.time + limitMs;
    while (this.timers.length > 0) {
      const next = this.earliest()!;
      if (next.at > end) break;
      await this.advance(next.at - this.time);
    }
  }

  private earliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined = undefined;
    for (const t of this.timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/**
 * Lets every queued promise callback (and the callbacks they queue in turn) run, without
 * letting real time pass in any way the test depends on.
 */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
