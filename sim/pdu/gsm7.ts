/**
 * The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1 and
 * §6.2.1.1), and septet packing (23.038 §6.1.2.1.1, with the fill bits that follow a user
 * data header, 23.040 §9.2.3.24).
 */
import { PduError } from "./errors.js";

/** The default alphabet, indexed by septet value. 0x1B is the escape to the extension table. */
const DEFAULT_TABLE =
  "@\u00A3$\u00A5\u00E8\u00E9\u00F9\u00EC\u00F2\u00C7\n\u00D8\u00F8\r\u00C5\u00E5" +
  "\u0394_\u03A6\u0393\u039B\u03A9\u03A0\u03A8\u03A3\u0398\u039E\x1B\u00C6\u00E6\u00DF\u00C9" +
  " !\"#\u00A4%&'()*+,-./" +
  "0123456789:;<=>?" +
  "\u00A1ABCDEFGHIJKLMNO" +
  "PQRSTUVWXYZ\u00C4\u00D6\u00D1\u00DC\u00A7" +
  "\u00BFabcdefghijklmno" +
  "pqrstuvwxyz\u00E4\u00F6\u00F1\u00FC\u00E0";

/** The extension table: septet after 0x1B -> character (23.038 §6.2.1.1). */
const EXTENSION: { [septet: number]: string } = {
  0x0a: "\f",
  0x14: "^",
  0x28: "{",
  0x29: "}",
  0x2f: "\\",
  0x3c: "[",
  0x3d: "~",
  0x3e: "]",
  0x40: "|",
  0x65: "\u20AC",
};

const ESCAPE = 0x1b;

const charToSeptet: { [ch: string]: number } = {};
for (let i = 0; i < 128; i++) if (i !== ESCAPE) charToSeptet[DEFAULT_TABLE[i]] = i;
const charToExtension: { [ch: string]: number } = {};
for (const k of Object.keys(EXTENSION)) charToExtension[EXTENSION[Number(k)]] = Number(k);

/** Septets one character takes in the default alphabet: 1, 2 (extension table), or 0 if it has none. */
export function gsm7Length(ch: string): number {
  if (ch in charToSeptet) return 1;
  if (ch in charToExtension) return 2;
  return 0;
}

/** Whether every character of `text` exists in the default alphabet or its extension table. */
export function isGsm7(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (gsm7Length(text[i]) === 0) return false;
  return true;
}

/** Text to septet values (extension characters become 0x1B + code). Throws `PduError` on a character outside the alphabet. */
export function textToSeptets(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const s = charToSeptet[ch];
    if (s !== undefined) {
      out.push(s);
      continue;
    }
    const e = charToExtension[ch];
    if (e !== undefined) {
      out.push(ESCAPE, e);
      continue;
    }
    throw PduError("character U+" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0") + " at " + i + " is not in the GSM 7-bit alphabet", { field: "gsm7" });
  }
  return out;
}

/**
 * Septet values to text. An escape followed by a code the extension table does not define
 * shows the default-table character for that code (23.038 §6.2.1.1); a trailing lone
 * escape is dropped.
 */
export function septetsToText(septets: number[]): string {
  // Joined at the end, not `+=` per character: V8 would hold the result as a rope of one
  // 32-byte node per character, and the simulator keeps decoded texts for days (the soak).
  const chars: string[] = [];
  for (let i = 0; i < septets.length; i++) {
    const v = septets[i] & 0x7f;
    if (v === ESCAPE) {
      if (i + 1 >= septets.length) break;
      const next = septets[++i] & 0x7f;
      const ext = EXTENSION[next];
      chars.push(ext !== undefined ? ext : next === ESCAPE ? " " : DEFAULT_TABLE[next]);
      continue;
    }
    chars.push(DEFAULT_TABLE[v]);
  }
  return chars.join("");
}

/**
 * Packs septets into octets, least significant bit first (23.038 §6.1.2.1.1), after
 * `fillBits` zero bits (0..6) that align the text behind a user data header.
 */
export function packSeptets(septets: number[], fillBits: number): number[] {
  const totalBits = fillBits + septets.length * 7;
  const out: number[] = new Array(Math.ceil(totalBits / 8)).fill(0);
  let bit = fillBits;
  for (const s of septets) {
    for (let k = 0; k < 7; k++) {
      if ((s >> k) & 1) out[bit >> 3] |= 1 << (bit & 7);
      bit++;
    }
  }
  return out;
}

/** Unpacks `count` septets from `octets`, skipping `fillBits` leading bits. Throws `PduError` if the octets run out. */
export function unpackSeptets(octets: number[], fillBits: number, count: number): number[] {
  const needed = Math.ceil((fillBits + count * 7) / 8);
  if (octets.length < needed) {
    throw PduError(count + " septets need " + needed + " octets of user data, got " + octets.length, { field: "TP-UD" });
  }
  const out: number[] = [];
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    let v = 0;
    for (let k = 0; k < 7; k++) {
      if ((octets[bit >> 3] >> (bit & 7)) & 1) v |= 1 << k;
      bit++;
    }
    out.push(v);
  }
  return out;
}
