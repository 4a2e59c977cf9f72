/**
 * Text <-> Unicode code points, the same on Node and on Espruino.
 *
 * The engines disagree on what a string is (shared/espruino-facts.md, and checked against
 * Espruino 2v29 source: jslex.c, jswrap_espruino.c):
 *
 * - **utf16** (Node, browsers): a string is UTF-16 code units. `"😀".length` is 2 (a
 *   surrogate pair) and `String.fromCharCode` keeps 16 bits.
 * - **utf8** (Espruino builds with Unicode support: Bangle.js, Linux): a string is either a
 *   byte string or a *UTF-8 string* (a flag on the variable). A UTF-8 string is indexed by
 *   code point: `"😀".length` is 1 and `charCodeAt` gives 0x1F600; the lexer joins the
 *   escapes `"\ud83d\ude00"` into that one character. `String.fromCharCode` keeps only the
 *   low byte (0x3042 becomes 0x42), so text above U+00FF cannot be built with it; instead
 *   the UTF-8 bytes are built as a byte string and flagged with `E.asUTF8`. Reading goes
 *   the other way through `E.fromUTF8` (the backing bytes). A byte string (no flag, e.g.
 *   from `String.fromCharCode`) holds Latin-1: its char 0xE9 is é, as Espruino's own `+`
 *   treats it when joining it to a UTF-8 string. (`Array.join` does *not* convert, so this
 *   module never joins mixed strings.) Some built-ins drop the flag and hand back the
 *   UTF-8 bytes as a byte string (measured on 2v29: `repeat`, `toUpperCase`), so a byte
 *   string that is well-formed UTF-8 is read as UTF-8, any other as Latin-1.
 * - **bytes** (Espruino without Unicode support: Puck.js, Pico...): strings are bytes, a
 *   `\u3042` escape keeps only its low byte. Text is kept as UTF-8 bytes, which is what a
 *   source literal holds there and what a UTF-8 terminal shows. Reading: a string that is
 *   valid UTF-8 is decoded as such, any other as Latin-1.
 *
 * The engine is detected once, at load, by what it does (not by name):
 * `String.fromCharCode(0x3042).charCodeAt(0) === 0x3042` means utf16; otherwise
 * `"\u3042".charCodeAt(0) === 0x3042` with a working `E.asUTF8` means utf8; otherwise bytes.
 *
 * Decoded text for an astral code point is therefore a surrogate pair on Node and a single
 * character on Espruino, and `codePointsOf` gives the same numbers for both. Lone
 * surrogates are passed through as code points (the encoders refuse them).
 */

/** Espruino's `E` object; undefined on Node. Only what this module uses. */
declare const E: {
  asUTF8?: (s: string) => string;
  fromUTF8?: (s: string) => string;
  isUTF8?: (s: string) => boolean;
} | undefined;

export type TextEngine = "utf16" | "utf8" | "bytes";

function detectEngine(): TextEngine {
  if (String.fromCharCode(0x3042).charCodeAt(0) === 0x3042) return "utf16";
  if ("\u3042".charCodeAt(0) === 0x3042 && typeof E !== "undefined" && typeof E.asUTF8 === "function") {
    try {
      // Non-Unicode builds have E.asUTF8 but it throws; Unicode builds give one character.
      if (E.asUTF8(String.fromCharCode(0xe3, 0x81, 0x82)).length === 1) return "utf8";
    } catch (e) {
      // fall through: bytes
    }
  }
  return "bytes";
}

/** How this engine stores text (see the module comment). */
export const textEngine: TextEngine = detectEngine();

/**
 * Units per `String.fromCharCode.apply`: Espruino takes at most 256 arguments there
 * ("Array passed to Function.apply is too big", measured on 2v29), V8 many thousands.
 */
const CHUNK = textEngine === "utf16" ? 4096 : 256;

/**
 * A string of the given byte or UTF-16 unit values, built in chunks (argument limits).
 * Hot encoders build their output this way, as one flat string, not as a string grown
 * by `+=` one or two characters at a time.
 */
export function fromUnits(units: number[] | Uint8Array): string {
  if (units.length <= CHUNK) return String.fromCharCode.apply(null, units as number[]);
  let s = "";
  for (let i = 0; i < units.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, units.slice(i, i + CHUNK) as number[]);
  }
  return s;
}

/**
 * The code points of a list of code units/points (from a string when `units` is null):
 * surrogate pairs joined into one code point, anything else passed through, in one pass.
 */
function joinSurrogates(units: number[] | null, s: string): number[] {
  const out: number[] = [];
  const n = units ? units.length : s.length;
  for (let i = 0; i < n; i++) {
    let u = units ? units[i] : s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
      const v = units ? units[i + 1] : s.charCodeAt(i + 1);
      if (v >= 0xdc00 && v <= 0xdfff) {
        u = 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00);
        i++;
      }
    }
    out.push(u);
  }
  return out;
}

/** Replacement for values that are not code points at all. */
const REPLACEMENT = 0xfffd;

/**
 * The UTF-8 encoding of code points as a byte string (one char per byte, 0..255). Surrogate
 * code points are encoded as three bytes each, as Espruino's own encoder does.
 */
export function utf8ByteString(cps: number[]): string {
  const b: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    let c = cps[i];
    if (!(c >= 0 && c <= 0x10ffff) || c !== Math.floor(c)) c = REPLACEMENT;
    if (c < 0x80) b.push(c);
    else if (c < 0x800) b.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) b.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else b.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return fromUnits(b);
}

/**
 * Decodes a byte string as UTF-8; null when it is not well-formed UTF-8 (bad lead byte,
 * missing continuation, over-long form, above U+10FFFF). Surrogates encoded as 3 bytes are
 * accepted (Espruino makes them) and joined by the caller.
 */
export function utf8Decode(s: string): number[] | null {
  const out: number[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return null;
    let need = 0;
    let cp = 0;
    let min = 0;
    if (c < 0x80) {
      out.push(c);
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      need = 1; cp = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2; cp = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3; cp = c & 0x07; min = 0x10000;
    } else {
      return null;
    }
    if (i + need >= n) return null; // continuation bytes missing
    for (let k = 1; k <= need; k++) {
      const d = s.charCodeAt(i + k);
      if (d < 0x80 || d > 0xbf) return null;
      cp = (cp << 6) | (d & 63);
    }
    if (cp < min || cp > 0x10ffff) return null;
    out.push(cp);
    i += need + 1;
  }
  return out;
}

/**
 * The Unicode code points of `s`: surrogate pairs (Node) and single astral characters
 * (Espruino) both give one code point; see the module comment for byte strings.
 */
export function codePointsOf(s: string): number[] {
  if (textEngine !== "utf16") {
    const flagged = textEngine === "utf8" && typeof E !== "undefined" && E.isUTF8 && E.fromUTF8 && E.isUTF8(s);
    const d = utf8Decode(flagged && E && E.fromUTF8 ? E.fromUTF8(s) : s);
    if (d) return joinSurrogates(d, "");
  }
  return joinSurrogates(null, s);
}

/**
 * The string of the given code points, in this engine's representation: UTF-16 with
 * surrogate pairs on Node, a UTF-8 string on Espruino (one character per code point), UTF-8
 * bytes on Espruino builds without Unicode. Values that are not code points become U+FFFD.
 */
export function stringFromCodePoints(cps: number[]): string {
  if (textEngine === "utf16") {
    const units: number[] = [];
    for (let i = 0; i < cps.length; i++) {
      let c = cps[i];
      if (!(c >= 0 && c <= 0x10ffff) || c !== Math.floor(c)) c = REPLACEMENT;
      if (c >= 0x10000) units.push(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff));
      else units.push(c);
    }
    return fromUnits(units);
  }
  let ascii = true;
  for (let i = 0; i < cps.length; i++) {
    if (!(cps[i] >= 0 && cps[i] < 0x80)) {
      ascii = false;
      break;
    }
  }
  if (ascii) return fromUnits(cps);
  const bytes = utf8ByteString(cps);
  if (textEngine === "utf8" && typeof E !== "undefined" && E.asUTF8) return E.asUTF8(bytes);
  return bytes;
}
