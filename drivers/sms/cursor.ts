/**
 * A bounds-checked reader over the octets of a PDU. Every read names the 23.040 field it is
 * reading, so that running off the end becomes a `PduError` naming that field and its
 * offset, never an out-of-bounds read of `undefined`.
 */
import { pduFail } from "./errors.js";

export class Cursor {
  /** Offset of the next octet to read. */
  pos: number;

  constructor(readonly bytes: Uint8Array, start: number) {
    this.pos = start;
  }

  /** Octets left to read. */
  remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Reads one octet of `field`. */
  u8(field: string): number {
    if (this.pos >= this.bytes.length) pduFail(field, this.pos, "PDU ends before this field");
    return this.bytes[this.pos++];
  }

  /** Reads `n` octets of `field` (a view, not a copy). */
  take(n: number, field: string): Uint8Array {
    if (n > this.bytes.length - this.pos) {
      pduFail(field, this.pos, "PDU ends early: needs " + n + " octets, " + (this.bytes.length - this.pos) + " left");
    }
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Fails unless every octet was read: trailing octets mean the PDU is over-long. */
  end(field: string): void {
    if (this.pos < this.bytes.length) {
      pduFail(field, this.pos, (this.bytes.length - this.pos) + " octet(s) after the end of the message");
    }
  }
}
