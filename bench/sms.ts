/**
 * SMS PDU codec speed: ours (drivers/sms) beside npm node-pdu 2 on the same messages, in the
 * same run: messages per second for encoding (text -> every part's PDU hex) and decoding
 * (hex -> fields and text). Not a test: nothing here asserts a speed.
 *
 *   npm run bench -- sms
 *
 * Same work on both sides: before timing, each encode case compares what both produced
 * (test/sms/peer-compare.test.ts runs the same comparison), and says which of two it is:
 *
 * - "same PDUs": every part is the same octets. For several parts ours is given the
 *   16-bit reference node-pdu drew (it takes Math.random()), so the headers agree too.
 * - "same fields": node-pdu cuts text into parts of 133 characters (63 in UCS2), where
 *   23.040 allows 152 septets (66 UCS2 characters) beside a 16-bit reference, so a plain
 *   multi-part text is split elsewhere; there both must make the same number of parts,
 *   each with the same fields (SMSC, first octet, TP-MR, TP-DA, TP-PID, TP-DCS, TP-VP,
 *   the concatenation reference, count and number), and carry the same text.
 *
 * The extension-table texts of several parts are made so that node-pdu's 133 characters
 * are exactly 152 septets (19 extension characters each), where the splits coincide.
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

/** 133 characters, 152 septets: 19 cells of 7 characters, one from the extension table in each. */
function extensionPart(n: number): string {
  const ext = "{}[]~^\\|"; // not €: node-pdu takes UCS2 for any character above U+00C0
  let s = "";
  for (let k = 0; k < 19; k++) s += "p" + n + "r" + (k < 10 ? "0" : "") + k + ext[(n + k) % ext.length] + " ";
  return s;
}
const EXT_TWO_PARTS = extensionPart(1) + extensionPart(2).slice(0, 90);
const EXT_THREE_PARTS = extensionPart(1) + extensionPart(2) + extensionPart(3);

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
  /** Encode cases: what the check before timing must find (see the top of this file). */
  encode?: EncodeCase;
}

export interface EncodeCase {
  name: string;
  text: string;
  /** What both sides make of it. */
  expect: "same PDUs" | "same fields";
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

/** Ours, as node-pdu makes them: one part, or parts with a 16-bit reference. */
function ourHexes(text: string, ref: number): string[] {
  const parts = submitParts(text, { to: TO, ref: ref, refBits: 16 });
  const out: string[] = [];
  for (let k = 0; k < parts.length; k++) out.push(parts[k].hex);
  return out;
}

/** The encode cases; the recipient is TO. */
export const ENCODE_CASES: EncodeCase[] = [
  { name: "encode 7-bit short (16 chars)", text: SHORT, expect: "same PDUs" },
  { name: "encode 7-bit, extension table (40 chars)", text: EXTENDED, expect: "same PDUs" },
  { name: "encode UCS2 Japanese (21 chars)", text: JAPANESE, expect: "same PDUs" },
  { name: "encode 7-bit + extension, 2 parts (223 chars)", text: EXT_TWO_PARTS, expect: "same PDUs" },
  { name: "encode 7-bit + extension, 3 parts (399 chars)", text: EXT_THREE_PARTS, expect: "same PDUs" },
  { name: "encode 7-bit, 2 parts (266 chars)", text: TWO_PARTS, expect: "same fields" },
  { name: "encode UCS2 Japanese, 2 parts (126 chars)", text: JAPANESE_126, expect: "same fields" },
];
export const BENCH_TO = TO;

/** Every field of a SUBMIT but its user data, with the concatenation information element. */
function fieldsOf(hex: string): string {
  const m = decodePdu(hex) as SmsSubmit;
  return JSON.stringify([m.smsc, m.rejectDuplicates, m.statusReportRequest, m.replyPath, m.mr, m.destination, m.pid, m.dcs, m.validity, m.concat]);
}

/**
 * What both sides make of `text`: "same PDUs" when every octet agrees, "same fields" when
 * the parts are cut elsewhere but are as many, with the same fields and the same text.
 * Anything else throws, naming the difference.
 */
export function compareWithPeer(text: string): "same PDUs" | "same fields" {
  const submit = new Submit(TO, text);
  const peer = submit.getPartStrings();
  const header = submit.data.parts[0].header;
  const ours = ourHexes(text, (header && header.getPointer()) || 0);
  if (ours.length !== peer.length) throw new Error("ours makes " + ours.length + " parts, node-pdu " + peer.length);
  const textOf = (hexes: string[]) => hexes.map((h) => (decodePdu(h) as SmsSubmit).text).join("");
  if (textOf(ours) !== text || textOf(peer) !== text) throw new Error("the PDUs do not carry the text");
  if (ours.every((h, k) => h === peer[k])) return "same PDUs";
  for (let k = 0; k < ours.length; k++) {
    const o = fieldsOf(ours[k]);
    const p = fieldsOf(peer[k]);
    if (o !== p) throw new Error("part " + (k + 1) + " differs beyond its text\n  ours " + o + "\n  peer " + p);
  }
  return "same fields";
}

const cases: Case[] = ENCODE_CASES.map(
  (e): Case => ({
    name: e.name,
    encode: e,
    ours: (i) => consume(ourHexes(e.text, i & 0xffff)),
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

/** The check before timing: both sides did what the case says, or the bench stops. */
function sameWork(c: Case): string {
  if (!c.encode) return "";
  const found = compareWithPeer(c.encode.text);
  if (found !== c.encode.expect) throw new Error(c.name + ": expected " + c.encode.expect + ", found " + found);
  return found;
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
