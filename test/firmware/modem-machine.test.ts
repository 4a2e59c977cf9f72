import test from "ava";
import { initialModemState, modemStep, type ModemPolicy, type ModemState } from "../../firmware/modem/machine.js";

const policy: ModemPolicy = {
  retryMs: 1000,
  maxBackoffMs: 8000,
  resetAfter: 3,
  hardwareReset: "reset",
  bootTimeMs: 5000,
  simLockedRetryMs: 60000,
  healthCheckMs: 0,
};

function types(effects: { type: string }[]): string[] {
  return effects.map((e) => e.type);
}

test("start runs bring-up; success goes to ready and reads the status once", (t) => {
  const a = modemStep(initialModemState, { type: "start" }, policy);
  t.is(a.state.name, "bringingUp");
  t.deepEqual(types(a.effects), ["runBringUp"]);
  const b = modemStep(a.state, { type: "bringUpDone" }, policy);
  t.is(b.state.name, "ready");
  t.deepEqual(types(b.effects), ["queryStatus"]);
});

test("failures back off with doubling delays, then escalate to a hardware reset", (t) => {
  let s: ModemState = modemStep(initialModemState, { type: "start" }, policy).state;
  const delays: number[] = [];
  for (let i = 0; i < 2; i++) {
    const r = modemStep(s, { type: "bringUpFailed", reason: "timeout", simLocked: false }, policy);
    t.is(r.state.name, "backoff");
    const timer = r.effects.find((e) => e.type === "startTimer") as { ms: number };
    delays.push(timer.ms);
    s = modemStep(r.state, { type: "timer", name: "retry" }, policy).state;
    t.is(s.name, "bringingUp");
  }
  t.deepEqual(delays, [1000, 2000]);
  const third = modemStep(s, { type: "bringUpFailed", reason: "timeout", simLocked: false }, policy);
  t.is(third.state.name, "resetting");
  t.deepEqual(types(third.effects), ["log", "cancelTimers", "abortCommands", "resetModem", "startTimer"]);
  t.deepEqual(third.effects[3], { type: "resetModem", how: "reset" });
  const after = modemStep(third.state, { type: "timer", name: "resetDone" }, policy);
  t.is(after.state.name, "bringingUp");
});

test("the back-off never exceeds its maximum and never gives up", (t) => {
  const noReset = Object.assign({}, policy, { hardwareReset: "none" as const });
  let s: ModemState = modemStep(initialModemState, { type: "start" }, noReset).state;
  let last = 0;
  for (let i = 0; i < 20; i++) {
    const r = modemStep(s, { type: "bringUpFailed", reason: "x", simLocked: false }, noReset);
    last = (r.effects.find((e) => e.type === "startTimer") as { ms: number }).ms;
    s = modemStep(r.state, { type: "timer", name: "retry" }, noReset).state;
  }
  t.is(last, 8000);
  t.is(s.name, "bringingUp");
});

test("a reboot banner while ready runs bring-up again at once", (t) => {
  const ready: ModemState = { name: "ready", failures: 0, resets: 0, reboots: 0, lastError: "" };
  const r = modemStep(ready, { type: "rebooted", banner: "RDY" }, policy);
  t.is(r.state.name, "bringingUp");
  t.true(types(r.effects).includes("runBringUp"));
});

test("a hang while ready resets the module at once; lost URC verbosity counts as a failure", (t) => {
  const ready: ModemState = { name: "ready", failures: 0, resets: 0, reboots: 0, lastError: "" };
  // A hang (no answer to the probe) goes to the hardware reset at once; without one, retries.
  t.is(modemStep(ready, { type: "hung" }, policy).state.name, "resetting");
  t.is(modemStep(ready, { type: "hung" }, { ...policy, hardwareReset: "none" }).state.name, "backoff");
  t.is(modemStep(ready, { type: "verbosityLost" }, policy).state.name, "backoff");
});

test("a SIM that needs a PIN waits in simLocked and retries slowly", (t) => {
  const s = modemStep(initialModemState, { type: "start" }, policy).state;
  const r = modemStep(s, { type: "bringUpFailed", reason: "SIM PIN", simLocked: true }, policy);
  t.is(r.state.name, "simLocked");
  t.deepEqual(r.effects, [{ type: "startTimer", name: "retry", ms: 60000 }], "the state carries the reason: no log line besides");
});

test("no usable SIM (not inserted, failed) waits in noSim, retried as slowly; no PIN leaves it", (t) => {
  const s = modemStep(initialModemState, { type: "start" }, policy).state;
  const r = modemStep(s, { type: "bringUpFailed", reason: "AT+CPIN?: SIM not inserted", simLocked: true, noSim: true }, policy);
  t.is(r.state.name, "noSim");
  t.is(r.state.lastError, "AT+CPIN?: SIM not inserted");
  t.is(modemStep(r.state, { type: "simUnlocked" }, policy).state, r.state);
  t.is(modemStep(r.state, { type: "timer", name: "retry" }, policy).state.name, "bringingUp");
});

test("events that mean nothing in a state change nothing", (t) => {
  const r = modemStep(initialModemState, { type: "bringUpDone" }, policy);
  t.is(r.state, initialModemState);
  t.deepEqual(r.effects, []);
});

test("a module that reboots again during bring-up is failing: it backs off instead of looping", (t) => {
  let s: ModemState = modemStep(initialModemState, { type: "start" }, policy).state;
  s = modemStep(s, { type: "rebooted", banner: "RDY" }, policy).state;
  t.is(s.name, "bringingUp", "the first banner is the module coming up");
  const again = modemStep(s, { type: "rebooted", banner: "RDY" }, policy);
  t.is(again.state.name, "backoff");
  t.is(again.state.failures, 1);
  const ok = modemStep(modemStep(again.state, { type: "timer", name: "retry" }, policy).state, { type: "bringUpDone" }, policy);
  t.is(ok.state.reboots, 0);
});

test("the first banner of a bring-up is the module starting, not a reboot: no error on the state, no 'rebooted' line", (t) => {
  const s = modemStep(initialModemState, { type: "start" }, policy).state;
  const r = modemStep(s, { type: "rebooted", banner: "RDY" }, policy);
  t.is(r.state.name, "bringingUp");
  t.is(r.state.lastError, "");
  t.deepEqual(r.effects[0], { type: "log", message: "modem: started (RDY)" });
  const ready = modemStep(modemStep(r.state, { type: "bringUpDone" }, policy).state, { type: "rebooted", banner: "RDY" }, policy);
  t.deepEqual(ready.effects[0], { type: "log", message: "modem: rebooted (RDY), bringing it up again" }, "a banner once ready is a reboot");
});
