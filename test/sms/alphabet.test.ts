/**
 * The alphabets (23.038 §6.2.1 default alphabet and extension table, §6.2.3 UCS2), septet
 * packing with fill bits (23.038 §6.1.2.1.1, 23.040 §9.2.3.24), and the text module that
 * builds strings the same way on Node and Espruino (drivers/sms/text.ts).
 */
import test from "ava";
import { decodeGsm7, encodeGsm7, gsm7Code, packSeptets, unpackSeptets } from "../../drivers/sms/gsm7.js";
import { decodeUcs2, encodeUcs2 } from "../../drivers/sms/ucs2.js";
import { codePointsOf, stringFromCodePoints, textEngine, utf8ByteString, utf8Decode } from "../../drivers/sms/text.js";
import { encodeUserData } from "../../drivers/sms/userdata.js";
import { dcsFor } from "../../drivers/sms/dcs.js";
import { bytesToHex } from "../../drivers/sms/hex.js";

// 23.038 §6.2.1, row by row (0x1B is the escape and has no character of its own).
const DEFAULT_ALPHABET =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

test("GSM 7-bit: every default-alphabet character is its own septet, both ways", (t) => {
  t.is(DEFAULT_ALPHABET.length, 128);
  for (let s = 0; s < 128; s++) {
    const cp = DEFAULT_ALPHABET.codePointAt(s)!;
    t.deepEqual(decodeGsm7(new Uint8Array([s])), s === 0x1b ? [0x20] : [cp], `septet ${s}`);
    if (s !== 0x1b) t.is(gsm7Code(cp), s, `U+${cp.toString(16)}`);
  }
  t.is(gsm7Code(0x1b), -1, "a raw ESC in text is not sent");
});

test("GSM 7-bit: the extension table is ESC + one septet, each counting two", (t) => {
  const ext: [string, number][] = [["\f", 0x0a], ["^", 0x14], ["{", 0x28], ["}", 0x29], ["\\", 0x2f], ["[", 0x3c], ["~", 0x3d], ["]", 0x3e], ["|", 0x40], ["€", 0x65]];
  for (const [ch, x] of ext) {
    const e = encodeGsm7(codePointsOf(ch));
    t.deepEqual([...e.septets], [0x1b, x], ch);
    t.is(stringFromCodePoints(decodeGsm7(e.septets)), ch);
  }
});

test("GSM 7-bit: characters outside both tables are reported by position, never dropped silently", (t) => {
  const e = encodeGsm7(codePointsOf("aé`ç€あ"));
  t.deepEqual(e.bad, [2, 3, 5]); // ` (not in 23.038), ç (only Ç is), あ
  t.is(stringFromCodePoints(decodeGsm7(e.septets)), "aé€");
});

test("GSM 7-bit decode: undefined escapes show the default character, ESC ESC and a last ESC a space", (t) => {
  // 23.038 §6.2.1.1: no symbol in the extension table -> the default table's character.
  t.is(stringFromCodePoints(decodeGsm7(new Uint8Array([0x1b, 0x41, 0x1b, 0x1b, 0x42, 0x1b]))), "A B ");
});

test("septet packing: 'hellohello' packs to the well-known E8329BFD4697D9EC37", (t) => {
  const s = encodeGsm7(codePointsOf("hellohello")).septets;
  const out = new Uint8Array(9);
  packSeptets(s, out, 0);
  t.is(bytesToHex(out), "E8329BFD4697D9EC37");
  t.deepEqual(unpackSeptets(out, 0, 10), s);
});

test("septet packing: 8 septets fill 7 octets; 7 leave one bit over", (t) => {
  const eight = new Uint8Array(7);
  packSeptets(encodeGsm7(codePointsOf("abcdefgh")).septets, eight, 0);
  t.is(bytesToHex(eight), "61F1985C369FD1");
  const seven = new Uint8Array(7);
  packSeptets(encodeGsm7(codePointsOf("abcdefg")).septets, seven, 0);
  t.is(bytesToHex(seven), "61F1985C369F01");
});

test("fill bits: after a 6-octet UDH the text starts at septet 7 (one fill bit)", (t) => {
  const e = encodeUserData(dcsFor("gsm7", null), [{ iei: 0, data: "010201" }], encodeGsm7(codePointsOf("Hi")).septets);
  t.is(e.udl, 9); // 7 header septets + 2
  // 'H' (0x48) starts at bit 49 = octet 6 bit 1: 0x90; its top bit and 'i' follow.
  t.is(bytesToHex(e.octets), "05000301020190" + "69");
});

test("fill bits: a 7-octet UDH (16-bit reference) takes 8 septets, no fill bits", (t) => {
  const e = encodeUserData(dcsFor("gsm7", null), [{ iei: 8, data: "12340201" }], encodeGsm7(codePointsOf("Hi")).septets);
  t.is(e.udl, 10);
  t.is(bytesToHex(e.octets), "06080412340201" + "C834"); // "Hi" packed from octet 7, as at the start of a PDU
});

test("UCS2: big-endian units, astral characters as surrogate pairs", (t) => {
  t.is(bytesToHex(encodeUcs2(codePointsOf("あ😀")).bytes), "3042D83DDE00");
  t.deepEqual(decodeUcs2(new Uint8Array([0x30, 0x42, 0xd8, 0x3d, 0xde, 0x00])), [0x3042, 0x1f600]);
  // A lone surrogate stays a code point so that reassembly can pair it with its other half.
  t.deepEqual(decodeUcs2(new Uint8Array([0x00, 0x41, 0xd8, 0x3d])), [0x41, 0xd83d]);
  t.deepEqual(encodeUcs2([0x41, 0xd83d, 0x110000]).bad, [1, 2]);
});

test("text: Node is detected as a UTF-16 engine", (t) => {
  t.is(textEngine, "utf16");
});

test("text: code points of astral characters are one each; strings rebuilt as surrogate pairs on Node", (t) => {
  t.deepEqual(codePointsOf("a😀b日"), [0x61, 0x1f600, 0x62, 0x65e5]);
  const s = stringFromCodePoints([0x1f600]);
  t.is(s, "\ud83d\ude00");
  t.is(s.length, 2);
  t.is(stringFromCodePoints([0x61, 0x3042, 0x1f44d, 0xe9]), "aあ👍é");
  t.deepEqual(codePointsOf("\ud83d"), [0xd83d], "a lone surrogate is passed through");
  t.is(stringFromCodePoints([-1, 0x110000]), "\ufffd\ufffd");
  const long = Array.from({ length: 5000 }, (_, i) => 0x3000 + (i % 200));
  t.deepEqual(codePointsOf(stringFromCodePoints(long)), long, "built in chunks past argument limits");
});

test("text: the UTF-8 byte strings the Espruino path builds for E.asUTF8, and reads back", (t) => {
  t.is(utf8ByteString([0x41, 0xe9, 0x3042, 0x1f600]), "A\xC3\xA9\xE3\x81\x82\xF0\x9F\x98\x80");
  t.deepEqual(utf8Decode("A\xC3\xA9\xE3\x81\x82\xF0\x9F\x98\x80"), [0x41, 0xe9, 0x3042, 0x1f600]);
  t.deepEqual(utf8Decode("\xED\xA0\xBD"), [0xd83d], "a surrogate as Espruino encodes it");
  for (const bad of ["\xC0\x80", "\xE3\x81", "\x80", "\xF5\x80\x80\x80", "\xE0\x80\x80", "\u3042"]) {
    t.is(utf8Decode(bad), null, JSON.stringify(bad));
  }
});
