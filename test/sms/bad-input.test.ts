/**
 * Bad PDUs: each gives a `PduError` naming the 23.040 field at fault and the octet offset
 * where decoding stopped; never a crash, a hang or a read past the end.
 */
import test from "ava";
import { decodePdu, PduError, type SmsDeliver } from "../../drivers/sms/index.js";

// Well-formed bases, with an empty SMSC field ("00"). DELIVER: 04 | OA 04 81 2143 |
// PID 00 | DCS 00 | SCTS 42507190030040 | UDL 02 | "Hi" C834. Octet offsets: first 1,
// OA 2-5, PID 6, DCS 7, SCTS 8-14, UDL 15, UD 16 (hex character offsets are twice that).
const SCTS = "42507190030040";
const DELIVER = "00" + "04" + "04812143" + "00" + "00" + SCTS + "02C834";
// SUBMIT: 11 (VPF relative) | MR 00 | DA 04812143 | PID 00 | DCS 00 | VP A7 | UDL 02 | C834.
const SUBMIT = "00" + "11" + "00" + "04812143" + "0000" + "A7" + "02C834";
// STATUS-REPORT: 06 | MR 42 | RA 04812143 | SCTS | DT | ST 00. Offsets: SCTS 7, DT 14, ST 21.
const REPORT = "00" + "06" + "42" + "04812143" + SCTS + SCTS + "00";

const cases: [string, string, string, number][] = [
  ["empty", "", "hex", 0],
  ["blanks only", "  \r\n", "hex", 0],
  ["odd digit count", "000", "hex", 1],
  ["not hex", "00G4", "hex", 1],
  ["longer than any PDU", "00".repeat(177), "hex", 176],
  ["SMSC field only", "00", "TP-MTI", 1],
  ["SMSC length above 11", "0C91" + "11".repeat(11), "SMSC", 0],
  ["SMSC cut short", "07915155", "SMSC", 2],
  ["DELIVER without TP-OA", "0004", "TP-OA", 2],
  ["TP-OA of 21 digits", "000415", "TP-OA", 2],
  ["TP-OA digits cut short", "00040481", "TP-OA", 4],
  ["TP-OA with filler F inside", "0004048121F30000" + SCTS + "02C834", "TP-OA", 5],
  ["no TP-PID", "000404812143", "TP-PID", 6],
  ["no TP-DCS", "00040481214300", "TP-DCS", 7],
  ["TP-SCTS cut short", "00040481214300004250", "TP-SCTS", 8],
  ["TP-SCTS year not BCD", "0004048121430000A250719003004002C834", "TP-SCTS", 8],
  ["TP-SCTS month 13", "00040481214300004231719003004002C834", "TP-SCTS", 9],
  ["TP-SCTS hour 25", "00040481214300004250715203004002C834", "TP-SCTS", 11],
  ["TP-SCTS zone not BCD", "0004048121430000" + "425071900300A0" + "02C834", "TP-SCTS", 14],
  ["no TP-UDL", DELIVER.slice(0, 30), "TP-UDL", 15],
  ["TP-UDL of 161 septets", DELIVER.slice(0, 30) + "A1", "TP-UDL", 15],
  ["TP-UD cut short", DELIVER.slice(0, 30) + "0AC834", "TP-UD", 16],
  ["octets after the user data", DELIVER + "00", "TP-UD", 18],
  ["UCS2 TP-UDL of 141 octets", "000404812143" + "0008" + SCTS + "8D", "TP-UDL", 15],
  ["UCS2 text of an odd octet count", "000404812143" + "0008" + SCTS + "03304230", "TP-UD", 16],
  ["TP-UDHI but no user data", "004404812143" + "0008" + SCTS + "00", "TP-UDH", 16],
  ["UDH longer than TP-UDL", "004404812143" + "0008" + SCTS + "03050003", "TP-UDH", 16],
  ["information element past the UDH", "004404812143" + "0008" + SCTS + "06050004010201", "TP-UDH", 17],
  ["GSM 7-bit UDH septets above TP-UDL", "004404812143" + "0000" + SCTS + "06050003010201", "TP-UDH", 16],
  ["SUBMIT without TP-MR", "0011", "TP-MR", 2],
  ["SUBMIT TP-DA of 21 digits", "00110015", "TP-DA", 3],
  ["SUBMIT without TP-VP", SUBMIT.slice(0, 18), "TP-VP", 9],
  ["SUBMIT absolute TP-VP month 13", "0019000481214300004231719003004002C834", "TP-VP", 10],
  ["SUBMIT with octets after the user data", SUBMIT + "FF", "TP-UD", 13],
  ["STATUS-REPORT without TP-DT", REPORT.slice(0, 28), "TP-DT", 14],
  ["STATUS-REPORT without TP-ST", REPORT.slice(0, 42), "TP-ST", 21],
  ["STATUS-REPORT TP-PI announces a TP-PID that is not there", REPORT + "01", "TP-PID", 23],
  ["STATUS-REPORT TP-PI extension octet missing", REPORT + "81", "TP-PI", 23],
  ["STATUS-REPORT user data cut short", REPORT + "0405C8", "TP-UD", 24],
];

for (const [name, hex, field, offset] of cases) {
  test(`bad PDU: ${name} -> ${field} at octet ${offset}`, (t) => {
    const e = t.throws(() => decodePdu(hex));
    t.true(PduError.is(e), String(e));
    t.true(e instanceof Error);
    t.like(e, { name: "PduError", field, offset });
    t.regex(e!.message, new RegExp(`^${field} at octet ${offset}: `));
  });
}

test("the bases of the table are themselves valid", (t) => {
  t.is(decodePdu(DELIVER).text, "Hi");
  t.is(decodePdu(SUBMIT).text, "Hi");
  t.is(decodePdu(REPORT).type, "status-report");
  t.is(decodePdu(" " + DELIVER.toLowerCase() + "\r\n").text, "Hi", "case and surrounding blanks do not matter");
});

test("the TPDU length the modem gave is checked when passed", (t) => {
  t.notThrows(() => decodePdu(DELIVER, { tpduLength: 17 }));
  t.like(t.throws(() => decodePdu(DELIVER, { tpduLength: 16 })), { field: "length", offset: 1 });
});

test("without the SMSC field, offsets count from the TPDU", (t) => {
  t.is(decodePdu(DELIVER.slice(2), { withSmsc: false }).text, "Hi");
  t.like(t.throws(() => decodePdu("04", { withSmsc: false })), { field: "TP-OA", offset: 1 });
});

test("reserved TP-MTI 11 is read as SMS-DELIVER, as 23.040 §9.2.3.1 tells a receiver", (t) => {
  const m = decodePdu("0007" + DELIVER.slice(4)) as SmsDeliver;
  t.is(m.type, "deliver");
  t.true(m.reservedMti);
  t.is(m.text, "Hi");
});
