/**
 * Modem control lines on a Linux host.
 *
 * `NodePins` applies the board pin map (which line, which polarity, which direction)
 * and leaves the levels to a `GpioBackend`. Two backends exist: `SysfsGpio`, the
 * classic /sys/class/gpio interface, and `NoPins` for boards that wire no lines (a USB
 * modem on a PC). A backend for the GPIO character device (libgpiod) would plug in the
 * same way; sysfs is kept because it needs no native module and is easy to fake.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { PinName, Pins } from "../types.js";
import { assertedAt, checkPinMap, levelFor, PinError, pinOpError } from "../pin-map.js";
import type { PinMap } from "../pin-map.js";

export { PinError } from "../pin-map.js";
export type { PinMap, PinWiring } from "../pin-map.js";

/** Sets and reads raw levels of board pins named as in boards.json ("gpio23"). */
export interface GpioBackend {
  write(pin: string, level: 0 | 1): Promise<void>;
  read(pin: string): Promise<0 | 1>;
}

/** `Pins` for a board pin map over a level backend. */
export class NodePins implements Pins {
  /** Throws PinError when the map is malformed. */
  constructor(
    private readonly map: PinMap,
    private readonly backend: GpioBackend,
  ) {
    checkPinMap(map);
  }

  has(pin: PinName): boolean {
    return Object.prototype.hasOwnProperty.call(this.map, pin);
  }

  async write(pin: PinName, asserted: boolean): Promise<void> {
    const bad = pinOpError(pin, "write", this.has(pin), asserted);
    if (bad) throw bad;
    await this.backend.write(this.map[pin].pin, levelFor(this.map[pin], asserted));
  }

  async read(pin: PinName): Promise<boolean> {
    const bad = pinOpError(pin, "read", this.has(pin));
    if (bad) throw bad;
    return assertedAt(this.map[pin], await this.backend.read(this.map[pin].pin));
  }
}

/** `Pins` for a board that wires none of the modem's lines: `has` is false for all. */
export class NoPins implements Pins {
  has(_pin: PinName): boolean {
    return false;
  }

  write(pin: PinName, asserted: boolean): Promise<void> {
    return Promise.reject(pinOpError(pin, "write", false, asserted));
  }

  read(pin: PinName): Promise<boolean> {
    return Promise.reject(pinOpError(pin, "read", false));
  }
}

/**
 * Linux sysfs GPIO (`/sys/class/gpio`): a pin "gpio23" (or "23") is exported on first
 * use, set to output with its first level in one step (writing "high"/"low" to
 * `direction`, so it never glitches through the wrong level), or to input before it
 * is first read.
 */
export class SysfsGpio implements GpioBackend {
  private readonly dirs = new Map<number, "in" | "out">();

  constructor(private readonly root = "/sys/class/gpio") {}

  async write(pin: string, level: 0 | 1): Promise<void> {
    const n = this.number(pin);
    const dir = await this.exported(n, pin);
    if (this.dirs.get(n) !== "out") {
      await this.put(path.join(dir, "direction"), level ? "high" : "low", pin);
      this.dirs.set(n, "out");
      return;
    }
    await this.put(path.join(dir, "value"), level ? "1" : "0", pin);
  }

  async read(pin: string): Promise<0 | 1> {
    const n = this.number(pin);
    const dir = await this.exported(n, pin);
    if (this.dirs.get(n) !== "in") {
      await this.put(path.join(dir, "direction"), "in", pin);
      this.dirs.set(n, "in");
    }
    const file = path.join(dir, "value");
    let text: string;
    try {
      text = (await fs.readFile(file, "utf8")).trim();
    } catch (e) {
      throw this.ioError(pin, "read", file, e);
    }
    if (text !== "0" && text !== "1") throw PinError(`${file} holds '${text}', not 0 or 1`, { pin, detail: "value" });
    return text === "1" ? 1 : 0;
  }

  private number(pin: string): number {
    const digits = pin.startsWith("gpio") ? pin.slice(4) : pin;
    if (!/^[0-9]{1,4}$/.test(digits)) throw PinError(`'${pin}' is not a sysfs GPIO name (expected gpioN)`, { pin, detail: "name" });
    return Number(digits);
  }

  private async exported(n: number, pin: string): Promise<string> {
    const dir = path.join(this.root, `gpio${n}`);
    if (await exists(dir)) return dir;
    const exportFile = path.join(this.root, "export");
    try {
      await fs.writeFile(exportFile, String(n));
    } catch (e) {
      // EBUSY: someone exported it meanwhile, which is what we wanted.
      if ((e as NodeJS.ErrnoException).code !== "EBUSY") throw this.ioError(pin, "export", exportFile, e);
    }
    if (!(await exists(dir))) throw PinError(`GPIO ${n} did not appear in ${this.root} after export`, { pin, detail: "export" });
    return dir;
  }

  private async put(file: string, text: string, pin: string): Promise<void> {
    try {
      await fs.writeFile(file, text);
    } catch (e) {
      throw this.ioError(pin, "write", file, e);
    }
  }

  private ioError(pin: string, op: string, file: string, e: unknown): Error {
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === "EACCES" || err.code === "EPERM" ? " (needs root or the gpio group)" : "";
    return PinError(`cannot ${op} ${file}: ${err.code ?? err.message}${hint}`, { pin, detail: err.code ?? err.message });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
