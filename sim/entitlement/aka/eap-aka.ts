/**
 * EAP-AKA (RFC 4187) as TS.43 relays it (GSMA TS.43 §2.8.1, "embedded EAP-AKA"): the
 * packets, the key derivation and AT_MAC. Both ends use it: the entitlement server
 * (with the HSS's vectors, hss.ts) and the USIM of P's companion app (usim.ts).
 *
 * - Packets (RFC 3748 §4, RFC 4187 §8.1): Code, Identifier, Length, Type 23, Subtype,
 *   2 reserved octets, then attributes `Type | Length (in 4-octet words) | value`.
 * - Keys (RFC 4187 §7): MK = SHA1(Identity | IK | CK); K_encr (16), K_aut (16), MSK (64)
 *   and EMSK (64) are the first 160 octets of the FIPS 186-2 PRF keyed with MK
 *   (RFC 4187 Appendix A: change notice 1's generator, G = SHA-1's compression function,
 *   no `mod q`).
 * - AT_MAC (RFC 4187 §10.15): HMAC-SHA1-128 with K_aut over the whole packet with
 *   AT_MAC's value set to zeros (full authentication appends nothing).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const EAP_CODE = { request: 1, response: 2, success: 3, failure: 4 } as const;
export const EAP_TYPE_AKA = 23;
/** RFC 4187 §11. */
export const AKA_SUBTYPE = { challenge: 1, authenticationReject: 2, synchronizationFailure: 4, identity: 5, notification: 12, clientError: 14 } as const;
/** RFC 4187 §11 attribute types. */
export const AT = { RAND: 1, AUTN: 2, RES: 3, AUTS: 4, MAC: 11, CLIENT_ERROR_CODE: 22 } as const;

export interface AkaAttribute {
  type: number;
  /** The value after the attribute's Type and Length octets (reserved octets included). */
  value: Uint8Array;
}

export interface EapPacket {
  code: number;
  identifier: number;
  /** EAP-AKA subtype (Request/Response only). */
  subtype?: number;
  attributes: AkaAttribute[];
}

/** A packet that is not EAP-AKA as RFC 4187 lays it out. */
export class EapFormatError extends Error {
  constructor(message: string) {
    super("EAP-AKA: " + message);
    this.name = "EapFormatError";
  }
}

export function encodeEap(p: EapPacket): Uint8Array {
  if (p.code === EAP_CODE.success || p.code === EAP_CODE.failure) return new Uint8Array([p.code, p.identifier & 255, 0, 4]);
  let len = 8;
  for (const a of p.attributes) {
    if ((a.value.length + 2) % 4 !== 0) throw new EapFormatError("attribute " + a.type + " is not a multiple of 4 octets long");
    len += 2 + a.value.length;
  }
  const out = new Uint8Array(len);
  out[0] = p.code;
  out[1] = p.identifier & 255;
  out[2] = len >> 8;
  out[3] = len & 255;
  out[4] = EAP_TYPE_AKA;
  out[5] = p.subtype || 0;
  let at = 8;
  for (const a of p.attributes) {
    out[at] = a.type;
    out[at + 1] = (a.value.length + 2) / 4;
    out.set(a.value, at + 2);
    at += 2 + a.value.length;
  }
  return out;
}

export function decodeEap(b: Uint8Array): EapPacket {
  if (b.length < 4) throw new EapFormatError("shorter than an EAP header");
  const len = (b[2] << 8) | b[3];
  if (len !== b.length) throw new EapFormatError("Length says " + len + " octets, the packet has " + b.length);
  const code = b[0];
  if (code === EAP_CODE.success || code === EAP_CODE.failure) return { code, identifier: b[1], attributes: [] };
  if (code !== EAP_CODE.request && code !== EAP_CODE.response) throw new EapFormatError("unknown Code " + code);
  if (len < 8) throw new EapFormatError("too short for EAP-AKA");
  if (b[4] !== EAP_TYPE_AKA) throw new EapFormatError("Type " + b[4] + " is not EAP-AKA (23)");
  const attributes: AkaAttribute[] = [];
  let at = 8;
  while (at < len) {
    if (at + 2 > len) throw new EapFormatError("attribute header cut off at offset " + at);
    const words = b[at + 1];
    if (words === 0 || at + words * 4 > len) throw new EapFormatError("attribute " + b[at] + " has a bad Length at offset " + at);
    attributes.push({ type: b[at], value: b.slice(at + 2, at + words * 4) });
    at += words * 4;
  }
  return { code, identifier: b[1], subtype: b[5], attributes };
}

export function attribute(p: EapPacket, type: number): Uint8Array | undefined {
  for (const a of p.attributes) if (a.type === type) return a.value;
  return undefined;
}

/** AT_RAND, AT_AUTN, AT_MAC: two reserved octets, then 16 octets (RFC 4187 §10.6, §10.7, §10.15). */
export function at16(type: number, v: Uint8Array): AkaAttribute {
  const value = new Uint8Array(18);
  value.set(v, 2);
  return { type, value };
}

/** The 16 octets after the reserved ones of AT_RAND / AT_AUTN / AT_MAC, or undefined. */
export function value16(p: EapPacket, type: number): Uint8Array | undefined {
  const v = attribute(p, type);
  return v && v.length === 18 ? v.slice(2) : undefined;
}

/** AT_RES (RFC 4187 §10.8): RES length in bits, then RES padded to 4 octets. */
export function atRes(res: Uint8Array): AkaAttribute {
  const padded = Math.ceil(res.length / 4) * 4;
  const value = new Uint8Array(2 + padded);
  value[0] = (res.length * 8) >> 8;
  value[1] = (res.length * 8) & 255;
  value.set(res, 2);
  return { type: AT.RES, value };
}

export function resOf(p: EapPacket): Uint8Array | undefined {
  const v = attribute(p, AT.RES);
  if (!v || v.length < 2) return undefined;
  const bits = (v[0] << 8) | v[1];
  // RFC 4187 §10.8: RES is 32 to 128 bits (whole octets here, as MILENAGE gives 64).
  if (bits < 32 || bits > 128 || bits % 8 !== 0 || 2 + bits / 8 > v.length) return undefined;
  return v.slice(2, 2 + bits / 8);
}

/** AT_AUTS (RFC 4187 §10.9): 14 octets, no reserved ones. */
export function atAuts(auts: Uint8Array): AkaAttribute {
  return { type: AT.AUTS, value: auts.slice() };
}

/** SHA-1's compression function on one 64-octet block from the standard IV (FIPS 180-2 §6.1.2), no padding: FIPS 186-2's G. */
function sha1G(block: Uint8Array): Uint8Array {
  const w = new Uint32Array(80);
  for (let i = 0; i < 16; i++) w[i] = (block[4 * i] << 24) | (block[4 * i + 1] << 16) | (block[4 * i + 2] << 8) | block[4 * i + 3];
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
    w[i] = (x << 1) | (x >>> 31);
  }
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  let [a, b, c, d, e] = h;
  for (let i = 0; i < 80; i++) {
    const f = i < 20 ? (b & c) | (~b & d) : i < 40 ? b ^ c ^ d : i < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
    const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) >>> 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  const out = new Uint8Array(20);
  const fin = [a, b, c, d, e];
  for (let i = 0; i < 5; i++) {
    const v = (h[i] + fin[i]) >>> 0;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 255;
    out[4 * i + 2] = (v >>> 8) & 255;
    out[4 * i + 3] = v & 255;
  }
  return out;
}

/** FIPS 186-2 (change notice 1) PRF as RFC 4187 Appendix A uses it: `octets` of output from a 20-octet XKEY. */
export function fips186Prf(xkey0: Uint8Array, octets: number): Uint8Array {
  if (xkey0.length !== 20) throw new RangeError("FIPS 186-2 PRF: XKEY is 20 octets");
  const xkey = xkey0.slice();
  const out = new Uint8Array(Math.ceil(octets / 20) * 20);
  for (let n = 0; n * 20 < octets; n++) {
    // XSEED is 0: XVAL = XKEY; w = G(t, XVAL); XKEY = (1 + XKEY + w) mod 2^160.
    const block = new Uint8Array(64);
    block.set(xkey, 0);
    const w = sha1G(block);
    out.set(w, n * 20);
    let carry = 1;
    for (let i = 19; i >= 0; i--) {
      const s = xkey[i] + w[i] + carry;
      xkey[i] = s & 255;
      carry = s >> 8;
    }
  }
  return out.slice(0, octets);
}

export interface AkaKeys {
  mk: Uint8Array;
  kEncr: Uint8Array;
  kAut: Uint8Array;
  msk: Uint8Array;
  emsk: Uint8Array;
}

/** RFC 4187 §7. */
export function deriveKeys(identity: string, ik: Uint8Array, ck: Uint8Array): AkaKeys {
  const mk = new Uint8Array(createHash("sha1").update(Buffer.from(identity, "utf8")).update(ik).update(ck).digest());
  const x = fips186Prf(mk, 160);
  return { mk, kEncr: x.slice(0, 16), kAut: x.slice(16, 32), msk: x.slice(32, 96), emsk: x.slice(96, 160) };
}

/** AT_MAC's value for `p` (its AT_MAC attribute present, any value): HMAC-SHA1-128 with the value zeroed. */
export function macOf(kAut: Uint8Array, p: EapPacket): Uint8Array {
  const zeroed: EapPacket = { ...p, attributes: p.attributes.map((a) => (a.type === AT.MAC ? at16(AT.MAC, new Uint8Array(16)) : a)) };
  return new Uint8Array(createHmac("sha1", kAut).update(encodeEap(zeroed)).digest().subarray(0, 16));
}

/** `p` with AT_MAC appended and filled in. */
export function withMac(kAut: Uint8Array, p: EapPacket): EapPacket {
  const q: EapPacket = { ...p, attributes: p.attributes.filter((a) => a.type !== AT.MAC).concat([at16(AT.MAC, new Uint8Array(16))]) };
  const mac = macOf(kAut, q);
  return { ...q, attributes: q.attributes.map((a) => (a.type === AT.MAC ? at16(AT.MAC, mac) : a)) };
}

/** Whether `p`'s AT_MAC is right (constant time). */
export function macValid(kAut: Uint8Array, p: EapPacket): boolean {
  const got = value16(p, AT.MAC);
  if (!got) return false;
  return timingSafeEqual(got, macOf(kAut, p));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
