/**
 * Bounds for the simulator's histories (what a party or the smartphone received, its call
 * list, its call log): a simulated network runs for days of virtual time in the soak, and a
 * history that only grows would make memory grow with it. Each list keeps its newest
 * `HISTORY_KEPT` entries, trimmed in batches (once it holds twice that) so an append stays
 * O(1) on average; live calls are never dropped. Whoever needs every entry (the soak's
 * invariants) listens to the events as they happen and keeps counters, not these lists.
 */

/** Entries a history keeps at least (it holds between this and twice this). */
export const HISTORY_KEPT = 1000;

/** Released calls a call list keeps besides its live ones. */
export const RELEASED_CALLS_KEPT = 64;

/** Appends `item`; once `list` holds 2 * `kept`, drops its oldest entries down to `kept`. */
export function appendBounded<T>(list: T[], item: T, kept: number = HISTORY_KEPT): void {
  list.push(item);
  if (list.length >= 2 * kept) list.splice(0, list.length - kept);
}

/**
 * Once `calls` holds more than 2 * `kept` released calls, drops the oldest released ones
 * down to `kept`; live calls stay whatever their age. Returns the calls dropped (their
 * owners forget what they kept per call).
 */
export function pruneReleased<T extends { state: string }>(calls: T[], kept: number = RELEASED_CALLS_KEPT): T[] {
  let released = 0;
  for (const c of calls) if (c.state === "released") released++;
  if (released <= 2 * kept) return [];
  let drop = released - kept;
  const dropped: T[] = [];
  const keep: T[] = [];
  for (const c of calls) {
    if (drop > 0 && c.state === "released") {
      dropped.push(c);
      drop--;
    } else keep.push(c);
  }
  calls.length = 0;
  for (const c of keep) calls.push(c);
  return dropped;
}
