/**
 * TP-UDL and TP-UD (23.040 §9.2.3.16, §9.2.3.24). With the GSM 7-bit alphabet TP-UDL counts
 * septets, header included: a header of h octets takes ceil(8h/7) septets, the spare bits
 * being fill bits, so the text starts on a septet boundary. Otherwise TP-UDL counts
 * octets. The user data is at most 140 octets, i.e. 160 septets; in an
 * SMS-STATUS-REPORT at most 143 octets (TPDU at most 164 octets, §9.2.3.16).
 */
import type { Concat, Dcs, InformationElement } from "./types.js";
import type { Cursor } from "./cursor.js";
import { encodeFail, pduFail } from "./errors.js";
import { decodeGsm7, packSeptets, septetOctets, unpackSeptets } from "./gsm7.js";
import { decodeUcs2 } from "./ucs2.js";
import { concatOf, decodeUdh, encodeUdh, udhOctets } from "./udh.js";
import { stringFromCodePoints } from "./text.js";

/** Octets of user data in an SMS-DELIVER or SMS-SUBMIT. */
export const MAX_UD_OCTETS = 140;
/** Octets of user data in an SMS-STATUS-REPORT (with a 2-octet TP-RA and no TP-PID/TP-DCS). */
export const MAX_REPORT_UD_OCTETS = 143;

/** Septets that fit in `octets` octets. */
function septetsIn(octets: number): number {
  return Math.floor((octets * 8) / 7);
}

/** True when TP-UDL counts septets for this DCS (GSM 7-bit, not compressed). */
export function countsSeptets(dcs: Dcs): boolean {
  return dcs.alphabet === "gsm7" && !dcs.compressed;
}

/** Septets a header of `octets` octets (UDHL included) takes, fill bits included. */
export function headerSeptets(octets: number): number {
  return Math.ceil((octets * 8) / 7);
}

export interface DecodedUserData {
  udh: InformationElement[] | null;
  body: Uint8Array;
  text: string | null;
  concat: Concat | null;
}

function readHeader(ud: Uint8Array, at: number, room: number, udl: number, unit: string): InformationElement[] {
  if (ud.length === 0) pduFail("TP-UDH", at, "TP-UDHI is set but the user data is empty");
  const octets = ud[0] + 1;
  if (octets > room) pduFail("TP-UDH", at, "a header of " + octets + " octets does not fit in TP-UDL " + udl + " " + unit);
  return decodeUdh(ud.subarray(1, octets), at + 1);
}

/** Reads TP-UDL and TP-UD at the cursor, for the alphabet in `dcs`; `max` octets at most. */
export function decodeUserData(c: Cursor, dcs: Dcs, udhi: boolean, max: number): DecodedUserData {
  const udlAt = c.pos;
  const udl = c.u8("TP-UDL");
  const udAt = c.pos;
  let udh: InformationElement[] | null = null;
  let body: Uint8Array;
  let text: string | null = null;
  if (countsSeptets(dcs)) {
    if (udl > septetsIn(max)) pduFail("TP-UDL", udlAt, udl + " septets, at most " + septetsIn(max));
    const ud = c.take(septetOctets(udl), "TP-UD");
    let skip = 0;
    if (udhi) {
      udh = readHeader(ud, udAt, ud.length, udl, "septets");
      skip = headerSeptets(ud[0] + 1);
      if (skip > udl) pduFail("TP-UDH", udAt, "a header of " + (ud[0] + 1) + " octets does not fit in TP-UDL " + udl + " septets");
    }
    body = unpackSeptets(ud, skip * 7, udl - skip);
    text = stringFromCodePoints(decodeGsm7(body));
  } else {
    if (udl > max) pduFail("TP-UDL", udlAt, udl + " octets, at most " + max);
    const ud = c.take(udl, "TP-UD");
    let skip = 0;
    if (udhi) {
      udh = readHeader(ud, udAt, udl, udl, "octets");
      skip = ud[0] + 1;
    }
    body = ud.slice(skip);
    if (dcs.alphabet === "ucs2" && !dcs.compressed) {
      if (body.length % 2) pduFail("TP-UD", udAt + skip, "UCS2 text of an odd number of octets (" + body.length + ")");
      text = stringFromCodePoints(decodeUcs2(body));
    }
  }
  return { udh: udh, body: body, text: text, concat: concatOf(udh) };
}

/**
 * TP-UDL and the TP-UD octets for a header and a body (septets for GSM 7-bit, else octets).
 * More than `max` octets (default 140) is an `SmsEncodeError` on `TP-UD`.
 */
export function encodeUserData(dcs: Dcs, udh: InformationElement[] | null, body: Uint8Array, max?: number): { udl: number; octets: Uint8Array } {
  const limit = max === undefined ? MAX_UD_OCTETS : max;
  const header = udh === null ? [] : encodeUdh(udh);
  if (countsSeptets(dcs)) {
    const skip = header.length ? headerSeptets(header.length) : 0;
    const udl = skip + body.length;
    if (udl > septetsIn(limit)) encodeFail("TP-UD", udl + " septets, at most " + septetsIn(limit) + " fit in one message");
    for (let i = 0; i < body.length; i++) if (body[i] > 127) encodeFail("TP-UD", "septet " + body[i] + " at " + i + " is above 127");
    const out = new Uint8Array(septetOctets(udl));
    for (let i = 0; i < header.length; i++) out[i] = header[i];
    packSeptets(body, out, skip * 7);
    return { udl: udl, octets: out };
  }
  const udl = header.length + body.length;
  if (udl > limit) encodeFail("TP-UD", udl + " octets, at most " + limit + " fit in one message");
  const out = new Uint8Array(udl);
  for (let i = 0; i < header.length; i++) out[i] = header[i];
  out.set(body, header.length);
  return { udl: udl, octets: out };
}

/** Room left for the body beside a header, in septets (GSM 7-bit) or octets. */
export function bodyRoom(dcs: Dcs, udh: InformationElement[] | null): number {
  const h = udhOctets(udh);
  if (countsSeptets(dcs)) return septetsIn(MAX_UD_OCTETS) - (h ? headerSeptets(h) : 0);
  return MAX_UD_OCTETS - h;
}
