/**
 * The clock of a served number in `--virtual-time` mode: a `VirtualClock` whose time
 * moves only when the control interface asks (`POST /time`), but which runs by itself
 * whatever is due at the current instant.
 *
 * Why: the network and the simulated modems hand every event on through zero-delay
 * timers (R95: decided in order, delivered on the clock). Programs outside the process
 * (firmware on real time, gammu, curl) cannot call `advance(0)`, so without this a
 * `RING` would wait for the next `POST /time`. Timers due later (the no-reply timer,
 * RING repetition, SMS retries) still wait for time to be advanced.
 *
 * All advances, the automatic ones included, run one after the other: `VirtualClock`
 * must never run two `advance` loops at once.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import type { TimerHandle } from "../../hal/types.js";

export class ServedVirtualClock extends VirtualClock {
  private chain: Promise<void> = Promise.resolve();
  private kicked = false;
  private stopped = false;

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = super.setTimeout(fn, ms);
    if (!(ms > 0)) this.kick();
    return handle;
  }

  /** Moves time forward by `ms`, after any advance already running; resolves when done. */
  advanceBy(ms: number): Promise<void> {
    return this.enqueue(ms);
  }

  /** Runs what is due now (what the automatic runner does); resolves when done. */
  flush(): Promise<void> {
    return this.enqueue(0);
  }

  /** Stops running due timers by itself (for shutting down). */
  stop(): void {
    this.stopped = true;
  }

  private enqueue(ms: number): Promise<void> {
    const next = this.chain.then(() => this.advance(ms));
    // A timer callback that threw must not wedge the clock for every later caller.
    this.chain = next.catch(() => undefined);
    return next;
  }

  private kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      if (!this.stopped) void this.flush().catch(() => undefined);
    });
  }
}
