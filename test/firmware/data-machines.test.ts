/**
 * The pure machines of the data side and the companion supervisor: every escalation
 * path without a modem (the tiers of issue 12 §2, companion-link.md §5.7).
 */
import test from "ava";
import { backoffCeiling, backoffDelay } from "../../firmware/data/backoff.js";
import { dataStep, initialDataState, type DataEvent, type DataPolicy, type DataState } from "../../firmware/data/session-machine.js";
import { initialSocketState, socketStep } from "../../firmware/data/socket-machine.js";
import { initialLinkState, linkStep, type LinkEvent, type LinkPolicy, type LinkState } from "../../firmware/companion/link-machine.js";

const policy: DataPolicy = { reactivate: { baseMs: 2000, capMs: 900000, minMs: 0 }, resetAfter: 3, resetGapMs: 600000, random: () => 0.999 };

function run(events: DataEvent[], now?: number): { state: DataState; effects: string[] } {
  let s = initialDataState;
  const effects: string[] = [];
  for (const e of events) {
    const r = dataStep(s, e, policy, now || 0);
    s = r.state;
    for (const f of r.effects) effects.push(f.type === "startTimer" ? "timer:" + f.ms : f.type);
  }
  return { state: s, effects };
}

const ready: DataEvent[] = [{ type: "enable" }, { type: "modem", ready: true }, { type: "registration", registered: true }];

test("back-off: full jitter under a doubling, capped ceiling", (t) => {
  const p = { baseMs: 2000, capMs: 300000, minMs: 0 };
  t.deepEqual([0, 1, 2, 3, 10].map((n) => backoffCeiling(p, n)), [2000, 4000, 8000, 16000, 300000]);
  t.is(backoffDelay(p, 3, () => 0), 0);
  t.is(backoffDelay(p, 3, () => 0.5), 8000);
  t.is(backoffDelay({ baseMs: 2000, capMs: 300000, minMs: 600000 }, 0, () => 0.1), 600000);
});

test("the session activates only with the modem ready and registered", (t) => {
  t.is(run([{ type: "enable" }]).state.name, "waiting");
  t.is(run([{ type: "enable" }, { type: "modem", ready: true }]).state.name, "waiting");
  const r = run(ready);
  t.is(r.state.name, "activating");
  t.true(r.effects.includes("activate"));
  t.is(run(ready.concat([{ type: "activated", address: "10.0.0.1" }])).state.name, "up");
});

test("tiers: losses back off with growing ceilings, every third failure resets the modem, resets stay 10 min apart", (t) => {
  const up: DataEvent[] = ready.concat([{ type: "activated", address: "10.0.0.1" }]);
  const one = run(up.concat([{ type: "lost", reason: "+QIURC: pdpdeact" }]));
  t.is(one.state.name, "recovering");
  t.true(one.effects.includes("down"));
  t.true(one.effects.includes("timer:1998"));
  const two = run(up.concat([{ type: "lost", reason: "x" }, { type: "timer" }, { type: "activationFailed", reason: "ERROR" }]));
  t.is(two.state.name, "recovering");
  t.true(two.effects.includes("timer:3996"));
  const three = run(up.concat([{ type: "lost", reason: "x" }, { type: "timer" }, { type: "activationFailed", reason: "e" }, { type: "timer" }, { type: "activationFailed", reason: "e" }]));
  t.is(three.state.name, "resetting");
  t.true(three.effects.includes("resetModem"));
  // Ready again after the reset: activate at once.
  let s = three.state;
  s = dataStep(s, { type: "modem", ready: true }, policy, 1000).state;
  t.is(s.name, "activating");
  // Three more failures within 10 minutes of that reset do not reset again.
  s = dataStep(s, { type: "activationFailed", reason: "e" }, policy, 2000).state;
  s = dataStep(dataStep(s, { type: "timer" }, policy, 3000).state, { type: "activationFailed", reason: "e" }, policy, 4000).state;
  s = dataStep(dataStep(s, { type: "timer" }, policy, 5000).state, { type: "activationFailed", reason: "e" }, policy, 6000).state;
  t.is(s.failures, 6);
  t.is(s.name, "recovering");
});

test("R15: unregistered stops data until the network reports a registration again", (t) => {
  const r = run(ready.concat([{ type: "activated", address: "10.0.0.1" }, { type: "unregistered", source: "companion link" }]));
  t.is(r.state.name, "barred");
  t.true(r.effects.includes("down"));
  t.true(r.effects.includes("deactivate"));
  // Still not registered, or the modem coming back, lifts nothing.
  let s = dataStep(r.state, { type: "registration", registered: false }, policy, 0).state;
  s = dataStep(s, { type: "modem", ready: true }, policy, 0).state;
  t.is(s.name, "barred");
  s = dataStep(s, { type: "registration", registered: true }, policy, 0).state;
  t.is(s.name, "activating");
});

test("socket: open, peer close drains first, faults close without draining, timeout", (t) => {
  let r = socketStep(initialSocketState, { type: "open" }, 150000);
  t.deepEqual(r.effects.map((e) => e.type), ["sendOpen", "startTimer"]);
  const opening = r.state;
  r = socketStep(opening, { type: "opened", error: 0 }, 150000);
  t.is(r.state.name, "open");
  const open = r.state;
  r = socketStep(open, { type: "peerClosed" }, 150000);
  t.deepEqual(r.effects[1], { type: "release", drainFirst: true });
  r = socketStep(open, { type: "fault", reason: "send failed" }, 150000);
  t.deepEqual(r.effects[1], { type: "release", drainFirst: false });
  t.true(r.state.error);
  r = socketStep(r.state, { type: "released" }, 150000);
  t.is(r.state.name, "closed");
  t.deepEqual(r.effects, [{ type: "ended", reason: "send failed", error: true }]);
  r = socketStep(opening, { type: "timer" }, 150000);
  t.regex(r.state.reason, /150 s/);
  r = socketStep(opening, { type: "opened", error: 566 }, 150000);
  t.is(r.state.name, "closing");
});

const linkPolicy: LinkPolicy = { reconnect: { baseMs: 2000, capMs: 300000, minMs: 0 }, escalateAfter: 3, refusedWaitMs: 3600000, random: () => 0.5 };

function link(events: LinkEvent[]): { state: LinkState; effects: string[] } {
  let s = initialLinkState;
  const effects: string[] = [];
  for (const e of events) {
    const r = linkStep(s, e, linkPolicy);
    s = r.state;
    for (const f of r.effects) effects.push(f.type === "startTimer" ? "timer:" + f.ms : f.type);
  }
  return { state: s, effects };
}

test("link: waits for data, reconnects with back-off, escalates to the data session every third failure", (t) => {
  t.is(link([{ type: "start" }]).state.name, "waitingData");
  const fail: LinkEvent = { type: "failed", reason: "ECONNREFUSED", refused: undefined };
  const r = link([{ type: "data", up: true }, { type: "start" }, fail, { type: "timer" }, fail, { type: "timer" }, fail]);
  t.is(r.state.name, "backoff");
  t.deepEqual(r.effects.filter((e) => e.indexOf("timer") === 0), ["timer:1000", "timer:2000", "timer:4000"]);
  t.is(r.effects.filter((e) => e === "escalate").length, 1);
  // Data down drops the session at once, and no reconnect happens until data is back.
  const d = link([{ type: "data", up: true }, { type: "start" }, { type: "connected" }, { type: "data", up: false }]);
  t.is(d.state.name, "waitingData");
  t.true(d.effects.includes("drop"));
});

test("R18: a refused CONNACK (rc 5) waits an hour and checks the registration", (t) => {
  const r = link([{ type: "data", up: true }, { type: "start" }, { type: "failed", reason: "not authorised", refused: 5 }]);
  t.is(r.state.name, "refused");
  t.true(r.effects.includes("checkRegistration"));
  t.true(r.effects.includes("timer:3600000"));
});
