/**
 * Emergency calls first, whatever the firmware is doing (issue 9 §1): before bring-up,
 * during a USSD wait, during an SMS submission, while the modem hangs and after it
 * reboots. Each path asserts when `ATD110;` was written (virtual time) against a stated
 * bound, and that the call connects on the simulated network. Every dial goes through
 * the firmware API (fw.api), as a console, a watch screen or the control socket dials.
 */
import test from "ava";
import type { CallReply } from "../../firmware/api/types.js";
import { emergencyRig, type EmergencyRig } from "../support/emergency-rig.js";

/** Bound for every path: the dial is written within 1 s of the request or of the modem answering again. */
const BOUND_MS = 1000;

function connected(t: { true(v: boolean, m?: string): void; is(a: unknown, b: unknown, m?: string): void }, r: EmergencyRig, res: CallReply | undefined): void {
  t.true(!!res && res.ok, "the dial was placed: " + JSON.stringify(res));
  const call = r.network.calls.find((c) => c.number === "110" && c.emergency);
  t.true(!!call, "the network saw an emergency call to 110");
  r.network.remoteAnswer(call!.callId);
}

async function settle(r: EmergencyRig, p: Promise<CallReply>, ms: number): Promise<CallReply | undefined> {
  let out: CallReply | undefined = undefined;
  p.then((v) => (out = v));
  await r.run(ms);
  return out;
}

async function assertActive(t: { is(a: unknown, b: unknown, m?: string): void }, r: EmergencyRig): Promise<void> {
  await r.run(2000);
  const call = r.network.calls.find((c) => c.number === "110" && c.emergency)!;
  t.is(call.state, "active", "the emergency call connected on the network");
  const here = r.fw.line.current().find((c) => c.emergency);
  t.is(here && here.status, "active", "and the firmware shows it active");
  t.is(r.fw.line.lineState(), "emergency");
}

test("R45/R46: 110 dialled before bring-up survives the boot banner and is written ≤ 1 s after the modem answers", async (t) => {
  const { rig: r, start } = emergencyRig({ modem: { bootMs: 3000 } });
  await start();
  const asked = r.clock.now();
  const p = r.fw.api.dial("110");
  const res = await settle(r, p, 5000);
  const rdy = r.answerAfter(asked)!;
  t.true(rdy >= asked + 3000, "the modem answered first with its banner, after booting");
  const atd = r.dials["110"].filter((d) => d >= rdy)[0];
  t.true(atd !== undefined && atd - rdy <= BOUND_MS, `ATD110; written ${atd - rdy} ms after the modem answered`);
  connected(t, r, res);
  await assertActive(t, r);
  t.true(r.fw.modem.ready(), "bring-up finished around the call");
});

test("R45: 110 dialled while a service code waits for the network's answer is written ≤ 1 s after the request", async (t) => {
  const { rig: r, start } = emergencyRig({ network: { ussd: { "*#103#": null } }, startAt: "ready" });
  await start();
  const query = r.fw.messaging.queryPriority();
  await r.run(500);
  t.true(r.network.ussdRequests.includes("*#103#"), "the service code went out and is unanswered");
  const asked = r.clock.now();
  const res = await settle(r, r.fw.api.dial("110"), 1000);
  const atd = r.dials["110"][0];
  t.true(atd - asked <= BOUND_MS, `ATD110; written ${atd - asked} ms after the request`);
  connected(t, r, res);
  await assertActive(t, r);
  await r.run(40000);
  const q = await query;
  t.false(q.ok, "the unanswered query still ends on its own time limit");
});

test("R45: 110 dialled while the service centre takes long over an SMS cuts the +CMGS short: written ≤ 1 s after the request", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  r.network.delayMs = 20000; // TR1M-long: the modem runs +CMGS for 20 s
  const sent = r.fw.messaging.send("+819011112222", "on my way");
  await r.run(1000);
  t.true(r.commands.some((c) => c.startsWith("AT+CMGS=")), "the submission is under way");
  const asked = r.clock.now();
  const res = await settle(r, r.fw.api.dial("110"), 1000);
  const atd = r.dials["110"][0];
  t.true(atd - asked <= BOUND_MS, `ATD110; written ${atd - asked} ms after the request`);
  // The modem carries out the dial once it has finished the submission it was executing.
  await r.run(25000);
  const final = res || (await settle(r, Promise.resolve({ ok: true, call: null } as CallReply), 0));
  connected(t, r, final);
  await assertActive(t, r);
  await sent;
  await r.run(120000);
  const delivered = r.network.sent.filter((s) => s.to === "+819011112222");
  t.is(delivered.length, 1, "the SMS reached the service centre once");
});

test("R45: a modem busy with a slow +CMGS (it holds the ATD until the submission ends) is not taken as hung: no reset, the call connects when the modem takes it", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  const hangs: number[] = [];
  r.fw.channel.events.on("hang", (n) => hangs.push(n));
  r.network.delayMs = 20000; // the service centre answers after 20 s, within TR1M
  const sent = r.fw.messaging.send("+819011112222", "on my way");
  await r.run(1000);
  const asked = r.clock.now();
  const out: { res?: CallReply } = {};
  r.fw.api.dial("110").then((v) => (out.res = v));
  await r.run(BOUND_MS);
  const atd = (r.dials["110"] || [])[0];
  t.true(atd !== undefined && atd - asked <= BOUND_MS, "ATD110; written at once, behind the submission in the modem's input");
  await r.run(25000);
  t.deepEqual(hangs, [], "no hang declared");
  t.false(r.states.some((s) => s.at >= asked && s.name === "resetting"), "the busy modem was not reset");
  t.is(r.dials["110"].length, 1, "dialled once: the modem placed the dial it held");
  connected(t, r, out.res);
  await assertActive(t, r);
  await sent;
  await r.run(60000);
  t.is(r.network.sent.filter((s) => s.to === "+819011112222").length, 1, "the SMS reached the service centre once");
});

test("R45: with the modem hung during an SMS send, the hang is declared within seconds and 110 is written ≤ 1 s after the modem answers again", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  r.modem.hang();
  r.fw.messaging.send("+819011112222", "hello");
  await r.run(2000);
  const asked = r.clock.now();
  const out: { res?: CallReply } = {};
  r.fw.api.dial("110").then((v) => (out.res = v));
  await r.run(BOUND_MS);
  t.true(r.dials["110"][0] - asked <= BOUND_MS, "ATD110; written at once, cutting the send short");
  await r.run(60000);
  const hung = r.states.find((s) => s.at >= asked && s.name === "resetting");
  t.true(!!hung, "the hang was declared and the module reset");
  t.true(hung!.at - asked <= 20000, `hang declared ${hung!.at - asked} ms after the dial was written`);
  const back = r.answerAfter(hung!.at)!;
  const atd = r.dials["110"].filter((d) => d >= back)[0];
  t.true(atd !== undefined && atd - back <= BOUND_MS, `ATD110; written ${atd - back} ms after the modem answered again`);
  connected(t, r, out.res);
  await assertActive(t, r);
});

test("R45: 110 dialled while the modem is stuck mid-PDU in an AT+CMGR cuts the read short: written ≤ 1 s after the request; the message is read again afterwards", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  const received: string[] = [];
  r.fw.messaging.events.on("received", (m) => received.push(m.text));
  r.modem.stallNext("+CMGR", 4000);
  r.network.deliverSms({ from: "+819055554444", text: "are you ok?" });
  await r.run(300);
  t.true(r.commands.some((c) => c.startsWith("AT+CMGR=")), "the read is under way and stuck mid-PDU");
  const asked = r.clock.now();
  const res = await settle(r, r.fw.api.dial("110"), 1000);
  const atd = (r.dials["110"] || [])[0];
  t.true(atd !== undefined && atd - asked <= BOUND_MS, `ATD110; written ${atd - asked} ms after the request`);
  await r.run(6000);
  connected(t, r, res || { ok: true, call: null });
  await assertActive(t, r);
  await r.run(5000);
  t.deepEqual(received, ["are you ok?"], "the cut read was repeated: the message reached the inbox once");
  t.true(r.commands.filter((c) => c.startsWith("AT+CMGR=")).length >= 2, "read again after the cut");
});

test("R45: 110 dialled while the modem reboots is written again ≤ 1 s after its banner", async (t) => {
  const { rig: r, start } = emergencyRig({ modem: { bootMs: 1500 }, startAt: "ready" });
  await start();
  await r.run(3000);
  r.modem.reboot();
  await r.run(100);
  const res = await settle(r, r.fw.api.dial("110"), 4000);
  const rdy = r.answers.filter((a) => a > r.clock.now() - 4000)[0];
  const atd = r.dials["110"].filter((d) => d >= rdy)[0];
  t.true(atd !== undefined && atd - rdy <= BOUND_MS, `ATD110; written ${atd - rdy} ms after the banner`);
  connected(t, r, res);
  await assertActive(t, r);
});

test("R56: with no registration (limited service) the emergency call is still attempted and connects", async (t) => {
  const { rig: r, start } = emergencyRig({ network: { registration: "searching" }, startAt: "ready" });
  await start();
  t.is(r.fw.modem.service().state, "limited");
  const res = await settle(r, r.fw.api.dial("119"), 1000);
  t.true(!!res && res.ok, JSON.stringify(res));
  t.true(r.network.calls.some((c) => c.number === "119" && c.emergency));
});

test("R55/R18: after the network refuses this device, 110 says emergency calls are unavailable instead of a cause number", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  const reports: string[] = [];
  r.fw.api.events.on("service", (s) => reports.push(s.message));
  r.network.setRegistration("denied");
  await r.run(100);
  t.deepEqual(reports, ["One Number is not active on this device"], "R18: said once, within the registration report");
  const res = await settle(r, r.fw.api.dial("110"), 1000);
  t.false(!!res && res.ok);
  t.regex(res && !res.ok ? res.message : "", /emergency calls are unavailable on this device/);
  t.false("110" in r.dials, "nothing was dialled");
});

test("R45: an emergency dial not yet placed can be cancelled; nothing is dialled after the cancel", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  r.modem.hang();
  const out: { res?: CallReply } = {};
  r.fw.api.dial("110").then((v) => (out.res = v));
  await r.run(100);
  t.true(r.fw.line.emergencyPending());
  const h = await r.fw.line.hangup();
  t.true(h.ok);
  await r.run(100);
  const res = out.res;
  t.false(!!res && res.ok);
  t.regex(res && !res.ok ? res.message : "", /cancelled/);
  const n = r.dials["110"].length;
  r.modem.unhang();
  await r.run(30000);
  t.is(r.dials["110"].length, n, "no dial after the cancel");
  t.false(r.network.calls.some((c) => c.number === "110" && c.state === "active"));
});

test("R55/R56: a SIM that is only locked (PIN) still holds a subscription: 110 is attempted, not refused", async (t) => {
  const { rig: r, start } = emergencyRig({ modem: { sim: { pin: "1234" } } });
  await start();
  await r.run(5000);
  t.is(r.fw.modem.status().state.name, "simLocked");
  t.is(r.fw.modem.service().state, "limited");
  const res = await settle(r, r.fw.api.dial("110"), 1000);
  t.true("110" in r.dials, "ATD110; was written");
  t.false(!!res && !res.ok && res.reason === "emergencyUnavailable", JSON.stringify(res));
});

test("R50/R92: 119 dialled while a normal ATD's answer is lost (its command line lost bytes): CHUP then ATD119 within 1 s, the emergency call never shows released, and no call gets an earlier call's +CEER cause", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  // An earlier call leaves its cause in +CEER (19, no answer): what a stale read would report.
  const ring = r.network.ringIn("+819099998888");
  await r.run(3000);
  r.network.remoteHangup(ring, 19, "User alerting, no answer");
  await r.run(1000);
  const ended: { id: number; emergency: boolean; cause: number | undefined }[] = [];
  const adopted: number[] = [];
  r.fw.line.events.on("callEnded", (c) => ended.push({ id: c.id, emergency: c.emergency, cause: c.end ? c.end.cause : undefined }));
  r.fw.line.events.on("adopted", (c) => adopted.push(c.id));
  t.deepEqual(ended, []);
  // The normal dial's first bytes are lost: the modem never sees "AT", so it never answers.
  r.modem.loseInput(0, 2);
  const normal = r.fw.api.dial("+819011112222");
  await r.run(8500);
  t.false(r.network.calls.some((c) => c.number === "+819011112222"), "the network never saw the normal dial");
  const asked = r.clock.now();
  const out: { res?: CallReply } = {};
  r.fw.api.dial("119").then((v) => (out.res = v));
  await r.run(BOUND_MS);
  const atd = (r.dials["119"] || [])[0];
  t.true(atd !== undefined && atd - asked <= BOUND_MS, `ATD119; written ${atd - asked} ms after the request`);
  await r.run(3000);
  t.true(!!out.res && out.res.ok, JSON.stringify(out.res));
  const emergencyId = out.res && out.res.ok && out.res.call ? out.res.call.id : -1;
  const n = await normal;
  t.false(n.ok, "the normal dial's answer was lost: it failed");
  t.deepEqual(adopted, [], "the emergency call was never released and adopted again");
  t.false(ended.some((e) => e.emergency), "the emergency call never showed released");
  t.deepEqual(ended.filter((e) => e.cause !== undefined), [], "no call took the missed call's cause 19");
  const here = r.fw.line.current().find((c) => c.emergency);
  t.is(here && here.id, emergencyId, "the line shows the requested emergency call itself");
  const call = r.network.calls.find((c) => c.number === "119" && c.emergency)!;
  r.network.remoteAnswer(call.callId);
  await r.run(2000);
  t.is(r.fw.line.current().find((c) => c.emergency)!.status, "active");
});
