/**
 * Known PDUs: decode every field, then re-encode to the very same hex.
 *
 * Sources:
 * - gammu 1.42 talking to a reference AT modem (test/fixtures/gammu): the SMS-SUBMIT PDUs
 *   gammu wrote for `AT+CMGS` (gammu-sendsms-*.txt, with their `AT+CMGS=<length>` and the
 *   text/UDH gammu was asked to send from *.pdus.jsonl) and the SMS-DELIVER PDUs the modem
 *   listed for `AT+CMGL=4` (gammu-getallsms.txt, with their `+CMGL` lengths). Expected
 *   texts of the stored DELIVERs were decoded by hand (a separate throwaway unpacker).
 * - The classic "hellohello" SUBMIT and DELIVER examples (dreamfabric.com "SMS messages
 *   and the PDU format"), and a published SMS-STATUS-REPORT example; every expected field
 *   below was worked out from 23.040 by hand, not taken from our decoder.
 */
import test from "ava";
import * as fs from "node:fs";
import { gammuDir, gammuFile } from "../support/transcripts.js";
import {
  decodePdu,
  encodeDeliver,
  encodeStatusReport,
  encodeSubmit,
  submitParts,
  sctsToIso,
  type SmsDeliver,
  type SmsPdu,
  type SmsStatusReport,
  type SmsSubmit,
} from "../../drivers/sms/index.js";

function reencode(m: SmsPdu): { hex: string; tpduLength: number } {
  if (m.type === "submit") return encodeSubmit(m);
  if (m.type === "deliver") return encodeDeliver(m);
  return encodeStatusReport(m);
}

function asSubmit(m: SmsPdu): SmsSubmit {
  if (m.type !== "submit") throw new Error("expected a SUBMIT, got " + m.type);
  return m;
}
function asDeliver(m: SmsPdu): SmsDeliver {
  if (m.type !== "deliver") throw new Error("expected a DELIVER, got " + m.type);
  return m;
}
function asReport(m: SmsPdu): SmsStatusReport {
  if (m.type !== "status-report") throw new Error("expected a STATUS-REPORT, got " + m.type);
  return m;
}

const SMSC = { type: "international", npi: 1, number: "+15550000000" };
const GAMMU_TO = { type: "international", npi: 1, number: "+15551234567" };

interface GammuSubmit {
  file: string;
  hex: string;
  cmgsLength: number;
  text: string;
  dcs: number;
  concat: [number, number, number] | null;
}

// From gammu-sendsms-*.txt (hex after the `> ` prompt, length from AT+CMGS=) and the
// matching line of gammu-sendsms-*.pdus.jsonl (text, dcs, concat).
const gammuSubmits: GammuSubmit[] = [
  {
    file: "gammu-sendsms-short",
    hex: "07915155000000F011000B915155214365F70000FF10C8329BFD0699E5EF36E81C6EB7EB",
    cmgsLength: 28,
    text: "Hello from gammu",
    dcs: 0,
    concat: null,
  },
  {
    file: "gammu-sendsms-long",
    hex: "07915155000000F051000B915155214365F70000FFA0050003D40301A061391DF43683C220F6DB7D06B5CBF379F85C6681E66537BDEC1E9741B0980B040DCBE9A0B7191406B1DFEE33A85D9ECFC3E7320B342FBBE965F7B80C82C95C2068584E07BDCDA03088FD769F41EDF27C1E3E9759A079D94D2FBBC765106CE60241C3723AE86D068541ECB7FB0C6A97E7F3F0B9CC02CDCB6E7AD93D2E83603417081A96D341",
    cmgsLength: 154,
    text: "Part of a long message, sentence 01. Part of a long message, sentence 02. Part of a long message, sentence 03. Part of a long message, sentence 04. Part ",
    dcs: 0,
    concat: [212, 3, 1],
  },
  {
    file: "gammu-sendsms-long",
    hex: "07915155000000F051000B915155214365F70000FFA0050003D40302DE665018C47EBBCFA076793E0F9FCB2CD0BCECA697DDE33208567381A061391DF43683C220F6DB7D06B5CBF379F85C6681E66537BDEC1E9741309B0B040DCBE9A0B7191406B1DFEE33A85D9ECFC3E7320B342FBBE965F7B80C82DD5C2068584E07BDCDA03088FD769F41EDF27C1E3E9759A079D94D2FBBC765100CE70241C3723AE86D068541",
    cmgsLength: 154,
    text: "of a long message, sentence 05. Part of a long message, sentence 06. Part of a long message, sentence 07. Part of a long message, sentence 08. Part of a ",
    dcs: 0,
    concat: [212, 3, 2],
  },
  {
    file: "gammu-sendsms-long",
    hex: "07915155000000F051000B915155214365F70000FF90050003D40303D86FF719D42ECFE7E17399059A97DDF4B27B5C06C1722E10342CA783DE665018C47EBBCFA076793E0F9FCB2CD0BCECA697DDE33228067381A061391DF43683C220F6DB7D06B5CBF379F85C6681E66537BDEC1E9741B1980B040DCBE9A0B7191406B1DFEE33A85D9ECFC3E7320B342FBBE965F7B80C8AC95C",
    cmgsLength: 140,
    text: "long message, sentence 09. Part of a long message, sentence 10. Part of a long message, sentence 11. Part of a long message, sentence 12.",
    dcs: 0,
    concat: [212, 3, 3],
  },
  {
    file: "gammu-sendsms-unicode",
    hex: "07915155000000F011000B915155214365F70008FF2A30533093306B3061306F30014E16754C300230AC30F330E0304B3089306E30C630B930C8306730593002",
    cmgsLength: 56,
    text: "こんにちは、世界。ガンムからのテストです。",
    dcs: 8,
    concat: null,
  },
  {
    file: "gammu-sendsms-unicode-long",
    hex: "07915155000000F051000B915155214365F70008FF8C050003E0020165E5672C8A9E306E9577304430E130C330BB30FC30B83067305930023053308C306F90237D500053004D00533068305730660055004300530032306790013089308C308B306F305A3067305930024E03534165875B5730928D853048308B3068520652723055308C307E30593002308230465C11305765877AE030928DB330573066300178BA",
    cmgsLength: 154,
    text: "日本語の長いメッセージです。これは連結SMSとしてUCS2で送られるはずです。七十文字を超えると分割されます。もう少し文章を足して、確",
    dcs: 8,
    concat: [224, 2, 1],
  },
  {
    file: "gammu-sendsms-unicode-long",
    hex: "07915155000000F051000B915155214365F70008FF26050003E002025B9F306B4E8C901A4EE54E0A306B306A308B30883046306B3057307E30593002",
    cmgsLength: 52,
    text: "実に二通以上になるようにします。",
    dcs: 8,
    concat: [224, 2, 2],
  },
];

for (const v of gammuSubmits) {
  const label = v.concat ? `${v.file} part ${v.concat[2]}/${v.concat[1]}` : v.file;
  test(`gammu SUBMIT (${label}): every field, and re-encoded to the same hex`, (t) => {
    const m = asSubmit(decodePdu(v.hex));
    t.deepEqual(m.smsc, SMSC);
    t.deepEqual(m.destination, GAMMU_TO);
    t.is(m.mr, 0);
    t.false(m.rejectDuplicates);
    t.false(m.statusReportRequest);
    t.false(m.replyPath);
    t.is(m.pid, 0);
    t.is(m.dcs.raw, v.dcs);
    t.is(m.dcs.alphabet, v.dcs === 8 ? "ucs2" : "gsm7");
    t.is(m.dcs.messageClass, null);
    t.deepEqual(m.validity, { format: "relative", value: 255 });
    t.is(m.text, v.text);
    if (v.concat) {
      t.deepEqual(m.concat, { ref: v.concat[0], refBits: 8, total: v.concat[1], seq: v.concat[2] });
      t.is(m.udh!.length, 1);
    } else {
      t.is(m.udh, null);
      t.is(m.concat, null);
    }
    const e = reencode(m);
    t.is(e.hex, v.hex);
    t.is(e.tpduLength, v.cmgsLength, "the AT+CMGS length gammu gave");
  });
}

test("gammu SUBMITs: submitParts builds the same PDUs from the text (same options gammu used)", (t) => {
  const byFile = new Map<string, GammuSubmit[]>();
  for (const v of gammuSubmits) byFile.set(v.file, [...(byFile.get(v.file) ?? []), v]);
  for (const [file, vs] of byFile) {
    const text = vs.map((v) => v.text).join("");
    const parts = submitParts(text, {
      to: "+15551234567",
      smsc: "+15550000000",
      validity: { format: "relative", value: 255 },
      ref: vs[0].concat ? vs[0].concat[0] : undefined,
    });
    t.deepEqual(
      parts.map((p) => [p.hex, p.tpduLength]),
      vs.map((v) => [v.hex, v.cmgsLength]),
      file,
    );
  }
});

// gammu-getallsms.txt: the modem's answer to AT+CMGL=4, `+CMGL: <index>,<stat>,,<length>` then the PDU.
const storedDelivers = [
  {
    hex: "07915155000000F0040B915155210300F100004250719003004013C8329BFD0699E5EF36485A3637DFE4721B",
    cmgl: 36,
    from: "+15551230001",
    dcs: 0,
    text: "Hello from RefModem",
    concat: null,
  },
  {
    hex: "07915155000000F0040B911813325476F80008425071900300401E30533093306B3061306F30014E16754C300230C630B930C8306730593002",
    cmgl: 49,
    from: "+81312345678",
    dcs: 8,
    text: "こんにちは、世界。テストです。",
    concat: null,
  },
  {
    hex: "07915155000000F0440B915155210300F2000042507190030040A0050003B00201A8E8F41C949E83C2A0F1DB3D0ED3CBEE30BD4C06B5CBF379F85C06CDE96F79990C4ABB41747419242F9BCBF2B27B5C06B5DFE472DB05A2A2D373507A0E0A83C66FF7384C2FBBC3F43219D42ECFE7E1731934A7BFE5653228ED06D1D16590BC6C2ECBCBEE7119D47E93CB6D17888A4ECF41E939280C1ABFDDE330BDEC0ED3CB6450BB3C9F87CF",
    cmgl: 159,
    from: "+15551230002",
    dcs: 0,
    text: "This is a concatenated message stored in the reference modem. This is a concatenated message stored in the reference modem. This is a concatenated messag",
    concat: { ref: 0xb0, refBits: 8, total: 2, seq: 1 },
  },
  {
    hex: "07915155000000F0440B915155210300F200004250719003004027050003B00202CAA039FD2D2F93416937888E2E83E46573595E768FCBA0F69B5C6EBB00",
    cmgl: 54,
    from: "+15551230002",
    dcs: 0,
    text: "e stored in the reference modem.",
    concat: { ref: 0xb0, refBits: 8, total: 2, seq: 2 },
  },
];

for (const v of storedDelivers) {
  test(`gammu/CMGL DELIVER from ${v.from}${v.concat ? ` part ${v.concat.seq}` : ""}: every field, and the same hex back`, (t) => {
    const m = asDeliver(decodePdu(v.hex, { tpduLength: v.cmgl }));
    t.deepEqual(m.smsc, SMSC);
    t.deepEqual(m.originator, { type: "international", npi: 1, number: v.from });
    t.false(m.moreMessages, "TP-MMS = 1: no more messages");
    t.false(m.loopPrevention);
    t.false(m.statusReportIndication);
    t.false(m.replyPath);
    t.is(m.pid, 0);
    t.is(m.dcs.raw, v.dcs);
    t.deepEqual(m.timestamp, { year: 2024, month: 5, day: 17, hour: 9, minute: 30, second: 0, offsetMinutes: 60 });
    t.is(sctsToIso(m.timestamp), "2024-05-17T09:30:00+01:00");
    t.is(m.text, v.text);
    t.deepEqual(m.concat, v.concat);
    const e = reencode(m);
    t.is(e.hex, v.hex);
    t.is(e.tpduLength, v.cmgl);
  });
}

test("every PDU in the gammu transcripts is one of the vectors above", (t) => {
  const known = new Set([...gammuSubmits.map((v) => v.hex), ...storedDelivers.map((v) => v.hex)]);
  let seen = 0;
  for (const f of fs.readdirSync(gammuDir).filter((n) => n.endsWith(".txt"))) {
    const body = fs.readFileSync(gammuFile(f), "utf8");
    // PDUs follow the `> ` prompt (C> ...<SUB>) or a +CMGL line (\r\n<hex>\r\n).
    for (const m of body.matchAll(/(?:C> |\+CMGL: [^\\]*\\r\\n)([0-9A-F]{20,})/g)) {
      t.true(known.has(m[1]), `${f}: ${m[1].slice(0, 30)}... is not among the vectors`);
      seen++;
    }
  }
  t.is(seen, known.size);
});

test("classic SUBMIT 'hellohello' (dreamfabric): fields and exact re-encoding", (t) => {
  const hex = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37";
  const m = asSubmit(decodePdu(hex));
  t.is(m.smsc, null);
  t.is(m.mr, 0);
  t.deepEqual(m.destination, { type: "international", npi: 1, number: "+46708251358" });
  t.deepEqual(m.validity, { format: "relative", value: 0xaa }); // 170 - 166 = 4 days
  t.is(m.text, "hellohello");
  t.deepEqual(reencode(m), { hex, tpduLength: 23 });
  t.is(submitParts("hellohello", { to: "+46708251358", validityMinutes: 4 * 1440 })[0].hex, hex);
});

test("classic DELIVER 'hellohello' (dreamfabric): subscriber number, 1999 time stamp, +2h", (t) => {
  const hex = "07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37";
  const m = asDeliver(decodePdu(hex));
  t.deepEqual(m.smsc, { type: "international", npi: 1, number: "+27381000015" });
  // Type octet C8: type of number 100 (subscriber), numbering plan 1000 (national).
  t.deepEqual(m.originator, { type: "subscriber", npi: 8, number: "27838890001" });
  t.deepEqual(m.timestamp, { year: 1999, month: 3, day: 29, hour: 15, minute: 16, second: 59, offsetMinutes: 120 });
  t.is(m.text, "hellohello");
  t.is(reencode(m).hex, hex);
});

test("published STATUS-REPORT example: MR, recipient, both time stamps, status", (t) => {
  const hex = "07911326060032F0060D0B911326880736F4111011719551401110117195714000";
  const m = asReport(decodePdu(hex));
  t.deepEqual(m.smsc, { type: "international", npi: 1, number: "+31626000230" });
  t.false(m.moreMessages);
  t.false(m.forCommand);
  t.is(m.mr, 0x0d);
  t.deepEqual(m.recipient, { type: "international", npi: 1, number: "+31628870634" });
  t.is(sctsToIso(m.timestamp), "2011-01-11T17:59:15+01:00");
  t.is(sctsToIso(m.dischargeTime), "2011-01-11T17:59:17+01:00");
  t.is(m.status, 0);
  t.is(m.pi, null);
  t.is(reencode(m).hex, hex);
});

test("hand-built STATUS-REPORT: negative time zone, TP-PI with user data", (t) => {
  // 06 first octet; MR 42; RA +15551234567; SCTS 2024-05-17 09:30:00 -05:00 (tz octet 0A:
  // 20 quarters, sign bit 3 set); DT 09:31:05 -05:00; ST 41 (permanent: incompatible
  // destination); PI 04 (UDL present, no DCS: default alphabet); UDL 2 "Hi".
  const hex = "0006420B915155214365F74250719003000A4250719013500A410402C834";
  const m = asReport(decodePdu(hex));
  t.is(m.mr, 0x42);
  t.is(m.timestamp.offsetMinutes, -300);
  t.is(sctsToIso(m.dischargeTime), "2024-05-17T09:31:05-05:00");
  t.is(m.status, 0x41);
  t.deepEqual(m.pi, [4]);
  t.is(m.pid, null);
  t.is(m.dcs, null);
  t.is(m.text, "Hi");
  t.is(reencode(m).hex, hex);
});

test("STATUS-REPORT user data: up to 143 octets (TPDU of 164), one septet more is refused", (t) => {
  // 23.040 §9.2.3.16: 143 octets with a 2-octet TP-RA and no TP-PID/TP-DCS.
  // 06 | MR 01 | TP-RA 00 80 (no digits) | SCTS | DT | ST 00 | PI 04 (UDL only: GSM 7-bit) |
  // UDL A3 (163 septets = 143 octets), all septet 0 ("@").
  const head = "00" + "06" + "01" + "0080" + "42507190030040".repeat(2) + "00" + "04";
  const m = asReport(decodePdu(head + "A3" + "00".repeat(143)));
  t.is(m.text, "@".repeat(163));
  t.is(reencode(m).tpduLength, 164);
  t.like(t.throws(() => decodePdu(head + "A4" + "00".repeat(144))), { field: "TP-UDL" });
});
