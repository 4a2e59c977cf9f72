/**
 * TP-VP, the validity period of an SMS-SUBMIT (23.040 §9.2.3.12), and its format TP-VPF
 * (bits 4..3 of the first octet: 00 none, 10 relative, 01 enhanced, 11 absolute).
 */
import type { ValidityPeriod } from "./types.js";
import type { Cursor } from "./cursor.js";
import { decodeScts, encodeScts } from "./scts.js";
import { encodeFail } from "./errors.js";
import { bytesToHex, parseHexOctets } from "./hex.js";

/** Minutes a relative TP-VP value stands for (23.040 §9.2.3.12.1). */
export function relativeVpMinutes(v: number): number {
  if (v <= 143) return (v + 1) * 5; // 5 min steps up to 12 h
  if (v <= 167) return 720 + (v - 143) * 30; // 30 min steps up to 24 h
  if (v <= 196) return (v - 166) * 1440; // days up to 30
  return (v - 192) * 10080; // weeks up to 63
}

/** The smallest relative TP-VP value that lasts at least `minutes` (255, 63 weeks, at most). */
export function relativeVpFor(minutes: number): number {
  for (let v = 0; v < 255; v++) if (relativeVpMinutes(v) >= minutes) return v;
  return 255;
}

/** Reads the TP-VP for the format in `vpf` (0..3); null for "not present". */
export function decodeVp(c: Cursor, vpf: number): ValidityPeriod | null {
  if (vpf === 0) return null;
  if (vpf === 2) return { format: "relative", value: c.u8("TP-VP") };
  if (vpf === 3) return { format: "absolute", time: decodeScts(c, "TP-VP") };
  return { format: "enhanced", octets: bytesToHex(c.take(7, "TP-VP")) };
}

/** TP-VPF and the TP-VP octets for a validity period. */
export function encodeVp(vp: ValidityPeriod | null): { vpf: number; octets: number[] } {
  if (vp === null) return { vpf: 0, octets: [] };
  if (vp.format === "relative") {
    if (!(vp.value >= 0 && vp.value <= 255) || vp.value !== Math.floor(vp.value)) encodeFail("TP-VP", "relative value " + vp.value + " is not an octet");
    return { vpf: 2, octets: [vp.value] };
  }
  if (vp.format === "absolute") return { vpf: 3, octets: encodeScts(vp.time, "TP-VP") };
  const o = parseHexOctets(vp.octets);
  if (o === null || o.length !== 7) return encodeFail("TP-VP", "an enhanced validity period is 7 octets of hex");
  return { vpf: 1, octets: o };
}
