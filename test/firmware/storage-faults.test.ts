/**
 * A data directory that is full or read-only (firmware/storage-watch.ts): reported once
 * with the storage's own error, received SMS stay on the modem and are read when storage
 * works again, an accepted message waits in the outbox and is sent then.
 */
import test from "ava";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { StorageError } from "../../hal/errors.js";
import type { Storage } from "../../hal/types.js";
import { messagingRig } from "../messaging/rig.js";

/** A storage whose writes fail as a full disk's do while `full`. */
class FillableStorage implements Storage {
  full = false;
  readonly inner = new MemoryStorage();
  private refuse(key: string): Promise<never> {
    return Promise.reject(
      StorageError(`storage write of '${key}' failed: ENOSPC: no space left on device, open '/var/lib/sharedline/${key}.rec'`, { key, detail: "ENOSPC" }),
    );
  }
  read(key: string) {
    return this.inner.read(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  write(key: string, value: string) {
    return this.full ? this.refuse(key) : this.inner.write(key, value);
  }
  remove(key: string) {
    return this.full ? this.refuse(key) : this.inner.remove(key);
  }
}

function smsOnModem(modem: { store: { mem(n: string): { used(): number } | undefined } }): number {
  return (modem.store.mem("SM")?.used() || 0) + (modem.store.mem("ME")?.used() || 0);
}

test("a full data directory is reported once with its error; received SMS stay on the modem and reach the inbox when space returns", async (t) => {
  const storage = new FillableStorage();
  const r = await messagingRig({ storage });
  const storageEvents: { ok: boolean; message: string }[] = [];
  r.dev.fw.api.events.on("storage", (s) => storageEvents.push(s));
  storage.full = true;
  r.network.deliverSms({ from: "+819011112222", text: "first" });
  r.network.deliverSms({ from: "+819011112222", text: "second" });
  await r.run(5000);
  t.is(r.dev.received.length, 0);
  t.is(smsOnModem(r.modem), 2, "not deleted from the modem: it was not stored");
  const reports = r.dev.logs.filter((l) => l.startsWith("storage: "));
  t.is(reports.length, 1, "reported once: " + reports.join(" | "));
  t.regex(reports[0], /no space left on device/);
  t.regex(reports[0], /\/var\/lib\/sharedline\//, "the path");
  t.is(storageEvents.length, 1);
  t.false(storageEvents[0].ok);
  const st = await r.dev.fw.api.status();
  t.true(st.ok && /ENOSPC/.test(st.storage));

  storage.full = false;
  await r.run(35000); // the probe finds the space within its period
  t.deepEqual(r.dev.received.map((m) => m.text).sort(), ["first", "second"]);
  t.is(smsOnModem(r.modem), 0, "deleted from the modem once stored");
  t.true(storageEvents.length === 2 && storageEvents[1].ok);
  const st2 = await r.dev.fw.api.status();
  t.true(st2.ok && st2.storage === "");
});

test("a message accepted before the disk filled is sent when space returns; one offered while full is refused as not stored", async (t) => {
  const storage = new FillableStorage();
  const r = await messagingRig({ storage });
  r.dev.fw.api.events.on("storage", () => undefined);
  storage.full = true;
  const refused = await r.dev.fw.api.sendSms("+819011112222", "while full");
  t.false(refused.ok);
  if (!refused.ok) t.is(refused.reason, "storage");
  storage.full = false;
  const ok = await r.act(r.dev.fw.api.sendSms("+819011112222", "hello"), 0);
  t.true(ok.ok);
  // The disk fills before the sender records the submission: nothing is lost, and the
  // message goes out once space returns.
  storage.full = true;
  await r.run(60000);
  storage.full = false;
  await r.run(60000);
  t.true(r.network.sent.some((s) => s.text === "hello"));
  t.false(r.network.sent.some((s) => s.text === "while full"));
  const out = await r.dev.fw.api.outbox();
  t.true(out.ok && out.pending.length === 0 && out.sent.some((m) => m.text === "hello" && m.state === "sent"), JSON.stringify(out));
});
