/**
 * In-memory modem control lines for tests and the simulator: outputs are recorded with
 * the clock's time (so a test can check a power-key pulse lasted long enough), inputs
 * are set by the test or by a simulated modem.
 */
import type { Clock, PinName, Pins, Unsubscribe } from "../types.js";
import { Emitter } from "../emitter.js";
import { INPUT_PINS, OUTPUT_PINS, pinDirection, PinError, pinOpError } from "../pin-map.js";

/** One write, as recorded. */
export interface PinWrite {
  pin: PinName;
  asserted: boolean;
  /** `clock.now()` when it was written. */
  at: number;
}

type Events = { write: PinWrite };

export class MemoryPins implements Pins {
  /** Every write in order. */
  readonly writes: PinWrite[] = [];
  private readonly wired: PinName[];
  private readonly levels: { [pin: string]: boolean } = {};
  private readonly events = new Emitter<Events>();

  /** `wired`: the lines this board has (default: all four). Inputs start not asserted. */
  constructor(
    private readonly clock: Clock,
    wired?: PinName[],
  ) {
    this.wired = (wired || OUTPUT_PINS.concat(INPUT_PINS)).slice();
    for (const p of this.wired) {
      if (!pinDirection(p)) throw PinError("unknown pin '" + p + "'", { pin: String(p), detail: "unknown" });
    }
  }

  has(pin: PinName): boolean {
    return this.wired.indexOf(pin) >= 0;
  }

  write(pin: PinName, asserted: boolean): Promise<void> {
    const bad = pinOpError(pin, "write", this.has(pin), asserted);
    if (bad) return Promise.reject(bad);
    const w: PinWrite = { pin, asserted, at: this.clock.now() };
    this.levels[pin] = asserted;
    this.writes.push(w);
    this.events.emit("write", w);
    return Promise.resolve();
  }

  read(pin: PinName): Promise<boolean> {
    const bad = pinOpError(pin, "read", this.has(pin));
    if (bad) return Promise.reject(bad);
    return Promise.resolve(this.levels[pin] === true);
  }

  /** Test / simulator side: drives an input line. */
  setInput(pin: PinName, asserted: boolean): void {
    if (pinDirection(pin) !== "input") throw PinError(pin + " is not an input", { pin, detail: "direction" });
    if (!this.has(pin)) throw PinError("this board does not wire " + pin, { pin, detail: "not wired" });
    this.levels[pin] = asserted;
  }

  /** The level last written to an output (undefined before the first write). */
  output(pin: PinName): boolean | undefined {
    if (pinDirection(pin) !== "output") throw PinError(pin + " is not an output", { pin, detail: "direction" });
    return this.levels[pin];
  }

  /** Told of every write, after it is recorded (a simulated modem watches its power key). */
  onWrite(handler: (w: PinWrite) => void): Unsubscribe {
    return this.events.on("write", handler);
  }
}
