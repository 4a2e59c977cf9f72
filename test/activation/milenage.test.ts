/**
 * MILENAGE (3GPP TS 35.206) against every conformance test set of TS 35.208 §4.3, the
 * FIPS 186-2 PRF against its published example, and the AKA exchange between the
 * network's authentication centre and P's USIM (TS 33.102 §6.3), re-synchronisation
 * included. These are what the TS.43 entitlement server's EAP-AKA stands on (R8 step 1).
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { Milenage, opc } from "../../sim/entitlement/aka/milenage.js";
import { fips186Prf } from "../../sim/entitlement/aka/eap-aka.js";
import { AuthCentre, Usim } from "../../sim/entitlement/aka/auc.js";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/milenage-ts35208.json", import.meta.url), "utf8")) as {
  sets: { [k: string]: string }[];
  fips186_2_prf: { xkey: string; out40: string };
};
const hex = (s: string) => new Uint8Array(Buffer.from(s, "hex"));
const str = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("R8: MILENAGE f1, f1*, f2, f3, f4, f5, f5* and OPc match all 20 test sets of TS 35.208", (t) => {
  t.is(fixture.sets.length, 20);
  for (const s of fixture.sets) {
    const o = opc(hex(s.K), hex(s.OP));
    t.is(str(o), s.OPc, "set " + s.set + " OPc");
    const m = new Milenage(hex(s.K), o);
    const f1 = m.f1(hex(s.RAND), hex(s.SQN), hex(s.AMF));
    const r = m.f2345(hex(s.RAND));
    t.deepEqual(
      { f1: str(f1.macA), f1star: str(f1.macS), f2: str(r.res), f3: str(r.ck), f4: str(r.ik), f5: str(r.ak), f5star: str(r.akStar) },
      { f1: s.f1, f1star: s.f1star, f2: s.f2, f3: s.f3, f4: s.f4, f5: s.f5, f5star: s.f5star },
      "set " + s.set,
    );
  }
});

test("R8: MILENAGE refuses inputs of the wrong length", (t) => {
  t.throws(() => new Milenage(new Uint8Array(15), new Uint8Array(16)), { message: /K must be 16 octets/ });
  const m = new Milenage(new Uint8Array(16), new Uint8Array(16));
  t.throws(() => m.f2345(new Uint8Array(8)), { message: /RAND must be 16 octets/ });
  t.throws(() => m.f1(new Uint8Array(16), new Uint8Array(5), new Uint8Array(2)), { message: /SQN must be 6 octets/ });
});

test("R8: the FIPS 186-2 PRF of RFC 4187 Appendix A gives the published example's 40 octets", (t) => {
  t.is(str(fips186Prf(hex(fixture.fips186_2_prf.xkey), 40)), fixture.fips186_2_prf.out40);
  t.is(fips186Prf(hex(fixture.fips186_2_prf.xkey), 160).length, 160);
});

test("R8: AKA between the authentication centre and P's USIM: a fresh vector is accepted, a replayed or forged AUTN is not, and AUTS re-synchronises", (t) => {
  const auc = new AuthCentre();
  const imsi = "440109012345678";
  const usim = new Usim(auc.key(imsi));
  const v = auc.vector(imsi);
  const ok = usim.authenticate(v.rand, v.autn);
  t.is(ok.kind, "ok");
  if (ok.kind === "ok") {
    t.is(str(ok.res), str(v.xres));
    t.is(str(ok.ck), str(v.ck));
    t.is(str(ok.ik), str(v.ik));
  }
  // The same AUTN again: SQN is not fresh, the USIM asks to re-synchronise.
  const again = usim.authenticate(v.rand, v.autn);
  t.is(again.kind, "syncFailure");
  // Every bit of AUTN's MAC-A and AMF is covered (SQN bits too: a changed SQN changes the MAC input).
  for (let i = 0; i < 16; i++) {
    const bad = v.autn.slice();
    bad[i] ^= 0x01;
    t.is(usim.authenticate(v.rand, bad).kind, "macFailure", "AUTN octet " + i);
  }
  // A USIM that is ahead (it was used elsewhere): AUTS brings the AuC above it.
  const ahead = new Usim(auc.key(imsi), 1000);
  const v2 = auc.vector(imsi);
  const sync = ahead.authenticate(v2.rand, v2.autn);
  t.is(sync.kind, "syncFailure");
  if (sync.kind !== "syncFailure") return;
  const forged = sync.auts.slice();
  forged[13] ^= 1;
  t.false(auc.resynchronise(imsi, v2.rand, forged), "a wrong MAC-S changes nothing");
  t.true(auc.resynchronise(imsi, v2.rand, sync.auts));
  t.is(auc.sqnOf(imsi), 1000);
  const v3 = auc.vector(imsi);
  t.is(ahead.authenticate(v3.rand, v3.autn).kind, "ok");
});
