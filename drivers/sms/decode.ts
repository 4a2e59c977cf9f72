/**
 * Decoding a PDU as 27.005 PDU mode shows it (`+CMT`, `+CMGL`, `+CMGR`, `+CDS`): an optional
 * SMSC field, then the TPDU, whose TP-MTI (bits 1..0 of the first octet, 23.040 §9.2.3.1)
 * picks the type.
 */
import type { SmsPdu } from "./types.js";
import { Cursor } from "./cursor.js";
import { hexToBytes } from "./hex.js";
import { decodeSmsc } from "./address.js";
import { decodeDeliver } from "./deliver.js";
import { decodeSubmit } from "./submit.js";
import { decodeStatusReport } from "./status-report.js";
import { pduFail } from "./errors.js";

export interface DecodeOptions {
  /** The hex starts with the SMSC field, as in 27.005 PDU mode (default true). */
  withSmsc?: boolean;
  /**
   * The `<length>` the modem reported with the PDU (TPDU octets, 27.005 §3.4.1); when given,
   * a different TPDU length is a `PduError` on field `length`.
   */
  tpduLength?: number;
}

/**
 * Decodes a PDU given as hex into an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT. TP-MTI 00
 * is read as SMS-DELIVER, 01 as SMS-SUBMIT, 10 as SMS-STATUS-REPORT (this codec does not
 * read the MS->SC types DELIVER-REPORT and COMMAND), and the reserved 11 as SMS-DELIVER, as
 * 23.040 §9.2.3.1 tells a receiver.
 *
 * Anything that is not a whole, well-formed PDU (not hex, truncated, trailing octets,
 * impossible lengths, dates or headers) is a `PduError` naming the field and the octet
 * offset; the decoder never reads past the end and takes time linear in the input.
 */
export function decodePdu(hex: string, options?: DecodeOptions): SmsPdu {
  const bytes = hexToBytes(hex);
  const c = new Cursor(bytes, 0);
  const smsc = options && options.withSmsc === false ? null : decodeSmsc(c);
  const tpduAt = c.pos;
  if (options && options.tpduLength !== undefined && options.tpduLength !== bytes.length - tpduAt) {
    pduFail("length", tpduAt, "the modem said " + options.tpduLength + " TPDU octets, the PDU has " + (bytes.length - tpduAt));
  }
  const first = c.u8("TP-MTI");
  const mti = first & 3;
  if (mti === 1) return decodeSubmit(c, smsc, first);
  if (mti === 2) return decodeStatusReport(c, smsc, first);
  return decodeDeliver(c, smsc, first);
}
