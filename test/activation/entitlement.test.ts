/**
 * The entitlement server (GSMA TS.43 ODSA for companion devices), its SM-DP+ and the
 * smartphone's companion app (SPEC R7–R15), against simulated modems on the network:
 * P's app → entitlement → profile download → the modem attaches → registered.
 */
import test from "ava";
import { Activation, OPERATION_RESULT, SERVICE_STATUS, SUBSCRIPTION_RESULT, eapId, luhnDigit, modemLpa, parmAt, readDoc } from "../../sim/entitlement/index.js";
import { login } from "./ts43-login.js";
import { CALLER, MSISDN, world, type World } from "../network/harness.js";

async function setup(opts: { multiDevice?: boolean; oneNumber?: boolean } = {}) {
  const w = await world({ number: { multiDevice: opts.multiDevice, oneNumber: opts.oneNumber } });
  const act = new Activation(w.net);
  return { w, act };
}

/** A brand-new accessory: no eSIM profile yet, paired with P (its LPA is known to P's app). */
async function fresh(w: World, act: Activation, name: string, eid?: string) {
  const a = await w.accessory({ friendlyName: name, eid }, { register: false, modem: { sim: { present: false } }, init: "ATE0" });
  await a.at("AT+CMEE=1");
  await a.at("AT+CEREG=1");
  a.take();
  act.pair(modemLpa(a.modem, a.port));
  return a;
}

/** One raw TS.43 request as P's app sends it, authenticated, returning the document. */
function ask(act: Activation, params: { [k: string]: string }) {
  const token = parmAt(readDoc(login(act, MSISDN).body), "TOKEN", "token")!;
  const r = act.service.handle({ app: "ap2006", token, ...params });
  return { status: r.status, doc: readDoc(r.body), body: r.body };
}

test("R8 R11: P's app subscribes the accessory, the profile is downloaded, the modem attaches with it and is registered", async (t) => {
  const { w, act } = await setup();
  const a = await fresh(w, act, "Watch");
  t.regex(await a.at("AT+CPIN?"), /\+CME ERROR: 10/, "no profile: no SIM");
  const out = act.register(MSISDN, "Watch");
  t.like(out, { ok: true, operationResult: 1, subscriptionResult: SUBSCRIPTION_RESULT.downloadProfile, serviceStatus: SERVICE_STATUS.activating, downloaded: true });
  t.regex(out.iccid!, /^898110[0-9]{13}$/);
  t.is(luhnDigit(out.iccid!.slice(0, -1)), out.iccid!.slice(-1), "E.118 check digit");
  await w.run(100);
  t.deepEqual(w.kinds({ kind: ["register-pending", "attach", "register"] }), ["register-pending", "attach", "register"], "registered only by the attach with the new profile (R8 step 5)");
  t.is(a.port.enrollment, "registered");
  t.is(a.port.id, "A1");
  t.is(a.modem.identity.iccid, out.iccid!);
  t.regex(await a.at("AT+CCID"), new RegExp("\\+CCID: " + out.iccid));
  t.regex(await a.at("AT+CEREG?"), /\+CEREG: 0,1/);
  t.deepEqual(act.registrations(MSISDN).map((r) => [r.device, r.friendlyName, r.state, r.serviceStatus]), [["A1", "Watch", "registered", 1]]);
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.regex(a.take(), /RING/);
});

test("R12: the sixth accessory is refused with SubscriptionResult=5 naming the limit; the device set is unchanged", async (t) => {
  const { w, act } = await setup({ multiDevice: true });
  const accs = [];
  for (let i = 1; i <= 6; i++) accs.push(await fresh(w, act, "Acc " + i));
  for (let i = 0; i < 5; i++) t.like(act.register(MSISDN, "Acc " + (i + 1)), { ok: true, subscriptionResult: 2 });
  await w.run(100);
  const sixth = act.register(MSISDN, "Acc 6");
  t.like(sixth, { ok: false, operationResult: 1, subscriptionResult: 5, downloaded: false });
  t.regex(sixth.message, /At most 5 accessories/);
  t.deepEqual(act.registrations(MSISDN).filter((r) => r.state === "registered").map((r) => r.device), ["A1", "A2", "A3", "A4", "A5"]);
  t.is(accs[5].port.enrollment, "none");
  t.is(accs[5].modem.simCard().present, false, "no profile was downloaded");
});

test("R12: subscriptions whose profile is still downloading count toward the limit", async (t) => {
  const { w, act } = await setup();
  await fresh(w, act, "Watch");
  await fresh(w, act, "Car");
  // Subscribe the watch at the entitlement server only (its profile not yet used)...
  const first = ask(act, { operation: "ManageSubscription", operation_type: "0", companion_terminal_service: "SharedNumber", companion_terminal_id: w.net.portsOf(MSISDN)[0].imei, companion_terminal_model: "SL-W1", companion_terminal_friendly_name: "Watch" });
  t.is(parmAt(first.doc, "APPLICATION", "SubscriptionResult"), "2");
  // ...then the car: without Multi-device only one accessory may be registered (R2).
  const car = act.register(MSISDN, "Car");
  t.like(car, { ok: false, subscriptionResult: 5 });
  t.regex(car.message, /Only one accessory .* without the Multi-device option/);
});

test("R13: registering the same accessory again changes nothing", async (t) => {
  const { w, act } = await setup({ multiDevice: true });
  await fresh(w, act, "Watch");
  await fresh(w, act, "Car");
  act.register(MSISDN, "Watch");
  act.register(MSISDN, "Car");
  await w.run(100);
  const before = act.registrations(MSISDN);
  const again = act.register(MSISDN, "Watch");
  t.like(again, { ok: true, subscriptionResult: SUBSCRIPTION_RESULT.done, serviceStatus: SERVICE_STATUS.activated, downloaded: false });
  await w.run(100);
  t.deepEqual(act.registrations(MSISDN), before);
  t.is(w.log({ kind: "register", rule: "R13" }).length, 1);
});

test("R2: a number without a One Number contract is not eligible; nothing is downloaded", async (t) => {
  const { w, act } = await setup({ oneNumber: false });
  const a = await fresh(w, act, "Watch");
  const out = act.register(MSISDN, "Watch");
  t.like(out, { ok: false, downloaded: false });
  t.regex(out.message, /no One Number contract/);
  t.is(a.modem.simCard().present, false);
  t.is(parmAt(ask(act, { operation: "CheckEligibility" }).doc, "APPLICATION", "CompanionAppEligibility"), "0");
});

test("R15 R18: ManageSubscription operation_type=1 unregisters; the modem is denied; the profile stays on it", async (t) => {
  const { w, act } = await setup();
  const a = await fresh(w, act, "Watch");
  act.register(MSISDN, "Watch");
  await w.run(100);
  // The profile's UICC reset restarted the modem: its URC settings are back to power-on values.
  await a.at("ATE0");
  await a.at("AT+CEREG=1");
  a.take();
  const out = act.unregister(MSISDN, "Watch");
  t.like(out, { ok: true, operation: "unsubscribe", operationResult: 1, serviceStatus: SERVICE_STATUS.deactivated });
  await w.run(0);
  t.is(a.take(), "\r\n+CEREG: 3\r\n");
  t.is(a.modem.simCard().present, true, "R15: unregistration does not erase the device");
  t.deepEqual(act.registrations(MSISDN).map((r) => r.state), ["unregistered"]);
  // Registered again: the profile on the accessory is used again, no second download.
  const back = act.register(MSISDN, "Watch");
  t.like(back, { ok: true, subscriptionResult: SUBSCRIPTION_RESULT.done, downloaded: false });
  await w.run(0);
  t.is(a.take(), "\r\n+CEREG: 1\r\n");
  t.is(a.port.enrollment, "registered");
});

test("R9 R10: parameters are checked and each error has its OperationResult", (t) => {
  return setup().then(({ act }) => {
    const op = (p: { [k: string]: string }) => parmAt(ask(act, p).doc, "APPLICATION", "OperationResult");
    const sub = { operation: "ManageSubscription", companion_terminal_service: "SharedNumber", companion_terminal_model: "SL-W", companion_terminal_id: "356938035643809" };
    t.is(op({ operation: "Frobnicate" }), String(OPERATION_RESULT.invalidOperation));
    t.is(op({ ...sub, operation_type: "9" }), String(OPERATION_RESULT.invalidParameter));
    t.is(op({ ...sub, operation_type: "0", companion_terminal_id: "12345" }), String(OPERATION_RESULT.invalidParameter));
    t.is(op({ ...sub, operation_type: "0", companion_terminal_eid: "89" }), String(OPERATION_RESULT.invalidParameter));
    t.is(op({ ...sub, operation_type: "2" }), String(OPERATION_RESULT.notSupported));
    t.is(op({ ...sub, operation_type: "0", companion_terminal_service: "DiffNumber" }), String(OPERATION_RESULT.notSupported));
    t.is(op({ operation: "ManageService" }), String(OPERATION_RESULT.notSupported));
    t.is(op({ operation: "CheckEligibility", MSG_response: "7" }), String(OPERATION_RESULT.invalidMsgResponse));
    const bad = ask(act, { ...sub, operation_type: "0", companion_terminal_id: "12345" });
    t.regex(parmAt(bad.doc, "APPLICATION", "Message")!, /companion_terminal_id/);
  });
});

test("R8: authentication: a wrong credential and a forged token are HTTP 403; the answer is a TS.43 document", async (t) => {
  const { act } = await setup();
  t.is(act.service.handle({ app: "ap2006", terminal_id: "350000000000000", EAP_ID: eapId("440109999999999") }).status, 403);
  t.is(act.service.handle({ app: "ap2006", token: "00", operation: "CheckEligibility" }).status, 403);
  t.is(act.service.handle({}).status, 400);
  const r = ask(act, { operation: "CheckEligibility" });
  t.is(r.status, 200);
  t.regex(r.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<wap-provisioningdoc version="1.1">/);
  t.is(parmAt(r.doc, "APPLICATION", "AppID"), "ap2006");
  t.is(parmAt(r.doc, "APPLICATION", "CompanionAppEligibility"), "1");
  t.is(parmAt(r.doc, "VERS", "version"), "1");
});

test("R8: the SM-DP+ activation code is single use and bound to the EID given", async (t) => {
  const { act } = await setup();
  const eid = "89049032000001000000012345678901";
  const o = act.smdp.order(MSISDN, "356938035643809", eid);
  t.regex(o.activationCode, /^1\$smdp\.sharedline\.test\$SL\d{4}-3809$/);
  t.throws(() => act.smdp.download(o.activationCode, "89049032000001000000099999999999"), { message: /bound to another eUICC/ });
  const p = act.smdp.download(o.activationCode, eid);
  t.is(p.iccid, o.iccid);
  t.throws(() => act.smdp.download(o.activationCode, eid), { message: /already used/ });
  t.throws(() => act.smdp.download("1$x$y"), { message: /unknown activation code/ });
  t.is(act.smdp.order(MSISDN, "356938035643809").iccid, o.iccid, "the same accessory keeps its ICCID");
});

test("R8: a token expires after its validity; the app authenticates again by itself", async (t) => {
  const { w, act } = await setup();
  await fresh(w, act, "Watch");
  const app = act.app(MSISDN);
  t.true(app.checkEligibility().eligible);
  const auth = login(act, MSISDN);
  const token = parmAt(readDoc(auth.body), "TOKEN", "token")!;
  t.is(parmAt(readDoc(auth.body), "TOKEN", "validity"), "3600");
  await w.run(3600 * 1000);
  t.is(act.service.handle({ app: "ap2006", token, operation: "CheckEligibility" }).status, 403, "expired");
  t.like(act.register(MSISDN, "Watch"), { ok: true, subscriptionResult: 2 }, "the app's own token expired too: it authenticated again");
});
