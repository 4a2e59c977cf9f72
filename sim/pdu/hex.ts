/** Octets as they cross the AT interface in PDU mode: upper-case hex, two digits each (27.005 §3.1). */
import { PduError } from "./errors.js";

/** Octets to upper-case hex. */
export function toHex(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (!(b >= 0 && b <= 255) || Math.floor(b) !== b) throw PduError("not an octet: " + b + " at " + i, { field: "hex" });
    s += (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
  }
  return s;
}

/** Hex (either case) to octets; throws `PduError` on an odd length or a non-hex digit. */
export function fromHex(hex: string): number[] {
  if (hex.length % 2 !== 0) throw PduError("odd number of hex digits (" + hex.length + ")", { field: "hex" });
  const out: number[] = [];
  for (let i = 0; i < hex.length; i += 2) {
    const hi = hexDigit(hex.charCodeAt(i));
    const lo = hexDigit(hex.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw PduError("not a hex digit at " + (hi < 0 ? i : i + 1) + " in '" + hex.slice(i, i + 2) + "'", { field: "hex" });
    out.push(hi * 16 + lo);
  }
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** A cursor over octets that throws a `PduError` naming the field when the PDU is too short. */
export class OctetReader {
  pos = 0;
  constructor(readonly bytes: number[]) {}

  byte(field: string): number {
    if (this.pos >= this.bytes.length) throw PduError("PDU ends before " + field + " (octet " + this.pos + ")", { field });
    return this.bytes[this.pos++];
  }

  take(n: number, field: string): number[] {
    if (this.pos + n > this.bytes.length) {
      throw PduError(field + " needs " + n + " octets, only " + (this.bytes.length - this.pos) + " left", { field });
    }
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  rest(): number[] {
    const out = this.bytes.slice(this.pos);
    this.pos = this.bytes.length;
    return out;
  }

  remaining(): number {
    return this.bytes.length - this.pos;
  }
}
