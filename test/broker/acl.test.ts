/**
 * The topic rules both brokers enforce (companion-link.md §5.3), as pure functions.
 */
import test from "ava";
import { canPublish, canRead, canSubscribe, filterCovers, topicMatches, willAllowed, Principal } from "../../sim/broker/acl.js";

const A: Principal = { role: "device", device: "dev1", msisdn: "+819012345678" };
const BE: Principal = { role: "backend", name: "be" };
const n = "sl/v1/819012345678";

test("a device subscribes only to filters whose every topic it may read", (t) => {
  for (const f of [n + "/line", n + "/dev/+/status", n + "/dev/+/state", n + "/dev/dev1/desired", n + "/dev/dev1/cmd", n + "/dev/other/state"]) t.true(canSubscribe(A, f), f);
  for (const f of ["#", "+", "sl/v1/#", n + "/#", n + "/dev/+/+", n + "/dev/other/cmd", n + "/dev/dev1/ack", "sl/v1/+/line", "$SYS/#", n + "/dev/+/#"]) t.false(canSubscribe(A, f), f);
  t.true(canSubscribe(BE, n + "/#"));
  t.true(canSubscribe(BE, "sl/v1/+/dev/+/ack"));
  t.false(canSubscribe(BE, "#"));
  t.false(canSubscribe(BE, "$SYS/#"));
});

test("reads, writes and wills follow the access matrix", (t) => {
  t.true(canRead(A, n + "/dev/other/status"));
  t.false(canRead(A, n + "/dev/other/desired"));
  t.false(canRead(A, "sl/v1/819087654321/line"));
  t.true(canPublish(A, n + "/dev/dev1/ack"));
  t.false(canPublish(A, n + "/dev/dev1/cmd"));
  t.false(canPublish(A, n + "/line"));
  t.false(canPublish(A, n + "/dev/dev1/+"));
  t.false(canPublish(BE, "$SYS/x"));
  t.true(willAllowed(A, n + "/dev/dev1/status"));
  t.false(willAllowed(A, n + "/dev/other/status"));
});

test("MQTT matching and coverage: # and + by level, $ topics apart", (t) => {
  t.true(topicMatches("a/+/c", "a/b/c"));
  t.true(topicMatches("a/#", "a"));
  t.false(topicMatches("#", "$SYS/x"));
  t.true(filterCovers("a/#", "a/+/c"));
  t.true(filterCovers("a/+/c", "a/+/c"));
  t.false(filterCovers("a/+/c", "a/#"));
  t.false(filterCovers("a/b", "a/b/c"));
});
