/**
 * The firmware API (firmware/api.ts) on the real firmware, the simulated modem and the
 * network stub, under the virtual clock: each command's `ok` reply and its failures with
 * their reasons, the readiness gate, the waits, and the events as plain data.
 */
import test from "ava";
import { simRig, type SimRig } from "../support/sim-rig.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { API_EVENTS, type AnyReply, type ApiEventName } from "../../firmware/api.js";
import { runCommand } from "../../firmware/commands.js";
import boardsJson from "../../boards.json" with { type: "json" };

const CALLER = "+819011112222";

function recorder(r: SimRig): { name: ApiEventName; data: unknown }[] {
  const seen: { name: ApiEventName; data: unknown }[] = [];
  r.fw.api.onAny((name, data) => seen.push({ name, data }));
  return seen;
}

function failed(t: { is(a: unknown, b: unknown, m?: string): void; true(a: boolean, m?: string): void }, r: AnyReply, reason: string): void {
  t.is(r.ok, false, JSON.stringify(r));
  if (!r.ok) {
    t.is(r.reason, reason, r.message);
    t.true(r.message.length > 0 && r.message.indexOf("\n") < 0, "one sentence for people");
  }
}

async function ringing(r: SimRig): Promise<void> {
  r.network.ringIn(CALLER);
  await r.run(200);
}

async function inCall(r: SimRig): Promise<void> {
  await ringing(r);
  const a = await r.act(r.fw.api.answer());
  if (!a.ok) throw new Error(a.message);
  await r.run(200);
}

test("dial: ok with the call as plain data; badNumber for what cannot be dialled, before the modem sees it", async (t) => {
  const r = await simRig();
  const ok = await r.act(r.fw.api.dial(CALLER));
  t.true(ok.ok);
  if (ok.ok) {
    t.is(ok.call!.number, CALLER);
    t.is(ok.call!.direction, "outgoing");
    t.is(ok.call!.connectedAt, null, "a snapshot, JSON-safe: null, never undefined");
  }
  t.true(r.commands.includes("ATD" + CALLER + ";"));
  const before = r.commands.length;
  failed(t, await r.fw.api.dial('110;ATH"'), "badNumber");
  failed(t, await r.fw.api.dial(""), "badNumber");
  t.is(r.commands.length, before, "nothing was written for the refused dials");
});

test("R45 R46: an emergency dial is placed; hangup ends it and the call ends hung up here", async (t) => {
  const r = await simRig();
  const d = await r.act(r.fw.api.dial("110"));
  t.true(d.ok && d.call!.emergency);
  t.true(r.commands.includes("ATD110;"));
  const h = await r.act(r.fw.api.hangup());
  t.true(h.ok);
  await r.run(500);
  t.deepEqual((await r.fw.api.calls()).ok && (await r.fw.api.calls()), { ok: true, calls: [] });
  const log = await r.fw.api.log();
  t.true(log.ok);
  if (log.ok) t.is(log.entries[log.entries.length - 1].outcome, "hungUpHere");
});

test("answer, reject, hangup, hold, accept, dtmf: each refused with its reason when there is no call for it", async (t) => {
  const r = await simRig();
  const api = r.fw.api;
  failed(t, await api.answer(), "nothingToAnswer");
  failed(t, await api.reject(), "nothingToReject");
  failed(t, await api.hangup(), "noCall");
  failed(t, await api.hangup(7), "noCall");
  failed(t, await api.hangup(-1), "badCall");
  failed(t, await api.hold(), "noCall");
  failed(t, await api.acceptWaiting("hold"), "noWaitingCall");
  failed(t, await api.acceptWaiting("later" as "hold"), "usage");
  failed(t, await api.dtmf("1"), "noCall");
});

test("answer, dtmf, hold and hangup on a real call answer ok and the modem gets the 27.007 commands", async (t) => {
  const r = await simRig();
  const api = r.fw.api;
  await inCall(r);
  t.true(r.commands.includes("ATA"));
  const calls = await api.calls();
  t.true(calls.ok && calls.calls.length === 1 && calls.calls[0].status === "active");
  const tones = await r.act(api.dtmf("12#"));
  t.true(tones.ok);
  t.true(r.commands.includes("AT+VTS=#"));
  failed(t, await api.dtmf("1x"), "badTone");
  const held = await r.act(api.hold());
  t.true(held.ok);
  t.true(r.commands.includes("AT+CHLD=2"));
  const h = await r.act(api.hangup());
  t.true(h.ok);
  await r.run(500);
  t.is(r.fw.api.snapshot().calls.length, 0);
});

test("R26: reject declines a ringing call with AT+CHUP", async (t) => {
  const r = await simRig();
  await ringing(r);
  const rej = await r.act(r.fw.api.reject());
  t.true(rej.ok);
  t.true(r.commands.includes("AT+CHUP"));
});

test("quiet: ok with the mode, shown by status; anything else is a usage failure", async (t) => {
  const r = await simRig();
  const q = await r.fw.api.quiet("silence");
  t.deepEqual(q, { ok: true, quiet: "silence" });
  failed(t, await r.fw.api.quiet("loud" as "off"), "usage");
  const s = await r.fw.api.status();
  t.true(s.ok && s.quiet === "silence");
});

test("status: modem, identity, registration, signal, line and priority as plain data", async (t) => {
  const r = await simRig();
  await r.run(500);
  const s = await r.fw.api.status();
  t.true(s.ok);
  if (!s.ok) return;
  t.is(s.modem.name, "ready");
  t.true(s.ready);
  t.truthy(s.info.imei);
  t.is(s.eps && s.eps.stat, "home");
  t.is(s.line, "idle");
  t.is(s.calls, 0);
  t.is(s.sms, "");
  t.is(s.priority.holder, "unknown");
  t.deepEqual(JSON.parse(JSON.stringify(s)), s, "JSON-safe");
});

test("sendSms: ok with the outbox id, then smsSent; bad numbers, empty text and a board without SMS are refused by reason", async (t) => {
  const r = await simRig();
  const seen = recorder(r);
  const ok = await r.act(r.fw.api.sendSms(CALLER, "hello", { statusReport: true }), 2000);
  t.true(ok.ok);
  if (ok.ok) t.is(typeof ok.id, "number");
  t.is(r.network.sent.length, 1);
  t.true(seen.some((e) => e.name === "smsSent"));
  failed(t, await r.fw.api.sendSms("call me", "hello"), "badNumber");
  failed(t, await r.fw.api.sendSms(CALLER, ""), "badText");
  const out = await r.fw.api.outbox();
  t.true(out.ok && out.sent.length === 1 && out.pending.length === 0);

  const b = pickBoard(loadBoards(boardsJson), "sim-generic");
  const noSms = Object.assign({}, b, { capabilities: Object.assign({}, b.capabilities, { sms: "none" as const }) });
  const car = await simRig({ board: noSms });
  failed(t, await car.fw.api.sendSms(CALLER, "hello"), "capability");
  failed(t, await car.fw.api.prioritySet(), "capability");
});

test("inbox: a received SMS arrives as smsReceived and is listed", async (t) => {
  const r = await simRig();
  const seen = recorder(r);
  r.network.deliverSms({ from: CALLER, text: "hi there" });
  await r.run(2000);
  const got = seen.filter((e) => e.name === "smsReceived");
  t.is(got.length, 1);
  t.is((got[0].data as { text: string }).text, "hi there");
  const inbox = await r.fw.api.inbox();
  t.true(inbox.ok && inbox.messages.length === 1 && inbox.messages[0].from === CALLER);
});

test("R77 R80: priority query and set answer with the state in words; *103*0# is refused here (R69); priority shows the last known (R82)", async (t) => {
  const r = await simRig({ network: { ussd: { "*#103#": { status: 0, text: "103*7*0# smartphone", dcs: 15 }, "*103*1#": { status: 0, text: "103*7*1# this accessory", dcs: 15 } } } });
  const q = await r.act(r.fw.api.priorityQuery(), 2000);
  t.true(q.ok);
  if (q.ok) {
    t.is(q.priority.holder, "smartphone");
    t.is(q.text, "the smartphone");
  }
  const s = await r.act(r.fw.api.prioritySet(), 2000);
  t.true(s.ok && s.priority.holder === "this");
  failed(t, await r.fw.api.serviceCode("*103*0#"), "refusedLocally");
  failed(t, await r.fw.api.serviceCode("hello"), "badCode");
  const shown = await r.fw.api.priority();
  t.true(shown.ok && shown.text === "this accessory");
});

test("R81: a service code the network never answers fails with noAnswer", async (t) => {
  const r = await simRig({ network: { ussd: { "*#103#": null } } });
  const q = await r.act(r.fw.api.priorityQuery(), 60000);
  failed(t, q, "noAnswer");
});

test("a command given before bring-up waits for it instead of being lost to the boot banner", async (t) => {
  const r = await simRig({ ready: false, modem: { bootMs: 300 }, network: { ussd: { "*#103#": { status: 0, text: "103*7*0# smartphone", dcs: 15 } } } });
  t.not(r.fw.api.snapshot().modem, "ready");
  const dial = r.fw.api.dial(CALLER);
  const code = r.fw.api.priorityQuery();
  await r.run(3000);
  const d = await dial;
  t.true(d.ok, JSON.stringify(d));
  t.true(r.commands.indexOf("ATD" + CALLER + ";") > r.commands.indexOf("AT+CPIN?"), "dialled after bring-up");
  const c = await code;
  t.true(c.ok && c.priority.holder === "smartphone", JSON.stringify(c));
});

test("a dial waiting for bring-up is cancelled by hangup; one that waits too long fails with notReady", async (t) => {
  const r = await simRig({ ready: false, api: { readyWaitMs: 5000 } });
  r.modem.hang(); // the modem answers nothing: bring-up cannot finish
  const first = r.fw.api.dial(CALLER);
  await r.run(100);
  const h = await r.fw.api.hangup();
  t.true(h.ok);
  failed(t, await first, "cancelled");
  const second = r.fw.api.dial(CALLER);
  await r.run(6000);
  failed(t, await second, "notReady");
  t.false(r.commands.includes("ATD" + CALLER + ";"));
});

test("R45: an emergency dial is never refused by the readiness wait: after it, the line has the call even with bring-up unfinished", async (t) => {
  const r = await simRig({ ready: false, api: { readyWaitMs: 2000 } });
  r.modem.hang();
  const d = r.fw.api.dial("110");
  await r.run(2500);
  // The line has it (how the line gets it out through a hung modem is the line's part).
  const calls = r.fw.api.snapshot().calls;
  t.is(calls.length, 1);
  t.true(calls[0].emergency && calls[0].number === "110");
  r.fw.stop();
  void d;
});

test("SIM PIN: waitReady says simLocked; pin refuses bad and wrong PINs by reason, and the right one brings the modem up", async (t) => {
  const r = await simRig({ ready: false, modem: { sim: { pin: "1234", puk: "12345678" } } });
  const w = r.fw.api.waitReady(10000);
  await r.run(3000);
  failed(t, await w, "simLocked");
  t.is(r.fw.api.snapshot().modem, "simLocked");
  failed(t, await r.fw.api.pin("12"), "badPin");
  failed(t, await r.fw.api.pin("12a4"), "badPin");
  failed(t, await r.act(r.fw.api.pin("0000")), "wrongPin");
  const ok = await r.act(r.fw.api.pin("1234"), 3000);
  t.true(ok.ok, JSON.stringify(ok));
  t.true(r.commands.includes('AT+CPIN="1234"'));
  const ready = await r.act(r.fw.api.waitReady(5000), 100);
  t.true(ready.ok);
  failed(t, await r.fw.api.pin("1234"), "pinNotNeeded");
});

test("waitIncoming resolves at the call's first ring (at once when one rings) and times out with a reason", async (t) => {
  const r = await simRig();
  const none = r.fw.api.waitIncoming(1000);
  await r.run(1500);
  failed(t, await none, "timeout");
  const w = r.fw.api.waitIncoming(10000);
  await ringing(r);
  const got = await w;
  t.true(got.ok && got.call.number === CALLER);
  const again = await r.fw.api.waitIncoming(10);
  t.true(again.ok, "a call ringing now satisfies the wait at once");
});

test("waitCall: a +CLCC status, none, ended; an unknown state is a usage failure", async (t) => {
  const r = await simRig();
  failed(t, await r.fw.api.waitCall("ringing" as "active"), "usage");
  t.true((await r.fw.api.waitCall("none")).ok, "no call now");
  const active = r.fw.api.waitCall("active", 10000);
  const ended = r.fw.api.waitCall("ended", 10000);
  await inCall(r);
  const a = await active;
  t.true(a.ok && a.call!.status === "active");
  r.network.remoteHangup(undefined, 16);
  await r.run(500);
  const e = await ended;
  t.true(e.ok && e.call!.end!.reason === "remoteHungUp");
  t.true((await r.fw.api.waitCall("none", 10)).ok);
});

test("events: the same names everywhere, plain data (snapshots, not the firmware's objects)", async (t) => {
  const r = await simRig();
  const seen = recorder(r);
  const typed: unknown[] = [];
  r.fw.api.events.on("incoming", (c) => typed.push(c));
  await inCall(r);
  r.network.remoteHangup(undefined, 16);
  await r.run(500);
  const names = seen.map((e) => e.name);
  for (const n of ["incoming", "callChanged", "callEnded", "lineState", "logged"]) t.true(names.includes(n as ApiEventName), n);
  for (const e of seen) {
    t.true(API_EVENTS.includes(e.name));
    t.deepEqual(JSON.parse(JSON.stringify(e.data)), e.data, e.name + " is JSON-safe");
  }
  const incoming = seen.find((e) => e.name === "incoming")!.data as { status: string };
  t.is(incoming.status, "incoming", "the snapshot keeps the status of its moment");
  t.is(typed.length, 1);
  t.deepEqual(seen.filter((e) => e.name === "lineState").map((e) => e.data), [{ state: "ringingHere" }, { state: "inCallHere" }, { state: "idle" }]);
});

test("events: modemState, identified and ready at bring-up; trace gives the AT lines only while on", async (t) => {
  const r = await simRig({ ready: false });
  const seen = recorder(r);
  await r.run(3000);
  const names = seen.map((e) => e.name);
  t.true(names.includes("modemState"));
  t.true(names.includes("identified"));
  t.is(names.filter((n) => n === "ready").length, 1);
  t.false(names.includes("at"));
  r.fw.api.trace(true);
  await r.act(r.fw.api.dial(CALLER));
  t.true(seen.some((e) => e.name === "at" && (e.data as { dir: string; data: string }).data === "ATD" + CALLER + ";\r"));
  r.fw.api.trace(false);
  const n = seen.length;
  await r.act(r.fw.api.hangup());
  t.false(seen.slice(n).some((e) => e.name === "at"));
});

test("stop ends every wait with stopped, and later commands that need the modem are refused", async (t) => {
  const r = await simRig();
  const w = r.fw.api.waitIncoming(60000);
  r.fw.stop();
  failed(t, await w, "stopped");
  failed(t, await r.fw.api.priorityQuery(), "stopped");
});

test("R91: a network USSD request comes as networkUssd; ussd reply answers it in its session, ussd end declines; a reply with no session is refused", async (t) => {
  const r = await simRig({ network: { ussd: { "1": { status: 0, text: "Thank you", dcs: 15 } } } });
  const seen = recorder(r);
  r.network.ussdNotify({ status: 1, text: "Roaming data? 1 yes", dcs: 15 });
  await r.run(100);
  t.deepEqual(seen.filter((e) => e.name === "networkUssd").map((e) => e.data), [{ status: 1, text: "Roaming data? 1 yes", replyExpected: true }]);
  const a = await r.act(runCommand(r.fw.api, "ussd reply 1"));
  t.deepEqual(a, { ok: true, text: "Thank you", replyExpected: false });
  failed(t, await r.act(r.fw.api.ussdReply("2")), "failed");
  failed(t, await r.fw.api.ussdReply(""), "usage");
  r.network.ussdNotify({ status: 1, text: "Survey: press 1", dcs: 15 });
  await r.run(100);
  t.deepEqual(await r.act(r.fw.api.ussdEnd()), { ok: true });
  t.true(r.commands.includes("AT+CUSD=2"));
  // Nothing open any more: refused, and no cancel sent for nothing.
  t.like(await r.act(r.fw.api.ussdEnd()), { ok: false, message: "no USSD session is open" });
  t.is(r.commands.filter((c) => c === "AT+CUSD=2").length, 1);
});

test("R18: the service the accessory can offer is in status and comes as a service event when it changes", async (t) => {
  const r = await simRig();
  const seen = recorder(r);
  const s = await r.fw.api.status();
  t.true(s.ok && s.service.state === "active", JSON.stringify(s.ok && s.service));
  r.network.setRegistration("denied");
  await r.run(500);
  const ev = seen.filter((e) => e.name === "service").map((e) => e.data as { state: string; message: string });
  t.is(ev.length, 1);
  t.is(ev[0].state, "notActive");
  t.is(ev[0].message, "One Number is not active on this device");
});

test("R45: an emergency dial's progress comes as emergency events through the API", async (t) => {
  const r = await simRig();
  const seen = recorder(r);
  const d = await r.act(r.fw.api.dial("110"));
  t.true(d.ok);
  const phases = seen.filter((e) => e.name === "emergency").map((e) => (e.data as { phase: string }).phase);
  t.deepEqual(phases.slice(0, 2), ["requested", "placed"]);
});
