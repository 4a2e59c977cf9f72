/**
 * SMS on the simulated modem in PDU mode (27.005): the +CMGS prompt, storage and
 * listing, and the arrival paths of SPEC R90 (+CMTI, +CMT with +CNMA, +CDS).
 */
import test from "ava";
import { harness } from "./harness.js";
import { gammuPdus } from "../support/transcripts.js";
import { toHex } from "../../sim/pdu/hex.js";
import { decodeDeliver, decodeStatusReport, encodeSubmit, joinAtPdu, splitAtPdu } from "../../sim/pdu/tpdu.js";

const CTRL_Z = "\x1a";
const ESC = "\x1b";

function submitHex(text: string, opts: { statusReportRequest?: boolean } = {}): { hex: string; length: number } {
  const tpdu = encodeSubmit({ to: "+819087654321", text, ...opts });
  return { hex: joinAtPdu("", tpdu), length: tpdu.length };
}

test("+CMGS: the prompt is CR LF '> ', the PDU is echoed, Ctrl-Z sends and +CMGS gives TP-MR", async (t) => {
  const h = await harness({}, {});
  const pdu = gammuPdus("gammu-sendsms-short.txt")[0];
  t.is(await h.at("AT+CMGS=28"), "AT+CMGS=28\r\r\n> ");
  t.is(await h.send(pdu + CTRL_Z), pdu + CTRL_Z + "\r\n+CMGS: 0\r\n\r\nOK\r\n");
  t.is(h.net.sent.length, 1);
  t.is(h.net.sent[0].text, "Hello from gammu");
  t.is(h.net.sent[0].smsc, "+15550000000");
  t.is(h.net.sent[0].messageRef, 0);
  const { hex, length } = submitHex("second");
  await h.at("ATE0;+CMGS=" + length);
  t.is(await h.send(hex + CTRL_Z), "\r\n+CMGS: 1\r\n\r\nOK\r\n");
  t.is(h.net.sent[1].smsc, "+819000000000", "SCA 00 uses +CSCA");
  t.is(h.net.sent[1].messageRef, 1, "the modem numbers messages");
});

test("+CMGS: Esc cancels with OK and nothing is sent; the PDU may come in pieces, with line ends", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  const { hex, length } = submitHex("hello");
  t.is(await h.at("AT+CMGS=" + length), "\r\n> ");
  t.is(await h.send(hex.slice(0, 10) + ESC), "\r\nOK\r\n");
  t.is(h.net.sent.length, 0);
  await h.at("AT+CMGS=" + length);
  await h.send(hex.slice(0, 7));
  await h.send(hex.slice(7, 20) + "\r\n");
  t.is(await h.send(hex.slice(20) + CTRL_Z), "\r\n+CMGS: 0\r\n\r\nOK\r\n");
  t.is(h.net.sent[0].text, "hello");
});

test("+CMGS: a wrong <length>, bad hex, a DELIVER, no network or no SMS support give +CMS ERROR", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  const { hex, length } = submitHex("hello");
  await h.at("AT+CMGS=" + (length + 1));
  t.is(await h.send(hex + CTRL_Z), "\r\n+CMS ERROR: 304\r\n");
  await h.at("AT+CMGS=" + length);
  t.is(await h.send(hex.slice(0, -1) + "G" + CTRL_Z), "\r\n+CMS ERROR: 304\r\n");
  t.is(await h.at("AT+CMGS=0"), "\r\n+CMS ERROR: 304\r\n");
  h.net.setRegistration("searching");
  await h.wait(0);
  await h.at("AT+CMGS=" + length);
  t.is(await h.send(hex + CTRL_Z), "\r\n+CMS ERROR: 331\r\n");
  t.is(h.net.sent.length, 0);
  const none = await harness({ smsSupported: false });
  t.is(await none.at("ATE0;+CMEE=1"), "ATE0;+CMEE=1\r\r\nOK\r\n");
  t.is(await none.at("AT+CMGS=10"), "\r\n+CMS ERROR: 303\r\n");
  t.is(await none.at("AT+CNMI=2,1"), "\r\n+CMS ERROR: 303\r\n");
});

test("URCs wait while the prompt is open and come after the final result", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CNMI=2,1");
  const { hex, length } = submitHex("hello");
  t.is(await h.at("AT+CMGS=" + length), "\r\n> ");
  h.net.deliverSms({ from: "+819011112222", text: "hi" });
  t.is(await h.wait(0), "");
  t.is(await h.send(hex + CTRL_Z), '\r\n+CMGS: 0\r\n\r\nOK\r\n\r\n+CMTI: "SM",1\r\n');
});

test("R90: with +CNMI=2,1 a message is stored and indicated with +CMTI; +CMGR reads it and marks it read", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CNMI=2,1,0,0,0");
  h.net.deliverSms({ from: "+819011112222", text: "Hello", time: Date.UTC(2026, 0, 1, 3), tzQuarters: 36 });
  t.is(await h.wait(0), '\r\n+CMTI: "SM",1\r\n');
  t.deepEqual(h.net.acks, [{ deliveryId: "d1", result: "ack" }]);
  const read = await h.at("AT+CMGR=1");
  const m = /^\r\n\+CMGR: 0,,(\d+)\r\n([0-9A-F]+)\r\n\r\nOK\r\n$/.exec(read);
  t.truthy(m, read);
  const d = decodeDeliver(splitAtPdu(m![2]).tpdu);
  t.is(Number(m![1]), splitAtPdu(m![2]).tpdu.length);
  t.is(d.from.number, "+819011112222");
  t.is(d.userData.text, "Hello");
  t.is(d.scts.tzQuarters, 36);
  t.regex(await h.at("AT+CMGR=1"), /^\r\n\+CMGR: 1,,/);
  t.is(await h.at("AT+CMGR=2"), "\r\nOK\r\n");
  t.is(await h.at("AT+CMEE=1;+CMGR=31"), "\r\n+CMS ERROR: 321\r\n");
});

test("R90: a long Japanese message arrives as concatenated UCS2 parts, each indicated", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CNMI=2,1");
  const text = "日本語の長いメッセージです。".repeat(6);
  const ids = h.net.deliverSms({ from: "+819011112222", text });
  t.is(ids.length, 2);
  t.is(await h.wait(0), '\r\n+CMTI: "SM",1\r\n\r\n+CMTI: "SM",2\r\n');
  const list = await h.at("AT+CMGL=4");
  const pdus = list.split("\r\n").filter((l) => /^[0-9A-F]{20,}$/.test(l));
  const texts = pdus.map((p) => decodeDeliver(splitAtPdu(p).tpdu).userData);
  t.is(texts[0].concat!.seq, 1);
  t.is(texts.map((u) => u.text).join(""), text);
});

test("R90: with +CNMI=2,2 the message is routed as +CMT: ,<length> and its PDU, not stored", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CNMI=2,2,0,0,0");
  h.net.deliverSms({ from: "+819011112222", text: "direct" });
  const out = await h.wait(0);
  const m = /^\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n$/.exec(out);
  t.truthy(m, out);
  t.is(decodeDeliver(splitAtPdu(m![2]).tpdu).userData.text, "direct");
  t.is(await h.at("AT+CPMS?"), '\r\n+CPMS: "SM",0,30,"SM",0,30,"SM",0,30\r\n\r\nOK\r\n');
  t.deepEqual(h.net.acks.map((a) => a.result), ["ack"], "phase 2 (+CSMS=0): the modem acknowledges");
  // A class 2 (SIM) message is stored even with <mt>=2.
  h.net.deliverSms({ from: "+819011112222", text: "to SIM", msgClass: 2 });
  t.is(await h.wait(0), '\r\n+CMTI: "SM",1\r\n');
});

test("R90: with +CSMS=1 every +CMT waits for +CNMA; the next one is held until then", async (t) => {
  const h = await harness();
  t.is(await h.at("ATE0;+CSMS=1"), "ATE0;+CSMS=1\r\r\n+CSMS: 1,1,1\r\n\r\nOK\r\n");
  await h.at("AT+CNMI=2,2");
  h.net.deliverSms({ from: "+819011112222", text: "one" });
  h.net.deliverSms({ from: "+819011112222", text: "two" });
  const first = await h.wait(0);
  t.regex(first, /^\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n$/);
  t.deepEqual(h.net.acks, []);
  const second = await h.at("AT+CNMA");
  t.regex(second, /^\r\nOK\r\n\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n$/);
  t.is(decodeDeliver(splitAtPdu(second.split("\r\n")[4]).tpdu).userData.text, "two");
  t.is(await h.at("AT+CNMA=2"), "\r\nOK\r\n");
  t.deepEqual(h.net.acks, [
    { deliveryId: "d1", result: "ack" },
    { deliveryId: "d2", result: "nack" },
  ]);
  t.is(await h.at("AT+CMEE=1;+CNMA"), "\r\n+CMS ERROR: 340\r\n");
});

test("R90: without +CNMA in time the network retries (a duplicate arrives) and routing is switched off", async (t) => {
  const h = await harness({ cnmaTimeoutMs: 15000 }, { smsRetryMs: 30000 });
  await h.at("ATE0;+CSMS=1;+CNMI=2,2");
  h.net.deliverSms({ from: "+819011112222", text: "ack me" });
  t.regex(await h.wait(0), /^\r\n\+CMT: /);
  t.is(await h.wait(15000), "");
  t.deepEqual(h.net.acks, [{ deliveryId: "d1", result: "timeout" }]);
  t.is(await h.at("AT+CNMI?"), "\r\n+CNMI: 2,0,0,0,0\r\n\r\nOK\r\n");
  // The retry is stored silently now (<mt>=0): the client finds it only by listing.
  t.is(await h.wait(30000), "");
  t.deepEqual(h.net.acks[1], { deliveryId: "d2", result: "ack" });
  t.regex(await h.at("AT+CMGL=4"), /^\r\n\+CMGL: 1,0,,\d+\r\n[0-9A-F]+\r\n\r\nOK\r\n$/);
});

test("status reports: +CDS routed with <ds>=1, +CDSI stored with <ds>=2", async (t) => {
  const h = await harness({}, { statusReportDelayMs: 1000 });
  await h.at("ATE0;+CNMI=2,1,0,1,0");
  const { hex, length } = submitHex("report please", { statusReportRequest: true });
  await h.at("AT+CMGS=" + length);
  t.is(await h.send(hex + CTRL_Z), "\r\n+CMGS: 0\r\n\r\nOK\r\n");
  const out = await h.wait(1000);
  const m = /^\r\n\+CDS: (\d+)\r\n([0-9A-F]+)\r\n$/.exec(out);
  t.truthy(m, out);
  const r = decodeStatusReport(splitAtPdu(m![2]).tpdu);
  t.is(r.messageRef, 0);
  t.is(r.recipient.number, "+819087654321");
  t.is(r.status, 0);
  await h.at("AT+CNMI=2,1,0,2,0;+CMGS=" + length);
  await h.send(hex + CTRL_Z);
  t.is(await h.wait(1000), '\r\n+CDSI: "SM",1\r\n');
});

test("+CPMS selects memories for reading, writing and receiving; +CMGW, +CMSS, +CMGL and +CMGD work on them", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("AT+CPMS=?"), '\r\n+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CPMS="ME","ME","ME"'), "\r\n+CPMS: 0,100,0,100,0,100\r\n\r\nOK\r\n");
  const { hex, length } = submitHex("draft");
  t.is(await h.at("AT+CMGW=" + length), "\r\n> ");
  t.is(await h.send(hex + CTRL_Z), "\r\n+CMGW: 1\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMGL=2"), "\r\n+CMGL: 1,2,," + length + "\r\n" + hex + "\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMSS=1"), "\r\n+CMSS: 0\r\n\r\nOK\r\n");
  t.is(h.net.sent[0].text, "draft");
  t.is(await h.at("AT+CMGL=3"), "\r\n+CMGL: 1,3,," + length + "\r\n" + hex + "\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CPMS?"), '\r\n+CPMS: "ME",1,100,"ME",1,100,"ME",1,100\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CMGD=?"), "\r\n+CMGD: (1),(0-4)\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMGD=1,2"), "\r\nOK\r\n");
  t.is(await h.at("AT+CMGL=4"), "\r\nOK\r\n");
  t.is(await h.at('AT+CMEE=1;+CPMS="XX"'), "\r\n+CMS ERROR: 302\r\n");
});

test("a full receive memory refuses the message at the relay layer (the network keeps it)", async (t) => {
  const h = await harness({ memories: { SM: 1, ME: 1 } });
  await h.at("ATE0;+CNMI=2,1");
  h.net.deliverSms({ from: "+81901", text: "1" });
  t.is(await h.wait(0), '\r\n+CMTI: "SM",1\r\n');
  h.net.deliverSms({ from: "+81901", text: "2" });
  t.is(await h.wait(0), "");
  t.deepEqual(h.net.acks.map((a) => a.result), ["ack", "nack"]);
});

test("+CNMI <mode>=0 buffers indications until <mode> 2 with <bfr>=0", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CNMI=0,1");
  h.net.deliverSms({ from: "+81901", text: "later" });
  t.is(await h.wait(0), "");
  t.is(await h.at("AT+CNMI=2,1,0,0,0"), '\r\nOK\r\n\r\n+CMTI: "SM",1\r\n');
  t.is(await h.at("AT+CNMI=?"), "\r\n+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)\r\n\r\nOK\r\n");
});

test("a PDU given as hex reaches the client unchanged", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CNMI=2,2");
  const pdu = "07915155000000F0040B911813325476F80008425071900300401E30533093306B3061306F30014E16754C300230C630B930C8306730593002";
  h.net.deliverPdu(pdu);
  t.is(await h.wait(0), "\r\n+CMT: ," + (pdu.length / 2 - 8) + "\r\n" + pdu + "\r\n");
  t.is(toHex(splitAtPdu(pdu).tpdu).length, pdu.length - 16);
});

test("R45 +CMGS: an ATD written while the submission waits for the network is held until +CMGS's result, then runs (Telit LE910Cx §2.2.5, Quectel: input waits for the previous result code)", async (t) => {
  const h = await harness({}, { submitDelayMs: 2000 });
  const { hex, length } = submitHex("on its way");
  await h.at("ATE0");
  t.is(await h.at("AT+CMGS=" + length), "\r\n> ");
  // The PDU, Ctrl-Z and a dial in one write, as a client that does not wait would send them.
  t.is(await h.send(hex + CTRL_Z + "ATD110;\r", 1999), "", "nothing answers while the network has not accepted the message");
  t.is(h.net.calls.length, 0, "the dial has not reached the network");
  t.is(await h.wait(1), "\r\n+CMGS: 0\r\n\r\nOK\r\n\r\nOK\r\n", "+CMGS's result first, then the dial's");
  t.is(h.net.calls.length, 1);
  t.is(h.net.calls[0].number, "110");
  t.is(h.net.sent.length, 1);
});

test("R45 +CMGS: Esc at the prompt cancels at once (OK, nothing sent) and an ATD right behind it runs without waiting", async (t) => {
  const h = await harness({}, { submitDelayMs: 2000 });
  const { hex, length } = submitHex("never sent");
  await h.at("ATE0");
  t.is(await h.at("AT+CMGS=" + length), "\r\n> ");
  t.is(await h.send(hex.slice(0, 10) + ESC + "ATD110;\r"), "\r\nOK\r\n\r\nOK\r\n");
  t.is(h.net.sent.length, 0);
  t.is(h.net.calls.length, 1);
});
