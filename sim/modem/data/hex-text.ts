/**
 * Data as hex text: the vendor forms that carry binary bytes on a line-based AT channel
 * (Quectel `AT+QISENDEX`, `"dataformat"` 1; SIMCom `AT+CIPRXGET=3`). Bytes are binary
 * strings, one character per byte.
 */

/** Bytes as upper-case hex digits, two per byte. */
export function toHex(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += bytes.charCodeAt(i).toString(16).toUpperCase().padStart(2, "0");
  return out;
}

/** Hex digits to bytes; `undefined` when they are not an even number of hex digits. */
export function fromHexText(hex: string): string | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += String.fromCharCode(parseInt(hex.substr(i, 2), 16));
  return out;
}

