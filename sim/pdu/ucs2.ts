/**
 * UCS2 user data (3GPP TS 23.038 §6.2.3): 16-bit big-endian code units. Characters
 * outside the Basic Multilingual Plane (emoji) travel as UTF-16 surrogate pairs, which is
 * what every current handset sends and accepts, so a pair is kept as two units.
 */
import { PduError } from "./errors.js";

/** Text to octets, two per UTF-16 code unit, big-endian. */
export function textToUcs2(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out.push(c >> 8, c & 0xff);
  }
  return out;
}

/** Octets to text; throws `PduError` on an odd number of octets. */
export function ucs2ToText(octets: number[]): string {
  if (octets.length % 2 !== 0) throw PduError("UCS2 user data has an odd number of octets (" + octets.length + ")", { field: "TP-UD" });
  // Built whole, not `+=` per unit (a rope of one node per character, kept as long as the text: gsm7.ts).
  const chars: string[] = [];
  for (let i = 0; i < octets.length; i += 2) chars.push(String.fromCharCode((octets[i] << 8) | octets[i + 1]));
  return chars.join("");
}
