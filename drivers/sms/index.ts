/**
 * The SMS PDU codec (3GPP TS 23.040 TPDUs, TS 23.038 alphabets), portable: pure functions
 * over octets with structured types, the same on Node and Espruino.
 *
 * Sending:
 *   const parts = submitParts("Hello", { to: "+15551234567", ref: 7 });
 *   // for each part: AT+CMGS=<part.tpduLength>, then part.hex and Ctrl-Z
 * Receiving (`+CMT: ,<length>` then the PDU line):
 *   const m = decodePdu(pduLine, { tpduLength: length }); // SmsDeliver | SmsSubmit | SmsStatusReport
 *   if (m.type === "deliver") for (const msg of reassembler.add(m, clock.now())) inbox.store(msg);
 *   // and now and then: reassembler.expire(clock.now()) hands back what never completed
 *
 * Errors are typed: `PduError` {field, offset, detail} for input that is not a valid PDU,
 * `SmsEncodeError` {field, detail} for bad encoder options, `UnencodableTextError` for
 * characters no alphabet at hand can carry.
 */
export type {
  AddressType,
  Alphabet,
  Concat,
  Dcs,
  InformationElement,
  MessageWaiting,
  Scts,
  SmsAddress,
  SmsDeliver,
  SmsPdu,
  SmsStatusReport,
  SmsSubmit,
  ValidityPeriod,
} from "./types.js";
export { PduError, SmsEncodeError, UnencodableTextError } from "./errors.js";
export { decodePdu } from "./decode.js";
export type { DecodeOptions } from "./decode.js";
export { encodeSubmit } from "./submit.js";
export { encodeDeliver } from "./deliver.js";
export { encodeStatusReport, statusCategory } from "./status-report.js";
export type { EncodedPdu } from "./pdu.js";
export { submitParts, deliverParts } from "./compose.js";
export type { SubmitOptions, DeliverOptions, SubmitPart, DeliverPart } from "./compose.js";
export { splitText, splitData } from "./split.js";
export type { SplitOptions, Segment, Split } from "./split.js";
export { Reassembler } from "./reassembler.js";
export type { AssembledMessage, ReassemblerOptions, SmsPart } from "./reassembler.js";
export { parseNumber } from "./address.js";
export { decodeDcs, dcsFor } from "./dcs.js";
export { sctsToIso, sctsToEpochMs, sctsFromEpochMs } from "./scts.js";
export { relativeVpMinutes, relativeVpFor } from "./vp.js";
export { codePointsOf, stringFromCodePoints, textEngine } from "./text.js";
export { bytesToHex, hexToBytes } from "./hex.js";
