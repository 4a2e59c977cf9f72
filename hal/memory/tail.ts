/**
 * The newest characters of a byte stream, kept for logs and test assertions (what a
 * serial end wrote, what a simulated modem sent). A soak runs these streams for days of
 * virtual time: a transcript of everything would grow with the run (it was the largest
 * part of the soak's heap growth), so only the tail is kept, plus a count of everything.
 */

/** Characters a tail keeps by default: the last few exchanges of an AT session. */
export const TAIL_KEPT = 4096;

export class TextTail {
  private text = "";
  /** Characters appended since creation (the kept ones and the dropped ones). */
  total = 0;

  /** Keeps at least the newest `kept` characters (Infinity: everything). */
  constructor(readonly kept: number = TAIL_KEPT) {
    if (!(kept >= 0)) throw new RangeError("a tail keeps a count >= 0 of characters, got " + kept);
  }

  append(s: string): void {
    this.total += s.length;
    this.text += s;
    // Trimmed once it holds twice the bound, so an append stays O(1) on average. (V8 may
    // keep the slice as a view of the flattened text: at most 2 * `kept` more, until the next trim.)
    if (this.text.length > 2 * this.kept) this.text = this.text.slice(this.text.length - this.kept);
  }

  /** The kept characters, oldest first (everything when fewer than `kept` were ever appended). */
  get value(): string {
    return this.text.length > this.kept ? this.text.slice(this.text.length - this.kept) : this.text;
  }

  /** Characters appended but no longer kept. */
  get dropped(): number {
    return this.total - this.value.length;
  }
}

