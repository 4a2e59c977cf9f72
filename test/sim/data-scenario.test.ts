/**
 * The scenario format's data verb (docs/scenarios.md): an accessory's `pdpdeact`, with
 * an optional context id, checked before anything runs.
 */
import test from "ava";
import { parseScenario } from "../../sim/serve/scenario-format.js";

const GIVEN = { number: { msisdn: "+819012345678", devices: [{ name: "watch", board: "watch-bangle2-bg95" }] } };

const scenario = (when: unknown) => ({ title: "R83: pdpdeact", given: GIVEN, steps: [{ when }, { then: { line: "idle" } }] });

test("R83 pdpdeact {cid?} is an accessory's verb; a context id out of 1..15 is refused with its place", (t) => {
  const s = parseScenario(scenario({ by: "watch", do: "pdpdeact", cid: 1 }));
  t.like(s.steps[0].when[0], { kind: "accessory", by: "watch", verb: "pdpdeact", args: { cid: 1 } });
  t.like(parseScenario(scenario({ by: "watch", do: "pdpdeact" })).steps[0].when[0], { verb: "pdpdeact", args: { cid: undefined } });
  t.throws(() => parseScenario(scenario({ by: "watch", do: "pdpdeact", cid: 0 })), { message: /^steps\[0\]\.when\[0\]\.cid: / });
  t.throws(() => parseScenario(scenario({ by: "watch", do: "pdpdeact", apn: "x" })), { message: /^steps\[0\]\.when\[0\]\.apn: unknown field/ });
});
