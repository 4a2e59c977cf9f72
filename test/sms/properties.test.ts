/**
 * Properties over random input (fast-check): text in every alphabet survives encode ->
 * PDU hex -> decode; split parts reassemble in any order with duplicates; fields round
 * trip; and no input, however broken, makes the decoder fail other than with a PduError.
 */
import test from "ava";
import fc from "fast-check";
import { sctsArbitrary } from "../support/sms-arbitraries.js";
import {
  Reassembler,
  decodePdu,
  deliverParts,
  encodeDeliver,
  hexToBytes,
  bytesToHex,
  PduError,
  stringFromCodePoints,
  submitParts,
  type SmsAddress,
  type SmsDeliver,
  type SmsSubmit,
  type Scts,
} from "../../drivers/sms/index.js";
import { ESC, packSeptets, unpackSeptets } from "../../drivers/sms/gsm7.js";

const GSM7_CHARS = [
  ..."@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
  ..."\f^{}\\[~]|€",
];
const gsm7Text = fc.array(fc.constantFrom(...GSM7_CHARS), { maxLength: 700, size: "max" }).map((a) => a.join(""));
/** Any Unicode scalar value (no lone surrogates), weighted towards Japanese and emoji. */
const codePoint = fc.oneof(
  fc.integer({ min: 0x3040, max: 0x30ff }),
  fc.integer({ min: 0x1f300, max: 0x1faff }),
  fc.integer({ min: 0, max: 0xd7ff }),
  fc.integer({ min: 0xe000, max: 0x10ffff }),
);
const anyText = fc.array(codePoint, { maxLength: 300, size: "max" }).map((cps) => stringFromCodePoints(cps));
const ref = fc.integer({ min: 0, max: 255 });

const T0: Scts = { year: 2024, month: 5, day: 17, hour: 9, minute: 30, second: 0, offsetMinutes: 540 };

function sendAndRead(text: string, opts: { encoding?: "auto" | "gsm7" | "ucs2"; ref: number; refBits?: number }): SmsSubmit[] {
  return submitParts(text, { to: "+819012345678", ...opts }).map((p) => {
    const m = decodePdu(p.hex) as SmsSubmit;
    if (p.tpduLength !== hexToBytes(p.hex).length - 1) throw new Error("tpduLength");
    return m;
  });
}

test("GSM 7-bit text (extension characters included) round-trips through PDUs", (t) => {
  fc.assert(
    fc.property(gsm7Text, ref, fc.constantFrom(8, 16), (text, r, refBits) => {
      const parts = sendAndRead(text, { ref: r, refBits });
      const limit = parts.length === 1 ? 160 : refBits === 8 ? 153 : 152;
      for (const m of parts) {
        if (m.dcs.alphabet !== "gsm7") return false;
        if (m.body.length > limit) return false;
        // never an escape left at the end of a part
        if (m.body.length && m.body[m.body.length - 1] === ESC) return false;
      }
      return parts.map((m) => m.text).join("") === text;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("UCS2 text (Japanese, emoji, any plane) round-trips through PDUs", (t) => {
  fc.assert(
    fc.property(anyText, ref, fc.constantFrom(8, 16), (text, r, refBits) => {
      const parts = sendAndRead(text, { encoding: "ucs2", ref: r, refBits });
      const limit = parts.length === 1 ? 140 : refBits === 8 ? 134 : 132;
      for (const m of parts) {
        if (m.body.length > limit) return false;
        const last = m.body.length >= 2 ? (m.body[m.body.length - 2] << 8) | m.body[m.body.length - 1] : 0;
        if (last >= 0xd800 && last <= 0xdbff) return false; // a pair cut in half
      }
      return parts.map((m) => m.text).join("") === text;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("automatic choice: the text comes back whichever alphabet is picked", (t) => {
  fc.assert(
    fc.property(fc.oneof(gsm7Text, anyText), ref, (text, r) => sendAndRead(text, { ref: r }).map((m) => m.text).join("") === text),
    { numRuns: 200 },
  );
  t.pass();
});

test("split parts reassemble in any order, with duplicates, into the one original text", (t) => {
  const scenario = fc
    .tuple(fc.oneof(gsm7Text, anyText), ref)
    .chain(([text, r]) => {
      const hexes = deliverParts(text, { from: "+15551230002", timestamp: T0, ref: r }).map((p) => p.hex);
      const idx = hexes.map((_, i) => i);
      return fc.tuple(
        fc.constant(text),
        fc.constant(hexes),
        fc.shuffledSubarray(idx, { minLength: idx.length, maxLength: idx.length }),
        fc.array(fc.constantFrom(...idx), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
      );
    });
  fc.assert(
    fc.property(scenario, ([text, hexes, order, dups, where]) => {
      const arrivals = [...order];
      dups.forEach((d, i) => arrivals.splice(where[i] % (arrivals.length + 1), 0, d));
      const r = new Reassembler();
      const out = arrivals.flatMap((i, k) => r.add(decodePdu(hexes[i]) as SmsDeliver, k * 1000));
      if (r.pendingMessages() !== 0 || !out.every((m) => m.status === "complete" && m.text === text)) return false;
      // A message that was never split has no reference to tell copies by: each copy comes
      // out (the inbox dedupes whole messages, R75); parts of a split one come out once.
      return out.length === (hexes.length === 1 ? arrivals.length : 1);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

const scts = sctsArbitrary(31);
const digits = fc.array(fc.constantFrom(..."0123456789*#abc"), { minLength: 1, maxLength: 20 }).map((a) => a.join(""));
const address: fc.Arbitrary<SmsAddress> = fc.oneof(
  fc.array(fc.constantFrom(..."0123456789"), { minLength: 1, maxLength: 20 }).map((d) => ({ type: "international" as const, npi: 1, number: "+" + d.join("") })),
  fc.tuple(fc.constantFrom("unknown" as const, "national" as const, "subscriber" as const), fc.integer({ min: 0, max: 15 }), digits).map(([type, npi, number]) => ({ type, npi, number })),
  fc.array(fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 @"), { minLength: 1, maxLength: 11 })
    .map((a) => ({ type: "alphanumeric" as const, npi: 0, number: a.join("") })),
);

test("every DELIVER field round-trips: flags, address, PID, DCS, time stamp, UDH, body", (t) => {
  fc.assert(
    fc.property(
      address, scts, fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0x00, 0x04, 0x08, 0x10, 0x11, 0x16, 0x19, 0xc0, 0xc8, 0xd9, 0xe3, 0xf0, 0xf6, 0x48),
      fc.option(fc.array(fc.record({ iei: fc.integer({ min: 0x20, max: 0xff }), data: fc.uint8Array({ maxLength: 5 }).map((b) => bytesToHex(b)) }), { maxLength: 3 })),
      fc.uint8Array({ maxLength: 110 }),
      (originator, timestamp, mms, lp, sri, rp, pid, dcsRaw, udh, raw) => {
        const base = deliverParts("", { from: "+1", timestamp: T0 })[0].deliver;
        const dcs = decodePdu(encodeDeliver({ ...base, dcs: { ...base.dcs, raw: dcsRaw } }).hex) as SmsDeliver;
        const septets = dcs.dcs.alphabet === "gsm7" && !dcs.dcs.compressed;
        const ucs2 = dcs.dcs.alphabet === "ucs2";
        const body = septets ? raw.map((b) => b & 0x7f) : ucs2 ? raw.slice(0, raw.length & ~1) : raw;
        const m: SmsDeliver = {
          ...base, originator, timestamp, moreMessages: mms, loopPrevention: lp, statusReportIndication: sri, replyPath: rp, pid, dcs: dcs.dcs, udh, body,
        };
        const hex = encodeDeliver(m).hex;
        const back = decodePdu(hex) as SmsDeliver;
        const { text: _t, concat: _c, ...rest } = back;
        const { text: _t2, concat: _c2, ...want } = m;
        t.deepEqual(rest, want);
        t.is(encodeDeliver(back).hex, hex);
      },
    ),
    { numRuns: 300 },
  );
});

test("septets pack and unpack at any bit offset", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }).map((a) => a.map((b) => b & 0x7f)), fc.integer({ min: 0, max: 60 }), (s, off) => {
      const out = new Uint8Array(Math.ceil((off + 7 * s.length) / 8));
      packSeptets(s, out, off);
      return bytesToHex(unpackSeptets(out, off, s.length)) === bytesToHex(s);
    }),
  );
  t.pass();
});

test("no input makes the decoder fail other than with a PduError", (t) => {
  const valid = [
    ...deliverParts("Hello, 世界 😀 ".repeat(9), { from: "+15551230002", timestamp: T0, ref: 3 }).map((p) => p.hex),
    ...submitParts("a€[".repeat(70), { to: "+15551234567", ref: 4, refBits: 16, validityMinutes: 60 }).map((p) => p.hex),
    "07911326060032F0060D0B911326880736F4111011719551401110117195714000",
  ];
  const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
    .map(([hex, flips, cut]) => {
      const b = hexToBytes(hex);
      for (const [at, v] of flips) b[at % b.length] = v;
      return bytesToHex(b.subarray(0, b.length - (cut % 3 === 0 ? cut % b.length : 0)));
    });
  const random = fc.uint8Array({ maxLength: 180 }).map((b) => bytesToHex(b));
  fc.assert(
    fc.property(fc.oneof(mutated, random, fc.string()), (hex) => {
      try {
        decodePdu(hex);
        return true;
      } catch (e) {
        return PduError.is(e);
      }
    }),
    { numRuns: 3000 },
  );
  t.pass();
});
