/**
 * Choosing the alphabet and splitting text into message parts (23.040 §9.2.3.24.1
 * concatenation; 23.038 alphabets).
 *
 * - The alphabet: GSM 7-bit when every character is in the default alphabet or its
 *   extension table, else UCS2; `encoding` can force either. Characters the alphabet cannot
 *   carry are an `UnencodableTextError` listing them (UCS2 cannot carry lone surrogates).
 * - One part holds 160 septets / 140 octets (70 UCS2 units). Longer text gets a
 *   concatenation header in every part: with an 8-bit reference a part holds 153 septets or
 *   67 UCS2 units, with a 16-bit reference 152 or 66 (134/133 octets of 8-bit data).
 * - An extension character counts two septets and a character above U+FFFF two UCS2 units;
 *   neither is ever cut between two parts (the receiver could not rebuild it).
 */
import type { Alphabet, Concat, Dcs, InformationElement } from "./types.js";
import { encodeFail, UnencodableTextError, codePointName } from "./errors.js";
import { ESC, encodeGsm7, gsm7Code } from "./gsm7.js";
import { encodeUcs2 } from "./ucs2.js";
import { concatElement } from "./udh.js";
import { bodyRoom } from "./userdata.js";
import { dcsFor } from "./dcs.js";
import { codePointsOf, stringFromCodePoints, textEngine } from "./text.js";

export interface SplitOptions {
  /** `auto` (default): GSM 7-bit if it can carry the text, else UCS2. */
  encoding?: "auto" | "gsm7" | "ucs2";
  /** Concatenation reference, required when the content needs more than one part. */
  ref?: number;
  /** 8 (default) or 16: the size of the concatenation reference. */
  refBits?: number;
  /** Refuse content that needs more parts than this (default and at most 255). */
  maxParts?: number;
}

/** One part's user data. */
export interface Segment {
  udh: InformationElement[] | null;
  /** Septets (GSM 7-bit) or octets. */
  body: Uint8Array;
  concat: Concat | null;
  /** The text this part carries ("" for 8-bit data). */
  text: string;
}

export interface Split {
  alphabet: Alphabet;
  segments: Segment[];
}

function unencodable(alphabet: string, cps: number[], bad: number[]): never {
  const list: number[] = [];
  const names: string[] = [];
  for (let i = 0; i < bad.length; i++) {
    list.push(cps[bad[i]]);
    if (names.length < 8) names.push(codePointName(cps[bad[i]]));
  }
  throw UnencodableTextError(
    "the " + alphabet + " alphabet cannot carry " + names.join(" ") + (bad.length > 8 ? " ..." : "") + " (" + bad.length + " character(s))",
    { alphabet: alphabet, codePoints: list, positions: bad },
  );
}

/** The concatenation settings, checked, for `total` parts. */
function concatSettings(total: number, opts: SplitOptions | undefined): { ref: number; refBits: number } {
  const refBits = opts && opts.refBits !== undefined ? opts.refBits : 8;
  if (refBits !== 8 && refBits !== 16) encodeFail("refBits", refBits + " is not 8 or 16");
  const maxParts = Math.min(255, opts && opts.maxParts !== undefined ? opts.maxParts : 255);
  if (total > maxParts) encodeFail("text", "needs " + total + " parts, at most " + maxParts + " allowed");
  if (total === 1) return { ref: 0, refBits: refBits };
  const ref = opts ? opts.ref : undefined;
  if (ref === undefined) return encodeFail("ref", "content of " + total + " parts needs a concatenation reference");
  const max = refBits === 16 ? 0xffff : 0xff;
  if (!(ref >= 0 && ref <= max) || ref !== Math.floor(ref)) encodeFail("ref", ref + " is not 0.." + max);
  return { ref: ref, refBits: refBits };
}

/** Room for the body of each part of a multi-part message (UCS2: whole 16-bit units only). */
function multiRoom(dcs: Dcs, refBits: number): number {
  const room = bodyRoom(dcs, [concatElement(0, refBits, 1, 1)]);
  return dcs.alphabet === "ucs2" ? room - (room % 2) : room;
}

function header(total: number, seq: number, s: { ref: number; refBits: number }): { udh: InformationElement[] | null; concat: Concat | null } {
  if (total === 1) return { udh: null, concat: null };
  return { udh: [concatElement(s.ref, s.refBits, total, seq)], concat: { ref: s.ref, refBits: s.refBits, total: total, seq: seq } };
}

/**
 * Picks the alphabet for `text` and splits it into parts (see the module comment). One pass
 * encodes the whole text; each part's body is a view of it, cut where the next character
 * would not fit, so a part never ends inside an escape pair or a surrogate pair.
 */
export function splitText(text: string, opts?: SplitOptions): Split {
  const cps = codePointsOf(text);
  const n = cps.length;
  const encoding = opts && opts.encoding ? opts.encoding : "auto";
  if (encoding !== "auto" && encoding !== "gsm7" && encoding !== "ucs2") encodeFail("encoding", JSON.stringify(encoding) + " is not auto, gsm7 or ucs2");
  let alphabet: Alphabet = "ucs2";
  let whole: Uint8Array = new Uint8Array(0);
  let used = 0;
  if (encoding !== "ucs2") {
    // Counted first, so that the septets get an array of their exact size.
    let i = 0;
    for (; i < n; i++) {
      const c = gsm7Code(cps[i]);
      if (c < 0) break;
      used += c > 0xff ? 2 : 1;
    }
    if (i === n) {
      alphabet = "gsm7";
      whole = new Uint8Array(used);
      for (let k = 0, j = 0; k < n; k++) {
        const c = gsm7Code(cps[k]);
        if (c > 0xff) {
          whole[j++] = ESC;
          whole[j++] = c & 0x7f;
        } else whole[j++] = c;
      }
    } else if (encoding === "gsm7") unencodable("gsm7", cps, encodeGsm7(cps).bad);
  }
  if (alphabet === "ucs2") {
    const u = encodeUcs2(cps);
    if (u.bad.length) unencodable("ucs2", cps, u.bad);
    whole = u.bytes;
    used = whole.length;
  }
  const dcs = dcsFor(alphabet, null);
  if (used <= bodyRoom(dcs, null)) {
    concatSettings(1, opts);
    return { alphabet: alphabet, segments: [{ udh: null, body: whole, concat: null, text: text }] };
  }
  const room = multiRoom(dcs, opts && opts.refBits === 16 ? 16 : 8);
  // Part ends, in code points and in septets/octets. An ESC septet only ever leads an
  // extension pair (gsm7Code never gives ESC for a character of its own).
  const cpEnds: number[] = [];
  const unitEnds: number[] = [];
  let u = 0;
  let partStart = 0;
  for (let i = 0; i < n; i++) {
    const size = alphabet === "gsm7" ? (whole[u] === ESC ? 2 : 1) : cps[i] >= 0x10000 ? 4 : 2;
    if (u + size - partStart > room) {
      cpEnds.push(i);
      unitEnds.push(u);
      partStart = u;
    }
    u += size;
  }
  cpEnds.push(n);
  unitEnds.push(u);
  const total = cpEnds.length;
  const s = concatSettings(total, opts);
  // Where a code point is one UTF-16 unit, a part's text is a substring of the text.
  const direct = textEngine === "utf16" && n === text.length;
  const segments: Segment[] = [];
  for (let k = 0; k < total; k++) {
    const c0 = k ? cpEnds[k - 1] : 0;
    segments.push({
      udh: [concatElement(s.ref, s.refBits, total, k + 1)],
      body: whole.subarray(k ? unitEnds[k - 1] : 0, unitEnds[k]),
      concat: { ref: s.ref, refBits: s.refBits, total: total, seq: k + 1 },
      text: direct ? text.substring(c0, cpEnds[k]) : stringFromCodePoints(cps.slice(c0, cpEnds[k])),
    });
  }
  return { alphabet: alphabet, segments: segments };
}

/** Splits 8-bit data into parts: 140 octets in one, else 134 (133 with a 16-bit reference) per part. */
export function splitData(data: Uint8Array, opts?: SplitOptions): Split {
  const dcs = dcsFor("8bit", null);
  const room = multiRoom(dcs, opts && opts.refBits === 16 ? 16 : 8);
  const total = data.length <= bodyRoom(dcs, null) ? 1 : Math.ceil(data.length / room);
  const s = concatSettings(total, opts);
  const segments: Segment[] = [];
  for (let k = 0; k < total; k++) {
    const h = header(total, k + 1, s);
    const body = total === 1 ? data.slice(0) : data.slice(k * room, (k + 1) * room);
    segments.push({ udh: h.udh, body: body, concat: h.concat, text: "" });
  }
  return { alphabet: "8bit", segments: segments };
}
