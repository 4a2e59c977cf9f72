/**
 * The codec on the Espruino interpreter: espruino-smoke.ts is bundled as a board bundle is
 * (tools/bundle.ts: iife, ES2015, pure ASCII), checked against the subset
 * (tools/portable-check.ts), and run on Node and on the interpreter named by ESPRUINO_BIN
 * (its Linux build). Both must print the same, except where the engines differ by design
 * (drivers/sms/text.ts): the text engine, and an astral character being one character on
 * Espruino. Skipped without ESPRUINO_BIN, like test/espruino.
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

(bin ? test : test.skip)("the codec gives the same PDUs, texts and errors on Espruino as on Node", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sms-espruino-"));
  try {
    const outfile = path.join(dir, "sms-smoke.js");
    const b = await bundleForEspruino(path.join(here, "espruino-smoke.ts"), outfile);
    t.deepEqual(checkBundle(b.text, "sms-smoke.js"), [], "the bundle stays in the subset");
    const node = spawnSync(process.execPath, [outfile], { encoding: "utf8" });
    t.is(node.status, 0, node.stderr);
    const esp = await runEspruino(bin!, outfile, { timeoutMs: 60000, until: /^>?\s*END$/m });
    t.false(esp.timedOut, esp.output.slice(-2000));
    t.deepEqual(interpreterErrors(esp.output), []);
    const a = resultBlock(node.stdout);
    const e = resultBlock(esp.output.replace(/^>\s*/gm, ""));
    t.is(a.get("engine"), '"utf16"');
    t.is(e.get("engine"), '"utf8"');
    t.is(a.get("astral"), "[5,55357,2]");
    t.is(e.get("astral"), "[4,128512,1]", "one character per astral code point");
    for (const [k, v] of a) if (k !== "engine" && k !== "astral") t.is(e.get(k), v, k);
    t.is(e.size, a.size);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
