/**
 * Alphabet choice and splitting (23.040 §9.2.3.24.1/.8, 23.038), and the SUBMIT options
 * that `submitParts` maps onto the first octet, TP-MR, TP-PID, TP-DCS and TP-VP.
 */
import test from "ava";
import {
  decodePdu,
  splitData,
  splitText,
  submitParts,
  SmsEncodeError,
  UnencodableTextError,
  type SmsSubmit,
} from "../../drivers/sms/index.js";

const sizes = (text: string, refBits?: number) =>
  splitText(text, { ref: 1, refBits }).segments.map((s) => s.body.length);

test("GSM 7-bit: 160 septets in one part, then 153 per part (8-bit reference)", (t) => {
  t.deepEqual(sizes("a".repeat(160)), [160]);
  t.deepEqual(sizes("a".repeat(161)), [153, 8]);
  t.deepEqual(sizes("a".repeat(306)), [153, 153]);
  t.deepEqual(sizes("a".repeat(307)), [153, 153, 1]);
});

test("GSM 7-bit: 152 per part with a 16-bit reference", (t) => {
  t.deepEqual(sizes("a".repeat(161), 16), [152, 9]);
});

test("GSM 7-bit: an extension character counts two septets and is never cut from its escape", (t) => {
  t.deepEqual(sizes("€".repeat(80)), [160]);
  t.deepEqual(sizes("€".repeat(81)), [152, 10]); // 76 escapes fill 152; a 77th would need 154
  const parts = splitText("x".repeat(152) + "€" + "y".repeat(10), { ref: 9 }).segments;
  t.deepEqual(parts.map((p) => p.body.length), [152, 12]);
  t.is(parts[0].text, "x".repeat(152));
  t.is(parts[1].text, "€" + "y".repeat(10));
  t.deepEqual([...parts[1].body.slice(0, 2)], [0x1b, 0x65]);
});

test("UCS2: 70 units in one part, then 67 (8-bit reference) or 66 (16-bit)", (t) => {
  t.deepEqual(sizes("あ".repeat(70)), [140]);
  t.deepEqual(sizes("あ".repeat(71)), [134, 8]);
  t.deepEqual(sizes("あ".repeat(71), 16), [132, 10]);
});

test("UCS2: a surrogate pair counts two units and is never cut in half", (t) => {
  t.deepEqual(sizes("😀".repeat(35)), [140]);
  // 66 + 2 + 5 = 73 units: two parts; the pair would straddle units 67/68.
  const p8 = splitText("あ".repeat(66) + "😀" + "い".repeat(5), { ref: 2 }).segments;
  t.deepEqual(p8.map((p) => p.body.length), [132, 14]);
  t.is(p8[1].text, "😀" + "い".repeat(5));
  const p16 = splitText("あ".repeat(65) + "😀" + "い".repeat(5), { ref: 2, refBits: 16 }).segments;
  t.deepEqual(p16.map((p) => p.body.length), [130, 14]);
  t.is(p16[1].text, "😀" + "い".repeat(5));
});

test("the smallest alphabet is chosen: GSM 7-bit whenever it can carry the text", (t) => {
  t.is(splitText("è£ ¥ Δ € [x]").alphabet, "gsm7");
  t.is(splitText("ç").alphabet, "ucs2");
  t.is(splitText("日本").alphabet, "ucs2");
  t.is(splitText("abc", { encoding: "ucs2" }).alphabet, "ucs2");
  t.is(splitText("").segments.length, 1);
});

test("characters no alphabet can carry: a typed error listing them", (t) => {
  const forced = t.throws(() => splitText("a日b😀", { encoding: "gsm7" }));
  t.true(UnencodableTextError.is(forced));
  t.like(forced, { alphabet: "gsm7", codePoints: [0x65e5, 0x1f600], positions: [1, 3] });
  t.regex(forced!.message, /U\+65E5 U\+1F600/);
  const lone = t.throws(() => splitText("ok\ud800"));
  t.like(lone, { alphabet: "ucs2", codePoints: [0xd800], positions: [2] });
});

test("concatenation needs a reference; it is checked against its size", (t) => {
  t.like(t.throws(() => splitText("a".repeat(200))), { field: "ref" });
  t.like(t.throws(() => splitText("a".repeat(200), { ref: 256 })), { field: "ref" });
  t.notThrows(() => splitText("a".repeat(200), { ref: 65535, refBits: 16 }));
  t.like(t.throws(() => splitText("a", { refBits: 12 })), { field: "refBits" });
  t.notThrows(() => splitText("a".repeat(160)), "one part needs no reference");
});

test("at most 255 parts (or maxParts)", (t) => {
  t.is(splitText("a".repeat(153 * 255), { ref: 1 }).segments.length, 255);
  const e = t.throws(() => splitText("a".repeat(153 * 255 + 1), { ref: 1 }));
  t.true(SmsEncodeError.is(e));
  t.like(e, { field: "text" });
  t.like(t.throws(() => splitText("a".repeat(400), { ref: 1, maxParts: 2 })), { field: "text" });
});

test("8-bit data: 140 octets in one part, then 134 (133 with a 16-bit reference)", (t) => {
  const d = (n: number) => new Uint8Array(n).map((_, i) => i);
  t.deepEqual(splitData(d(140)).segments.map((s) => s.body.length), [140]);
  t.deepEqual(splitData(d(141), { ref: 3 }).segments.map((s) => s.body.length), [134, 7]);
  t.deepEqual(splitData(d(141), { ref: 3, refBits: 16 }).segments.map((s) => s.body.length), [133, 8]);
  const parts = submitParts(d(141), { to: "+15551234567", ref: 3 });
  const back = parts.map((p) => decodePdu(p.hex) as SmsSubmit);
  t.deepEqual(back.map((m) => [m.dcs.alphabet, m.text]), [["8bit", null], ["8bit", null]]);
  t.deepEqual([...back[0].body, ...back[1].body], [...d(141)]);
});

test("submitParts: options land in the right bits and fields", (t) => {
  const [p] = submitParts("Hi", {
    to: "+15551234567",
    smsc: "+15550000000",
    mr: 0x42,
    statusReport: true,
    rejectDuplicates: true,
    replyPath: true,
    pid: 0x40,
    messageClass: 0,
    validityMinutes: 24 * 60,
  });
  // SMSC 07915155000000F0 | first octet B5 = RP 80 + SRR 20 + VPF relative 10 + RD 04 + SUBMIT 01
  // | MR 42 | DA | PID 40 | DCS 10 (class 0) | VP A7 (24 h) | UDL 02 | C834
  t.is(p.hex, "07915155000000F0" + "B5420B915155214365F74010A702C834");
  t.is(p.tpduLength, 16);
  const m = decodePdu(p.hex) as SmsSubmit;
  t.like(m, { statusReportRequest: true, rejectDuplicates: true, replyPath: true, mr: 0x42, pid: 0x40, text: "Hi" });
  t.is(m.dcs.messageClass, 0);
  t.deepEqual(m.validity, { format: "relative", value: 0xa7 });
});

test("submitParts: the SMSC field is 00 by default and never counted in tpduLength", (t) => {
  const parts = submitParts("a".repeat(170), { to: "+15551234567", ref: 0x1234, refBits: 16 });
  for (const p of parts) {
    t.true(p.hex.startsWith("0041"), "empty SMSC field, then SUBMIT with TP-UDHI");
    t.is(p.tpduLength, p.hex.length / 2 - 1);
  }
  const m = decodePdu(parts[1].hex) as SmsSubmit;
  t.deepEqual(m.concat, { ref: 0x1234, refBits: 16, total: 2, seq: 2 });
});

test("submitParts: bad options are typed errors naming the field", (t) => {
  t.like(t.throws(() => submitParts("x", { to: "+1555;ATH" })), { field: "TP-DA" });
  t.like(t.throws(() => submitParts("x", { to: "+15551234567", smsc: "abc!" })), { field: "SMSC" });
  t.like(t.throws(() => submitParts("x", { to: "+15551234567", mr: 256 })), { field: "TP-MR" });
  t.like(t.throws(() => submitParts("x", { to: "+15551234567", messageClass: 5 })), { field: "TP-DCS" });
  t.like(t.throws(() => submitParts("x", { to: "+15551234567", validity: { format: "relative", value: 300 } })), { field: "TP-VP" });
});
