/**
 * Threat model (docs/threat-model.md), storage lines: a full disk and a corrupted record
 * must lose nothing that can be kept and must not stop the device.
 */
import test from "ava";
import { MemoryFlash, MemoryStorage } from "../../hal/memory/storage.js";
import { messagingRig } from "../messaging/rig.js";

const FROM = "+819033334444";

test("threat: a full disk: an SMS that cannot be stored stays on the modem (not deleted, not lost) and arrives once space is back", async (t) => {
  const flash = new MemoryFlash({ capacity: 64 * 1024 });
  const r = await messagingRig({ storage: new MemoryStorage(flash) });
  // Another process (or a log) filled the disk.
  let filler = 0;
  while (flash.write("fill" + filler, "x".repeat(4096), 0)) filler++;
  while (flash.write("f" + filler, "x", 0)) filler++;
  r.network.deliverSms({ from: FROM, text: "kept while the disk is full" });
  await r.run(5000);
  t.is(r.dev.received.length, 0, "not reported received while it could not be stored");
  t.true(r.modem.store.mem("SM")!.used() >= 1, "still on the modem: the firmware did not delete what it could not keep");
  const st = await r.act(r.dev.fw.api.status());
  t.true(st.ok, "the device still answers");
  for (const name of flash.list()) if (name.startsWith("fill") || /^f\d+$/.test(name)) flash.erase(name);
  // The next start (or the next retry) reads what the modem kept.
  r.boot(new MemoryStorage(flash.reboot()));
  await r.run(5000);
  t.deepEqual(r.dev.received.map((m) => m.text), ["kept while the disk is full"]);
});

test("threat: a corrupted record: a damaged inbox record is reported, the other messages and new ones still work", async (t) => {
  const r = await messagingRig();
  r.network.deliverSms({ from: FROM, text: "first" });
  r.network.deliverSms({ from: FROM, text: "second" });
  await r.run(4000);
  t.is(r.dev.received.length, 2);
  const storage = r.dev.storage as MemoryStorage;
  const names = storage.flash.list();
  // Damage one byte in the middle of every record file but the last written (decay).
  const victim = names.filter((n) => storage.flash.peek(n)!.indexOf("first") >= 0)[0];
  t.truthy(victim, "the record holding the first message: " + names.join(","));
  const bytes = storage.flash.peek(victim)!;
  const at = bytes.indexOf("first");
  const next = storage.reboot();
  next.flash.poke(victim, at, "F".charCodeAt(0) ^ 0x20 ^ 0x01);
  r.boot(next);
  await r.run(4000);
  const inbox = await r.act(r.dev.fw.api.inbox());
  t.true(inbox.ok, "the inbox still answers: " + JSON.stringify(inbox));
  if (inbox.ok) t.true(inbox.messages.some((m) => m.text === "second"), "the undamaged message is still there");
  r.network.deliverSms({ from: FROM, text: "third" });
  await r.run(4000);
  t.true(r.dev.received.some((m) => m.text === "third"), "new messages still arrive");
  t.true(r.dev.logs.some((l) => /corrupt|damaged|checksum/i.test(l)), "the damage is said: " + r.dev.logs.join(" | "));
});
