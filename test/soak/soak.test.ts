/**
 * The soak (tools/soak, `npm run soak`) in short: the real firmware on a few simulated
 * accessories for a few virtual hours under the seeded workload and faults. It must end
 * with zero invariant failures, and every invariant must have been checked (a soak that
 * checks nothing proves nothing); a violation injected on purpose must be caught.
 */
import test from "ava";
import { completedMessages, formatReport, runSoak } from "../../tools/soak/soak.js";
import { INVARIANTS } from "../../tools/soak/invariants.js";

test("soak: 6 accessories over 3 numbers, 3 virtual hours, seed 7: no invariant fails and each was checked", async (t) => {
  const r = await runSoak({ seed: 7, hours: 3, numbers: 3, accessories: 6, meanGapMs: 3 * 60000 });
  t.log(formatReport(r).split("\n").slice(0, 3).join(" | "));
  t.deepEqual(r.failures, [], formatReport(r));
  for (const k of INVARIANTS) t.true(r.checks[k] > 0, k + " was never checked");
  t.true(Object.keys(r.events).length >= 6, "several kinds of events: " + JSON.stringify(r.events));
  t.true(Object.keys(r.faults).length >= 4, "several kinds of faults: " + JSON.stringify(r.faults));
  t.true(r.emergency.placed > 0 && r.sms.inSent > 0 && r.sms.outAccepted > 0);
});

test("soak: the same seed gives the same workload", async (t) => {
  const a = await runSoak({ seed: 11, hours: 0.5, numbers: 2, accessories: 3 });
  const b = await runSoak({ seed: 11, hours: 0.5, numbers: 2, accessories: 3 });
  t.deepEqual(a.events, b.events);
  t.deepEqual(a.faults, b.faults);
  t.deepEqual(a.checks, b.checks);
});

test("soak: a call nobody ends is caught as a stuck call, with the seed and virtual time", async (t) => {
  let injected = false;
  const r = await runSoak({
    seed: 3,
    hours: 1,
    numbers: 1,
    accessories: 1,
    meanGapMs: 24 * 3600000, // no workload: only the injected violation
    onCheckpoint: ({ fleet }) => {
      if (injected) return;
      injected = true;
      // Behind the workload's back: a call answered on the accessory that nobody ever hangs up.
      const a = fleet.accessories[0];
      fleet.parties[0].call(a.num.msisdn);
      fleet.clock.setTimeout(() => void a.fw.api.answer(), 2000);
    },
  });
  const stuck = r.failures.filter((f) => f.invariant === "callNotStuck");
  t.is(stuck.length, 1, formatReport(r));
  t.is(stuck[0].seed, 3);
  t.true(stuck[0].atMs > 20 * 60000 && stuck[0].atMs < 60 * 60000, "found once the call outlived every plan: " + stuck[0].atMs);
  t.is(r.failureCounts.endsIdle, 0, "the drain hangs the party up: the end is idle");
});

test("soak: a firmware that does not hear its modem's call disagrees with the network's line, and that is caught", async (t) => {
  let injected = false;
  const r = await runSoak({
    seed: 5,
    hours: 0.5,
    numbers: 1,
    accessories: 1,
    meanGapMs: 24 * 3600000,
    onCheckpoint: ({ fleet }) => {
      if (injected) return;
      injected = true;
      // Behind the soak's back the modem stops talking to the firmware (the soak does not
      // count it as a fault); a call then alerts on this device while the firmware says idle.
      const a = fleet.accessories[0];
      a.num.changeSettings(undefined, { noReplyMs: 120000 }, "R58");
      a.modem.disconnect();
      fleet.parties[0].call(a.num.msisdn);
    },
  });
  const line = r.failures.filter((f) => f.invariant === "lineAgrees");
  t.true(line.length >= 1, formatReport(r));
  t.regex(line[0].detail, /firmware says idle, network line alerting\(.*A1.*\)/);
  t.is(line[0].subject, "n0a1");
});

test("completedMessages: a reused reference after a completed message is a new message; a repeated part of an open one counts once", (t) => {
  const c = (ref: number, seq: number) => ({ ref, total: 2, seq, bits: 8 as const });
  const parts = [
    { peer: "+81", text: "a1", concat: c(3, 1) },
    { peer: "+81", text: "a2", concat: c(3, 2) },
    { peer: "+81", text: "b1", concat: c(3, 1) },
    { peer: "+81", text: "b1", concat: c(3, 1) },
    { peer: "+81", text: "b2", concat: c(3, 2) },
    { peer: "+81", text: "single" },
  ];
  t.deepEqual(completedMessages(parts), ["a1a2", "b1b2", "single"]);
});

test("soak: a data session the network never grants again is caught by dataRecovers once every fault has long cleared", async (t) => {
  let injected = false;
  const r = await runSoak({
    seed: 9,
    hours: 1,
    numbers: 1,
    accessories: 1,
    meanGapMs: 24 * 3600000,
    onCheckpoint: ({ fleet }) => {
      const a = fleet.accessories[0];
      if (injected || !a.attached || !a.attached.companion || a.attached.companion.data.status().name !== "up") return;
      injected = true;
      // Behind the soak's back the network ends the session and refuses every new one (ESM #34).
      a.port.activatePdn = () => ({ ok: false, esmCause: 34 });
      a.port.deactivateData(undefined, "test");
    },
  });
  t.true(injected, "the link came up first");
  const data = r.failures.filter((f) => f.invariant === "dataRecovers");
  t.true(data.length >= 1, formatReport(r));
  t.regex(data[0].detail, /data session (?!up)/);
  t.is(data[0].subject, "n0a1");
});

test("soak: a device that ignores its MQTT commands while online is caught by mqttCommandAcked", async (t) => {
  let injected = false;
  const r = await runSoak({
    seed: 4,
    hours: 2,
    numbers: 1,
    accessories: 1,
    meanGapMs: 60000,
    faultShare: 0,
    onCheckpoint: ({ fleet }) => {
      const a = fleet.accessories[0];
      if (injected || !a.attached || !a.attached.companion) return;
      injected = true;
      // The link drops every command it is handed (no ack, nothing run).
      (a.attached.companion.link as unknown as { onCommand: () => Promise<void> }).onCommand = () => Promise.resolve();
    },
  });
  const missed = r.failures.filter((f) => f.invariant === "mqttCommandAcked");
  t.true(r.mqtt.commands.sent > 0, "commands were sent: " + JSON.stringify(r.mqtt));
  t.true(missed.length >= 1, formatReport(r));
  t.regex(missed[0].detail, /never acknowledged/);
});
