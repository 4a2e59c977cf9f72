/**
 * TS.43's embedded EAP-AKA on the entitlement server (GSMA TS.43 §2.8.1): a request
 * without `token` names the subscriber by `EAP_ID` (the EAP-AKA permanent identity,
 * 3GPP TS 23.003 §19.3.2); the server answers `{"eap-relay-packet": <base64>}` holding
 * an EAP-Request/AKA-Challenge (AT_RAND, AT_AUTN, AT_MAC); the client sends back its
 * EAP-Response/AKA-Challenge (AT_RES, AT_MAC) in the same way; on success the server
 * answers the original request with a `TOKEN` for the requests that follow.
 *
 * The client's other answers are handled as RFC 4187 says: Synchronization-Failure with
 * AT_AUTS (§6.3.1: re-synchronise, then a fresh challenge), Authentication-Reject (the
 * client found AUTN not authentic, §6.3.1), Client-Error. A wrong AT_RES or AT_MAC ends
 * in EAP-Failure and HTTP 403.
 *
 * Each pending challenge is found by its EAP Identifier (RFC 3748 §4.1: a Response
 * carries its Request's Identifier): the server never has two pending with the same one.
 * (A TS.43 server on the Internet also binds the exchange to an HTTP cookie.)
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../../hal/types.js";
import { AuthCentre } from "./aka/auc.js";
import {
  AKA_SUBTYPE,
  AT,
  EAP_CODE,
  EapFormatError,
  at16,
  attribute,
  decodeEap,
  deriveKeys,
  encodeEap,
  macValid,
  resOf,
  sameBytes,
  withMac,
  type EapPacket,
} from "./aka/eap-aka.js";

/** TS.43 §2.8.1's content type of an EAP relay body. */
export const EAP_RELAY_TYPE = "application/vnd.gsma.eap-relay.v1.0+json";
export const EAP_RELAY_PARAM = "eap-relay-packet";
/** How long a challenge waits for its answer. */
const PENDING_MS = 60000;
/** Re-synchronisations in one exchange before the server gives up. */
const MAX_RESYNC = 2;

interface Pending {
  identity: string;
  imsi: string;
  /** The original request (answered once authentication succeeds). */
  params: { [k: string]: string };
  rand: Uint8Array;
  xres: Uint8Array;
  kAut: Uint8Array;
  msk: Uint8Array;
  expires: number;
  resyncs: number;
}

export type RelayOutcome =
  /** Send this EAP packet to the client (a challenge, or EAP-Failure with `status` 403). */
  | { kind: "packet"; status: number; packet: Uint8Array; message?: string }
  /** Authenticated: answer the original request for this subscriber. */
  | { kind: "authenticated"; imsi: string; params: { [k: string]: string }; msk: Uint8Array }
  /** Not an EAP-AKA answer we can use. */
  | { kind: "refused"; status: number; message: string };

export class EapAkaRelay {
  private readonly pending = new Map<number, Pending>();
  private nextId = randomBytes(1)[0];

  constructor(
    readonly auc: AuthCentre,
    private readonly clock: Clock,
  ) {}

  /** The first request: a challenge for the subscriber `imsi` known by `identity`. */
  challenge(identity: string, imsi: string, params: { [k: string]: string }, resyncs = 0): RelayOutcome {
    this.sweep();
    if (this.pending.size >= 256) return { kind: "refused", status: 503, message: "too many authentications in progress; try again" };
    while (this.pending.has(this.nextId)) this.nextId = (this.nextId + 1) & 255;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) & 255;
    const v = this.auc.vector(imsi);
    const keys = deriveKeys(identity, v.ik, v.ck);
    const packet = withMac(keys.kAut, { code: EAP_CODE.request, identifier: id, subtype: AKA_SUBTYPE.challenge, attributes: [at16(AT.RAND, v.rand), at16(AT.AUTN, v.autn)] });
    this.pending.set(id, { identity, imsi, params, rand: v.rand, xres: v.xres, kAut: keys.kAut, msk: keys.msk, expires: this.clock.now() + PENDING_MS, resyncs });
    return { kind: "packet", status: 200, packet: encodeEap(packet) };
  }

  /** The client's answer (the decoded `eap-relay-packet`). */
  answer(bytes: Uint8Array): RelayOutcome {
    this.sweep();
    let p: EapPacket;
    try {
      p = decodeEap(bytes);
    } catch (e) {
      if (e instanceof EapFormatError) return { kind: "refused", status: 400, message: e.message };
      throw e;
    }
    const s = this.pending.get(p.identifier);
    if (p.code !== EAP_CODE.response || !s) return { kind: "refused", status: 403, message: "EAP-AKA: no challenge with Identifier " + p.identifier + " is waiting for an answer" };
    this.pending.delete(p.identifier);
    const fail = (message: string): RelayOutcome => ({ kind: "packet", status: 403, packet: encodeEap({ code: EAP_CODE.failure, identifier: p.identifier, attributes: [] }), message });
    switch (p.subtype) {
      case AKA_SUBTYPE.challenge: {
        if (!macValid(s.kAut, p)) return fail("EAP-AKA: AT_MAC of the response is wrong");
        const res = resOf(p);
        if (!res || !sameBytes(res, s.xres)) return fail("EAP-AKA: AT_RES does not match");
        return { kind: "authenticated", imsi: s.imsi, params: s.params, msk: s.msk };
      }
      case AKA_SUBTYPE.synchronizationFailure: {
        const auts = attribute(p, AT.AUTS);
        if (!auts || !this.auc.resynchronise(s.imsi, s.rand, auts)) return fail("EAP-AKA: AT_AUTS is not authentic");
        if (s.resyncs >= MAX_RESYNC) return fail("EAP-AKA: re-synchronisation did not converge");
        return this.challenge(s.identity, s.imsi, s.params, s.resyncs + 1);
      }
      case AKA_SUBTYPE.authenticationReject:
        return fail("EAP-AKA: the client rejected the network's AUTN (Authentication-Reject)");
      case AKA_SUBTYPE.clientError:
        return fail("EAP-AKA: the client reported an error (Client-Error)");
      default:
        return fail("EAP-AKA: unexpected subtype " + p.subtype);
    }
  }

  private sweep(): void {
    const now = this.clock.now();
    this.pending.forEach((v, k) => {
      if (v.expires <= now) this.pending.delete(k);
    });
  }
}
