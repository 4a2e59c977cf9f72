/** EspruinoStorage beyond the Storage contract: file names, foreign files, a misbehaving flash. */
import test from "ava";
import { StorageError } from "../../hal/errors.js";
import { EspruinoStorage, espruinoStorage } from "../../hal/espruino/storage.js";
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import { MemoryFlash } from "../../hal/memory/storage.js";

test("slot files of a 24-character key fit Espruino's 28-character names", async (t) => {
  const flash = new MemoryFlash(); // refuses names over 28 characters
  const s = new EspruinoStorage(flash);
  const key = "k".repeat(24);
  await s.write(key, "1");
  await s.write(key, "2");
  t.is(await s.read(key), "2");
  for (const name of flash.list()) t.true(name.length <= 26);
});

test("files that are not our slots are ignored by list and left alone", async (t) => {
  const flash = new MemoryFlash();
  for (const name of [".boot0", "settings.json", "x~c", "bad/key~a", "log\u0001", "~a", "k".repeat(25) + "~a"]) {
    flash.write(name, "data", 0);
  }
  const s = new EspruinoStorage(flash);
  await s.write("mine", "v");
  t.deepEqual(await s.list(""), ["mine"]);
  await s.remove("mine");
  t.deepEqual(flash.list().length, 7);
});

test("a first write cut before its commit is not listed", async (t) => {
  const flash = new MemoryFlash();
  flash.write("k~a", "SLR1 partial", 0, 40);
  const s = new EspruinoStorage(flash);
  t.deepEqual(await s.list(""), []);
  t.is(await s.read("k"), undefined);
  await s.write("k", "v");
  t.deepEqual(await s.list(""), ["k"]);
  // The torn slot was erased and reused.
  t.deepEqual(flash.list(), ["k~a"]);
});

function wrap(base: FlashStorageModule, over: Partial<FlashStorageModule>): FlashStorageModule {
  return {
    read: over.read ?? ((n) => base.read(n)),
    write: over.write ?? ((n, d, o, size) => base.write(n, d, o, size)),
    erase: over.erase ?? ((n) => base.erase(n)),
    list: over.list ?? (() => base.list()),
  };
}

test("a flash that refuses the write is a StorageError; the old value stays", async (t) => {
  const flash = new MemoryFlash();
  const good = new EspruinoStorage(flash);
  await good.write("k", "old");
  const s = new EspruinoStorage(wrap(flash, { write: () => false }));
  const e = await t.throwsAsync(s.write("k", "new"));
  t.true(StorageError.is(e));
  t.is(await good.read("k"), "old");
});

test("a write that does not read back is a StorageError and leaves the old value readable", async (t) => {
  const flash = new MemoryFlash();
  const good = new EspruinoStorage(flash);
  await good.write("k", "old");
  // Worn flash: the data write "succeeds" but one byte comes out wrong.
  const s = new EspruinoStorage(
    wrap(flash, {
      write: (n, d, o, size) => flash.write(n, o === 0 && d.length > 20 ? d.slice(0, 20) + "X" + d.slice(21) : d, o, size),
    }),
  );
  const e = await t.throwsAsync(s.write("k", "a new value that is long enough"));
  t.true(StorageError.is(e));
  t.regex(e!.message, /did not verify/);
  t.is(await good.read("k"), "old");
  t.deepEqual(flash.list(), ["k~a"]);
});

test("an exception from the flash module becomes a StorageError naming the key", async (t) => {
  const s = new EspruinoStorage(
    wrap(new MemoryFlash(), {
      read: () => {
        throw new Error("flash bus error");
      },
    }),
  );
  const e = await t.throwsAsync(s.read("k"));
  t.true(StorageError.is(e));
  t.regex(e!.message, /read of 'k' failed: flash bus error/);
});

test.serial("espruinoStorage() takes the module from require('Storage')", async (t) => {
  const flash = new MemoryFlash();
  const g = globalThis as { require?: unknown };
  const had = Object.prototype.hasOwnProperty.call(g, "require");
  const saved = g.require;
  const asked: string[] = [];
  g.require = (name: string) => {
    asked.push(name);
    return flash;
  };
  try {
    const s = espruinoStorage();
    await s.write("k", "v");
    t.deepEqual(asked, ["Storage"]);
    t.deepEqual(flash.list(), ["k~a"]);
  } finally {
    if (had) g.require = saved;
    else delete g.require;
  }
});
