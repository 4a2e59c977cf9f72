/**
 * The SMS priority setting by service code (SPEC R69–R72, R77–R82, R91), on the simulated
 * modem and the network stub. The network's side (who actually gets SMS) belongs to the
 * shared-number network; here the accessory's part: what it sends, how it reads the
 * answers, and what state it keeps and shows.
 */
import test from "ava";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { AtChannel } from "../../drivers/at/index.js";
import { Messaging, parsePriorityAnswer } from "../../firmware/messaging/index.js";
import { AutoModem, healthyModemTable } from "../support/auto-modem.js";
import { boardWith, messagingRig } from "./rig.js";

const THIS = { status: 0, text: "103*7*1# this accessory", dcs: 15 };
const PHONE = { status: 0, text: "103*7*0# smartphone", dcs: 15 };

test("R78: *103*1# goes out as USSD, AT+CUSD=1,\"*103*1#\",15, and the answer token sets the state", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*103*1#": THIS } } });
  const res = await r.act(r.dev.messaging.setPriority());
  t.true(res.ok, res.message);
  t.true(r.dev.commands.includes('AT+CUSD=1,"*103*1#",15'));
  t.deepEqual(r.network.ussdRequests, ["*103*1#"]);
  t.is(r.dev.messaging.priorityState().holder, "this");
  t.is(r.dev.messaging.priorityText(), "this accessory");
  t.is(r.dev.priority.length, 1, "the change is shown (priority event)");
});

test("R69: *103*0# is refused on the accessory with a message saying it must be sent from the smartphone; nothing is sent", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*103*0#": PHONE } } });
  const before = r.dev.commands.length;
  const res = await r.act(r.dev.messaging.serviceCode("*103*0#"));
  t.false(res.ok);
  if (!res.ok) {
    t.is(res.reason, "refused-locally");
    t.regex(res.message, /must be sent from the smartphone/);
  }
  const viaApi = await r.act(r.dev.messaging.setPriority("smartphone"));
  t.false(viaApi.ok);
  t.is(r.dev.commands.length, before, "no AT command was written");
  t.deepEqual(r.network.ussdRequests, []);
});

test("R77: *#103# asks; the answers 103*7*0# (smartphone) and 103*7*1# (accessory) are read as states", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*#103#": PHONE } } });
  const a = await r.act(r.dev.messaging.queryPriority());
  t.true(a.ok);
  t.is(a.state.holder, "smartphone");
  t.is(a.state.source, "query");
  t.is(a.state.answer, "103*7*0# smartphone");
  r.network.ussdAnswers["*#103#"] = { status: 0, text: "103*7*1#", dcs: 15 };
  const b = await r.act(r.dev.messaging.serviceCode(" *#103# "));
  t.true(b.ok);
  t.is(b.state.holder, "accessory", "a bare accessory token names no device");
  t.is(r.dev.messaging.priorityText(), "an accessory");
});

test("R80: the readable part names the device: smartphone, this accessory, another accessory: <name>", (t) => {
  t.deepEqual(parsePriorityAnswer("103*7*0# smartphone"), { kind: "state", holder: "smartphone", name: "" });
  t.deepEqual(parsePriorityAnswer("103*7*1# this accessory"), { kind: "state", holder: "this", name: "" });
  t.deepEqual(parsePriorityAnswer("103*7*1# another accessory: Car unit"), { kind: "state", holder: "other", name: "Car unit" });
  t.deepEqual(parsePriorityAnswer("*103*7*1#, Another accessory - Watch"), { kind: "state", holder: "other", name: "Watch" });
  t.deepEqual(parsePriorityAnswer("NG: not allowed from a smartphone"), { kind: "ng", reason: "not allowed from a smartphone" });
  t.deepEqual(parsePriorityAnswer("hello"), { kind: "unreadable" });
});

test("R70 (accessory part): another accessory taking priority replaces this one in the state shown", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*103*1#": THIS, "*#103#": { status: 0, text: "103*7*1# another accessory: Car", dcs: 15 } } } });
  t.true((await r.act(r.dev.messaging.setPriority())).ok);
  const q = await r.act(r.dev.messaging.queryPriority());
  t.true(q.ok);
  t.is(q.state.holder, "other");
  t.is(q.state.name, "Car");
  t.is(r.dev.messaging.priorityText(), "another accessory: Car");
});

test("R81: NG: <reason> is a refusal; the last known state is kept", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*#103#": PHONE, "*103*1#": { status: 0, text: "NG: the accessory is not registered", dcs: 15 } } } });
  await r.act(r.dev.messaging.queryPriority());
  const res = await r.act(r.dev.messaging.setPriority());
  t.false(res.ok);
  if (!res.ok) {
    t.is(res.reason, "refused");
    t.regex(res.message, /the accessory is not registered/);
  }
  t.is(r.dev.messaging.priorityState().holder, "smartphone");
});

test("R81: +CUSD: 5 (no answer within 30 s) says 'no answer from the network' and keeps the last known state", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*#103#": PHONE } } });
  await r.act(r.dev.messaging.queryPriority());
  r.network.ussdAnswers["*#103#"] = null; // the network never answers; the modem reports +CUSD: 5
  const p = r.dev.messaging.queryPriority();
  const res = await r.act(p, 40000);
  t.false(res.ok);
  if (!res.ok) {
    t.is(res.reason, "no-answer");
    t.regex(res.message, /no answer from the network/);
    t.regex(res.message, /last known: the smartphone/);
  }
  t.is(r.dev.messaging.priorityState().holder, "smartphone");
});

test("R79: +CUSD: 4 (not supported as USSD) falls back to dialling ATD*103*1#; a release with cause 16 means applied (R80)", async (t) => {
  // The stub answers +CUSD: 4 to codes it does not know.
  const r = await messagingRig();
  const p = r.dev.messaging.setPriority();
  await r.run(2000);
  t.true(r.dev.commands.includes("ATD*103*1#;"), "the code was dialled");
  t.is(r.network.liveCalls()[0].number, "*103*1#");
  r.network.remoteHangup(undefined, 16);
  const res = await r.act(p, 2000);
  t.true(res.ok, res.message);
  t.is(res.state.holder, "this");
  t.true(r.dev.commands.includes("AT+CEER"));
});

test("R79: a dialled code the network releases with another cause is a refusal; the state is kept", async (t) => {
  const r = await messagingRig();
  const p = r.dev.messaging.setPriority();
  await r.run(2000);
  r.network.remoteHangup(undefined, 21);
  const res = await r.act(p, 2000);
  t.false(res.ok);
  if (!res.ok) t.regex(res.message, /cause 21/);
  t.is(r.dev.messaging.priorityState().holder, "unknown");
});

test("R79: a dialled code nobody releases is released by the firmware (only that call) and reported as no answer", async (t) => {
  const r = await messagingRig({ messaging: { releaseMs: 5000 } });
  const res = await r.act(r.dev.messaging.setPriority(), 10000);
  t.false(res.ok);
  if (!res.ok) t.is(res.reason, "no-answer");
  t.true(r.dev.commands.includes("AT+CHLD=11"), "the service-code call was released by its index");
  t.is(r.network.liveCalls().length, 0);
});

test("R79: ERROR for AT+CUSD falls back to dialling the code", async (t) => {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  const table = healthyModemTable();
  table["ATD*#103#;"] = "\r\nOK\r\n";
  table["AT+CEER"] = '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n';
  const modem = new AutoModem(dce, table); // AT+CUSD=... is not in the table: ERROR
  const channel = new AtChannel(dte, clock);
  const m = new Messaging(channel, clock, new MemoryStorage(), boardWith("native").capabilities, { ready: () => true });
  const p = m.queryPriority();
  await clock.advance(100);
  t.deepEqual(modem.commands, ['AT+CUSD=1,"*#103#",15', "ATD*#103#;"]);
  void dce.write("\r\nNO CARRIER\r\n");
  await clock.advance(100);
  const res = await p;
  t.deepEqual(modem.commands.slice(2), ["AT+CEER"]);
  // Dialled, a query has no answer text: the state stays as it was.
  t.false(res.ok);
  if (!res.ok) t.regex(res.message, /no answer text/);
});

test("R91: the +CUSD answer may come before the OK; <m>=1 (further action) closes the session with AT+CUSD=2", async (t) => {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  const table = healthyModemTable();
  table['AT+CUSD=1,"*#103#",15'] = '\r\n+CUSD: 1,"103*7*1# this accessory",15\r\n\r\nOK\r\n';
  table["AT+CUSD=2"] = "\r\nOK\r\n";
  const modem = new AutoModem(dce, table);
  const channel = new AtChannel(dte, clock);
  const m = new Messaging(channel, clock, new MemoryStorage(), boardWith("native").capabilities, { ready: () => true });
  const p = m.queryPriority();
  await clock.advance(100);
  const res = await p;
  t.true(res.ok);
  t.is(res.state.holder, "this");
  t.deepEqual(modem.commands, ['AT+CUSD=1,"*#103#",15', "AT+CUSD=2"]);
});

test("R91: <m>=2 (terminated by network) with the state text is taken; UCS2 answers (dcs 72) are decoded", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*#103#": { status: 2, text: "103*7*1# another accessory: 車", dcs: 72 } } } });
  const res = await r.act(r.dev.messaging.queryPriority());
  t.true(res.ok, res.message);
  t.is(res.state.holder, "other");
  t.is(res.state.name, "車");
});

test("R82: the last known state survives a restart and is shown; a change on another device comes through priorityChanged", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage, network: { ussd: { "*103*1#": THIS } } });
  await r.act(r.dev.messaging.setPriority());
  r.dev.fw.stop();
  const d2 = r.boot(storage.reboot());
  await r.run(3000);
  t.is(d2.messaging.priorityState().holder, "this");
  t.is(d2.messaging.priorityText(), "this accessory");
  await r.act(d2.messaging.priorityChanged({ holder: "other", name: "Car" }));
  t.is(d2.messaging.priorityText(), "another accessory: Car");
  t.is(d2.priority.length, 1, "the change made elsewhere is shown");
  // The companion link repeats the holder with every line it publishes: no change, no line.
  await r.act(d2.messaging.priorityChanged({ holder: "other", name: "Car" }));
  await r.act(d2.messaging.priorityChanged({ holder: "other", name: "Car" }));
  t.is(d2.priority.length, 1, "the same holder again is not shown again");
  d2.fw.stop();
  const d3 = r.boot((d2.storage as MemoryStorage).reboot());
  await r.run(3000);
  t.is(d3.messaging.priorityText(), "another accessory: Car", "and kept");
  await t.throwsAsync(d3.messaging.priorityChanged({ holder: "nobody" as never }), { message: /holder must be one of/ });
});

test("R72 (accessory part): this accessory unregistered, the network gives priority back to the smartphone; the companion link's report is shown", async (t) => {
  const r = await messagingRig({ network: { ussd: { "*103*1#": THIS, "*#103#": PHONE } } });
  await r.act(r.dev.messaging.setPriority());
  t.is(r.dev.messaging.priorityState().holder, "this");
  const s = await r.act(r.dev.messaging.priorityChanged({ holder: "smartphone" }));
  t.is(s.source, "companion");
  t.is(r.dev.messaging.priorityText(), "the smartphone");
  // A later query agrees (the network side is the shared-number network's, R72).
  const q = await r.act(r.dev.messaging.queryPriority());
  t.is(q.state.holder, "smartphone");
});

test("R71: boards with sms relay or none refuse service codes before touching the modem", async (t) => {
  for (const sms of ["relay", "none"] as const) {
    const r = await messagingRig({ sms, network: { ussd: { "*#103#": PHONE } } });
    const before = r.dev.commands.length;
    for (const res of [await r.act(r.dev.messaging.queryPriority()), await r.act(r.dev.messaging.setPriority()), await r.act(r.dev.messaging.serviceCode("*103*1#"))]) {
      t.false(res.ok);
      if (!res.ok) {
        t.is(res.reason, "capability");
        t.regex(res.message, /service codes do nothing on this device/);
      }
    }
    t.is(r.dev.commands.length, before, sms + ": no AT command written");
  }
});

test("codes other than the priority codes are refused with the list of what is sent", async (t) => {
  const r = await messagingRig();
  const before = r.dev.commands.length;
  for (const code of ["*21*123#", "*103*1#\r\nATD110;", '*103*1#"', "", "*#103#;ATH"]) {
    const res = await r.act(r.dev.messaging.serviceCode(code));
    t.false(res.ok);
    if (!res.ok) t.is(res.reason, "bad-code");
  }
  t.is(r.dev.commands.length, before);
});
