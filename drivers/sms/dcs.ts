/**
 * TP-DCS, the data coding scheme (3GPP TS 23.038 §4; 23.040 §9.2.3.10).
 */
import type { Alphabet, Dcs } from "./types.js";
import { encodeFail } from "./errors.js";

const ALPHABETS: Alphabet[] = ["gsm7", "8bit", "ucs2", "gsm7"];
const KINDS: ("voicemail" | "fax" | "email" | "other")[] = ["voicemail", "fax", "email", "other"];

/**
 * What a DCS octet means. Reserved values are read as 23.038 §4 tells a receiver to: a
 * reserved alphabet (bits 3..2 = 11) or coding group (1000..1011) as the GSM 7-bit default
 * alphabet.
 */
export function decodeDcs(raw: number): Dcs {
  const d: Dcs = { raw: raw, alphabet: "gsm7", compressed: false, messageClass: null, autoDelete: false, waiting: null, reserved: false };
  const group = raw >> 4;
  if ((raw & 0x80) === 0) {
    // 00xx general data coding, 01xx the same marked for automatic deletion.
    d.autoDelete = (raw & 0x40) !== 0;
    d.compressed = (raw & 0x20) !== 0;
    if (raw & 0x10) d.messageClass = raw & 3;
    d.alphabet = ALPHABETS[(raw >> 2) & 3];
    d.reserved = ((raw >> 2) & 3) === 3;
  } else if (group <= 0xb) {
    d.reserved = true;
  } else if (group <= 0xe) {
    // 1100 discard, 1101 store (GSM 7-bit), 1110 store (UCS2): message waiting indication.
    d.alphabet = group === 0xe ? "ucs2" : "gsm7";
    d.waiting = { store: group !== 0xc, active: (raw & 8) !== 0, kind: KINDS[raw & 3] };
  } else {
    // 1111: data coding / message class; bit 2 picks 8-bit data, bit 3 is reserved.
    d.alphabet = raw & 4 ? "8bit" : "gsm7";
    d.messageClass = raw & 3;
  }
  return d;
}

/**
 * The DCS for an alphabet and an optional message class (0..3): group 00xx, uncompressed,
 * e.g. 0x00 GSM 7-bit, 0x08 UCS2, 0x10 flash (class 0) GSM 7-bit.
 */
export function dcsFor(alphabet: Alphabet, messageClass: number | null): Dcs {
  const a = alphabet === "gsm7" ? 0 : alphabet === "8bit" ? 1 : alphabet === "ucs2" ? 2 : -1;
  if (a < 0) encodeFail("TP-DCS", "unknown alphabet " + JSON.stringify(alphabet));
  if (messageClass === null) return decodeDcs(a << 2);
  if (!(messageClass >= 0 && messageClass <= 3) || messageClass !== Math.floor(messageClass)) {
    encodeFail("TP-DCS", "message class " + messageClass + " is not 0..3");
  }
  return decodeDcs(0x10 | (a << 2) | messageClass);
}
