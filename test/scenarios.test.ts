/**
 * The end-to-end scenarios of test/scenarios/*.json (docs/scenarios.md): each runs the
 * real firmware on every simulated accessory of a shared number on the simulated
 * network, under a virtual clock. One ava test per file, titled with the scenario's
 * title (it starts with the SPEC rule ids it covers).
 */
import test from "ava";
import { readdirSync } from "node:fs";
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

test("the scenarios cover §3–§6 end to end with several accessories", (t) => {
  t.true(scenarios.length >= 12, "at least 12 scenario files, got " + scenarios.length);
  const covered = new Set<string>();
  for (const { s } of scenarios) for (const r of s.rules) covered.add(r);
  const wanted = ["R2", "R3", "R7", "R8", "R11", "R12", "R13", "R15", "R16", "R17", "R18", "R19", "R20", "R22", "R24", "R25", "R26", "R28", "R29", "R30", "R32", "R33", "R34", "R36", "R37", "R39", "R40", "R47", "R49", "R50", "R54", "R82", "R83", "R84", "R86", "R87", "R88"];
  t.deepEqual(
    wanted.filter((r) => !covered.has(r)),
    [],
    "rules without a scenario",
  );
  for (const { file, s } of scenarios) {
    const accessories = s.given.numbers.reduce((n, num) => n + num.devices.length, 0);
    t.true(accessories >= 2, file + " has several accessories");
  }
});
