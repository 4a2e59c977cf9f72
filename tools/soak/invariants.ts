/**
 * The soak's invariant book: every check made is counted by name, every failure keeps
 * the seed and the virtual time that reproduce it.
 */
export interface Failure {
  invariant: string;
  /** The accessory or number concerned ("n3a2", "+819000000003"). */
  subject: string;
  seed: number;
  /** Virtual ms since the soak started, and the clock's ISO time. */
  atMs: number;
  at: string;
  detail: string;
}

export const INVARIANTS = [
  "smsNotLost",
  "smsOnce",
  "callNotStuck",
  "lineAgrees",
  "emergencyInTime",
  "channelNotWedged",
  "memoryBounded",
  "mqttCommandOnce",
  "mqttCommandAcked",
  "dataRecovers",
  "endsIdle",
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export class InvariantBook {
  readonly checks: { [k in InvariantName]: number };
  readonly failures: Failure[] = [];
  /** Failures beyond this many per invariant are counted, not kept. */
  private readonly keep = 50;
  readonly failureCounts: { [k in InvariantName]: number };

  constructor(
    private readonly seed: number,
    readonly t0: number,
    private readonly now: () => number,
  ) {
    this.checks = {} as { [k in InvariantName]: number };
    this.failureCounts = {} as { [k in InvariantName]: number };
    for (const n of INVARIANTS) {
      this.checks[n] = 0;
      this.failureCounts[n] = 0;
    }
  }

  /** Counts one check of `invariant`; records a failure when `ok` is false. */
  /**
   * Counts one check of `invariant`; records a failure when `ok` is false. A condition that
   * lasts (the same `episode`, e.g. one stuck call) is one failure, however often checked.
   */
  check(invariant: InvariantName, ok: boolean, subject: string, detail: () => string, episode?: string): boolean {
    this.checks[invariant]++;
    if (!ok) {
      const key = invariant + "|" + subject + "|" + (episode === undefined ? "" : episode);
      if (episode !== undefined && this.episodes.has(key)) return ok;
      this.episodes.add(key);
      this.fail(invariant, subject, detail());
    }
    return ok;
  }

  private readonly episodes = new Set<string>();

  fail(invariant: InvariantName, subject: string, detail: string): void {
    this.failureCounts[invariant]++;
    if (this.failureCounts[invariant] > this.keep) return;
    const t = this.now();
    this.failures.push({ invariant, subject, seed: this.seed, atMs: t - this.t0, at: new Date(t).toISOString(), detail });
  }

  totalChecks(): number {
    let n = 0;
    for (const k of INVARIANTS) n += this.checks[k];
    return n;
  }

  totalFailures(): number {
    let n = 0;
    for (const k of INVARIANTS) n += this.failureCounts[k];
    return n;
  }
}
