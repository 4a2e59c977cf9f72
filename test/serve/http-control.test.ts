/**
 * The control interface of a served number (docs/sim-control.md), in this process on
 * 127.0.0.1 with free ports, in --virtual-time mode unless a test is about real time.
 * The accessories' modems are reached over TCP with raw AT, as outside tools would.
 */
import test from "ava";
import { ALICE, MSISDN, atClient, served } from "./helpers.js";

test("GET / lists the accessories and every endpoint; GET /numbers/<msisdn> shows the line and the devices", async (t) => {
  const s = await served(t);
  const index = await s.api("GET", "/");
  t.is(index.status, 200);
  t.is(index.body.number, MSISDN);
  t.is(index.body.time, "virtual");
  t.deepEqual(
    index.body.accessories.map((a: { device: string; enrollment: string }) => a.device + " " + a.enrollment),
    ["A1 registered", "A2 registered"],
  );
  t.regex(index.body.accessories[0].where, /^tcp:\/\/127\.0\.0\.1:\d+$/);
  t.regex(index.body.accessories[0].imei, /^[0-9]{15}$/);
  for (const e of ["POST /phone/answer", "POST /outside/:party/call", "DELETE /devices/:device", "POST /time", "GET /log"]) {
    t.true(index.body.endpoints.some((l: string) => l.indexOf(e) === 0), e);
  }
  const num = await s.api("GET", "/numbers/" + encodeURIComponent(MSISDN));
  t.is(num.status, 200);
  t.is(num.body.line, "idle");
  t.is(num.body.multiDevice, true);
  t.deepEqual(
    num.body.devices.map((d: { id: string; reachable: boolean }) => d.id + ":" + d.reachable),
    ["P:true", "A1:true", "A2:true"],
  );
  t.is((await s.api("GET", "/numbers/+819099999999")).status, 404);
});

test("R19 R22 R85: a call through POST /outside/<caller>/call rings the phone and the modems (RING, +CLIP over TCP); the phone answers and the modems get NO CARRIER", async (t) => {
  const s = await served(t);
  const a1 = await atClient(t, s.server.accessories[0].where);
  a1.send("ATE0;+CLIP=1");
  await a1.rx.waitFor("OK\r\n");
  a1.rx.clear();
  const call = await s.api("POST", "/outside/" + ALICE + "/call", {});
  t.is(call.status, 201);
  t.regex(call.body.call, /^k\d+$/);
  t.is(await a1.rx.waitFor("145\r\n"), '\r\nRING\r\n\r\n+CLIP: "+818011112222",145\r\n');
  const phone = await s.api("GET", "/phone");
  t.deepEqual(
    phone.body.calls.map((c: { state: string; number: string }) => c.state + " " + c.number),
    ["incoming " + ALICE],
  );
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "alerting(P,A1,A2)");
  t.is((await s.api("POST", "/phone/answer", {})).status, 200);
  await a1.rx.waitFor("NO CARRIER\r\n");
  a1.send("AT+CEER");
  t.regex(await a1.rx.waitFor("OK\r\n"), /\+CEER: 26,"Call completed elsewhere"/);
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "busy(P)");
  const party = await s.api("GET", "/outside/" + ALICE);
  t.like(party.body.calls[0], { state: "active", answeredBy: MSISDN });
  const log = await s.api("GET", "/log?kind=answered-elsewhere");
  t.deepEqual(
    log.body.entries.map((e: { device: string; rule: string; cause: number }) => e.device + " " + e.rule + " " + e.cause),
    ["A1 R22 26", "A2 R22 26"],
  );
  // Nothing left to answer: a state conflict, not a bad request.
  const again = await s.api("POST", "/phone/answer", {});
  t.is(again.status, 409, JSON.stringify(again.body));
  t.regex(again.body.error, /has no incoming\/waiting call/);
  t.is((await s.api("POST", "/outside/" + ALICE + "/hangup")).status, 200);
  t.is((await s.api("GET", "/numbers/" + MSISDN)).body.line, "idle");
});

test("bodies are validated: a missing, mistyped or unknown field, bad JSON and a bad query are 400 with an error that names the field", async (t) => {
  const s = await served(t);
  const cases: [string, string, unknown, RegExp][] = [
    ["POST", "/phone/dial", {}, /^body\.number: required \(the number to dial\)$/],
    ["POST", "/phone/dial", { number: 42 }, /^body\.number: expected a string/],
    ["POST", "/phone/dial", { number: "09012345678", withold: true }, /^body\.withold: unknown field \(known: number, withhold\)$/],
    ["POST", "/phone/dial", { number: "12;ATH" }, /^body\.number: expected a dial string of digits, \+, \* and #/],
    ["POST", "/phone/dial", "{not json", /^body: not JSON/],
    ["POST", "/phone/dial", [1, 2], /^body: expected a JSON object/],
    ["POST", "/phone/sms", { to: ALICE }, /^body\.text: required/],
    ["POST", "/phone/code", { code: "" }, /^body\.code: expected a service code/],
    ["POST", "/outside/" + ALICE + "/reject", { cause: 300 }, /^body\.cause: expected a whole number in 1\.\.127/],
    ["POST", "/outside/abc/call", {}, /^path: "abc" is not a phone number/],
    ["POST", "/outside/" + MSISDN + "/call", {}, /is a shared number on this network, not an outside party/],
    ["POST", "/devices/A1/coverage", { state: "weak" }, /^body\.state: expected one of full, limited, none, got "weak"$/],
    ["POST", "/multi-device", { on: "yes" }, /^body\.on: expected true or false/],
    ["POST", "/time", { advanceMs: -5 }, /^body\.advanceMs: expected a whole number in 0\.\./],
    ["POST", "/settings", { noReplyMs: 200000 }, /^body\.noReplyMs: expected a whole number in 0\.\.120000/],
    ["GET", "/log?since=-1", undefined, /^query\.since: expected a sequence number/],
    ["GET", "/log?frob=1", undefined, /^query\.frob: unknown parameter/],
  ];
  for (const [method, path, body, error] of cases) {
    const r = await s.api(method, path, body);
    t.is(r.status, 400, method + " " + path + " " + JSON.stringify(body));
    t.regex(r.body.error, error, method + " " + path);
  }
});

test("unknown things are 404, a known path with another method is 405 with Allow", async (t) => {
  const s = await served(t);
  const nope = await s.api("GET", "/frobnicate");
  t.is(nope.status, 404);
  t.regex(nope.body.error, /no such endpoint: GET \/frobnicate/);
  t.is((await s.api("POST", "/devices/A9/coverage", { state: "none" })).status, 404);
  t.is((await s.api("GET", "/devices/999999999999999")).status, 404);
  t.is((await s.api("POST", "/phone/answer", { call: "n99" })).status, 404);
  t.is((await s.api("POST", "/outside/" + ALICE + "/hangup", { call: "k99" })).status, 404);
  const m = await s.api("DELETE", "/phone/answer");
  t.is(m.status, 405);
  t.is(m.headers.get("allow"), "POST");
});

test("R14 R15 R2: the management site lists the accessories, unregisters one by device id or IMEI, and refuses Multi-device off while two are registered", async (t) => {
  const s = await served(t, { accessories: 3 });
  const list = await s.api("GET", "/devices");
  t.deepEqual(
    list.body.map((d: { device: string; state: string }) => d.device + " " + d.state),
    ["A1 registered", "A2 registered", "A3 registered"],
  );
  t.is(list.body[0].imeiLast4, s.server.accessories[0].imei.slice(-4));
  const off = await s.api("POST", "/multi-device", { on: false });
  t.is(off.status, 409);
  t.regex(off.body.error, /Unregister accessories first: 3 are registered/);
  const del = await s.api("DELETE", "/devices/A2");
  t.is(del.status, 200);
  t.is(del.body.unregistered.device, "A2");
  t.is((await s.api("DELETE", "/devices/" + s.server.accessories[2].imei)).status, 200);
  t.is((await s.api("DELETE", "/devices/A2")).status, 404);
  t.deepEqual(
    (await s.api("GET", "/devices")).body.map((d: { device: string }) => d.device),
    ["A1"],
  );
  // The unregistered modem learns it from the network (R18).
  const a2 = await atClient(t, s.server.accessories[1].where);
  a2.send("AT+CEREG?");
  t.regex(await a2.rx.waitFor("OK\r\n"), /\+CEREG: 0,3/);
  t.is((await s.api("POST", "/multi-device", { on: false })).status, 200);
  t.deepEqual((await s.api("GET", "/multi-device")).body, { on: false });
  t.is((await s.api("GET", "/devices")).status, 409, "without the option the site has no device list");
  const log = await s.api("GET", "/log?kind=unregister,multi-device");
  t.deepEqual(
    log.body.entries.map((e: { kind: string; device?: string }) => e.kind + " " + (e.device || "-")),
    ["unregister A2", "unregister A3", "multi-device -"],
  );
});

test("R20 R29: coverage per device: an accessory out of coverage is skipped; with nothing reachable the caller gets #18", async (t) => {
  const s = await served(t);
  const cov = await s.api("POST", "/devices/A1/coverage", { state: "none" });
  t.is(cov.status, 200);
  t.like(cov.body, { id: "A1", coverage: "none", reachable: false });
  const since = (await s.api("GET", "/log?limit=1")).body.lastSeq;
  await s.api("POST", "/outside/" + ALICE + "/call", {});
  const alerting = await s.api("GET", "/log?kind=alerting&since=" + since);
  t.deepEqual(alerting.body.entries[0].detail.devices, ["P", "A2"]);
  await s.api("POST", "/outside/" + ALICE + "/hangup", {});
  await s.api("POST", "/devices/A2/coverage", { state: "none" });
  await s.api("POST", "/devices/phone/coverage", { state: "none" });
  await s.api("POST", "/outside/" + ALICE + "/call", {});
  const party = await s.api("GET", "/outside/" + ALICE);
  t.like(party.body.calls[1], { state: "released", cause: 18 });
  t.is((await s.api("GET", "/log?kind=not-reachable")).body.entries[0].rule, "R29");
});

test("R28: POST /time moves virtual time: the no-reply timer fires only when time is advanced far enough", async (t) => {
  const s = await served(t);
  const t0 = (await s.api("GET", "/time")).body;
  t.is(t0.mode, "virtual");
  await s.api("POST", "/outside/" + ALICE + "/call", {});
  const a = await s.api("POST", "/time", { advanceMs: 14999 });
  t.is(a.body.now, t0.now + 14999);
  t.is((await s.api("GET", "/log?kind=no-reply")).body.entries.length, 0);
  t.is((await s.api("GET", "/phone")).body.calls[0].state, "incoming");
  await s.api("POST", "/time", { advanceMs: 1 });
  const nr = (await s.api("GET", "/log?kind=no-reply")).body.entries;
  t.is(nr.length, 1);
  t.is(nr[0].rule, "R28");
  t.like((await s.api("GET", "/outside/" + ALICE)).body.calls[0], { state: "released", cause: 19 });
  t.like((await s.api("GET", "/phone")).body.callLog[0], { outcome: "missed", cause: 19 });
});

test("R62 R67 R80: SMS both ways and a service code from the phone", async (t) => {
  const s = await served(t);
  t.is((await s.api("POST", "/phone/sms", { to: ALICE, text: "on my way" })).status, 201);
  t.deepEqual(
    (await s.api("GET", "/outside/" + ALICE)).body.messages.map((m: { peer: string; text: string }) => m.peer + ": " + m.text),
    [MSISDN + ": on my way"],
  );
  t.is((await s.api("POST", "/outside/" + ALICE + "/sms", { text: "see you" })).status, 201);
  t.deepEqual(
    (await s.api("GET", "/phone")).body.inbox.map((m: { peer: string; text: string }) => m.peer + ": " + m.text),
    [ALICE + ": see you"],
  );
  const a1 = await atClient(t, s.server.accessories[0].where);
  a1.send("ATE0;+CNMI=2,1");
  // The copy for the accessory was delivered before anyone listened: it is in SIM memory.
  a1.send("AT+CPMS?");
  t.regex(await a1.rx.waitFor(/\+CPMS: "SM",1,/), /\+CPMS: "SM",1,/);
  await s.api("POST", "/phone/code", { code: "*#103#" });
  t.deepEqual((await s.api("GET", "/phone")).body.ussd, [{ status: 0, text: "103*7*0# smartphone", dcs: 15 }]);
});

test("real time: GET /time says so and POST /time is a 409", async (t) => {
  const s = await served(t, { virtualTime: false, accessories: 1 });
  const now = (await s.api("GET", "/time")).body;
  t.is(now.mode, "real");
  t.true(Math.abs(now.now - Date.now()) < 60000);
  const adv = await s.api("POST", "/time", { advanceMs: 1000 });
  t.is(adv.status, 409);
  t.regex(adv.body.error, /--virtual-time/);
  await s.api("POST", "/outside/" + ALICE + "/call", {});
  t.is((await s.api("GET", "/phone")).body.calls[0].state, "incoming");
});
