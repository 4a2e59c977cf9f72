/**
 * submitParts writes its PDUs straight to hex (the fixed fields once per message, septets
 * packed into hex in one pass); encodeSubmit builds a PDU from a message's fields through
 * octet arrays. Both must give the very same PDU for every part, whatever the text
 * (pure ASCII, extension characters, any Unicode, 8-bit data) and options; and the
 * one-pass septet packer must agree with packSeptets + bytesToHex at every fill offset.
 */
import test from "ava";
import fc from "fast-check";
import { sctsArbitrary } from "../support/sms-arbitraries.js";
import {
  bytesToHex,
  encodeSubmit,
  submitParts,
  stringFromCodePoints,
  type SubmitOptions,
  type ValidityPeriod,
} from "../../drivers/sms/index.js";
import { packSeptets, packSeptetsHex } from "../../drivers/sms/gsm7.js";

const ASCII_SAFE = [..." !\"#%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\r@$_"];
const GSM7 = [...ASCII_SAFE, ..."£¥èéùìòÇØøÅåΔΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", ..."\f^{}\\[~]|€"];
const text = fc.oneof(
  fc.array(fc.constantFrom(...ASCII_SAFE), { maxLength: 500, size: "max" }).map((a) => a.join("")),
  fc.array(fc.constantFrom(...GSM7), { maxLength: 500, size: "max" }).map((a) => a.join("")),
  fc.array(
    fc.oneof(fc.integer({ min: 0x3040, max: 0x30ff }), fc.integer({ min: 0x1f300, max: 0x1faff }), fc.integer({ min: 0x20, max: 0xd7ff })),
    { maxLength: 250, size: "max" },
  ).map((cps) => stringFromCodePoints(cps)),
);
const content: fc.Arbitrary<string | Uint8Array> = fc.oneof(text, text, fc.uint8Array({ maxLength: 400, size: "max" }));

const scts = sctsArbitrary(28);
const validity: fc.Arbitrary<ValidityPeriod> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((value) => ({ format: "relative" as const, value })),
  scts.map((time) => ({ format: "absolute" as const, time })),
  fc.uint8Array({ minLength: 7, maxLength: 7 }).map((b) => ({ format: "enhanced" as const, octets: bytesToHex(b) })),
);
const options: fc.Arbitrary<SubmitOptions> = fc.record(
  {
    to: fc.oneof(
      fc.constantFrom("+15551234567", "+819012345678", "090-1234-5678", "*123#", "1"),
      fc.array(fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 @"), { minLength: 1, maxLength: 11 })
        .map((a) => ({ type: "alphanumeric" as const, npi: 0, number: a.join("") })),
    ),
    smsc: fc.constantFrom(null, "+447785016005", "+8190000000"),
    mr: fc.integer({ min: 0, max: 255 }),
    pid: fc.integer({ min: 0, max: 255 }),
    statusReport: fc.boolean(),
    rejectDuplicates: fc.boolean(),
    replyPath: fc.boolean(),
    messageClass: fc.integer({ min: 0, max: 3 }),
    validityMinutes: fc.integer({ min: 1, max: 700000 }),
    validity: validity,
    encoding: fc.constantFrom("auto" as const, "ucs2" as const),
    refBits: fc.constantFrom(8, 16),
  },
  { requiredKeys: ["to"] },
);

test("submitParts' direct hex equals encodeSubmit of each part's fields (any text, data and options)", (t) => {
  fc.assert(
    fc.property(content, options, fc.integer({ min: 0, max: 0xffff }), (c, o, r) => {
      const opts = { ...o, ref: o.refBits === 16 ? r : r & 0xff };
      const parts = submitParts(c, opts);
      for (const p of parts) {
        const general = encodeSubmit(p.submit);
        if (general.hex !== p.hex || general.tpduLength !== p.tpduLength) {
          t.log(JSON.stringify({ c: typeof c === "string" ? c : bytesToHex(c), opts }), "\n fast    " + p.hex, "\n general " + general.hex);
          return false;
        }
      }
      return true;
    }),
    { numRuns: 800 },
  );
  t.pass();
});

test("the one-pass septet packer agrees with packSeptets + bytesToHex at every fill (0..6 bits) and range", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 170, size: "max" }), fc.integer({ min: 0, max: 6 }), fc.nat(), fc.nat(), (raw, fill, a, b) => {
      const from = raw.length ? a % (raw.length + 1) : 0;
      const to = from + (raw.length - from ? b % (raw.length - from + 1) : 0);
      const septets = raw.map((x) => x & 0x7f);
      const out = new Uint8Array(Math.ceil((fill + 7 * (to - from)) / 8));
      packSeptets(septets.subarray(from, to), out, fill);
      // Bits above 6 in a septet are not the packer's to write: it must mask them.
      return packSeptetsHex(raw.map((x, i) => (i % 3 === 0 ? x | 0x80 : x & 0x7f)), from, to, fill) === bytesToHex(out);
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
