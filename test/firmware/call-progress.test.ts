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

/** What happens, in order: the vendor's progress lines received, +CLCC reads sent, and the API's call events. */
function progress(r: Awaited<ReturnType<typeof simRig>>, urc: string): string[] {
  const order: string[] = [];
  r.fw.channel.events.on("rx", (l: string) => {
    if (l.indexOf(urc) === 0) order.push("rx " + l);
  });
  r.fw.channel.events.on("tx", (b: string) => {
    if (b.indexOf("AT+CLCC") === 0) order.push("tx AT+CLCC");
  });
  r.fw.api.events.on("callChanged", (c) => order.push("callChanged " + c.status));
  r.fw.api.events.on("callEnded", (c) => order.push("callEnded " + (c.end ? c.end.reason : "")));
  return order;
}

test("R38: VOICE CALL: BEGIN makes the outgoing call active before +CLCC is read again; VOICE CALL: END ends it", async (t) => {
  const r = await a7670();
  const order = progress(r, "VOICE CALL");
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

test("R38: Ericsson call monitoring (*ECAV, as phonesim prints it) moves the call at once: active (3) before +CLCC is read again, idle (0) ends it", async (t) => {
  // setupCheckMs and callCheckMs far away: without *ECAV, +CLCC would tell only a minute later.
  const r = await simRig({ modem: { callMonitor: true }, line: { setupCheckMs: 60000, callCheckMs: 0 } });
  const order = progress(r, "*ECAV");
  t.true((await r.act(r.fw.api.dial(BOB))).ok);
  await r.run(100);
  order.length = 0;
  r.network.remoteAnswer();
  await r.run(300);
  t.deepEqual(order.slice(0, 3), ['rx *ECAV: 1,3,1,,,"+818033334444",145', "callChanged active", "tx AT+CLCC"], order.join(" | "));
  order.length = 0;
  r.network.remoteHangup(undefined, 16);
  await r.run(500);
  t.true(order.indexOf("callEnded remoteHungUp") >= 0, order.join(" | "));
  t.deepEqual(r.fw.api.snapshot().calls, []);
});

test("*ECAV for a call the line does not know yet, or a state it cannot act on, only makes +CLCC be read", async (t) => {
  const r = await simRig({ modem: { callMonitor: true }, line: { setupCheckMs: 60000, callCheckMs: 0 } });
  const sent: string[] = [];
  r.fw.channel.events.on("tx", (b: string) => sent.push(b.trim()));
  r.modem.urc("*ECAV: 4,3,1");
  r.modem.urc("*ECAV: 1,9,1");
  r.modem.urc("*ECAV: garbage");
  await r.run(300);
  t.deepEqual(r.fw.api.snapshot().calls, []);
  t.true(sent.indexOf("AT+CLCC") >= 0, sent.join(" | "));
});
