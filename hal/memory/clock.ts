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
  /** A binary min-heap by (at, seq); cleared timers stay in it until they reach the top. */
  private heap: VirtualTimer[] = [];
  /** The timers not yet fired nor cleared, by id. */
  private live = new Map<number, VirtualTimer>();
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
    this.live.set(t.id, t);
    this.push(t);
    return t.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.live.delete(handle as number);
    // A heap full of cleared timers would only cost memory: rebuild it when they are most of it.
    if (this.heap.length > 64 && this.heap.length > 2 * this.live.size) {
      this.heap = Array.from(this.live.values()).sort(before);
    }
  }

  /** Number of timers waiting to fire. */
  pending(): number {
    return this.live.size;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.pop();
      this.live.delete(next.id);
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
    while (this.live.size > 0) {
      const next = this.earliest()!;
      if (next.at > end) break;
      await this.advance(next.at - this.time);
    }
  }

  /** The next timer to fire (ties in creation order), dropping cleared ones from the top. */
  private earliest(): VirtualTimer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0].id)) this.pop();
    return this.heap[0];
  }

  private push(t: VirtualTimer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(h[parent], h[i]) <= 0) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l], h[m]) < 0) m = l;
      if (r < h.length && before(h[r], h[m]) < 0) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i], h[m]];
      i = m;
    }
  }
}

/** Heap order: the earlier time first, then the earlier creation. */
function before(a: VirtualTimer, b: VirtualTimer): number {
  return a.at !== b.at ? a.at - b.at : a.seq - b.seq;
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
