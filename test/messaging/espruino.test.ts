/**
 * Messaging on the Espruino interpreter: espruino-smoke.ts is bundled as a board bundle is
 * (tools/bundle.ts: iife, ES2015, pure ASCII), checked against the subset
 * (tools/portable-check.ts), and run on Node and on the interpreter named by ESPRUINO_BIN
 * (its Linux build). Both must print the same. Skipped without ESPRUINO_BIN.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { bundleForEspruino } from "../../tools/bundle.js";
import { checkBundle } from "../../tools/portable-check.js";
import { interpreterErrors, runEspruino } from "../../tools/espruino-run.js";
import { resultBlock } from "../support/result-block.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.ESPRUINO_BIN || undefined;

test("messaging runs the same on Node and in the bundle (and on Espruino with ESPRUINO_BIN)", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "messaging-espruino-"));
  try {
    const outfile = path.join(dir, "messaging-smoke.js");
    const b = await bundleForEspruino(path.join(here, "espruino-smoke.ts"), outfile);
    t.deepEqual(checkBundle(b.text, "messaging-smoke.js"), [], "the bundle stays in the subset");
    const node = spawnSync(process.execPath, [outfile], { encoding: "utf8", timeout: 30000 });
    t.is(node.status, 0, node.stderr);
    const a = resultBlock(node.stdout);
    t.is(a.get("number0"), '"+819011112222"');
    t.is(a.get("number1"), '"bad-number"');
    t.is(a.get("received1"), '["+819011110000","stored while the firmware was off","2026-11-25T10:00:00+09:00",1]');
    t.is(a.get("sent"), '[1,[7,8],"sent"]');
    t.is(a.get("received2"), '["+819022220000","routed: ca va? \\u65E5\\u672C\\u8A9E\\u3082","2026-11-25T10:00:00+09:00",1]');
    t.is(a.get("priority"), '[true,"other","Car","another accessory: Car"]');
    t.is(a.get("cusd"), "[2,[12499,12540],72]");
    if (!bin) {
      t.log("ESPRUINO_BIN not set: Node only");
      return;
    }
    const esp = await runEspruino(bin, outfile, { timeoutMs: 60000, until: /^>?\s*END$/m });
    t.false(esp.timedOut, esp.output.slice(-2000));
    t.deepEqual(interpreterErrors(esp.output), []);
    const e = resultBlock(esp.output.replace(/^>\s*/gm, ""));
    for (const [k, v] of a) t.is(e.get(k), v, k);
    t.is(e.size, a.size);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
