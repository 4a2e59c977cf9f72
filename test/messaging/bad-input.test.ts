/**
 * Bad input: recipients, texts and codes are validated and nothing reaches the AT line
 * that could inject a command; malformed PDUs from the modem (in +CMT, +CMGR, +CMGL) are
 * quarantined with the error, never crash the firmware and never block what comes after.
 */
import test from "ava";
import fc from "fast-check";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { MessagingError } from "../../firmware/messaging/index.js";
import { submitParts } from "../../drivers/sms/index.js";
import { messagingRig } from "./rig.js";

const FROM = "+819033334444";

function codeOf(e: unknown): string {
  return (e as { code?: string }).code || "";
}

test("recipients that are not phone numbers are refused before anything reaches the modem", async (t) => {
  const r = await messagingRig();
  const before = r.dev.commands.length;
  const bad: unknown[] = ['+8190"\r\nATD110;', "12*34#", "abc", "", "+", "++81", "+8190;ATH", "0".repeat(21), 819012345678, null, "９０１２"];
  for (const to of bad) {
    const e = await t.throwsAsync(r.dev.messaging.send(to as string, "hi"));
    t.true(MessagingError.is(e), String(to));
    t.is(codeOf(e), "bad-number", String(to));
  }
  // Separators people type are fine.
  await r.act(r.dev.messaging.send("+81 (90) 1111-2222", "ok"));
  await r.run(2000);
  t.is(r.network.sent[0].to, "+819011112222");
  t.deepEqual(r.dev.commands.slice(before).filter((c) => !/^AT\+CMGS=\d+$/.test(c)), []);
});

test("texts: empty, not a string, a lone surrogate, or more parts than allowed are refused with a clear error", async (t) => {
  const r = await messagingRig({ messaging: { maxParts: 3 } });
  const cases: [unknown, string, RegExp][] = [
    ["", "bad-text", /empty/],
    [42, "bad-text", /must be a string/],
    ["half an emoji \uD83D", "bad-text", /cannot carry|cannot be sent/],
    ["x".repeat(153 * 3 + 1), "too-long", /too long/],
  ];
  for (const [text, code, msg] of cases) {
    const e = await t.throwsAsync(r.dev.messaging.send("+819011112222", text as string));
    t.is(codeOf(e), code);
    t.regex(e!.message, msg);
  }
  t.deepEqual(await r.dev.messaging.outbox(), []);
});

test("fuzz: whatever recipient and text are given, only AT+CMGS lines and hex PDUs reach the modem", async (t) => {
  const r = await messagingRig({ messaging: { maxParts: 3 } });
  const writes: string[] = [];
  r.dev.fw.channel.events.on("tx", (b) => writes.push(b));
  const samples = fc.sample(fc.tuple(fc.oneof(fc.string(), fc.stringMatching(/^\+?[0-9 ()-]{0,24}$/)), fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 200, unit: "binary" }))), { numRuns: 300, seed: 4242 });
  let accepted = 0;
  for (const [to, text] of samples) {
    try {
      await r.dev.messaging.send(to, text);
      accepted++;
    } catch (e) {
      t.true(MessagingError.is(e), "typed error for " + JSON.stringify([to, text]));
    }
  }
  await r.run(60000);
  t.true(accepted > 20, "the fuzz reached the modem (" + accepted + " accepted)");
  for (const w of writes) {
    const ok = /^AT\+CMGS=\d+\r$/.test(w) || (w.endsWith("\x1a") && /^[0-9A-F]+$/.test(w.slice(0, -1))) || w === "\x1b";
    if (!ok) t.fail("unexpected bytes written: " + JSON.stringify(w));
  }
  t.is(r.dev.sent.length + r.dev.failed.length, accepted);
  t.deepEqual(r.modem.internalErrors, []);
});

test("a malformed PDU in +CMT is quarantined with the error, acknowledged, and the next message still arrives", async (t) => {
  const r = await messagingRig({ messaging: { routing: "direct" } });
  r.modem.urc("+CMT: ,5", "0004000102"); // a DELIVER cut short
  r.modem.urc("+CMT: ,20", "00"); // length says 20, there is nothing
  await r.run(2000);
  r.network.deliverSms({ from: FROM, text: "after the bad ones" });
  await r.run(3000);
  t.deepEqual(r.dev.received.map((m) => m.text), ["after the bad ones"]);
  const q = await r.dev.messaging.quarantine();
  t.is(q.length, 2);
  t.deepEqual(q.map((x) => x.source), ["+CMT", "+CMT"]);
  t.is(q[0].pdu, "0004000102");
  t.regex(q[0].error, /octet/);
  t.is(r.dev.quarantined.length, 2);
  t.deepEqual(r.modem.internalErrors, []);
});

test("a malformed PDU read with +CMGR is quarantined and deleted from the modem; a PDU line that is not hex too", async (t) => {
  const r = await messagingRig();
  const sm = r.modem.store.mem("SM")!;
  sm.put(0, "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD", 8); // truncated user data
  r.modem.urc('+CMTI: "SM",1');
  sm.put(0, "NOT A PDU", 1);
  r.modem.urc('+CMTI: "SM",2');
  await r.run(2000);
  r.network.deliverSms({ from: FROM, text: "good one" });
  await r.run(2000);
  t.deepEqual(r.dev.received.map((m) => m.text), ["good one"]);
  t.is(sm.used(), 0, "the bad slots were deleted, so the store cannot fill up with them");
  const q = await r.dev.messaging.quarantine();
  t.is(q.length, 2);
  t.deepEqual(q.map((x) => x.source), ["+CMGR", "+CMGR"]);
  t.regex(q[0].error, /TP-|octet/);
  t.regex(q[1].error, /no PDU line/);
  t.regex(q[1].pdu, /^\+CMGR: /);
});

test("malformed PDUs found by AT+CMGL at start are quarantined; the good ones around them arrive", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  r.dev.fw.stop();
  r.modem.disconnect();
  const sm = r.modem.store.mem("SM")!;
  r.network.deliverSms({ from: FROM, text: "before" });
  await r.run(500);
  sm.put(1, "00FFFFFF", 1); // nonsense
  sm.put(1, submitParts("not for us", { to: "+819011112222" })[0].hex, 1); // an SMS-SUBMIT is not an incoming message
  r.network.deliverSms({ from: FROM, text: "after" });
  await r.run(500);
  const d2 = r.boot(storage.reboot());
  await r.run(5000);
  t.deepEqual(d2.received.map((m) => m.text).sort(), ["after", "before"]);
  const q = await d2.messaging.quarantine();
  t.is(q.length, 2);
  t.true(q.some((x) => /SMS-SUBMIT/.test(x.error)));
  t.is(sm.used(), 0);
});

test("fuzz: random PDUs in the modem's store never crash the firmware nor block the good messages behind them", async (t) => {
  const r = await messagingRig({ modem: { memories: { SM: 50, ME: 10 } }, messaging: { maxQuarantine: 500, maxInbox: 500 } });
  const sm = r.modem.store.mem("SM")!;
  const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 180 }), { numRuns: 150, seed: 99 });
  let good = 0;
  for (let i = 0; i < samples.length; i++) {
    const hex = Buffer.from(samples[i]).toString("hex").toUpperCase();
    const slot = sm.put(1, hex, 1)!;
    r.modem.urc('+CMTI: "SM",' + slot.index);
    if (i % 10 === 0) {
      r.network.deliverSms({ from: FROM, text: "good " + good++ });
    }
    await r.run(200);
  }
  await r.run(5000);
  const texts = r.dev.received.map((m) => m.text);
  for (let k = 0; k < good; k++) t.true(texts.includes("good " + k), "good " + k + " arrived");
  t.is(sm.used(), 0, "every slot was taken and deleted");
  const q = await r.dev.messaging.quarantine();
  t.true(q.length > 100, q.length + " quarantined");
  t.deepEqual(r.modem.internalErrors, []);
});
