/**
 * The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1, §6.2.1.1)
 * and septet packing (23.038 §6.1.2.1.1; fill bits after a user data header: 23.040
 * §9.2.3.24).
 *
 * Tables are typed arrays, not arrays or objects: on Espruino an array costs one memory
 * block per element (shared/espruino-facts.md).
 */
import { charCodes } from "./hex.js";
import { fromUnits } from "./text.js";

/** The default alphabet: septet value -> Unicode code point (23.038 §6.2.1). */
const BASIC = new Uint16Array([
  0x40, 0xa3, 0x24, 0xa5, 0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0x0a, 0xd8, 0xf8, 0x0d, 0xc5, 0xe5,
  0x394, 0x5f, 0x3a6, 0x393, 0x39b, 0x3a9, 0x3a0, 0x3a8, 0x3a3, 0x398, 0x39e, 0x1b, 0xc6, 0xe6, 0xdf, 0xc9,
  0x20, 0x21, 0x22, 0x23, 0xa4, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f,
  0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f,
  0xa1, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f,
  0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7,
  0xbf, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f,
  0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0xe4, 0xf6, 0xf1, 0xfc, 0xe0,
]);

/** The escape to the extension table (23.038 §6.2.1, code 0x1B). */
export const ESC = 0x1b;

/**
 * The extension table (23.038 §6.2.1.1): the septet after ESC, and the character it
 * stands for. 0x0A is a page break (U+000C). Other values are not defined; 0x0D (CR2) and
 * 0x1B (the escape to a further table) have no character.
 */
const EXT_SEPTETS = new Uint8Array([0x0a, 0x14, 0x28, 0x29, 0x2f, 0x3c, 0x3d, 0x3e, 0x40, 0x65]);
const EXT_CHARS = new Uint16Array([0x0c, 0x5e, 0x7b, 0x7d, 0x5c, 0x5b, 0x7e, 0x5d, 0x7c, 0x20ac]);

/**
 * Code points 0..255 -> septet (0..127), 0x100 | extension septet, or -1 (not in the
 * alphabet). Above 255 only Greek capitals and the euro sign exist; they are looked up in
 * the tables directly.
 */
const LATIN = new Int16Array(256);
(function buildLatin() {
  for (let i = 0; i < 256; i++) LATIN[i] = -1;
  for (let s = 0; s < 128; s++) if (BASIC[s] < 256 && s !== ESC) LATIN[BASIC[s]] = s;
  for (let k = 0; k < EXT_SEPTETS.length; k++) if (EXT_CHARS[k] < 256) LATIN[EXT_CHARS[k]] = 0x100 | EXT_SEPTETS[k];
})();

/**
 * The septets for one code point: a septet 0..127, `0x100 | x` for ESC followed by x, or
 * -1 when the default alphabet and its extension cannot carry it.
 */
export function gsm7Code(cp: number): number {
  if (cp >= 0 && cp < 256) return LATIN[cp];
  if (cp === 0x20ac) return 0x100 | 0x65;
  if (cp >= 0x393 && cp <= 0x3a9) {
    const s = BASIC.indexOf(cp);
    if (s >= 0) return s;
  }
  return -1;
}

/**
 * Encodes code points as septets (one septet per element). `bad` lists the positions of
 * the code points that have no GSM 7-bit form; their septets are left out.
 */
export function encodeGsm7(cps: number[]): { septets: Uint8Array; bad: number[] } {
  const out = new Uint8Array(cps.length * 2);
  const bad: number[] = [];
  let n = 0;
  for (let i = 0; i < cps.length; i++) {
    const c = gsm7Code(cps[i]);
    if (c < 0) bad.push(i);
    else if (c >= 0x100) {
      out[n++] = ESC;
      out[n++] = c & 0x7f;
    } else out[n++] = c;
  }
  return { septets: out.subarray(0, n), bad: bad };
}

/**
 * Decodes septets to code points. ESC + a defined extension value gives the extension
 * character; ESC + an undefined value gives that value's character from the default
 * table (23.038 §6.2.1.1 note); ESC + ESC, and an ESC with nothing after it, show as a
 * space (23.038 §6.2.1, note on 0x1B).
 */
export function decodeGsm7(septets: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    if (s !== ESC) {
      out.push(BASIC[s]);
      continue;
    }
    if (i + 1 >= septets.length) {
      out.push(0x20);
      continue;
    }
    const x = septets[++i] & 0x7f;
    const k = EXT_SEPTETS.indexOf(x);
    if (k >= 0) out.push(EXT_CHARS[k]);
    else if (x === ESC) out.push(0x20);
    else out.push(BASIC[x]);
  }
  return out;
}

/**
 * Packs septets into `out`, the first one starting `bitOffset` bits into `out` (bits are
 * filled from the least significant end of each octet, 23.038 §6.1.2.1.1). `out` must be
 * zeroed where the septets go and at least `ceil((bitOffset + 7 * n) / 8)` octets long.
 * With a user data header of h octets the text starts at septet ceil(8h/7), so
 * `bitOffset` is that times 7 and the bits between are the fill bits (23.040 §9.2.3.24).
 */
export function packSeptets(septets: Uint8Array, out: Uint8Array, bitOffset: number): void {
  let bit = bitOffset;
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i] & 0x7f;
    const o = bit >> 3;
    const sh = bit & 7;
    out[o] |= (s << sh) & 0xff;
    if (sh > 1) out[o + 1] |= s >> (8 - sh);
    bit += 7;
  }
}

/**
 * Packs `septets[from..to)` as packSeptets does and writes the octets as upper-case hex
 * into `codes` (character codes) from `at`, in one pass with no octet array: `fill` zero
 * bits first (the fill bits after a user data header, 0..6), then seven bits a septet
 * from the least significant end of each octet (23.038 §6.1.2.1.1), the last octet
 * padded with zeros. Gives the position after the hex.
 */
export function putSeptetsHex(codes: number[] | Uint8Array, at: number, septets: Uint8Array, from: number, to: number, fill: number): number {
  const end = at + 2 * Math.ceil((fill + 7 * (to - from)) / 8);
  let i = from;
  let acc = 0;
  let bits = fill;
  for (let k = at; k < end; k += 2) {
    while (bits < 8 && i < to) {
      acc |= (septets[i++] & 0x7f) << bits;
      bits += 7;
    }
    const hi = (acc >> 4) & 15;
    const lo = acc & 15;
    codes[k] = hi + (hi < 10 ? 48 : 55);
    codes[k + 1] = lo + (lo < 10 ? 48 : 55);
    acc >>= 8;
    bits -= 8;
  }
  return end;
}

/** putSeptetsHex as a string of its own. */
export function packSeptetsHex(septets: Uint8Array, from: number, to: number, fill: number): string {
  const codes = charCodes(2 * Math.ceil((fill + 7 * (to - from)) / 8));
  putSeptetsHex(codes, 0, septets, from, to, fill);
  return fromUnits(codes);
}

/**
 * Unpacks `count` septets starting `bitOffset` bits into `bytes`. The caller checks that
 * `bytes` holds `ceil((bitOffset + 7 * count) / 8)` octets; missing octets read as zero.
 */
export function unpackSeptets(bytes: Uint8Array, bitOffset: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  let bit = bitOffset;
  for (let i = 0; i < count; i++) {
    const o = bit >> 3;
    const sh = bit & 7;
    let v = bytes[o] >> sh;
    if (sh > 1 && o + 1 < bytes.length) v |= bytes[o + 1] << (8 - sh);
    out[i] = v & 0x7f;
    bit += 7;
  }
  return out;
}

/** Octets needed for `septets` septets starting at septet boundary 0 (23.040 §9.2.3.16). */
export function septetOctets(septets: number): number {
  return Math.ceil((septets * 7) / 8);
}
