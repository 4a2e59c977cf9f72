import test from "ava";
import { simRig } from "../support/sim-rig.js";
import type { Call } from "../../firmware/line/call.js";
import type { CallLogEntry } from "../../firmware/line/log.js";
import type { LineState } from "../../firmware/line/line.js";

async function rigWithEvents(opts?: Parameters<typeof simRig>[0]) {
  const r = await simRig(opts);
  const incoming: Call[] = [];
  const ended: Call[] = [];
  const states: LineState[] = [];
  const logged: CallLogEntry[] = [];
  r.fw.line.events.on("incoming", (c) => incoming.push({ ...c }));
  r.fw.line.events.on("callEnded", (c) => ended.push({ ...c }));
  r.fw.line.events.on("lineState", (s) => states.push(s));
  r.fw.line.events.on("logged", (e) => logged.push(e));
  return Object.assign(r, { incoming, ended, states, logged });
}

/** An incoming call from `number`, answered here and active. */
async function answeredCall(r: Awaited<ReturnType<typeof rigWithEvents>>, number: string): Promise<void> {
  r.network.ringIn(number);
  await r.run(100);
  await r.act(r.fw.line.answer());
  await r.run(100);
}

test("R85: an incoming call shows as RING/+CLIP and becomes a ringing call with the caller's number", async (t) => {
  const r = await rigWithEvents();
  r.network.ringIn("+819011112222");
  await r.run(100);
  t.is(r.incoming.length, 1);
  const live = r.fw.line.current();
  t.is(live.length, 1);
  t.is(live[0].number, "+819011112222");
  t.is(live[0].status, "incoming");
  t.is(r.fw.line.lineState(), "ringingHere");
});

test("an answered call becomes active; the far end hanging up ends it with the +CEER cause (R92)", async (t) => {
  const r = await rigWithEvents();
  r.network.ringIn("+819011112222");
  await r.run(100);
  const res = await r.act(r.fw.line.answer());
  t.true(res.ok);
  await r.run(100);
  t.is(r.fw.line.current()[0].status, "active");
  t.is(r.fw.line.lineState(), "inCallHere");
  r.network.remoteHangup(undefined, 16);
  await r.run(100);
  t.is(r.ended.length, 1);
  t.is(r.ended[0].end!.reason, "remoteHungUp");
  t.is(r.ended[0].end!.cause, 16);
  t.true(r.commands.includes("AT+CEER"), "R92: AT+CEER read after the release");
  t.is(r.fw.line.lineState(), "idle");
});

test("R86: a call answered on another device is logged as answered elsewhere, never as missed (R24)", async (t) => {
  const r = await rigWithEvents();
  r.network.ringIn("+819011112222");
  await r.run(100);
  r.network.remoteHangup(undefined, 26, "Call completed elsewhere");
  await r.run(100);
  t.is(r.ended[0].end!.reason, "answeredElsewhere");
  t.is(r.ended[0].end!.message, "answered on another device");
  t.is(r.fw.line.log.missed().length, 0);
  t.is(r.logged[0].outcome, "answeredElsewhere");
});

test("R86: a call declined on another device says so; a caller who gives up leaves a missed call (R25)", async (t) => {
  const r = await rigWithEvents();
  r.network.ringIn("+819011112222");
  await r.run(100);
  r.network.remoteHangup(undefined, 21, "Busy Everywhere");
  await r.run(100);
  t.is(r.ended[0].end!.reason, "declinedElsewhere");
  r.network.ringIn("+819033334444");
  await r.run(100);
  r.network.remoteHangup(undefined, 16);
  await r.run(100);
  t.is(r.ended[1].end!.reason, "missed");
  t.deepEqual(r.fw.line.log.missed().map((e) => e.number), ["+819033334444"]);
});

test("R86: on a modem that prints nothing when the call is taken elsewhere, RING stopping is noticed through +CLCC", async (t) => {
  const r = await rigWithEvents({ modem: { unansweredReleaseShowsNoCarrier: false } });
  r.network.ringIn("+819011112222");
  await r.run(100);
  r.network.remoteHangup(undefined, 26);
  await r.run(1000);
  t.is(r.ended.length, 0, "nothing on the line yet");
  await r.run(10000);
  t.is(r.ended.length, 1);
  t.is(r.ended[0].end!.reason, "answeredElsewhere");
});

test("R87: an active call cut by an emergency call on another device says so", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.network.remoteHangup(undefined, 25, "Generic Preemption");
  await r.run(100);
  t.is(r.ended[0].end!.reason, "preempted");
  t.is(r.ended[0].end!.message, "call ended: emergency call on another device");
});

test("R88: an outgoing call refused with cause 34 says the number is in use on another device", async (t) => {
  const r = await rigWithEvents({ network: { outgoing: "line-in-use" } });
  const res = await r.act(r.fw.line.dial("+819055556666"));
  t.true(res.ok, "ATD; is accepted; the refusal comes as NO CARRIER");
  await r.run(100);
  t.is(r.ended.length, 1);
  t.is(r.ended[0].end!.reason, "lineInUse");
  t.is(r.ended[0].end!.cause, 34);
  t.is(r.ended[0].end!.message, "the number is in use on another device");
  t.is(r.fw.line.lineState(), "inUseElsewhere");
  await r.run(61000);
  t.is(r.fw.line.lineState(), "idle", "the hint fades after a minute");
});

test("an outgoing call: dialing, alerting, active, then hung up here", async (t) => {
  const r = await rigWithEvents({ network: { outgoing: "ring" } });
  const res = await r.act(r.fw.line.dial("090-5555-6666"));
  t.true(res.ok);
  await r.run(100);
  t.true(r.commands.includes("ATD09055556666;"));
  t.is(r.fw.line.current()[0].status, "alerting");
  r.network.remoteAnswer();
  await r.run(1100); // no standard URC says "answered": the set-up check sees it within a second
  t.is(r.fw.line.current()[0].status, "active");
  await r.act(r.fw.line.hangup());
  await r.run(100);
  t.is(r.ended[0].end!.reason, "hungUpHere");
});

test("R89: a waiting call shows as +CCWA; accepting it holds the active call (R34)", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.network.ringIn("+819077778888");
  await r.run(100);
  const waiting = r.fw.line.current().find((c) => c.status === "waiting");
  t.truthy(waiting);
  t.is(waiting!.number, "+819077778888");
  await r.act(r.fw.line.acceptWaiting("hold"));
  await r.run(100);
  t.deepEqual(
    r.fw.line.current().map((c) => [c.number, c.status]),
    [
      ["+819011112222", "held"],
      ["+819077778888", "active"],
    ],
  );
});

test("R34: rejecting a waiting call uses AT+CHLD=0 and keeps the active call", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.network.ringIn("+819077778888");
  await r.run(100);
  await r.act(r.fw.line.reject());
  await r.run(100);
  t.true(r.commands.includes("AT+CHLD=0"));
  t.deepEqual(
    r.fw.line.current().map((c) => c.status),
    ["active"],
  );
  t.is(r.ended[0].end!.reason, "declinedHere");
});

test("R26: declining an incoming call sends AT+CHUP and logs it as declined here", async (t) => {
  const r = await rigWithEvents();
  r.network.ringIn("+819011112222");
  await r.run(100);
  await r.act(r.fw.line.reject());
  await r.run(100);
  t.true(r.commands.includes("AT+CHUP"));
  t.is(r.ended[0].end!.reason, "declinedHere");
  t.true(r.network.log.some((l) => /hangup c\d+ cause 17/.test(l)), r.network.log.join("\n"));
});

test("R50: dialing 110 while in a call releases this device's calls first, then dials", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  const res = await r.act(r.fw.line.dial("110"));
  await r.run(100);
  t.true(res.ok);
  const chup = r.commands.lastIndexOf("AT+CHUP");
  const atd = r.commands.indexOf("ATD110;");
  t.true(chup >= 0 && atd > chup, r.commands.join(" "));
  t.is(r.fw.line.lineState(), "emergency");
  t.true(r.network.log.some((l) => l.includes("dial 110 (emergency)")));
});

test("R52: an emergency call never carries a 184 prefix", async (t) => {
  const r = await rigWithEvents();
  await r.act(r.fw.line.dial("184119"));
  await r.run(100);
  t.true(r.commands.includes("ATD119;"));
  t.false(r.commands.some((c) => c.startsWith("ATD184")));
});

test("R45: 110, 118 and 119 are dialled even while the line is shown in use elsewhere", async (t) => {
  const r = await rigWithEvents({ network: { outgoing: "line-in-use" } });
  await r.act(r.fw.line.dial("+819055556666"));
  await r.run(100);
  t.is(r.fw.line.lineState(), "inUseElsewhere");
  r.network.outgoing = "ring";
  for (const n of ["110", "118", "119"]) {
    const res = await r.act(r.fw.line.dial(n));
    t.true(res.ok, n);
    await r.run(100);
    await r.act(r.fw.line.hangup());
    await r.run(100);
  }
  t.true(["ATD110;", "ATD118;", "ATD119;"].every((c) => r.commands.includes(c)));
});

test("R54: a failed call to 112 or 911 tells the user to dial 110, 118 or 119", async (t) => {
  const r = await rigWithEvents();
  r.network.outgoing = "busy";
  await r.act(r.fw.line.dial("112"));
  await r.run(100);
  t.is(r.ended.length, 1);
  t.regex(r.ended[0].end!.message, /dial 110 \(police\), 118 \(coast guard\) or 119/);
  t.false(r.network.log.some((l) => l.includes("(emergency)")), "112 is an ordinary number in the Japan profile");
});

test("R55: without a usable profile, an emergency call is refused with a message saying so", async (t) => {
  const r = await rigWithEvents({ modem: { sim: { present: false } } }).catch((e: Error) => e);
  // The rig needs a ready modem; build the case by hand instead.
  t.true(r instanceof Error);
  const { Line } = await import("../../firmware/line/line.js");
  const { channelRig } = await import("../support/fake-modem.js");
  const c = channelRig();
  const { defaultLineOptions } = await import("../../firmware/line/line.js");
  const line = new Line(
    c.channel,
    c.clock,
    { simReady: () => false, emergencyNumbers: () => [], emergencyAllowed: () => false, whenReady: () => Promise.resolve(true) },
    { ...defaultLineOptions, callCheckMs: 0, setupCheckMs: 0 },
  );
  const res = await line.dial("119");
  t.false(res.ok);
  if (!res.ok) {
    t.is(res.reason, "emergencyUnavailable");
    t.regex(res.message, /emergency calls are unavailable on this device/);
  }
  t.is(c.modem.end.written, "", "nothing was sent to the modem");
});

test("R53: a number the network lists with +CEN2 is dialled as an emergency call", async (t) => {
  const r = await rigWithEvents();
  r.network.setEmergencyNumbers({ mcc: 440, mnc: 10, numbers: [{ number: "110", categories: 1 }, { number: "171", categories: 0 }] });
  await r.run(100);
  const res = await r.act(r.fw.line.dial("171"));
  await r.run(100);
  t.true(res.ok);
  t.is(r.fw.line.lineState(), "emergency");
});

test("R57: for 30 minutes after an emergency call, incoming calls are neither rejected nor silenced", async (t) => {
  const r = await rigWithEvents();
  r.fw.line.setQuiet("reject");
  await r.act(r.fw.line.dial("110"));
  await r.run(100);
  await r.act(r.fw.line.hangup());
  await r.run(100);
  r.network.ringIn("+81110110110");
  await r.run(100);
  t.is(r.fw.line.lineState(), "ringingHere", "the call-back rings");
  t.false(r.fw.line.silenced());
  await r.act(r.fw.line.reject());
  await r.run(31 * 60 * 1000);
  r.network.ringIn("+819011112222");
  await r.run(100);
  t.is(r.ended[r.ended.length - 1].end!.reason, "declinedHere", "after the window, quiet mode applies again");
});

test("a modem reboot during a call ends the call with a reason and the line recovers", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.modem.reboot();
  await r.run(5000);
  t.is(r.ended[0].end!.reason, "modemReset");
  t.is(r.fw.line.lineState(), "idle");
  t.is(r.fw.modem.status().state.name, "ready");
  r.network.ringIn("+819033334444");
  await r.run(100);
  t.is(r.fw.line.lineState(), "ringingHere");
});

test("a lost NO CARRIER is reconciled: the in-call check of +CLCC releases the call", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.modem.output.loseBytes(0, "\r\nNO CARRIER\r\n".length);
  r.network.remoteHangup(undefined, 16);
  await r.run(1000);
  t.is(r.ended.length, 0, "the URC was lost");
  await r.run(30000);
  t.is(r.ended.length, 1);
  t.is(r.ended[0].end!.reason, "remoteHungUp");
  t.is(r.fw.line.lineState(), "idle");
});

test("DTMF goes out as one AT+VTS per tone, and only on an active call", async (t) => {
  const r = await rigWithEvents({ network: { outgoing: "answer" } });
  const none = await r.act(r.fw.line.dtmf("1"));
  t.false(none.ok);
  await r.act(r.fw.line.dial("0120123456"));
  await r.run(100);
  const res = await r.act(r.fw.line.dtmf("12#"));
  t.true(res.ok);
  t.deepEqual(
    r.commands.filter((c) => c.startsWith("AT+VTS")),
    ["AT+VTS=1", "AT+VTS=2", "AT+VTS=#"],
  );
  const bad = await r.fw.line.dtmf("1;AT");
  t.false(bad.ok);
});

test("a dial string that could inject a command is refused before anything is sent", async (t) => {
  const r = await rigWithEvents();
  const before = r.commands.length;
  for (const s of ["123;+CFUN=0", '12"3', "12\r3", "", "+81+90"]) {
    const res = await r.act(r.fw.line.dial(s));
    t.false(res.ok, JSON.stringify(s));
  }
  t.is(r.commands.length, before);
});

test("idle traffic is zero: an idle line writes nothing for hours", async (t) => {
  const r = await rigWithEvents();
  const before = r.commands.length;
  await r.run(3 * 3600 * 1000);
  t.is(r.commands.length, before);
});

// ---- review: races and 27.007 semantics ----

test("R36: when the active call ends, the waiting call that starts ringing is the same call, not a new one", async (t) => {
  const r = await rigWithEvents();
  const first = r.network.ringIn("+819011112222");
  await r.run(100);
  await r.act(r.fw.line.answer());
  await r.run(100);
  r.network.ringIn("+819077778888");
  await r.run(100);
  const waiting = r.fw.line.current().find((c) => c.status === "waiting")!;
  t.truthy(waiting);
  // The far end of the active call hangs up: NO CARRIER, then RING/+CLIP for the waiting call.
  r.network.remoteHangup(first, 16);
  await r.run(1000);
  t.deepEqual(
    r.fw.line.current().map((c) => [c.id, c.number, c.status]),
    [[waiting.id, "+819077778888", "incoming"]],
  );
  t.is(r.incoming.length, 2, "the waiting call is announced once, not again as a new call");
  t.deepEqual(
    r.ended.map((c) => [c.number, c.end!.reason]),
    [["+819011112222", "remoteHungUp"]],
  );
  t.is(r.fw.line.log.missed().length, 0, "no phantom missed call");
  await r.act(r.fw.line.answer());
  await r.run(100);
  t.deepEqual(r.fw.line.current().map((c) => [c.id, c.status]), [[waiting.id, "active"]]);
});

test("R34: hanging up a waiting call by its id rejects it with AT+CHLD=0 and keeps the active call", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.network.ringIn("+819077778888");
  await r.run(100);
  const waiting = r.fw.line.current().find((c) => c.status === "waiting")!;
  const res = await r.act(r.fw.line.hangup(waiting.id));
  await r.run(100);
  t.true(res.ok);
  t.true(r.commands.includes("AT+CHLD=0"), r.commands.join(" "));
  t.false(r.commands.includes("AT+CHUP"), "AT+CHUP would end the active call");
  t.deepEqual(
    r.fw.line.current().map((c) => [c.number, c.status]),
    [["+819011112222", "active"]],
  );
  t.deepEqual(
    r.ended.map((c) => [c.number, c.end!.reason]),
    [["+819077778888", "declinedHere"]],
  );
});

test("27.007 §7.13: hold with a call waiting is refused, since AT+CHLD=2 would answer the waiting call", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  r.network.ringIn("+819077778888");
  await r.run(100);
  const before = r.commands.length;
  const res = await r.act(r.fw.line.holdOrSwap());
  await r.run(100);
  t.false(res.ok);
  t.false(r.commands.slice(before).includes("AT+CHLD=2"));
  t.deepEqual(
    r.fw.line.current().map((c) => [c.number, c.status]),
    [
      ["+819011112222", "active"],
      ["+819077778888", "waiting"],
    ],
  );
});

test("R92: a dial the modem refuses with +CME ERROR is not explained by the +CEER of an earlier call", async (t) => {
  const r = await rigWithEvents({ network: { outgoing: "busy" } });
  await r.act(r.fw.line.dial("0312345678"));
  await r.run(100);
  t.is(r.ended[0].end!.reason, "busy", "the earlier call: the called party was busy (#17)");
  r.network.outgoing = "ring";
  await answeredCall(r, "+819011112222");
  r.network.ringIn("+819077778888");
  await r.run(100);
  // With a call waiting the modem refuses a new call (+CME ERROR: 3); the network never saw it.
  const res = await r.act(r.fw.line.dial("0398765432"));
  t.false(res.ok);
  if (!res.ok) {
    t.is(res.reason, "failed");
    t.notRegex(res.message, /busy/);
  }
  const last = r.ended[r.ended.length - 1];
  t.is(last.number, "0398765432");
  t.is(last.end!.cause, undefined, "no cause from a stale +CEER");
});

test("a listener that throws does not stop the line from reading +CLCC again", async (t) => {
  const r = await rigWithEvents();
  let thrown = 0;
  r.fw.line.events.on("callChanged", () => {
    if (thrown++ === 0) throw new Error("a faulty listener");
  });
  await answeredCall(r, "+819011112222");
  t.is(thrown, 1, "the listener threw once");
  r.network.remoteHangup(undefined, 16);
  await r.run(100);
  t.is(r.ended.length, 1, "the release is still seen");
  t.is(r.fw.line.lineState(), "idle");
});

test("index reuse: after a lost NO CARRIER, a new call from the same number at the same index is a new call", async (t) => {
  const r = await rigWithEvents();
  await answeredCall(r, "+819011112222");
  const first = r.fw.line.current()[0];
  t.is(first.index, 1);
  r.modem.output.loseBytes(0, "\r\nNO CARRIER\r\n".length);
  r.network.remoteHangup(undefined, 16);
  await r.run(100);
  r.network.ringIn("+819011112222"); // calls back at once: index 1 again
  await r.run(31000); // the in-call check reads +CLCC
  const live = r.fw.line.current();
  t.is(live.length, 1);
  t.not(live[0].id, first.id, "the old call is not brought back to life as ringing");
  t.is(live[0].status, "incoming");
  t.is(live[0].connectedAt, undefined);
  t.deepEqual(
    r.ended.map((c) => [c.id, c.end!.reason]),
    [[first.id, "remoteHungUp"]],
  );
  t.is(r.fw.line.log.missed().length, 0);
});

test("R55: with no SIM in the module (+CME ERROR: 10), emergency calls are refused with the R55 message", async (t) => {
  const { VirtualClock } = await import("../../hal/memory/clock.js");
  const { memorySerialPair } = await import("../../hal/memory/serial.js");
  const { MemoryPins } = await import("../../hal/memory/pins.js");
  const { loadBoards, pickBoard } = await import("../../firmware/board.js");
  const { createFirmware } = await import("../../firmware/main.js");
  const { SimModem } = await import("../../sim/modem/modem.js");
  const { NetworkStub } = await import("../../sim/modem/network-stub.js");
  const boardsJson = (await import("../../boards.json", { with: { type: "json" } })).default;
  const clock = new VirtualClock(0);
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: { present: false } });
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  modem.powerOn();
  const fw = createFirmware({ serial: dte, clock, pins: new MemoryPins(clock), storage: undefined }, pickBoard(loadBoards(boardsJson), "sim-generic"));
  const sent: string[] = [];
  fw.channel.events.on("tx", (b) => sent.push(b));
  fw.start();
  await clock.advance(30000);
  t.not(fw.modem.status().state.name, "ready");
  const p = fw.line.dial("119");
  await clock.advance(1000);
  const res = await p;
  t.false(res.ok);
  if (!res.ok) t.is(res.reason, "emergencyUnavailable");
  t.false(sent.some((b) => b.startsWith("ATD")), "nothing dialled");
});
