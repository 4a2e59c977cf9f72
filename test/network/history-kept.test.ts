/**
 * The simulator's histories keep the newest `historyKept` entries (params.ts, bounded.ts):
 * a network run for days (the soak) must not grow with every message. Each history holds
 * between `historyKept` and twice that; the newest entries always stay.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { SharedNetwork } from "../../sim/network/index.js";
import { HISTORY_KEPT } from "../../sim/network/bounded.js";
import { DEFAULT_PARAMS, networkParams } from "../../sim/network/params.js";

const MSISDN = "+819012345678";
const CALLER = "+818011112222";

function world(historyKept: number) {
  const clock = new VirtualClock();
  const net = new SharedNetwork({ clock, params: { historyKept, statusReportDelayMs: 10 } });
  const num = net.createNumber(MSISDN);
  const party = net.outside(CALLER);
  return { clock, net, num, party };
}

test("historyKept: default HISTORY_KEPT; a count below 1, a fraction or NaN is refused with its name and range", (t) => {
  t.is(DEFAULT_PARAMS.historyKept, HISTORY_KEPT);
  t.is(networkParams({ historyKept: Infinity }).historyKept, Infinity);
  for (const bad of [0, -1, 2.5, NaN, "10" as unknown as number]) {
    t.throws(() => networkParams({ historyKept: bad }), { message: /historyKept.*whole count >= 1/ }, JSON.stringify(bad));
  }
});

test("historyKept 3: the smartphone's sent and received messages, its status reports and a party's messages and reports keep the newest", async (t) => {
  const w = world(3);
  for (let i = 0; i < 20; i++) {
    w.num.phone.sendSms(CALLER, "out " + i, { statusReport: true });
    w.party.sendSms(MSISDN, "in " + i, { statusReport: true });
    await w.clock.advance(5000);
  }
  const within = (n: number) => n >= 3 && n < 6;
  t.true(within(w.num.phone.sent.length), "sent: " + w.num.phone.sent.length);
  t.is(w.num.phone.sent[w.num.phone.sent.length - 1].text, "out 19");
  t.true(within(w.num.phone.received.length), "received: " + w.num.phone.received.length);
  t.is(w.num.phone.received[w.num.phone.received.length - 1].text, "in 19");
  t.true(within(w.num.phone.statusReports.length), "phone status reports: " + w.num.phone.statusReports.length);
  t.true(within(w.party.statusReports.length), "party status reports: " + w.party.statusReports.length);
  const got = w.party.messages();
  t.true(within(got.length), "party messages: " + got.length);
  t.is(got[got.length - 1].text, "out 19");
});

test("historyKept Infinity keeps every entry (a test that reads a whole history)", async (t) => {
  const w = world(Infinity);
  for (let i = 0; i < 30; i++) w.num.phone.sendSms(CALLER, "out " + i);
  await w.clock.advance(5000);
  t.is(w.num.phone.sent.length, 30);
  t.is(w.party.messages().length, 30);
});
