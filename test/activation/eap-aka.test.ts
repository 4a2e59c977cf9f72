/**
 * P's authentication to the entitlement server as TS.43 §2.8.1 does it: EAP-AKA
 * (RFC 4187) relayed in `eap-relay-packet`, with MILENAGE on both ends. What is checked:
 * the challenge's shape and AT_MAC, the token only after a right AT_RES and AT_MAC, a
 * forged answer or a forged challenge refused, and SQN re-synchronisation by AUTS.
 */
import test from "ava";
import { SharedNetwork } from "../../sim/network/index.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { AKA_SUBTYPE, AT, EAP_CODE, at16, decodeEap, deriveKeys, encodeEap, macValid, value16, withMac, atRes, resOf } from "../../sim/entitlement/aka/eap-aka.js";
import { Activation, Usim, answerChallenge, eapId, parmAt, phoneImsi, readDoc, type Ts43Response } from "../../sim/entitlement/index.js";

const MSISDN = "+819012345678";

function setup() {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const net = new SharedNetwork({ clock });
  net.createNumber(MSISDN, {});
  const act = new Activation(net);
  const identity = eapId(phoneImsi(MSISDN));
  const imei = net.number(MSISDN).phone.imei;
  const first = (extra: { [k: string]: string } = {}) => act.service.handle({ app: "ap2006", terminal_id: imei, EAP_ID: identity, ...extra });
  const relay = (packet: Uint8Array) => act.service.handle({ "eap-relay-packet": Buffer.from(packet).toString("base64") });
  return { clock, act, identity, first, relay };
}

function packetOf(r: Ts43Response): Uint8Array {
  return new Uint8Array(Buffer.from((JSON.parse(r.body) as { [k: string]: string })["eap-relay-packet"], "base64"));
}

test("R8: EAP-AKA: the first request gets an EAP-Request/AKA-Challenge with AT_RAND, AT_AUTN and a right AT_MAC; the right AT_RES gets the token and the request's answer", (t) => {
  const { act, identity, first, relay } = setup();
  const c = first({ operation: "CheckEligibility" });
  t.is(c.status, 200);
  t.is(c.contentType, "application/vnd.gsma.eap-relay.v1.0+json");
  t.notRegex(c.body, /token/i, "no token before EAP-AKA is done");
  const req = decodeEap(packetOf(c));
  t.like(req, { code: EAP_CODE.request, subtype: AKA_SUBTYPE.challenge });
  t.deepEqual(req.attributes.map((a) => a.type), [AT.RAND, AT.AUTN, AT.MAC]);
  const usim = act.service.usimOf(MSISDN);
  const aka = usim.authenticate(value16(req, AT.RAND)!, value16(req, AT.AUTN)!);
  t.is(aka.kind, "ok");
  if (aka.kind !== "ok") return;
  const keys = deriveKeys(identity, aka.ik, aka.ck);
  t.true(macValid(keys.kAut, req), "AT_MAC = HMAC-SHA1-128(K_aut, packet)");
  t.deepEqual([keys.kEncr.length, keys.kAut.length, keys.msk.length, keys.emsk.length], [16, 16, 64, 64]);
  const resp = withMac(keys.kAut, { code: EAP_CODE.response, identifier: req.identifier, subtype: AKA_SUBTYPE.challenge, attributes: [atRes(aka.res)] });
  t.is(Buffer.from(resOf(resp)!).toString("hex"), Buffer.from(aka.res).toString("hex"));
  const done = relay(encodeEap(resp));
  t.is(done.status, 200);
  const doc = readDoc(done.body);
  t.regex(parmAt(doc, "TOKEN", "token")!, /^[0-9a-f]{32}$/);
  t.is(parmAt(doc, "APPLICATION", "CompanionAppEligibility"), "1", "the first request is answered once authenticated");
  t.is(relay(encodeEap(resp)).status, 403, "the same answer again finds no challenge waiting");
});

test("R8: EAP-AKA: a wrong AT_MAC or AT_RES from the client is EAP-Failure and HTTP 403, with no token", (t) => {
  const { act, identity, first, relay } = setup();
  for (const spoil of ["mac", "res"]) {
    const req = decodeEap(packetOf(first()));
    const aka = act.service.usimOf(MSISDN).authenticate(value16(req, AT.RAND)!, value16(req, AT.AUTN)!);
    if (aka.kind !== "ok") return t.fail();
    const keys = deriveKeys(identity, aka.ik, aka.ck);
    const res = aka.res.slice();
    if (spoil === "res") res[0] ^= 1;
    let resp = withMac(keys.kAut, { code: EAP_CODE.response, identifier: req.identifier, subtype: AKA_SUBTYPE.challenge, attributes: [atRes(res)] });
    if (spoil === "mac") resp = { ...resp, attributes: resp.attributes.map((a) => (a.type === AT.MAC ? at16(AT.MAC, new Uint8Array(16).fill(7)) : a)) };
    const r = relay(encodeEap(resp));
    t.is(r.status, 403, spoil);
    t.is(decodeEap(packetOf(r)).code, EAP_CODE.failure, spoil);
  }
  t.is(relay(new Uint8Array([2, 1, 0, 9, 23])).status, 400, "a malformed packet");
  t.is(act.service.handle({ "eap-relay-packet": "not base64!" }).status, 400);
});

test("R8: EAP-AKA: the app refuses a challenge that is not the network's (bad AUTN, bad AT_MAC) with Authentication-Reject; the server then fails it", (t) => {
  const { act, identity, first, relay } = setup();
  for (const spoil of ["autn", "mac"]) {
    const req = decodeEap(packetOf(first()));
    const forged = {
      ...req,
      attributes: req.attributes.map((a) => {
        if (spoil === "autn" && a.type === AT.AUTN) {
          const v = value16(req, AT.AUTN)!;
          v[15] ^= 1;
          return at16(AT.AUTN, v);
        }
        if (spoil === "mac" && a.type === AT.MAC) return at16(AT.MAC, new Uint8Array(16));
        return a;
      }),
    };
    const a = answerChallenge(act.service.usimOf(MSISDN), identity, encodeEap(forged));
    t.true(a.rejected, spoil);
    t.like(decodeEap(a.packet), { code: EAP_CODE.response, subtype: AKA_SUBTYPE.authenticationReject });
    t.is(relay(a.packet).status, 403);
  }
});

test("R8: EAP-AKA: a USIM ahead of the network answers Synchronization-Failure with AT_AUTS; the server re-synchronises and the next challenge succeeds", (t) => {
  const { act, identity, first, relay } = setup();
  const usim = new Usim(act.service.relay.auc.key(phoneImsi(MSISDN)), 5000);
  const req = decodeEap(packetOf(first({ operation: "CheckEligibility" })));
  const a = answerChallenge(usim, identity, encodeEap(req));
  t.like(decodeEap(a.packet), { subtype: AKA_SUBTYPE.synchronizationFailure });
  const again = relay(a.packet);
  t.is(again.contentType, "application/vnd.gsma.eap-relay.v1.0+json", "a fresh challenge");
  t.is(act.service.relay.auc.sqnOf(phoneImsi(MSISDN)), 5001, "the AuC learnt SQN_MS from AUTS and went on above it");
  const b = answerChallenge(usim, identity, packetOf(again));
  t.false(b.rejected);
  const done = relay(b.packet);
  t.is(done.status, 200);
  t.is(parmAt(readDoc(done.body), "APPLICATION", "CompanionAppEligibility"), "1");
  // A forged AUTS changes nothing and fails the exchange.
  const req2 = decodeEap(packetOf(first()));
  const stale = new Usim(act.service.relay.auc.key(phoneImsi(MSISDN)), 999999);
  const s = decodeEap(answerChallenge(stale, identity, encodeEap(req2)).packet);
  const auts = s.attributes[0].value.slice();
  auts[13] ^= 1;
  t.is(relay(encodeEap({ ...s, attributes: [{ type: AT.AUTS, value: auts }] })).status, 403);
});

test("R8: the companion app does all this by itself: registration runs over EAP-AKA and then the token", (t) => {
  const { act } = setup();
  const app = act.app(MSISDN);
  t.true(app.checkEligibility().eligible);
  t.is(app.rejected, 0);
  t.is(act.service.relay.auc.sqnOf(phoneImsi(MSISDN)), 1, "one EAP-AKA run");
  t.true(app.checkEligibility().eligible);
  t.is(act.service.relay.auc.sqnOf(phoneImsi(MSISDN)), 1, "the token is reused: no second authentication");
});
