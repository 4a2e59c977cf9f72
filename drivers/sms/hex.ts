/**
 * Hex text <-> octets. PDUs travel as hex in 27.005 PDU mode (`+CMGS`, `+CMT`, `+CMGL`).
 */
import { pduFail } from "./errors.js";
import { fromUnits, textEngine } from "./text.js";

/**
 * The largest PDU we accept: a 12-octet SMSC field (length, type, 10 octets of digits) plus
 * the largest TPDU, an SMS-SUBMIT of 164 octets (23.040 §9.2.2.2: 1+1+12+1+1+7+1+140).
 * Anything longer cannot be a PDU, and refusing it early bounds memory on the watch.
 */
export const MAX_PDU_OCTETS = 176;

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 65 && c <= 70) return c - 55; // A-F
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/**
 * Parses hex digits (either case) into octets. Blanks and line ends around the hex are
 * ignored (a PDU line read from a modem ends in CR LF); anything else that is not a hex
 * digit, an odd digit count, an empty string or more than MAX_PDU_OCTETS octets gives a
 * `PduError` with field `hex` and the octet offset of the fault.
 */
export function hexToBytes(hex: string): Uint8Array {
  let start = 0;
  let end = hex.length;
  while (start < end && isSpace(hex.charCodeAt(start))) start++;
  while (end > start && isSpace(hex.charCodeAt(end - 1))) end--;
  const n = end - start;
  if (n === 0) pduFail("hex", 0, "no hex digits");
  if (n % 2 !== 0) pduFail("hex", (n - 1) >> 1, "odd number of hex digits (" + n + ")");
  if (n / 2 > MAX_PDU_OCTETS) pduFail("hex", MAX_PDU_OCTETS, "longer than any PDU (" + n / 2 + " octets, at most " + MAX_PDU_OCTETS + ")");
  const out = new Uint8Array(n / 2);
  for (let i = 0; i < n; i += 2) {
    const hi = nibble(hex.charCodeAt(start + i));
    const lo = nibble(hex.charCodeAt(start + i + 1));
    if (hi < 0 || lo < 0) {
      const bad = hi < 0 ? i : i + 1;
      pduFail("hex", i >> 1, "not a hex digit: " + JSON.stringify(hex.charAt(start + bad)) + " (character " + (start + bad) + ")");
    }
    out[i >> 1] = (hi << 4) | lo;
  }
  return out;
}

/**
 * Room for `n` character codes: a plain array on V8 (fast to fill and to apply), a
 * Uint8Array elsewhere (on Espruino an array costs a memory block per element).
 */
export function charCodes(n: number): number[] | Uint8Array {
  return textEngine === "utf16" ? new Array<number>(n) : new Uint8Array(n);
}

/**
 * Writes the upper-case hex of `bytes[from..to)` into `codes` (character codes) from `at`;
 * gives the position after it. Encoders put a whole PDU into one array this way and make
 * one string of it.
 */
export function putHex(codes: number[] | Uint8Array, at: number, bytes: ArrayLike<number>, from: number, to: number): number {
  let k = at;
  for (let i = from; i < to; i++) {
    const hi = (bytes[i] >> 4) & 15;
    const lo = bytes[i] & 15;
    codes[k++] = hi + (hi < 10 ? 48 : 55);
    codes[k++] = lo + (lo < 10 ? 48 : 55);
  }
  return k;
}

/** Writes one octet as two upper-case hex digits into `codes` at `at`; gives `at + 2`. */
export function putOctet(codes: number[] | Uint8Array, at: number, v: number): number {
  const hi = (v >> 4) & 15;
  const lo = v & 15;
  codes[at] = hi + (hi < 10 ? 48 : 55);
  codes[at + 1] = lo + (lo < 10 ? 48 : 55);
  return at + 2;
}

/** Upper-case hex of `bytes[start..end)` (whole array by default), as one flat string. */
export function bytesToHex(bytes: ArrayLike<number>, start?: number, end?: number): string {
  const from = start === undefined ? 0 : start;
  const to = end === undefined ? bytes.length : end;
  const codes = charCodes(2 * (to - from));
  putHex(codes, 0, bytes, from, to);
  return fromUnits(codes);
}

/** The octets of a string of hex digits, or null unless it is whole octets of hex. No blanks. */
export function parseHexOctets(hex: string): number[] | null {
  if (hex.length % 2) return null;
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) {
    const hi = nibble(hex.charCodeAt(i));
    const lo = nibble(hex.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return null;
    out.push((hi << 4) | lo);
  }
  return out;
}
