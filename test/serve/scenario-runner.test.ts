/**
 * The scenario format and runner themselves (docs/scenarios.md): a bad file is refused
 * with the place of the mistake, matching follows its documented rules, and a run fails
 * at the first expectation that does not hold (or a `not` that happens), saying why.
 */
import test from "ava";
import { firmwareAgent } from "../../cli/scenario.js";
import { matches } from "../../sim/serve/scenario-expect.js";
import { parseScenario } from "../../sim/serve/scenario-format.js";
import { runScenario } from "../../sim/serve/scenario-runner.js";

const GIVEN = {
  number: {
    msisdn: "+819012345678",
    devices: [
      { name: "watch", board: "watch-bangle2-bg95" },
      { name: "car", board: "car-linux-eg91" },
    ],
  },
  parties: { alice: "+818011112222" },
};

function scenario(steps: unknown[], given: unknown = GIVEN): unknown {
  return { title: "R19: test scenario", given, steps };
}

test("a scenario file is checked before it runs: each mistake names its place", (t) => {
  const bad: [unknown, RegExp][] = [
    [{ given: GIVEN, steps: [] }, /^scenario\.title: required/],
    [{ title: "no rule ids", given: GIVEN, steps: [{ then: { line: "idle" } }] }, /^scenario\.title: expected rule ids then a sentence/],
    [scenario([]), /^scenario\.steps: required/],
    [scenario([{ when: { by: "alice", do: "cal", to: "number" } }]), /^steps\[0\]\.when\[0\]\.do: expected one of call, answer, reject, hangup, sms, dtmf, busy/],
    [scenario([{ when: { by: "bob", do: "call" } }]), /^steps\[0\]\.when\[0\]\.by: expected network or the name of a phone, an accessory or a party from given, got "bob"/],
    [scenario([{ when: { by: "alice", do: "call", to: "nobody" } }]), /^steps\[0\]\.when\[0\]\.to: expected a number name, a party name or a dial string/],
    [scenario([{ when: { by: "watch", do: "answer", soon: true } }]), /^steps\[0\]\.when\[0\]\.soon: unknown field/],
    [scenario([{ then: { device: "watch", lineStat: "idle" } }]), /^steps\[0\]\.then\[0\]: give exactly one of lineState, calls, event/],
    [scenario([{ then: { device: "watch", event: "ring" } }]), /^steps\[0\]\.then\[0\]\.event: expected one of incoming, callChanged, callEnded/],
    [scenario([{ then: { device: "alice", lineState: "idle" } }]), /^steps\[0\]\.then\[0\]\.device: expected the name of a phone or an accessory/],
    [scenario([{ then: { result: "x", with: { ok: true } } }]), /^steps\[0\]\.then\[0\]\.result: no earlier action is labelled "x"/],
    [scenario([{ then: { line: "idle", within: -1 } }]), /^steps\[0\]\.then\[0\]\.within: expected a whole number/],
    [scenario([{ then: { device: "watch", lineState: "idle", count: 1 } }]), /^steps\[0\]\.then\[0\]\.count: count applies to/],
    [scenario([{ then: { line: "idle" } }], { ...GIVEN, params: { noReplyMs: 999999 } }), /^scenario\.given\.params: network parameter noReplyMs/],
    [scenario([{ then: { line: "idle" } }], { number: { msisdn: "+819012345678", devices: [{ name: "w", board: "toaster" }] } }), /^scenario\.given\.number\.devices\[0\]\.board: unknown board "toaster"/],
    [scenario([{ then: { line: "idle" } }], { number: { msisdn: "+819012345678", devices: [{ name: "alice" }] }, parties: { alice: "+818011112222" } }), /the name "alice" is used twice/],
    // issue 14 §3: the extensions say where a mistake is, too
    [scenario([{ then: { line: "idle" } }], { number: { msisdn: "+819012345678", devices: [{ name: "w", modem: { unsupported: ["CUSD"] } }] } }), /^scenario\.given\.number\.devices\[0\]\.modem\.unsupported\[0\]: expected an AT command name/],
    [scenario([{ then: { line: "idle" } }], { number: { msisdn: "+819012345678", devices: [{ name: "w", modem: { lostSmsAcks: -1 } }] } }), /^scenario\.given\.number\.devices\[0\]\.modem\.lostSmsAcks: expected/],
    [scenario([{ when: { do: "emergency-numbers", numbers: [{ number: "1x0", categories: 1 }] } }]), /^steps\[0\]\.when\[0\]\.numbers\[0\]\.number: expected 2-6 digits/],
    [scenario([{ when: { do: "emergency-numbers", numbers: [] } }]), /^steps\[0\]\.when\[0\]\.numbers: required/],
    [scenario([{ when: { do: "fail-branch", device: "alice", cause: 88 } }]), /^steps\[0\]\.when\[0\]\.device: expected the name of an accessory or a phone/],
    [scenario([{ when: { do: "fail-branch", device: "watch", cause: 300 } }]), /^steps\[0\]\.when\[0\]\.cause: expected/],
    [scenario([{ when: { do: "faults", ussdSilent: "yes" } }]), /^steps\[0\]\.when\[0\]\.ussdSilent: expected true or false/],
    [scenario([{ when: { by: "watch", do: "code", code: "hello" } }]), /^steps\[0\]\.when\[0\]\.code: expected a service code/],
    [scenario([{ when: { by: "alice", do: "sms", to: "number", text: "x", partGapMs: -5 } }]), /^steps\[0\]\.when\[0\]\.partGapMs: expected/],
    [scenario([{ then: { device: "watch", at: { $regex: "(" } } }]), /^steps\[0\]\.then\[0\]\.at: expected the start of a line, or/],
  ];
  for (const [json, message] of bad) {
    const e = t.throws(() => parseScenario(json), undefined, JSON.stringify(json));
    t.regex(e!.message, message);
  }
  const ok = parseScenario(scenario([{ when: [{ by: "watch", do: "dial", number: "alice", as: "d" }, { do: "wait", ms: 10 }], then: [{ result: "d", with: { ok: true } }] }]));
  t.deepEqual(ok.rules, ["R19"]);
  t.is(ok.steps[0].when[0].text, "watch: dial alice");
  t.is(ok.steps[0].when[1].text, "wait 10 ms");
  t.is(ok.steps[0].then[0].withinMs, 2000);
});

test("matching: partial objects, exact-length lists, $contains, $regex, null for missing", (t) => {
  t.true(matches({ a: 1, b: { c: "x", d: 2 } }, { b: { c: "x" } }));
  t.false(matches({ a: 1 }, { a: 2 }));
  t.true(matches([{ s: "active", n: 1 }], [{ s: "active" }]));
  t.false(matches([{ s: "active" }, { s: "held" }], [{ s: "active" }]));
  t.true(matches("call ended: emergency call", { $contains: "emergency" }));
  t.true(matches("+CEER: 26", { $regex: "^\\+CEER: 2[0-9]$" }));
  t.false(matches(26, { $contains: "26" }));
  t.true(matches({}, { gone: null }));
  t.false(matches({ gone: 1 }, { gone: null }));
});

test("a run fails at the first expectation that does not hold, saying what was seen instead", async (t) => {
  const s = parseScenario(
    scenario([
      { when: { by: "alice", do: "call", to: "number" }, then: { device: "watch", lineState: "ringingHere" } },
      { when: { by: "car", do: "answer" }, then: [{ line: "busy(car)" }, { device: "watch", event: "callEnded", with: { end: { reason: "missed" } }, within: 500 }] },
      { then: { line: "idle" } },
    ]),
  );
  const lines: string[] = [];
  const r = await runScenario(s, { factory: firmwareAgent, print: (l) => lines.push(l) });
  t.false(r.ok);
  t.is(r.failure!.path, "steps[1].then[1]");
  t.regex(r.failure!.why, /^not within 500 ms; saw 1 callEnded events: .*"reason":"answeredElsewher/);
  t.true(lines.some((l) => l.indexOf("then ok line of number is busy(car)") >= 0));
  t.regex(lines[lines.length - 1], /^ {2}FAILED at steps\[1\]\.then\[1\]/);
  t.false(lines.some((l) => l.indexOf("step 3") >= 0), "nothing runs after the failure");
});

test("a `not` expectation fails as soon as the thing happens; an impossible action fails with the network's reason", async (t) => {
  const r1 = await runScenario(parseScenario(scenario([{ when: { by: "alice", do: "call", to: "number" }, then: { device: "car", at: "+CRING", not: true } }])), { factory: firmwareAgent });
  t.false(r1.ok);
  t.is(r1.failure!.path, "steps[0].then[0]");
  t.regex(r1.failure!.why, /^it happened at \+0\.000s: .*\+CRING: VOICE/);
  const r2 = await runScenario(parseScenario(scenario([{ when: { by: "phone", do: "answer" } }])), { factory: firmwareAgent });
  t.false(r2.ok);
  t.is(r2.failure!.path, "steps[0].when[0]");
  t.regex(r2.failure!.why, /has no incoming\/waiting call/);
});

test("count: exactly that many by the deadline, looked at over the whole window", async (t) => {
  const steps = (n: number) => [{ when: { by: "alice", do: "call", to: "number" }, then: { log: { kind: "call-offered" }, count: n, within: 300 } }];
  t.true((await runScenario(parseScenario(scenario(steps(1))), { factory: firmwareAgent })).ok);
  const r = await runScenario(parseScenario(scenario(steps(2))), { factory: firmwareAgent });
  t.false(r.ok);
  t.regex(r.failure!.why, /^not within 300 ms; saw 1 matching;/);
});
