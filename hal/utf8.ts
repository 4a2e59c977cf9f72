/**
 * Text <-> bytes for stored values (portable).
 *
 * A stored value is any JS string, so it is kept as UTF-8. Two engines, one format:
 * - Node strings are UTF-16: a surrogate pair becomes one 4-byte sequence; a lone
 *   surrogate is kept as its own 3-byte sequence (the "WTF-8" rule) so that every
 *   string, even an ill-formed one, reads back exactly as it was written.
 * - Espruino Unicode builds hold a code point per char (an astral char is one char,
 *   espruino-facts.md) and cannot build a char above 0xFF with String.fromCharCode, so
 *   there the native E.fromUTF8 / E.asUTF8 do the wide work; non-Unicode builds have
 *   only chars 0..0xFF, which the code below handles itself.
 */

/** Whether String.fromCharCode can make chars above 0xFF here (false on Espruino). */
const wideFromCharCode = String.fromCharCode(0x3042).charCodeAt(0) === 0x3042;

function nativeUtf8(): boolean {
  return typeof E !== "undefined" && !!E.isUTF8 && !!E.asUTF8 && !!E.fromUTF8;
}

/** True when every char of `s` is below 0x80, so its UTF-8 form is itself. */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) return false;
  }
  return true;
}

/** The UTF-8 bytes of `s` as a byte string (WTF-8 for lone surrogates). */
export function utf8Encode(s: string): string {
  if (isAscii(s)) return s;
  if (nativeUtf8() && E.isUTF8!(s)) return E.fromUTF8!(s);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out += String.fromCharCode(c);
      continue;
    }
    if (c < 0x800) {
      out += String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x10000) {
      out += String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    } else {
      out += String.fromCharCode(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    }
  }
  return out;
}

/** Result of `utf8Decode`: the text, or why the bytes are not text this engine can hold. */
export type Utf8Result = { ok: true; text: string } | { ok: false; malformed: boolean; detail: string };

/**
 * Decodes bytes written by `utf8Encode`. Rejects malformed input (truncated or
 * overlong sequences, stray continuation bytes, code points above U+10FFFF).
 */
export function utf8Decode(bytes: string): Utf8Result {
  if (isAscii(bytes)) return { ok: true, text: bytes };
  let out = "";
  let wide = false;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes.charCodeAt(i);
    if (b > 0xff) return { ok: false, malformed: true, detail: "not a byte string at " + i };
    if (b < 0x80) {
      out += String.fromCharCode(b);
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      return { ok: false, malformed: true, detail: "bad UTF-8 lead byte 0x" + b.toString(16) + " at " + i };
    }
    if (i + need >= n) {
      return { ok: false, malformed: true, detail: "truncated UTF-8 sequence at " + i };
    }
    for (let k = 1; k <= need; k++) {
      const cb = bytes.charCodeAt(i + k);
      if ((cb & 0xc0) !== 0x80 || cb > 0xff) {
        return { ok: false, malformed: true, detail: "bad UTF-8 continuation at " + (i + k) };
      }
      cp = (cp << 6) | (cb & 0x3f);
    }
    if (cp < min || cp > 0x10ffff) {
      return { ok: false, malformed: true, detail: "overlong or out-of-range UTF-8 at " + i };
    }
    i += need + 1;
    if (cp > 0xff) wide = true;
    if (!wideFromCharCode) {
      // Espruino: keep scanning to validate; the text itself comes from E.asUTF8 below.
      if (cp <= 0xff) out += String.fromCharCode(cp);
      continue;
    }
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      out += String.fromCharCode(0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
    } else {
      out += String.fromCharCode(cp);
    }
  }
  if (wide && !wideFromCharCode) {
    if (nativeUtf8()) return { ok: true, text: E.asUTF8!(bytes) };
    return { ok: false, malformed: false, detail: "holds characters above 0xFF, which this Espruino build cannot represent" };
  }
  return { ok: true, text: out };
}
