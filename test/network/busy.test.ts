/**
 * The busy line and call waiting (SPEC.md §4, R41) as the accessories' modems show them
 * (R89: +CCWA and +CLCC state 5) and as the network logs them.
 */
import test from "ava";
import { CALLER, MSISDN, ceer, world } from "./harness.js";

const CALLER2 = "+818033334444";
const FRIEND = "+81312345678";

test("R30: the line is busy from the instant a device dials until its last call ends", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.is(await a1.at("ATD0312345678;"), "\r\nOK\r\n");
  t.is(w.num.line.owner, "A1", "busy while still dialing");
  const seize = w.log({ kind: "line" }).map((e) => e.detail.to);
  t.deepEqual(seize, ["busy(A1)"]);
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(c.state, "released");
  t.is(c.cause, 17);
  w.net.outside(FRIEND).answer();
  await w.run(0);
  t.is(await a1.at("ATH"), "\r\nOK\r\n");
  t.is(w.num.line.state.mode.kind, "idle");
  t.deepEqual(w.log({ kind: "line" }).map((e) => e.detail.to), ["busy(A1)", "idle"]);
  const c2 = w.net.outside(CALLER).call(MSISDN);
  t.is(c2.state, "alerting");
});

test("R31: while P is in a call, no accessory is offered a new call; the caller is busy", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1");
  const party = w.net.outside(CALLER);
  party.call(MSISDN);
  await w.run(0);
  w.num.phone.answer();
  await w.run(0);
  a1.take();
  const c2 = w.net.outside(CALLER2).call(MSISDN);
  t.is(await a1.wait(0), "");
  t.is(c2.state, "released");
  t.is(c2.cause, 17);
  t.deepEqual(w.log({ kind: "busy" }).map((e) => [e.rule, e.detail.reason]), [["R33", "busy"]]);
});

test("R32: with call waiting, a new call waits on the owning accessory only: +CCWA there, nothing on P", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1;+CLIP=1");
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  a1.take();
  w.net.outside(CALLER2).call(MSISDN);
  t.is(await a1.wait(0), '\r\n+CCWA: "+818033334444",145,1\r\n');
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+818011112222",145\r\n+CLCC: 2,1,5,0,0,"+818033334444",145\r\n\r\nOK\r\n');
  t.deepEqual(w.num.phone.live(), [], "P is not offered the waiting call");
  t.deepEqual(w.log({ kind: "waiting" }).map((e) => [e.device, e.rule]), [["A1", "R32"]]);
});

test("R33: busy treatment: call waiting off, an owner that cannot wait, or a second waiting call all get #17", async (t) => {
  const w = await world();
  const a1 = await w.accessory({ callWaiting: false });
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  // Call waiting not subscribed.
  t.is(w.net.outside(CALLER2).call(MSISDN).cause, 17);
  // Subscribed, but the owner (a device without call waiting) cannot take one.
  w.num.phone.setCallWaiting(true);
  t.is(w.net.outside(CALLER2).call(MSISDN).cause, 17);
  await a1.at("ATH");
  // P owns the line and already has a waiting call: the third caller is busy.
  w.num.phone.dial(FRIEND);
  w.net.outside(FRIEND).answer();
  const second = w.net.outside(CALLER).call(MSISDN);
  t.is(second.state, "alerting");
  t.is(w.net.outside(CALLER2).call(MSISDN).cause, 17);
  t.is(w.log({ kind: "busy" }).length, 3);
  await w.run(0);
  t.deepEqual(w.num.phone.live().map((c) => c.state), ["active", "waiting"]);
});

test("R33: with busy forwarding the busy caller is forwarded; with only voicemail, it reaches voicemail", async (t) => {
  const w = await world({ number: { settings: { forwarding: { busy: "0398765432" } } } });
  const a1 = await w.accessory();
  await a1.at("ATD0312345678;");
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(c.divertedBy, "busy");
  const target = w.net.outside("+81398765432");
  t.is(target.lastCall!.peer, CALLER);
  w.num.changeSettings(undefined, { forwarding: {}, voicemail: true }, "R58");
  const c2 = w.net.outside(CALLER2).call(MSISDN);
  t.is(c2.answeredBy, "voicemail");
});

test("R34: +CHLD=2 holds the active call and takes the waiting one; +CHLD=1 ends the active and takes the next", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1");
  const p1 = w.net.outside(CALLER);
  p1.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  const p2 = w.net.outside(CALLER2).call(MSISDN);
  t.is(await a1.wait(0), '\r\n+CCWA: "+818033334444",145,1\r\n');
  t.is(await a1.at("AT+CHLD=2", 1), "\r\nOK\r\n");
  t.is(p2.state, "active");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,1,1,0,0,"+818011112222",145\r\n+CLCC: 2,1,0,0,0,"+818033334444",145\r\n\r\nOK\r\n');
  t.is(w.num.line.owner, "A1", "all calls of the line stay on the owning device");
  // A third caller waits again; +CHLD=1 releases the active call (p2) and takes it.
  const p3 = w.net.outside("+818055556666").call(MSISDN);
  t.is(p3.state, "alerting");
  t.is(await a1.wait(0), '\r\n+CCWA: "+818055556666",145,1\r\n');
  t.is(await a1.at("AT+CHLD=1", 1), "\r\nOK\r\n");
  t.is(p2.state, "released");
  t.is(p3.state, "active");
  t.is(w.num.line.owner, "A1");
});

test("R34: +CHLD=0 rejects the waiting call as user busy, so busy handling applies (voicemail here)", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true, voicemail: true } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1");
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  const p2 = w.net.outside(CALLER2).call(MSISDN);
  t.is(await a1.wait(0), '\r\n+CCWA: "+818033334444",145,1\r\n');
  t.is(await a1.at("AT+CHLD=0"), "\r\nOK\r\n");
  t.is(p2.answeredBy, "voicemail");
  t.is(p2.divertedBy, "busy");
  t.deepEqual(w.log({ kind: "declined" }).map((e) => [e.device, e.rule, e.cause]), [["A1", "R34", 17]]);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+818011112222",145\r\n\r\nOK\r\n');
});

test("R35: a waiting call not answered within the no-reply time is released (#19), or goes to voicemail when set", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true, noReplyMs: 10000 } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1");
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  const p2 = w.net.outside(CALLER2).call(MSISDN);
  await w.run(9999);
  t.is(p2.state, "alerting");
  a1.take();
  await w.run(1);
  t.is(p2.state, "released");
  t.is(p2.cause, 19);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+818011112222",145\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "no-reply" }).map((e) => e.rule), ["R35"]);
  w.num.changeSettings(undefined, { voicemail: true }, "R58");
  const p3 = w.net.outside("+818055556666").call(MSISDN);
  await w.run(10000);
  t.is(p3.answeredBy, "voicemail");
});

test("R36: when the owner's active call ends, the waiting call alerts on that device only", async (t) => {
  const w = await world({ number: { settings: { callWaiting: true } } });
  const a1 = await w.accessory();
  await a1.at("AT+CCWA=1;+CLIP=1");
  const p1 = w.net.outside(CALLER);
  p1.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  const p2 = w.net.outside(CALLER2).call(MSISDN);
  await w.run(0);
  a1.take();
  p1.hangup();
  t.is(await a1.wait(0), '\r\nNO CARRIER\r\n\r\nRING\r\n\r\n+CLIP: "+818033334444",145\r\n');
  t.deepEqual(w.num.phone.live(), [], "not re-offered to P");
  t.is(w.num.line.owner, "A1", "the waiting call still holds the line");
  t.is(await a1.at("ATA", 1), "\r\nOK\r\n");
  t.is(p2.state, "active");
});

test("R37: glare: P dials while a call alerts: the call is withdrawn from every device (missed) and gets busy treatment", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  w.num.phone.dial(FRIEND);
  t.is(c.state, "released");
  t.is(c.cause, 17);
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
  t.is(w.num.line.owner, "P");
  t.deepEqual(w.kinds({ kind: ["glare", "missed", "busy", "line"] }), ["line", "glare", "line", "missed", "missed", "busy", "line"]);
  t.deepEqual(w.num.phone.callLog.map((e) => e.outcome), ["outgoing", "missed"]);
});

test("R37: glare on an accessory: its ATD reaches the network before the RING reaches it; it keeps the line", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  // The ATD is typed in the same instant the call is offered, before the RING arrives.
  t.is(await a1.at("ATD0312345678;", 1), "\r\nOK\r\n");
  t.is(w.num.line.owner, "A1");
  t.is(c.cause, 17);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,3,0,0,"0312345678",129\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "glare" }).map((e) => [e.device, e.rule]), [["A1", "R37"]]);
});

test("R41: holding and swapping stay on the owning device and leave the line busy; other devices still get #34", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await a1.at("ATD0312345678;");
  w.net.outside(FRIEND).answer();
  await w.run(0);
  t.is(await a1.at("AT+CHLD=2"), "\r\nOK\r\n");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,0,1,0,0,"0312345678",129\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "held" }).map((e) => [e.device, e.detail.held, e.detail.line]), [["A1", true, "busy(A1)"]]);
  // The owner may place a second call beside the held one; P may not.
  t.is(await a1.at("ATD0311112222;", 1), "\r\nOK\r\n");
  t.is(w.log({ kind: "refused", device: "A1" }).length, 0);
  w.num.phone.dial("0399990000");
  t.deepEqual(w.log({ kind: "refused" }).map((e) => [e.device, e.cause, e.rule]), [["P", 34, "R39"]]);
  t.is(w.num.line.owner, "A1");
});

test("R89: +CCWA=1,1 turns call waiting on for the number and the waiting call shows +CCWA and +CLCC state 5", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  t.false(w.num.settings.callWaiting);
  t.is(await a1.at("AT+CCWA=1,1"), "\r\nOK\r\n");
  t.true(w.num.settings.callWaiting);
  w.num.phone.dial(FRIEND);
  w.net.outside(FRIEND).answer();
  w.net.outside(CALLER).call(MSISDN, { withhold: true });
  await w.run(0);
  t.deepEqual(w.num.phone.live().map((c) => [c.state, c.number]), [
    ["active", FRIEND],
    ["waiting", ""],
  ]);
  t.is(a1.take(), "", "the accessory sees nothing while P owns the line");
});

test("R37: glare on an accessory that already rings: its ATD goes to the network, which withdraws the incoming call (missed) and gives the caller busy", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.regex(await a1.wait(0), /RING/);
  // The person dials while the call rings here (issue 14: the accessory does not refuse).
  const dialled = await a1.at("ATD0312345678;", 1);
  t.regex(dialled, /OK/);
  t.is(c.state, "released");
  t.is(c.cause, 17, "the caller gets busy treatment");
  t.is(w.num.line.owner, "A1");
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 2,0,3,0,0,"0312345678",129\r\n\r\nOK\r\n');
  t.true(w.log({ kind: "missed" }).length > 0, "the withdrawn call is logged as missed");
});
