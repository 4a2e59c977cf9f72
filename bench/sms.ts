/**
 * SMS PDU codec speed: ours (drivers/sms) beside npm node-pdu 2 on the same messages, in the
 * same run: messages per second for encoding (text -> every part's PDU hex) and decoding
 * (hex -> fields and text). Not a test: nothing here asserts a speed.
 *
 *   npm run bench -- sms
 *
 * Same work on both sides: before timing, each encode case checks what both produced.
 * For one-part messages the PDUs must be the same octets (test/sms/peer-compare.test.ts
 * holds the same check); for several parts they cannot be, as node-pdu cuts text into
 * parts of 133 characters (63 in UCS2) where 23.040 allows 152 septets (66 UCS2
 * characters) beside a 16-bit reference, so there both must carry the same text in the
 * same number of parts, except the "443 chars" case, kept from earlier runs, where
 * node-pdu builds 4 parts to our 3 (said in its name).
 *
 * Timing is CPU time of this process (process.cpuUsage), not wall time, so that other
 * work on a shared machine does not land on one side; ours and node-pdu alternate in
 * rounds, and the ratio printed is the median of the per-round ratios.
 */
import { parse, Submit } from "node-pdu";
import { decodePdu, submitParts, type SmsSubmit } from "../drivers/sms/index.js";

const TO = "+15551234567";
const SHORT = "Hello from gammu";
const EXTENDED = "Price: {10} [a|b] ~x^y\\z, @home $5 _ok_";
const JAPANESE = "こんにちは、世界。ガンムからのテストです。";
const JAPANESE_126 = JAPANESE + JAPANESE + JAPANESE + JAPANESE + JAPANESE + JAPANESE;
const SENTENCE = "Part of a long message, sentence 01. ";
const TWO_PARTS = (SENTENCE + SENTENCE + SENTENCE + SENTENCE + SENTENCE + SENTENCE + SENTENCE + SENTENCE).slice(0, 266);
const LONG =
  "Part of a long message, sentence 01. Part of a long message, sentence 02. Part of a long message, sentence 03. " +
  "Part of a long message, sentence 04. Part of a long message, sentence 05. Part of a long message, sentence 06. " +
  "Part of a long message, sentence 07. Part of a long message, sentence 08. Part of a long message, sentence 09. " +
  "Part of a long message, sentence 10. Part of a long message, sentence 11. Part of a long message, sentence 12.";
// AT+CMGL=4 answer of the reference modem (gammu-getallsms.txt): 7-bit, UCS2, and a two-part 7-bit message.
const DELIVERS = [
  "07915155000000F0040B915155210300F100004250719003004013C8329BFD0699E5EF36485A3637DFE4721B",
  "07915155000000F0040B911813325476F80008425071900300401E30533093306B3061306F30014E16754C300230C630B930C8306730593002",
  "07915155000000F0440B915155210300F2000042507190030040A0050003B00201A8E8F41C949E83C2A0F1DB3D0ED3CBEE30BD4C06B5CBF379F85C06CDE96F79990C4ABB41747419242F9BCBF2B27B5C06B5DFE472DB05A2A2D373507A0E0A83C66FF7384C2FBBC3F43219D42ECFE7E1731934A7BFE5653228ED06D1D16590BC6C2ECBCBEE7119D47E93CB6D17888A4ECF41E939280C1ABFDDE330BDEC0ED3CB6450BB3C9F87CF",
  "07915155000000F0440B915155210300F200004250719003004027050003B00202CAA039FD2D2F93416937888E2E83E46573595E768FCBA0F69B5C6EBB00",
];

interface Case {
  name: string;
  /** Handles one message; returns something derived from the result so no work is skipped. */
  ours: (i: number) => number;
  peer: (i: number) => number;
  /** Encode cases: text and options, for the check that both did the same work. */
  text?: string;
  refBits?: number;
}

/**
 * Reads every PDU to its end: V8 keeps a string built by `+=` as a rope until something
 * reads it, and a modem write would, so both sides pay for flattening here.
 */
function consume(hexes: string[]): number {
  let n = 0;
  for (let k = 0; k < hexes.length; k++) n += hexes[k].length + hexes[k].charCodeAt(hexes[k].length - 1);
  return n;
}

function ourHexes(text: string, i: number, refBits?: number): string[] {
  return submitParts(text, { to: TO, ref: refBits === 16 ? i & 0xffff : i & 255, refBits: refBits }).map((p) => p.hex);
}

/** The encode cases: the recipient is TO; multi-part ones give ours the peer's 16-bit reference. */
export const ENCODE_CASES: { name: string; text: string; refBits?: number }[] = [
  { name: "encode 7-bit short (16 chars)", text: SHORT },
  { name: "encode 7-bit, extension table (40 chars)", text: EXTENDED },
  { name: "encode UCS2 Japanese (21 chars)", text: JAPANESE },
  { name: "encode 7-bit, 2 parts (266 chars)", text: TWO_PARTS, refBits: 16 },
  { name: "encode UCS2 Japanese, 2 parts (126 chars)", text: JAPANESE_126, refBits: 16 },
  { name: "encode long 7-bit (443 chars; 3 parts, node-pdu 4)", text: LONG, refBits: 8 },
];
export const BENCH_TO = TO;

const cases: Case[] = ENCODE_CASES.map(
  (e): Case => ({
    name: e.name,
    text: e.text,
    refBits: e.refBits,
    ours: (i) => consume(ourHexes(e.text, i, e.refBits)),
    peer: () => consume(new Submit(TO, e.text).getPartStrings()),
  }),
).concat([
  {
    name: "decode DELIVER (4 stored PDUs, per PDU)",
    ours: (i) => (decodePdu(DELIVERS[i & 3]).text ?? "").length,
    peer: (i) => {
      const m = parse(DELIVERS[i & 3]);
      return "data" in m ? m.data.getText().length : 0;
    },
  },
]);

/**
 * What both sides made of an encode case: "same PDUs" when every octet agrees, else the
 * parts of each (the text both carry is checked; a mismatch there stops the bench).
 */
function sameWork(c: Case): string {
  if (c.text === undefined) return "";
  const ours = ourHexes(c.text, 1, c.refBits);
  const peer = new Submit(TO, c.text).getPartStrings();
  const textOf = (hexes: string[]) => hexes.map((h) => (decodePdu(h) as SmsSubmit).text).join("");
  if (textOf(ours) !== c.text || textOf(peer) !== c.text) throw new Error(c.name + ": the PDUs do not carry the text");
  if (ours.length === 1 && peer.length === 1) {
    if (ours[0] !== peer[0]) throw new Error(c.name + ": the PDUs differ\n  ours " + ours[0] + "\n  peer " + peer[0]);
    return "same PDU";
  }
  return ours.length + " parts / " + peer.length;
}

/** Messages per second of CPU time of `fn` over about `ms` milliseconds. */
function rate(fn: (i: number) => number, ms: number): number {
  let n = 0;
  let sink = 0;
  const stop = process.hrtime.bigint() + BigInt(ms * 1e6);
  const cpu0 = process.cpuUsage();
  do {
    for (let k = 0; k < 50; k++) sink += fn(n++);
  } while (process.hrtime.bigint() < stop);
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) console.log(sink);
  return n / ((cpu.user + cpu.system) / 1e6);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export async function bench(): Promise<void> {
  const rounds = 11;
  console.log(`SMS PDU codec, messages per CPU second (median of ${rounds} rounds of 100 ms each, ours and node-pdu alternating)`);
  console.log("case".padEnd(52) + "ours".padStart(10) + "node-pdu".padStart(10) + "ours/node-pdu".padStart(15) + "   output");
  for (const c of cases) {
    const work = sameWork(c);
    rate(c.ours, 100); // warm up both
    rate(c.peer, 100);
    const ours: number[] = [];
    const peer: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const o = rate(c.ours, 100);
      const p = rate(c.peer, 100);
      ours.push(o);
      peer.push(p);
      ratios.push(o / p);
    }
    console.log(
      c.name.padEnd(52) + fmt(median(ours)).padStart(10) + fmt(median(peer)).padStart(10) + (median(ratios).toFixed(2) + "x").padStart(15) + "   " + work,
    );
  }
}
