/**
 * The figure `npm run bench -- rak8212` gives for why the shared core does not fit the
 * RAK8212 (bench/rak8212.ts functionCost): its probe finds the AT channel the stage keeps
 * on the global `rak` under the name the bundle gives `channel` (names that never leave a
 * bundle are shortened, tools/mangle-props.ts), so it measures the channel's methods
 * rather than reading a property that no longer exists; and it counts the functions the
 * bundle keeps apart from the interpreter's own native ones. Runs on the Espruino Linux
 * build (ESPRUINO_BIN, to write Storage; ESPRUINO_BIN_12000 for the 32-bit layout when
 * set); skipped without it.
 */
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleStage, functionCost, PARTS, storageFiles } from "../../bench/rak8212.js";

const base = process.env.ESPRUINO_BIN || undefined;
const bin = process.env.ESPRUINO_BIN_12000 || base;
const title = "rak8212 bench: the functions behind the stacked shared core's heap are counted and the AT channel's methods measured under the name the bundle gives them";

if (!base || !bin) {
  test.skip(`${title} (set ESPRUINO_BIN to an Espruino Linux interpreter to run)`, () => undefined);
} else {
  test.serial(title, async (t) => {
    t.timeout(180000);
    const dir = mkdtempSync(path.join(tmpdir(), "sharedline-rak-bench-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const r = await bundleStage(PARTS, dir);
    const key = r.mangled && r.mangled.channel;
    t.truthy(key, "the bundle shortens `channel`: the probe must use its short name");
    const f = await functionCost(bin, storageFiles(r, false), key!);
    if (typeof f === "string") return t.fail("not measured: " + f);
    t.log(`${f.functions} functions (besides ${f.builtins} native), ${f.methods} methods of the AT channel at ${f.perMethod.toFixed(2)} blocks each, ${f.usage} blocks after boot`);
    t.true(f.methods >= 20, "the AT channel's methods are found");
    // A method is its function, the reference to its code and its name: a few blocks.
    t.true(f.perMethod >= 2 && f.perMethod <= 8, String(f.perMethod));
    t.true(f.builtins >= 100, "the interpreter's own functions are counted apart");
    t.true(f.functions >= 100 && f.functions * f.perMethod < f.usage, "the bundle's functions, within the heap in use");
    // Under the long name nothing is found, and that is said, never divided into a number.
    t.regex(String(await functionCost(bin, storageFiles(r, false), "channel")), /no rak\.channel/);
  });
}
