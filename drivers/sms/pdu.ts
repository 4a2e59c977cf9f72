/**
 * What the TPDU encoders share: the 27.005 PDU = SMSC field + TPDU, in hex, and the length
 * `AT+CMGS=<length>` wants, which counts the TPDU octets only (27.005 §3.5.1, §4.3).
 */
import { bytesToHex } from "./hex.js";

/** An encoded PDU ready for `AT+CMGS` / `AT+CMGW`. */
export interface EncodedPdu {
  /** SMSC field and TPDU, upper-case hex. */
  hex: string;
  /** TPDU octets: the `<length>` of `AT+CMGS=<length>` (the SMSC field is not counted). */
  tpduLength: number;
}

/** Joins the SMSC field, the TPDU head and the user data octets into an EncodedPdu. */
export function finishPdu(smsc: number[], head: number[], ud: Uint8Array): EncodedPdu {
  return { hex: bytesToHex(smsc) + bytesToHex(head) + bytesToHex(ud), tpduLength: head.length + ud.length };
}

/** Checks an octet-valued option, failing with the field's name. */
export function isOctet(v: number): boolean {
  return v >= 0 && v <= 255 && v === Math.floor(v);
}
