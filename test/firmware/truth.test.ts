/**
 * Issue 9 §2 and §4: the user is told the truth, and nothing is forgotten across a
 * restart. Dropped calls are reported as dropped (24.008 causes a person tells apart),
 * "in use on another device" is cleared as soon as the line is seen free, the shown SMS
 * priority follows the network when this accessory is unregistered (R72), a restarted
 * firmware adopts the call the modem still holds, and a clean stop leaves a live call up
 * by its stated policy.
 */
import test from "ava";
import { classifyEnd } from "../../firmware/line/causes.js";
import { endMessage } from "../../firmware/line/call.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { createFirmware } from "../../firmware/main.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import type { Call } from "../../firmware/line/call.js";
import boardsJson from "../../boards.json" with { type: "json" };
import { simRig } from "../support/sim-rig.js";
import { messagingRig } from "../messaging/rig.js";

const connected = { direction: "outgoing" as const, connectedAt: 1, releasedHere: false };
const settingUp = { direction: "outgoing" as const, connectedAt: undefined, releasedHere: false };

test("24.008 causes a person tells apart: a lost connection is 'dropped', not 'the other party hung up'", (t) => {
  for (const cause of [38, 41, 42, 44, 47, 102]) t.is(classifyEnd(connected, { cause, text: "" }), "dropped", "cause " + cause);
  t.is(classifyEnd(connected, { cause: undefined, text: "Radio link failure" }), "dropped");
  t.is(classifyEnd(connected, { cause: undefined, text: "RLF" }), "dropped");
  t.is(classifyEnd(connected, { cause: undefined, text: "lost coverage" }), "dropped");
  t.is(classifyEnd(connected, { cause: 16, text: "Normal call clearing" }), "remoteHungUp");
  t.is(classifyEnd(settingUp, { cause: 1, text: "" }), "numberUnknown");
  t.is(classifyEnd(settingUp, { cause: 28, text: "" }), "badNumber");
  t.is(classifyEnd(settingUp, { cause: 27, text: "" }), "unreachable");
  t.is(classifyEnd(settingUp, { cause: 21, text: "" }), "rejected");
  t.is(classifyEnd(settingUp, { cause: 41, text: "" }), "networkProblem");
  t.is(endMessage("dropped"), "call dropped: the connection was lost");
});

test("a call lost to a radio link failure (cause 41) is reported as dropped, end to end", async (t) => {
  const r = await simRig({ network: { outgoing: "answer" } });
  const ended: Call[] = [];
  r.fw.line.events.on("callEnded", (c) => ended.push({ ...c }));
  await r.act(r.fw.line.dial("+819055556666"));
  await r.run(1500);
  t.is(r.fw.line.current()[0].status, "active");
  r.network.remoteHangup(undefined, 41, "Temporary failure");
  await r.run(200);
  t.is(ended[0].end!.reason, "dropped");
  t.is(ended[0].end!.message, "call dropped: the connection was lost");
});

test("R88 then free: 'in use on another device' is cleared as soon as our own call alerts", async (t) => {
  const r = await simRig({ network: { outgoing: "line-in-use" } });
  await r.act(r.fw.line.dial("+819055556666"));
  await r.run(100);
  t.is(r.fw.line.lineState(), "inUseElsewhere");
  r.network.outgoing = "ring";
  await r.act(r.fw.line.dial("+819055556666"));
  await r.run(1500);
  t.is(r.fw.line.current()[0].status, "alerting");
  await r.act(r.fw.line.hangup());
  await r.run(200);
  t.is(r.fw.line.lineState(), "idle", "not 'in use elsewhere' for the rest of the minute");
});

test("R88 then free: a call offered here clears 'in use on another device'", async (t) => {
  const r = await simRig({ network: { outgoing: "line-in-use" } });
  await r.act(r.fw.line.dial("+819055556666"));
  await r.run(100);
  t.is(r.fw.line.lineState(), "inUseElsewhere");
  const id = r.network.ringIn("+819011112222");
  await r.run(200);
  r.network.remoteHangup(id, 16);
  await r.run(200);
  t.is(r.fw.line.lineState(), "idle");
});

test("R72: when the network unregisters this accessory, a priority it held goes back to the smartphone", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*103*1#": { status: 0, text: "103*7*1# this accessory", dcs: 15 } } } });
  await r.act(r.dev.messaging.setPriority());
  t.is(r.dev.messaging.priorityState().holder, "this");
  r.network.setRegistration("denied");
  await r.run(200);
  t.is(r.dev.messaging.priorityState().holder, "smartphone");
  t.is(r.dev.messaging.priorityState().source, "network");
});

test("issue 9 §2: a restarted firmware adopts the call the modem still holds; calls shows it and hangup ends it", async (t) => {
  const r = await simRig({ network: { outgoing: "answer" } });
  await r.act(r.fw.line.dial("+819055556666"));
  await r.run(1500);
  t.is(r.network.liveCalls().length, 1);
  const logs: string[] = [];
  r.fw.events.on("log", (l) => logs.push(l));
  // Clean stop (SIGTERM): the policy leaves the call up on the modem, and says so.
  r.fw.stop();
  t.true(logs.some((l) => /left up on the modem/.test(l)), logs.join("\n"));
  t.is(r.network.liveCalls().length, 1, "the call is still up");
  // The new process: a new firmware on the same modem.
  const [dte, dce] = memorySerialPair();
  r.modem.connect(dce);
  const board = pickBoard(loadBoards(boardsJson), "sim-generic");
  const fw = createFirmware({ serial: dte, clock: r.clock, pins: new MemoryPins(r.clock), storage: undefined }, board);
  const adopted: Call[] = [];
  fw.line.events.on("adopted", (c) => adopted.push({ ...c }));
  fw.start();
  await r.run(3000);
  t.is(adopted.length, 1);
  const calls = fw.line.current();
  t.is(calls.length, 1);
  t.is(calls[0].status, "active");
  t.is(calls[0].number, "+819055556666");
  const h = fw.line.hangup();
  await r.run(500);
  t.true((await h).ok);
  t.is(r.network.liveCalls().length, 0, "hangup ended the adopted call on the network");
});

test("R18: 'One Number is not active on this device' is said with the registration report that denies it, once", async (t) => {
  const r = await simRig();
  const said: string[] = [];
  r.fw.api.events.on("service", (s) => said.push(s.message));
  r.network.setRegistration("denied");
  await r.run(100);
  r.network.setRegistration("denied");
  await r.run(100);
  t.deepEqual(said, ["One Number is not active on this device"]);
  r.network.setRegistration("home");
  await r.run(100);
  t.deepEqual(said, ["One Number is not active on this device", "One Number is active on this device"]);
});
