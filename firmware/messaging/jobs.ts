/**
 * One receive-side job at a time (reading, persisting, deleting, acknowledging): the
 * dedupe and reassembly state is only ever changed by one job, and a slot of the modem's
 * store is deleted only by the job that read and persisted it. An urgent job (a routed
 * `+CMT` that must be acknowledged in time, 27.005 §3.4.4) goes ahead of the queued ones,
 * never ahead of the one running.
 */
export type Job = () => Promise<void>;

export class JobQueue {
  private jobs: Job[] = [];
  private running = false;
  private held = false;

  /** `failed` hears every job that rejects; the queue carries on. */
  constructor(private readonly failed: (e: unknown) => void) {}

  add(job: Job, urgent: boolean): void {
    if (urgent) this.jobs.unshift(job);
    else this.jobs.push(job);
    this.next();
  }

  /** Jobs waiting (not counting the one running). */
  waiting(): number {
    return this.jobs.length;
  }

  /** No job starts before `until` settles (the records must be loaded before anything is received). */
  hold(until: Promise<unknown>): void {
    this.held = true;
    const self = this;
    const go = function () {
      self.held = false;
      self.next();
    };
    until.then(go, go);
  }

  /** Drops the waiting jobs (the modem restarted: what they meant to read is re-read by a sync). */
  clear(): void {
    this.jobs = [];
  }

  /** True while a job runs or waits. */
  busy(): boolean {
    return this.running || this.jobs.length > 0;
  }

  private next(): void {
    if (this.held || this.running || this.jobs.length === 0) return;
    const job = this.jobs.shift()!;
    this.running = true;
    const self = this;
    const done = function () {
      self.running = false;
      self.next();
    };
    let p: Promise<void>;
    try {
      p = job();
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(done, function (e) {
      self.failed(e);
      done();
    });
  }
}
