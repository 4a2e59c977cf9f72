/** FileStorage beyond the Storage contract: layout on disk, leftovers of a cut, damaged files. */
import test from "ava";
import fs from "node:fs/promises";
import path from "node:path";
import { StorageCorruptError, StorageError } from "../../hal/errors.js";
import { FileStorage } from "../../hal/node/storage.js";
import { removeTmpDirs, tmpDir } from "./helpers.js";

test.after.always(removeTmpDirs);

test("one <key>.rec file per key, in the documented record format", async (t) => {
  const dir = await tmpDir("fs");
  const s = new FileStorage(dir);
  await s.write("inbox.7", "日本");
  t.deepEqual(await fs.readdir(dir), ["inbox.7.rec"]);
  const text = (await fs.readFile(path.join(dir, "inbox.7.rec"))).toString("latin1");
  t.regex(text, /^SLR1 [0-9a-f]{8} 0 6\n\xe6\x97\xa5\xe6\x9c\xac!$/);
});

test("the directory is created on first use", async (t) => {
  const dir = path.join(await tmpDir("fs"), "a", "b");
  const s = new FileStorage(dir);
  t.deepEqual(await s.list(""), []);
  await s.write("k", "v");
  t.is(await new FileStorage(dir).read("k"), "v");
});

test("temp files left by a cut are never read or listed, and are deleted on open", async (t) => {
  const dir = await tmpDir("fs");
  await new FileStorage(dir).write("k", "old");
  await fs.writeFile(path.join(dir, "k.rec.123-4.tmp"), "SLR1 half a rec");
  await fs.writeFile(path.join(dir, "fresh.rec.123-5.tmp"), "");
  const s = new FileStorage(dir);
  t.deepEqual(await s.list(""), ["k"]);
  t.is(await s.read("k"), "old");
  t.deepEqual(await fs.readdir(dir), ["k.rec"]);
});

test("a truncated or foreign .rec file is corrupt, and a write replaces it", async (t) => {
  const dir = await tmpDir("fs");
  const s = new FileStorage(dir);
  await s.write("k", "a value of some length");
  const file = path.join(dir, "k.rec");
  const full = await fs.readFile(file);
  for (const bad of [full.subarray(0, full.length - 1), full.subarray(0, 10), Buffer.alloc(0), Buffer.from("{\"json\":1}")]) {
    await fs.writeFile(file, bad);
    const e = await t.throwsAsync(s.read("k"));
    t.true(StorageCorruptError.is(e));
    t.regex(e!.message, /k\.rec/);
  }
  t.deepEqual(await s.list(""), ["k"]);
  await s.write("k", "fixed");
  t.is(await s.read("k"), "fixed");
});

test("files that are not records are ignored by list", async (t) => {
  const dir = await tmpDir("fs");
  await fs.writeFile(path.join(dir, "README"), "x");
  await fs.writeFile(path.join(dir, "bad key.rec"), "x");
  await fs.mkdir(path.join(dir, "sub"));
  const s = new FileStorage(dir);
  await s.write("k", "v");
  t.deepEqual(await s.list(""), ["k"]);
});

test("an unusable directory is a StorageError, not a crash", async (t) => {
  const base = await tmpDir("fs");
  const file = path.join(base, "plain");
  await fs.writeFile(file, "x");
  const s = new FileStorage(path.join(file, "sub"));
  const e = await t.throwsAsync(s.write("k", "v"));
  t.true(StorageError.is(e));
});
