/**
 * The end-to-end scenarios of test/scenarios/*.json (docs/scenarios.md): each runs the
 * real firmware on every simulated accessory of a shared number on the simulated
 * network, under a virtual clock. One ava test per file, titled with the scenario's
 * title (it starts with the SPEC rule ids it covers).
 */
import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { firmwareAgent, loadScenario } from "../cli/scenario.js";
import { runScenario } from "../sim/serve/scenario-runner.js";
import type { Scenario } from "../sim/serve/scenario-format.js";

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "scenarios");
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const scenarios: { file: string; s: Scenario }[] = files.map((f) => ({ file: f, s: loadScenario(path.join(DIR, f)) }));

for (const { file, s } of scenarios) {
  test(s.title, async (t) => {
    const lines: string[] = [];
    const r = await runScenario(s, { factory: firmwareAgent, print: (l) => lines.push(l) });
    if (!r.ok) {
      t.log(lines.join("\n"));
      t.fail(file + ": " + r.failure!.path + " (" + r.failure!.what + "): " + r.failure!.why);
      return;
    }
    t.true(r.ok);
    t.true(lines.some((l) => l.indexOf("    then ok ") === 0), "the scenario checked something");
  });
}

/** SPEC.md's rules, R1..R97 (SPEC.md lives outside the repository; its numbering is fixed). */
const RULES = Array.from({ length: 97 }, (_, i) => "R" + (i + 1));

test("every SPEC rule, R1 to R97, has a scenario whose title starts with it, with several accessories", (t) => {
  t.true(scenarios.length >= 12, "at least 12 scenario files, got " + scenarios.length);
  const covered = new Set<string>();
  for (const { s } of scenarios) for (const r of s.rules) covered.add(r);
  t.deepEqual(
    RULES.filter((r) => !covered.has(r)),
    [],
    "rules without a scenario",
  );
  for (const { file, s } of scenarios) {
    const accessories = s.given.numbers.reduce((n, num) => n + num.devices.length, 0);
    t.true(accessories >= 2, file + " has several accessories");
  }
});

test("docs/spec-coverage.md lists, for every rule, scenario files that exist, and every scenario under each rule its title starts with", (t) => {
  const doc = readFileSync(path.join(DIR, "..", "..", "docs", "spec-coverage.md"), "utf8");
  const start = doc.indexOf("## End to end: scenarios");
  t.true(start >= 0, "the end-to-end section");
  const rows = new Map<string, string>();
  for (const line of doc.slice(start).split("\n")) {
    const m = /^\| (R\d+) \| (.*) \|$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  const names = new Set(files.map((f) => f.slice(0, -".json".length)));
  t.deepEqual(
    RULES.filter((r) => !rows.has(r)),
    [],
    "rules without a row",
  );
  for (const [rule, text] of rows) {
    const named = text.match(/\br\d+[a-z0-9-]*/g) || [];
    t.true(named.length > 0, rule + " names a scenario");
    for (const n of named) t.true(names.has(n), rule + ": " + n + ".json exists");
  }
  for (const { file, s } of scenarios) {
    for (const r of s.rules) t.true((rows.get(r) || "").indexOf(file.slice(0, -".json".length)) >= 0, r + " lists " + file);
  }
});
