/** The shared record format (hal/espruino/record.ts) and its UTF-8 codec (utf8.ts). */
import test from "ava";
import zlib from "node:zlib";
import { crc32, encodeRecord, keyError, parseRecord } from "../../hal/record.js";
import { utf8Decode, utf8Encode } from "../../hal/utf8.js";

const g = globalThis as { E?: unknown };

test.serial("CRC-32 matches the standard check value and zlib, and E.CRC32 is used when present", (t) => {
  t.is(crc32("123456789"), 0xcbf43926);
  t.is(crc32(""), 0);
  let bytes = "";
  for (let i = 0; i < 1000; i++) bytes += String.fromCharCode((i * 31) & 0xff);
  t.is(crc32(bytes), zlib.crc32(Buffer.from(bytes, "latin1")));
  const calls: string[] = [];
  g.E = {
    CRC32: (d: string) => {
      calls.push(d);
      return 42;
    },
  };
  try {
    t.is(crc32("abc"), 42);
    t.deepEqual(calls, ["abc"]);
  } finally {
    delete g.E;
  }
});

test("a record is laid out as documented", (t) => {
  const rec = encodeRecord("héllo", 7);
  const body = Buffer.from("héllo", "utf8").toString("latin1");
  const rest = `7 ${body.length}\n${body}`;
  const crc = zlib.crc32(Buffer.from(rest, "latin1")).toString(16).padStart(8, "0");
  t.is(rec, `SLR1 ${crc} ${rest}!`);
  t.deepEqual(parseRecord(rec), { state: "committed", seq: 7, body });
});

test("a record cut before its commit mark is torn; any other defect is damage", (t) => {
  const rec = encodeRecord("value", 3);
  const torn = rec.slice(0, 10) + "\xff".repeat(rec.length - 10);
  t.deepEqual(parseRecord(torn), { state: "torn" });
  t.is(parseRecord(rec.slice(0, -1) + "\xff").state, "torn");
  for (let cut = 0; cut < rec.length; cut++) {
    t.is(parseRecord(rec.slice(0, cut)).state, "damaged", `truncated at ${cut}`);
  }
  for (let i = 0; i < rec.length; i++) {
    for (const x of [0x01, 0x80, 0x20]) {
      const bad = rec.slice(0, i) + String.fromCharCode(rec.charCodeAt(i) ^ x) + rec.slice(i + 1);
      t.is(parseRecord(bad).state, "damaged", `byte ${i} ^ ${x}`);
    }
  }
  t.is(parseRecord(rec + "x").state, "damaged");
  t.is(parseRecord("SLR1 00000000 1 0\n!").state, "damaged");
});

test("UTF-8: every string round-trips, lone surrogates included, and ASCII is its own encoding", (t) => {
  const samples = [
    "",
    "plain ASCII \r\n\x00\x7f",
    "\x80\xe9\xff",
    "日本語のSMS",
    "emoji 😀👍🏽",
    "lone \ud800 high and \udfff low, \udbff\ud800 reversed",
    "\u0800\uffff\u07ff",
  ];
  for (const s of samples) {
    const bytes = utf8Encode(s);
    for (let i = 0; i < bytes.length; i++) t.true(bytes.charCodeAt(i) <= 0xff);
    t.deepEqual(utf8Decode(bytes), { ok: true, text: s }, JSON.stringify(s));
  }
  t.is(utf8Encode("AT+CMGS"), "AT+CMGS");
  t.is(utf8Encode("é😀"), Buffer.from("é😀", "utf8").toString("latin1"));
});

test("UTF-8: malformed bytes are refused", (t) => {
  for (const bad of ["\xc3", "\xe3\x81", "\x80", "\xc0\xaf", "\xe0\x80\xaf", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\xc3\x28"]) {
    const r = utf8Decode(bad);
    t.false(r.ok, JSON.stringify(bad));
  }
});

test("keys: 1..24 chars of [A-Za-z0-9._-]", (t) => {
  for (const ok of ["a", "Z", "0", ".", "..", "_", "-", "inbox.0001", "x".repeat(24), "__proto__", "constructor"]) {
    t.is(keyError(ok), undefined, ok);
  }
  for (const bad of ["", "x".repeat(25), "a/b", "a b", "a~a", "é", "a\n", "a:b"]) {
    t.truthy(keyError(bad), JSON.stringify(bad));
  }
  t.truthy(keyError(7));
  t.truthy(keyError(undefined));
});
