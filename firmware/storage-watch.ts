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
 * Portable (Espruino).
 */
import type { Clock, Storage, TimerHandle } from "../hal/types.js";
import { StorageCorruptError } from "../hal/errors.js";

export interface StorageWatchHooks {
  /** The first failed write since storage last worked: the error as the storage gave it. */
  fault: (message: string) => void;
  /** A write worked again after a fault. */
  recovered: () => void;
}

const PROBE_KEY = "probe";

export class WatchedStorage implements Storage {
  private faulted = false;
  private probeTimer: TimerHandle | undefined = undefined;
  private stopped = false;

  constructor(
    private readonly inner: Storage,
    private readonly clock: Clock,
    private readonly hooks: StorageWatchHooks,
    private readonly probeMs: number,
  ) {}

  /** Whether the last write failed. */
  failing(): boolean {
    return this.faulted;
  }

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
    return this.watch(this.inner.write(key, value));
  }

  remove(key: string): Promise<void> {
    return this.watch(this.inner.remove(key));
  }

  private watch(op: Promise<void>): Promise<void> {
    const self = this;
    return op.then(
      function () {
        self.worked();
      },
      function (e: unknown) {
        self.failed(e);
        throw e;
      },
    );
  }

  private worked(): void {
    if (!this.faulted) return;
    this.faulted = false;
    if (this.probeTimer !== undefined) this.clock.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.hooks.recovered();
  }

  private failed(e: unknown): void {
    // A damaged record is about one key, not the medium; key errors are the caller's.
    if (StorageCorruptError.is(e) || this.faulted) return;
    this.faulted = true;
    this.hooks.fault(e instanceof Error ? e.message : String(e));
    this.armProbe();
  }

  private armProbe(): void {
    if (this.stopped || this.probeTimer !== undefined) return;
    const self = this;
    this.probeTimer = this.clock.setTimeout(function () {
      self.probeTimer = undefined;
      if (!self.faulted || self.stopped) return;
      self.inner
        .write(PROBE_KEY, String(self.clock.now()))
        .then(function () {
          return self.inner.remove(PROBE_KEY);
        })
        .then(
          function () {
            self.worked();
          },
          function () {
            self.armProbe();
          },
        );
    }, this.probeMs);
  }
}
