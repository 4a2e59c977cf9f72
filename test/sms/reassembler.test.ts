/**
 * Reassembly of concatenated SMS: any order, duplicates, expiry on the caller's clock,
 * bounded memory (PITFALLS: oFono glued parts 1,3,2 in arrival order and never expired
 * partial messages; Android dedupes on originator/reference/count/part).
 */
import test from "ava";
import {
  Reassembler,
  decodePdu,
  deliverParts,
  encodeDeliver,
  type SmsDeliver,
  type Scts,
} from "../../drivers/sms/index.js";

const T0: Scts = { year: 2024, month: 5, day: 17, hour: 9, minute: 30, second: 0, offsetMinutes: 540 };
const MIN = 60_000;

/** The parts as a modem would hand them over: encoded, then decoded from hex. */
function parts(text: string, from: string, ref: number, refBits = 8): SmsDeliver[] {
  return deliverParts(text, { from, timestamp: T0, ref, refBits }).map((p) => decodePdu(p.hex) as SmsDeliver);
}

const LONG = "The quick brown fox jumps over the lazy dog. ".repeat(8); // 360 septets: 3 parts

test("parts arriving 3,1,2 come out as one message in part order", (t) => {
  const [p1, p2, p3] = parts(LONG, "+15551230002", 7);
  const r = new Reassembler();
  t.deepEqual(r.add(p3, 0), []);
  t.deepEqual(r.add(p1, 1000), []);
  t.is(r.pendingMessages(), 1);
  t.is(r.pendingParts(), 2);
  const [m] = r.add(p2, 2000);
  t.is(m.status, "complete");
  t.is(m.text, LONG);
  t.deepEqual(m.missing, []);
  t.deepEqual(m.parts, [p1, p2, p3]);
  t.deepEqual(m.concat, { ref: 7, refBits: 8, total: 3 });
  t.is(m.firstAt, 0);
  t.is(m.peer.number, "+15551230002");
  t.is(r.pendingMessages(), 0);
  t.is(r.pendingParts(), 0);
});

test("a message that was never split is handed back at once", (t) => {
  const [p] = parts("short", "+15551230002", 0);
  const out = new Reassembler().add(p, 5);
  t.is(out.length, 1);
  t.like(out[0], { status: "complete", text: "short", concat: null, missing: [], firstAt: 5 });
});

test("a repeated part is ignored, before and after the message completes", (t) => {
  const [p1, p2] = parts("a".repeat(200), "+15551230002", 9);
  const r = new Reassembler();
  t.deepEqual(r.add(p1, 0), []);
  t.deepEqual(r.add(p1, 1), [], "the network repeated part 1");
  t.is(r.pendingParts(), 1);
  t.is(r.add(p2, 2)[0].text, "a".repeat(200));
  t.deepEqual(r.add(p2, 3), [], "a late copy of part 2 does not start a new message");
  t.is(r.pendingMessages(), 0);
});

test("a new message that reuses a completed message's reference is not mistaken for a copy", (t) => {
  const r = new Reassembler();
  const first = parts("a".repeat(200), "+15551230002", 9);
  for (const p of first) r.add(p, 0);
  const again = parts("b".repeat(200), "+15551230002", 9);
  t.deepEqual(r.add(again[1], 10), []);
  t.is(r.add(again[0], 11)[0].text, "b".repeat(200));
});

test("key: originator, reference and total; same reference from two senders stays apart", (t) => {
  const a = parts("a".repeat(200), "+15551230001", 5);
  const b = parts("b".repeat(200), "+15551230002", 5);
  const c = parts("c".repeat(400), "+15551230001", 5); // same sender and ref, 3 parts
  const r = new Reassembler();
  r.add(a[0], 0);
  r.add(b[0], 0);
  r.add(c[0], 0);
  t.is(r.pendingMessages(), 3);
  t.is(r.add(b[1], 1)[0].text, "b".repeat(200));
  t.is(r.add(a[1], 1)[0].text, "a".repeat(200));
  r.add(c[2], 2);
  t.is(r.add(c[1], 3)[0].text, "c".repeat(400));
});

test("incomplete messages expire after the timeout with their missing part numbers", (t) => {
  const [p1, , p3] = parts(LONG, "+15551230002", 7);
  const r = new Reassembler({ timeoutMs: 10 * MIN });
  r.add(p1, 0);
  r.add(p3, 5 * MIN);
  t.deepEqual(r.expire(10 * MIN - 1), []);
  const [m] = r.expire(10 * MIN);
  t.is(m.status, "expired");
  t.deepEqual(m.missing, [2]);
  t.deepEqual(m.parts, [p1, p3]);
  t.is(m.text, p1.text! + p3.text!, "the text of the parts that came");
  t.is(r.pendingMessages(), 0);
  t.is(r.pendingParts(), 0);
});

test("add() hands back what has expired by then, oldest first", (t) => {
  const a = parts("a".repeat(400), "+15551230001", 1);
  const b = parts("b".repeat(400), "+15551230002", 2);
  const r = new Reassembler({ timeoutMs: MIN });
  r.add(b[0], 10);
  r.add(a[0], 20);
  const [single] = parts("hello", "+15551230003", 0);
  const out = r.add(single, MIN + 30);
  t.deepEqual(out.map((m) => [m.status, m.peer.number]), [
    ["expired", "+15551230002"],
    ["expired", "+15551230001"],
    ["complete", "+15551230003"],
  ]);
});

test("memory bound: over maxMessages, the message started earliest is evicted as incomplete", (t) => {
  const r = new Reassembler({ maxMessages: 2 });
  const a = parts("a".repeat(200), "+15551230001", 1);
  const b = parts("b".repeat(200), "+15551230002", 1);
  const c = parts("c".repeat(200), "+15551230003", 1);
  r.add(a[0], 0);
  r.add(b[0], 1);
  const out = r.add(c[0], 2);
  t.is(out.length, 1);
  t.like(out[0], { status: "evicted", missing: [2] });
  t.is(out[0].peer.number, "+15551230001");
  t.is(r.pendingMessages(), 2);
  t.is(r.add(c[1], 3)[0].status, "complete");
});

test("memory bound: over maxParts, older messages go first, then the one being built", (t) => {
  const r = new Reassembler({ maxParts: 3 });
  const a = parts("a".repeat(153 * 3), "+15551230001", 1); // 3 parts
  const big = parts("b".repeat(153 * 6), "+15551230002", 2); // 6 parts
  r.add(a[0], 0);
  r.add(a[1], 1);
  r.add(big[0], 2);
  t.like(r.add(big[1], 3)[0], { status: "evicted", missing: [3] }); // a goes
  t.is(r.pendingParts(), 2);
  r.add(big[2], 4);
  const out = r.add(big[3], 5); // big alone is over the bound: it goes too
  t.like(out[0], { status: "evicted", missing: [5, 6] });
  t.is(out[0].parts.length, 4);
  t.is(r.pendingParts(), 0);
});

test("an escape or a surrogate pair that a sender cut between parts is joined again", (t) => {
  // Careless senders cut at a fixed size; build such parts by hand.
  const base = deliverParts("x", { from: "+15551230002", timestamp: T0 })[0].deliver;
  const cutParts = (bodies: number[][], dcs: number) =>
    bodies.map((body, i) => {
      const m: SmsDeliver = { ...base, dcs: { ...base.dcs, raw: dcs, alphabet: dcs === 8 ? "ucs2" : "gsm7" }, udh: [{ iei: 0, data: `0A020${i + 1}` }], body: new Uint8Array(body) };
      return decodePdu(encodeDeliver(m).hex) as SmsDeliver;
    });
  const esc = cutParts([[0x41, 0x1b], [0x65, 0x42]], 0); // A ESC | e B  ->  A€B
  const r = new Reassembler();
  r.add(esc[1], 0);
  t.is(r.add(esc[0], 1)[0].text, "A€B");
  const pair = cutParts([[0x30, 0x42, 0xd8, 0x3d], [0xde, 0x00, 0x30, 0x44]], 8); // あ D83D | DE00 い
  r.add(pair[0], 2);
  t.is(r.add(pair[1], 3)[0].text, "あ😀い");
});
