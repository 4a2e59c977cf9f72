/**
 * MILENAGE, the 3GPP example authentication and key generation functions f1, f1*, f2,
 * f3, f4, f5 and f5* (3GPP TS 35.206 §4), over AES-128 as the kernel E_K (TS 35.206 §3:
 * Rijndael with a 128-bit block and key). This is the network's and P's USIM side of
 * EAP-AKA in the simulator (host code: node:crypto).
 *
 * Constants (TS 35.206 §4.1): r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96 bits of
 * rotation; c1 = 0, c2 = 1, c3 = 2, c4 = 4, c5 = 8 in the last octet.
 * Verified against every test set of TS 35.208 §4.3 (test/fixtures/milenage-ts35208.json).
 */
import { createCipheriv } from "node:crypto";

function aes(k: Uint8Array, block: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-128-ecb", k, null);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(block), c.final()]));
}

function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/** Rotates a 128-bit value left by `bits` (a multiple of 8 here). */
function rot(x: Uint8Array, bits: number): Uint8Array {
  const n = bits / 8;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = x[(i + n) % 16];
  return out;
}

function constant(last: number): Uint8Array {
  const c = new Uint8Array(16);
  c[15] = last;
  return c;
}

function need(name: string, v: Uint8Array, len: number): void {
  if (v.length !== len) throw new RangeError("MILENAGE: " + name + " must be " + len + " octets, got " + v.length);
}

/** TS 35.206 §4.1: OP_c = OP ⊕ E_K(OP). */
export function opc(k: Uint8Array, op: Uint8Array): Uint8Array {
  need("K", k, 16);
  need("OP", op, 16);
  return xor(aes(k, op), op);
}

export interface MilenageOutput {
  /** f2: RES / XRES (64 bits). */
  res: Uint8Array;
  /** f3: CK. */
  ck: Uint8Array;
  /** f4: IK. */
  ik: Uint8Array;
  /** f5: AK, the anonymity key that hides SQN in AUTN. */
  ak: Uint8Array;
  /** f5*: AK for re-synchronisation (it hides SQN_MS in AUTS). */
  akStar: Uint8Array;
}

export class Milenage {
  constructor(
    private readonly k: Uint8Array,
    private readonly opC: Uint8Array,
  ) {
    need("K", k, 16);
    need("OPc", opC, 16);
  }

  private temp(rand: Uint8Array): Uint8Array {
    need("RAND", rand, 16);
    return aes(this.k, xor(rand, this.opC));
  }

  /** f1 and f1*: MAC-A and MAC-S (64 bits each) over SQN and AMF. */
  f1(rand: Uint8Array, sqn: Uint8Array, amf: Uint8Array): { macA: Uint8Array; macS: Uint8Array } {
    need("SQN", sqn, 6);
    need("AMF", amf, 2);
    const temp = this.temp(rand);
    const in1 = new Uint8Array(16);
    in1.set(sqn, 0);
    in1.set(amf, 6);
    in1.set(sqn, 8);
    in1.set(amf, 14);
    // OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc, r1 = 64, c1 = 0.
    const out1 = xor(aes(this.k, xor(temp, rot(xor(in1, this.opC), 64))), this.opC);
    return { macA: out1.slice(0, 8), macS: out1.slice(8, 16) };
  }

  /** f2, f3, f4, f5 and f5* for one RAND. */
  f2345(rand: Uint8Array): MilenageOutput {
    const temp = this.temp(rand);
    const tx = xor(temp, this.opC);
    // OUTn = E_K(rot(TEMP ⊕ OPc, rn) ⊕ cn) ⊕ OPc.
    const out = (r: number, c: number) => xor(aes(this.k, xor(rot(tx, r), constant(c))), this.opC);
    const out2 = out(0, 1);
    const out3 = out(32, 2);
    const out4 = out(64, 4);
    const out5 = out(96, 8);
    return { res: out2.slice(8, 16), ak: out2.slice(0, 6), ck: out3, ik: out4, akStar: out5.slice(0, 6) };
  }
}

export { xor as xorBytes };
