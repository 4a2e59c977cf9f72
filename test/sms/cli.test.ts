/**
 * `sharedline pdu decode|encode` (cli/pdu.ts): output, exit status, errors on stderr.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../../cli/pdu.js";

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await run(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const GAMMU_SHORT = "07915155000000F011000B915155214365F70000FF10C8329BFD0699E5EF36E81C6EB7EB";

test.serial("decode prints the message as JSON, bodies as hex and time stamps with ISO strings", async (t) => {
  const r = await capture(["decode", "07915155000000F0040B915155210300F100004250719003004013C8329BFD0699E5EF36485A3637DFE4721B"]);
  t.is(r.code, 0);
  t.is(r.err, "");
  const m = JSON.parse(r.out);
  t.like(m, {
    type: "deliver",
    originator: { type: "international", number: "+15551230001" },
    text: "Hello from RefModem",
    tpduLength: 36,
    timestamp: { iso: "2024-05-17T09:30:00+01:00", offsetMinutes: 60 },
    bodyHex: "48656C6C6F2066726F6D205265664D6F64656D",
  });
  t.false("body" in m);
});

test.serial("decode of a status report adds its status category", async (t) => {
  const r = await capture(["decode", "07911326060032F0060D0B911326880736F4111011719551401110117195714000"]);
  t.is(r.code, 0);
  t.like(JSON.parse(r.out), { type: "status-report", mr: 13, status: 0, statusCategory: "delivered", dischargeTime: { iso: "2011-01-11T17:59:17+01:00" } });
});

test.serial("decode of a bare TPDU with --no-smsc, and --length checked", async (t) => {
  t.is((await capture(["decode", "--no-smsc", GAMMU_SHORT.slice(16), "--length", "28"])).code, 0);
  const r = await capture(["decode", GAMMU_SHORT, "--length", "27"]);
  t.is(r.code, 1);
  t.regex(r.err, /length at octet 8/);
});

test.serial("decode of a bad PDU: the field and offset on stderr, exit 1", async (t) => {
  const r = await capture(["decode", GAMMU_SHORT.slice(0, 40)]);
  t.is(r.code, 1);
  t.is(r.out, "");
  t.is(r.err, "pdu decode: bad PDU: TP-VP at octet 20: PDU ends before this field");
  t.regex((await capture(["decode", "xyz0"])).err, /hex at octet 0: not a hex digit/);
});

test.serial("encode prints AT+CMGS=<TPDU length> and the PDU, one line per part (gammu's own PDU)", async (t) => {
  // 63 weeks of validity is TP-VP 255, what gammu sends.
  const r = await capture(["encode", "--to", "+15551234567", "--text", "Hello from gammu", "--smsc", "+15550000000", "--validity", String(63 * 7 * 1440)]);
  t.is(r.code, 0);
  t.is(r.out, `AT+CMGS=28 ${GAMMU_SHORT}`);
});

test.serial("encode of a long text: one line per part; without --ref a random reference is announced", async (t) => {
  const r = await capture(["encode", "--to", "+15551234567", "--text", "x".repeat(200)]);
  t.is(r.code, 0);
  const lines = r.out.split("\n");
  t.is(lines.length, 2);
  t.regex(lines[0], /^AT\+CMGS=153 0041000B915155214365F70000A0050003[0-9A-F]{2}0201/);
  t.regex(lines[1], /^AT\+CMGS=61 0041/);
  t.regex(r.err, /using random reference \d+/);
});

test.serial("encode --json --ucs2 --status-report --ref --ref16", async (t) => {
  const r = await capture(["encode", "--to", "+81312345678", "--text", "こんにちは😀".repeat(12), "--ucs2", "--status-report", "--ref", "258", "--ref16", "--json"]);
  t.is(r.code, 0);
  const parts = r.out.split("\n").map((l) => JSON.parse(l));
  t.deepEqual(parts.map((p) => [p.part, p.total]), [[1, 2], [2, 2]]);
  t.regex(parts[0].hex, /^0061000B911813325476F80008[0-9A-F]{2}0608040102/);
  t.is(parts[0].tpduLength, parts[0].hex.length / 2 - 1);
});

test.serial("encode errors: bad number or unencodable text exit 1; usage errors exit 2", async (t) => {
  const bad = await capture(["encode", "--to", "+1555;ATH", "--text", "hi"]);
  t.is(bad.code, 1);
  t.regex(bad.err, /^pdu encode: --to '\+1555;ATH': character ";" cannot be in a phone number/);
  // The codec takes a, b and c as semi-octets; on the command line they are a mistake.
  const letters = await capture(["encode", "--to", "abc", "--text", "hi"]);
  t.is(letters.code, 1);
  t.is(letters.out, "");
  t.regex(letters.err, /^pdu encode: --to 'abc': character "a" cannot be in a phone number \(digits, \* and #, with \+ first for an international one\)$/);
  t.is((await capture(["encode", "--to", "+819012345678", "--text", "hi", "--smsc", "smsc"])).code, 1);
  t.is((await capture(["encode", "--to", "*#06#", "--text", "hi"])).code, 0);
  t.is((await capture(["encode", "--to", "110", "--text", "hi", "--validity", "700000"])).code, 2, "more than 63 weeks");
  const dash = await capture(["encode", "--to", "110", "--text", "-5 degrees"]);
  t.is(dash.code, 0, "a text may start with -");
  const bogus = await capture(["encode", "--to", "110", "--text", "hi", "--bogus"]);
  t.regex(bogus.err, /^sharedline pdu: unknown option '--bogus'\nTry 'sharedline pdu --help' for the options\.$/);
  t.is((await capture(["encode", "--to", "+1555", "--text", "\ud800"])).code, 1);
  t.is((await capture(["encode", "--to", "+1555"])).code, 2);
  t.is((await capture(["encode", "--to", "+1555", "--text", "hi", "--bogus"])).code, 2);
  t.is((await capture(["encode", "--to", "+1555", "--text", "hi", "--ref", "-1"])).code, 2);
  t.is((await capture(["frobnicate"])).code, 2);
  t.is((await capture([])).code, 2);
});

test("`sharedline pdu decode` through bin/sharedline.mjs", (t) => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const r = spawnSync(process.execPath, [path.join(root, "bin/sharedline.mjs"), "pdu", "decode", GAMMU_SHORT], { encoding: "utf8" });
  t.is(r.status, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { type: "submit", text: "Hello from gammu", validity: { format: "relative", value: 255 } });
  const bad = spawnSync(process.execPath, [path.join(root, "bin/sharedline.mjs"), "pdu", "decode", "0011"], { encoding: "utf8" });
  t.is(bad.status, 1);
  t.regex(bad.stderr, /TP-MR at octet 2/);
});
