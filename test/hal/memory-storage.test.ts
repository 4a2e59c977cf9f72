/**
 * MemoryStorage / MemoryFlash beyond the Storage contract: flash rules, the power-cut
 * knob, and cuts that follow cuts (the states a watch sees when it loses power again
 * while recovering).
 */
import test from "ava";
import { StorageCorruptError, StorageError } from "../../hal/errors.js";
import { MemoryFlash, MemoryStorage, PowerCutError } from "../../hal/memory/storage.js";

async function attempt(p: Promise<unknown>): Promise<"done" | "cut"> {
  try {
    await p;
    return "done";
  } catch (e) {
    if (PowerCutError.is(e)) return "cut";
    throw e;
  }
}

test("flash: files have a fixed size, unwritten bytes read 0xFF, a byte is written once", (t) => {
  const f = new MemoryFlash();
  t.true(f.write("a", "Hello", 0, 8));
  t.is(f.read("a"), "Hello\xff\xff\xff");
  t.true(f.write("a", "!!", 5));
  t.is(f.read("a"), "Hello!!\xff");
  t.throws(() => f.write("a", "x", 1), { message: /already written/ });
  t.throws(() => f.write("a", "xyz", 7), { message: /past the end/ });
  t.throws(() => f.write("nofile", "x", 3), { message: /no such file/ });
  t.throws(() => f.write("n".repeat(29), "x", 0), { message: /28/ });
  t.throws(() => f.write("a", "\u0100", 0), { message: /byte string/ });
  t.true(f.write("a", "new", 0));
  t.is(f.read("a"), "new");
  f.erase("a");
  f.erase("a");
  t.is(f.read("a"), undefined);
  t.deepEqual(f.list(), []);
});

test("flash: a write that does not fit the capacity returns false and changes nothing", (t) => {
  const f = new MemoryFlash({ capacity: 10 });
  t.true(f.write("a", "12345678", 0));
  t.false(f.write("b", "123", 0));
  t.deepEqual(f.list(), ["a"]);
  t.true(f.write("a", "1234567890", 0));
});

test("a power cut stops the work mid-way, then everything fails until reboot", async (t) => {
  const s = new MemoryStorage();
  await s.write("k", "old");
  s.cutPowerAfter(5);
  const e = await t.throwsAsync(s.write("k", "new value"));
  t.true(PowerCutError.is(e));
  t.true(s.flash.isDead);
  for (const op of [s.read("k"), s.write("j", "x"), s.remove("k"), s.list("")]) {
    t.true(PowerCutError.is(await t.throwsAsync(op)));
  }
  const after = s.reboot();
  t.is(await after.read("k"), "old");
  await after.write("k", "new value");
  t.is(await after.read("k"), "new value");
});

test("unitsOf measures without touching the storage", async (t) => {
  const s = new MemoryStorage();
  await s.write("k", "v");
  const before = s.flash.unitsUsed;
  const units = await s.unitsOf((c) => c.write("k", "0123456789"));
  t.is(s.flash.unitsUsed, before);
  t.is(await s.read("k"), "v");
  // Create the other slot, write each byte of the record, erase the old slot.
  t.is(units, 1 + "SLR1 xxxxxxxx 2 10\n0123456789!".length + 1);
});

test("at rest a key has one slot file; writes alternate between ~a and ~b", async (t) => {
  const s = new MemoryStorage();
  await s.write("k", "1");
  t.deepEqual(s.flash.list(), ["k~a"]);
  await s.write("k", "2");
  t.deepEqual(s.flash.list(), ["k~b"]);
  await s.write("k", "3");
  t.deepEqual(s.flash.list(), ["k~a"]);
  await s.remove("k");
  t.deepEqual(s.flash.list(), []);
});

test("two cuts in a row (during a write, then during the recovery write) never lose or mix values", async (t) => {
  const base = new MemoryStorage();
  await base.write("k", "A");
  const u1 = await base.unitsOf((s) => s.write("k", "BB"));
  let states = 0;
  for (let i = 0; i <= u1; i++) {
    const s1 = base.reboot();
    s1.cutPowerAfter(i);
    await attempt(s1.write("k", "BB"));
    const mid = s1.reboot();
    const first = await mid.read("k");
    t.true(first === "A" || first === "BB");
    const u2 = await mid.unitsOf((s) => s.write("k", "CCC"));
    for (let j = 0; j <= u2; j++) {
      const s2 = mid.reboot();
      s2.cutPowerAfter(j);
      await attempt(s2.write("k", "CCC"));
      const end = s2.reboot();
      const v = await end.read("k");
      t.true(v === first || v === "CCC", `cuts ${i}/${j}: ${v} after ${first}`);
      states++;
    }
  }
  t.true(states > 400, `${states} states`);
});

test("a remove cut while an earlier write left two committed slots never brings back the older value", async (t) => {
  const base = new MemoryStorage();
  await base.write("k", "older");
  const u = await base.unitsOf((s) => s.write("k", "newer"));
  // Cut just before the old slot is erased: both slots are committed.
  const s1 = base.reboot();
  s1.cutPowerAfter(u - 1);
  t.is(await attempt(s1.write("k", "newer")), "cut");
  const two = s1.reboot();
  t.deepEqual(two.flash.list().sort(), ["k~a", "k~b"]);
  t.is(await two.read("k"), "newer");
  const ur = await two.unitsOf((s) => s.remove("k"));
  t.is(ur, 2);
  for (let j = 0; j <= ur; j++) {
    const s2 = two.reboot();
    s2.cutPowerAfter(j);
    await attempt(s2.remove("k"));
    const v = await s2.reboot().read("k");
    t.true(v === "newer" || v === undefined, `cut ${j}: ${v}`);
  }
});

test("a full flash is a StorageError and the old value stays readable", async (t) => {
  const s = new MemoryStorage(new MemoryFlash({ capacity: 200 }));
  await s.write("k", "small");
  const e = await t.throwsAsync(s.write("k", "x".repeat(300)));
  t.true(StorageError.is(e));
  t.regex(e!.message, /full/);
  t.is(await s.read("k"), "small");
});

test("a torn slot beside a damaged one is reported as corrupt", async (t) => {
  const s = new MemoryStorage();
  await s.write("k", "value");
  s.flash.poke("k~a", 20, 0x00);
  s.flash.write("k~b", "SLR1 ", 0, 30);
  const e = await t.throwsAsync(s.read("k"));
  t.true(StorageCorruptError.is(e));
  t.regex(e!.message, /k~a/);
});
