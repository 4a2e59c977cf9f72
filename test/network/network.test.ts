/**
 * The network as a whole (SPEC.md §13): the line machine (R6), many numbers (R94),
 * deterministic order (R95), parameters (R96), the event log next to the AT output
 * (R97), and coverage loss and return.
 */
import test from "ava";
import { CALLER, MSISDN, caught, ceer, world } from "./harness.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import {
  DEFAULT_PARAMS,
  LineState,
  NetworkParamError,
  SharedNetwork,
  describeLine,
  formatEntry,
  lineStep,
  networkParams,
} from "../../sim/network/index.js";

const IDLE: LineState = { mode: { kind: "idle" }, emergency: [] };

test("R6: the line machine: idle -> alerting -> busy(owner) -> idle, branches dropping, emergency set apart", (t) => {
  let s = lineStep(IDLE, { type: "offer", call: "k1", devices: ["P", "A1", "A2"] });
  t.is(describeLine(s), "alerting(P,A1,A2)");
  s = lineStep(s, { type: "drop", call: "k1", device: "A2" });
  t.is(describeLine(s), "alerting(P,A1)");
  s = lineStep(s, { type: "answer", call: "k1", device: "A1" });
  t.is(describeLine(s), "busy(A1)");
  s = lineStep(s, { type: "seize", device: "A1" });
  t.is(describeLine(s), "busy(A1)", "the owner may place more calls");
  s = lineStep(s, { type: "emergency-start", device: "P" });
  t.is(describeLine(s), "busy(A1) +emergency(P)");
  s = lineStep(lineStep(s, { type: "free", device: "A1" }), { type: "emergency-end", device: "P" });
  t.deepEqual(s, IDLE);
  const dropAll = lineStep(lineStep(IDLE, { type: "offer", call: "k2", devices: ["P"] }), { type: "drop", call: "k2", device: "P" });
  t.deepEqual(dropAll, IDLE, "the last branch gone leaves the line idle");
});

test("R6: transitions the line does not allow throw LineError", (t) => {
  const busy = lineStep(IDLE, { type: "seize", device: "P" });
  const alerting = lineStep(IDLE, { type: "offer", call: "k1", devices: ["P", "A1"] });
  const bad: [LineState, Parameters<typeof lineStep>[1]][] = [
    [busy, { type: "seize", device: "A1" }],
    [busy, { type: "free", device: "A1" }],
    [busy, { type: "offer", call: "k2", devices: ["A1"] }],
    [alerting, { type: "answer", call: "k1", device: "A2" }],
    [alerting, { type: "answer", call: "k9", device: "A1" }],
    [alerting, { type: "seize", device: "A1" }],
    [IDLE, { type: "withdraw", call: "k1" }],
    [IDLE, { type: "emergency-end", device: "P" }],
    [IDLE, { type: "offer", call: "k1", devices: [] }],
  ];
  for (const [s, e] of bad) t.throws(() => lineStep(s, e), { name: "LineError" }, describeLine(s) + " " + e.type);
});

test("R6: the number's line follows the calls and every transition is logged", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const party = w.net.outside(CALLER);
  party.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  party.hangup();
  await w.run(0);
  t.deepEqual(
    w.log({ kind: "line" }).map((e) => [e.detail.event, e.detail.to]),
    [
      ["offer", "alerting(P,A1)"],
      ["answer", "busy(A1)"],
      ["free", "idle"],
    ],
  );
});

test("R94: one network hosts many numbers, each with its own phone, accessories, line and settings", async (t) => {
  const w = await world();
  const other = w.net.createNumber("09011112222", { multiDevice: true, settings: { callWaiting: true } });
  t.is(other.msisdn, "+819011112222");
  const a1 = await w.accessory();
  const b1 = await w.accessory({}, { msisdn: other.msisdn });
  const b2 = await w.accessory({}, { msisdn: other.msisdn });
  t.deepEqual([a1.port.id, b1.port.id, b2.port.id], ["A1", "A1", "A2"]);
  w.num.phone.dial("0312345678");
  w.net.outside(CALLER).call(other.msisdn);
  t.is(w.num.line.owner, "P");
  t.is(describeLine(other.line.state), "alerting(P,A1,A2)");
  t.false(w.num.settings.callWaiting);
  t.true(other.settings.callWaiting);
  t.is(w.net.numberCount, 2);
  t.throws(() => w.net.createNumber("+819011112222"), { name: "NetworkError", message: /already hosted/ });
  t.throws(() => w.net.createNumber("12"), { name: "NetworkError", message: /not an MSISDN/ });
  t.throws(() => w.net.number("+819000000000"), { name: "NetworkError" });
  t.throws(() => w.net.portFor(other.msisdn, { ...a1.port.info }), { name: "NetworkError", message: /belongs to/ });
  t.throws(() => w.net.portFor(MSISDN, { ...a1.port.info, imei: "12" }), { name: "NetworkError", message: /imei/ });
  t.deepEqual(w.log({ number: other.msisdn, kind: "register" }).map((e) => e.device), ["A1", "A2"]);
});

async function scenario(): Promise<{ log: string[]; out: string[] }> {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory({ imei: "356938035643809" });
  const a2 = await w.accessory({ imei: "490154203237518" });
  await a1.at("AT+CNMI=2,2");
  await a2.at("AT+CNMI=2,2");
  // Same instant: two SMS from two senders and a call; then, in one instant, two answers.
  w.net.outside("+818000000001").sendSms(MSISDN, "first");
  w.net.outside("+818000000002").sendSms(MSISDN, "second");
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  await a2.host.write("ATA\r");
  await a1.host.write("ATA\r");
  await w.run(1);
  await w.run(20000);
  return { log: w.net.log.entries.map((e) => formatEntry(e, Date.UTC(2026, 0, 1))), out: [a1.take(), a2.take()] };
}

test("R95: the same scenario gives the same log and the same bytes every time; same-instant events keep arrival order", async (t) => {
  const one = await scenario();
  const two = await scenario();
  t.deepEqual(one, two);
  const smsOrder = one.log.filter((l) => / sms-delivered /.test(l)).map((l) => /from=(\S+)/.exec(l)![1]);
  t.deepEqual(smsOrder, ["+818000000001", "+818000000002"]);
  t.regex(one.out[0], /^\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n\r\n\+CMT: ,\d+\r\n[0-9A-F]+\r\n\r\nRING\r\n\r\nNO CARRIER\r\n$/);
  t.true(one.log.some((l) => / A2 answered .*\[R22\]/.test(l)), "A2's answer, typed first, won");
});

test("R96: the parameters and their defaults", (t) => {
  const p = networkParams();
  t.is(p.noReplyMs, 15000);
  t.is(p.smsRetentionMs, 72 * 3600 * 1000);
  t.is(p.emergencyCallbackMs, 30 * 60 * 1000);
  t.is(p.smsMode, "guaranteed");
  t.is(p.limitedServiceEmergency, "accept");
  t.is(p.foreignEmergency, "release");
  t.deepEqual(p.shortCodeBlocklist, []);
  t.false(p.multiDevice);
  t.deepEqual(p, DEFAULT_PARAMS);
  const net = new SharedNetwork({ clock: new VirtualClock(), params: { noReplyMs: 30000, multiDevice: true } });
  const num = net.createNumber(MSISDN);
  t.is(num.settings.noReplyMs, 30000, "a new number starts with the network's no-reply time");
  t.true(num.multiDevice);
});

test("R96: a bad parameter is refused with an error naming it", (t) => {
  const cases: [object, RegExp][] = [
    [{ noReplyMs: 121000 }, /noReplyMs = 121000: expected whole milliseconds in 0..120000/],
    [{ noReplyMs: -1 }, /noReplyMs/],
    [{ smsMode: "broadcast" }, /smsMode = "broadcast": expected one of guaranteed, exclusive/],
    [{ limitedServiceEmergency: "maybe" }, /limitedServiceEmergency/],
    [{ foreignEmergency: "emergency" }, /foreignEmergency/],
    [{ shortCodeBlocklist: ["211", "abc"] }, /shortCodeBlocklist/],
    [{ multiDevice: "yes" }, /multiDevice/],
    [{ smsRetentionMs: 1.5 }, /smsRetentionMs/],
    [{ noReplyTimer: 1 }, /noReplyTimer = 1: unknown parameter/],
  ];
  for (const [p, re] of cases) {
    const e = caught(NetworkParamError, () => networkParams(p as never));
    t.regex(e.message, re);
    t.is(e.param, Object.keys(p)[0]);
  }
  const w = new SharedNetwork({ clock: new VirtualClock() });
  t.throws(() => w.createNumber(MSISDN, { settings: { noReplyMs: 200000 } }), { name: "NetworkParamError" });
});

test("R97: one rule, two views: the modem's NO CARRIER and +CEER 26, and the log entry with cause and rule", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  w.num.phone.answer();
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 26,"Call completed elsewhere"\r\n\r\nOK\r\n');
  const e = w.log({ kind: "answered-elsewhere" })[0];
  t.like(e, { number: MSISDN, device: "A1", cause: 26, rule: "R22" });
  t.is(formatEntry(e, e.t), "+0.000s +819012345678 A1 answered-elsewhere call=" + e.call + " cause=26 [R22]");
  const seen: string[] = [];
  const off = w.net.log.on((x) => seen.push(x.kind));
  w.num.phone.hangup();
  off();
  t.deepEqual(seen, ["released", "line"]);
});

test("coverage loss drops the accessory's call (NO CARRIER, +CEER 41, +CEREG: 2); its return registers it again", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CEREG=1");
  const party = w.net.outside(CALLER);
  party.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  a1.port.setCoverage("none");
  t.is(await a1.wait(0), "\r\n+CEREG: 2\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 41,"Radio link lost"\r\n\r\nOK\r\n');
  t.is(party.lastCall!.cause, 41);
  t.is(w.num.line.state.mode.kind, "idle");
  t.is(await a1.at("AT+CSQ"), "\r\n+CSQ: 99,99\r\n\r\nOK\r\n");
  a1.port.setCoverage("full");
  t.is(await a1.wait(0), "\r\n+CEREG: 1\r\n");
  party.call(MSISDN);
  t.is(await a1.wait(0), "\r\nRING\r\n");
  t.deepEqual(w.log({ kind: "coverage" }).map((e) => e.detail.coverage), ["none", "full"]);
});

test("a modem that attaches with another IMEI than the registered one is denied", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { modem: { identity: { imei: "111111111111111" } } });
  t.is(await a1.at("AT+CEREG?"), "\r\n+CEREG: 0,3\r\n\r\nOK\r\n");
  t.is(w.log({ kind: "attach" })[0].detail.mismatch, true);
});
