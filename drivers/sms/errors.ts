/**
 * Typed errors of the SMS codec (drivers/sms). Made with `defineError` so that they work on
 * Espruino, where `class extends Error` does not.
 *
 * - `PduError`: a PDU could not be decoded. `field` names the 3GPP TS 23.040 field that is
 *   wrong (`TP-OA`, `TP-UDL`, `SMSC`, ... or `hex` for the text itself), `offset` is the
 *   octet offset in the whole PDU (SMSC field included when there is one) where it went
 *   wrong, `detail` says what.
 * - `SmsEncodeError`: an encoder was given something it cannot put into a PDU (a bad
 *   number, a reference out of range, a message needing more than 255 parts, ...).
 * - `UnencodableTextError`: the text holds characters the chosen (or any) alphabet cannot
 *   carry; they are listed, never silently dropped or replaced.
 */
import { defineError } from "../../hal/errors.js";

export const PduError = defineError<{ field: string; offset: number; detail: string }>("PduError");

export const SmsEncodeError = defineError<{ field: string; detail: string }>("SmsEncodeError");

export const UnencodableTextError = defineError<{
  /** The alphabet that could not carry them: `gsm7` when forced, `ucs2` when none can. */
  alphabet: string;
  /** The offending code points, in order of appearance (repeats included). */
  codePoints: number[];
  /** Their positions, counted in code points from the start of the text. */
  positions: number[];
}>("UnencodableTextError");

/** Throws a `PduError`; a function so that callers read as one line. */
export function pduFail(field: string, offset: number, detail: string): never {
  throw PduError(field + " at octet " + offset + ": " + detail, { field: field, offset: offset, detail: detail });
}

/** Throws an `SmsEncodeError`. */
export function encodeFail(field: string, detail: string): never {
  throw SmsEncodeError(field + ": " + detail, { field: field, detail: detail });
}

/** "U+1F600" style name of a code point, for messages. */
export function codePointName(cp: number): string {
  let h = cp.toString(16).toUpperCase();
  while (h.length < 4) h = "0" + h;
  return "U+" + h;
}
