/**
 * The soak's SMS bookkeeping in bounded memory: messages are followed by their tag
 * ("[s12]") from the moment they are sent until a retention horizon after it, then retired
 * with their invariants checked. What stays for the whole run is one bit per tag (the tag
 * was retired); per-message records live only for the horizon. A 72-hour soak sends some
 * hundred thousand messages: keeping every record (or every received part) would make the
 * soak's own memory grow with its length, which is what it is there to catch in the device.
 */
import type { MessagePart } from "../../sim/pdu/concat.js";

/**
 * Puts parts together as a handset shows messages, one part at a time: parts group by
 * originator, reference and total (23.040 §9.2.3.24.1) until the group is complete, then
 * the group is closed, so a later message that reuses the 8-bit reference is a message of
 * its own. A part repeated while its group is open is kept once; a whole message sent
 * again counts twice. Groups open longer than a horizon are dropped (`prune`).
 */
export class MessageAssembler {
  private readonly open = new Map<string, { texts: { [seq: number]: string }; have: number; at: number }>();

  constructor(private readonly onMessage: (text: string) => void) {}

  part(p: MessagePart, now: number): void {
    if (!p.concat || p.concat.total <= 1) {
      this.onMessage(p.text);
      return;
    }
    const key = p.peer + "|" + p.concat.ref + "|" + p.concat.total;
    let g = this.open.get(key);
    if (!g) this.open.set(key, (g = { texts: {}, have: 0, at: now }));
    if (g.texts[p.concat.seq] === undefined) {
      g.texts[p.concat.seq] = p.text;
      g.have++;
    }
    if (g.have === p.concat.total) {
      let text = "";
      for (let i = 1; i <= p.concat.total; i++) text += g.texts[i] || "";
      this.open.delete(key);
      this.onMessage(text);
    }
  }

  /** Drops groups opened before `before` (a part that never came); returns how many. */
  prune(before: number): number {
    let n = 0;
    for (const [k, g] of this.open) {
      if (g.at < before) {
        this.open.delete(k);
        n++;
      }
    }
    return n;
  }

  get openGroups(): number {
    return this.open.size;
  }
}

/** The texts of the messages `parts` make, in completion order (MessageAssembler). */
export function completedMessages(parts: readonly MessagePart[]): string[] {
  const out: string[] = [];
  const a = new MessageAssembler((t) => out.push(t));
  for (const p of parts) a.part(p, 0);
  return out;
}

/** One message followed by the ledger. */
export interface Followed {
  tag: string;
  /** Who it concerns (the number it was sent to, or the accessory that sent it). */
  subject: string;
  sentAt: number;
  /** Arrivals per receiver ("phone", "n3a1", a party's number). */
  got: Map<string, number>;
  /** For outgoing messages: the API accepted it / reported it failed afterwards. */
  accepted: boolean;
  failed: boolean;
  /** For outgoing messages: the party it was sent to. */
  to: string;
  /** Virtual time of the latest arrival (for the latency figure). */
  lastAt: number;
}

export class SmsLedger {
  private readonly open = new Map<number, Followed>();
  /** One bit per tag number: retired (its record is gone; an arrival now is a late repeat). */
  private retiredBits = new Uint8Array(1024);
  /** Worst time from sending to an arrival, over every message (ms). */
  worstLatencyMs = 0;
  retired = 0;

  constructor(readonly horizonMs: number) {}

  private static num(tag: string): number {
    return Number(tag.slice(2, -1));
  }

  private isRetired(n: number): boolean {
    return n < this.retiredBits.length * 8 && (this.retiredBits[n >> 3] & (1 << (n & 7))) !== 0;
  }

  private markRetired(n: number): void {
    while (n >= this.retiredBits.length * 8) {
      const bigger = new Uint8Array(this.retiredBits.length * 2);
      bigger.set(this.retiredBits);
      this.retiredBits = bigger;
    }
    this.retiredBits[n >> 3] |= 1 << (n & 7);
  }

  /** The record of `tag`, made when first needed (an arrival may precede the API's answer). */
  follow(tag: string, subject: string, now: number): Followed {
    const n = SmsLedger.num(tag);
    let f = this.open.get(n);
    if (!f) {
      f = { tag, subject, sentAt: now, got: new Map(), accepted: false, failed: false, to: "", lastAt: now };
      this.open.set(n, f);
    }
    return f;
  }

  get(tag: string): Followed | undefined {
    return this.open.get(SmsLedger.num(tag));
  }

  /**
   * `tag` arrived at `where`: how many times it has arrived there (1 the first time), or
   * `undefined` when its record was already retired (an arrival beyond the horizon).
   */
  arrive(tag: string, where: string, now: number, subject: string): number | undefined {
    const n = SmsLedger.num(tag);
    if (this.isRetired(n)) return undefined;
    const f = this.follow(tag, subject, now);
    const c = (f.got.get(where) || 0) + 1;
    f.got.set(where, c);
    f.lastAt = now;
    this.worstLatencyMs = Math.max(this.worstLatencyMs, now - f.sentAt);
    return c;
  }

  /** Retires every record sent before `before` (all with `Infinity`), handing each to `check` first. */
  retire(before: number, check: (f: Followed) => void): void {
    for (const [n, f] of this.open) {
      if (f.sentAt >= before) continue;
      check(f);
      this.open.delete(n);
      this.markRetired(n);
      this.retired++;
    }
  }

  get openRecords(): number {
    return this.open.size;
  }
}
