/**
 * The scenario format's activation parts (docs/scenarios.md): brand-new accessories
 * (`profile: false`, `eid`), the phone's `register` / `unregister` with a checked result,
 * and the `activation` and `listed` checks. Mistakes are reported with their place.
 */
import test from "ava";
import { parseScenario } from "../../sim/serve/scenario-format.js";

function scenario(devices: unknown[], steps: unknown[]): unknown {
  return { title: "R8: test", given: { number: { msisdn: "+819012345678", devices } }, steps };
}

test("R8: a brand-new accessory, the phone's register with a result, and the activation checks parse", (t) => {
  const s = parseScenario(
    scenario(
      [{ name: "watch", profile: false, eid: "89049032000001000000012345678901" }],
      [{ when: { by: "phone", do: "register", accessory: "watch", as: "reg" }, then: [{ result: "reg", with: { subscriptionResult: 2 } }, { device: "watch", activation: "active" }, { device: "watch", listed: true }] }],
    ),
  );
  t.like(s.given.numbers[0].devices[0], { name: "watch", profile: false, register: false, eid: "89049032000001000000012345678901" });
  t.like(s.steps[0].when[0], { by: "phone", verb: "register", args: { accessory: "watch" }, as: "reg" });
  t.deepEqual(
    s.steps[0].then.map((e) => e.check),
    ["result", "activation", "listed"],
  );
});

test("R8: mistakes in the activation parts are named with their place", (t) => {
  const bad = (devices: unknown[], steps: unknown[]) => t.throws(() => parseScenario(scenario(devices, steps))).message;
  const ok = [{ then: { device: "watch", activation: "noProfile" } }];
  t.regex(bad([{ name: "watch", profile: false, register: true }], ok), /devices\[0\]\.register: an accessory without a profile cannot be registered at the start/);
  t.regex(bad([{ name: "watch", eid: "89" }], ok), /devices\[0\]\.eid: .*32 digits/);
  t.regex(bad([{ name: "watch" }], [{ when: { by: "phone", do: "register", accessory: "nobody" } }]), /steps\[0\]\.when\[0\]\.accessory: expected the name of an accessory/);
  t.regex(bad([{ name: "watch" }], [{ when: { by: "phone", do: "answer", as: "x" } }]), /steps\[0\]\.when\[0\]\.as: only an accessory's action and the phone's register and unregister/);
  t.regex(bad([{ name: "watch" }], [{ then: { device: "watch", listed: "yes" } }]), /steps\[0\]\.then\[0\]\.listed: expected true or false/);
  t.regex(bad([{ name: "watch" }], [{ when: { by: "network", do: "new-terms", version: 1, text: "x" } }]), /steps\[0\]\.when\[0\]\.version/);
  t.regex(bad([{ name: "watch" }], [{ when: { by: "network", do: "smdp-preparation", ms: -1 } }]), /steps\[0\]\.when\[0\]\.ms/);
  t.regex(bad([{ name: "watch" }], [{ when: { by: "phone", do: "accept-terms" } }]), /steps\[0\]\.when\[0\]\.version/);
  t.regex(bad([{ name: "watch" }], [{ then: { device: "watch", activation: 3 } }]), /steps\[0\]\.then\[0\]\.activation: expected a string/);
});
