/**
 * SMS-DELIVER (23.040 §9.2.2.1): first octet (TP-MTI 00, TP-MMS, TP-LP, TP-SRI, TP-UDHI,
 * TP-RP), TP-OA, TP-PID, TP-DCS, TP-SCTS, TP-UDL, TP-UD.
 */
import type { SmsAddress, SmsDeliver } from "./types.js";
import type { Cursor } from "./cursor.js";
import { decodeAddress, encodeAddress, encodeSmsc } from "./address.js";
import { decodeDcs } from "./dcs.js";
import { decodeScts, encodeScts } from "./scts.js";
import { decodeUserData, encodeUserData, MAX_UD_OCTETS } from "./userdata.js";
import { encodeFail } from "./errors.js";
import { finishPdu, isOctet } from "./pdu.js";
import type { EncodedPdu } from "./pdu.js";

/** Encodes an SMS-DELIVER from its raw fields (for tests and round trips). */
export function encodeDeliver(m: SmsDeliver): EncodedPdu {
  if (!isOctet(m.pid)) encodeFail("TP-PID", m.pid + " is not an octet");
  if (!isOctet(m.dcs.raw)) encodeFail("TP-DCS", m.dcs.raw + " is not an octet");
  const ud = encodeUserData(m.dcs, m.udh, m.body);
  // TP-MMS is inverted: 1 means "no more messages are waiting".
  const first = (m.reservedMti ? 0x03 : 0x00) | (m.moreMessages ? 0 : 0x04) | (m.loopPrevention ? 0x08 : 0) |
    (m.statusReportIndication ? 0x20 : 0) | (m.udh !== null ? 0x40 : 0) | (m.replyPath ? 0x80 : 0);
  const head = [first].concat(encodeAddress(m.originator, "TP-OA"), [m.pid, m.dcs.raw], encodeScts(m.timestamp, "TP-SCTS"), [ud.udl]);
  return finishPdu(encodeSmsc(m.smsc), head, ud.octets);
}

/** Decodes the rest of an SMS-DELIVER whose first octet `first` was just read. */
export function decodeDeliver(c: Cursor, smsc: SmsAddress | null, first: number): SmsDeliver {
  const originator = decodeAddress(c, "TP-OA");
  const pid = c.u8("TP-PID");
  const dcs = decodeDcs(c.u8("TP-DCS"));
  const timestamp = decodeScts(c, "TP-SCTS");
  const ud = decodeUserData(c, dcs, (first & 0x40) !== 0, MAX_UD_OCTETS);
  c.end("TP-UD");
  const m: SmsDeliver = {
    type: "deliver",
    smsc: smsc,
    moreMessages: (first & 0x04) === 0,
    loopPrevention: (first & 0x08) !== 0,
    statusReportIndication: (first & 0x20) !== 0,
    replyPath: (first & 0x80) !== 0,
    originator: originator,
    pid: pid,
    dcs: dcs,
    timestamp: timestamp,
    udh: ud.udh,
    body: ud.body,
    text: ud.text,
    concat: ud.concat,
  };
  if ((first & 3) === 3) m.reservedMti = true;
  return m;
}
