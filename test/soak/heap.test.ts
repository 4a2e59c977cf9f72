/**
 * The soak's heap check (tools/soak/heap.ts) and the snapshot counter that finds what
 * grows (tools/soak/snapshot.ts): the slope is judged on the last half of a run only, is
 * robust to a few odd samples, and a heap that keeps growing per device fails the soak's
 * memoryBounded invariant with the figures that say so.
 */
import test from "ava";
import { writeHeapSnapshot } from "node:v8";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { heapSlope, theilSen } from "../../tools/soak/heap.js";
import { countByKind, growth } from "../../tools/soak/snapshot.js";
import { formatReport, runSoak } from "../../tools/soak/soak.js";

test("theilSen: the median pairwise slope; one wild sample does not move it, it would move least squares", (t) => {
  const pts = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((x) => ({ x, y: 100 + 3 * x }));
  t.is(theilSen(pts), 3);
  pts[8].y = 1e6;
  t.is(theilSen(pts), 3);
  t.true(Number.isNaN(theilSen([{ x: 1, y: 1 }])));
  t.true(Number.isNaN(theilSen([{ x: 1, y: 1 }, { x: 1, y: 5 }])));
});

test("heapSlope: only the last half counts (the fill-up is not a leak); not judged without a full GC or with too few samples", (t) => {
  // Fills for 24 h at 10 KiB per hour, then flat: a bounded store, not a leak.
  const fill = Array.from({ length: 49 }, (_, h) => ({ hours: h, bytesPerDevice: 300000 + Math.min(h, 24) * 10240 }));
  const ok = heapSlope(fill, 48, true, 2048);
  t.true(ok.checked);
  t.is(ok.bytesPerDeviceHour, 0);
  t.deepEqual([ok.fromHours, ok.toHours, ok.samples], [24, 48, 25]);
  const leak = heapSlope(fill.map((s) => ({ hours: s.hours, bytesPerDevice: 300000 + s.hours * 3000 })), 48, true, 2048);
  t.is(leak.bytesPerDeviceHour, 3000);
  t.false(heapSlope(fill, 48, false, 2048).checked);
  t.regex(heapSlope(fill, 48, false, 2048).why || "", /--expose-gc/);
  const short = heapSlope(fill.slice(0, 7), 6, true, 2048);
  t.false(short.checked);
  t.regex(short.why || "", /holds 4 hourly samples, fewer than 12/);
});

test("soak: a heap that grows per device through the last half fails memoryBounded; a flat one passes", async (t) => {
  const run = async (perHour: number) => {
    let samples = 0;
    return runSoak({
      seed: 4,
      hours: 2,
      numbers: 1,
      accessories: 1,
      meanGapMs: 24 * 3600000,
      heapMinSamples: 2,
      // Samples after bring-up and every virtual hour (then one after the drain, not judged).
      measureHeap: () => ({ bytes: 4000000 + perHour * samples++, afterGc: true }),
    });
  };
  const leak = await run(10000);
  const failed = leak.failures.filter((f) => f.invariant === "memoryBounded");
  t.is(failed.length, 1, formatReport(leak));
  t.is(failed[0].subject, "heap per device");
  t.regex(failed[0].detail, /grew 10000 B per device per virtual hour from \+1 h to \+2 h .*bound 2048/);
  t.is(leak.memory.slope.bytesPerDeviceHour, 10000);
  t.deepEqual(
    leak.memory.hourly.map((s) => s.bytesPerDevice),
    [4000000, 4010000, 4020000],
  );
  const flat = await run(0);
  t.deepEqual(flat.failures, [], formatReport(flat));
  t.true(flat.memory.slope.checked);
  t.is(flat.memory.slope.bytesPerDeviceHour, 0);
  t.regex(formatReport(flat), /memory growth over the last half \(\+1 h to \+2 h\): 0 B per device per virtual hour/);
});

class SnapshotProbe {
  constructor(readonly n: number) {}
}

test("snapshot counter: a real V8 snapshot counts every instance of a class by its constructor, and growth ranks it", (t) => {
  const held: SnapshotProbe[] = [];
  const snap = () => {
    const file = writeHeapSnapshot(join(tmpdir(), "heap-test-" + process.pid + "-" + held.length + ".heapsnapshot"));
    try {
      return countByKind(readFileSync(file, "utf8"));
    } finally {
      rmSync(file, { force: true });
    }
  };
  for (let i = 0; i < 100; i++) held.push(new SnapshotProbe(i));
  const a = snap();
  for (let i = 0; i < 5000; i++) held.push(new SnapshotProbe(i));
  const b = snap();
  t.is(a.get("SnapshotProbe")?.count, 100);
  t.is(b.get("SnapshotProbe")?.count, 5100);
  const g = growth(a, b, 100).find((d) => d.kind === "SnapshotProbe");
  t.truthy(g);
  t.true(g!.after.bytes - g!.before.bytes >= 5000 * 16, "each instance has a header and a field");
  t.is(held.length, 5100);
});
