/**
 * The elementary files of the simulated SIM that clients read with +CRSM / +CSIM
 * (oFono's SIM atom, ModemManager's ICCID and operator name): built from the modem's
 * identity, in the encodings of 3GPP TS 51.011 §10 / 31.102 §4.
 *
 * | file | id | structure | content |
 * | EF_ICCID | 2FE2 | transparent, 10 | ICCID, BCD with swapped nibbles (11.11 §10.1.1) |
 * | EF_IMSI | 6F07 | transparent, 9 | length, then the IMSI with parity nibble (31.102 §4.2.2) |
 * | EF_AD | 6FAD | transparent, 4 | normal operation, MNC length (31.102 §4.2.18) |
 * | EF_SPN | 6F46 | transparent, 17 | display condition, name in the SMS default alphabet (31.102 §4.2.12) |
 * | EF_MSISDN | 6F40 | linear fixed, 1 record of alpha + 14 | the subscriber number (31.102 §4.2.26) |
 * | EF_LI / EF_PL | 6F05 / 2F05 | transparent | language preference "ja", "en" |
 */
import { textToSeptets } from "../pdu/gsm7.js";

export interface SimFile {
  id: number;
  structure: "transparent" | "linear";
  /** Transparent: the whole body. Linear fixed: every record, all of `recordLength`. */
  records: number[][];
  recordLength: number;
}

export interface SimFileSource {
  iccid: string;
  imsi: string;
  msisdn: string;
  /** Service provider name (EF_SPN). */
  spn: string;
  /** Digits of the MNC in the IMSI (2 or 3). */
  mncLength: number;
}

/** BCD with the low nibble first; an odd digit count ends with the filler F. */
function swappedBcd(digits: string, octets: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < octets; i++) {
    const lo = i * 2 < digits.length ? parseInt(digits[i * 2], 10) : 0xf;
    const hi = i * 2 + 1 < digits.length ? parseInt(digits[i * 2 + 1], 10) : 0xf;
    out.push((hi << 4) | lo);
  }
  return out;
}

function imsiBody(imsi: string): number[] {
  // 31.102 §4.2.2: byte 1 = length; then digit 1 with the parity bit (odd count: 1) and "1001".
  const odd = imsi.length % 2 === 1;
  const nibbles = [odd ? 0x9 : 0x1].concat(imsi.split("").map((d) => parseInt(d, 10)));
  const bytes: number[] = [];
  for (let i = 0; i < nibbles.length; i += 2) bytes.push(((i + 1 < nibbles.length ? nibbles[i + 1] : 0xf) << 4) | nibbles[i]);
  return [bytes.length].concat(bytes, new Array(8 - bytes.length).fill(0xff)).slice(0, 9);
}

function spnBody(name: string): number[] {
  // Display condition b1=0: the registered PLMN name is not required to be shown with it.
  const septets = textToSeptets(name.replace(/[^ -~]/g, "?")).slice(0, 16);
  return [0x00].concat(septets, new Array(16 - septets.length).fill(0xff));
}

/** 31.102 §4.2.26: alpha identifier (X bytes, here 0), then length of BCD, TON/NPI, 10 BCD bytes, CCP, Ext. */
function msisdnRecord(number: string): number[] {
  const intl = number.charAt(0) === "+";
  const digits = intl ? number.slice(1) : number;
  const bcd = swappedBcd(digits, 10);
  const len = 1 + Math.ceil(digits.length / 2);
  return [len, intl ? 0x91 : 0x81].concat(bcd, [0xff, 0xff]);
}

export function simFiles(src: SimFileSource): SimFile[] {
  const t = (id: number, body: number[]): SimFile => ({ id, structure: "transparent", records: [body], recordLength: body.length });
  const lang = [0x6a, 0x61, 0x65, 0x6e]; // "ja", "en"
  return [
    t(0x2fe2, swappedBcd(src.iccid, 10)),
    t(0x6f07, imsiBody(src.imsi)),
    t(0x6fad, [0x00, 0x00, 0x00, src.mncLength]),
    t(0x6f46, spnBody(src.spn)),
    { id: 0x6f40, structure: "linear", records: [msisdnRecord(src.msisdn)], recordLength: 14 },
    t(0x6f05, lang),
    t(0x2f05, lang),
  ];
}

/**
 * The GET RESPONSE of an EF in the GSM format (51.011 §9.2.1), which oFono, ModemManager
 * and gammu all read: file size, id, type EF (04), access conditions (read: always),
 * status, structure and record length.
 */
export function getResponse(f: SimFile): number[] {
  const size = f.structure === "transparent" ? f.records[0].length : f.records.length * f.recordLength;
  return [
    0x00,
    0x00,
    (size >> 8) & 0xff,
    size & 0xff,
    (f.id >> 8) & 0xff,
    f.id & 0xff,
    0x04,
    0x00,
    0x0f, // access conditions: read and seek ALW (0), update NEV (F): the simulated SIM is read-only
    0xff,
    0xff,
    0x01, // not invalidated
    0x02,
    f.structure === "transparent" ? 0x00 : 0x01,
    f.structure === "transparent" ? 0x00 : f.recordLength,
  ];
}

export function toHexBytes(b: number[]): string {
  return b.map((x) => (x < 16 ? "0" : "") + x.toString(16).toUpperCase()).join("");
}
