/**
 * The Espruino globals that hal/espruino uses, typed for both type checks (portable and
 * Node). Only names that Node does not also define are declared here: Node's `require`
 * would clash with a global declaration, so hal/espruino/storage.ts declares its own
 * module-scoped `require` for `require("Storage")`.
 *
 * Members that size-reduced builds leave out are optional, so that the code has to test
 * for them (espruino-facts.md: `SAVE_ON_FLASH` boards lack E.CRC32; only Unicode builds
 * have the UTF-8 helpers).
 */

/** The parts of Espruino's `E` object hal/espruino uses. */
interface EspruinoE {
  /** Standard CRC-32 (IEEE 802.3, as zlib) of each element as a byte; unsigned. Not on SAVE_ON_FLASH builds. */
  CRC32?: (data: string) => number;
  /** Joins bytes, arrays and strings into one byte string. */
  toString(data: string | number[] | Uint8Array): string;
  /** Unicode builds: whether the string is flagged as UTF-8 (may hold chars above 0xFF). */
  isUTF8?: (s: string) => boolean;
  /** Unicode builds: the same bytes flagged as UTF-8 (a byte string read back as text). */
  asUTF8?: (bytes: string) => string;
  /** Unicode builds: the UTF-8 bytes of a flagged string, as a plain byte string. */
  fromUTF8?: (s: string) => string;
}
declare var E: EspruinoE;

/** Options of `SerialN.setup`; on the Linux build `path` binds a host tty instead of pins. */
interface EspruinoSerialSetup {
  rx?: string;
  tx?: string;
  /** Hardware flow control: transmission pauses while this input is high. */
  cts?: string;
  flow?: "none" | "xon";
  path?: string;
}

/** An Espruino UART (`Serial1`, `Serial2`, ...). `on('data')` delivers byte strings. */
interface EspruinoUart {
  setup(baud: number, options?: EspruinoSerialSetup): void;
  on(event: "data", handler: (data: string) => void): void;
  removeListener(event: "data", handler: (data: string) => void): void;
  write(data: string): void;
  /** Releases the UART and its pins (newer firmware only). */
  unsetup?: () => void;
}
declare var Serial1: EspruinoUart;

/** Drives a pin by name ("D31"); sets it to output unless pinMode forbids. */
declare function digitalWrite(pin: string, value: number | boolean): void;
/** Reads a pin by name (0 or 1); sets it to input unless pinMode forbids. */
declare function digitalRead(pin: string): number;
/** Seconds since 1970 as a float (wall clock; jumps with setTime). */
declare function getTime(): number;
