/**
 * Address fields: TP-OA / TP-DA / TP-RA (3GPP TS 23.040 §9.1.2.5) and the service-centre
 * address that precedes the TPDU on the AT interface (27.005 §3.1 `<pdu>`, coded like
 * 24.011 RP addresses: its length counts octets, not digits).
 */
import { PduError } from "./errors.js";
import { OctetReader } from "./hex.js";
import { isGsm7, packSeptets, textToSeptets, septetsToText, unpackSeptets } from "./gsm7.js";

/** Type of address (23.040 §9.1.2.5): extension bit, type of number, numbering plan. */
export const TOA_INTERNATIONAL = 0x91;
export const TOA_UNKNOWN = 0x81;
export const TOA_NATIONAL = 0xa1;
export const TOA_ALPHANUMERIC = 0xd0;

/**
 * A decoded address. `number` carries a leading `+` when the type of number is
 * international, as 27.007 presents numbers; alphanumeric senders come as their text.
 */
export interface Address {
  number: string;
  toa: number;
}

/** The type-of-address octet a number presents as in 27.007 (`<type>`: 145 with `+`, else 129). */
export function toaFor(number: string): number {
  if (number.charAt(0) === "+") return TOA_INTERNATIONAL;
  if (number.length > 0 && !isDialString(number)) return TOA_ALPHANUMERIC;
  return TOA_UNKNOWN;
}

const SEMI_OCTET_DIGITS = "0123456789*#abc";

function isDialString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (SEMI_OCTET_DIGITS.indexOf(s[i]) < 0) return false;
  return true;
}

/** Digits (0-9 * # a b c) into swapped semi-octets, padded with F (23.040 §9.1.2.3). */
function digitsToSemiOctets(digits: string, field: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = SEMI_OCTET_DIGITS.indexOf(digits[i]);
    const hi = i + 1 < digits.length ? SEMI_OCTET_DIGITS.indexOf(digits[i + 1]) : 15;
    if (lo < 0 || hi < 0) throw PduError("'" + digits + "' is not a dialable number", { field });
    out.push((hi << 4) | lo);
  }
  return out;
}

/** `prefix` then the digits, as one flat string (joined, not `+=` per digit: an address is kept with every message, see gsm7.ts septetsToText). */
function semiOctetsToDigits(octets: number[], count: number, prefix: string): string {
  const digits: string[] = [prefix];
  for (let i = 0; i < count; i++) {
    const nib = i % 2 === 0 ? octets[i >> 1] & 0x0f : octets[i >> 1] >> 4;
    if (nib < 15) digits.push(SEMI_OCTET_DIGITS[nib]);
  }
  return digits.join("");
}

/** Encodes a TP address (TP-OA, TP-DA, TP-RA). `+` selects international; text that is not dialable becomes alphanumeric (GSM 7-bit). */
export function encodeAddress(number: string, toa?: number, field = "TP-DA"): number[] {
  const type = toa === undefined ? toaFor(number) : toa;
  if ((type & 0x70) === 0x50) {
    if (!isGsm7(number) || number.length > 11) throw PduError("alphanumeric address '" + number + "' must be up to 11 GSM characters", { field });
    const packed = packSeptets(textToSeptets(number), 0);
    // The length counts the semi-octets that carry the packed septets.
    return [Math.ceil((number.length * 7) / 4), type].concat(packed);
  }
  const digits = number.charAt(0) === "+" ? number.slice(1) : number;
  if (digits.length > 20) throw PduError("address '" + number + "' is longer than 20 digits", { field });
  return [digits.length, type].concat(digitsToSemiOctets(digits, field));
}

/** Decodes a TP address at the reader's position. */
export function decodeAddress(r: OctetReader, field: string): Address {
  const len = r.byte(field);
  const toa = r.byte(field);
  if (len > 20) throw PduError(field + " length " + len + " is more than 20 semi-octets", { field });
  const octets = r.take(Math.ceil(len / 2), field);
  if ((toa & 0x70) === 0x50) {
    const septets = Math.floor((len * 4) / 7);
    return { number: septetsToText(unpackSeptets(octets, 0, septets)), toa };
  }
  return { number: semiOctetsToDigits(octets, len, (toa & 0x70) === 0x10 ? "+" : ""), toa };
}

/** Encodes the service-centre address that leads a PDU on the AT interface; an empty number gives `00` (use the stored +CSCA). */
export function encodeSmsc(number: string): number[] {
  if (number === "") return [0];
  const toa = number.charAt(0) === "+" ? TOA_INTERNATIONAL : TOA_UNKNOWN;
  const digits = number.charAt(0) === "+" ? number.slice(1) : number;
  const semi = digitsToSemiOctets(digits, "SCA");
  return [semi.length + 1, toa].concat(semi);
}

/** Decodes the leading service-centre address; `undefined` when its length is 0 (default SMSC). */
export function decodeSmsc(r: OctetReader): Address | undefined {
  const len = r.byte("SCA");
  if (len === 0) return undefined;
  if (len > 11) throw PduError("SCA length " + len + " is more than 11 octets", { field: "SCA" });
  const toa = r.byte("SCA");
  const octets = r.take(len - 1, "SCA");
  return { number: semiOctetsToDigits(octets, octets.length * 2, (toa & 0x70) === 0x10 ? "+" : ""), toa };
}
