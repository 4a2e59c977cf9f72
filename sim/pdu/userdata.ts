/**
 * TP-DCS (3GPP TS 23.038 §4), the user data header (23.040 §9.2.3.24) with its
 * concatenation elements (§9.2.3.24.1 8-bit reference, §9.2.3.24.8 16-bit reference), and
 * TP-UDL / TP-UD coding in each alphabet (§9.2.3.16, §9.2.3.24).
 */
import { PduError } from "./errors.js";
import { packSeptets, septetsToText, textToSeptets, unpackSeptets } from "./gsm7.js";
import { textToUcs2, ucs2ToText } from "./ucs2.js";

export type Alphabet = "gsm7" | "8bit" | "ucs2";

/** What a TP-DCS octet says about the user data. */
export interface DataCoding {
  alphabet: Alphabet;
  /** Message class 0..3, when the DCS gives one. */
  msgClass?: number;
  compressed: boolean;
}

/** Reads a TP-DCS octet (23.038 §4). Reserved groups fall back to the default alphabet, as §4 tells receivers to. */
export function decodeDcs(dcs: number): DataCoding {
  const group = dcs >> 4;
  if (group <= 0x7) {
    // General data coding (00xx) and automatic deletion (01xx): bit 5 compressed,
    // bit 4 says whether bits 1-0 carry a class, bits 3-2 the alphabet.
    const a = (dcs >> 2) & 3;
    const alphabet: Alphabet = a === 1 ? "8bit" : a === 2 ? "ucs2" : "gsm7";
    const out: DataCoding = { alphabet, compressed: (dcs & 0x20) !== 0 };
    if (dcs & 0x10) out.msgClass = dcs & 3;
    return out;
  }
  if (group === 0xe) return { alphabet: "ucs2", compressed: false };
  if (group === 0xf) return { alphabet: dcs & 0x04 ? "8bit" : "gsm7", msgClass: dcs & 3, compressed: false };
  return { alphabet: "gsm7", compressed: false };
}

/** The TP-DCS octet for an alphabet and optional class (general data coding group, uncompressed). */
export function encodeDcs(alphabet: Alphabet, msgClass?: number): number {
  const a = alphabet === "8bit" ? 0x04 : alphabet === "ucs2" ? 0x08 : 0x00;
  return msgClass === undefined ? a : a | 0x10 | (msgClass & 3);
}

export interface InformationElement {
  iei: number;
  data: number[];
}

/** Concatenated short message (23.040 §9.2.3.24.1 / .8). */
export interface Concat {
  ref: number;
  total: number;
  seq: number;
  bits: 8 | 16;
}

export interface UserData {
  alphabet: Alphabet;
  /** The header's information elements, in order (empty without TP-UDHI). */
  udh: InformationElement[];
  concat?: Concat;
  /** The text (GSM 7-bit and UCS2); for 8-bit data, each octet as one char code. */
  text: string;
  /** The body octets after the header (8-bit data); for text alphabets, the same as `text` encoded. */
  data: number[];
}

export function parseUdh(octets: number[]): InformationElement[] {
  const out: InformationElement[] = [];
  let i = 0;
  while (i < octets.length) {
    if (i + 2 > octets.length) throw PduError("user data header ends inside an element", { field: "TP-UDH" });
    const iei = octets[i];
    const len = octets[i + 1];
    if (i + 2 + len > octets.length) throw PduError("element 0x" + iei.toString(16) + " is longer than the header", { field: "TP-UDH" });
    out.push({ iei, data: octets.slice(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

export function buildUdh(ies: InformationElement[]): number[] {
  let body: number[] = [];
  for (const ie of ies) body = body.concat([ie.iei, ie.data.length], ie.data);
  return [body.length].concat(body);
}

/** The concatenation element of a header, if any; a malformed one is an error (a receiver could not reassemble it). */
export function concatOf(ies: InformationElement[]): Concat | undefined {
  for (const ie of ies) {
    if (ie.iei === 0x00 || ie.iei === 0x08) {
      const bits = ie.iei === 0x00 ? 8 : 16;
      if (ie.data.length !== (bits === 8 ? 3 : 4)) throw PduError("concatenation element has length " + ie.data.length, { field: "TP-UDH" });
      const ref = bits === 8 ? ie.data[0] : (ie.data[0] << 8) | ie.data[1];
      const total = ie.data[bits === 8 ? 1 : 2];
      const seq = ie.data[bits === 8 ? 2 : 3];
      if (total === 0 || seq === 0 || seq > total) throw PduError("concatenation part " + seq + " of " + total + " is impossible", { field: "TP-UDH" });
      return { ref, total, seq, bits };
    }
  }
  return undefined;
}

export function concatElement(c: Concat): InformationElement {
  return c.bits === 16
    ? { iei: 0x08, data: [(c.ref >> 8) & 0xff, c.ref & 0xff, c.total, c.seq] }
    : { iei: 0x00, data: [c.ref & 0xff, c.total, c.seq] };
}

/** Septets a header of `udhOctets` (including its length octet) occupies in 7-bit user data. */
export function headerSeptets(udhOctets: number): number {
  return Math.ceil((udhOctets * 8) / 7);
}

/** Decodes TP-UD given TP-UDHI, TP-UDL and the DCS alphabet. */
export function decodeUserData(alphabet: Alphabet, udhi: boolean, udl: number, ud: number[]): UserData {
  let udh: InformationElement[] = [];
  let hdrLen = 0;
  if (udhi) {
    if (ud.length < 1) throw PduError("TP-UDHI is set but the user data is empty", { field: "TP-UDH" });
    hdrLen = ud[0] + 1;
    if (hdrLen > ud.length) throw PduError("user data header length " + ud[0] + " runs past the user data", { field: "TP-UDH" });
    udh = parseUdh(ud.slice(1, hdrLen));
  }
  const concat = concatOf(udh);
  if (alphabet === "gsm7") {
    if (udl > 160) throw PduError("TP-UDL " + udl + " is more than 160 septets", { field: "TP-UDL" });
    const needed = Math.ceil((udl * 7) / 8);
    if (ud.length !== needed) throw PduError("TP-UDL " + udl + " septets needs " + needed + " octets, user data has " + ud.length, { field: "TP-UDL" });
    const hs = udhi ? headerSeptets(hdrLen) : 0;
    if (hs > udl) throw PduError("TP-UDL " + udl + " is shorter than the header", { field: "TP-UDL" });
    const septets = unpackSeptets(ud.slice(hdrLen), hs * 7 - hdrLen * 8, udl - hs);
    const text = septetsToText(septets);
    return { alphabet, udh, concat, text, data: septets };
  }
  if (udl > 140) throw PduError("TP-UDL " + udl + " is more than 140 octets", { field: "TP-UDL" });
  if (ud.length !== udl) throw PduError("TP-UDL " + udl + " octets, user data has " + ud.length, { field: "TP-UDL" });
  if (hdrLen > udl) throw PduError("TP-UDL " + udl + " is shorter than the header", { field: "TP-UDL" });
  const body = ud.slice(hdrLen);
  const text = alphabet === "ucs2" ? ucs2ToText(body) : String.fromCharCode.apply(null, body);
  return { alphabet, udh, concat, text, data: body };
}

/** Encodes text (or 8-bit data as char codes) into [TP-UDL, ...TP-UD]; throws `PduError` when it does not fit one message. */
export function encodeUserData(alphabet: Alphabet, text: string, udh: InformationElement[]): number[] {
  const header = udh.length > 0 ? buildUdh(udh) : [];
  if (alphabet === "gsm7") {
    const septets = textToSeptets(text);
    const hs = header.length > 0 ? headerSeptets(header.length) : 0;
    const udl = hs + septets.length;
    if (udl > 160) throw PduError("text needs " + udl + " septets, more than 160", { field: "TP-UDL" });
    const body = packSeptets(septets, hs * 7 - header.length * 8);
    return [udl].concat(header, body);
  }
  let body: number[];
  if (alphabet === "ucs2") body = textToUcs2(text);
  else {
    body = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 255) throw PduError("8-bit data must be octets", { field: "TP-UD" });
      body.push(c);
    }
  }
  const udl = header.length + body.length;
  if (udl > 140) throw PduError("user data needs " + udl + " octets, more than 140", { field: "TP-UDL" });
  return [udl].concat(header, body);
}
