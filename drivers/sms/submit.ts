/**
 * SMS-SUBMIT (23.040 §9.2.2.2): first octet (TP-MTI 01, TP-RD, TP-VPF, TP-SRR, TP-UDHI,
 * TP-RP), TP-MR, TP-DA, TP-PID, TP-DCS, TP-VP, TP-UDL, TP-UD.
 */
import type { SmsAddress, SmsSubmit } from "./types.js";
import type { Cursor } from "./cursor.js";
import { decodeAddress, encodeAddress, encodeSmsc } from "./address.js";
import { decodeDcs } from "./dcs.js";
import { decodeVp, encodeVp } from "./vp.js";
import { decodeUserData, encodeUserData, MAX_UD_OCTETS } from "./userdata.js";
import { encodeFail } from "./errors.js";
import { finishPdu, isOctet } from "./pdu.js";
import type { EncodedPdu } from "./pdu.js";

/**
 * Encodes an SMS-SUBMIT from its raw fields (see types.ts: `text` and `concat` are not
 * read). Bad fields give an `SmsEncodeError` naming them.
 */
export function encodeSubmit(m: SmsSubmit): EncodedPdu {
  if (!isOctet(m.mr)) encodeFail("TP-MR", m.mr + " is not 0..255");
  if (!isOctet(m.pid)) encodeFail("TP-PID", m.pid + " is not an octet");
  if (!isOctet(m.dcs.raw)) encodeFail("TP-DCS", m.dcs.raw + " is not an octet");
  const vp = encodeVp(m.validity);
  const ud = encodeUserData(m.dcs, m.udh, m.body);
  const first = 0x01 | (m.rejectDuplicates ? 0x04 : 0) | (vp.vpf << 3) | (m.statusReportRequest ? 0x20 : 0) |
    (m.udh !== null ? 0x40 : 0) | (m.replyPath ? 0x80 : 0);
  const head = [first, m.mr].concat(encodeAddress(m.destination, "TP-DA"), [m.pid, m.dcs.raw], vp.octets, [ud.udl]);
  return finishPdu(encodeSmsc(m.smsc), head, ud.octets);
}

/** Decodes the rest of an SMS-SUBMIT whose first octet `first` was just read. */
export function decodeSubmit(c: Cursor, smsc: SmsAddress | null, first: number): SmsSubmit {
  const mr = c.u8("TP-MR");
  const destination = decodeAddress(c, "TP-DA");
  const pid = c.u8("TP-PID");
  const dcs = decodeDcs(c.u8("TP-DCS"));
  const validity = decodeVp(c, (first >> 3) & 3);
  const ud = decodeUserData(c, dcs, (first & 0x40) !== 0, MAX_UD_OCTETS);
  c.end("TP-UD");
  return {
    type: "submit",
    smsc: smsc,
    rejectDuplicates: (first & 0x04) !== 0,
    statusReportRequest: (first & 0x20) !== 0,
    replyPath: (first & 0x80) !== 0,
    mr: mr,
    destination: destination,
    pid: pid,
    dcs: dcs,
    validity: validity,
    udh: ud.udh,
    body: ud.body,
    text: ud.text,
    concat: ud.concat,
  };
}
