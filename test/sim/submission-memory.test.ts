/**
 * The service centre's memory of submissions (sim/pdu/duplicates.ts; 23.040 §9.2.3.25
 * TP-RD): a repeat with TP-RD set inside the window is a duplicate; past the window it is
 * a new message, and the record is forgotten, so a network run for days holds one day of
 * submissions, not every one since it started.
 */
import test from "ava";
import { SubmissionMemory } from "../../sim/pdu/duplicates.js";

const HOUR = 3600000;

test("TP-RD: a repeat (same originator, TP-DA, TP-MR) is a duplicate within the window, new after it; TP-RD 0 always accepted", (t) => {
  const m = new SubmissionMemory(24 * HOUR);
  t.false(m.isDuplicate("+819012345678", "+818011112222", 7, true, 0));
  t.true(m.isDuplicate("+819012345678", "+818011112222", 7, true, 23 * HOUR));
  t.false(m.isDuplicate("+819012345678", "+818011112222", 8, true, 23 * HOUR), "another TP-MR");
  t.false(m.isDuplicate("+819012345678", "+818033334444", 7, true, 23 * HOUR), "another TP-DA");
  t.false(m.isDuplicate("+819012345678", "+818011112222", 7, false, 23 * HOUR), "TP-RD 0 is accepted, and held anew");
  t.true(m.isDuplicate("+819012345678", "+818011112222", 7, true, 46 * HOUR), "held from the TP-RD 0 copy at 23 h");
  t.false(m.isDuplicate("+819012345678", "+818011112222", 7, true, 71 * HOUR), "the window has passed");
});

test("submissions past the window are forgotten: days of traffic hold one window of records", (t) => {
  const m = new SubmissionMemory(24 * HOUR);
  // A submission every minute to one of 50 peers with a rolling TP-MR, for 5 days.
  let n = 0;
  let most = 0;
  for (let at = 0; at < 5 * 24 * HOUR; at += 60000, n++) {
    m.isDuplicate("+819012345678", "+8131" + String(20000000 + (n % 50)), n & 0xff, false, at);
    most = Math.max(most, m.size);
  }
  t.is(n, 7200);
  t.true(most <= 24 * 60, "at most one day of submissions held: " + most);
  // 50 peers x 256 TP-MR = 12,800 distinct keys; a day is 1,440 submissions.
  t.is(m.size, 24 * 60);
  t.false(m.isDuplicate("+819012345678", "+813120000000", 0, true, 6 * 24 * HOUR), "a key last used 2 days ago is long forgotten");
  t.is(m.size, 1, "every older record went");
});
