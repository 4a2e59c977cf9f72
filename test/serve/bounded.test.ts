/**
 * The simulator stays small (issue 10 §4): the network's event log keeps a bounded
 * number of entries by default, and GET /log and GET /phone answer one page at a time
 * and say what a reader missed.
 */
import test from "ava";
import { NetworkLog } from "../../sim/network/log.js";
import { DEFAULT_PARAMS } from "../../sim/network/params.js";
import { ALICE, served } from "./helpers.js";

test("the event log is bounded by default and keeps the newest entries", (t) => {
  t.is(DEFAULT_PARAMS.logCapacity, 10000);
  let now = 0;
  const log = new NetworkLog(() => now++, 100);
  for (let i = 0; i < 1000; i++) log.add({ kind: "register", number: "+819012345678", detail: {} });
  t.is(log.entries.length, 100);
  t.is(log.firstSeq, 901);
  t.is(log.lastSeq, 1000);
  t.is(log.entries[0].seq, 901);
  t.is(log.since(990).length, 10);
});

test("a log page: entries after `since`, at most `limit`, `next` for the following page, `dropped` for what the capacity lost", (t) => {
  const log = new NetworkLog(() => 0, 50);
  for (let i = 0; i < 120; i++) log.add({ kind: i % 2 ? "register" : "unregister", number: "+819012345678", detail: {} });
  const p1 = log.page(0, 20);
  t.is(p1.dropped, 70, "entries 1..70 are gone");
  t.deepEqual([p1.entries[0].seq, p1.entries.length, p1.next], [71, 20, 90]);
  const p2 = log.page(p1.next!, 20, (e) => e.kind === "register");
  t.true(p2.entries.every((e) => e.kind === "register" && e.seq > 90));
  t.is(p2.entries.length, 15);
  t.is(p2.next, undefined);
  t.is(log.page(110, 20).dropped, 0);
});

test("GET /log pages: limit, next and dropped; a bad limit is a 400", async (t) => {
  const s = await served(t, { params: { logCapacity: 30 } });
  for (let i = 0; i < 20; i++) {
    t.is((await s.api("POST", "/outside/" + ALICE + "/sms", { to: "+819012345678", text: "hello " + i })).status, 201);
  }
  const all = await s.api("GET", "/log?limit=10");
  t.is(all.status, 200);
  t.is(all.body.entries.length, 10);
  t.true(all.body.lastSeq > 30);
  t.is(all.body.firstSeq, all.body.lastSeq - 29);
  t.is(all.body.dropped, all.body.firstSeq - 1);
  t.is(all.body.next, all.body.entries[9].seq);
  const next = await s.api("GET", "/log?limit=10&since=" + all.body.next);
  t.is(next.body.entries[0].seq, all.body.next + 1);
  t.is(next.body.dropped, 0);
  const last = await s.api("GET", "/log?since=" + (all.body.lastSeq - 3));
  t.is(last.body.entries.length, 3);
  t.is(last.body.next, null);
  const bad = await s.api("GET", "/log?limit=100001");
  t.is(bad.status, 400);
  t.regex(bad.body.error, /^query\.limit: expected a count from 1 to 10000/);
});

test("GET /phone shows the newest entries of each list with totals; /phone/lists/<list> pages one list", async (t) => {
  const s = await served(t);
  for (let i = 0; i < 7; i++) t.is((await s.api("POST", "/outside/" + ALICE + "/sms", { to: "+819012345678", text: "m" + i })).status, 201);
  await s.api("POST", "/time", { advanceMs: 5000 });
  const full = await s.api("GET", "/phone");
  t.is(full.body.totals.inbox, 7);
  const small = await s.api("GET", "/phone?limit=3");
  t.deepEqual(
    small.body.inbox.map((m: { text: string }) => m.text),
    ["m4", "m5", "m6"],
  );
  t.is(small.body.totals.inbox, 7);
  const p1 = await s.api("GET", "/phone/lists/inbox?limit=5");
  t.deepEqual([p1.body.total, p1.body.offset, p1.body.items.length, p1.body.next], [7, 0, 5, 5]);
  const p2 = await s.api("GET", "/phone/lists/inbox?offset=5&limit=5");
  t.deepEqual(
    p2.body.items.map((m: { text: string }) => m.text),
    ["m5", "m6"],
  );
  t.is(p2.body.next, null);
  const nope = await s.api("GET", "/phone/lists/contacts");
  t.is(nope.status, 404);
  t.regex(nope.body.error, /no list "contacts" \(lists: callLog, inbox, statusReports, ussd\)/);
});
