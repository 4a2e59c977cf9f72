/**
 * Address fields: TP-OA / TP-DA / TP-RA (23.040 §9.1.2.5) and the SMSC address that 27.005
 * PDU mode puts in front of the TPDU (24.011 §8.2.5.1, 27.005 §3.1 `<pdu>`).
 *
 * The two differ only in their length octet: a TP address counts *useful semi-octets*
 * (digits, or for an alphanumeric address the semi-octets the septets fill), the SMSC field
 * counts *octets* including the type octet. Digits are BCD, low nibble first, `*` `#` `a`
 * `b` `c` for 1010..1110 and 1111 as the filler after an odd count (23.040 §9.1.2.3).
 */
import type { AddressType, SmsAddress } from "./types.js";
import type { Cursor } from "./cursor.js";
import { encodeFail, pduFail, codePointName } from "./errors.js";
import { encodeGsm7, decodeGsm7, packSeptets, unpackSeptets } from "./gsm7.js";
import { codePointsOf, stringFromCodePoints } from "./text.js";

const TYPES: AddressType[] = [
  "unknown",
  "international",
  "national",
  "network-specific",
  "subscriber",
  "alphanumeric",
  "abbreviated",
  "reserved",
];

/** BCD semi-octet values 0..14 as characters (23.040 §9.1.2.3, 24.008 table 10.5.118). */
const SEMI = "0123456789*#abc";

/** At most 10 octets of address value (23.040 §9.1.2.5), so 20 digits or 11 septets. */
const MAX_DIGITS = 20;
const MAX_ALPHA_SEPTETS = 11;

/** The type-of-address octet: extension bit 7 set, type of number, numbering plan. */
function typeOctet(a: SmsAddress, field: string): number {
  const ton = TYPES.indexOf(a.type);
  if (ton < 0) encodeFail(field, "unknown address type " + JSON.stringify(a.type));
  if (!(a.npi >= 0 && a.npi <= 15) || a.npi !== Math.floor(a.npi)) encodeFail(field, "numbering plan " + a.npi + " is not 0..15");
  return 0x80 | (ton << 4) | a.npi;
}

/** The semi-octet value of a dialling character: 0-9, `*` `#` and a b c in either case; else -1. */
function semiOctet(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c === 42) return 10;
  if (c === 35) return 11;
  const l = c | 0x20; // A-C and a-c alike
  return l >= 97 && l <= 99 ? l - 85 : -1;
}

/**
 * Checks the dialling string `s` from `from` on (past any `+`): only characters semiOctet
 * knows, at most MAX_DIGITS of them. Gives the digit count; fails naming `field`.
 */
function digitCount(s: string, from: number, field: string): number {
  for (let i = from; i < s.length; i++) {
    if (semiOctet(s.charCodeAt(i)) < 0) encodeFail(field, "character " + JSON.stringify(s.charAt(i)) + " cannot be in a phone number");
  }
  const n = s.length - from;
  if (n > MAX_DIGITS) encodeFail(field, n + " digits, at most " + MAX_DIGITS);
  return n;
}

/**
 * Appends the value octets of an address to `out` and gives the count its TP length octet
 * holds (23.040 §9.1.2.5): the digits, BCD low nibble first and F after an odd count, or
 * for an alphanumeric address (§9.1.2.5 note) the semi-octets its packed septets fill.
 */
function addressValue(a: SmsAddress, field: string, out: number[]): number {
  if (a.type !== "alphanumeric") {
    const s = a.number;
    let from = 0;
    if (s.charAt(0) === "+") {
      if (a.type !== "international") encodeFail(field, "a number starting with + must be international, not " + a.type);
      from = 1;
    }
    const n = digitCount(s, from, field);
    for (let i = from; i < s.length; i += 2) {
      out.push(semiOctet(s.charCodeAt(i)) | ((i + 1 < s.length ? semiOctet(s.charCodeAt(i + 1)) : 15) << 4));
    }
    return n;
  }
  const cps = codePointsOf(a.number);
  const enc = encodeGsm7(cps);
  if (enc.bad.length) encodeFail(field, "alphanumeric address holds " + codePointName(cps[enc.bad[0]]) + ", not in the GSM 7-bit alphabet");
  const n = enc.septets.length;
  if (n > MAX_ALPHA_SEPTETS) encodeFail(field, "alphanumeric address of " + n + " septets, at most " + MAX_ALPHA_SEPTETS);
  const packed = new Uint8Array(Math.ceil((n * 7) / 8));
  packSeptets(enc.septets, packed, 0);
  for (let i = 0; i < packed.length; i++) out.push(packed[i]);
  return Math.ceil((n * 7) / 4);
}

/**
 * Encodes a TP-OA/TP-DA/TP-RA: the semi-octet count, the type octet, the value. `field`
 * names the field in errors (`SmsEncodeError`).
 */
export function encodeAddress(a: SmsAddress, field: string): number[] {
  const out = [0, typeOctet(a, field)];
  out[0] = addressValue(a, field, out);
  return out;
}

/**
 * Encodes the SMSC field: `00` for none (the modem then uses its `+CSCA`), else the octet
 * count (type octet included), the type octet and the value.
 */
export function encodeSmsc(a: SmsAddress | null): number[] {
  if (a === null) return [0];
  const out = [0, typeOctet(a, "SMSC")];
  addressValue(a, "SMSC", out);
  out[0] = out.length - 1;
  return out;
}

/** Reads `count` BCD digits from `bytes`; F is allowed only as the filler after them. */
function readDigits(bytes: Uint8Array, count: number, field: string, offset: number): string {
  let s = "";
  for (let i = 0; i < count; i++) {
    const v = (bytes[i >> 1] >> ((i & 1) * 4)) & 15;
    if (v === 15) pduFail(field, offset + (i >> 1), "filler F inside the digits");
    s += SEMI.charAt(v);
  }
  return s;
}

function makeAddress(toa: number, value: string): SmsAddress {
  const type = TYPES[(toa >> 4) & 7];
  return { type: type, npi: toa & 15, number: type === "international" ? "+" + value : value };
}

function readAlpha(bytes: Uint8Array, septets: number): string {
  return stringFromCodePoints(decodeGsm7(unpackSeptets(bytes, 0, septets)));
}

/** Decodes a TP-OA/TP-DA/TP-RA named `field` at the cursor. */
export function decodeAddress(c: Cursor, field: string): SmsAddress {
  const at = c.pos;
  const len = c.u8(field);
  if (len > MAX_DIGITS) pduFail(field, at, "address length " + len + " semi-octets, at most " + MAX_DIGITS);
  const toa = c.u8(field);
  const valueAt = c.pos;
  const bytes = c.take((len + 1) >> 1, field);
  if (((toa >> 4) & 7) === 5) return makeAddress(toa, readAlpha(bytes, Math.floor((len * 4) / 7)));
  return makeAddress(toa, readDigits(bytes, len, field, valueAt));
}

/** Decodes the SMSC field in front of a 27.005 PDU; null when its length is 0. */
export function decodeSmsc(c: Cursor): SmsAddress | null {
  const at = c.pos;
  const len = c.u8("SMSC");
  if (len === 0) return null;
  if (len > 11) pduFail("SMSC", at, "SMSC length " + len + " octets, at most 11");
  const toa = c.u8("SMSC");
  const valueAt = c.pos;
  const bytes = c.take(len - 1, "SMSC");
  if (((toa >> 4) & 7) === 5) return makeAddress(toa, readAlpha(bytes, Math.floor(((len - 1) * 8) / 7)));
  let count = (len - 1) * 2;
  if (count > 0 && bytes[bytes.length - 1] >> 4 === 15) count--;
  return makeAddress(toa, readDigits(bytes, count, "SMSC", valueAt));
}

/**
 * A phone number as typed into an address: `+` then digits is international (E.164),
 * anything else "unknown" type with the ISDN plan (what phones send for national
 * numbers). Blanks and `-` are dropped as visual separators; `* # a b c` are allowed.
 * Anything else, an empty number or more than 20 digits is an `SmsEncodeError` naming
 * `field`.
 */
export function parseNumber(text: string, field: string): SmsAddress {
  let s = text;
  if (text.indexOf(" ") >= 0 || text.indexOf("-") >= 0) {
    s = "";
    for (let i = 0; i < text.length; i++) {
      const ch = text.charAt(i);
      if (ch !== " " && ch !== "-") s += ch;
    }
  }
  const from = s.charAt(0) === "+" ? 1 : 0;
  if (s.length === from) encodeFail(field, "no digits in " + JSON.stringify(text));
  digitCount(s, from, field);
  // a b c in lower case, as decodeAddress gives them back.
  return { type: from ? "international" : "unknown", npi: 1, number: s.toLowerCase() };
}
