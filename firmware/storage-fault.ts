/**
 * What storage-watch.ts does when storage stops working or works again: the fault is
 * reported once, a probe write every `probeMs` finds the recovery (nothing else may
 * write for a long time), and the recovery is reported so that what waited goes on.
 *
 * A plain function over the `WatchedStorage` object, so that on the watch this is a cold
 * part (tools/bundle.ts COLD_MODULES): loaded from Storage only when storage's health
 * changes.
 *
 * Portable (Espruino).
 */
import { StorageCorruptError } from "../hal/errors.js";
import type { WatchedStorage } from "./storage-watch.js";

const PROBE_KEY = "probe";

function worked(ws: WatchedStorage): void {
  if (!ws.faulted) return;
  ws.faulted = false;
  if (ws.probeTimer !== undefined) ws.clock.clearTimeout(ws.probeTimer);
  ws.probeTimer = undefined;
  ws.hooks.recovered();
}

function armProbe(ws: WatchedStorage): void {
  if (ws.stopped || ws.probeTimer !== undefined) return;
  ws.probeTimer = ws.clock.setTimeout(function () {
    ws.probeTimer = undefined;
    if (!ws.faulted || ws.stopped) return;
    ws.inner
      .write(PROBE_KEY, String(ws.clock.now()))
      .then(function () {
        return ws.inner.remove(PROBE_KEY);
      })
      .then(
        function () {
          worked(ws);
        },
        function () {
          armProbe(ws);
        },
      );
  }, ws.probeMs);
}

/** A write or removal worked, or failed with `e`. */
export function storageOutcome(ws: WatchedStorage, failed: boolean, e: unknown): void {
  if (!failed) return worked(ws);
  // A damaged record is about one key, not the medium; key errors are the caller's.
  if (StorageCorruptError.is(e) || ws.faulted) return;
  ws.faulted = true;
  ws.hooks.fault(e instanceof Error ? e.message : String(e));
  armProbe(ws);
}
