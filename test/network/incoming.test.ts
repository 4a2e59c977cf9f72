/**
 * Incoming calls to a shared number (SPEC.md §3) as the accessories' modems show them
 * (§12: R85, R86, R92) and as the network logs them.
 */
import test from "ava";
import { CALLER, MSISDN, ceer, world } from "./harness.js";

const RING = '\r\nRING\r\n\r\n+CLIP: "+818011112222",145\r\n';

test("R19: a call to the number rings at once on P and on every registered accessory; the first to answer gets it", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a1.at("AT+CLIP=1");
  await a2.at("AT+CLIP=1");
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(await a1.wait(0), RING);
  t.is(await a2.wait(0), RING);
  t.deepEqual(w.num.phone.live().map((k) => k.state), ["incoming"]);
  t.is(c.state, "alerting");
  const alert = w.log({ kind: "alerting" })[0];
  t.deepEqual(alert.detail.devices, ["P", "A1", "A2"]);
  t.is(alert.rule, "R19");
  t.is(await a2.at("ATA", 1), "\r\nOK\r\n");
  t.is(c.state, "active");
  t.is(c.answeredBy, MSISDN);
  t.deepEqual(w.log({ kind: "answered" }).map((e) => e.device), ["A2"]);
  t.is(await a2.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+818011112222",145\r\n\r\nOK\r\n');
});

test("R85: the incoming call shows RING with +CLIP, repeats every ring interval, and +CLCC lists it with state 4", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { modem: { ringIntervalMs: 3000 } });
  await a1.at("AT+CLIP=1");
  w.net.outside(CALLER).call(MSISDN);
  t.is(await a1.wait(0), RING);
  t.is(await a1.at("AT+CLCC"), '\r\n+CLCC: 1,1,4,0,0,"+818011112222",145\r\n\r\nOK\r\n');
  t.is(await a1.wait(2999), "");
  t.is(await a1.wait(1), RING);
  await a1.at("AT+CRC=1");
  t.is(await a1.wait(3000), '\r\n+CRING: VOICE\r\n\r\n+CLIP: "+818011112222",145\r\n');
});

test("R20: an accessory out of coverage or switched off is skipped and does not stop the others ringing", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  const a3 = await w.accessory();
  a2.port.setCoverage("none");
  await a3.at("AT+CFUN=0");
  a2.take();
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(await a1.wait(0), "\r\nRING\r\n");
  t.is(await a2.wait(0), "");
  t.is(await a3.wait(0), "");
  t.deepEqual(w.log({ kind: "alerting" })[0].detail.devices, ["P", "A1"]);
  await a1.at("ATA", 1);
  t.is(c.state, "active");
});

test("R21: every alerted device shows the same identity, and a withheld caller is withheld on all", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  await a1.at("AT+CLIP=1");
  await a2.at("AT+CLIP=1");
  const party = w.net.outside(CALLER);
  party.call(MSISDN, { withhold: true });
  const withheld = '\r\nRING\r\n\r\n+CLIP: "",128,,,,1\r\n';
  t.is(await a1.wait(0), withheld);
  t.is(await a2.wait(0), withheld);
  t.is(w.num.phone.live()[0].number, "");
  t.is(w.log({ kind: "call-offered" })[0].detail.from, "withheld");
});

test("R22: when one device answers, the others are released as answered elsewhere: NO CARRIER and +CEER 26", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  a2.take();
  w.num.phone.answer();
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await a2.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 26,"Call completed elsewhere"\r\n\r\nOK\r\n');
  t.is(await a2.at("AT+CLCC"), "\r\nOK\r\n");
  t.is(await a2.wait(10000), "", "RING stops");
  const elsewhere = w.log({ kind: "answered-elsewhere" });
  t.deepEqual(
    elsewhere.map((e) => [e.device, e.cause, e.rule]),
    [
      ["A1", 26, "R22"],
      ["A2", 26, "R22"],
    ],
  );
  t.is(w.num.line.owner, "P");
});

test("R23: two answers nearly together: the first processed wins, the other gets NO CARRIER with cause 26", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  a2.take();
  // Both modems get ATA in the same instant; A2's reaches the network first.
  await a2.host.write("ATA\r");
  await a1.host.write("ATA\r");
  await w.run(1);
  t.is(a2.take(), "\r\nOK\r\n");
  t.is(a1.take(), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 26,"Call completed elsewhere"\r\n\r\nOK\r\n');
  t.is(c.state, "active");
  t.deepEqual(w.log({ kind: "answered" }).map((e) => e.device), ["A2"]);
  t.is(w.num.line.owner, "A2");
  t.is(w.num.devices().filter((d) => d.legs.some((l) => l.state === "active")).length, 1, "exactly one device in the call");
  t.deepEqual(w.log({ kind: "answered-elsewhere", rule: "R23" }).map((e) => [e.device, e.detail.late]), [["A1", true]]);
});

test("R24: a call answered on another device is not a missed call on P; one nobody answers is", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const party = w.net.outside(CALLER);
  party.call(MSISDN);
  await w.run(0);
  await a1.at("ATA", 1);
  await w.run(0);
  t.deepEqual(w.num.phone.callLog.map((e) => e.outcome), ["answered-elsewhere"]);
  party.hangup();
  await w.run(0);
  party.call(MSISDN);
  await w.run(0);
  party.hangup();
  await w.run(0);
  t.deepEqual(w.num.phone.callLog.map((e) => e.outcome), ["answered-elsewhere", "missed"]);
  t.deepEqual(w.kinds({ device: "P", kind: ["missed", "answered-elsewhere"] }), ["answered-elsewhere", "missed"]);
});

test("R25: the caller hangs up before any answer: every device is released with #16 and logs a missed call", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  const party = w.net.outside(CALLER);
  party.call(MSISDN);
  await w.run(0);
  a1.take();
  a2.take();
  party.hangup();
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await a2.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a2), '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
  t.deepEqual(
    w.log({ kind: "missed" }).map((e) => [e.device, e.cause, e.rule]),
    [
      ["P", 16, "R25"],
      ["A1", 16, "R25"],
      ["A2", 16, "R25"],
    ],
  );
  t.is(w.num.phone.callLog[0].outcome, "missed");
  t.is(w.num.line.state.mode.kind, "idle");
});

test("R26: declining on one device (ATH) declines for the number: the others get #21 Busy Everywhere, the caller user busy", async (t) => {
  const w = await world({ number: { multiDevice: true } });
  const a1 = await w.accessory();
  const a2 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  a2.take();
  t.is(await a1.at("ATH"), "\r\nOK\r\n");
  t.is(await a2.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a2), '\r\n+CEER: 21,"Busy Everywhere"\r\n\r\nOK\r\n');
  t.is(c.state, "released");
  t.is(c.cause, 17);
  t.deepEqual(w.num.phone.callLog.map((e) => e.outcome), ["declined-elsewhere"]);
  t.deepEqual(w.kinds({ kind: ["declined", "declined-elsewhere", "busy"] }), ["declined", "declined-elsewhere", "declined-elsewhere", "busy"]);
  t.deepEqual(w.log({ kind: "declined" }).map((e) => e.device), ["A1"]);
});

test("R27: a branch failing for another reason (#88) is dropped; the others keep ringing and can answer", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  w.num.phone.failBranch(88);
  await w.run(0);
  t.is(a1.take(), "", "A1 still rings, nothing else");
  t.is(c.state, "alerting");
  t.deepEqual(w.log({ kind: "branch-dropped" }).map((e) => [e.device, e.cause, e.rule]), [["P", 88, "R27"]]);
  t.is(await a1.at("ATA", 1), "\r\nOK\r\n");
  t.is(c.state, "active");
});

test("R27: an accessory switched off while ringing drops out; the last branch gone gives not-reachable handling", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.powerOff();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  t.is(a1.take(), "\r\nRING\r\n");
  await a1.at("AT+CFUN=0");
  t.is(c.state, "released");
  t.is(c.cause, 18);
  t.deepEqual(w.kinds({ kind: ["branch-dropped", "not-reachable"] }), ["branch-dropped", "not-reachable"]);
});

test("R28: nobody answers within 15 s: the caller and every device are released with #19 (NO CARRIER, +CEER 19)", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  await w.run(14999);
  t.is(c.state, "alerting");
  a1.take();
  // The ring that falls due in the same instant comes first; the release follows.
  t.is(await a1.wait(1), "\r\nRING\r\n\r\nNO CARRIER\r\n");
  t.is(c.state, "released");
  t.is(c.cause, 19);
  t.is(await ceer(a1), '\r\n+CEER: 19,"User alerting, no answer"\r\n\r\nOK\r\n');
  const nr = w.log({ kind: "no-reply" })[0];
  t.is(nr.t - w.log({ kind: "alerting" })[0].t, 15000);
  t.is(w.num.phone.callLog[0].outcome, "missed");
});

test("R28: with voicemail on, no reply diverts after the number's own timer (set by 1419 to 5 s)", async (t) => {
  const w = await world({ number: { settings: { voicemail: true } } });
  const a1 = await w.accessory();
  // 1419 then DTMF: the ring time is a setting of the number (R58).
  await a1.at("ATD1419;", 1);
  await a1.at("AT+VTS=5;+VTS=#", 1);
  t.is(await a1.wait(2000), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"ring time: 5 s"\r\n\r\nOK\r\n');
  t.is(w.num.settings.noReplyMs, 5000);
  const c = w.net.outside(CALLER).call(MSISDN);
  await w.run(4999);
  t.is(c.state, "alerting");
  a1.take();
  await w.run(1);
  t.is(c.state, "active");
  t.is(c.answeredBy, "voicemail");
  t.is(c.divertedBy, "no-reply");
  t.is(a1.take(), "\r\nRING\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
  t.deepEqual(w.log({ kind: "missed" }).map((e) => e.device), ["P", "A1"]);
});

test("R29: no device reachable: not-reachable forwarding applies; without it the caller gets #18", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  w.num.phone.powerOff();
  a1.port.setCoverage("none");
  const party = w.net.outside(CALLER);
  const c = party.call(MSISDN);
  t.is(c.state, "released");
  t.is(c.cause, 18);
  w.num.changeSettings(undefined, { forwarding: { notReachable: "0311112222" } }, "R58");
  const c2 = party.call(MSISDN);
  t.is(c2.divertedBy, "not-reachable");
  const fwd = w.net.outside("+81311112222");
  t.is(fwd.lastCall!.state, "ringing");
  t.is(fwd.lastCall!.peer, CALLER, "the forwarded call still shows the caller");
  t.deepEqual(w.kinds({ kind: ["not-reachable", "forwarded"] }), ["not-reachable", "not-reachable", "forwarded"]);
});

test("R29: one unreachable accessory never triggers not-reachable forwarding while another device can ring", async (t) => {
  const w = await world({ number: { settings: { forwarding: { notReachable: "0311112222" } } } });
  const a1 = await w.accessory();
  a1.port.setCoverage("none");
  const c = w.net.outside(CALLER).call(MSISDN);
  t.is(c.state, "alerting");
  t.is(w.log({ kind: "forwarded" }).length, 0);
  await w.run(0);
  t.is(w.num.phone.live()[0].state, "incoming");
});

test("R86: on a modem that prints nothing for an unanswered call, RING just stops and +CEER still says 26", async (t) => {
  const w = await world();
  const a1 = await w.accessory({}, { modem: { unansweredReleaseShowsNoCarrier: false } });
  w.net.outside(CALLER).call(MSISDN);
  await w.run(0);
  a1.take();
  w.num.phone.answer();
  t.is(await a1.wait(20000), "");
  t.is(await a1.at("AT+CLCC;+CEER"), '\r\n+CEER: 26,"Call completed elsewhere"\r\n\r\nOK\r\n');
});

test("R92: after every release +CEER reports that release's cause: answered elsewhere, then a normal clearing by the caller", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  const party = w.net.outside(CALLER);
  party.call(MSISDN);
  await w.run(0);
  w.num.phone.answer();
  t.is(await a1.wait(0), "\r\nRING\r\n\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 26,"Call completed elsewhere"\r\n\r\nOK\r\n');
  party.hangup();
  party.call(MSISDN);
  t.is(await a1.wait(0), "\r\nRING\r\n");
  t.is(await a1.at("ATA", 1), "\r\nOK\r\n");
  party.hangup();
  t.is(await a1.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await ceer(a1), '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
});
