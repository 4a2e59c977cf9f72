/**
 * The service centre's memory of submissions (23.040 §9.2.3.25 TP-RD, §9.2.3.6 TP-MR):
 * an SMS-SUBMIT with TP-RD = 1 whose TP-MR and TP-DA equal those of a message the SC
 * still holds from the same originator is rejected with TP-FCS 0xC5 "SM Rejected -
 * Duplicate SM" (§9.2.3.22), which reaches the ME as `+CMS ERROR: 197`. With TP-RD = 0
 * the SC accepts it (and holds the new one).
 *
 * "Still held" is modelled as a time window (default one day): a real SC forgets a
 * message once it is delivered and its record expires. So does this memory: a record past
 * the window is dropped at the next submission, so a network run for days holds one day
 * of submissions, not all of them.
 */

/** TP-FCS "SM Rejected - Duplicate SM" (23.040 §9.2.3.22). */
export const FCS_DUPLICATE_SM = 0xc5;

export class SubmissionMemory {
  /** Key -> time of its newest submission; a Map keeps insertion order, so the oldest come first. */
  private readonly held = new Map<string, number>();

  constructor(private readonly holdMs = 24 * 3600 * 1000) {}

  /** Submissions held (within the window as of the newest one). */
  get size(): number {
    return this.held.size;
  }

  /**
   * Records a submission; returns true when it must be rejected as a duplicate
   * (TP-RD set and the same originator, TP-DA and TP-MR within the window).
   */
  isDuplicate(originator: string, destination: string, mr: number, rejectDuplicates: boolean, now: number): boolean {
    this.forget(now);
    const key = originator + "|" + destination + "|" + mr;
    const at = this.held.get(key);
    if (rejectDuplicates && at !== undefined && now - at < this.holdMs) return true;
    // Re-inserted at the end: the Map stays in time order (the clock never goes back).
    this.held.delete(key);
    this.held.set(key, now);
    return false;
  }

  /** Drops the records the window has passed (the oldest first, stopping at the first still held). */
  private forget(now: number): void {
    for (const [key, at] of this.held) {
      if (now - at < this.holdMs) return;
      this.held.delete(key);
    }
  }
}
