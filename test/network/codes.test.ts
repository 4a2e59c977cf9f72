/**
 * Service codes by USSD and by dialing (SPEC.md §10), the per-number supplementary
 * services and voicemail (§7), as the accessories' modems show them (R91, R92).
 */
import test from "ava";
import { CALLER, MSISDN, ceer, world } from "./harness.js";
import { isHomeNetworkUssd, parseServiceCode } from "../../sim/network/index.js";
import { decodeDeliver, splitAtPdu } from "../../sim/pdu/tpdu.js";

test("R77: *103*0#, *103*1# and *#103# work on an accessory without a settings menu", async (t) => {
  const w = await world();
  const a1 = await w.accessory({ settingsMenu: false });
  t.is(await a1.at('AT+CUSD=1,"*#103#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*0# smartphone",15\r\n');
  t.is(await a1.at('AT+CUSD=1,"*103*1#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*1# this accessory",15\r\n');
  t.is(await a1.at('AT+CUSD=1,"*#103#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*1# this accessory",15\r\n');
  w.num.phone.serviceCode("*#103#");
  await w.run(0);
  t.is(w.num.phone.ussdResults[0].text, "103*7*1# another accessory: Watch 1");
});

test("R78: the home-network USSD form and the codes the network reads from it", (t) => {
  const yes = ["*103*0#", "*103*1#", "*#103#", "*100#", "#*#149*12#", "**140#"];
  const no = ["*150#", "*#06#", "*#1039#", "103#", "*103", "****103#", "*103*0"];
  t.deepEqual(yes.map(isHomeNetworkUssd), yes.map(() => true));
  t.deepEqual(no.map(isHomeNetworkUssd), no.map(() => false));
  t.deepEqual(parseServiceCode("*103*1#"), { kind: "priority", op: "accessory", text: "*103*1#" });
  t.deepEqual(parseServiceCode("**21*0312345678#"), { kind: "ss", service: "cfu", proc: "register", number: "0312345678", text: "**21*0312345678#" });
  t.deepEqual(parseServiceCode("**61*0312345678**20#"), { kind: "ss", service: "cfnry", proc: "register", number: "0312345678", seconds: 20, text: "**61*0312345678**20#" });
  t.deepEqual(parseServiceCode("*#43#"), { kind: "ss", service: "cw", proc: "interrogate", text: "*#43#" });
  t.deepEqual(parseServiceCode("*103*2#"), { kind: "unknown", text: "*103*2#" });
  t.deepEqual(parseServiceCode("##21*0312345678#"), { kind: "unknown", text: "##21*0312345678#" });
  t.is(parseServiceCode("0312345678"), undefined);
  t.is(parseServiceCode("110"), undefined);
});

test("R80: by USSD one final +CUSD: 0; by dialing the call is answered, applied and released with #16", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at('AT+CUSD=1,"*103*1#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*1# this accessory",15\r\n');
  t.is(await a1.wait(60000), "", "one answer, nothing after it");
  // R79's fallback: the same code dialed.
  t.is(await a1.at("ATD*103*0#;", 1), "\r\nOK\r\n");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"*103*0#",129\r\n\r\nOK\r\n');
  t.is(await a1.wait(2000), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"NG: *103*0# must be sent from the smartphone"\r\n\r\nOK\r\n');
  t.is(await a1.at("ATD*#103#;", 2001), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"103*7*1# this accessory"\r\n\r\nOK\r\n');
  t.is(w.num.line.state.mode.kind, "idle", "a code is not a call on the line");
  // P dials *103*0# while A1 holds the line: codes do not need the line.
  await a1.at("ATD0312345678;");
  w.num.phone.dial("*103*0#");
  t.is(w.num.priority, "P");
  t.is(w.log({ kind: "refused", device: "P" }).length, 0);
});

test("R79: where USSD is not supported (+CUSD: 4), the same code dialed still works", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.faults.ussdUnsupported = true;
  t.is(await a1.at('AT+CUSD=1,"*103*1#",15', 1), "\r\nOK\r\n\r\n+CUSD: 4\r\n");
  t.is(w.num.priority, "P");
  t.is(await a1.at("ATD*103*1#;", 2001), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"103*7*1# this accessory"\r\n\r\nOK\r\n');
  t.is(w.num.priority, "A1");
});

test("R81: a refused code answers NG and changes nothing; a malformed one +CUSD: 4; a silent network +CUSD: 5 after 30 s", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at('AT+CUSD=1,"*103*0#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"NG: *103*0# must be sent from the smartphone",15\r\n');
  t.is(w.num.priority, "P");
  t.is(await a1.at('AT+CUSD=1,"*103*2#",15', 1), "\r\nOK\r\n\r\n+CUSD: 4\r\n");
  t.is(await a1.at("ATD*103*2#;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 63,"Unknown service code"\r\n\r\nOK\r\n');
  w.num.faults.ussdSilent = true;
  t.is(await a1.at('AT+CUSD=1,"*#103#",15', 1), "\r\nOK\r\n");
  t.is(await a1.wait(29998), "");
  t.is(await a1.wait(1), "\r\n+CUSD: 5\r\n");
  t.deepEqual(w.log({ kind: "ussd", rule: "R81" }).map((e) => e.detail.answered), [false]);
});

test("R58: forwarding set from an accessory by USSD applies to every device; P clears it by dialing", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at('AT+CUSD=1,"**21*0312345678#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"forwarding unconditional: 0312345678",15\r\n');
  t.is(w.num.settings.forwarding.unconditional, "0312345678");
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(c.divertedBy, "unconditional");
  t.is(await a1.wait(0), "");
  w.num.phone.dial("#21#");
  t.is(w.num.settings.forwarding.unconditional, undefined);
  t.is(await a1.at('AT+CUSD=1,"*21#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"forwarding unconditional: 0312345678",15\r\n', "re-activates the registered number");
  t.is(await a1.at('AT+CUSD=1,"##21#",15;+CUSD=1,"*21#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"forwarding unconditional: off",15\r\n\r\n+CUSD: 0,"NG: no forwarding number registered for unconditional",15\r\n');
  // Call waiting: a setting of the number too.
  w.num.phone.dial("*43#");
  t.true(w.num.settings.callWaiting);
  t.is(await a1.at('AT+CUSD=1,"*#43#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"call waiting: on",15\r\n');
  t.deepEqual(w.log({ kind: "settings" }).map((e) => e.device), ["A1", "P", "A1", "A1", "P"]);
});

test("R59: with unconditional forwarding no device is alerted", async (t) => {
  const w = await world({ number: { settings: { forwarding: { unconditional: "0312345678" } } } });
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.is(a1.take(), "");
  t.deepEqual(w.num.phone.live(), []);
  t.is(c.divertedBy, "unconditional");
  t.is(w.net.outside("+81312345678").lastCall!.peer, CALLER);
  t.deepEqual(w.kinds({ kind: ["alerting", "forwarded"] }), ["forwarded"]);
});

test("R60: busy forwarding applies when a user declines on any device", async (t) => {
  const w = await world({ number: { settings: { forwarding: { busy: "0312345678" } } } });
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  await a1.at("ATH");
  t.is(c.divertedBy, "busy");
  t.is(w.net.outside("+81312345678").lastCall!.state, "ringing");
  t.deepEqual(w.log({ kind: "forwarded" }).map((e) => [e.rule, e.detail.reason]), [["R60", "busy"]]);
});

test("R61: one voicemail box: a message left by a caller is announced by SMS to the devices and played from any of them", async (t) => {
  const w = await world({ number: { settings: { noReplyMs: 5000 } } });
  const a1 = await w.accessory();
  await a1.at("AT+CNMI=2,2");
  // 1411 from the accessory starts voicemail for the number.
  t.is(await a1.at("ATD1411;", 2001), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"voicemail: on"\r\n\r\nOK\r\n');
  t.true(w.num.settings.voicemail);
  const caller = w.net.outside(CALLER);
  caller.call(MSISDN);
  await w.run(5000);
  t.is(caller.lastCall!.answeredBy, "voicemail");
  a1.take();
  await w.run(20000);
  caller.hangup();
  const out = await a1.wait(0);
  const m = /\+CMT: ,\d+\r\n([0-9A-F]+)\r\n/.exec(out);
  t.truthy(m, out);
  const d = decodeDeliver(splitAtPdu(m![1]).tpdu);
  t.is(d.from.number, "1417");
  t.is(d.userData.text, "Voicemail: 1 new message(s). Call 1417 to listen.");
  t.deepEqual(w.num.phone.inbox().map((x) => x.peer), ["1417"]);
  t.deepEqual(w.num.mailbox.map((v) => [v.from, v.durationMs, v.heard]), [[CALLER, 20000, false]]);
  // P plays it by calling 1417.
  w.num.phone.dial("1417");
  await w.run(0);
  t.deepEqual(w.num.phone.live().map((c) => c.state), ["active"]);
  t.true(w.num.mailbox[0].heard);
  w.num.phone.hangup();
  t.is(await a1.at("ATD1410;", 2001), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.false(w.num.settings.voicemail);
});

test("R91: USSD answers follow +CSCS and the CBS coding (UCS2 text as hex octets with dcs 72)", async (t) => {
  const w = await world();
  const a1 = await w.accessory({ friendlyName: "時計" });
  await a1.at('AT+CUSD=1,"*103*1#",15', 1);
  await a1.at('AT+CSCS="UCS2"');
  const out = await a1.at('AT+CUSD=1,"002A0023003100300033002300",15', 1);
  t.is(out, "\r\nERROR\r\n", "a UCS2 string that is not whole 16-bit units is refused by the modem");
  t.is(
    await a1.at('AT+CUSD=1,"002A00230031003000330023",15', 1),
    '\r\nOK\r\n\r\n+CUSD: 0,"003100300033002A0037002A00310023002000740068006900730020006100630063006500730073006F00720079",15\r\n',
  );
  w.num.phone.serviceCode("*103*0#");
  await w.run(0);
  t.is(await a1.at('AT+CSCS="IRA";+CUSD=1,"*#103#",15', 1), '\r\nOK\r\n\r\n+CUSD: 0,"103*7*0# smartphone",15\r\n');
});
