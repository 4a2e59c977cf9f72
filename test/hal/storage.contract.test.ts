/**
 * The Storage contract, run against every implementation: MemoryStorage (the watch's
 * protocol over a simulated flash), FileStorage (a temp directory) and EspruinoStorage
 * over an independent fake of Espruino's `require("Storage")` written from its
 * documentation.
 *
 * Power cuts: the memory and Espruino rigs really cut the power at every unit of work
 * (each byte written, each file created or erased); the file rig builds every state a
 * cut can leave on disk (a partial temp file of each length beside the old record,
 * a complete temp file, the renamed record) and reopens the directory.
 */
import test from "ava";
import fs from "node:fs/promises";
import path from "node:path";
import type { Storage } from "../../hal/types.js";
import { StorageCorruptError, StorageError } from "../../hal/errors.js";
import { MemoryStorage, PowerCutError } from "../../hal/memory/storage.js";
import { FileStorage } from "../../hal/node/storage.js";
import { EspruinoStorage, SLOT_SUFFIXES } from "../../hal/espruino/storage.js";
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import { encodeRecord } from "../../hal/record.js";
import { removeTmpDirs, tmpDir } from "./helpers.js";

test.after.always(removeTmpDirs);

/** One change whose interruption is tested. */
type Change = { kind: "write"; key: string; value: string } | { kind: "remove"; key: string };

interface Rig {
  storage: Storage;
  /** XORs byte `index` of the record stored for `key` with `mask`. */
  flip(key: string, index: number, mask: number): Promise<void>;
  /** Size in bytes of the record stored for `key`. */
  recordLength(key: string): Promise<number>;
  /** For every point where a cut can stop `change`: a restarted storage over what survived, in order. */
  cutStates(change: Change): Promise<Storage[]>;
}

function apply(s: Storage, c: Change): Promise<void> {
  return c.kind === "write" ? s.write(c.key, c.value) : s.remove(c.key);
}

const MIXED = "SMS 日本語 😀 \u0000\r\n\u00ff \ud800 {\"json\":true}";

function storageContract(name: string, makeRig: () => Promise<Rig>): void {
  test(`${name}: a missing key reads undefined; remove of a missing key is harmless`, async (t) => {
    const { storage } = await makeRig();
    t.is(await storage.read("nothing"), undefined);
    await storage.remove("nothing");
    t.deepEqual(await storage.list(""), []);
  });

  test(`${name}: write, read, overwrite, remove`, async (t) => {
    const { storage } = await makeRig();
    await storage.write("settings", '{"priority":"phone"}');
    t.is(await storage.read("settings"), '{"priority":"phone"}');
    await storage.write("settings", '{"priority":"watch"}');
    t.is(await storage.read("settings"), '{"priority":"watch"}');
    await storage.write("settings", "");
    t.is(await storage.read("settings"), "");
    await storage.remove("settings");
    t.is(await storage.read("settings"), undefined);
    await storage.write("settings", "back");
    t.is(await storage.read("settings"), "back");
  });

  test(`${name}: any string value round-trips, including non-ASCII, NUL, 0xFF and lone surrogates`, async (t) => {
    const { storage } = await makeRig();
    for (const v of [MIXED, "\xff\xff\xff", "!", "SLR1 00000000 0 0\n!", "\n"]) {
      await storage.write("v", v);
      t.is(await storage.read("v"), v);
    }
  });

  test(`${name}: large values (300 KB of mixed text)`, async (t) => {
    const { storage } = await makeRig();
    let big = "";
    for (let i = 0; i < 6000; i++) big += MIXED.slice(i % 7) + i.toString(36);
    t.true(big.length > 150000);
    await storage.write("big", big);
    t.is(await storage.read("big"), big);
    await storage.write("big", big.slice(1));
    t.is(await storage.read("big"), big.slice(1));
  });

  test(`${name}: list(prefix) gives the matching keys sorted by char code`, async (t) => {
    const { storage } = await makeRig();
    for (const k of ["b.2", "a", "b.10", "b.1", "c-x", "B", "b", "_"]) await storage.write(k, k);
    t.deepEqual(await storage.list(""), ["B", "_", "a", "b", "b.1", "b.10", "b.2", "c-x"]);
    t.deepEqual(await storage.list("b."), ["b.1", "b.10", "b.2"]);
    t.deepEqual(await storage.list("b"), ["b", "b.1", "b.10", "b.2"]);
    t.deepEqual(await storage.list("zz"), []);
    await storage.remove("b.10");
    t.deepEqual(await storage.list("b."), ["b.1", "b.2"]);
  });

  test(`${name}: odd but valid keys work ('.', '..', '__proto__', 24 chars)`, async (t) => {
    const { storage } = await makeRig();
    const keys = [".", "..", "__proto__", "constructor", "k".repeat(24)];
    for (const k of keys) await storage.write(k, "v" + k);
    for (const k of keys) t.is(await storage.read(k), "v" + k);
    t.deepEqual(await storage.list(""), keys.slice().sort());
  });

  test(`${name}: bad keys, prefixes and values are a StorageError`, async (t) => {
    const { storage } = await makeRig();
    for (const k of ["", "k".repeat(25), "a/b", "../x", "a b", "a~a", "é", "a\u0000"]) {
      for (const op of [storage.read(k), storage.write(k, "v"), storage.remove(k)]) {
        const e = await t.throwsAsync(op);
        t.true(StorageError.is(e), `${JSON.stringify(k)}: ${e?.message}`);
      }
    }
    t.true(StorageError.is(await t.throwsAsync(storage.list("a/"))));
    t.true(StorageError.is(await t.throwsAsync(storage.write("k", 5 as unknown as string))));
    t.is(await storage.read("k"), undefined);
  });

  test(`${name}: a flipped bit anywhere in a record is a StorageCorruptError, never a value`, async (t) => {
    const rig = await makeRig();
    await rig.storage.write("inbox.1", "+CMT: hello 日本");
    await rig.storage.write("other", "fine");
    const n = await rig.recordLength("inbox.1");
    t.true(n > 20);
    for (let i = 0; i < n; i++) {
      for (const mask of [0x01, 0x80]) {
        await rig.flip("inbox.1", i, mask);
        const e = await t.throwsAsync(rig.storage.read("inbox.1"), undefined, `byte ${i} ^ ${mask}`);
        t.true(StorageCorruptError.is(e), `byte ${i} ^ ${mask}: ${e?.message}`);
        t.is((e as unknown as { key: string }).key, "inbox.1");
        await rig.flip("inbox.1", i, mask);
      }
    }
    t.is(await rig.storage.read("inbox.1"), "+CMT: hello 日本");
    t.is(await rig.storage.read("other"), "fine");
    // A corrupt record is still listed (read would not say undefined) and a write replaces it.
    await rig.flip("inbox.1", n - 3, 0x01);
    t.deepEqual(await rig.storage.list("inbox."), ["inbox.1"]);
    await rig.storage.write("inbox.1", "rewritten");
    t.is(await rig.storage.read("inbox.1"), "rewritten");
  });

  test(`${name}: writes issued without waiting land in call order`, async (t) => {
    const { storage } = await makeRig();
    await Promise.all([storage.write("k", "1"), storage.write("k", "2"), storage.write("k", "3")]);
    t.is(await storage.read("k"), "3");
  });

  test(`${name}: a write cut at any point leaves the old value or the new one`, async (t) => {
    const rig = await makeRig();
    await rig.storage.write("other", "untouched");
    await rig.storage.write("k", "old value");
    const states = await rig.cutStates({ kind: "write", key: "k", value: "the new value, longer than the old" });
    t.true(states.length > 20, `${states.length} cut points`);
    let sawNew = false;
    for (let i = 0; i < states.length; i++) {
      const s = states[i];
      const v = await s.read("k");
      t.true(v === "old value" || v === "the new value, longer than the old", `cut ${i}: ${v}`);
      if (sawNew) t.is(v, "the new value, longer than the old", `cut ${i} went back to the old value`);
      sawNew = sawNew || v !== "old value";
      t.deepEqual(await s.list(""), ["k", "other"]);
      t.is(await s.read("other"), "untouched");
      await s.write("k", "after");
      t.is(await s.read("k"), "after");
    }
    t.true(sawNew);
  });

  test(`${name}: the first write of a key cut at any point leaves nothing or the new value`, async (t) => {
    const rig = await makeRig();
    const states = await rig.cutStates({ kind: "write", key: "fresh", value: "first" });
    const seen = new Set<string | undefined>();
    for (let i = 0; i < states.length; i++) {
      const v = await states[i].read("fresh");
      t.true(v === undefined || v === "first", `cut ${i}: ${v}`);
      t.deepEqual(await states[i].list(""), v === undefined ? [] : ["fresh"], `cut ${i}`);
      seen.add(v);
    }
    t.deepEqual([...seen].sort(), ["first", undefined]);
  });

  test(`${name}: a remove cut at any point leaves the old value or nothing`, async (t) => {
    const rig = await makeRig();
    await rig.storage.write("k", "v1");
    await rig.storage.write("k", "v2");
    const states = await rig.cutStates({ kind: "remove", key: "k" });
    for (let i = 0; i < states.length; i++) {
      const v = await states[i].read("k");
      t.true(v === "v2" || v === undefined, `cut ${i}: ${v}`);
    }
    t.is(await states[states.length - 1].read("k"), undefined);
  });
}

// --- memory ---------------------------------------------------------------------

function memoryCutStates(storage: MemoryStorage, change: Change): Promise<Storage[]> {
  return (async () => {
    const units = await storage.unitsOf((s) => apply(s, change));
    const out: Storage[] = [];
    for (let n = 0; n <= units; n++) {
      const s = storage.reboot();
      s.cutPowerAfter(n);
      const done = await apply(s, change).then(
        () => true,
        (e: unknown) => {
          if (!PowerCutError.is(e)) throw e;
          return false;
        },
      );
      if (done !== (n === units)) throw new Error(`cut after ${n} of ${units} units: done=${done}`);
      out.push(s.reboot());
    }
    return out;
  })();
}

function slotOf(read: (name: string) => string | undefined, key: string): string {
  for (const suffix of SLOT_SUFFIXES) if (read(key + suffix) !== undefined) return key + suffix;
  throw new Error(`no slot holds ${key}`);
}

storageContract("memory", async () => {
  const storage = new MemoryStorage();
  return {
    storage,
    async flip(key, index, mask) {
      const name = slotOf((n) => storage.flash.peek(n), key);
      storage.flash.poke(name, index, storage.flash.peek(name)!.charCodeAt(index) ^ mask);
    },
    async recordLength(key) {
      return storage.flash.peek(slotOf((n) => storage.flash.peek(n), key))!.length;
    },
    cutStates: (change) => memoryCutStates(storage, change),
  };
});

// --- file -------------------------------------------------------------------------

storageContract("file", async () => {
  const dir = await tmpDir("storage");
  const storage = new FileStorage(dir);
  const file = (key: string) => path.join(dir, key + ".rec");
  return {
    storage,
    async flip(key, index, mask) {
      const b = await fs.readFile(file(key));
      b[index] ^= mask;
      await fs.writeFile(file(key), b);
    },
    async recordLength(key) {
      return (await fs.stat(file(key))).size;
    },
    async cutStates(change) {
      // Settle the live storage first, then copy the directory for each state.
      await storage.list("");
      const out: Storage[] = [];
      const base = await fs.readdir(dir);
      const state = async (prepare: (d: string) => Promise<void>) => {
        const d = await tmpDir("cut");
        for (const n of base) await fs.copyFile(path.join(dir, n), path.join(d, n));
        await prepare(d);
        out.push(new FileStorage(d));
      };
      const tmpName = `${change.key}.rec.999-1.tmp`;
      if (change.kind === "write") {
        const rec = Buffer.from(encodeRecord(change.value, 0), "latin1");
        // Cut while the temp file is written (every length), or after it, before the rename.
        for (let n = 0; n <= rec.length; n++) await state((d) => fs.writeFile(path.join(d, tmpName), rec.subarray(0, n)));
        // Cut after the rename, before or after the directory fsync.
        await state((d) => fs.writeFile(path.join(d, `${change.key}.rec`), rec));
      } else {
        await state(async () => undefined);
        await state((d) => fs.unlink(path.join(d, `${change.key}.rec`)));
      }
      return out;
    },
  };
});

// --- espruino (fake module from the docs) -----------------------------------------

/**
 * Espruino's Storage as its documentation describes it: `write(name, data, 0, size)`
 * (re)creates a file of `size` bytes that read as "\xFF" until written, later offsets
 * fill it in, `read` of a missing file is undefined. Work is counted one unit per byte,
 * per file created and per file erased, so a power cut can be placed anywhere.
 */
class DocFlash implements FlashStorageModule {
  files: { [name: string]: string } = {};
  used = 0;
  budget = Infinity;
  dead = false;

  private unit(): void {
    if (this.dead || this.budget <= 0) {
      this.dead = true;
      throw new Error("power cut");
    }
    this.budget--;
    this.used++;
  }
  read(name: string): string | undefined {
    if (this.dead) throw new Error("power off");
    return Object.prototype.hasOwnProperty.call(this.files, name) ? this.files[name] : undefined;
  }
  write(name: string, data: string, offset: number, size?: number): boolean {
    if (name.length > 28) throw new Error("name too long");
    if (!offset) {
      if (this.read(name) !== undefined) this.erase(name);
      this.unit();
      this.files[name] = "\xff".repeat(size ?? data.length);
    }
    const f = this.files[name];
    const at = offset || 0;
    if (at + data.length > f.length) throw new Error("past end of file");
    const can = Math.min(data.length, this.budget);
    this.files[name] = f.slice(0, at) + data.slice(0, can) + f.slice(at + can);
    this.budget -= can;
    this.used += can;
    if (can < data.length) {
      this.dead = true;
      throw new Error("power cut");
    }
    return true;
  }
  erase(name: string): void {
    if (this.read(name) === undefined) return;
    this.unit();
    delete this.files[name];
  }
  list(): string[] {
    if (this.dead) throw new Error("power off");
    return Object.keys(this.files);
  }
  copy(): DocFlash {
    const f = new DocFlash();
    f.files = { ...this.files };
    return f;
  }
}

storageContract("espruino over a fake Storage module", async () => {
  const flash = new DocFlash();
  const storage = new EspruinoStorage(flash);
  return {
    storage,
    async flip(key, index, mask) {
      const name = slotOf((n) => flash.read(n), key);
      const f = flash.files[name];
      flash.files[name] = f.slice(0, index) + String.fromCharCode(f.charCodeAt(index) ^ mask) + f.slice(index + 1);
    },
    async recordLength(key) {
      return flash.files[slotOf((n) => flash.read(n), key)].length;
    },
    async cutStates(change) {
      const probe = flash.copy();
      await apply(new EspruinoStorage(probe), change);
      const out: Storage[] = [];
      for (let n = 0; n <= probe.used; n++) {
        const f = flash.copy();
        f.budget = n;
        const done = await apply(new EspruinoStorage(f), change).then(
          () => true,
          () => false,
        );
        if (done !== (n === probe.used)) throw new Error(`cut after ${n} of ${probe.used} units: done=${done}`);
        out.push(new EspruinoStorage(f.copy()));
      }
      return out;
    },
  };
});
