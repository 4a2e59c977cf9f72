/**
 * Field codecs one by one: addresses (23.040 §9.1.2.5), time stamps (§9.2.3.11), DCS
 * (23.038 §4), validity periods (§9.2.3.12), user data headers (§9.2.3.24). Expected octets
 * are worked out by hand from the clauses cited.
 */
import test from "ava";
import { Cursor } from "../../drivers/sms/cursor.js";
import { decodeAddress, decodeSmsc, encodeAddress, encodeSmsc, parseNumber } from "../../drivers/sms/address.js";
import { decodeScts, encodeScts, sctsFromEpochMs, sctsToEpochMs, sctsToIso } from "../../drivers/sms/scts.js";
import { decodeDcs, dcsFor } from "../../drivers/sms/dcs.js";
import { relativeVpFor, relativeVpMinutes } from "../../drivers/sms/vp.js";
import { concatOf, decodeUdh, encodeUdh } from "../../drivers/sms/udh.js";
import { bytesToHex, hexToBytes } from "../../drivers/sms/hex.js";
import { SmsEncodeError, type SmsAddress, type Scts } from "../../drivers/sms/index.js";

function cursor(hex: string): Cursor {
  return new Cursor(hexToBytes(hex), 0);
}

const addressCases: { name: string; a: SmsAddress; hex: string }[] = [
  { name: "international, odd digit count (F filler)", a: { type: "international", npi: 1, number: "+15551234567" }, hex: "0B915155214365F7" },
  { name: "international, even digit count", a: { type: "international", npi: 1, number: "+819012345678" }, hex: "0C91180921436587" },
  { name: "national (type 010)", a: { type: "national", npi: 1, number: "09012345678" }, hex: "0BA19010325476F8" },
  { name: "unknown type", a: { type: "unknown", npi: 1, number: "1234" }, hex: "04812143" },
  { name: "* and # (1010, 1011)", a: { type: "unknown", npi: 1, number: "*123#" }, hex: "05811A32FB" },
  { name: "a b c (1100..1110)", a: { type: "unknown", npi: 0, number: "1abc" }, hex: "0480C1ED" },
  { name: "alphanumeric, 7 characters (13 semi-octets)", a: { type: "alphanumeric", npi: 0, number: "InfoSMS" }, hex: "0DD049B7F93D6D4E01" },
  { name: "alphanumeric, 4 characters", a: { type: "alphanumeric", npi: 0, number: "Bank" }, hex: "07D0C2B07B0D" },
  { name: "alphanumeric with @ (septet 0) inside", a: { type: "alphanumeric", npi: 0, number: "A@B" }, hex: "06D0418010" },
];

for (const c of addressCases) {
  test(`address: ${c.name}`, (t) => {
    t.is(bytesToHex(encodeAddress(c.a, "TP-DA")), c.hex);
    const cur = cursor(c.hex);
    t.deepEqual(decodeAddress(cur, "TP-OA"), c.a);
    t.is(cur.remaining(), 0);
  });
}

test("address: parseNumber reads + as international, drops blanks and dashes, refuses the rest", (t) => {
  t.deepEqual(parseNumber("+81 90-1234-5678", "to"), { type: "international", npi: 1, number: "+819012345678" });
  t.deepEqual(parseNumber("0312345678", "to"), { type: "unknown", npi: 1, number: "0312345678" });
  t.deepEqual(parseNumber("*31#090", "to"), { type: "unknown", npi: 1, number: "*31#090" });
  t.deepEqual(parseNumber("+1ABC", "to"), { type: "international", npi: 1, number: "+1abc" }, "a b c kept, in lower case");
  t.is(parseNumber("+" + "9".repeat(20), "to").number.length, 21, "20 digits after + are allowed");
  for (const bad of ["", "+", "++1", "12+34", "0x12", "1".repeat(21), "+" + "1".repeat(21), "12;ATD"]) {
    const e = t.throws(() => parseNumber(bad, "to"));
    t.true(SmsEncodeError.is(e), bad);
    t.is((e as unknown as { field: string }).field, "to");
  }
});

test("address: + only in front of an international number; a-c in either case; 20 digits at most", (t) => {
  t.throws(() => encodeAddress({ type: "unknown", npi: 1, number: "+123" }, "TP-DA"), { message: /must be international/ });
  t.throws(() => encodeAddress({ type: "international", npi: 1, number: "+1+2" }, "TP-DA"), { message: /"\+" cannot be in a phone number/ });
  t.is(bytesToHex(encodeAddress({ type: "unknown", npi: 0, number: "1ABC" }, "TP-DA")), "0480C1ED");
  t.is(bytesToHex(encodeAddress({ type: "international", npi: 1, number: "+" + "1".repeat(20) }, "TP-DA")), "1491" + "11".repeat(10));
  t.throws(() => encodeAddress({ type: "international", npi: 1, number: "+" + "1".repeat(21) }, "TP-DA"), { message: /21 digits, at most 20/ });
});

test("address: an alphanumeric address outside GSM 7-bit or over 11 septets is refused", (t) => {
  t.throws(() => encodeAddress({ type: "alphanumeric", npi: 0, number: "日本" }, "TP-OA"), { message: /U\+65E5/ });
  t.throws(() => encodeAddress({ type: "alphanumeric", npi: 0, number: "TwelveChars!" }, "TP-OA"), { message: /12 septets/ });
  t.notThrows(() => encodeAddress({ type: "alphanumeric", npi: 0, number: "ElevenChars" }, "TP-OA"));
});

test("SMSC field: 00 for none; length counts octets with the type octet", (t) => {
  t.deepEqual(encodeSmsc(null), [0]);
  t.is(bytesToHex(encodeSmsc({ type: "international", npi: 1, number: "+15550000000" })), "07915155000000F0");
  t.is(bytesToHex(encodeSmsc({ type: "international", npi: 1, number: "+4412345678" })), "06914421436587");
  t.is(decodeSmsc(cursor("00")), null);
  t.deepEqual(decodeSmsc(cursor("07915155000000F0")), { type: "international", npi: 1, number: "+15550000000" });
  t.deepEqual(decodeSmsc(cursor("06914421436587")), { type: "international", npi: 1, number: "+4412345678" });
});

const tz = (offsetMinutes: number): Scts => ({ year: 2024, month: 5, day: 17, hour: 9, minute: 30, second: 0, offsetMinutes });

test("time stamp: semi-octets swapped, zone in quarter hours with the sign in bit 3", (t) => {
  const cases: [number, string, string][] = [
    [60, "42507190030040", "+01:00"],
    [540, "42507190030063", "+09:00"], // 36 quarters: tens 3, units 6 -> 0x63
    [-300, "4250719003000A", "-05:00"], // 20 quarters: tens 2 | sign 8 = 0xA, units 0
    [-570, "4250719003008B", "-09:30"], // 38 quarters: tens 3 | 8 = 0xB, units 8
    [345, "42507190030032", "+05:45"], // 23 quarters
    [0, "42507190030000", "+00:00"],
  ];
  for (const [off, hex, iso] of cases) {
    t.is(bytesToHex(encodeScts(tz(off), "TP-SCTS")), hex, `${off}`);
    t.deepEqual(decodeScts(cursor(hex), "TP-SCTS"), tz(off));
    t.is(sctsToIso(tz(off)), "2024-05-17T09:30:00" + iso);
  }
});

test("time stamp: to and from epoch milliseconds, with the zone applied", (t) => {
  t.is(sctsToEpochMs(tz(60)), Date.UTC(2024, 4, 17, 8, 30, 0));
  t.is(sctsToEpochMs(tz(-570)), Date.UTC(2024, 4, 17, 19, 0, 0));
  t.deepEqual(sctsFromEpochMs(Date.UTC(2024, 4, 17, 8, 30, 0), 60), tz(60));
  t.deepEqual(sctsFromEpochMs(Date.UTC(2000, 1, 29, 23, 59, 59), -60), { year: 2000, month: 2, day: 29, hour: 22, minute: 59, second: 59, offsetMinutes: -60 });
  t.deepEqual(sctsFromEpochMs(Date.UTC(2024, 11, 31, 23, 0, 0), 120), { year: 2025, month: 1, day: 1, hour: 1, minute: 0, second: 0, offsetMinutes: 120 });
});

test("time stamp: encoding refuses what the field cannot hold", (t) => {
  for (const bad of [{ ...tz(0), offsetMinutes: 10 }, { ...tz(0), month: 13 }, { ...tz(0), year: 2100 }, { ...tz(0), offsetMinutes: 20 * 60 }]) {
    const e = t.throws(() => encodeScts(bad, "TP-SCTS"));
    t.true(SmsEncodeError.is(e));
  }
});

test("DCS: general groups, classes, automatic deletion, reserved alphabet", (t) => {
  t.like(decodeDcs(0x00), { alphabet: "gsm7", messageClass: null, compressed: false, autoDelete: false });
  t.like(decodeDcs(0x04), { alphabet: "8bit", messageClass: null });
  t.like(decodeDcs(0x08), { alphabet: "ucs2", messageClass: null });
  t.like(decodeDcs(0x10), { alphabet: "gsm7", messageClass: 0 }); // flash
  t.like(decodeDcs(0x19), { alphabet: "ucs2", messageClass: 1 });
  t.like(decodeDcs(0x16), { alphabet: "8bit", messageClass: 2 });
  t.like(decodeDcs(0x28), { alphabet: "ucs2", compressed: true });
  t.like(decodeDcs(0x48), { alphabet: "ucs2", autoDelete: true });
  t.like(decodeDcs(0x0c), { alphabet: "gsm7", reserved: true });
  t.like(decodeDcs(0x85), { alphabet: "gsm7", reserved: true });
});

test("DCS: message waiting groups 1100/1101/1110 and the data coding group 1111", (t) => {
  t.like(decodeDcs(0xc8), { alphabet: "gsm7", waiting: { store: false, active: true, kind: "voicemail" } });
  t.like(decodeDcs(0xc0), { alphabet: "gsm7", waiting: { store: false, active: false, kind: "voicemail" } });
  t.like(decodeDcs(0xd9), { alphabet: "gsm7", waiting: { store: true, active: true, kind: "fax" } });
  t.like(decodeDcs(0xda), { alphabet: "gsm7", waiting: { store: true, active: true, kind: "email" } });
  t.like(decodeDcs(0xeb), { alphabet: "ucs2", waiting: { store: true, active: true, kind: "other" } });
  t.like(decodeDcs(0xf0), { alphabet: "gsm7", messageClass: 0, waiting: null });
  t.like(decodeDcs(0xf5), { alphabet: "8bit", messageClass: 1 });
  t.is(dcsFor("gsm7", null).raw, 0x00);
  t.is(dcsFor("ucs2", null).raw, 0x08);
  t.is(dcsFor("8bit", 1).raw, 0x15);
  t.is(dcsFor("gsm7", 0).raw, 0x10);
  t.throws(() => dcsFor("gsm7", 4), { message: /class 4/ });
});

test("validity period: relative values and their minutes (23.040 §9.2.3.12.1)", (t) => {
  const cases: [number, number][] = [
    [0, 5], [143, 720], [144, 750], [167, 1440], [168, 2 * 1440], [170, 4 * 1440], [196, 30 * 1440], [197, 5 * 10080], [255, 63 * 10080],
  ];
  for (const [v, min] of cases) {
    t.is(relativeVpMinutes(v), min, `value ${v}`);
    t.is(relativeVpFor(min), v, `${min} min`);
  }
  t.is(relativeVpFor(1), 0);
  t.is(relativeVpFor(721), 144, "rounded up, never shorter than asked");
  t.is(relativeVpFor(10 ** 9), 255);
});

test("UDH: elements in and out; concatenation with 8- and 16-bit references", (t) => {
  const ies = decodeUdh(hexToBytes("0003D40301" + "080412340201" + "05040B840000"), 1);
  t.deepEqual(ies, [
    { iei: 0, data: "D40301" },
    { iei: 8, data: "12340201" },
    { iei: 5, data: "0B840000" },
  ]);
  t.is(bytesToHex(encodeUdh(ies)), "11" + "0003D40301" + "080412340201" + "05040B840000");
  t.is(bytesToHex(encodeUdh([{ iei: 0, data: "D40301" }])), "050003D40301");
  t.deepEqual(concatOf([{ iei: 0, data: "D40301" }]), { ref: 0xd4, refBits: 8, total: 3, seq: 1 });
  t.deepEqual(concatOf([{ iei: 8, data: "12340201" }]), { ref: 0x1234, refBits: 16, total: 2, seq: 1 });
  // 23.040 §9.2.3.24.1: total 0, part 0 or part > total: ignore the element.
  t.is(concatOf([{ iei: 0, data: "D40000" }]), null);
  t.is(concatOf([{ iei: 0, data: "D40300" }]), null);
  t.is(concatOf([{ iei: 0, data: "D40304" }]), null);
  // Repeated element: the last one counts.
  t.deepEqual(concatOf([{ iei: 0, data: "010201" }, { iei: 0, data: "020202" }]), { ref: 2, refBits: 8, total: 2, seq: 2 });
});
