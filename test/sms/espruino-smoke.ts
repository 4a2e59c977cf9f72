/**
 * A script that exercises the SMS codec the same way on Node and on Espruino; the test in
 * espruino.test.ts bundles it (esbuild, iife, ES2015) and compares what both engines print.
 * Written in Espruino's subset, and careful with its own strings: no astral literals
 * (esbuild turns them into `\u{...}`, which Espruino rejects) and no `String.repeat` on
 * non-ASCII text (Espruino 2v29's `repeat` drops the UTF-8 flag) except where that is
 * what is tested.
 */
import {
  Reassembler,
  PduError,
  UnencodableTextError,
  codePointsOf,
  decodePdu,
  deliverParts,
  encodeDeliver,
  encodeStatusReport,
  encodeSubmit,
  sctsToIso,
  stringFromCodePoints,
  submitParts,
  textEngine,
  type SmsPdu,
  type SmsDeliver,
  type AssembledMessage,
} from "../../drivers/sms/index.js";

declare const print: ((s: string) => void) | undefined;

const out: string[] = [];
function say(label: string, v: unknown): void {
  out.push(label + " " + JSON.stringify(v));
}
function rep(x: string, n: number): string {
  let r = "";
  for (let i = 0; i < n; i++) r = r + x;
  return r;
}
function reencode(m: SmsPdu): string {
  return m.type === "submit" ? encodeSubmit(m).hex : m.type === "deliver" ? encodeDeliver(m).hex : encodeStatusReport(m).hex;
}

say("engine", textEngine);

const vectors = [
  "07915155000000F011000B915155214365F70000FF10C8329BFD0699E5EF36E81C6EB7EB",
  "07915155000000F0040B911813325476F80008425071900300401E30533093306B3061306F30014E16754C300230C630B930C8306730593002",
  "07915155000000F0440B915155210300F200004250719003004027050003B00202CAA039FD2D2F93416937888E2E83E46573595E768FCBA0F69B5C6EBB00",
  "07911326060032F0060D0B911326880736F4111011719551401110117195714000",
  "0006420B915155214365F74250719003000A4250719013500A410402C834",
  "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37",
];
for (let i = 0; i < vectors.length; i++) {
  const m = decodePdu(vectors[i]);
  say("vector" + i, [m.type, m.text === null ? null : codePointsOf(m.text), reencode(m) === vectors[i], m.type !== "submit" ? sctsToIso(m.timestamp) : null]);
}

// Engine-specific by design: an astral character is 2 units on Node, 1 character on Espruino.
const EMOJI = stringFromCodePoints([0x1f600]);
const mixed = stringFromCodePoints([0x61, 0x1f600, 0x3042, 0xe9]);
say("astral", [mixed.length, mixed.charCodeAt(1), JSON.parse('"\\ud83d\\ude00"').length]);
say("codepoints", [codePointsOf(mixed), codePointsOf(JSON.parse('"x\\ud83d\\ude00y"')), codePointsOf("\u3042\u00e9")]);
// Deliberately through `repeat`, which hands back UTF-8 bytes without the flag on Espruino.
say("unflagged", [codePointsOf("\u20ac\u3042".repeat(2)), codePointsOf(String.fromCharCode(0xe9, 0x41))]);

const texts = ["Hello €[x] è£", "日本語のテキスト" + EMOJI + "です", rep("a", 170), rep("あ", 66) + EMOJI + rep("い", 5), rep("€", 81), rep("Hi {there} @home, ", 25)];
for (let i = 0; i < texts.length; i++) {
  const parts = submitParts(texts[i], { to: "+819012345678", ref: 7, statusReport: true, validityMinutes: 1440 });
  const hexes: string[] = [];
  let back = "";
  for (let k = 0; k < parts.length; k++) {
    hexes.push(parts[k].tpduLength + ":" + parts[k].hex);
    back = back + decodePdu(parts[k].hex).text;
  }
  say("encode" + i, hexes);
  say("roundtrip" + i, back === texts[i]);
  // submitParts writes the hex itself; encodeSubmit from the part's fields must agree.
  let same = true;
  for (let k = 0; k < parts.length; k++) same = same && encodeSubmit(parts[k].submit).hex === parts[k].hex;
  say("general" + i, same);
}

const long = rep("The quick brown fox " + EMOJI + " ", 8);
const T0 = { year: 2024, month: 5, day: 17, hour: 9, minute: 30, second: 0, offsetMinutes: -570 };
const dp = deliverParts(long, { from: { type: "alphanumeric", npi: 0, number: "InfoSMS" }, timestamp: T0, ref: 300, refBits: 16 });
const r = new Reassembler({ timeoutMs: 1000 });
const order = [2, 0, 2, 1];
const got: AssembledMessage[] = [];
for (let k = 0; k < order.length; k++) {
  const o = r.add(decodePdu(dp[order[k]].hex) as SmsDeliver, k);
  for (let j = 0; j < o.length; j++) got.push(o[j]);
}
say("reassembled", [dp.length, got.length, got[0].status, got[0].text === long, got[0].peer.number]);
// More than 256 characters: one String.fromCharCode.apply is limited to 256 on Espruino.
const ascii = rep("Three parts of plain ASCII. ", 15);
const r3 = new Reassembler({ timeoutMs: 1000 });
const dp3 = deliverParts(ascii, { from: "+15551234567", timestamp: T0, ref: 9 });
let whole: AssembledMessage[] = [];
for (let k = 0; k < dp3.length; k++) whole = whole.concat(r3.add(decodePdu(dp3[k].hex) as SmsDeliver, k));
say("long ascii", [ascii.length, dp3.length, whole.length, whole.length ? whole[0].text === ascii : false]);
const r2 = new Reassembler({ timeoutMs: 1000 });
r2.add(decodePdu(dp[0].hex) as SmsDeliver, 0);
const ex = r2.expire(1000);
say("expired", [ex.length, ex[0].status, ex[0].missing]);

const bad = ["", "0G", "0004", "0004048121430000A250719003004002C834", "0011", "004404812143000842507190030040" + "06050004010201"];
for (let i = 0; i < bad.length; i++) {
  try {
    decodePdu(bad[i]);
    say("bad" + i, "no error");
  } catch (e) {
    const pe = e as { name: string; field: string; offset: number };
    say("bad" + i, [PduError.is(e), e instanceof Error, pe.name, pe.field, pe.offset]);
  }
}
try {
  submitParts("a日", { to: "+1", encoding: "gsm7" });
} catch (e) {
  say("unencodable", [UnencodableTextError.is(e), (e as { codePoints: number[] }).codePoints]);
}

// A reassembled message of three UCS-2 parts is 150+ characters, 450+ UTF-8 bytes: more
// than the 256 arguments Espruino's Function.apply takes.
const cps: number[] = [];
for (let i = 0; i < 600; i++) cps.push(i % 3 === 0 ? 0x3042 : 0x61 + (i % 26));
const wide = stringFromCodePoints(cps);
say("wide", [codePointsOf(wide).join(",") === cps.join(","), codePointsOf(stringFromCodePoints(cps.slice(0, 300).map((c) => c & 0x7f))).length]);

const text = "RESULT\n" + out.join("\n") + "\nEND";
if (typeof print === "function") print(text);
else console.log(text);
