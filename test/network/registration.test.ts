/**
 * The model, registration and unregistration of accessories (SPEC.md §1–§2, R83–R84),
 * and the management site (R14).
 */
import test from "ava";
import { CALLER, MSISDN, caught, nextImei, world } from "./harness.js";
import { ManageError, NetworkError } from "../../sim/network/index.js";

const FRIEND = "+81312345678";

test("R2: without the Multi-device option a second accessory is refused; the first one works", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const a2 = await w.accessory({ friendlyName: "Car" });
  t.deepEqual(a1.port.entitlement, { operationResult: 1, subscriptionResult: 3, message: "Registered as A1", device: "A1" });
  t.deepEqual(a2.port.entitlement, {
    operationResult: 1,
    subscriptionResult: 5,
    message: "Only one accessory can share +819012345678 without the Multi-device option",
  });
  t.is(await a2.at("AT+CEREG?"), "\r\n+CEREG: 0,3\r\n\r\nOK\r\n");
  w.net.outside(CALLER).call(MSISDN);
  t.is(await a1.wait(0), "\r\nRING\r\n");
  t.is(a2.take(), "");
});

test("R2: with the option up to five accessories are registered and ring at the same time", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const accs = [];
  for (let i = 0; i < 5; i++) accs.push(await w.accessory());
  t.deepEqual(accs.map((a) => a.port.entitlement!.device), ["A1", "A2", "A3", "A4", "A5"]);
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.deepEqual(accs.map((a) => a.take()), accs.map(() => "\r\nRING\r\n"));
  t.deepEqual(w.log({ kind: "alerting" })[0].detail.devices, ["P", "A1", "A2", "A3", "A4", "A5"]);
});

test("R2: the option needs a One Number contract", async (t) => {
  const w = await world({ number: { oneNumber: false } });
  t.regex(caught(NetworkError, () => w.num.setMultiDevice(true)).message, /One Number contract/);
  const a1 = await w.accessory();
  t.is(a1.port.entitlement!.subscriptionResult, 5);
  t.is(a1.port.entitlement!.message, "No One Number contract on +819012345678");
});

test("R4: an accessory works on its own with P switched off: registered, reached by calls, placing calls", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.powerOff();
  t.is(await a1.at("AT+CEREG?"), "\r\n+CEREG: 0,1\r\n\r\nOK\r\n");
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(await a1.wait(0), "\r\nRING\r\n");
  t.is(await a1.at("ATA", 1), "\r\nOK\r\n");
  t.is(c.state, "active");
  await a1.at("ATH");
  t.is(await a1.at("ATD0312345678;", 1), "\r\nOK\r\n");
  t.is(w.net.outside(FRIEND).lastCall!.peer, MSISDN);
});

test("R5: the capability profile decides: callWaiting=no gets busy, callWaiting=yes a waiting call, sms=none no SMS", async (t) => {
  const w = await world({ number: { multiDevice: true, settings: { callWaiting: true } } });
  const plain = await w.accessory({ callWaiting: false, sms: "none" });
  const watch = await w.accessory({ callWaiting: true });
  await watch.at("AT+CCWA=1;+CNMI=2,2");
  for (const [a, expect] of [
    [plain, 17],
    [watch, undefined],
  ] as const) {
    const first = w.net.outside(CALLER);
    first.call(MSISDN);
    await w.run(0);
    await a.at("ATA", 1);
    const second = w.net.outside("+818033334444").call(MSISDN);
    t.is(second.cause, expect);
    first.hangup();
    await w.run(0);
    if (second.state !== "released") w.net.outside("+818033334444").hangup();
    await w.run(0);
  }
  w.net.outside(CALLER).sendSms(MSISDN, "x");
  t.is(w.log({ kind: "sms-delivered" })[0].detail.devices, "P,A2");
});

test("R7: an accessory without One Number registration data is denied (+CEREG: 3) until it is registered", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { register: false });
  await a1.at("AT+CEREG=1");
  t.is(await a1.at("AT+CEREG?"), "\r\n+CEREG: 1,3\r\n\r\nOK\r\n");
  w.net.outside(CALLER).call(MSISDN);
  t.is(await a1.wait(0), "", "not offered");
  w.net.outside(CALLER).hangup();
  const answer = w.net.manageSubscription(MSISDN, { operationType: 0, info: a1.port.info });
  t.is(answer.subscriptionResult, 3);
  t.is(await a1.wait(0), "\r\n+CEREG: 1\r\n");
});

test("R11: an accessory gets calls and SMS only while registered; it joins the device set when registration completes", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { register: false });
  await a1.at("AT+CNMI=2,2");
  w.net.outside(CALLER).sendSms(MSISDN, "before");
  t.is(await a1.wait(0), "");
  t.deepEqual(w.num.devices().map((d) => d.id), ["P"]);
  w.net.manageSubscription(MSISDN, { operationType: 0, info: a1.port.info });
  t.deepEqual(w.num.devices().map((d) => d.id), ["P", "A1"]);
  await w.run(0);
  w.net.outside(CALLER).sendSms(MSISDN, "after");
  t.regex(await a1.wait(0), /^\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n$/);
  t.deepEqual(w.log({ kind: "register" }).map((e) => [e.device, e.rule]), [["A1", "R11"]]);
});

test("R12: one accessory more than allowed is refused with OperationResult 1, SubscriptionResult 5; the set is unchanged", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  for (let i = 0; i < 5; i++) await w.accessory();
  const before = w.site.list(MSISDN);
  const sixth = w.net.manageSubscription(MSISDN, { operationType: 0, info: { imei: nextImei(), friendlyName: "Sixth", model: "X", sms: "native", callWaiting: true } });
  t.deepEqual(sixth, { operationResult: 1, subscriptionResult: 5, message: "At most 5 accessories can share +819012345678" });
  t.deepEqual(w.site.list(MSISDN), before);
  t.deepEqual(w.log({ kind: "register-refused" }).map((e) => e.rule), ["R12"]);
});

test("R13: registering an already registered accessory again (same IMEI, or same EID) changes nothing", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const eid = "89049032000000000000000000000001";
  const a1 = await w.accessory({ eid });
  const a2 = await w.accessory();
  const again = w.net.manageSubscription(MSISDN, { operationType: 0, info: a1.port.info });
  t.deepEqual(again, { operationResult: 1, subscriptionResult: 3, message: "Already registered as A1", device: "A1" });
  const sameEid = w.net.manageSubscription(MSISDN, { operationType: 0, info: { ...a1.port.info, imei: nextImei() } });
  t.is(sameEid.device, "A1");
  t.deepEqual(w.num.devices().map((d) => d.id), ["P", "A1", "A2"]);
  t.deepEqual(w.log({ kind: "register" }).map((e) => [e.device, e.rule]), [
    ["A1", "R11"],
    ["A2", "R11"],
    ["A1", "R13"],
    ["A1", "R13"],
  ]);
  t.is(a2.port.id, "A2");
});

test("R14: the management site lists name, model, last 4 IMEI digits, registration time and state", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  await w.accessory({ imei: "356938035643809", friendlyName: "Watch", model: "SW-1" });
  await w.run(60000);
  const car = await w.accessory({ imei: "490154203237518", friendlyName: "Car", model: "CN-2" });
  car.port.setCoverage("none");
  await w.clock.advance(0);
  t.deepEqual(w.site.list(MSISDN), [
    { device: "A1", friendlyName: "Watch", model: "SW-1", imeiLast4: "3809", registeredAt: "2026-01-01T00:00:00.000Z", state: "registered", smsPriority: false },
    { device: "A2", friendlyName: "Car", model: "CN-2", imeiLast4: "7518", registeredAt: "2026-01-01T00:01:00.000Z", state: "not reachable", smsPriority: false },
  ]);
});

test("R14: a user without a One Number contract gets the error page; the list comes with the Multi-device option", async (t) => {
  const w = await world({ number: { oneNumber: false } });
  t.is(caught(ManageError, () => w.site.list(MSISDN)).code, "no-contract");
  const w2 = await world();
  t.is(caught(ManageError, () => w2.site.list(MSISDN)).code, "option-required");
  w2.site.setMultiDevice(MSISDN, true);
  t.deepEqual(w2.site.list(MSISDN), []);
  t.is(caught(ManageError, () => w2.site.list("+819000000001")).code, "unknown-number");
});

test("R15: unregistered from the site, an accessory gets no new call and no SMS from that instant", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a1.at("AT+CNMI=2,2;+CEREG=1");
  const row = w.site.unregister(MSISDN, a1.port.imei.slice(-4));
  t.is(row.device, "A1");
  t.is(await a1.wait(0), "\r\n+CEREG: 3\r\n");
  w.net.outside(CALLER).call(MSISDN);
  w.net.outside("+818033334444").sendSms(MSISDN, "hi");
  t.is(await a1.wait(0), "");
  t.is(a2.take(), "\r\nRING\r\n");
  t.deepEqual(w.site.list(MSISDN).map((r) => r.device), ["A2"]);
  t.deepEqual(w.log({ kind: "unregister" }).map((e) => [e.device, e.rule, e.detail.via]), [["A1", "R15", "management-site"]]);
});

test("R15: unregistration by ManageSubscription (operation 1) and by ending the contract", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.deepEqual(w.net.manageSubscription(MSISDN, { operationType: 1, imei: a1.port.imei }), {
    operationResult: 1,
    subscriptionResult: 6,
    message: "Unregistered A1",
    device: "A1",
  });
  t.is(w.net.manageSubscription(MSISDN, { operationType: 1, imei: a1.port.imei }).operationResult, 102);
  const a2 = await w.accessory();
  t.is(a2.port.entitlement!.device, "A1", "the slot is free again");
  w.num.endOneNumber();
  t.deepEqual(w.log({ kind: "unregister" }).map((e) => e.detail.via), ["manage-subscription", "contract-end"]);
});

test("R16: unregistered during a call, the accessory keeps the call to its end, cannot start another, then is deregistered", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CEREG=1");
  const caller = w.net.outside(CALLER);
  caller.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  w.site.setMultiDevice(MSISDN, true);
  w.site.unregister(MSISDN, "A1");
  t.is(await a1.wait(0), "", "the call goes on");
  t.is(caller.lastCall!.state, "active");
  // No new call can start (the modem holds the active call and dials; the network refuses).
  t.is(await a1.at("ATD0311112222;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await a1.at("AT+CEER"), '\r\n+CEER: 63,"One Number is not active on this device"\r\n\r\nOK\r\n');
  t.is(await a1.at("AT+CHLD=2"), "\r\nOK\r\n");
  t.deepEqual(w.log({ kind: "unregister" }).map((e) => [e.rule, e.detail.callsInProgress]), [["R16", 1]]);
  caller.hangup();
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n\r\n+CEREG: 3\r\n");
  t.deepEqual(w.kinds({ device: "A1", kind: ["unregister", "deregistered"] }), ["unregister", "deregistered"]);
});

test("R16: an emergency call in progress continues to its end after unregistration", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("ATD119;", 1);
  w.net.manageSubscription(MSISDN, { operationType: 1, imei: a1.port.imei });
  await w.run(600000);
  t.is(w.net.outside("119").lastCall!.state, "active");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"119",129\r\n\r\nOK\r\n');
  await a1.at("ATH");
  t.is(a1.port.enrollment, "none");
});

test("R17: ending One Number unregisters every accessory and ends the Multi-device option", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  w.site.endOneNumber(MSISDN);
  t.is(a1.port.enrollment, "none");
  t.is(a2.port.enrollment, "none");
  t.false(w.num.multiDevice);
  t.is(caught(ManageError, () => w.site.list(MSISDN)).code, "no-contract");
  t.deepEqual(w.log({ kind: "contract-ended" }).map((e) => e.rule), ["R17"]);
  // P keeps the number.
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(c.state, "alerting");
  t.deepEqual(w.log({ kind: "alerting" }).pop()!.detail.devices, ["P"]);
});

test("R18: the accessory learns of its unregistration from the network: +CEREG: 3; only emergency calls go out", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CEREG=1;+CMEE=1");
  w.net.manageSubscription(MSISDN, { operationType: 1, imei: a1.port.imei });
  t.is(await a1.wait(0), "\r\n+CEREG: 3\r\n");
  t.is(await a1.at("ATD0312345678;"), "\r\n+CME ERROR: 30\r\n");
  // Its profile is no longer valid, so in Japan the network refuses emergency calls too (R55).
  t.is(await a1.at("ATD110;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.deepEqual(w.log({ kind: "deregistered" }).map((e) => e.rule), ["R18"]);
});

test("R2/R12: turning the option off is refused while more than one accessory is registered", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  await w.accessory();
  await w.accessory();
  t.is(caught(ManageError, () => w.site.setMultiDevice(MSISDN, false)).code, "too-many");
  w.site.unregister(MSISDN, "A2");
  w.site.setMultiDevice(MSISDN, false);
  t.false(w.site.multiDevice(MSISDN));
  t.is((await w.accessory()).port.entitlement!.subscriptionResult, 5);
});

test("R83: an accessory is attached for data on its own subscription, with P off", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.powerOff();
  t.is(await a1.at("AT+CGATT?"), "\r\n+CGATT: 1\r\n\r\nOK\r\n");
});

test("R84: a call on another device (or on the accessory itself) leaves the accessory's data attachment alone", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.dial(FRIEND);
  w.net.outside(FRIEND).answer();
  await w.run(0);
  t.is(await a1.at("AT+CGATT?"), "\r\n+CGATT: 1\r\n\r\nOK\r\n");
  w.num.phone.hangup();
  await a1.at("ATD0312345678;", 1);
  t.is(await a1.at("AT+CGATT?"), "\r\n+CGATT: 1\r\n\r\nOK\r\n");
});
