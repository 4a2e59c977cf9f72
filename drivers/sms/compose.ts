/**
 * Text (or 8-bit data) to ready-to-send PDUs: `submitParts` for `AT+CMGS`, and
 * `deliverParts`, the network side, for tests and round trips.
 */
import type { Scts, SmsAddress, SmsDeliver, SmsSubmit, ValidityPeriod } from "./types.js";
import type { EncodedPdu } from "./pdu.js";
import type { Split, SplitOptions } from "./split.js";
import { splitData, splitText } from "./split.js";
import { parseNumber } from "./address.js";
import { dcsFor } from "./dcs.js";
import { encodeAddress, encodeSmsc } from "./address.js";
import { putSeptetsHex } from "./gsm7.js";
import { charCodes, putHex, putOctet } from "./hex.js";
import { fromUnits } from "./text.js";
import { encodeVp, relativeVpFor } from "./vp.js";
import { encodeDeliver } from "./deliver.js";
import { encodeFail } from "./errors.js";
import { isOctet } from "./pdu.js";

export interface SubmitOptions extends SplitOptions {
  /** The recipient: a number (`+` for international) or an address. */
  to: string | SmsAddress;
  /** The service centre; absent or null gives the empty field `00` (the modem's `+CSCA`). */
  smsc?: string | SmsAddress | null;
  /** TP-MR for every part (default 0; modems put their own in `AT+CMGS` answers). */
  mr?: number;
  /** TP-SRR: ask for a status report. */
  statusReport?: boolean;
  /** TP-RD: the SC should reject a duplicate of a message it still holds. */
  rejectDuplicates?: boolean;
  /** TP-RP. */
  replyPath?: boolean;
  /** TP-PID (default 0). */
  pid?: number;
  /** Message class 0..3 (0 = flash), or absent for none. */
  messageClass?: number;
  /** A relative TP-VP of at least this many minutes (rounded up to what 23.040 can say). */
  validityMinutes?: number;
  /** An explicit TP-VP; overrides validityMinutes. Default: none. */
  validity?: ValidityPeriod | null;
}

export interface DeliverOptions extends SplitOptions {
  /** The originator: a number or an address (e.g. alphanumeric). */
  from: string | SmsAddress;
  timestamp: Scts;
  smsc?: string | SmsAddress | null;
  pid?: number;
  messageClass?: number;
  /** TP-MMS = 0 (default false). */
  moreMessages?: boolean;
  /** TP-SRI. */
  statusReportIndication?: boolean;
  replyPath?: boolean;
}

export interface SubmitPart extends EncodedPdu {
  submit: SmsSubmit;
}

export interface DeliverPart extends EncodedPdu {
  deliver: SmsDeliver;
}

function address(a: string | SmsAddress, field: string): SmsAddress {
  return typeof a === "string" ? parseNumber(a, field) : a;
}

function smscOf(a: string | SmsAddress | null | undefined): SmsAddress | null {
  return a === undefined || a === null || a === "" ? null : address(a, "SMSC");
}

function octetOption(v: number | undefined, dflt: number, field: string): number {
  if (v === undefined) return dflt;
  if (!isOctet(v)) encodeFail(field, v + " is not 0..255");
  return v;
}

function split(content: string | Uint8Array, opts: SplitOptions): Split {
  return typeof content === "string" ? splitText(content, opts) : splitData(content, opts);
}

/**
 * Encodes text (or 8-bit data given as octets) as SMS-SUBMIT PDUs, one per part, each with
 * the SMSC field in front and `tpduLength` for `AT+CMGS=<length>`. The alphabet is chosen
 * and the text split as `splitText` says; a text of several parts needs `opts.ref`.
 * Errors: `SmsEncodeError` (bad option, naming it), `UnencodableTextError`.
 *
 * The PDUs are written here directly as hex, not through `encodeSubmit`: every field but
 * TP-UDHI, TP-UDL and TP-UD is the same in every part (23.040 §9.2.2.2), so those octets
 * are made once; each part is written as hex into one array of character codes, the
 * septets straight from the split, and made a string once. `encodeSubmit(part.submit)`
 * gives the same PDU (test/sms/fast-path.test.ts holds the two together).
 */
export function submitParts(content: string | Uint8Array, opts: SubmitOptions): SubmitPart[] {
  const destination = address(opts.to, "TP-DA");
  const smsc = smscOf(opts.smsc);
  const mr = octetOption(opts.mr, 0, "TP-MR");
  const pid = octetOption(opts.pid, 0, "TP-PID");
  let validity: ValidityPeriod | null = null;
  if (opts.validity !== undefined) validity = opts.validity;
  else if (opts.validityMinutes !== undefined) validity = { format: "relative", value: relativeVpFor(opts.validityMinutes) };
  const sp = split(content, opts);
  const dcs = dcsFor(sp.alphabet, opts.messageClass === undefined ? null : opts.messageClass);
  const vp = encodeVp(validity);
  // The octets every part shares (23.040 §9.2.2.2): the SMSC field in front of the
  // TPDU, then after the first octet TP-MR, TP-DA, TP-PID, TP-DCS and TP-VP.
  const front = encodeSmsc(smsc);
  const fixed = encodeAddress(destination, "TP-DA");
  fixed.unshift(mr);
  fixed.push(pid, dcs.raw);
  for (let k = 0; k < vp.octets.length; k++) fixed.push(vp.octets[k]);
  // The first octet without TP-UDHI.
  const first = 0x01 | (opts.rejectDuplicates ? 0x04 : 0) | (vp.vpf << 3) | (opts.statusReport ? 0x20 : 0) | (opts.replyPath ? 0x80 : 0);
  const septets = sp.alphabet === "gsm7";
  const out: SubmitPart[] = [];
  for (let i = 0; i < sp.segments.length; i++) {
    const seg = sp.segments[i];
    const body = seg.body;
    const udh = seg.udh;
    // The header (23.040 §9.2.3.24): UDHL, then each element's IEI, IEDL and data.
    let h = 0;
    if (udh !== null) {
      h = 1;
      for (let k = 0; k < udh.length; k++) h += 2 + udh[k].data.length / 2;
    }
    // GSM 7-bit: the text starts on the septet boundary after the header (fill bits).
    const skip = septets && h ? Math.ceil((h * 8) / 7) : 0;
    const fill = skip * 7 - h * 8;
    const udl = septets ? skip + body.length : h + body.length;
    const bodyOctets = septets ? Math.ceil((fill + 7 * body.length) / 8) : body.length;
    const tpduLength = 1 + fixed.length + 1 + h + bodyOctets;
    // The whole PDU as hex in one array of character codes, made a string once.
    const codes = charCodes(2 * (front.length + tpduLength));
    let at = putHex(codes, 0, front, 0, front.length);
    at = putOctet(codes, at, first | (h ? 0x40 : 0));
    at = putHex(codes, at, fixed, 0, fixed.length);
    at = putOctet(codes, at, udl);
    if (udh !== null) {
      at = putOctet(codes, at, h - 1);
      for (let k = 0; k < udh.length; k++) {
        const e = udh[k];
        at = putOctet(codes, putOctet(codes, at, e.iei), e.data.length / 2);
        for (let j = 0; j < e.data.length; j++) codes[at++] = e.data.charCodeAt(j);
      }
    }
    if (septets) putSeptetsHex(codes, at, body, 0, body.length, fill);
    else putHex(codes, at, body, 0, body.length);
    out.push({
      hex: fromUnits(codes),
      tpduLength: tpduLength,
      submit: {
        type: "submit",
        smsc: smsc,
        rejectDuplicates: !!opts.rejectDuplicates,
        statusReportRequest: !!opts.statusReport,
        replyPath: !!opts.replyPath,
        mr: mr,
        destination: destination,
        pid: pid,
        dcs: dcs,
        validity: validity,
        udh: seg.udh,
        body: body,
        text: sp.alphabet === "8bit" ? null : seg.text,
        concat: seg.concat,
      },
    });
  }
  return out;
}

/** Encodes text (or 8-bit data) as SMS-DELIVER PDUs, one per part (the network's side). */
export function deliverParts(content: string | Uint8Array, opts: DeliverOptions): DeliverPart[] {
  const originator = address(opts.from, "TP-OA");
  const smsc = smscOf(opts.smsc);
  const pid = octetOption(opts.pid, 0, "TP-PID");
  const sp = split(content, opts);
  const dcs = dcsFor(sp.alphabet, opts.messageClass === undefined ? null : opts.messageClass);
  const out: DeliverPart[] = [];
  for (let i = 0; i < sp.segments.length; i++) {
    const seg = sp.segments[i];
    const m: SmsDeliver = {
      type: "deliver",
      smsc: smsc,
      moreMessages: !!opts.moreMessages,
      loopPrevention: false,
      statusReportIndication: !!opts.statusReportIndication,
      replyPath: !!opts.replyPath,
      originator: originator,
      pid: pid,
      dcs: dcs,
      timestamp: opts.timestamp,
      udh: seg.udh,
      body: seg.body,
      text: sp.alphabet === "8bit" ? null : seg.text,
      concat: seg.concat,
    };
    const e = encodeDeliver(m);
    out.push({ hex: e.hex, tpduLength: e.tpduLength, deliver: m });
  }
  return out;
}
