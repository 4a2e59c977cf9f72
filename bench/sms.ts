/**
 * SMS PDU codec speed: ours (drivers/sms) beside npm node-pdu 2 on the same messages, in the
 * same run: messages per second for encoding (text -> every part's PDU hex) and decoding
 * (hex -> fields and text). Messages are the ones gammu sent and stored in
 * test/fixtures/gammu. Not a test: nothing here asserts a speed.
 *
 *   npx tsx -e 'import("./bench/sms.ts").then(m=>m.bench())'   or   npm run bench sms
 *
 * node-pdu cuts long GSM 7-bit text into 133-septet parts with a 16-bit reference where
 * ours makes 153-septet parts, so for "long 7-bit" it builds 4 parts to our 3; the unit
 * is still one whole message.
 */
import { parse, Submit } from "node-pdu";
import { decodePdu, submitParts } from "../drivers/sms/index.js";

const TO = "+15551234567";
const SHORT = "Hello from gammu";
const JAPANESE = "こんにちは、世界。ガンムからのテストです。";
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
}

const cases: Case[] = [
  {
    name: "encode 7-bit short (16 chars)",
    ours: () => submitParts(SHORT, { to: TO })[0].hex.length,
    peer: () => new Submit(TO, SHORT).getPartStrings()[0].length,
  },
  {
    name: "encode UCS2 Japanese (21 chars)",
    ours: () => submitParts(JAPANESE, { to: TO })[0].hex.length,
    peer: () => new Submit(TO, JAPANESE).getPartStrings()[0].length,
  },
  {
    name: "encode long 7-bit (443 chars, 3 parts)",
    ours: (i) => submitParts(LONG, { to: TO, ref: i & 255 }).length,
    peer: () => new Submit(TO, LONG).getPartStrings().length,
  },
  {
    name: "decode DELIVER (4 stored PDUs, per PDU)",
    ours: (i) => (decodePdu(DELIVERS[i & 3]).text ?? "").length,
    peer: (i) => {
      const m = parse(DELIVERS[i & 3]);
      return "data" in m ? m.data.getText().length : 0;
    },
  },
];

/** Messages per second of `fn` over about `ms` milliseconds. */
function rate(fn: (i: number) => number, ms: number): number {
  let n = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(ms * 1e6);
  let now = start;
  while (now < stop) {
    for (let k = 0; k < 50; k++) sink += fn(n++);
    now = process.hrtime.bigint();
  }
  if (sink < 0) console.log(sink);
  return n / (Number(now - start) / 1e9);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export async function bench(): Promise<void> {
  const rounds = 7;
  console.log(`SMS PDU codec, messages per second (median of ${rounds} rounds of 150 ms, ours and node-pdu interleaved)`);
  console.log("case".padEnd(42) + "ours".padStart(12) + "node-pdu".padStart(12) + "ours/node-pdu".padStart(15));
  for (const c of cases) {
    rate(c.ours, 100); // warm up both
    rate(c.peer, 100);
    const ours: number[] = [];
    const peer: number[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(rate(c.ours, 150));
      peer.push(rate(c.peer, 150));
    }
    const o = median(ours);
    const p = median(peer);
    console.log(c.name.padEnd(42) + fmt(o).padStart(12) + fmt(p).padStart(12) + ((o / p).toFixed(2) + "x").padStart(15));
  }
}
