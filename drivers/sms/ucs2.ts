/**
 * UCS2 user data (3GPP TS 23.038 §6.2.3: 16-bit big-endian characters). Code points above
 * U+FFFF travel as UTF-16 surrogate pairs, as phones send emoji in practice (23.038 names
 * ISO/IEC 10646 UCS2; 23.040 §9.2.3.16 counts octets, so a pair is 4 of the 140).
 */

/** True for a code point UCS2/UTF-16 can carry: not a lone surrogate, not above U+10FFFF. */
export function ucs2Encodable(cp: number): boolean {
  return cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) && cp === Math.floor(cp);
}

/** Octets a code point takes in UCS2: 2, or 4 for a surrogate pair. */
export function ucs2Length(cp: number): number {
  return cp >= 0x10000 ? 4 : 2;
}

/**
 * Encodes code points as big-endian UTF-16. `bad` lists the positions of the code points
 * that cannot be carried (see ucs2Encodable); they are left out.
 */
export function encodeUcs2(cps: number[]): { bytes: Uint8Array; bad: number[] } {
  let n = 0;
  for (let i = 0; i < cps.length; i++) n += ucs2Length(cps[i]);
  const out = new Uint8Array(n);
  const bad: number[] = [];
  let o = 0;
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (!ucs2Encodable(c)) {
      bad.push(i);
      continue;
    }
    if (c >= 0x10000) {
      const hi = 0xd800 + ((c - 0x10000) >> 10);
      const lo = 0xdc00 + ((c - 0x10000) & 0x3ff);
      out[o++] = hi >> 8; out[o++] = hi & 0xff;
      out[o++] = lo >> 8; out[o++] = lo & 0xff;
    } else {
      out[o++] = c >> 8;
      out[o++] = c & 0xff;
    }
  }
  return { bytes: o === n ? out : out.subarray(0, o), bad: bad };
}

/**
 * Decodes big-endian UTF-16 octets to code points, joining surrogate pairs. A lone
 * surrogate (a pair split by a careless sender across two parts) stays as its own code
 * point so that reassembly can join it to its other half. An odd last octet is ignored;
 * the TPDU decoder rejects it before this is called.
 */
export function decodeUcs2(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const n = bytes.length - (bytes.length % 2);
  for (let i = 0; i < n; i += 2) {
    const u = (bytes[i] << 8) | bytes[i + 1];
    if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
      const v = (bytes[i + 2] << 8) | bytes[i + 3];
      if (v >= 0xdc00 && v <= 0xdfff) {
        out.push(0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00));
        i += 2;
        continue;
      }
    }
    out.push(u);
  }
  return out;
}
