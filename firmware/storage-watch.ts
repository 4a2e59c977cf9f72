/**
 * Storage that says when it stops working and when it works again: a read-only or full
 * data directory (or a worn flash) is reported once, not once per record, and its
 * recovery is noticed so that what waited for it goes on.
 *
 * What waits is safe meanwhile: a received SMS is deleted from the modem only after it
 * was stored (messaging/receiver.ts), so it stays on the modem; an accepted message is
 * in the outbox and the sender retries. On recovery the firmware syncs messaging again
 * (firmware/main.ts): the modem's messages are read, the outbox is sent.
 *
 * While faulted, one probe write every `probeMs` finds the recovery (nothing else may
 * write for a long time); while healthy nothing extra happens.
 *
 * Only the pass-through stays in the watch's heap; what a fault and a recovery do is
 * storage-fault.ts, a cold part of the watch's firmware (tools/bundle.ts COLD_MODULES),
 * loaded from Storage when a write fails while storage worked, or works while it was
 * failing.
 *
 * Portable (Espruino).
 */
import type { Clock, Storage, TimerHandle } from "../hal/types.js";
import { storageOutcome } from "./storage-fault.js";

export interface StorageWatchHooks {
  /** The first failed write since storage last worked: the error as the storage gave it. */
  fault: (message: string) => void;
  /** A write worked again after a fault. */
  recovered: () => void;
}

/** `op`, with its outcome told to storage-fault.ts when it changes whether storage works. */
function watch(ws: WatchedStorage, op: Promise<void>): Promise<void> {
  return op.then(
    function () {
      if (ws.faulted) storageOutcome(ws, false, undefined);
    },
    function (e: unknown) {
      if (!ws.faulted) storageOutcome(ws, true, e);
      throw e;
    },
  );
}

export class WatchedStorage implements Storage {
  /** Whether the last write failed. */
  faulted = false;
  /** While faulted: the next probe write. */
  probeTimer: TimerHandle | undefined;
  stopped = false;

  constructor(
    readonly inner: Storage,
    readonly clock: Clock,
    readonly hooks: StorageWatchHooks,
    readonly probeMs: number,
  ) {}

  stop(): void {
    this.stopped = true;
    if (this.probeTimer !== undefined) this.clock.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  read(key: string): Promise<string | undefined> {
    return this.inner.read(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  write(key: string, value: string): Promise<void> {
    return watch(this, this.inner.write(key, value));
  }

  remove(key: string): Promise<void> {
    return watch(this, this.inner.remove(key));
  }
}
