/**
 * The simulator's own SMS codec (sim/pdu), checked against PDUs made by independent
 * implementations: gammu's SMS-SUBMITs and the reference modem's stored SMS-DELIVERs
 * (test/fixtures/gammu), plus hand-worked 23.040 / 23.038 cases and round trips.
 */
import test from "ava";
import fc from "fast-check";
import fs from "node:fs";
import { fromHex, toHex } from "../../sim/pdu/hex.js";
import { PduError } from "../../sim/pdu/errors.js";
import { isGsm7, packSeptets, septetsToText, textToSeptets, unpackSeptets } from "../../sim/pdu/gsm7.js";
import { decodeAddress, encodeAddress } from "../../sim/pdu/address.js";
import { OctetReader } from "../../sim/pdu/hex.js";
import { decodeTimestamp, encodeTimestamp } from "../../sim/pdu/scts.js";
import { encodeDeliverParts, reassemble, splitText } from "../../sim/pdu/concat.js";
import {
  decodeDeliver,
  decodeStatusReport,
  decodeSubmit,
  encodeDeliver,
  encodeStatusReport,
  encodeSubmit,
  joinAtPdu,
  splitAtPdu,
} from "../../sim/pdu/tpdu.js";
import { gammuFile as peerFile, gammuPdus } from "../support/transcripts.js";

interface PduVector {
  number: string;
  dcs: number;
  udh: string;
  concat: [number, number, number] | null;
  text: string;
}

function vectors(name: string): PduVector[] {
  return fs
    .readFileSync(peerFile(name), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as PduVector);
}

for (const session of ["short", "long", "unicode", "unicode-long"]) {
  test(`decodes the SMS-SUBMITs gammu sent (sendsms-${session})`, (t) => {
    const pdus = gammuPdus("gammu-sendsms-" + session + ".txt");
    const expected = vectors("gammu-sendsms-" + session + ".pdus.jsonl");
    t.is(pdus.length, expected.length);
    pdus.forEach((hex, i) => {
      const p = splitAtPdu(hex);
      t.is(p.smsc && p.smsc.number, "+15550000000");
      const s = decodeSubmit(p.tpdu);
      const v = expected[i];
      t.is(s.to.number, v.number);
      t.is(s.dcs, v.dcs);
      t.is(s.userData.text, v.text);
      t.deepEqual(s.userData.concat ? [s.userData.concat.ref, s.userData.concat.total, s.userData.concat.seq] : null, v.concat);
      t.is(s.validity && s.validity.kind, "relative");
    });
  });
}

test("re-encodes the reference modem's stored SMS-DELIVERs byte for byte (7-bit, UCS2, concatenated)", (t) => {
  const listing = fs.readFileSync(peerFile("gammu-getallsms.txt"), "utf8");
  const pdus = listing.match(/\\r\\n([0-9A-F]{40,})/g)!.map((m) => m.slice(4));
  t.is(pdus.length, 4);
  const texts: string[] = [];
  for (const hex of pdus) {
    const p = splitAtPdu(hex);
    const d = decodeDeliver(p.tpdu);
    texts.push(d.userData.text);
    const again = encodeDeliver({ from: d.from.number, text: d.userData.text, alphabet: d.userData.alphabet, scts: d.scts, concat: d.userData.concat });
    t.is(joinAtPdu(p.smsc!.number, again), hex);
  }
  t.is(texts[0], "Hello from RefModem");
  t.is(texts[1], "こんにちは、世界。テストです。");
  const joined = reassemble(
    pdus.slice(2).map((h) => {
      const d = decodeDeliver(splitAtPdu(h).tpdu);
      return { peer: d.from.number, concat: d.userData.concat, text: d.userData.text };
    }),
  );
  t.is(joined.length, 1);
  t.true(joined[0].complete);
  t.true(joined[0].text.endsWith("stored in the reference modem."));
});

test("GSM 7-bit: extension characters take an escape, the Greek capitals and € map both ways", (t) => {
  t.deepEqual(textToSeptets("a€[Δ"), [0x61, 0x1b, 0x65, 0x1b, 0x3c, 0x10]);
  t.is(septetsToText([0x61, 0x1b, 0x65, 0x1b, 0x3c, 0x10]), "a€[Δ");
  // An escape before a code the extension table lacks shows the default character (23.038 §6.2.1.1).
  t.is(septetsToText([0x1b, 0x41]), "A");
  t.true(isGsm7("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~]|€\f"));
  t.false(isGsm7("あ"));
  t.throws(() => textToSeptets("x—y"), { name: "PduError", message: /U\+2014 at 1/ });
});

test("GSM 7-bit packing: the 23.038 example 'hellohello' and fill bits after a header", (t) => {
  t.is(toHex(packSeptets(textToSeptets("hellohello"), 0)), "E8329BFD4697D9EC37");
  const packed = packSeptets(textToSeptets("Hi"), 1);
  t.deepEqual(unpackSeptets(packed, 1, 2), textToSeptets("Hi"));
  t.throws(() => unpackSeptets([0x41], 0, 3), { name: "PduError" });
});

test("addresses: international, national, alphanumeric, and * # digits", (t) => {
  t.is(toHex(encodeAddress("+819012345678")), "0C91180921436587");
  const cases = ["+819012345678", "09012345678", "*103*1#", "SHAREDLINE"];
  for (const n of cases) {
    const d = decodeAddress(new OctetReader(encodeAddress(n)), "TP-OA");
    t.is(d.number, n);
  }
  t.is(toHex(encodeAddress("+15551234567")), "0B915155214365F7");
  t.is(encodeAddress("SHAREDLINE")[1], 0xd0);
  t.throws(() => encodeAddress("+81-90"), { name: "PduError" });
});

test("timestamps carry the sender's zone, negative zones have the sign bit", (t) => {
  const jst = encodeTimestamp({ time: Date.UTC(2026, 0, 1, 0, 0, 0), tzQuarters: 36 });
  t.is(toHex(jst), "62101090000063");
  t.deepEqual(decodeTimestamp(jst), { time: Date.UTC(2026, 0, 1, 0, 0, 0), tzQuarters: 36 });
  const west = encodeTimestamp({ time: Date.UTC(2026, 6, 4, 12, 30, 15), tzQuarters: -20 });
  t.is(west[6], 0x0a);
  t.deepEqual(decodeTimestamp(west), { time: Date.UTC(2026, 6, 4, 12, 30, 15), tzQuarters: -20 });
});

test("splitting: 160/153 septets, 70/67 UCS2 units, no escape or surrogate pair cut in two", (t) => {
  t.is(splitText("a".repeat(160)).length, 1);
  t.deepEqual(splitText("a".repeat(161)).map((p) => p.length), [153, 8]);
  // 152 septets then '€' (2 septets) does not fit in 153: it moves to the next part.
  t.deepEqual(splitText("a".repeat(152) + "€b" + "c".repeat(10)).map((p) => p.length), [152, 12]);
  t.is(splitText("あ".repeat(70)).length, 1);
  t.deepEqual(splitText("あ".repeat(71)).map((p) => p.length), [67, 4]);
  const emoji = "あ".repeat(66) + "😀" + "い";
  const parts = splitText(emoji + "う".repeat(10));
  t.is(parts[0], "あ".repeat(66));
  t.true(parts[1].startsWith("😀"));
  t.deepEqual(splitText("x".repeat(300), "gsm7", 16).map((p) => p.length), [152, 148]);
});

test("reassembly in any order, a repeated part kept once, incomplete messages flagged", (t) => {
  const c = (seq: number) => ({ ref: 7, total: 3, seq, bits: 8 as const });
  const out = reassemble([
    { peer: "+1", concat: c(3), text: "C" },
    { peer: "+1", concat: c(1), text: "A" },
    { peer: "+2", text: "single" },
    { peer: "+1", concat: c(1), text: "A" },
    { peer: "+1", concat: c(2), text: "B" },
    { peer: "+3", concat: { ref: 7, total: 2, seq: 2, bits: 8 }, text: "tail" },
  ]);
  t.deepEqual(
    out.map((m) => [m.peer, m.text, m.complete]),
    [
      ["+1", "ABC", true],
      ["+2", "single", true],
      ["+3", "tail", false],
    ],
  );
});

test("status report round trip (TP-MR, TP-RA, TP-ST)", (t) => {
  const tpdu = encodeStatusReport({
    messageRef: 42,
    recipient: "+819087654321",
    scts: { time: Date.UTC(2026, 1, 2, 3, 4, 5), tzQuarters: 36 },
    dischargeTime: { time: Date.UTC(2026, 1, 2, 3, 4, 9), tzQuarters: 36 },
    status: 0,
  });
  t.is(tpdu[0] & 3, 2);
  const r = decodeStatusReport(tpdu);
  t.is(r.messageRef, 42);
  t.is(r.recipient.number, "+819087654321");
  t.is(r.status, 0);
  t.is(r.dischargeTime.time - r.scts.time, 4000);
});

test("malformed PDUs fail with a PduError naming the field", (t) => {
  t.throws(() => fromHex("0A1"), { name: "PduError", message: /odd number/ });
  t.throws(() => fromHex("0G"), { name: "PduError", message: /not a hex digit/ });
  const good = fromHex(gammuPdus("gammu-sendsms-short.txt")[0]).slice(8);
  const truncated = good.slice(0, good.length - 3);
  t.throws(() => decodeSubmit(truncated), { name: "PduError", message: /TP-UDL/ });
  const extra = good.concat([0x00]);
  t.throws(() => decodeSubmit(extra), { name: "PduError", message: /TP-UDL/ });
  t.throws(() => decodeSubmit([0x11, 0x00]), { name: "PduError", message: /TP-DA/ });
  t.throws(() => decodeDeliver(good), { name: "PduError", message: /not SMS-DELIVER/ });
  const e = t.throws(() => decodeSubmit(truncated));
  t.true(PduError.is(e) && e.field === "TP-UDL");
});

test("encodeSubmit and decodeSubmit agree (client side used by modem tests)", (t) => {
  const tpdu = encodeSubmit({ to: "+819012345678", text: "Grüße {ok}", messageRef: 9, statusReportRequest: true, validity: 167 });
  const s = decodeSubmit(tpdu);
  t.is(s.userData.text, "Grüße {ok}");
  t.true(s.statusReportRequest);
  t.is(s.messageRef, 9);
  t.deepEqual(s.validity, { kind: "relative", octet: 167 });
});

const gsmChars = "@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà^{}\\[~]|€";

test("property: any text survives DELIVER parts, decoding and reassembly", (t) => {
  const text = fc.oneof(
    fc.array(fc.constantFrom(...gsmChars.split("")), { maxLength: 700 }).map((a) => a.join("")),
    fc.string({ unit: "grapheme", maxLength: 300 }),
  );
  fc.assert(
    fc.property(text, fc.integer({ min: 0, max: 255 }), (body, ref) => {
      const parts = encodeDeliverParts({ from: "+819011112222", text: body, scts: { time: Date.UTC(2026, 0, 1), tzQuarters: 36 } }, ref);
      const decoded = parts.map((p) => decodeDeliver(p));
      for (const p of parts) if (p.length > 164) return false;
      const msgs = reassemble(decoded.map((d) => ({ peer: d.from.number, concat: d.userData.concat, text: d.userData.text })));
      return msgs.length === 1 && msgs[0].complete && msgs[0].text === body;
    }),
    { numRuns: 300 },
  );
  t.pass();
});
