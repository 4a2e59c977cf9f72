/**
 * Service-centre time stamps (TP-SCTS, TP-DT and absolute TP-VP; 3GPP TS 23.040
 * §9.2.3.11): seven octets of swapped semi-octets, year to second in local time, then the
 * offset from UTC in quarter hours with the sign in bit 3 of its tens digit.
 */
import { PduError } from "./errors.js";

export interface Timestamp {
  /** The instant, as milliseconds since the Unix epoch. */
  time: number;
  /** Offset of the sender's local time from UTC, in quarter hours (-79..79; Japan is +36). */
  tzQuarters: number;
}

function swapped(n: number): number {
  return ((n % 10) << 4) | Math.floor(n / 10);
}

function unswapped(b: number, field: string): number {
  const lo = b & 0x0f;
  const hi = b >> 4;
  if (lo > 9 || hi > 9) throw PduError(field + " has a non-decimal semi-octet 0x" + b.toString(16), { field });
  return lo * 10 + hi;
}

/** Encodes a timestamp into seven octets. */
export function encodeTimestamp(ts: Timestamp): number[] {
  const q = Math.round(ts.tzQuarters);
  if (q < -79 || q > 79) throw PduError("time zone " + q + " quarter hours is out of range", { field: "TP-SCTS" });
  const local = new Date(ts.time + q * 15 * 60000);
  const abs = Math.abs(q);
  const tz = (((abs % 10) << 4) | Math.floor(abs / 10)) | (q < 0 ? 0x08 : 0);
  return [
    swapped(local.getUTCFullYear() % 100),
    swapped(local.getUTCMonth() + 1),
    swapped(local.getUTCDate()),
    swapped(local.getUTCHours()),
    swapped(local.getUTCMinutes()),
    swapped(local.getUTCSeconds()),
    tz,
  ];
}

/** Decodes seven octets; years 00..89 are 2000..2089, 90..99 are 1990..1999. */
export function decodeTimestamp(o: number[], field = "TP-SCTS"): Timestamp {
  if (o.length !== 7) throw PduError(field + " must be 7 octets", { field });
  const yy = unswapped(o[0], field);
  const year = yy < 90 ? 2000 + yy : 1900 + yy;
  const tzByte = o[6];
  const quarters = (tzByte >> 4) + (tzByte & 0x07) * 10;
  const tz = tzByte & 0x08 ? -quarters : quarters;
  const localMs = Date.UTC(year, unswapped(o[1], field) - 1, unswapped(o[2], field), unswapped(o[3], field), unswapped(o[4], field), unswapped(o[5], field));
  return { time: localMs - tz * 15 * 60000, tzQuarters: tz };
}
