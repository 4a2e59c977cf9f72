/**
 * Fuzzing the console / control-socket command lines (issue 15): random lines made of the
 * real verbs and random words (numbers, dial strings, MMI codes, control characters,
 * escape sequences, astral characters, huge numbers), and pure random text, run through
 * `runCommand` on the real firmware over the simulated modem. Every line must answer a
 * reply (`ok` true, or a reason and a sentence), never throw or reject, and the firmware
 * must still answer `status` afterwards.
 */
import test from "ava";
import fc from "fast-check";
import { simRig } from "../support/sim-rig.js";
import { COMMANDS, runCommand } from "../../firmware/commands.js";
import type { AnyReply } from "../../firmware/api.js";

const VERBS = COMMANDS.map((c) => c.verb);
const wordArb = fc.oneof(
  fc.constantFrom("send", "set", "query", "call", "ringing", "active", "ended", "incoming", "ready", "hold", "release", "on", "off", "all", "+819012345678", "110", "*#21#", "**21*+819012345678#", "ATH", "0", "-1", "1e9", "99999999999", "1;ATD110", "\u001b[2J", "\u0007", "😀", "\r", "\n"),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 1000000 }).map(String),
);
const lineArb = fc.oneof(
  { arbitrary: fc.tuple(fc.constantFrom(...VERBS), fc.array(wordArb, { maxLength: 4 })).map(([v, ws]) => [v].concat(ws).join(" ")), weight: 8 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 1 },
);

test("fuzz: every console line answers a reply, never throws; the firmware answers status afterwards", async (t) => {
  const r = await simRig({ api: { readyWaitMs: 5000, waitMs: 5000 } });
  const api = r.fw.api;
  let cases = 0;
  const reasons: { [k: string]: number } = {};
  await fc.assert(
    fc.asyncProperty(lineArb, async (line) => {
      cases++;
      let reply: AnyReply | undefined;
      let thrown: unknown;
      try {
        runCommand(api, line).then(
          (x) => (reply = x),
          (e: unknown) => (thrown = e),
        );
      } catch (e) {
        thrown = e;
      }
      for (let i = 0; i < 40 && reply === undefined && thrown === undefined; i++) await r.run(5000);
      if (thrown !== undefined) throw new Error(JSON.stringify(line) + " threw " + String(thrown));
      if (!reply) throw new Error(JSON.stringify(line) + " never answered");
      if (typeof reply.ok !== "boolean") throw new Error(JSON.stringify(line) + " answered " + JSON.stringify(reply));
      if (!reply.ok && (typeof reply.reason !== "string" || typeof reply.message !== "string" || reply.message === "")) throw new Error(JSON.stringify(line) + " failed without a reason and a sentence: " + JSON.stringify(reply));
      const k = reply.ok ? "ok" : reply.reason;
      reasons[k] = (reasons[k] || 0) + 1;
      // Whatever the line started (a call, a dial), end it so the next line starts clean.
      if (api.snapshot().calls.length > 0) {
        void api.hangup();
        await r.run(3000);
      }
    }),
    { numRuns: 300, seed: 1503 },
  );
  const st = await r.act(api.status());
  t.log("ran " + cases + " random console lines (real verbs with random words, random text, random bytes); replies by reason " + JSON.stringify(reasons) + "; fast-check seed 1503");
  t.true(st.ok);
  t.true(Object.keys(reasons).length >= 3);
});
