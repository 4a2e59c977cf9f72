/**
 * The watch bundle split into boot code and cold Storage modules (tools/bundle.ts
 * COLD_MODULES): each module is built, holds its functions on `exports`, stays under its
 * budget, passes the Espruino subset check, and the boot code reaches it only through
 * `require` of its Storage name (the stubs), never by carrying its code. Runs on Node.
 */
import test from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, COLD_MODULES, espruinoBoards, type BundleResult } from "../../tools/bundle.js";
import { checkBundle, storageFiles } from "../../tools/portable-check.js";

const dir = mkdtempSync(path.join(tmpdir(), "bundle-split-"));
const watch = espruinoBoards().find((b) => b.name === "watch-bangle2-bg95")!;
let built: Promise<BundleResult> | undefined;
const bundleOnce = () => (built = built || bundleBoard(watch, dir, true));

test.serial("the watch bundle writes every cold module beside its boot code, each under its own budget and the board's total", async (t) => {
  const r = await bundleOnce();
  const files = (r.modules ?? []).map((m) => m.file).sort();
  // The RAK8212's own firmware (firmware/rak/) has its cold module too; the watch imports none of it.
  const watchs = COLD_MODULES.filter((m) => m.source.indexOf("firmware/rak/") !== 0);
  t.deepEqual(files, watchs.map((m) => m.file).sort(), "every cold module the watch imports is split off");
  let total = r.bytes;
  for (const m of r.modules!) {
    // More than the loader's shell: the smallest, sl.stf (storage-fault reporting), is about 700 bytes pretokenised.
    t.true(m.bytes > 256, `${m.file} holds code (${m.bytes} bytes)`);
    t.true(m.bytes <= m.maxBytes, `${m.file}: ${m.bytes} bytes within ${m.maxBytes}`);
    t.true(m.file.length <= 28, `${m.file}: a Storage name Espruino keeps whole`);
    total += m.bytes;
  }
  t.true(total <= watch.budgets.bundleBytes!, `boot code and modules ${total} bytes within budgets.bundleBytes ${watch.budgets.bundleBytes}`);
  t.deepEqual(Object.keys(storageFiles(r)).sort(), [".bootcde"].concat(files).sort(), "the heap check writes the same files to Storage");
});

test.serial("each cold module exports its functions to `exports` and passes the Espruino subset check as a Storage module", async (t) => {
  const r = await bundleOnce();
  for (const m of r.modules!) {
    t.true(m.exports.length > 0, m.file);
    for (const name of m.exports) t.regex(m.text, new RegExp(`exports\\.${name}=`), `${m.file} sets exports.${name}`);
    t.notRegex(m.text, /SHAREDLINE_COLD_EXPORTS/, "the placeholder is replaced");
    t.deepEqual(
      checkBundle(m.text, m.file, true).map((v) => v.message),
      [],
      `${m.file} is inside Espruino's subset`,
    );
    // Checked as boot code instead, the free `exports` is refused: the check can fail.
    t.true(checkBundle(m.text, m.file, false).some((v) => /exports/.test(v.message)));
  }
});

test.serial("the boot code requires each cold module by its Storage name and drops it after the call, and carries none of its code", async (t) => {
  const r = await bundleOnce();
  t.regex(r.text, /require\)?\(\w+\)/, "the loader calls the interpreter's require");
  t.regex(r.text, /Modules\.removeCached\(/, "and drops the module from the module cache");
  // Each stub names a function its module exports (stubs the boot code does not call are tree-shaken).
  const stubs = r.text.match(/"sl\.\w+","\w+",arguments/g) || [];
  for (const m of r.modules!) {
    const mine = stubs.filter((s) => s.indexOf(`"${m.file}",`) === 0);
    t.true(mine.length > 0, `the boot code calls into ${m.file}`);
    for (const s of mine) t.true(m.exports.indexOf(s.split('"')[3]) >= 0, `${s}: exported by ${m.file}`);
  }
  // Text that lives only in the cold modules' sources.
  t.false(r.text.includes("type help"), "no text of the command table");
  t.true(r.modules!.find((m) => m.file === "sl.cmd")!.text.includes("type help"), "it is in sl.cmd");
  t.false(/TP-VPF|encodeSubmit/.test(r.text), "no SMS-SUBMIT encoder in the boot code");
});
