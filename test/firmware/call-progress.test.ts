/**
 * Vendor call progress as a second source beside +CLCC: the SIMCom A7670 prints
 * `VOICE CALL: BEGIN` when a call connects and `VOICE CALL: END: <seconds>` when it ends
 * (SIMCom A76XX AT manual); the firmware moves the call at once on them, and +CLCC, read
 * right after, stays the truth.
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";

const BOB = "+818033334444";

async function a7670() {
  // setupCheckMs far away: without the URC, the call would show active only at the next +CLCC read.
  return simRig({
    board: "bench-usb-a7670",
    modem: { identity: { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE" }, bootBanner: ["*ATREADY: 1"] },
    line: { setupCheckMs: 60000, callCheckMs: 0 },
  });
}

test("R38: VOICE CALL: BEGIN makes the outgoing call active before +CLCC is read again; VOICE CALL: END ends it", async (t) => {
  const r = await a7670();
  const order: string[] = [];
  r.fw.channel.events.on("rx", (l: string) => {
    if (l.indexOf("VOICE CALL") === 0) order.push("rx " + l);
  });
  r.fw.channel.events.on("tx", (b: string) => {
    if (b.indexOf("AT+CLCC") === 0) order.push("tx AT+CLCC");
  });
  r.fw.api.events.on("callChanged", (c) => order.push("callChanged " + c.status));
  r.fw.api.events.on("callEnded", (c) => order.push("callEnded " + (c.end ? c.end.reason : "")));
  const d = await r.act(r.fw.api.dial(BOB));
  t.true(d.ok);
  order.length = 0;
  r.network.remoteAnswer();
  await r.run(300);
  t.deepEqual(order.slice(0, 3), ["rx VOICE CALL: BEGIN", "callChanged active", "tx AT+CLCC"], order.join(" | "));
  t.is(r.fw.api.snapshot().calls[0].status, "active");
  order.length = 0;
  await r.run(12000);
  r.network.remoteHangup(undefined, 16);
  await r.run(500);
  t.true(order.indexOf("rx VOICE CALL: END: 000012") >= 0, order.join(" | "));
  t.true(order.indexOf("callEnded remoteHungUp") >= 0, order.join(" | "));
  t.deepEqual(r.fw.api.snapshot().calls, []);
});

test("a generic modem prints no vendor progress: the call becomes active from +CLCC alone", async (t) => {
  const r = await simRig({ line: { setupCheckMs: 1000 } });
  const seen: string[] = [];
  r.fw.channel.events.on("rx", (l: string) => seen.push(l));
  t.true((await r.act(r.fw.api.dial(BOB))).ok);
  r.network.remoteAnswer();
  await r.run(1500);
  t.false(seen.some((l) => l.indexOf("VOICE CALL") === 0));
  t.is(r.fw.api.snapshot().calls[0].status, "active");
});
