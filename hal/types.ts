/**
 * The hardware abstraction layer: the only seam between the portable code and the
 * device or host it runs on. Everything here is portable (Espruino and Node).
 *
 * Byte data crosses the HAL as *byte strings*: strings whose every character is one
 * byte (char code 0..255). That is what Espruino's `Serial1` delivers natively, what
 * its fast native `indexOf`/`split` work on, and what Node gives as
 * `buffer.toString("latin1")`. A character above 0xFF in a byte string is a bug in the
 * caller; implementations reject it instead of sending a truncated byte.
 */

/** Unsubscribes a handler; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** A byte-oriented serial link to a modem (UART, USB CDC, TCP serial server, pty). */
export interface Serial {
  /** Writes bytes; resolves once they are handed to the OS or the UART driver. */
  write(bytes: string): Promise<void>;
  /**
   * Writes bytes at once, where the link hands them over synchronously (an Espruino UART):
   * returns the error instead of a rejected promise, so a caller that writes a command per
   * final result (the AT channel) makes no promise and no reaction per write. Optional.
   */
  writeNow?(bytes: string): Error | undefined;
  /** Receives chunks as they arrive, split anywhere (one byte at a time is legal). */
  onData(handler: (chunk: string) => void): Unsubscribe;
  /** Told once when the link goes away (device unplugged, socket closed, close()). */
  onClose(handler: (reason: string) => void): Unsubscribe;
  /** Closes the link; further writes reject. */
  close(): Promise<void>;
}

/** Opaque handle of a timer created through a `Clock`. */
export type TimerHandle = number | object;

/** Time and timers. Tests use a virtual clock so hours of simulated time take milliseconds. */
export interface Clock {
  /** Milliseconds since an arbitrary epoch (Unix epoch for real clocks). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Clearing a fired or already-cleared handle is harmless. */
  clearTimeout(handle: TimerHandle): void;
}

/** The modem's control lines. Which physical pin each is lives in boards.json. */
export type PinName = "powerKey" | "reset" | "status" | "ringIndicator";

export interface Pins {
  /** Drives an output (`powerKey`, `reset`); true = asserted (the board maps polarity). */
  write(pin: PinName, asserted: boolean): Promise<void>;
  /** Reads an input (`status`, `ringIndicator`); true = asserted. */
  read(pin: PinName): Promise<boolean>;
  /** Whether the board wires this pin at all. */
  has(pin: PinName): boolean;
}

/**
 * Small key/value records that survive a power cut at any instant.
 *
 * Every write is atomic: after a cut, a read returns the old value or the new one, never
 * a mix. Every record is checksummed: a torn or corrupted record makes `read` reject
 * with a `StorageCorruptError`, never return damaged data.
 * Keys: 1..24 characters of [A-Za-z0-9._-] (Espruino's Storage keeps 28 characters of
 * a file name; the rest is our own suffix room). Values: any string.
 */
export interface Storage {
  /** The value, or `undefined` when the key has no record. */
  read(key: string): Promise<string | undefined>;
  write(key: string, value: string): Promise<void>;
  /** Removing a missing key is harmless. */
  remove(key: string): Promise<void>;
  /** The keys that start with `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
}

/** The longest key a `Storage` accepts; see `Storage`. */
export const STORAGE_KEY_MAX = 24;
