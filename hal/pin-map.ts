/**
 * The board pin map (boards.json `pins`) and the checks every `Pins` implementation
 * makes (portable; shared by hal/espruino, hal/node and hal/memory).
 *
 * Direction is fixed per pin name: `powerKey` and `reset` are outputs, `status` and
 * `ringIndicator` inputs. Reading an output is refused, not just pointless: on Espruino
 * `digitalRead` turns the pin into an input, which would let go of the power key.
 */
import type { PinName } from "./types.js";
import { defineError } from "./errors.js";

/** A pin operation was refused: unknown or unwired pin, wrong direction, bad value, I/O failure. */
export const PinError = defineError<{ pin: string; detail: string }>("PinError");

/** Where one named line is wired: a board pin ("D31", "gpio23") and its polarity. */
export interface PinWiring {
  pin: string;
  /** true: asserted = high level; false: asserted = low level. */
  activeHigh: boolean;
}

/** boards.json `pins`: the lines a board wires (a missing name is not wired). */
export type PinMap = { [name: string]: PinWiring };

export const OUTPUT_PINS: PinName[] = ["powerKey", "reset"];
export const INPUT_PINS: PinName[] = ["status", "ringIndicator"];

/** "output" or "input", or undefined for a name that is not a PinName. */
export function pinDirection(pin: string): "output" | "input" | undefined {
  if (OUTPUT_PINS.indexOf(pin as PinName) >= 0) return "output";
  if (INPUT_PINS.indexOf(pin as PinName) >= 0) return "input";
  return undefined;
}

/**
 * The error for `op` on `pin` given whether the board wires it, or undefined when the
 * operation is allowed. `value` is checked for writes.
 */
export function pinOpError(pin: string, op: "write" | "read", wired: boolean, value?: unknown): Error | undefined {
  const dir = pinDirection(pin);
  if (!dir) return PinError("unknown pin '" + pin + "' (expected powerKey, reset, status or ringIndicator)", { pin: String(pin), detail: "unknown" });
  if (!wired) return PinError("this board does not wire the modem's " + pin + " line", { pin: pin, detail: "not wired" });
  if (op === "write" && dir !== "output") return PinError(pin + " is an input; it cannot be written", { pin: pin, detail: "direction" });
  if (op === "read" && dir !== "input") return PinError(pin + " is an output; reading it is refused", { pin: pin, detail: "direction" });
  if (op === "write" && typeof value !== "boolean") return PinError("write of " + pin + " needs true or false, got " + typeof value, { pin: pin, detail: "value" });
  return undefined;
}

/** Checks a board pin map, throwing PinError on the first bad entry. */
export function checkPinMap(map: PinMap): void {
  const names = Object.keys(map);
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const w = map[name];
    if (!pinDirection(name)) throw PinError("pin map names unknown line '" + name + "'", { pin: name, detail: "unknown" });
    if (!w || typeof w.pin !== "string" || w.pin.length === 0) throw PinError("pin map entry " + name + " has no pin", { pin: name, detail: "no pin" });
    if (typeof w.activeHigh !== "boolean") throw PinError("pin map entry " + name + " needs activeHigh true or false", { pin: name, detail: "polarity" });
  }
}

/** The level (1 high, 0 low) that makes `wiring` read as `asserted`. */
export function levelFor(wiring: PinWiring, asserted: boolean): 0 | 1 {
  return asserted === wiring.activeHigh ? 1 : 0;
}

/** Whether `level` on `wiring` means asserted. */
export function assertedAt(wiring: PinWiring, level: number): boolean {
  return (level ? true : false) === wiring.activeHigh;
}
