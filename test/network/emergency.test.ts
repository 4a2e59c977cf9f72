/**
 * Emergency calls on a shared number (SPEC.md §6; R87, R93 at the AT level).
 */
import test from "ava";
import { CALLER, MSISDN, ceer, world } from "./harness.js";

const FRIEND = "+81312345678";
const TOKYO = { lat: 35.6812, lon: 139.7671, source: "gnss" as const };
const OSAKA = { lat: 34.7025, lon: 135.4959, source: "cell" as const };

test("R44: the network's emergency list is 110 police, 118 marine, 119 fire and ambulance; R93: +CEN shows it", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at("AT+CEN?"), "\r\n+CEN1: 0,440,10\r\n+CEN2: 1,110\r\n+CEN2: 8,118\r\n+CEN2: 6,119\r\n\r\nOK\r\n");
  t.deepEqual(
    ["110", "118", "119", "112", "911", "117"].map((n) => w.net.isEmergencyNumber(n)),
    [true, true, true, false, false, false],
  );
});

test("R93: with +CEN=1 the list is reported as +CEN1/+CEN2 when the modem attaches", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CEN=1;+CFUN=0");
  t.is(await a1.at("AT+CFUN=1", 1), "\r\nOK\r\n\r\n+CEN1: 1,440,10\r\n+CEN2: 1,110\r\n+CEN2: 8,118\r\n+CEN2: 6,119\r\n");
});

test("R45: every device can call 110, 118 and 119 with the line idle, alerting or busy", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  t.is(await a1.at("ATD110;", 1), "\r\nOK\r\n");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"110",129\r\n\r\nOK\r\n');
  await a1.at("ATH");
  // Busy: P owns the line.
  w.num.phone.dial(FRIEND);
  t.is(await a2.at("ATD118;", 1), "\r\nOK\r\n");
  t.is(await a2.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"118",129\r\n\r\nOK\r\n');
  await a2.at("ATH");
  // Alerting: a call rings on P and A1 (A2 out of coverage); P dials 119.
  a2.port.setCoverage("none");
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  w.num.phone.dial("119");
  await w.run(0);
  t.deepEqual(
    ["110", "118", "119"].map((n) => w.net.outside(n).calls.map((c) => c.state)),
    [["released"], ["released"], ["active"]],
  );
  t.deepEqual(w.log({ kind: "emergency" }).filter((e) => !e.detail.ended).map((e) => e.device), ["A1", "A2", "P"]);
});

test("R46: an emergency call is never refused for the line state (another device owns it)", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.dial(FRIEND);
  w.net.outside(FRIEND).answer();
  t.is(await a1.at("ATD119;", 1), "\r\nOK\r\n");
  t.is(w.net.outside("119").lastCall!.state, "active");
  t.is(w.log({ kind: "refused" }).length, 0);
  t.deepEqual(w.num.line.state.emergency, ["A1"]);
});

test("R47: an emergency call pre-empts the owner: P's call and its remote party end with #25", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const friend = w.net.outside(FRIEND);
  w.num.phone.dial(FRIEND);
  friend.answer();
  await w.run(0);
  t.is(await a1.at("ATD110;", 1), "\r\nOK\r\n");
  t.is(friend.lastCall!.cause, 25);
  t.is(w.num.phone.calls[0].cause, 25);
  t.is(w.num.phone.calls[0].causeText, "Generic Preemption");
  t.deepEqual(w.log({ kind: "preempted" }).map((e) => [e.device, e.cause, e.rule, e.detail.by]), [["P", 25, "R47", "A1"]]);
  t.is(w.num.line.state.mode.kind, "idle");
  t.deepEqual(w.num.line.state.emergency, ["A1"]);
});

test("R87: an accessory pre-empted by P's emergency call: NO CARRIER and +CEER 25 with the preemption text", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1");
  const caller = w.net.outside(CALLER);
  caller.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  // A waiting call too: it is released with the rest (R47: active, held, waiting).
  const waiting = w.net.outside("+818033334444").call(MSISDN);
  await w.run(0);
  a1.take();
  w.num.phone.dial("110");
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 25,"Generic Preemption"\r\n\r\nOK\r\n');
  t.is(await a1.at("AT+CLCC"), "\r\nOK\r\n");
  t.is(caller.lastCall!.cause, 25);
  t.is(waiting.cause, 25);
  t.is(w.log({ kind: "preempted", device: "A1" }).length, 2);
});

test("R48: an emergency call withdraws an alerting call (busy treatment) and aborts another device's call in set-up (#25)", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  a2.take();
  w.num.phone.dial("119");
  t.is(c.cause, 17, "busy treatment for the caller");
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(a2.take(), "\r\nNO CARRIER\r\n");
  t.deepEqual(w.log({ kind: "busy" }).map((e) => [e.rule, e.detail.reason]), [["R48", "emergency"]]);
  w.num.phone.hangup();
  await w.run(0);
  // A1 is setting up a call (far end still ringing); A2's emergency call aborts it with #25.
  t.is(await a1.at("ATD0312345678;", 1), "\r\nOK\r\n");
  t.is(await a2.at("ATD110;", 1), "\r\nOK\r\n");
  t.is(a1.take(), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 25,"Generic Preemption"\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "preempted" }).map((e) => [e.device, e.rule]), [["A1", "R48"]]);
});

test("R49: a second device's emergency call does not pre-empt the first; both proceed", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("ATD119;", 1);
  w.num.phone.dial("110");
  await w.run(0);
  t.is(a1.take(), "");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"119",129\r\n\r\nOK\r\n');
  t.deepEqual(w.num.phone.live().map((c) => c.state), ["active"]);
  t.deepEqual(w.num.line.state.emergency, ["A1", "P"]);
  t.is(w.log({ kind: "preempted" }).length, 0);
});

test("R50: a device in a call that dials an emergency number ends its own call first", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const friend = w.net.outside(FRIEND);
  // The modem does it itself (sim/modem releases its calls before an emergency dial).
  await a1.at("ATD0312345678;");
  friend.answer();
  await w.run(0);
  t.is(await a1.at("ATD110;", 1), "\r\nOK\r\n");
  t.is(friend.lastCall!.cause, 16);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"110",129\r\n\r\nOK\r\n');
  await a1.at("ATH");
  // The smartphone API leaves it to the network.
  w.num.phone.dial(FRIEND);
  friend.answer();
  await w.run(0);
  w.num.phone.dial("119");
  await w.run(0);
  t.is(friend.lastCall!.cause, 16);
  t.deepEqual(w.num.phone.live().map((c) => c.number), ["119"]);
  t.deepEqual(w.num.line.state, { mode: { kind: "idle" }, emergency: ["P"] });
});

test("R51: while an emergency call is up, other devices' calls get #34 and incoming calls get busy treatment, no waiting", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1;D119;", 1);
  a1.take();
  w.num.phone.dial(FRIEND);
  t.deepEqual(w.log({ kind: "refused" }).map((e) => [e.device, e.cause, e.rule]), [["P", 34, "R51"]]);
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(c.cause, 17);
  t.is(await a1.wait(0), "", "no +CCWA on the device in the emergency call");
  t.deepEqual(w.log({ kind: "busy" }).map((e) => e.rule), ["R51"]);
  await a1.at("ATH");
  t.is(w.net.outside(CALLER).call(MSISDN).state, "alerting");
});

test("R52: the emergency call carries the calling device's own location, never P's; with 184 neither number nor location", async (t) => {
  const w = await world({ number: { phone: { location: OSAKA } } });
  const a1 = await w.accessory({ location: TOKYO });
  await a1.at("ATD110;", 1);
  const police = w.net.outside("110");
  t.deepEqual(police.lastCall!.location, TOKYO);
  t.is(police.lastCall!.peer, MSISDN);
  await a1.at("ATH");
  await a1.at("ATD184110;", 1);
  t.is(police.lastCall!.location, undefined);
  t.is(police.lastCall!.peer, "");
  t.true(w.log({ kind: "emergency" }).some((e) => e.detail.withheld === true));
});

test("R53: the network decides: a modem that counts 112 as emergency still gets it treated as an ordinary number", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { modem: { emergencyNumbers: ["110", "118", "119", "112"] } });
  t.true(a1.modem.isEmergency("112"));
  w.num.phone.dial(FRIEND);
  t.is(await a1.at("ATD112;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 34,"Line in use on another device"\r\n\r\nOK\r\n');
  // And the smartphone, which has no list of its own, gets 118 as an emergency call because the network says so.
  w.num.phone.hangup();
  w.num.phone.dial("118");
  t.is(w.log({ kind: "emergency", device: "P" }).length, 1);
});

test("R54: 112/911 are released with #1 in the Japan profile (release); with 'ordinary' they are routed like any number", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at("ATD112;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 1,"Not an emergency number here: dial 110, 118 or 119"\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "refused" }).map((e) => [e.cause, e.rule]), [[1, "R54"]]);
  const o = await world({ params: { foreignEmergency: "ordinary" } });
  const b1 = await o.accessory();
  t.is(await b1.at("ATD911;", 1), "\r\nOK\r\n");
  t.is(o.net.outside("911").lastCall!.state, "ringing");
  t.is(o.log({ kind: "emergency" }).length, 0);
});

test("R55: a device without a valid subscription gets no emergency call (#63), even though its modem tries", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { register: false });
  t.is(await a1.at("AT+CEREG?"), "\r\n+CEREG: 0,3\r\n\r\nOK\r\n");
  t.is(await a1.at("ATD110;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 63,"No valid subscription: emergency calls unavailable"\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "refused" }).map((e) => e.rule), ["R55"]);
});

test("R56: in limited service an emergency call is accepted by default and refused (#63) with 'reject'", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  a1.port.setCoverage("limited");
  t.is(await a1.wait(0), "");
  t.is(await a1.at("AT+CEREG?;+CSQ"), "\r\n+CEREG: 0,2\r\n\r\n+CSQ: 8,99\r\n\r\nOK\r\n");
  t.is(await a1.at("ATD0312345678;"), "\r\nERROR\r\n", "no ordinary calls in limited service");
  t.is(await a1.at("ATD119;", 1), "\r\nOK\r\n");
  t.is(w.net.outside("119").lastCall!.state, "active");
  t.is(w.log({ kind: "emergency" })[0].detail.limitedService, true);
  const r = await world({ params: { limitedServiceEmergency: "reject" } });
  const b1 = await r.accessory();
  b1.port.setCoverage("limited");
  t.is(await b1.at("ATD119;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(b1), '\r\n+CEER: 63,"Emergency calls are not accepted in limited service"\r\n\r\nOK\r\n');
});

test("R57: the agency's call back reaches every device; for 30 min P's do-not-disturb does not reject calls", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const phone = w.num.phone;
  phone.doNotDisturb = true;
  await a1.at("ATD110;", 1);
  const police = w.net.outside("110");
  police.hangup();
  await w.run(0);
  a1.take();
  const back = police.call(MSISDN);
  t.is(await a1.wait(0), "\r\nRING\r\n");
  t.deepEqual(phone.live().map((c) => c.state), ["incoming"], "P rings although do-not-disturb is on");
  t.true(w.log({ kind: "call-offered" })[0].detail.callbackWindow);
  t.is(back.state, "alerting");
  police.hangup();
  await w.run(29 * 60 * 1000);
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.is(phone.live().length, 1, "still within the window");
  w.net.outside(CALLER).hangup();
  await w.run(60 * 1000);
  const late = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.is(late.state, "released", "after 30 min do-not-disturb declines again");
  t.deepEqual(w.log({ kind: "emergency", rule: "R57" }).map((e) => e.detail.callbackWindowMs), [30 * 60 * 1000]);
});
