/**
 * The RAK8212 board's bundle (boards.json `rak8212-bg96`: the RAK firmware, firmware/rak/)
 * stays within the board's Storage: 40,960 bytes (RAK8212.py 'saved_code': 10 pages of
 * 4096) for the pretokenised boot code, its cold module and the settings file, each with
 * its 32-byte header, as tools/flash.ts writes them. The shared firmware stays out of it,
 * and the PDU reader stays in its cold module. Runs on Node (in CI).
 */
import test from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, espruinoBoards, SETTINGS_STORED_BYTES, storageCost } from "../../tools/bundle.js";

const rak = espruinoBoards().find((b) => b.name === "rak8212-bg96")!;

test("the RAK8212's files fit its 40,960 bytes of Storage, headers and the settings file included", async (t) => {
  const r = await bundleBoard(rak, mkdtempSync(path.join(tmpdir(), "rak-bundle-")), true);
  t.is(rak.budgets.bundleBytes, 40960);
  const files = [r.stored!.bytes.length].concat((r.modules ?? []).map((m) => m.stored!.bytes.length), [SETTINGS_STORED_BYTES]);
  const total = files.reduce((n, b) => n + storageCost(b), 0);
  t.is(r.storageBytes, total);
  t.true(total <= 40960, `${total} bytes in Storage`);
  t.log(`RAK8212 Storage: ${files.join(" + ")} bytes of files, ${total} with headers, of 40960`);
  t.deepEqual(
    (r.modules ?? []).map((m) => m.file),
    ["rak.pdu"],
  );
  // None of the shared firmware (its line, messaging, modem manager or AT channel) is in it.
  t.false(
    r.inputs.some((f) => /^(firmware\/(line|messaging|modem|activation|api)|drivers\/at)\//.test(f)),
    r.inputs.join(", "),
  );
  t.true((r.modules ?? [])[0].text.includes("00a3"), "the cold module holds the GSM table");
});

test("a bundle over the board's Storage is refused, with the sizes", async (t) => {
  const tight = Object.assign({}, rak, { budgets: { bundleBytes: 4096, ramBlocks: 2000 } });
  const e = await t.throwsAsync(bundleBoard(tight, mkdtempSync(path.join(tmpdir(), "rak-bundle-")), true));
  t.regex(e!.message, /bytes in Storage \(boot code \d+ \+ rak\.pdu \d+ = \d+, \+ the 528-byte settings file, \+ 32-byte headers\) is over the budget of 4096/);
});
