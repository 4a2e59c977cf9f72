/**
 * Byte strings at the serial seam, and the errors every `Serial` implementation uses.
 *
 * Portable: shared by hal/espruino, hal/node and hal/memory.
 */
import { defineError } from "./errors.js";

/** A write on a link that is closed (by `close()`, or because the device or peer went away). */
export const SerialClosedError = defineError<{ reason: string }>("SerialClosedError");
/** A write whose string holds a character above 0xFF, which is not one byte. */
export const NotByteStringError = defineError<{ index: number; code: number }>("NotByteStringError");
/** A link could not be opened: missing device, refused connection, bad spec. */
export const SerialOpenError = defineError<{ spec: string; detail: string }>("SerialOpenError");

/** Index of the first character above 0xFF, or -1 when `s` is a byte string. */
export function firstNonByte(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) return i;
  }
  return -1;
}

/** The error for a write of `s` (undefined when `s` is a byte string). */
export function byteStringError(s: string): Error | undefined {
  if (typeof s !== "string") {
    return NotByteStringError("not a byte string: got " + typeof s, { index: -1, code: -1 });
  }
  const i = firstNonByte(s);
  if (i < 0) return undefined;
  const code = s.charCodeAt(i);
  return NotByteStringError("not a byte string: char " + code + " at " + i + " is above 0xFF", { index: i, code: code });
}

/** The error for a write on a link closed for `reason`. */
export function closedError(reason: string): Error {
  return SerialClosedError("serial link is closed (" + reason + ")", { reason: reason });
}
