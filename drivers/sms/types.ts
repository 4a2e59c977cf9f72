/**
 * Structured SMS types (3GPP TS 23.040 §9.2). Decoders return them; encoders take them.
 *
 * Encoders read the *raw* fields only: `dcs.raw`, `udh`, `body`, the address fields and the
 * timestamp fields. `text`, `concat` and the DCS details are derived views that decoders
 * fill in for the reader and encoders ignore, so that decode -> encode gives back the very
 * same octets even where the text view is lossy (an undefined escape, say).
 *
 * Bits 23.040 leaves unused are not kept: fill bits, the pad bits after the last septet,
 * the filler nibble after an odd digit count (written back as F), bit 7 of an address type
 * octet (written back as 1) and unused bits of the first octet are written back as the
 * standard says to send them, so a PDU that sets them comes back with them cleared.
 */

/** Type of number, bits 6..4 of the address type octet (23.040 §9.1.2.5). */
export type AddressType =
  | "unknown"
  | "international"
  | "national"
  | "network-specific"
  | "subscriber"
  | "alphanumeric"
  | "abbreviated"
  | "reserved";

/** An address field: TP-OA, TP-DA, TP-RA or the SMSC (23.040 §9.1.2.5, 24.011 §8.2.5.1). */
export interface SmsAddress {
  type: AddressType;
  /** Numbering plan, bits 3..0 of the type octet: 1 = ISDN/E.164 (usual), 0 = unknown. */
  npi: number;
  /**
   * Digits `0-9 * # a b c`; an international number starts with `+`. For an alphanumeric
   * address, the text (GSM 7-bit, at most 11 septets).
   */
  number: string;
}

/** A service-centre time stamp or other absolute time (23.040 §9.2.3.11). */
export interface Scts {
  /** Full year; the PDU carries two digits, read as 1990..2089 (SMS began in 1992). */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Offset of the local time from UTC in minutes, a multiple of 15 (may be negative). */
  offsetMinutes: number;
}

export type Alphabet = "gsm7" | "8bit" | "ucs2";

/** Message waiting indication of DCS groups 1100..1110 (23.038 §4). */
export interface MessageWaiting {
  /** false: group 1100, the message may be discarded; true: store it (1101, 1110). */
  store: boolean;
  /** The indication is set (true) or cleared (false). */
  active: boolean;
  kind: "voicemail" | "fax" | "email" | "other";
}

/** TP-DCS (23.038 §4). Only `raw` is encoded; the rest is what `raw` means. */
export interface Dcs {
  raw: number;
  alphabet: Alphabet;
  /** Text compressed (23.042); the body is then kept as octets, with no text. */
  compressed: boolean;
  /** Message class 0..3 (0 = flash/immediate display, 1 = ME, 2 = SIM, 3 = TE), or null. */
  messageClass: number | null;
  /** Group 01xx: the message is marked for automatic deletion after reading. */
  autoDelete: boolean;
  waiting: MessageWaiting | null;
  /** A reserved coding group (1000..1011): read as the default alphabet (23.038 §4). */
  reserved: boolean;
}

/** One information element of a user data header (23.040 §9.2.3.24). */
export interface InformationElement {
  /** Information element identifier (0x00 concatenation 8-bit ref, 0x08 16-bit ref, ...). */
  iei: number;
  /** Its data octets as upper-case hex. */
  data: string;
}

/** Concatenation information (IE 0x00 or 0x08, 23.040 §9.2.3.24.1 and .8). */
export interface Concat {
  ref: number;
  refBits: number;
  total: number;
  /** Part number, 1-based. */
  seq: number;
}

/** TP-VP (23.040 §9.2.3.12). */
export type ValidityPeriod =
  | { format: "relative"; value: number }
  | { format: "absolute"; time: Scts }
  | { format: "enhanced"; octets: string };

/** What every message with user data carries. */
export interface UserDataFields {
  /** The user data header's elements; null when TP-UDHI is 0. */
  udh: InformationElement[] | null;
  /**
   * The user data after the header: for GSM 7-bit one septet per element, otherwise the
   * octets. This is what encoders write.
   */
  body: Uint8Array;
  /** Derived: the text, or null for 8-bit data and compressed text. */
  text: string | null;
  /** Derived: the concatenation element, if the header has a valid one. */
  concat: Concat | null;
}

/** SMS-DELIVER, SC -> MS (23.040 §9.2.2.1). */
export interface SmsDeliver extends UserDataFields {
  type: "deliver";
  /** The SMSC address from the 27.005 PDU (null when absent or empty). */
  smsc: SmsAddress | null;
  /** TP-MMS = 0: the SC has more messages waiting for this MS. */
  moreMessages: boolean;
  /** TP-LP. */
  loopPrevention: boolean;
  /** TP-SRI: the sender asked for a status report. */
  statusReportIndication: boolean;
  /** TP-RP. */
  replyPath: boolean;
  /** TP-MTI was the reserved value 3, which a receiver treats as SMS-DELIVER (§9.2.3.1). */
  reservedMti?: boolean;
  originator: SmsAddress;
  pid: number;
  dcs: Dcs;
  timestamp: Scts;
}

/** SMS-SUBMIT, MS -> SC (23.040 §9.2.2.2). */
export interface SmsSubmit extends UserDataFields {
  type: "submit";
  smsc: SmsAddress | null;
  /** TP-RD. */
  rejectDuplicates: boolean;
  /** TP-SRR. */
  statusReportRequest: boolean;
  /** TP-RP. */
  replyPath: boolean;
  /** TP-MR. */
  mr: number;
  destination: SmsAddress;
  pid: number;
  dcs: Dcs;
  validity: ValidityPeriod | null;
}

/** SMS-STATUS-REPORT, SC -> MS (23.040 §9.2.2.3). */
export interface SmsStatusReport {
  type: "status-report";
  smsc: SmsAddress | null;
  moreMessages: boolean;
  loopPrevention: boolean;
  /** TP-SRQ: the report is about an SMS-COMMAND (true) or an SMS-SUBMIT (false). */
  forCommand: boolean;
  /** TP-MR of the message this reports on. */
  mr: number;
  recipient: SmsAddress;
  /** TP-SCTS: when the SC received the reported message. */
  timestamp: Scts;
  /** TP-DT: when it was delivered, or when the SC last tried. */
  dischargeTime: Scts;
  /** TP-ST (see statusCategory). */
  status: number;
  /** TP-PI octets (more than one if bit 7 extends it), or null when the PDU ends at TP-ST. */
  pi: number[] | null;
  pid: number | null;
  dcs: Dcs | null;
  udh: InformationElement[] | null;
  body: Uint8Array | null;
  text: string | null;
  concat: Concat | null;
}

export type SmsPdu = SmsDeliver | SmsSubmit | SmsStatusReport;
