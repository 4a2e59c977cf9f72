/**
 * Mutation fuzzing of PDUs from the modem (issue 15): valid SMS-DELIVER PDUs (GSM 7-bit,
 * UCS2, 8-bit data, single and concatenated, with and without the SMSC field) built by the
 * driver's own encoder, then mutated (bytes flipped, inserted, deleted, truncated, hex
 * case and digits damaged) and decoded. `decodePdu` must answer a decoded PDU or throw a
 * PduError naming the field: never another kind of error, never a hang.
 */
import test from "ava";
import fc from "fast-check";
import { decodePdu, deliverParts, PduError } from "../../drivers/sms/index.js";

const textArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: "grapheme", maxLength: 120 }),
  fc.constantFrom("Hello", "€uro [brackets] {braces}", "日本語のテキスト", "😀 emoji pair", "a".repeat(161)),
);

const validArb = fc.record({ text: textArb, data: fc.boolean(), bytes: fc.uint8Array({ maxLength: 200 }) }).map(({ text, data, bytes }) =>
  deliverParts(data ? bytes : text.length === 0 ? "x" : text, {
    from: "+819012345678",
    timestamp: { year: 2026, month: 12, day: 7, hour: 3, minute: 15, second: 0, offsetMinutes: 540 },
    smsc: "+819000000000",
    ref: 42,
    maxParts: 255,
  }).map((p) => p.hex),
);

type Mutation = { kind: "flip" | "insert" | "delete" | "truncate" | "hexdigit"; at: number; value: number };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation["kind"]>("flip", "insert", "delete", "truncate", "hexdigit"),
  at: fc.nat(),
  value: fc.integer({ min: 0, max: 255 }),
});

function mutate(hex: string, ms: Mutation[]): string {
  let s = hex;
  for (const m of ms) {
    const octets = s.length >> 1;
    const i = octets === 0 ? 0 : m.at % octets;
    const byte = (m.value & 0xff).toString(16).toUpperCase().padStart(2, "0");
    if (m.kind === "flip") s = s.slice(0, 2 * i) + byte + s.slice(2 * i + 2);
    else if (m.kind === "insert") s = s.slice(0, 2 * i) + byte + s.slice(2 * i);
    else if (m.kind === "delete") s = s.slice(0, 2 * i) + s.slice(2 * i + 2);
    else if (m.kind === "truncate") s = s.slice(0, m.at % (s.length + 1));
    else s = s.slice(0, m.at % (s.length + 1)) + "G%z-"[m.value % 4] + s.slice((m.at % (s.length + 1)) + 1);
  }
  return s;
}

test("fuzz: mutated valid SMS-DELIVER PDUs decode or fail with a PduError naming the field, nothing else", (t) => {
  let cases = 0;
  let decoded = 0;
  const fields: { [f: string]: number } = {};
  fc.assert(
    fc.property(validArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (parts, ms) => {
      for (const hex of parts) {
        cases++;
        const bad = mutate(hex, ms);
        try {
          decodePdu(bad);
          decoded++;
        } catch (e) {
          if (!PduError.is(e)) throw new Error("decodePdu(" + bad + ") threw " + String(e));
          fields[e.field] = (fields[e.field] || 0) + 1;
        }
      }
    }),
    { numRuns: 1500, seed: 2315 },
  );
  t.log("decoded " + cases + " mutated PDUs (flip/insert/delete/truncate/bad hex digit of valid 7-bit, UCS2 and 8-bit DELIVERs); " + decoded + " still decoded, the rest PduError by field " + JSON.stringify(fields) + "; fast-check seed 2315");
  t.true(decoded > 0 && Object.keys(fields).length >= 3);
});

test("fuzz: the unmutated PDUs all decode", (t) => {
  let n = 0;
  fc.assert(
    fc.property(validArb, (parts) => {
      for (const hex of parts) {
        n++;
        decodePdu(hex);
      }
    }),
    { numRuns: 300, seed: 2316 },
  );
  t.log(n + " valid PDUs decoded");
  t.true(n >= 300);
});
