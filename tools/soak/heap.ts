/**
 * The soak's heap check ("memoryBounded"): does the heap per device keep growing once the
 * run is past its fill-up? The bound is on a slope, not on a size, because the size per
 * device depends on the machine's V8, the board mix and how full the bounded stores are;
 * a leak is what grows with time.
 *
 * Why this criterion and not another (GC is not reproducible even though the seed is):
 * - Samples are `heapUsed` after a forced full GC (node --expose-gc), one per virtual hour.
 *   Without --expose-gc the heap includes garbage and the check is not made (the report
 *   says so).
 * - Only the last half of the workload counts. Everything the soak keeps is bounded, but
 *   bounded stores fill first: the firmware's inbox, history and call log, the SMS
 *   ledger's 12-hour horizon, the simulator's histories and its event log. Those fill in
 *   the first hours, a leak grows all along.
 * - The slope is Theil–Sen's (the median of the slopes between every pair of samples),
 *   not least squares: a sample taken just before a history is trimmed in a batch, or one
 *   where V8 kept compiled code or a young-generation leftover, moves a mean but not a
 *   median. It is robust to up to ~29% of samples being off.
 * - The run must be long enough for the last half to hold `minSamples` hourly samples;
 *   a shorter run is not judged on its heap (the API-visible state per device still is).
 */

export interface HeapSample {
  /** Virtual hours since the workload started. */
  hours: number;
  /** Heap used after a full GC, divided by the number of devices. */
  bytesPerDevice: number;
}

export interface HeapSlope {
  /** Whether the check was made (enough samples after a full GC). */
  checked: boolean;
  /** Why it was not made, when it was not. */
  why?: string;
  /** The samples judged: from / to virtual hour, how many. */
  fromHours: number;
  toHours: number;
  samples: number;
  /** Theil–Sen slope, bytes per device per virtual hour (NaN when not checked). */
  bytesPerDeviceHour: number;
  /** The bound it is held to (bytes per device per virtual hour). */
  boundBytesPerDeviceHour: number;
}

/** The median of the pairwise slopes (Theil–Sen) of y over x; NaN with fewer than two distinct x. */
export function theilSen(points: readonly { x: number; y: number }[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const dx = points[j].x - points[i].x;
      if (dx !== 0) slopes.push((points[j].y - points[i].y) / dx);
    }
  }
  if (slopes.length === 0) return NaN;
  slopes.sort((a, b) => a - b);
  const m = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[m] : (slopes[m - 1] + slopes[m]) / 2;
}

/**
 * Judges the samples of the last half of a workload of `hours` virtual hours: the slope of
 * the heap per device must stay within `boundBytesPerDeviceHour`.
 */
export function heapSlope(samples: readonly HeapSample[], hours: number, afterGc: boolean, boundBytesPerDeviceHour: number, minSamples = 12): HeapSlope {
  const from = hours / 2;
  const judged = samples.filter((s) => s.hours >= from && s.hours <= hours);
  const base = { fromHours: from, toHours: hours, samples: judged.length, boundBytesPerDeviceHour };
  if (!afterGc) return { ...base, checked: false, why: "node ran without --expose-gc: the heap includes garbage", bytesPerDeviceHour: NaN };
  if (judged.length < minSamples) return { ...base, checked: false, why: "the last half holds " + judged.length + " hourly samples, fewer than " + minSamples + " (run at least " + 2 * minSamples + " virtual hours)", bytesPerDeviceHour: NaN };
  const slope = theilSen(judged.map((s) => ({ x: s.hours, y: s.bytesPerDevice })));
  return { ...base, checked: true, bytesPerDeviceHour: Math.round(slope) };
}
