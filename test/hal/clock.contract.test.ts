/**
 * The Clock contract, run against every implementation: VirtualClock, the real
 * systemClock (timers of 0..5 ms only), and EspruinoClock over fake Espruino timers
 * that behave as Espruino's do (numeric ids handed out again once a timer fired,
 * `clearTimeout(undefined)` throws), once on real and once on virtual time.
 */
import test from "ava";
import { performance } from "node:perf_hooks";
import type { Clock, TimerHandle } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { systemClock } from "../../hal/node/clock.js";
import { EspruinoClock } from "../../hal/espruino/clock.js";
import type { EspruinoTimers } from "../../hal/espruino/clock.js";

interface Rig {
  clock: Clock;
  /**
   * Lets the clock's time pass until `done()` holds: virtual rigs advance 1 ms at a
   * time; real rigs poll. Fails after `maxMs` (a guard, not a sleep).
   */
  until(done: () => boolean, maxMs?: number): Promise<void>;
  /** Whether time moves exactly (virtual) or at least (real). */
  exact: boolean;
  /** The time timers are scheduled on, in ms (virtual time, or the monotonic clock). */
  stamp(): number;
}

/*
 * On a real clock the process can be preempted between two setTimeout calls, so a
 * timer asked for 3 ms can truly be due after one asked for 5 ms a moment earlier. The
 * order test therefore brackets each call with the time before and after it: a timer
 * must not fire after one that was certainly due later. (On virtual time the brackets
 * are exact and this is plain ordering by delay.) A timer that must not fire is checked
 * against a later "sentinel" timer that must.
 */
function clockContract(name: string, makeRig: () => Rig): void {
  test(`${name}: timers fire in order of due time`, async (t) => {
    const { clock, until, stamp, exact } = makeRig();
    const order: number[] = [];
    const due: { [ms: number]: { lo: number; hi: number } } = {};
    for (const ms of [5, 1, 3, 0, 4, 2]) {
      const lo = stamp() + ms;
      clock.setTimeout(() => order.push(ms), ms);
      due[ms] = { lo, hi: stamp() + ms };
    }
    await until(() => order.length === 6);
    for (let i = 0; i < order.length; i++) {
      for (let j = i + 1; j < order.length; j++) {
        const early = due[order[i]];
        const late = due[order[j]];
        t.false(late.hi < early.lo, `${order[j]} ms was due before ${order[i]} ms but fired after it`);
      }
    }
    if (exact) t.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  test(`${name}: timers due at the same time fire in creation order`, async (t) => {
    const { clock, until } = makeRig();
    const order: number[] = [];
    for (let i = 0; i < 6; i++) clock.setTimeout(() => order.push(i), 2);
    await until(() => order.length === 6);
    t.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  test(`${name}: zero and negative delays fire soon, never inside setTimeout`, async (t) => {
    const { clock, until } = makeRig();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("zero"), 0);
    clock.setTimeout(() => fired.push("negative"), -5);
    clock.setTimeout(() => fired.push("nan"), NaN);
    t.deepEqual(fired, []);
    await until(() => fired.length === 3);
    t.deepEqual(fired.sort(), ["nan", "negative", "zero"]);
  });

  test(`${name}: a timer cleared before it is due never fires`, async (t) => {
    const { clock, until } = makeRig();
    const fired: string[] = [];
    const h = clock.setTimeout(() => fired.push("cleared"), 1);
    clock.setTimeout(() => fired.push("sentinel"), 3);
    clock.clearTimeout(h);
    await until(() => fired.length > 0);
    t.deepEqual(fired, ["sentinel"]);
  });

  test(`${name}: clearing a fired or cleared handle is harmless and cancels nothing else`, async (t) => {
    const { clock, until } = makeRig();
    const fired: string[] = [];
    const first = clock.setTimeout(() => fired.push("first"), 1);
    await until(() => fired.length === 1);
    // On Espruino the next timer may get the fired one's id back.
    const second = clock.setTimeout(() => fired.push("second"), 1);
    clock.clearTimeout(first);
    clock.clearTimeout(first);
    const third: TimerHandle = clock.setTimeout(() => fired.push("third"), 1);
    clock.clearTimeout(third);
    clock.clearTimeout(third);
    clock.setTimeout(() => fired.push("sentinel"), 3);
    await until(() => fired.includes("sentinel"));
    t.deepEqual(fired, ["first", "second", "sentinel"]);
    clock.clearTimeout(second);
  });

  test(`${name}: a timer cleared by another due at the same time does not run`, async (t) => {
    const { clock, until } = makeRig();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push("a");
      clock.clearTimeout(victim);
    }, 2);
    const victim = clock.setTimeout(() => fired.push("b"), 2);
    clock.setTimeout(() => fired.push("sentinel"), 4);
    await until(() => fired.includes("sentinel"));
    t.deepEqual(fired, ["a", "sentinel"]);
  });

  test(`${name}: a timer set from a callback runs later`, async (t) => {
    const { clock, until } = makeRig();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push("outer");
      clock.setTimeout(() => fired.push("inner"), 1);
      t.deepEqual(fired, ["outer"]);
    }, 1);
    await until(() => fired.length === 2);
    t.deepEqual(fired, ["outer", "inner"]);
  });

  test(`${name}: now() moves with time`, async (t) => {
    const { clock, until, exact } = makeRig();
    const t0 = clock.now();
    t.true(Number.isFinite(t0));
    let t1 = 0;
    clock.setTimeout(() => (t1 = clock.now()), 5);
    await until(() => t1 !== 0);
    if (exact) t.is(t1 - t0, 5);
    else t.true(t1 - t0 >= 4, `${t1 - t0} ms`);
  });
}

// --- implementations -------------------------------------------------------------

function virtualUntil(v: VirtualClock) {
  return async (done: () => boolean, maxMs = 1000) => {
    for (let i = 0; !done(); i++) {
      if (i >= maxMs) throw new Error(`still waiting after ${maxMs} virtual ms`);
      await v.advance(1);
    }
  };
}

async function realUntil(done: () => boolean, maxMs = 2000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`still waiting after ${maxMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

clockContract("virtual", () => {
  const clock = new VirtualClock();
  return { clock, until: virtualUntil(clock), exact: true, stamp: () => clock.now() };
});

clockContract("system", () => ({ clock: systemClock, until: realUntil, exact: false, stamp: () => performance.now() }));

/**
 * Espruino's timer functions as measured (espruino-facts.md): ids are numbers, an id
 * is reused once its timer has fired or been cleared, and `clearTimeout(undefined)`
 * throws (with no argument it would clear every timer).
 */
class FakeEspruinoTimers implements EspruinoTimers {
  cleared: number[] = [];
  private slots: (TimerHandle | undefined)[] = [];

  constructor(private readonly base: Clock) {}

  setTimeout(fn: () => void, ms: number): number {
    let id = this.slots.indexOf(undefined);
    if (id < 0) id = this.slots.length;
    this.slots[id] = this.base.setTimeout(() => {
      this.slots[id] = undefined;
      fn();
    }, ms);
    return id;
  }
  clearTimeout(id: number): void {
    if (id === undefined || arguments.length === 0) throw new Error("clearTimeout(undefined) is an error on Espruino");
    const h = this.slots[id];
    this.cleared.push(id);
    if (h === undefined) return;
    this.base.clearTimeout(h);
    this.slots[id] = undefined;
  }
  now(): number {
    return this.base.now();
  }
}

clockContract("espruino on real time (fake timers)", () => ({
  clock: new EspruinoClock(new FakeEspruinoTimers(systemClock)),
  until: realUntil,
  exact: false,
  stamp: () => performance.now(),
}));

clockContract("espruino on virtual time (fake timers)", () => {
  const v = new VirtualClock();
  return { clock: new EspruinoClock(new FakeEspruinoTimers(v)), until: virtualUntil(v), exact: true, stamp: () => v.now() };
});

test("espruino: clearTimeout reaches Espruino only for a pending timer, never with a stale or missing id", async (t) => {
  const v = new VirtualClock();
  const timers = new FakeEspruinoTimers(v);
  const clock = new EspruinoClock(timers);
  const a = clock.setTimeout(() => undefined, 1);
  await v.advance(2);
  clock.clearTimeout(a);
  clock.clearTimeout(7);
  clock.clearTimeout(undefined as unknown as TimerHandle);
  clock.clearTimeout({});
  t.deepEqual(timers.cleared, []);
  const b = clock.setTimeout(() => undefined, 5);
  clock.clearTimeout(b);
  clock.clearTimeout(b);
  t.deepEqual(timers.cleared, [0]);
});

test("espruino: without injected timers it uses the global setTimeout/clearTimeout", async (t) => {
  const clock = new EspruinoClock();
  let fired = 0;
  const h = clock.setTimeout(() => fired++, 3);
  const gone = clock.setTimeout(() => (fired += 10), 1);
  clock.clearTimeout(gone);
  await realUntil(() => fired !== 0);
  t.is(fired, 1);
  clock.clearTimeout(h);
  t.true(Math.abs(clock.now() - Date.now()) < 50);
});
