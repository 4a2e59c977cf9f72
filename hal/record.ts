/**
 * The stored-record format every `Storage` implementation shares (portable), its CRC-32,
 * and key validation.
 *
 * One record holds one value:
 *
 *     "SLR1 " <crc: 8 lowercase hex> " " <seq: decimal> " " <len: decimal> "\n" <body> "!"
 *
 * - `SLR1 ` names the format and its version.
 * - `body` is the value's UTF-8 bytes (utf8.ts), `len` their count.
 * - `seq` orders two copies of one key (the Espruino store keeps two slots); 0 where unused.
 * - `crc` is the CRC-32 (IEEE 802.3 polynomial, reflected, init and final xor 0xFFFFFFFF:
 *   the one zlib and Espruino's E.CRC32 compute) of everything between the space after it
 *   and the final `!`, i.e. of `<seq> <len>\n<body>`, so a flipped bit anywhere in the
 *   sequence number, length or value is caught.
 * - `!` is the commit mark, written last. Flash reads unwritten bytes as 0xFF, so a record
 *   whose last byte is still 0xFF was cut before it was finished: it is *torn* (the write
 *   never happened). Any other defect makes it *damaged* (a committed record went bad),
 *   which `read` reports as StorageCorruptError.
 */
import { STORAGE_KEY_MAX } from "./types.js";
import { StorageCorruptError, StorageError } from "./errors.js";
import { utf8Decode, utf8Encode } from "./utf8.js";

export const RECORD_MAGIC = "SLR1 ";
export const COMMIT_MARK = "!";
/** Where the checksum field starts, and where the checksummed part starts. */
const CRC_AT = RECORD_MAGIC.length;
const REST_AT = CRC_AT + 9;

let table: Uint32Array | undefined = undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  table = t;
  return t;
}

/** CRC-32 of a byte string (see the file comment); uses Espruino's native E.CRC32 when present. */
export function crc32(bytes: string): number {
  if (typeof E !== "undefined" && E.CRC32) return E.CRC32(bytes) >>> 0;
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes.charCodeAt(i)) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex8(n: number): string {
  return ("0000000" + (n >>> 0).toString(16)).slice(-8);
}

function isDigits(s: string): boolean {
  if (s.length < 1 || s.length > 16) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isHex8(s: string): boolean {
  if (s.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** The record (a byte string) holding `value` with sequence number `seq`. */
export function encodeRecord(value: string, seq: number): string {
  const body = utf8Encode(value);
  const rest = seq + " " + body.length + "\n" + body;
  return RECORD_MAGIC + hex8(crc32(rest)) + " " + rest + COMMIT_MARK;
}

/** What a stored record turned out to be; `body` is still UTF-8 (see `recordText`). */
export type RecordState =
  | { state: "committed"; seq: number; body: string }
  | { state: "torn" }
  | { state: "damaged"; detail: string };

/** Parses and checks a stored record. Never throws. */
export function parseRecord(bytes: string): RecordState {
  const n = bytes.length;
  if (n === 0) return { state: "damaged", detail: "empty record" };
  const last = bytes.charCodeAt(n - 1);
  if (last === 0xff) return { state: "torn" };
  if (last !== COMMIT_MARK.charCodeAt(0)) return { state: "damaged", detail: "no commit mark at the end (truncated?)" };
  if (bytes.substr(0, CRC_AT) !== RECORD_MAGIC) return { state: "damaged", detail: "not a record (bad header)" };
  const crcText = bytes.substr(CRC_AT, 8);
  if (!isHex8(crcText) || bytes.charAt(CRC_AT + 8) !== " ") return { state: "damaged", detail: "bad checksum field" };
  const rest = bytes.substring(REST_AT, n - 1);
  const nl = rest.indexOf("\n");
  if (nl < 0 || nl > 40) return { state: "damaged", detail: "no end of header" };
  const head = rest.substring(0, nl);
  const sp = head.indexOf(" ");
  const seqText = sp < 0 ? "" : head.substring(0, sp);
  const lenText = sp < 0 ? "" : head.substring(sp + 1);
  if (!isDigits(seqText) || !isDigits(lenText)) return { state: "damaged", detail: "bad header fields" };
  const len = parseInt(lenText, 10);
  const have = rest.length - nl - 1;
  if (have !== len) return { state: "damaged", detail: "length: header says " + len + " bytes, record holds " + have };
  if (crc32(rest) !== parseInt(crcText, 16)) return { state: "damaged", detail: "checksum mismatch" };
  return { state: "committed", seq: parseInt(seqText, 10), body: rest.substring(nl + 1) };
}

/**
 * The value of a committed record's body. A body that passed its checksum but is not
 * UTF-8 is still corrupt (no writer of this format makes one); a value this engine
 * cannot hold is a StorageError.
 */
export function recordText(key: string, body: string): string {
  const r = utf8Decode(body);
  if (r.ok) return r.text;
  if (r.malformed) throw StorageCorruptError("stored record '" + key + "' is corrupt: " + r.detail, { key: key, detail: r.detail });
  throw StorageError("stored record '" + key + "' " + r.detail, { key: key, detail: r.detail });
}

function keyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 45;
}

/** The error for a bad key (1..24 chars of [A-Za-z0-9._-]), or undefined when it is fine. */
export function keyError(key: unknown): Error | undefined {
  if (typeof key !== "string") return StorageError("storage key must be a string, got " + typeof key, { key: String(key), detail: "not a string" });
  if (key.length < 1 || key.length > STORAGE_KEY_MAX) {
    return StorageError("storage key '" + key + "' must be 1.." + STORAGE_KEY_MAX + " characters", { key: key, detail: "length" });
  }
  for (let i = 0; i < key.length; i++) {
    if (!keyChar(key.charCodeAt(i))) {
      return StorageError("storage key '" + key + "' may hold only A-Z a-z 0-9 . _ - (bad char at " + i + ")", { key: key, detail: "charset" });
    }
  }
  return undefined;
}

/** The error for a bad `list` prefix (0..24 chars of the key alphabet), or undefined. */
export function prefixError(prefix: unknown): Error | undefined {
  if (prefix === "") return undefined;
  return keyError(prefix);
}

/** Sorts keys by char code (the order `list` promises), without relying on a stable sort. */
export function sortKeys(keys: string[]): string[] {
  return keys.sort(function (a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
