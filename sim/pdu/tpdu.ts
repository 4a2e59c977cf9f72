/**
 * The three TPDUs the simulated modem handles (3GPP TS 23.040 §9.2.2): it decodes the
 * SMS-SUBMIT a client sends with +CMGS, and encodes SMS-DELIVER and SMS-STATUS-REPORT
 * for the network to hand to modems. Decoders for the other direction exist for tests and
 * the network's logs.
 *
 * On the AT interface a PDU is the service-centre address followed by the TPDU
 * (27.005 §3.1); `<length>` in +CMGS/+CMT/+CMGL counts the TPDU octets only.
 */
import { PduError } from "./errors.js";
import { isGsm7 } from "./gsm7.js";
import { OctetReader, fromHex, toHex } from "./hex.js";
import { Address, decodeAddress, decodeSmsc, encodeAddress, encodeSmsc } from "./address.js";
import { Timestamp, decodeTimestamp, encodeTimestamp } from "./scts.js";
import {
  Alphabet,
  Concat,
  InformationElement,
  UserData,
  concatElement,
  decodeDcs,
  decodeUserData,
  encodeDcs,
  encodeUserData,
} from "./userdata.js";

/** TP-MTI values (23.040 §9.2.3.1), by direction. */
export const MTI_DELIVER = 0;
export const MTI_SUBMIT = 1;
export const MTI_STATUS_REPORT = 2;

/** TP-VP as sent in a SUBMIT (23.040 §9.2.3.12). */
export type ValidityPeriod =
  | { kind: "relative"; octet: number }
  | { kind: "absolute"; timestamp: Timestamp }
  | { kind: "enhanced"; octets: number[] };

export interface SmsSubmit {
  type: "submit";
  rejectDuplicates: boolean;
  statusReportRequest: boolean;
  replyPath: boolean;
  messageRef: number;
  to: Address;
  pid: number;
  dcs: number;
  msgClass?: number;
  validity?: ValidityPeriod;
  userData: UserData;
}

export interface SmsDeliver {
  type: "deliver";
  /** TP-MMS: true when no more messages are waiting (bit set). */
  noMoreMessages: boolean;
  statusReportIndication: boolean;
  replyPath: boolean;
  from: Address;
  pid: number;
  dcs: number;
  msgClass?: number;
  scts: Timestamp;
  userData: UserData;
}

export interface SmsStatusReport {
  type: "status-report";
  messageRef: number;
  recipient: Address;
  scts: Timestamp;
  dischargeTime: Timestamp;
  /** TP-ST (23.040 §9.2.3.15): 0x00 received by the SME, 0x20.. temporary, 0x40.. / 0x60.. permanent errors. */
  status: number;
}

/** The PDU as a client writes it after the +CMGS prompt: SCA then TPDU, split apart. */
export interface AtPdu {
  smsc?: Address;
  tpdu: number[];
}

/** Splits the hex a client sent into the SCA and the TPDU. */
export function splitAtPdu(hex: string): AtPdu {
  const r = new OctetReader(fromHex(hex));
  const smsc = decodeSmsc(r);
  return { smsc, tpdu: r.rest() };
}

/** Joins an SCA (empty: `00`, use the default) and a TPDU into the hex of an AT-interface PDU. */
export function joinAtPdu(smsc: string, tpdu: number[]): string {
  return toHex(encodeSmsc(smsc).concat(tpdu));
}

/** TP-MTI of a TPDU. For a mobile-terminated TPDU 0 is DELIVER and 2 STATUS-REPORT. */
export function mtiOf(tpdu: number[]): number {
  if (tpdu.length === 0) throw PduError("empty TPDU", { field: "TP-MTI" });
  return tpdu[0] & 3;
}

/** Decodes an SMS-SUBMIT TPDU (without SCA). Throws `PduError` on anything malformed, including trailing octets. */
export function decodeSubmit(tpdu: number[]): SmsSubmit {
  const r = new OctetReader(tpdu);
  const fo = r.byte("first octet");
  if ((fo & 3) !== MTI_SUBMIT) throw PduError("TP-MTI " + (fo & 3) + " is not SMS-SUBMIT", { field: "TP-MTI" });
  const messageRef = r.byte("TP-MR");
  const to = decodeAddress(r, "TP-DA");
  const pid = r.byte("TP-PID");
  const dcs = r.byte("TP-DCS");
  const vpf = (fo >> 3) & 3;
  let validity: ValidityPeriod | undefined = undefined;
  if (vpf === 2) validity = { kind: "relative", octet: r.byte("TP-VP") };
  else if (vpf === 3) validity = { kind: "absolute", timestamp: decodeTimestamp(r.take(7, "TP-VP"), "TP-VP") };
  else if (vpf === 1) validity = { kind: "enhanced", octets: r.take(7, "TP-VP") };
  const coding = decodeDcs(dcs);
  if (coding.compressed) throw PduError("compressed user data is not supported", { field: "TP-DCS" });
  const udl = r.byte("TP-UDL");
  const userData = decodeUserData(coding.alphabet, (fo & 0x40) !== 0, udl, r.rest());
  const out: SmsSubmit = {
    type: "submit",
    rejectDuplicates: (fo & 0x04) !== 0,
    statusReportRequest: (fo & 0x20) !== 0,
    replyPath: (fo & 0x80) !== 0,
    messageRef,
    to,
    pid,
    dcs,
    userData,
  };
  if (coding.msgClass !== undefined) out.msgClass = coding.msgClass;
  if (validity) out.validity = validity;
  return out;
}

/** Decodes an SMS-DELIVER TPDU (without SCA). */
export function decodeDeliver(tpdu: number[]): SmsDeliver {
  const r = new OctetReader(tpdu);
  const fo = r.byte("first octet");
  if ((fo & 3) !== MTI_DELIVER) throw PduError("TP-MTI " + (fo & 3) + " is not SMS-DELIVER", { field: "TP-MTI" });
  const from = decodeAddress(r, "TP-OA");
  const pid = r.byte("TP-PID");
  const dcs = r.byte("TP-DCS");
  const scts = decodeTimestamp(r.take(7, "TP-SCTS"));
  const coding = decodeDcs(dcs);
  if (coding.compressed) throw PduError("compressed user data is not supported", { field: "TP-DCS" });
  const udl = r.byte("TP-UDL");
  const userData = decodeUserData(coding.alphabet, (fo & 0x40) !== 0, udl, r.rest());
  const out: SmsDeliver = {
    type: "deliver",
    noMoreMessages: (fo & 0x04) !== 0,
    statusReportIndication: (fo & 0x20) !== 0,
    replyPath: (fo & 0x80) !== 0,
    from,
    pid,
    dcs,
    scts,
    userData,
  };
  if (coding.msgClass !== undefined) out.msgClass = coding.msgClass;
  return out;
}

/** Decodes an SMS-STATUS-REPORT TPDU (without SCA); optional parameters after TP-ST are skipped. */
export function decodeStatusReport(tpdu: number[]): SmsStatusReport {
  const r = new OctetReader(tpdu);
  const fo = r.byte("first octet");
  if ((fo & 3) !== MTI_STATUS_REPORT) throw PduError("TP-MTI " + (fo & 3) + " is not SMS-STATUS-REPORT", { field: "TP-MTI" });
  const messageRef = r.byte("TP-MR");
  const recipient = decodeAddress(r, "TP-RA");
  const scts = decodeTimestamp(r.take(7, "TP-SCTS"));
  const dischargeTime = decodeTimestamp(r.take(7, "TP-DT"), "TP-DT");
  const status = r.byte("TP-ST");
  return { type: "status-report", messageRef, recipient, scts, dischargeTime, status };
}

export interface DeliverInput {
  from: string;
  /** Type of address for `from`; by default from its form (`+` international, letters alphanumeric). */
  fromToa?: number;
  /** The text (or, with `alphabet: "8bit"`, octets as char codes). */
  text: string;
  /** Default: GSM 7-bit when every character has a septet, UCS2 otherwise. */
  alphabet?: Alphabet;
  msgClass?: number;
  pid?: number;
  scts: Timestamp;
  concat?: Concat;
  /** Further header elements (after the concatenation element). */
  udh?: InformationElement[];
  /** Default true: TP-MMS set, no more messages waiting. */
  noMoreMessages?: boolean;
  statusReportIndication?: boolean;
}

/** Encodes one SMS-DELIVER TPDU. Throws `PduError` when the text does not fit (split it with `splitText` first). */
export function encodeDeliver(m: DeliverInput): number[] {
  const alphabet = m.alphabet || pickAlphabet(m.text);
  const udh: InformationElement[] = (m.concat ? [concatElement(m.concat)] : []).concat(m.udh || []);
  let fo = MTI_DELIVER;
  if (m.noMoreMessages !== false) fo |= 0x04;
  if (m.statusReportIndication) fo |= 0x20;
  if (udh.length > 0) fo |= 0x40;
  return [fo].concat(
    encodeAddress(m.from, m.fromToa, "TP-OA"),
    [m.pid || 0, encodeDcs(alphabet, m.msgClass)],
    encodeTimestamp(m.scts),
    encodeUserData(alphabet, m.text, udh),
  );
}

export interface SubmitInput {
  to: string;
  text: string;
  alphabet?: Alphabet;
  messageRef?: number;
  statusReportRequest?: boolean;
  /** Relative validity (TP-VP octet, 23.040 §9.2.3.12.1); omitted when undefined. */
  validity?: number;
  concat?: Concat;
  msgClass?: number;
}

/** Encodes one SMS-SUBMIT TPDU (used by tests and tools to play the client side). */
export function encodeSubmit(m: SubmitInput): number[] {
  const alphabet = m.alphabet || pickAlphabet(m.text);
  const udh = m.concat ? [concatElement(m.concat)] : [];
  let fo = MTI_SUBMIT;
  if (m.validity !== undefined) fo |= 0x10;
  if (m.statusReportRequest) fo |= 0x20;
  if (udh.length > 0) fo |= 0x40;
  return [fo, (m.messageRef || 0) & 0xff].concat(
    encodeAddress(m.to, undefined, "TP-DA"),
    [0, encodeDcs(alphabet, m.msgClass)],
    m.validity !== undefined ? [m.validity & 0xff] : [],
    encodeUserData(alphabet, m.text, udh),
  );
}

export interface StatusReportInput {
  messageRef: number;
  recipient: string;
  scts: Timestamp;
  dischargeTime: Timestamp;
  status: number;
}

/** Encodes an SMS-STATUS-REPORT TPDU (TP-SRQ 0: the report is about a SUBMIT). */
export function encodeStatusReport(m: StatusReportInput): number[] {
  return [MTI_STATUS_REPORT | 0x04, m.messageRef & 0xff].concat(
    encodeAddress(m.recipient, undefined, "TP-RA"),
    encodeTimestamp(m.scts),
    encodeTimestamp(m.dischargeTime),
    [m.status & 0xff],
  );
}

/** GSM 7-bit when the text has a septet for every character, else UCS2. */
export function pickAlphabet(text: string): Alphabet {
  return isGsm7(text) ? "gsm7" : "ucs2";
}
