/**
 * Sending (SPEC §8: R62–R66): the persistent outbox, AT+CMGS in prompt mode, retries,
 * status reports. On the simulated modem and the network stub (which records what was
 * submitted: `network.sent`).
 */
import test from "ava";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { messagingRig, kill } from "./rig.js";

const TO = "+819011112222";

test("R62: a native board sends on its own through AT+CMGS in prompt mode; the network gets the text", async (t) => {
  const r = await messagingRig();
  const id = await r.act(r.dev.messaging.send(TO, "hello from the watch"));
  await r.run(2000);
  t.is(typeof id, "number");
  t.is(r.network.sent.length, 1);
  t.is(r.network.sent[0].to, TO);
  t.is(r.network.sent[0].text, "hello from the watch");
  t.is(r.network.sent[0].alphabet, "gsm7", "cheapest alphabet");
  t.true(r.dev.commands.some((c) => /^AT\+CMGS=\d+$/.test(c)));
  t.is(r.dev.sent.length, 1);
  t.is(r.dev.sent[0].id, id);
  t.deepEqual(r.dev.sent[0].mrs.length, 1);
  t.deepEqual(await r.dev.messaging.outbox(), []);
});

test("R62: a long text goes as concatenated parts with one reference, in the cheapest alphabet (UCS2 only when needed)", async (t) => {
  const r = await messagingRig();
  const long = "The quick brown fox jumps over the lazy dog. ".repeat(9); // 405 septets: 3 parts
  const jp = "こんにちは、世界。絵文字も😀送れます。".repeat(5); // UCS2, > 70 units
  await r.act(r.dev.messaging.send(TO, long));
  await r.act(r.dev.messaging.send("09011112222", jp), 3000);
  const parts = r.network.sent;
  t.is(parts.filter((p) => p.alphabet === "gsm7").length, 3);
  const refs = new Set(parts.filter((p) => p.alphabet === "gsm7").map((p) => p.concat!.ref));
  t.is(refs.size, 1, "one reference for all parts of a message");
  t.true(parts.filter((p) => p.alphabet === "ucs2").length >= 2);
  const msgs = r.network.sentMessages();
  t.deepEqual(
    msgs.map((m) => [m.peer, m.text, m.complete]),
    [
      [TO, long, true],
      ["09011112222", jp, true],
    ],
  );
  t.is(r.dev.sent.length, 2);
});

test("R63: the sent history stays on this device and survives a restart; sending writes nothing but the SUBMITs", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  const before = r.dev.commands.length;
  const id = await r.act(r.dev.messaging.send(TO, "kept here"));
  await r.run(2000);
  t.deepEqual(
    r.dev.commands.slice(before).filter((c) => !c.startsWith("AT+CMGS=")),
    [],
    "no other AT traffic: the history is not shared anywhere",
  );
  r.dev.fw.stop();
  const d2 = r.boot(storage.reboot());
  await r.run(3000);
  const h = await d2.messaging.sentHistory();
  t.is(h.length, 1);
  t.is(h[0].id, id);
  t.is(h[0].text, "kept here");
  t.is(h[0].state, "sent");
  t.is(r.network.sent.length, 1, "not sent again after the restart");
});

test("R66: a status report is matched to the sent message by its reference (+CDSI, stored)", async (t) => {
  const r = await messagingRig({ network: { statusReportDelayMs: 5000 } });
  const id = await r.act(r.dev.messaging.send(TO, "report please", { statusReport: true }));
  await r.run(10000);
  t.true(r.network.sent[0].statusReportRequest, "TP-SRR set");
  t.is(r.dev.reports.length, 1);
  const rep = r.dev.reports[0];
  t.is(rep.id, id);
  t.is(rep.part, 1);
  t.is(rep.mr, r.network.sent[0].messageRef);
  t.true(rep.delivered);
  const h = await r.dev.messaging.sentHistory();
  t.deepEqual(h[0].reports, [0], "the report is kept with the message");
  t.is(r.modem.store.mem("SM")!.used(), 0, "the report was deleted from the modem");
});

test("R66: status reports routed as +CDS are matched too and acknowledged; an unknown reference is reported as unmatched", async (t) => {
  const r = await messagingRig({ messaging: { routing: "direct" }, modem: { firstMessageRef: 40 } });
  const id = await r.act(r.dev.messaging.send(TO, "x".repeat(200), { statusReport: true }));
  await r.run(5000);
  t.is(r.dev.reports.length, 2);
  t.deepEqual(
    r.dev.reports.map((x) => [x.id, x.part, x.parts, x.mr]),
    [
      // The firmware numbers its parts (23.040 §9.2.3.6) and the modem keeps those numbers,
      // not its own counter (which starts at 40 here).
      [id, 1, 2, 1],
      [id, 2, 2, 2],
    ],
  );
  r.network.statusReport(99, TO, r.clock.now(), 0x40);
  await r.run(2000);
  t.is(r.dev.reports[2].id, null);
  t.is(r.dev.reports[2].category, "failed");
  t.true(r.network.acks.every((a) => a.result === "ack"), "every +CDS acknowledged with +CNMA");
});

test("a failed submission is retried with back-off; parts the modem confirmed are not sent again", async (t) => {
  const r = await messagingRig({ messaging: { retryBaseMs: 10000 } });
  // Part 1 goes; then the network goes away: part 2 fails with +CMS ERROR: 331 (no network service).
  let gone = false;
  r.dev.fw.channel.events.on("tx", (b) => {
    if (!gone && b.startsWith("AT+CMGS=") && r.network.sent.length === 1) {
      gone = true;
      r.network.setRegistration("searching");
    }
  });
  const p = r.dev.messaging.send(TO, "y".repeat(300)); // 2 parts
  await r.run(5000);
  const id = await p;
  t.is(r.network.sent.length, 1);
  const ob = await r.dev.messaging.outbox();
  t.is(ob.length, 1);
  t.is(ob[0].attempts >= 1, true);
  t.regex(ob[0].error, /331|no network/);
  t.not(ob[0].mrs[0], null);
  t.is(ob[0].mrs[1], null);
  r.network.setRegistration("home");
  await r.run(60000);
  t.is(r.network.sent.length, 2, "part 1 was not sent again");
  t.deepEqual(r.network.sent.map((s) => s.concat!.seq), [1, 2]);
  t.is(r.dev.sent[0].id, id);
});

test("a clear final failure after the retry limit", async (t) => {
  const r = await messagingRig({ messaging: { retryBaseMs: 1000, maxAttempts: 3 } });
  r.network.setRegistration("searching");
  await r.run(1000);
  const id = await r.act(r.dev.messaging.send(TO, "never"));
  await r.run(60000);
  t.is(r.dev.failed.length, 1);
  t.is(r.dev.failed[0].id, id);
  t.regex(r.dev.failed[0].error, /gave up after 3 attempts/);
  t.is(r.dev.failed[0].state, "failed");
  t.deepEqual(await r.dev.messaging.outbox(), []);
  t.is((await r.dev.messaging.sentHistory())[0].state, "failed");
  t.is(r.dev.commands.filter((c) => c.startsWith("AT+CMGS=")).length, 3);
});

test("a message the API accepted survives a power cut before it was sent", async (t) => {
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  r.network.setRegistration("searching");
  await r.run(1000);
  const id = await r.act(r.dev.messaging.send(TO, "after the cut"));
  kill(r.dev, r.modem);
  r.modem.reboot();
  r.network.setRegistration("home");
  const d2 = r.boot(storage.reboot());
  await r.run(30000);
  t.is(d2.sent.length, 1);
  t.is(d2.sent[0].id, id);
  t.deepEqual(r.network.sentMessages().map((m) => m.text), ["after the cut"]);
});

test("a modem restart in the middle of a message: unconfirmed parts go after bring-up, confirmed ones never again", async (t) => {
  const r = await messagingRig();
  void r.dev.messaging.send(TO, "z".repeat(400)); // 3 parts
  // Let part 1 through, then reboot the modem while it holds the prompt of part 2.
  let rebooted = false;
  r.dev.fw.channel.events.on("tx", (b) => {
    if (!rebooted && b.startsWith("AT+CMGS=") && r.network.sent.length === 1) {
      rebooted = true;
      r.clock.setTimeout(() => r.modem.reboot(), 0);
    }
  });
  await r.run(60000);
  t.true(rebooted);
  t.is(r.dev.sent.length, 1);
  const seqs = r.network.sent.map((s) => s.concat!.seq);
  t.deepEqual(seqs.slice().sort(), [1, 2, 3]);
  t.is(r.network.sentMessages()[0].text, "z".repeat(400));
});
