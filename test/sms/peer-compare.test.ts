/**
 * Our codec against the npm package node-pdu (v2.1.1) on the same input.
 *
 * Where both agree, one test says so. Where they differ, each case asserts our answer,
 * which was checked by hand against 3GPP TS 23.038 / 23.040 (clause in the title), and
 * *records* node-pdu's answer, which was checked to be wrong. The test thus documents the
 * peer's bugs, and it fails when node-pdu changes its answer (fixed: then drop the case).
 */
import test from "ava";
import { parse, Submit, Deliver, utils } from "node-pdu";
import { BENCH_TO, ENCODE_CASES, compareWithPeer } from "../../bench/sms.js";
import {
  decodePdu,
  deliverParts,
  encodeDeliver,
  relativeVpMinutes,
  sctsToIso,
  submitParts,
  type Scts,
  type SmsDeliver,
  type SmsSubmit,
} from "../../drivers/sms/index.js";

const T0: Scts = { year: 2024, month: 5, day: 17, hour: 9, minute: 30, second: 0, offsetMinutes: 540 };
const FROM = "+15551234567";

/** A DELIVER whose user data body (septets or octets) and DCS are set by hand. */
function deliverWith(body: number[], dcs: number, from: string = FROM, offsetMinutes = 540): string {
  const base = deliverParts("x", { from, timestamp: { ...T0, offsetMinutes } })[0].deliver;
  return encodeDeliver({ ...base, dcs: { ...base.dcs, raw: dcs }, body: new Uint8Array(body) }).hex;
}

function peerText(hex: string): string {
  return (parse(hex) as Deliver).data.getText();
}

test("agreement: gammu's real PDUs, fill bits after a UDH, è/£, alphanumeric senders, negative zones", (t) => {
  const hexes = [
    "07915155000000F0040B915155210300F100004250719003004013C8329BFD0699E5EF36485A3637DFE4721B",
    "07915155000000F0440B915155210300F200004250719003004027050003B00202CAA039FD2D2F93416937888E2E83E46573595E768FCBA0F69B5C6EBB00",
    "07915155000000F0040B911813325476F80008425071900300401E30533093306B3061306F30014E16754C300230C630B930C8306730593002",
    ...deliverParts("è£ ¥ é ù ì ò Ç Ø å Δ Φ ß É ¡ ¿ ä € [ ] { } ~ ^ | \\", { from: FROM, timestamp: { ...T0, offsetMinutes: -300 } }).map((p) => p.hex),
    ...deliverParts("Hi", { from: { type: "alphanumeric", npi: 0, number: "InfoSMS" }, timestamp: T0 }).map((p) => p.hex),
    ...deliverParts("Hi", { from: { type: "alphanumeric", npi: 0, number: "Bank@Home" }, timestamp: T0 }).map((p) => p.hex),
    ...deliverParts("x".repeat(170), { from: FROM, timestamp: T0, ref: 0x1234, refBits: 16 }).map((p) => p.hex),
    ...deliverParts("😀 emoji 😀", { from: FROM, timestamp: T0 }).map((p) => p.hex),
  ];
  for (const hex of hexes) {
    const ours = decodePdu(hex) as SmsDeliver;
    const peer = parse(hex) as Deliver;
    t.is(peer.data.getText(), ours.text ?? "(no text)", hex);
    t.is(peer.address.phone, ours.originator.number.replace(/^\+/, ""), hex);
    t.is(peer.serviceCenterTimeStamp.tzOff, ours.timestamp.offsetMinutes, hex);
  }
});

test("peer bug, 23.038 §6.2.1: septet 0x5F is § (node-pdu decodes a backtick)", (t) => {
  const hex = deliverWith([0x61, 0x5f, 0x62], 0x00);
  t.is(decodePdu(hex).text, "a§b");
  t.is(peerText(hex), "a`b");
});

test("peer bug, 23.038 §6.2.1: § and ` on encoding (node-pdu sends § as a space and ` as §)", (t) => {
  // ` is not in the GSM 7-bit alphabet, so the text needs UCS2.
  const [ours] = submitParts("a§b`c", { to: FROM });
  const mine = decodePdu(ours.hex) as SmsSubmit;
  t.is(mine.dcs.alphabet, "ucs2");
  t.is(mine.text, "a§b`c");
  const [peerHex] = new Submit(FROM, "a§b`c").getPartStrings();
  const peer = decodePdu(peerHex) as SmsSubmit;
  t.is(peer.dcs.alphabet, "gsm7");
  t.deepEqual([...peer.body], [0x61, 0x20, 0x62, 0x5f, 0x63]);
  t.is(peer.text, "a b§c");
});

test("peer bug, 23.038 §6.2.1.1: ESC + a value not in the extension table means the default character; ESC 0x0A is a page break", (t) => {
  const hex = deliverWith([0x41, 0x1b, 0x0a, 0x42, 0x1b, 0x41], 0x00);
  t.is(decodePdu(hex).text, "A\fBA");
  t.is(peerText(hex), "A`B`");
});

test("peer bug, 23.038 §4: DCS 1101xxxx (message waiting, store) is GSM 7-bit, not UCS2", (t) => {
  const hex = deliverWith([0x48, 0x69], 0xd8);
  const ours = decodePdu(hex) as SmsDeliver;
  t.is(ours.text, "Hi");
  t.deepEqual(ours.dcs.waiting, { store: true, active: true, kind: "voicemail" });
  t.is(peerText(hex), "\uc834"); // the two packed octets C8 34 read as one UCS2 character
});

test("peer bug, 23.040 §9.1.2.3: semi-octets 1010 and 1011 are * and # (node-pdu shows A and B)", (t) => {
  const hex = deliverParts("x", { from: "*123#", timestamp: T0 })[0].hex;
  t.is((decodePdu(hex) as SmsDeliver).originator.number, "*123#");
  t.is((parse(hex) as Deliver).address.phone, "A123B");
});

test("peer bug, 23.040 §9.1.2.5: a number with * and # is BCD digits, not an alphanumeric address", (t) => {
  const ours = submitParts("Hi", { to: "*123#" })[0].hex;
  t.is(ours.slice(6, 16), "05811A32FB"); // after SMSC 00, first octet 01, MR 00: 5 digits, type 81, 1A 32 FB
  const peer = new Submit("*123#", "Hi").getPartStrings()[0];
  t.is(peer.slice(6, 10), "09D1"); // alphanumeric, 9 semi-octets of packed text
  t.like(decodePdu(peer), { destination: { type: "alphanumeric", npi: 1, number: "*123#" } });
});

test("peer bug, ISO 8601: zones that are not whole hours (+05:45, -09:30)", (t) => {
  for (const [off, iso, peerIso] of [
    [345, "2024-05-17T09:30:00+05:45", "2024-05-17T09:30:00+5.75:00"],
    [-570, "2024-05-17T09:30:00-09:30", "2024-05-17T09:30:00-9.5:00"],
  ] as const) {
    const hex = deliverWith([0x48, 0x69], 0x00, FROM, off);
    t.is(sctsToIso((decodePdu(hex) as SmsDeliver).timestamp), iso);
    t.is((parse(hex) as Deliver).serviceCenterTimeStamp.getIsoString(), peerIso);
  }
});

test("peer bug, 23.040 §9.2.3.12.1: relative validity values 144..255 decoded wrongly", (t) => {
  const at = (vp: number) => submitParts("Hi", { to: FROM, validity: { format: "relative", value: vp } })[0].hex;
  const peerSeconds = (vp: number) => (parse(at(vp)) as Submit).validityPeriod.interval;
  // 167: 12 h + 24 x 30 min = 24 h. node-pdu: 12 days + 12 h.
  t.is(relativeVpMinutes(167), 24 * 60);
  t.is(peerSeconds(167), 12.5 * 86400);
  // 170: 4 days. node-pdu: 3 days.
  t.is(relativeVpMinutes(170), 4 * 1440);
  t.is(peerSeconds(170), 3 * 86400);
  // 255: 63 weeks. node-pdu: 59 weeks.
  t.is(relativeVpMinutes(255), 63 * 7 * 1440);
  t.is(peerSeconds(255), 59 * 7 * 86400);
});

test("peer bug, 23.040 §9.2.3.12.1: relative validity above 30 days encoded wrongly or malformed", (t) => {
  const ours = (days: number) => (decodePdu(submitParts("Hi", { to: FROM, validityMinutes: days * 1440 })[0].hex) as SmsSubmit).validity;
  const peer = (days: number) => new Submit(FROM, "Hi", { validityPeriod: new utils.VP({ interval: days * 86400 }) }).toString();
  t.deepEqual(ours(35), { format: "relative", value: 197 }); // 5 weeks
  t.is(peer(35).slice(-8, -6), "C9"); // the TP-VP octet: 201 = 9 weeks
  t.deepEqual(ours(441), { format: "relative", value: 255 }); // 63 weeks
  t.is(peer(441).slice(-9, -6), "25F"); // a TP-VP of three hex digits: the PDU is not even whole octets
  t.is(peer(441).length % 2, 1);
});

test("peer bug, 23.040 §9.2.3.3: getPartStrings() writes a TP-VP without setting TP-VPF", (t) => {
  const ours = submitParts("Hi", { to: FROM, validityMinutes: 1440 })[0].hex;
  t.is(ours, "0011000B915155214365F70000A702C834");
  const peer = new Submit(FROM, "Hi", { validityPeriod: new utils.VP({ interval: 86400 }) }).getPartStrings()[0];
  t.is(peer, "0001000B915155214365F70000A702C834"); // first octet 01: no VP announced, yet A7 is there
  t.throws(() => decodePdu(peer), { message: /^TP-UDL at octet 13: 167 septets/ });
});

test("peer bug, 23.040 §9.2.3.24.1: a surrogate pair (emoji) cut between two parts", (t) => {
  const text = "あ".repeat(62) + "😀" + "い".repeat(10);
  const lastUnit = (m: SmsSubmit) => (m.body[m.body.length - 2] << 8) | m.body[m.body.length - 1];
  const ours = submitParts(text, { to: FROM, ref: 1 }).map((p) => decodePdu(p.hex) as SmsSubmit);
  t.is(ours.map((m) => m.text).join(""), text);
  t.false(ours.some((m) => lastUnit(m) >= 0xd800 && lastUnit(m) <= 0xdbff));
  const peer = new Submit(FROM, text).getPartStrings().map((h) => decodePdu(h) as SmsSubmit);
  t.is(lastUnit(peer[0]), 0xd83d, "part 1 ends with the high half of U+1F600");
  t.is((peer[1].body[0] << 8) | peer[1].body[1], 0xde00, "part 2 starts with the low half");
});

test("peer inefficiency (not wrong): node-pdu picks UCS2 or smaller parts where GSM 7-bit fits", (t) => {
  const alphabet = (hex: string) => (decodePdu(hex) as SmsSubmit).dcs.alphabet;
  t.is(alphabet(submitParts("è", { to: FROM })[0].hex), "gsm7");
  t.is(alphabet(new Submit(FROM, "è").getPartStrings()[0]), "ucs2");
  const text = "a".repeat(159) + "€"; // 161 septets
  t.is(submitParts(text, { to: FROM, ref: 1 }).length, 2);
  t.is(new Submit(FROM, text).getPartStrings().length, 3);
  const long = "x".repeat(300);
  t.is(submitParts(long, { to: FROM, ref: 1 }).length, 2); // 153 + 147
  t.is(new Submit(FROM, long).getPartStrings().length, 3); // 133 septets per part
});

test("the sms bench's encode cases: node-pdu's PDUs octet for octet, or, where it cuts parts elsewhere, the same fields and text", (t) => {
  for (const c of ENCODE_CASES) t.is(compareWithPeer(c.text), c.expect, c.name);
  // Each kind is there: one part and several parts the same octets, and a different cut.
  t.true(ENCODE_CASES.some((c) => c.expect === "same PDUs" && submitParts(c.text, { to: BENCH_TO, ref: 1 }).length === 3));
  t.true(ENCODE_CASES.some((c) => c.expect === "same fields"));
});

test("the sms bench's comparison notices a difference", (t) => {
  // 300 plain characters: 2 parts of ours, 3 of node-pdu's (see above).
  t.throws(() => compareWithPeer("x".repeat(300)), { message: /ours makes 2 parts, node-pdu 3/ });
});
