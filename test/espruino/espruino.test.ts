/**
 * Runs every entry of test/espruino/entries on the real Espruino interpreter, plain and
 * minified, when ESPRUINO_BIN names one (its Linux build, see espruino-facts.md);
 * without it these tests are reported as skipped. The parser of the result lines is
 * tested either way.
 */
import test from "ava";
import * as path from "node:path";
import { espruinoBin, listEntries, parseResults, runEntry, type EntryRun } from "./run.js";

const bin = espruinoBin();
const why = "set ESPRUINO_BIN to an Espruino Linux interpreter to run";

function summary(r: EntryRun): string {
  return [
    `DONE: ${JSON.stringify(r.done)} passed=${r.passed.length} failed=${JSON.stringify(r.failed)}`,
    r.violations.length ? "subset violations:\n  " + r.violations.join("\n  ") : "",
    r.errors.length ? "interpreter errors:\n  " + r.errors.join("\n  ") : "",
    r.run.timedOut ? `timed out after ${r.run.ms} ms` : "",
    "output tail:\n" + r.run.output.split("\n").slice(-15).join("\n"),
  ]
    .filter(Boolean)
    .join("\n");
}

const entries = listEntries();

test("there is at least one Espruino entry", (t) => {
  t.true(entries.length > 0);
});

for (const entry of entries) {
  for (const minify of [false, true]) {
    const title = `Espruino: ${path.basename(entry)}${minify ? " (minified)" : ""} passes every check`;
    if (!bin) {
      test.skip(`${title} (${why})`, () => undefined);
      continue;
    }
    test(title, async (t) => {
      const r = await runEntry(bin, entry, { minify });
      t.deepEqual(r.violations, [], summary(r));
      t.truthy(r.done, "the entry printed its DONE line\n" + summary(r));
      t.deepEqual(r.failed, [], summary(r));
      t.deepEqual(r.errors, [], summary(r));
      t.true(r.passed.length > 0, summary(r));
      t.deepEqual(r.done, { passed: r.passed.length, failed: 0 }, summary(r));
      t.log(`${r.passed.length} checks passed on Espruino in ${r.run.ms} ms (bundle ${r.bundleBytes} bytes)`);
    });
  }
}

const selftest = "test/espruino/fixtures/harness-selftest.ts";
if (!bin) {
  test.skip(`Espruino: the harness reports failures, not only passes (${why})`, () => undefined);
} else {
  test("Espruino: the harness reports failures, not only passes", async (t) => {
    const r = await runEntry(bin, selftest);
    t.deepEqual(r.passed, ["passes", "passes later"], summary(r));
    t.deepEqual(
      r.failed.map((f) => f.name),
      ["fails by assertion", "fails by rejection"],
      summary(r),
    );
    t.regex(r.failed[0].detail, /final result: got "OK", expected "ERROR"/);
    t.regex(r.failed[1].detail, /rejected on purpose/);
    t.deepEqual(r.done, { passed: 2, failed: 2 });
  });
}

test("result lines are parsed after the banner and the prompt", (t) => {
  const out = [" 2v29.277 (c) 2026 G.Williams", "PASS a: b", ">FAIL c: d :: got 1, expected 2", "FAIL e :: x: y", "noise", "> DONE 1 passed, 2 failed"].join("\n");
  t.deepEqual(parseResults(out), {
    passed: ["a: b"],
    failed: [
      { name: "c: d", detail: "got 1, expected 2" },
      { name: "e", detail: "x: y" },
    ],
    done: { passed: 1, failed: 2 },
  });
  t.is(parseResults("PASS a\n").done, undefined, "no DONE line, no summary");
});
