/**
 * SMS on a shared number (SPEC.md §8–§9; R1, R90 at the AT level).
 */
import test from "ava";
import { Acc, CALLER, MSISDN, world } from "./harness.js";
import { decodeDeliver, decodeStatusReport, encodeSubmit, joinAtPdu, splitAtPdu } from "../../sim/pdu/tpdu.js";

const CTRL_Z = "\x1a";
const HOUR = 3600 * 1000;
const LONG =
  "This message is long enough to need three parts of a concatenated SMS, so that every device that gets the first part " +
  "also gets the second and the third part, whatever happens to its coverage between the parts of it, as R73 asks of the network.";

/** Sends one SMS from an accessory with +CMGS; returns the modem's answer. */
async function sendFrom(a: Acc, to: string, text: string, opts: { statusReportRequest?: boolean; concat?: { ref: number; total: number; seq: number } } = {}): Promise<string> {
  const tpdu = encodeSubmit({ to, text, statusReportRequest: opts.statusReportRequest, concat: opts.concat ? { ...opts.concat, bits: 8 } : undefined });
  await a.at("AT+CMGS=" + tpdu.length);
  return a.send(joinAtPdu("", tpdu) + CTRL_Z, 1);
}

/** The texts of the +CMT PDUs in a modem's output. */
function cmtTexts(out: string): string[] {
  const texts: string[] = [];
  const re = /\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n/g;
  for (let m = re.exec(out); m; m = re.exec(out)) texts.push(decodeDeliver(splitAtPdu(m[2]).tpdu).userData.text);
  return texts;
}

test("R62: an sms=native accessory sends on its own and the recipient sees the shared number (R1)", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await sendFrom(a1, "+818011112222", "hello from the watch"), "\r\n+CMGS: 0\r\n\r\nOK\r\n");
  const m = w.net.outside(CALLER).messages();
  t.deepEqual(m.map((x) => [x.peer, x.text]), [[MSISDN, "hello from the watch"]]);
  t.deepEqual(w.log({ kind: "sms-submitted" }).map((e) => [e.device, e.detail.to, e.detail.mr]), [["A1", "+818011112222", 0]]);
});

test("R63: what an accessory sends is not copied to P or to the other accessories", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a2.at("AT+CNMI=2,2");
  await sendFrom(a1, "+818011112222", "only mine");
  await w.run(1000);
  t.deepEqual(w.num.phone.received, []);
  t.is(a2.take(), "");
  t.is(w.log({ kind: "sms-delivered" }).length, 0);
});

test("R64: an sms=relay accessory cannot send on its own link: +CMS ERROR 302 at once", async (t) => {
  const w = await world();
  const a1 = await w.accessory({ sms: "relay" });
  await a1.at("AT+CMEE=1");
  t.is(await sendFrom(a1, "+818011112222", "via the phone?"), "\r\n+CMS ERROR: 302\r\n");
  t.deepEqual(w.log({ kind: "sms-refused" }).map((e) => [e.device, e.rule]), [["A1", "R64"]]);
  t.deepEqual(w.net.outside(CALLER).messages(), []);
});

test("R65: an sms=none accessory fails with +CMS ERROR 303, in its modem or, failing that, in the network", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory({ sms: "none" });
  await a1.at("AT+CMEE=1");
  t.is(await a1.at("AT+CMGS=20"), "\r\n+CMS ERROR: 303\r\n");
  // A modem that offers SMS commands although the device has no SMS: the network refuses.
  const a2 = await w.accessory({ sms: "none" }, { modem: { smsSupported: true } });
  await a2.at("AT+CMEE=1");
  t.is(await sendFrom(a2, "+818011112222", "no"), "\r\n+CMS ERROR: 303\r\n");
  t.deepEqual(w.log({ kind: "sms-refused" }).map((e) => [e.device, e.rule]), [["A2", "R65"]]);
  w.net.outside(CALLER).sendSms(MSISDN, "to everyone");
  t.deepEqual(w.log({ kind: "sms-delivered" })[0].detail.devices, "P");
});

test("R66: the status report goes to the sending accessory only (+CDS), not to P or the other accessory", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a1.at("AT+CNMI=2,2,0,1");
  await a2.at("AT+CNMI=2,2,0,1");
  t.is(await sendFrom(a1, "+818011112222", "report please", { statusReportRequest: true }), "\r\n+CMGS: 0\r\n\r\nOK\r\n");
  const out = await a1.wait(1000);
  const m = /^\r\n\+CDS: (\d+)\r\n([0-9A-F]+)\r\n$/.exec(out);
  t.truthy(m, out);
  const sr = decodeStatusReport(splitAtPdu(m![2]).tpdu);
  t.is(sr.messageRef, 0);
  t.is(sr.status, 0);
  t.is(sr.recipient.number, "+818011112222");
  t.is(a2.take(), "");
  t.deepEqual(w.num.phone.statusReports, []);
  t.deepEqual(w.log({ kind: "status-report" }).map((e) => [e.device, e.rule]), [["A1", "R66"]]);
});

test("R67: P and every reachable native accessory get an SMS at once; one out of coverage does not get it later", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  const a3 = await w.accessory();
  for (const a of [a1, a2, a3]) await a.at("AT+CNMI=2,1");
  a3.port.setCoverage("none");
  a3.take();
  w.net.outside(CALLER).sendSms(MSISDN, "Hello all");
  t.is(await a1.wait(0), '\r\n+CMTI: "SM",1\r\n');
  t.is(a2.take(), '\r\n+CMTI: "SM",1\r\n');
  t.deepEqual(w.num.phone.inbox().map((m) => [m.peer, m.text]), [[CALLER, "Hello all"]]);
  a3.port.setCoverage("full");
  await w.run(HOUR);
  t.is(a3.take(), "", "no late copy for an accessory that was away");
  t.deepEqual(w.log({ kind: "sms-delivered" })[0].detail.devices, "P,A1,A2");
  const read = await a1.at("AT+CMGR=1");
  t.is(decodeDeliver(splitAtPdu(/\r\n([0-9A-F]+)\r\n\r\nOK/.exec(read)![1]).tpdu).userData.text, "Hello all");
});

test("R68: an SMS for the priority accessory out of coverage is stored and delivered when it comes back", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2");
  t.is(await a1.at('AT+CUSD=1,"*103*1#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*1# this accessory",15\r\n');
  a1.port.setCoverage("none");
  await w.run(0);
  a1.take();
  w.net.outside(CALLER).sendSms(MSISDN, "kept for you");
  t.deepEqual(w.kinds({ kind: ["sms-stored"] }), ["sms-stored"]);
  t.deepEqual(w.num.phone.inbox(), [], "not yet: P gets its copy on the next turn");
  await w.run(2 * HOUR);
  t.deepEqual(w.num.phone.inbox().map((m) => m.text), ["kept for you"], "P, reachable, got a copy at once");
  t.is(a1.take(), "");
  a1.port.setCoverage("full");
  t.deepEqual(cmtTexts(await a1.wait(0)), ["kept for you"]);
});

test("R68: the network keeps retrying for 72 hours, then drops the message and reports it expired to the sender", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at('AT+CUSD=1,"*103*1#",15', 1);
  a1.port.setCoverage("none");
  const sender = w.net.outside(CALLER);
  sender.sendSms(MSISDN, "lost", { statusReport: true });
  await w.run(72 * HOUR - 1);
  t.deepEqual(sender.statusReports, []);
  t.is(w.log({ kind: "sms-expired" }).length, 0);
  await w.run(1);
  t.deepEqual(sender.statusReports.map((r) => r.status), [0x46]);
  t.deepEqual(w.log({ kind: "sms-expired" }).map((e) => [e.device, e.rule]), [["A1", "R68"]]);
  a1.port.setCoverage("full");
  await w.run(0);
  t.is(cmtTexts(a1.take()).length, 0);
});

test("R69: *103*0# works only from P and *103*1# only from an accessory; a refusal changes nothing", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at('AT+CUSD=1,"*103*0#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"NG: *103*0# must be sent from the smartphone",15\r\n');
  w.num.phone.serviceCode("*103*1#");
  await w.run(0);
  t.deepEqual(w.num.phone.ussdResults, [{ status: 0, text: "NG: *103*1# must be sent from the accessory that is to receive", dcs: 15 }]);
  t.is(w.num.priority, "P");
  t.is(await a1.at('AT+CUSD=1,"*103*1#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*1# this accessory",15\r\n');
  w.num.phone.serviceCode("*103*0#");
  await w.run(0);
  t.deepEqual(w.num.phone.ussdResults[1], { status: 0, text: "103*7*0# smartphone", dcs: 15 });
  t.deepEqual(w.log({ kind: "priority" }).map((e) => [e.device, e.detail.to, e.rule]), [
    ["A1", "A1", "R69"],
    ["P", "P", "R69"],
  ]);
});

test("R70: with several accessories at most one has priority; setting another replaces it", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory({ friendlyName: "Watch" });
  const a2 = await w.accessory({ friendlyName: "カーナビ" });
  await a1.at('AT+CUSD=1,"*103*1#",15', 1);
  t.is(await a2.at('AT+CUSD=1,"*103*1#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*1# this accessory",15\r\n');
  t.is(w.num.priority, "A2");
  // A1 asks: another accessory has it, named in UCS2 (dcs 72) since the name is Japanese.
  const out = await a1.at('AT+CUSD=1,"*#103#",15', 1);
  const m = /\+CUSD: 0,"([0-9A-F]+)",72/.exec(out);
  t.truthy(m, out);
  const text = String.fromCharCode(...(m![1].match(/..../g) || []).map((h) => parseInt(h, 16)));
  t.is(text, "103*7*1# another accessory: カーナビ");
  t.deepEqual(w.log({ kind: "priority" }).map((e) => [e.detail.from, e.detail.to, e.rule]), [
    ["P", "A1", "R69"],
    ["A1", "A2", "R70"],
  ]);
});

test("R71: a relay or no-SMS accessory cannot take priority and never receives SMS from the network", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const watch = await w.accessory({ sms: "relay" });
  const car = await w.accessory({ sms: "none" });
  t.is(await watch.at('AT+CUSD=1,"*103*1#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"NG: this device does not receive SMS from the network (sms=relay)",15\r\n');
  t.is(await car.at('AT+CUSD=1,"*#103#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"NG: this device does not receive SMS from the network (sms=none)",15\r\n');
  t.is(w.num.priority, "P");
  await watch.at("AT+CNMI=2,2");
  w.net.outside(CALLER).sendSms(MSISDN, "hi");
  t.is(await watch.wait(0), "");
  t.deepEqual(w.log({ kind: "sms-delivered" })[0].detail.devices, "P");
});

test("R72: when the priority accessory is unregistered, P has priority again and gets the messages kept for it", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at('AT+CUSD=1,"*103*1#",15', 1);
  a1.port.setCoverage("none");
  w.num.phone.powerOff();
  w.net.outside(CALLER).sendSms(MSISDN, "for the watch");
  w.net.manageSubscription(MSISDN, { operationType: 1, imei: a1.port.imei });
  t.is(w.num.priority, "P");
  t.deepEqual(w.log({ kind: "priority" }).map((e) => [e.detail.to, e.rule]).pop(), ["P", "R72"]);
  w.num.phone.powerOn();
  await w.run(0);
  t.deepEqual(w.num.phone.inbox().map((m) => m.text), ["for the watch"]);
});

test("R73: every part of a concatenated message goes to the same devices, even if one loses coverage between parts", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a2.at("AT+CNMI=2,2");
  const other = w.net.createNumber("+819099998888");
  const sender = await w.accessory({}, { msisdn: other.msisdn });
  // The sender's parts come one by one; A2 loses coverage after the first.
  const part = (i: number) => LONG.slice((i - 1) * 100, i * 100);
  await sendFrom(sender, MSISDN, part(1), { concat: { ref: 7, total: 3, seq: 1 } });
  t.deepEqual(cmtTexts(await a2.wait(0)), [part(1)]);
  a2.port.setCoverage("none");
  await sendFrom(sender, MSISDN, part(2), { concat: { ref: 7, total: 3, seq: 2 } });
  await sendFrom(sender, MSISDN, part(3), { concat: { ref: 7, total: 3, seq: 3 } });
  await w.run(0);
  a2.take();
  a2.port.setCoverage("full");
  t.deepEqual(cmtTexts(await a2.wait(0)), [part(2), part(3)]);
  t.deepEqual(w.log({ kind: "sms-delivered", rule: "R73" }).map((e) => e.detail.devices), ["P,A1,A2", "P,A1,A2"]);
  t.deepEqual(w.num.phone.inbox().map((m) => [m.text.length, m.total]), [[LONG.slice(0, 300).length, 3]]);
  t.is(await a1.at("AT+CPMS?"), '\r\n+CPMS: "SM",3,30,"SM",3,30,"SM",3,30\r\n\r\nOK\r\n', "A1 stored all three parts");
});

test("R73: a long SMS from outside arrives in all its parts on every device", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2");
  w.net.outside(CALLER).sendSms(MSISDN, LONG);
  const texts = cmtTexts(await a1.wait(0));
  t.is(texts.length, 2);
  t.is(texts.join(""), LONG);
  t.deepEqual(w.num.phone.inbox().map((m) => [m.complete, m.text]), [[true, LONG]]);
});

test("R73: the devices of a concatenated message are remembered for the retention only, then forgotten", async (t) => {
  const w = await world({ params: { smsRetentionMs: HOUR } });
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2");
  for (let i = 0; i < 5; i++) w.net.outside("+8180111100" + i).sendSms(MSISDN, LONG);
  await w.run(0);
  t.is(w.num.sms.concatSets, 5, "five messages' devices, within the retention");
  await w.run(HOUR + 1000);
  w.net.outside(CALLER).sendSms(MSISDN, LONG);
  await w.run(0);
  t.is(w.num.sms.concatSets, 1, "the five past the retention are forgotten as the next message arrives");
  t.is(cmtTexts(a1.take()).length, 12, "every part still reached the accessory");
});

test("R74: an SMS reaches a device in a call", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2;D0312345678;");
  w.net.outside("+81312345678").answer();
  await w.run(0);
  a1.take();
  w.net.outside(CALLER).sendSms(MSISDN, "while you talk");
  t.deepEqual(cmtTexts(await a1.wait(0)), ["while you talk"]);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"0312345678",129\r\n\r\nOK\r\n');
});

test("R75: without +CNMA the priority device gets the same PDU again after the retry interval", async (t) => {
  const w = await world({ params: { smsRetryMs: 60000 } });
  const a1 = await w.accessory();
  await a1.at('AT+CSMS=1;+CNMI=2,2;+CUSD=1,"*103*1#",15', 1);
  a1.take();
  w.net.outside(CALLER).sendSms(MSISDN, "ack me");
  const first = await a1.wait(0);
  t.deepEqual(cmtTexts(first), ["ack me"]);
  await w.run(15000);
  t.deepEqual(w.log({ kind: "sms-failed" }).map((e) => [e.device, e.detail.reason, e.rule]), [["A1", "timeout", "R75"]]);
  // The modem turned routing off after the missed +CNMA (27.005 §3.4.4); the client turns it on again.
  await a1.at("AT+CNMI=2,2");
  const again = await a1.wait(60000);
  t.is(again, first, "byte for byte the same +CMT");
  t.is(await a1.at("AT+CNMA"), "\r\nOK\r\n");
  t.is(w.log({ kind: "sms-acked", device: "A1" }).length, 1);
  await w.run(10 * 60000);
  t.is(a1.take(), "");
});

test("R76: in exclusive mode only the priority device receives SMS", async (t) => {
  const w = await world({ params: { smsMode: "exclusive" } });
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2");
  w.net.outside(CALLER).sendSms(MSISDN, "only P");
  t.is(await a1.wait(0), "");
  t.deepEqual(w.num.phone.inbox().map((m) => m.text), ["only P"]);
  await a1.at('AT+CUSD=1,"*103*1#",15', 1);
  a1.take();
  w.net.outside(CALLER).sendSms(MSISDN, "only A1");
  t.deepEqual(cmtTexts(await a1.wait(0)), ["only A1"]);
  t.deepEqual(w.num.phone.inbox().map((m) => m.text), ["only P"]);
  t.deepEqual(w.log({ kind: "sms-delivered" }).map((e) => [e.rule, e.detail.devices]), [
    ["R76", "P"],
    ["R76", "A1"],
  ]);
});

test("R90: +CNMI=2,1 stores and indicates +CMTI; +CNMI=2,2 routes +CMT with the PDU, originator and time stamp", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2");
  w.net.outside(CALLER).sendSms(MSISDN, "direct");
  const out = await a1.wait(0);
  const m = /^\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n$/.exec(out);
  t.truthy(m, out);
  const tpdu = splitAtPdu(m![2]).tpdu;
  t.is(Number(m![1]), tpdu.length);
  const d = decodeDeliver(tpdu);
  t.is(d.from.number, CALLER);
  t.is(d.scts.time, w.clock.now() - (w.clock.now() % 1000));
  t.is(d.scts.tzQuarters, 36);
  await a1.at("AT+CNMI=2,1");
  w.net.outside(CALLER).sendSms(MSISDN, "stored");
  t.is(await a1.wait(0), '\r\n+CMTI: "SM",1\r\n');
});

test("R75: a device that never acknowledges gets the message again after the relay timer and the retry interval; it keeps one copy", async (t) => {
  const w = await world({ params: { smsRetryMs: 60000 } });
  const phone = w.num.phone;
  phone.smsAck = "ignore";
  w.net.outside(CALLER).sendSms(MSISDN, "are you there");
  await w.run(45000 + 60000);
  t.deepEqual(w.log({ kind: ["sms-failed", "sms-delivered"] }).map((e) => [e.kind, e.detail.reason, e.detail.retry]), [
    ["sms-delivered", undefined, undefined],
    ["sms-failed", "timeout", true],
    ["sms-delivered", undefined, true],
  ]);
  phone.smsAck = "ack";
  await w.run(45000 + 60000);
  t.deepEqual(phone.inbox().map((m) => m.text), ["are you there"], "stored once");
  t.is(w.log({ kind: "sms-acked", device: "P" }).length, 1);
});

test("R68: a priority accessory switched off before it acknowledged gets the message when it is back on", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at('AT+CSMS=1;+CNMI=2,2;+CUSD=1,"*103*1#",15', 1);
  a1.take();
  w.net.outside(CALLER).sendSms(MSISDN, "before the battery died");
  t.deepEqual(cmtTexts(await a1.wait(0)), ["before the battery died"]);
  await a1.at("AT+CFUN=0");
  t.deepEqual(w.log({ kind: "sms-failed", device: "A1" }).map((e) => e.detail.reason), ["nack"]);
  await w.run(HOUR);
  const out = await a1.at("AT+CFUN=1", 1);
  t.deepEqual(cmtTexts(out), ["before the battery died"]);
  t.deepEqual(w.log({ kind: "sms-delivered", device: "A1" }).map((e) => e.rule), ["R68"]);
});
