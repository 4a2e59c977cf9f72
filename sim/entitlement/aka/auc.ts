/**
 * The two holders of a subscriber's AKA key K (3GPP TS 33.102 §6.3): the network's
 * authentication centre, which makes authentication vectors, and the USIM of P, which
 * checks AUTN and answers RES. MILENAGE (milenage.ts) is the algorithm set on both.
 *
 * SQN handling follows TS 33.102 §6.3.2 and Annex C in its simplest form: the AuC
 * counts up by one per vector; the USIM accepts a SQN only above the highest it has
 * accepted, and otherwise answers a synchronisation failure with AUTS, from which the
 * AuC learns SQN_MS (after checking MAC-S) and continues above it (§6.3.5).
 */
import { randomBytes } from "node:crypto";
import { Milenage, opc, xorBytes } from "./milenage.js";
import { sameBytes } from "./eap-aka.js";
import { sqnBytes, sqnValue } from "./sqn.js";

/** EAP-AKA on non-3GPP access: AMF with the separation bit 0 (TS 33.402 §6.1). */
export const AMF_EAP_AKA = new Uint8Array([0x00, 0x00]);
/** TS 33.102 §6.3.3: AUTS's MAC-S is computed with a dummy AMF of zeros. */
const AMF_RESYNC = new Uint8Array([0x00, 0x00]);

export interface AuthVector {
  rand: Uint8Array;
  xres: Uint8Array;
  ck: Uint8Array;
  ik: Uint8Array;
  autn: Uint8Array;
  sqn: number;
}

export interface SubscriberKey {
  k: Uint8Array;
  opc: Uint8Array;
}

/** The simulated operator's OP (each operator has its own; this one is ours). */
const OPERATOR_OP = new Uint8Array(Buffer.from("736861726564206c696e65206f700a00", "hex"));

export class AuthCentre {
  private readonly subs = new Map<string, { key: SubscriberKey; sqn: number }>();

  /** The subscriber's key, made when the subscription is first asked for (the SIM's personalisation). */
  key(imsi: string): SubscriberKey {
    return this.entry(imsi).key;
  }

  private entry(imsi: string): { key: SubscriberKey; sqn: number } {
    let e = this.subs.get(imsi);
    if (!e) {
      const k = new Uint8Array(randomBytes(16));
      e = { key: { k, opc: opc(k, OPERATOR_OP) }, sqn: 0 };
      this.subs.set(imsi, e);
    }
    return e;
  }

  /** A fresh vector (TS 33.102 §6.3.2): AUTN = SQN ⊕ AK | AMF | MAC-A. */
  vector(imsi: string, rand: Uint8Array = new Uint8Array(randomBytes(16))): AuthVector {
    const e = this.entry(imsi);
    e.sqn += 1;
    const m = new Milenage(e.key.k, e.key.opc);
    const sqn = sqnBytes(e.sqn);
    const o = m.f2345(rand);
    const autn = new Uint8Array(16);
    autn.set(xorBytes(sqn, o.ak), 0);
    autn.set(AMF_EAP_AKA, 6);
    autn.set(m.f1(rand, sqn, AMF_EAP_AKA).macA, 8);
    return { rand, xres: o.res, ck: o.ck, ik: o.ik, autn, sqn: e.sqn };
  }

  /** TS 33.102 §6.3.5: re-synchronisation from AUTS; false when MAC-S is wrong (nothing changes). */
  resynchronise(imsi: string, rand: Uint8Array, auts: Uint8Array): boolean {
    if (auts.length !== 14) return false;
    const e = this.entry(imsi);
    const m = new Milenage(e.key.k, e.key.opc);
    const sqnMs = xorBytes(auts.slice(0, 6), m.f2345(rand).akStar);
    if (!sameBytes(m.f1(rand, sqnMs, AMF_RESYNC).macS, auts.slice(6, 14))) return false;
    e.sqn = sqnValue(sqnMs);
    return true;
  }

  /** The AuC's counter now (for tests and the console). */
  sqnOf(imsi: string): number {
    return this.entry(imsi).sqn;
  }
}

export type UsimAnswer =
  | { kind: "ok"; res: Uint8Array; ck: Uint8Array; ik: Uint8Array }
  /** AUTN's MAC-A is not the network's: the network is not authentic (TS 33.102 §6.3.3). */
  | { kind: "macFailure" }
  /** SQN not fresh: AUTS for re-synchronisation (§6.3.3, §6.3.5). */
  | { kind: "syncFailure"; auts: Uint8Array };

/** P's USIM: K, OPc and the highest SQN it accepted (SQN_MS). */
export class Usim {
  constructor(
    private readonly key: SubscriberKey,
    private sqnMs = 0,
  ) {}

  /** TS 33.102 §6.3.3: the USIM's side of AKA for (RAND, AUTN). */
  authenticate(rand: Uint8Array, autn: Uint8Array): UsimAnswer {
    if (rand.length !== 16 || autn.length !== 16) return { kind: "macFailure" };
    const m = new Milenage(this.key.k, this.key.opc);
    const o = m.f2345(rand);
    const sqn = xorBytes(autn.slice(0, 6), o.ak);
    const amf = autn.slice(6, 8);
    if (!sameBytes(m.f1(rand, sqn, amf).macA, autn.slice(8, 16))) return { kind: "macFailure" };
    const n = sqnValue(sqn);
    if (n <= this.sqnMs) {
      const ms = sqnBytes(this.sqnMs);
      const auts = new Uint8Array(14);
      auts.set(xorBytes(ms, o.akStar), 0);
      auts.set(m.f1(rand, ms, AMF_RESYNC).macS, 6);
      return { kind: "syncFailure", auts };
    }
    this.sqnMs = n;
    return { kind: "ok", res: o.res, ck: o.ck, ik: o.ik };
  }

  /** The highest SQN accepted so far. */
  sqn(): number {
    return this.sqnMs;
  }
}
