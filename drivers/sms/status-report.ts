/**
 * SMS-STATUS-REPORT (23.040 §9.2.2.3): first octet (TP-MTI 10, TP-MMS, TP-LP, TP-SRQ,
 * TP-UDHI), TP-MR, TP-RA, TP-SCTS, TP-DT, TP-ST, then optionally TP-PI and the TP-PID,
 * TP-DCS and TP-UDL/TP-UD it announces (§9.2.3.27).
 */
import type { Dcs, SmsAddress, SmsStatusReport } from "./types.js";
import type { Cursor } from "./cursor.js";
import { decodeAddress, encodeAddress, encodeSmsc } from "./address.js";
import { decodeDcs } from "./dcs.js";
import { decodeScts, encodeScts } from "./scts.js";
import { decodeUserData, encodeUserData, MAX_REPORT_UD_OCTETS } from "./userdata.js";
import { encodeFail } from "./errors.js";
import { finishPdu, isOctet } from "./pdu.js";
import type { EncodedPdu } from "./pdu.js";

/**
 * What a TP-ST value says (23.040 §9.2.3.15): `delivered` (0x00-0x1F: transaction
 * completed: received, forwarded unconfirmed, replaced), `pending` (0x20-0x3F: temporary
 * error, the SC is still trying), `failed` (0x40-0x5F: permanent error), `gave-up`
 * (0x60-0x7F: temporary error, the SC no longer tries), `reserved` (0x80 and above).
 */
export function statusCategory(st: number): "delivered" | "pending" | "failed" | "gave-up" | "reserved" {
  if (st < 0x20) return "delivered";
  if (st < 0x40) return "pending";
  if (st < 0x60) return "failed";
  if (st < 0x80) return "gave-up";
  return "reserved";
}

/** Decodes the rest of an SMS-STATUS-REPORT whose first octet `first` was just read. */
export function decodeStatusReport(c: Cursor, smsc: SmsAddress | null, first: number): SmsStatusReport {
  const mr = c.u8("TP-MR");
  const recipient = decodeAddress(c, "TP-RA");
  const timestamp = decodeScts(c, "TP-SCTS");
  const dischargeTime = decodeScts(c, "TP-DT");
  const status = c.u8("TP-ST");
  const r: SmsStatusReport = {
    type: "status-report",
    smsc: smsc,
    moreMessages: (first & 0x04) === 0,
    loopPrevention: (first & 0x08) !== 0,
    forCommand: (first & 0x20) !== 0,
    mr: mr,
    recipient: recipient,
    timestamp: timestamp,
    dischargeTime: dischargeTime,
    status: status,
    pi: null,
    pid: null,
    dcs: null,
    udh: null,
    body: null,
    text: null,
    concat: null,
  };
  if (c.remaining() === 0) return r;
  // TP-PI: bit 7 set means another TP-PI octet follows (§9.2.3.27).
  const pi: number[] = [];
  let p: number;
  do {
    p = c.u8("TP-PI");
    pi.push(p);
  } while (p & 0x80);
  r.pi = pi;
  if (pi[0] & 1) r.pid = c.u8("TP-PID");
  if (pi[0] & 2) r.dcs = decodeDcs(c.u8("TP-DCS"));
  if (pi[0] & 4) {
    // Without TP-DCS the default alphabet applies (§9.2.3.27).
    const ud = decodeUserData(c, r.dcs ?? decodeDcs(0), (first & 0x40) !== 0, MAX_REPORT_UD_OCTETS);
    r.udh = ud.udh;
    r.body = ud.body;
    r.text = ud.text;
    r.concat = ud.concat;
  }
  c.end(pi[0] & 4 ? "TP-UD" : "TP-PI");
  return r;
}

/** Encodes an SMS-STATUS-REPORT from its raw fields (for tests and round trips). */
export function encodeStatusReport(m: SmsStatusReport): EncodedPdu {
  if (!isOctet(m.mr)) encodeFail("TP-MR", m.mr + " is not 0..255");
  if (!isOctet(m.status)) encodeFail("TP-ST", m.status + " is not an octet");
  const first = 0x02 | (m.moreMessages ? 0 : 0x04) | (m.loopPrevention ? 0x08 : 0) | (m.forCommand ? 0x20 : 0) |
    (m.udh !== null ? 0x40 : 0);
  const head = [first, m.mr].concat(encodeAddress(m.recipient, "TP-RA"), encodeScts(m.timestamp, "TP-SCTS"),
    encodeScts(m.dischargeTime, "TP-DT"), [m.status]);
  let ud: Uint8Array = new Uint8Array(0);
  if (m.pi !== null) {
    if (m.pi.length === 0 || !m.pi.every(isOctet)) encodeFail("TP-PI", "needs one or more octets");
    for (let i = 0; i < m.pi.length; i++) head.push(m.pi[i]);
    const flags = m.pi[0];
    if (flags & 1) {
      if (m.pid === null || !isOctet(m.pid)) return encodeFail("TP-PID", "TP-PI announces a TP-PID but none is given");
      head.push(m.pid);
    }
    const dcs: Dcs = m.dcs ?? decodeDcs(0);
    if (flags & 2) {
      if (m.dcs === null) encodeFail("TP-DCS", "TP-PI announces a TP-DCS but none is given");
      head.push(dcs.raw);
    }
    if (flags & 4) {
      const e = encodeUserData(dcs, m.udh, m.body ?? new Uint8Array(0), MAX_REPORT_UD_OCTETS);
      head.push(e.udl);
      ud = e.octets;
    }
  }
  return finishPdu(encodeSmsc(m.smsc), head, ud);
}
