/**
 * Runs test/hal/espruino-hal.entry.ts on the real Espruino interpreter (plain and
 * minified) when ESPRUINO_BIN names its Linux build; skipped otherwise.
 */
import test from "ava";
import { espruinoBin, runEntry } from "../espruino/run.js";

const bin = espruinoBin();
const entry = "test/hal/espruino-hal.entry.ts";

for (const minify of [false, true]) {
  const title = `Espruino: hal/espruino on the interpreter${minify ? " (minified)" : ""}`;
  if (!bin) {
    test.skip(`${title} (set ESPRUINO_BIN to an Espruino Linux interpreter to run)`, () => undefined);
    continue;
  }
  test(title, async (t) => {
    const r = await runEntry(bin, entry, { minify });
    const summary = JSON.stringify({ failed: r.failed, errors: r.errors, violations: r.violations, tail: r.run.output.split("\n").slice(-12) }, null, 1);
    t.deepEqual(r.violations, [], summary);
    t.deepEqual(r.errors, [], summary);
    t.deepEqual(r.failed, [], summary);
    t.truthy(r.done, summary);
    t.deepEqual(r.done, { passed: r.passed.length, failed: 0 }, summary);
    t.true(r.passed.length >= 9, summary);
    t.log(`${r.passed.length} checks passed on Espruino in ${r.run.ms} ms`);
  });
}
