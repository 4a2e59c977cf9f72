/**
 * Receiving (SPEC §9: R67, R68, R73–R75; §12: R90), both delivery paths, the resync at
 * start, bounds and expiry. On the simulated modem and the network stub.
 */
import test from "ava";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { kill, messagingRig } from "./rig.js";
import { deliverPdus, SlowStorage } from "./pdus.js";

const FROM = "+819033334444";
const LONG = "Parts of one message must come out whole, in order, exactly once. ".repeat(6); // 3 parts

test("R90: stored delivery (+CMTI): each part is read with AT+CMGR, persisted, then deleted with AT+CMGD; the message arrives once", async (t) => {
  const r = await messagingRig();
  r.network.deliverSms({ from: FROM, text: LONG });
  await r.run(3000);
  t.is(r.dev.received.length, 1);
  const m = r.dev.received[0];
  t.is(m.from, FROM);
  t.is(m.text, LONG);
  t.is(m.parts, 3);
  t.deepEqual(m.missing, []);
  t.regex(m.time, /^2026-11-25T10:00:0\d\+09:00$/, "service-centre time stamp, with its offset");
  const reads = r.dev.commands.filter((c) => c.startsWith("AT+CMGR=") || c.startsWith("AT+CMGD="));
  t.deepEqual(reads, ["AT+CMGR=1", "AT+CMGD=1", "AT+CMGR=2", "AT+CMGD=2", "AT+CMGR=3", "AT+CMGD=3"]);
  t.is(r.modem.store.mem("SM")!.used(), 0, "nothing left in the modem's store");
  const inbox = await r.dev.messaging.inbox();
  t.deepEqual(inbox.map((x) => x.text), [LONG]);
});

test("R90: routed delivery (+CMT): routing set with AT+CNMI=2,2,0,1,0, each part persisted then acknowledged with AT+CNMA", async (t) => {
  const r = await messagingRig({ messaging: { routing: "direct" } });
  t.true(r.dev.commands.includes("AT+CNMI=2,2,0,1,0"));
  const ids = r.network.deliverSms({ from: FROM, text: LONG });
  await r.run(3000);
  t.is(r.dev.received.length, 1);
  t.is(r.dev.received[0].text, LONG);
  t.is(r.dev.commands.filter((c) => c === "AT+CNMA").length, 3);
  t.deepEqual(
    r.network.acks.map((a) => [a.deliveryId, a.result]),
    ids.map((id) => [id, "ack"]),
  );
});

test("R68/R90 (accessory part): a late +CNMA (modem switched routing off, nRF91-style) does not stop delivery; the retry is stored once (R75)", async (t) => {
  // Flash so slow that the acknowledgement misses the modem's deadline.
  const r = await messagingRig({ messaging: { routing: "direct" }, modem: { cnmaTimeoutMs: 100 }, network: { smsRetryMs: 5000 } });
  const slow = new SlowStorage(new MemoryStorage(), r.clock, 150);
  r.dev.fw.stop();
  const d = r.boot(slow);
  await r.run(5000);
  r.network.deliverSms({ from: FROM, text: "first" });
  await r.run(20000);
  t.true(r.network.acks.some((a) => a.result === "timeout"), "the modem gave up waiting for +CNMA");
  t.true(d.logs.some((l) => /\+CNMA refused/.test(l)));
  t.true(d.commands.filter((c) => c === "AT+CNMI=2,2,0,1,0").length >= 2, "routing switched on again");
  // Routing works again: a later message arrives too.
  r.network.deliverSms({ from: FROM, text: "second" });
  await r.run(20000);
  t.deepEqual(
    d.received.map((m) => m.text),
    ["first", "second"],
  );
  t.deepEqual((await r.act(d.messaging.inbox(), 5000)).map((m) => m.text), ["first", "second"]);
});

test("R75: the same part delivered twice is stored once (identity: originator, SCTS, reference, part number, body)", async (t) => {
  const r = await messagingRig();
  const pdus = deliverPdus(FROM, LONG, 7, r.clock.now());
  for (const p of pdus) r.network.deliverPdu(p);
  await r.run(2000);
  for (const p of pdus) r.network.deliverPdu(p); // a network retry of all parts
  r.network.deliverPdu(pdus[1]);
  await r.run(2000);
  t.is(r.dev.received.length, 1);
  t.is((await r.dev.messaging.inbox()).length, 1);
  t.true(r.dev.logs.filter((l) => /duplicate part/.test(l)).length >= 4);
  // Same text and reference at another time stamp is another message, not a duplicate.
  for (const p of deliverPdus(FROM, LONG, 7, r.clock.now() + 60000)) r.network.deliverPdu(p);
  await r.run(2000);
  t.is(r.dev.received.length, 2);
});

test("R73 (accessory part): parts in any order, two messages interleaved: each comes out whole, never half-built", async (t) => {
  const r = await messagingRig();
  const a = deliverPdus(FROM, LONG, 1, r.clock.now());
  const b = deliverPdus("+819055556666", "Another long one. ".repeat(12), 1, r.clock.now());
  r.network.deliverPdu(a[2]);
  r.network.deliverPdu(b[1]);
  r.network.deliverPdu(a[0]);
  await r.run(2000);
  t.is(r.dev.received.length, 0, "no partial message is shown");
  t.deepEqual(await r.dev.messaging.inbox(), []);
  r.network.deliverPdu(b[0]);
  r.network.deliverPdu(a[1]);
  await r.run(2000);
  t.deepEqual(
    r.dev.received.map((m) => [m.from, m.text]),
    [
      ["+819055556666", "Another long one. ".repeat(12)],
      [FROM, LONG],
    ],
  );
});

test("reassembly across a restart: a part persisted before a power cut joins the parts that come after", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  const pdus = deliverPdus(FROM, LONG, 9, r.clock.now());
  r.network.deliverPdu(pdus[0]);
  await r.run(2000);
  kill(r.dev, r.modem);
  r.modem.reboot();
  const d2 = r.boot(storage.reboot());
  await r.run(3000);
  r.network.deliverPdu(pdus[1]);
  r.network.deliverPdu(pdus[2]);
  await r.run(2000);
  t.deepEqual(d2.received.map((m) => m.text), [LONG]);
});

test("messages received while the firmware was off are read at start with AT+CMGL=4 (serialport-gsm #65)", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  kill(r.dev, r.modem); // the firmware is off; the modem stays up and stores what comes
  r.network.deliverSms({ from: FROM, text: "while you were away" });
  r.network.deliverSms({ from: FROM, text: LONG });
  await r.run(2000);
  t.is(r.modem.store.mem("SM")!.used(), 4);
  const d2 = r.boot(storage.reboot());
  await r.run(5000);
  t.true(d2.commands.includes("AT+CMGL=4"));
  t.deepEqual(d2.received.map((m) => m.text).sort(), [LONG, "while you were away"].sort());
  t.is(r.modem.store.mem("SM")!.used(), 0);
});

test("the modem's store never fills up; the inbox is bounded: the oldest message goes, reported, and is still known as a duplicate", async (t) => {
  const r = await messagingRig({ modem: { memories: { SM: 3, ME: 3 } }, messaging: { maxInbox: 4 } });
  const pdus: string[] = [];
  for (let i = 0; i < 10; i++) {
    const p = deliverPdus(FROM, "message " + i, i, r.clock.now() + i * 1000)[0];
    pdus.push(p);
    r.network.deliverPdu(p);
    await r.run(500);
  }
  t.is(r.dev.received.length, 10, "a 3-slot store took 10 messages");
  t.false(r.network.acks.some((a) => a.result !== "ack"), "no delivery was refused for a full memory");
  const inbox = await r.dev.messaging.inbox();
  t.deepEqual(inbox.map((m) => m.text), ["message 6", "message 7", "message 8", "message 9"]);
  t.deepEqual(r.dev.evicted.map((m) => m.text), ["message 0", "message 1", "message 2", "message 3", "message 4", "message 5"]);
  r.network.deliverPdu(pdus[0]); // a very late retry of an evicted message
  await r.run(1000);
  t.is(r.dev.received.length, 10);
});

test("a message still incomplete after partTimeoutMs is delivered as it is, naming the missing part", async (t) => {
  const r = await messagingRig({ messaging: { partTimeoutMs: 60000 } });
  const pdus = deliverPdus(FROM, LONG, 3, r.clock.now());
  r.network.deliverPdu(pdus[0]);
  r.network.deliverPdu(pdus[1]);
  await r.run(30000);
  t.is(r.dev.received.length, 0);
  await r.run(40000);
  t.is(r.dev.received.length, 1);
  t.deepEqual(r.dev.received[0].missing, [3]);
  t.is(r.dev.received[0].parts, 3);
  t.true(LONG.startsWith(r.dev.received[0].text));
});

test("incomplete messages are bounded: beyond maxPendingParts the oldest is delivered as it is", async (t) => {
  const r = await messagingRig({ messaging: { maxPendingParts: 3 } });
  for (let i = 0; i < 4; i++) r.network.deliverPdu(deliverPdus("+81900000000" + i, LONG, i, r.clock.now() + i)[0]);
  await r.run(3000);
  t.is(r.dev.received.length, 1);
  t.is(r.dev.received[0].from, "+819000000000");
  t.deepEqual(r.dev.received[0].missing, [2, 3]);
});

test("R74: an SMS reaches the accessory during a call", async (t) => {
  const r = await messagingRig();
  r.network.ringIn("+819077778888");
  await r.run(100);
  t.true((await r.act(r.dev.fw.line.answer())).ok);
  r.network.deliverSms({ from: FROM, text: "in a call" });
  await r.run(2000);
  t.deepEqual(r.dev.received.map((m) => m.text), ["in a call"]);
  t.is(r.dev.fw.line.lineState(), "inCallHere");
});

test("R67 (accessory part): a reachable accessory gets the message with originator, text, time stamp and part count", async (t) => {
  const r = await messagingRig();
  r.network.deliverSms({ from: "+15551234567", text: "Grüße, ça va? 😀" });
  await r.run(2000);
  const m = r.dev.received[0];
  t.is(m.from, "+15551234567");
  t.is(m.text, "Grüße, ça va? 😀");
  t.is(m.parts, 1);
  t.is(m.data, null);
  t.is(typeof m.timeMs, "number");
  t.is(Math.abs(m.timeMs - r.clock.now()) < 60000, true);
});

test("a message deleted from the inbox is gone after a restart, and a late copy of it is still a duplicate", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  const pdu = deliverPdus(FROM, "delete me", 5, r.clock.now())[0];
  r.network.deliverPdu(pdu);
  r.network.deliverSms({ from: FROM, text: "keep me" });
  await r.run(2000);
  const id = r.dev.received.find((m) => m.text === "delete me")!.id;
  t.true(await r.act(r.dev.messaging.deleteMessage(id)));
  t.false(await r.act(r.dev.messaging.deleteMessage(id)));
  r.dev.fw.stop();
  const d2 = r.boot(storage.reboot());
  await r.run(3000);
  t.deepEqual((await d2.messaging.inbox()).map((m) => m.text), ["keep me"]);
  r.network.deliverPdu(pdu);
  await r.run(2000);
  t.deepEqual(d2.received, []);
});

test("issue 14: a modem without +CPMS (ERROR to AT+CPMS? and AT+CPMS=) still delivers stored messages, read from its default memory", async (t) => {
  const r = await messagingRig({ modem: { unsupported: ["+CPMS"] } });
  r.network.deliverSms({ from: "+819011112222", text: "stored without +CPMS", msgClass: 2 });
  await r.run(5000);
  t.true(r.dev.received.some((m) => m.text === "stored without +CPMS"), r.dev.logs.join("\n"));
  t.true(r.dev.logs.some((l) => /does not support AT\+CPMS/.test(l)), "says what was not supported");
  t.is(r.modem.store.mem("SM")!.used() + r.modem.store.mem("ME")!.used(), 0, "read and deleted");
});

test("R75 two messages deleted at the same moment both stay known as duplicates after a restart", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  const first = deliverPdus(FROM, "first to go", 11, r.clock.now())[0];
  const second = deliverPdus(FROM, "second to go", 12, r.clock.now())[0];
  r.network.deliverPdu(first);
  r.network.deliverPdu(second);
  await r.run(2000);
  const ids = ["first to go", "second to go"].map((text) => r.dev.received.find((m) => m.text === text)!.id);
  // Neither delete waits for the other: both write the seen ring.
  const both = Promise.all(ids.map((id) => r.dev.messaging.deleteMessage(id)));
  t.deepEqual(await r.act(both), [true, true]);
  r.dev.fw.stop();
  const d2 = r.boot(storage.reboot());
  await r.run(3000);
  t.deepEqual(await d2.messaging.inbox(), []);
  r.network.deliverPdu(first);
  r.network.deliverPdu(second);
  await r.run(2000);
  t.deepEqual(d2.received.map((m) => m.text), [], "a late copy of either is a duplicate");
});

test("R75 a message deleted while the full inbox trims is gone once: deleted or evicted, never both", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage, messaging: { maxInbox: 1 } });
  r.network.deliverSms({ from: FROM, text: "oldest" });
  await r.run(2000);
  const oldest = r.dev.received[0].id;
  r.dev.fw.stop();
  // Slow Storage widens the moment between the new message's arrival and its trim.
  const after = storage.reboot();
  const slow = new SlowStorage(after, r.clock, 100);
  const d2 = r.boot(slow);
  await r.run(5000);
  let deleted: Promise<boolean> | undefined;
  d2.messaging.events.on("received", () => {
    if (!deleted) deleted = d2.messaging.deleteMessage(oldest);
  });
  r.network.deliverSms({ from: FROM, text: "newest" });
  await r.run(10000);
  t.truthy(deleted, "the new message arrived");
  const gone = (await deleted) ? 1 : 0;
  t.is(gone + d2.evicted.length, 1, "the oldest message went exactly once");
  t.deepEqual((await r.act(d2.messaging.inbox())).map((m) => m.text), ["newest"]);
  const seen = await r.act(after.read("sms.seen"));
  t.is((seen || "").split('"').filter((s) => /^[0-9a-f]{16}$/.test(s)).length, 1, "its identity is in the seen ring once: " + seen);
});
