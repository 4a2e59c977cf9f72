/**
 * The user data header (23.040 §9.2.3.24): UDHL, then information elements IEI, IEDL, data.
 * Concatenation uses IE 0x00 (8-bit reference, §9.2.3.24.1) or 0x08 (16-bit reference,
 * §9.2.3.24.8).
 */
import type { Concat, InformationElement } from "./types.js";
import { encodeFail, pduFail } from "./errors.js";
import { bytesToHex, parseHexOctets } from "./hex.js";

export const IEI_CONCAT_8 = 0x00;
export const IEI_CONCAT_16 = 0x08;

/**
 * Decodes the elements of a header (`bytes` is the header after its UDHL octet, which
 * sits at PDU offset `base - 1`). An element running past the header is a `PduError`.
 */
export function decodeUdh(bytes: Uint8Array, base: number): InformationElement[] {
  const out: InformationElement[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) pduFail("TP-UDH", base + i, "information element header cut off by the end of the UDH");
    const iei = bytes[i];
    const len = bytes[i + 1];
    if (i + 2 + len > bytes.length) {
      pduFail("TP-UDH", base + i, "information element 0x" + bytesToHex([iei]) + " of " + len + " octets runs past the UDH");
    }
    out.push({ iei: iei, data: bytesToHex(bytes, i + 2, i + 2 + len) });
    i += 2 + len;
  }
  return out;
}

function hexOctets(hex: string): number[] {
  const o = parseHexOctets(hex);
  if (o === null) return encodeFail("TP-UDH", "element data " + JSON.stringify(hex) + " is not whole octets of hex");
  return o;
}

/** Encodes a header: UDHL then the elements. */
export function encodeUdh(ies: InformationElement[]): number[] {
  const out = [0];
  for (let k = 0; k < ies.length; k++) {
    const d = hexOctets(ies[k].data);
    if (!(ies[k].iei >= 0 && ies[k].iei <= 255)) encodeFail("TP-UDH", "element identifier " + ies[k].iei + " is not an octet");
    out.push(ies[k].iei, d.length);
    for (let i = 0; i < d.length; i++) out.push(d[i]);
  }
  out[0] = out.length - 1;
  return out;
}

/** Octets a header takes, UDHL included (0 for none). */
export function udhOctets(ies: InformationElement[] | null): number {
  if (ies === null) return 0;
  let n = 1;
  for (let k = 0; k < ies.length; k++) n += 2 + ies[k].data.length / 2;
  return n;
}

/**
 * The concatenation element of a header, or null. Follows 23.040 §9.2.3.24: a repeated
 * element counts by its last occurrence, and one with a total of 0, a part number of 0 or
 * a part number above the total is ignored.
 */
export function concatOf(ies: InformationElement[] | null): Concat | null {
  if (ies === null) return null;
  let found: Concat | null = null;
  for (let k = 0; k < ies.length; k++) {
    const e = ies[k];
    if (e.iei === IEI_CONCAT_8 && e.data.length === 6) {
      found = { ref: parseInt(e.data.substr(0, 2), 16), refBits: 8, total: parseInt(e.data.substr(2, 2), 16), seq: parseInt(e.data.substr(4, 2), 16) };
    } else if (e.iei === IEI_CONCAT_16 && e.data.length === 8) {
      found = { ref: parseInt(e.data.substr(0, 4), 16), refBits: 16, total: parseInt(e.data.substr(4, 2), 16), seq: parseInt(e.data.substr(6, 2), 16) };
    }
  }
  if (found && (found.total === 0 || found.seq === 0 || found.seq > found.total)) return null;
  return found;
}

/** The concatenation element for part `seq` of `total` with reference `ref`. */
export function concatElement(ref: number, refBits: number, total: number, seq: number): InformationElement {
  if (refBits === 16) return { iei: IEI_CONCAT_16, data: bytesToHex([ref >> 8, ref & 0xff, total, seq]) };
  return { iei: IEI_CONCAT_8, data: bytesToHex([ref, total, seq]) };
}
