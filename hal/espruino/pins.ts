/**
 * `Pins` on Espruino: `digitalWrite` / `digitalRead` on the board pins named in the
 * board's pin map (boards.json), with each line's polarity applied here so that callers
 * speak only of asserted / not asserted.
 */
import type { PinName, Pins } from "../types.js";
import { assertedAt, checkPinMap, levelFor, pinOpError } from "../pin-map.js";
import type { PinMap } from "../pin-map.js";

/** The two Espruino pin functions, injectable so that tests can run this under Node. */
export interface DigitalIo {
  digitalWrite(pin: string, value: number): void;
  digitalRead(pin: string): number;
}

function globalIo(): DigitalIo {
  return {
    digitalWrite: function (pin: string, value: number) {
      digitalWrite(pin, value);
    },
    digitalRead: function (pin: string) {
      return digitalRead(pin);
    },
  };
}

export class EspruinoPins implements Pins {
  private readonly io: DigitalIo;

  /** Throws PinError when the map is malformed. `io` defaults to Espruino's globals. */
  constructor(
    private readonly map: PinMap,
    io?: DigitalIo,
  ) {
    checkPinMap(map);
    this.io = io || globalIo();
  }

  has(pin: PinName): boolean {
    return Object.prototype.hasOwnProperty.call(this.map, pin);
  }

  write(pin: PinName, asserted: boolean): Promise<void> {
    const bad = pinOpError(pin, "write", this.has(pin), asserted);
    if (bad) return Promise.reject(bad);
    try {
      this.io.digitalWrite(this.map[pin].pin, levelFor(this.map[pin], asserted));
    } catch (e) {
      return Promise.reject(e);
    }
    return Promise.resolve();
  }

  read(pin: PinName): Promise<boolean> {
    const bad = pinOpError(pin, "read", this.has(pin));
    if (bad) return Promise.reject(bad);
    try {
      return Promise.resolve(assertedAt(this.map[pin], this.io.digitalRead(this.map[pin].pin)));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
