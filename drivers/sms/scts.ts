/**
 * Absolute times: TP-SCTS, TP-DT and the absolute TP-VP (23.040 §9.2.3.11): seven octets of
 * swapped BCD, year month day hour minute second, then the time zone in quarter hours
 * whose tens digit carries the sign in bit 3 (so -5:00, i.e. -20 quarters, is octet 0x0A).
 *
 * Date.UTC is missing on Espruino, so epoch conversion is done here by arithmetic.
 */
import type { Scts } from "./types.js";
import type { Cursor } from "./cursor.js";
import { encodeFail, pduFail } from "./errors.js";

function bcd(v: number, field: string, offset: number): number {
  const tens = v & 15;
  const units = v >> 4;
  if (tens > 9 || units > 9) pduFail(field, offset, "not a BCD number: octet " + v.toString(16));
  return tens * 10 + units;
}

function check(ok: boolean, field: string, offset: number, what: string, v: number): void {
  if (!ok) pduFail(field, offset, what + " " + v + " is out of range");
}

/** Decodes seven octets of a time stamp named `field` at the cursor. */
export function decodeScts(c: Cursor, field: string): Scts {
  const at = c.pos;
  const b = c.take(7, field);
  const year = bcd(b[0], field, at);
  const month = bcd(b[1], field, at + 1);
  check(month >= 1 && month <= 12, field, at + 1, "month", month);
  const day = bcd(b[2], field, at + 2);
  check(day >= 1 && day <= 31, field, at + 2, "day", day);
  const hour = bcd(b[3], field, at + 3);
  check(hour <= 23, field, at + 3, "hour", hour);
  const minute = bcd(b[4], field, at + 4);
  check(minute <= 59, field, at + 4, "minute", minute);
  const second = bcd(b[5], field, at + 5);
  check(second <= 59, field, at + 5, "second", second);
  const tz = b[6];
  const tens = tz & 7;
  const units = tz >> 4;
  if (units > 9) pduFail(field, at + 6, "not a BCD time zone: octet " + tz.toString(16));
  const quarters = tens * 10 + units;
  return {
    year: year >= 90 ? 1900 + year : 2000 + year,
    month: month,
    day: day,
    hour: hour,
    minute: minute,
    second: second,
    offsetMinutes: (tz & 8 && quarters ? -quarters : quarters) * 15, // "-0" is read as 0
  };
}

function inRange(v: number, lo: number, hi: number): boolean {
  return v >= lo && v <= hi && v === Math.floor(v);
}

function swapped(v: number): number {
  return (v % 10 << 4) | Math.floor(v / 10);
}

/** Encodes a time stamp as seven octets; `field` names it in an `SmsEncodeError`. */
export function encodeScts(t: Scts, field: string): number[] {
  if (!inRange(t.year, 1990, 2089)) encodeFail(field, "year " + t.year + " is outside 1990..2089");
  if (!inRange(t.month, 1, 12)) encodeFail(field, "month " + t.month + " is out of range");
  if (!inRange(t.day, 1, 31)) encodeFail(field, "day " + t.day + " is out of range");
  if (!inRange(t.hour, 0, 23)) encodeFail(field, "hour " + t.hour + " is out of range");
  if (!inRange(t.minute, 0, 59)) encodeFail(field, "minute " + t.minute + " is out of range");
  if (!inRange(t.second, 0, 59)) encodeFail(field, "second " + t.second + " is out of range");
  const q = t.offsetMinutes / 15;
  if (!inRange(q, -79, 79)) encodeFail(field, "time zone offset " + t.offsetMinutes + " min is not a multiple of 15 within ±19:45");
  const tz = swapped(Math.abs(q)) | (q < 0 ? 8 : 0);
  return [swapped(t.year % 100), swapped(t.month), swapped(t.day), swapped(t.hour), swapped(t.minute), swapped(t.second), tz];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The instant a time stamp names, in ms since 1970 UTC. */
export function sctsToEpochMs(t: Scts): number {
  const days = daysFromCivil(t.year, t.month, t.day);
  return ((days * 24 + t.hour) * 60 + t.minute - t.offsetMinutes) * 60000 + t.second * 1000;
}

/** The time stamp of an instant as local time at `offsetMinutes` from UTC (seconds truncated). */
export function sctsFromEpochMs(ms: number, offsetMinutes: number): Scts {
  const local = Math.floor(ms / 1000) + offsetMinutes * 60;
  const days = Math.floor(local / 86400);
  const secs = local - days * 86400;
  // civil_from_days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return {
    year: yoe + era * 400 + (m <= 2 ? 1 : 0),
    month: m,
    day: d,
    hour: Math.floor(secs / 3600),
    minute: Math.floor(secs / 60) % 60,
    second: secs % 60,
    offsetMinutes: offsetMinutes,
  };
}

function two(n: number): string {
  return n < 10 ? "0" + n : "" + n;
}

/** ISO 8601 with the stamp's own offset, e.g. `2024-05-17T09:30:00+01:00`. */
export function sctsToIso(t: Scts): string {
  const off = Math.abs(t.offsetMinutes);
  return (
    t.year + "-" + two(t.month) + "-" + two(t.day) + "T" + two(t.hour) + ":" + two(t.minute) + ":" + two(t.second) +
    (t.offsetMinutes < 0 ? "-" : "+") + two(Math.floor(off / 60)) + ":" + two(off % 60)
  );
}
