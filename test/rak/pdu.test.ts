/**
 * The RAK8212's own SMS-DELIVER reader and inbox (firmware/rak/pdu.ts) against the
 * project's codec (drivers/sms): messages encoded by drivers/sms `deliverParts` (GSM
 * 7-bit with the extension table, UCS-2 with surrogate pairs, 8-bit data, 8- and 16-bit
 * concatenation references, alphanumeric originators, any time stamp) come out of the
 * inbox as drivers/sms decodes them; and the Storage protocol: duplicates stored once
 * (SPEC R75), a part cut by a power cut dropped and stored again.
 */
import test from "ava";
import fc from "fast-check";
import { decodePdu, deliverParts, sctsToEpochMs, sctsToIso, type SmsDeliver } from "../../drivers/sms/index.js";
import { MemoryFlash } from "../../hal/memory/storage.js";
import { INBOX_PAGE, rakDelete, rakInbox, rakPage, rakStore, rakTidy } from "../../firmware/rak/pdu.js";
import { sctsArbitrary } from "../support/sms-arbitraries.js";

const TIME = { year: 2026, month: 12, day: 7, hour: 9, minute: 0, second: 0, offsetMinutes: 540 };

/** Text from the GSM alphabet and its extension, UCS-2 (with astral characters), any mix. */
const textArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9 @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€\n]{0,400}$/),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: fc.constantFrom("あ", "😀", "a", "€", "{"), maxLength: 300 }),
);

test("every message drivers/sms encodes comes out of the inbox as drivers/sms decodes it", (t) => {
  fc.assert(
    fc.property(
      textArb,
      sctsArbitrary(28),
      fc.constantFrom("+819011112222", "0312345678", "*#123", "Bank"),
      fc.constantFrom(8, 16),
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
      (text, ts, from, refBits, ref, reverse) => {
        const parts = deliverParts(text, { from: from === "Bank" ? { type: "alphanumeric", npi: 0, number: "Bank" } : from, timestamp: ts, ref, refBits, smsc: "+819000000000" });
        const flash = new MemoryFlash();
        const order = reverse ? parts.slice().reverse() : parts;
        for (const p of order) rakStore(flash, p.hex, 1000);
        const inbox = rakInbox(flash);
        const want = decodePdu(parts[0].hex) as SmsDeliver;
        t.is(inbox.length, 1);
        const m = inbox[0];
        t.is(m.text, text);
        t.is(m.from, want.originator.number);
        t.is(m.parts, parts.length);
        t.deepEqual(m.missing, []);
        t.is(m.time, sctsToIso(want.timestamp));
        t.is(m.timeMs, sctsToEpochMs(want.timestamp));
      },
    ),
    { numRuns: 150 },
  );
});

test("8-bit data is listed as hex, with no text", (t) => {
  const data = new Uint8Array([0, 1, 0x7f, 0x80, 0xff, 0x1b]);
  const parts = deliverParts(data, { from: "+819011112222", timestamp: TIME });
  const flash = new MemoryFlash();
  rakStore(flash, parts[0].hex, 1);
  const m = rakInbox(flash)[0];
  t.is(m.text, "");
  t.is(m.data, "00017f80ff1b");
});

test("R75 a part delivered twice is stored once; a missing part is listed as missing", (t) => {
  const parts = deliverParts("x".repeat(400), { from: "+819011112222", timestamp: TIME, ref: 7 });
  t.is(parts.length, 3);
  const flash = new MemoryFlash();
  const g = rakStore(flash, parts[0].hex, 1);
  t.not(g, "");
  t.is(rakStore(flash, parts[0].hex, 2), "", "the same part again: nothing new");
  t.is(rakStore(flash, parts[2].hex, 3), g, "same group");
  const m = rakInbox(flash, g)[0];
  t.deepEqual(m.missing, [2]);
  t.is(m.ids.length, 2);
  rakStore(flash, parts[1].hex, 4);
  t.deepEqual(rakInbox(flash)[0].missing, []);
  t.true(rakDelete(flash, rakInbox(flash)[0].id));
  t.deepEqual(flash.list(), []);
});

test("two messages keep their order and ids; a status report or garbage is kept aside, not in the inbox", (t) => {
  const flash = new MemoryFlash();
  rakStore(flash, deliverParts("first", { from: "+81901", timestamp: TIME })[0].hex, 1);
  rakStore(flash, deliverParts("second", { from: "+81902", timestamp: TIME })[0].hex, 2);
  t.is(rakStore(flash, "00zz", 3), "!");
  t.deepEqual(
    rakInbox(flash).map((m) => [m.id, m.text]),
    [
      [1, "first"],
      [2, "second"],
    ],
  );
  t.is(flash.list().filter((f) => f.indexOf("sq") === 0).length, 1);
});

test("a part file cut by a power cut is not in the inbox, is tidied away, and is stored whole again", (t) => {
  const hex = deliverParts("hello", { from: "+819011112222", timestamp: TIME })[0].hex;
  const flash = new MemoryFlash();
  flash.cutPowerAfter(40);
  t.throws(() => rakStore(flash, hex, 1));
  const after = flash.reboot();
  t.is(after.list().length, 1, "a file was left");
  t.deepEqual(rakInbox(after), []);
  t.is(rakTidy(after), 1);
  t.deepEqual(after.list(), []);
  t.not(rakStore(after, hex, 2), "");
  t.is(rakInbox(after)[0].text, "hello");
});

test("the inbox a page at a time: every message once, in order, whole (multi-part ones too, ids by their first part), at most `count` messages and INBOX_PAGE parts a page; a deletion between pages shifts nothing", (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 14 }), fc.integer({ min: 1, max: 5 }), fc.nat(), (sizes, count, cut) => {
      const flash = new MemoryFlash();
      const texts: string[] = [];
      let late = "";
      sizes.forEach((n, i) => {
        const text = "m" + i + " " + "y".repeat(n === 1 ? 150 : 153 * n - 10);
        texts.push(text);
        const parts = deliverParts(text, { from: "+8190" + i, timestamp: TIME, ref: i });
        for (let k = 0; k < parts.length - 1; k++) rakStore(flash, parts[k].hex, i);
        // A long message's last part arrives after the next message's first: ids follow first parts.
        if (late) rakStore(flash, late, i);
        late = "";
        if (parts.length > 1) late = parts[parts.length - 1].hex;
        else rakStore(flash, parts[0].hex, i);
      });
      if (late) rakStore(flash, late, sizes.length);
      const all = rakInbox(flash);
      t.deepEqual(
        all.map((m) => m.text),
        texts,
      );
      const seen: number[] = [];
      let from = 0;
      let pages = 0;
      for (;;) {
        const page = rakPage(flash, { from, count })!;
        t.is(page.total, texts.length);
        t.true(page.messages.length <= count);
        for (const m of page.messages) seen.push(m.id);
        // The model: up to `count` messages and INBOX_PAGE parts, the first whatever its length.
        const rest = all.filter((m) => m.id >= from);
        let n = 0;
        for (let parts = 0; n < rest.length && n < count; n++) {
          parts += rest[n].parts;
          if (n && parts > INBOX_PAGE) break;
        }
        t.deepEqual(page.messages, rest.slice(0, n));
        t.is(page.next, n < rest.length ? rest[n].id : null);
        if (page.next === null) break;
        from = page.next;
        if (++pages > 20) return t.fail("no end");
      }
      t.deepEqual(
        seen,
        all.map((m) => m.id),
      );
      // A message deleted before the next page is asked for: the rest come once each.
      if (all.length > count) {
        const first = rakPage(flash, { count })!;
        const gone = all[cut % all.length].id;
        t.true(rakDelete(flash, gone));
        t.false(rakDelete(flash, gone), "gone already");
        const rest: number[] = [];
        for (let from: number | null = first.next; from !== null; ) {
          const page = rakPage(flash, { from })!;
          for (const m of page.messages) rest.push(m.id);
          from = page.next;
        }
        t.deepEqual(
          rest,
          all.map((m) => m.id).filter((id) => id >= first.next! && id !== gone),
        );
      }
    }),
    { numRuns: 60 },
  );
});

test("a message missing parts is listed on its page with them missing, and deleted whole", (t) => {
  const flash = new MemoryFlash();
  const parts = deliverParts("z".repeat(400), { from: "+819011112222", timestamp: TIME, ref: 9 });
  rakStore(flash, deliverParts("before", { from: "+81901", timestamp: TIME })[0].hex, 1);
  rakStore(flash, parts[2].hex, 2);
  rakStore(flash, parts[0].hex, 3);
  rakStore(flash, deliverParts("after", { from: "+81902", timestamp: TIME })[0].hex, 4);
  const page = rakPage(flash, { count: 2 })!;
  t.is(page.messages[0].text, "before");
  t.true(page.messages[1].text.indexOf("zzz") === 0);
  t.deepEqual(page.messages[1].missing, [2]);
  t.is(page.next, 4);
  t.is(page.total, 3);
  t.true(rakDelete(flash, page.messages[1].id));
  t.deepEqual(
    rakPage(flash)!.messages.map((m) => m.text),
    ["before", "after"],
  );
});
