/**
 * The network's structured event log (SPEC.md R97): every decision the network takes
 * about a number (registration, line state, call offers and releases, SMS delivery,
 * service codes) becomes one typed entry, in the order the network took it (R95), so
 * conformance tests assert on it beside the AT output of the simulated modems.
 */
import { typedEmitter } from "../../hal/node/typed-emitter.js";

/** What happened. */
export type LogKind =
  // numbers, contracts, registration (§2)
  | "number-created"
  | "register"
  | "register-refused"
  | "register-pending"
  | "unregister"
  | "deregistered"
  | "multi-device"
  | "contract-ended"
  | "attach"
  | "detach"
  | "coverage"
  // packet data (§11)
  | "data-up"
  | "data-refused"
  | "data-down"
  // the line (R6)
  | "line"
  // incoming calls (§3, §4)
  | "call-offered"
  | "alerting"
  | "answered"
  | "answered-elsewhere"
  | "declined"
  | "declined-elsewhere"
  | "missed"
  | "branch-dropped"
  | "waiting"
  | "busy"
  | "not-reachable"
  | "no-reply"
  | "forwarded"
  | "voicemail"
  | "glare"
  // outgoing and emergency calls (§5, §6)
  | "dial"
  | "refused"
  | "emergency"
  | "location"
  | "preempted"
  | "connected"
  | "released"
  | "held"
  | "dtmf"
  // SMS (§8, §9)
  | "sms-submitted"
  | "sms-refused"
  | "sms-delivered"
  | "sms-acked"
  | "sms-failed"
  | "sms-stored"
  | "sms-expired"
  | "sms-rejected"
  | "status-report"
  // codes and settings (§7, §10)
  | "ussd"
  | "service-code"
  | "priority"
  | "settings";

export type LogValue = string | number | boolean | string[] | undefined;

export interface LogEntry {
  /** Position in the log, from 1 (survives dropping old entries). */
  seq: number;
  /** Clock time (ms). */
  t: number;
  /** The shared number (MSISDN) the entry belongs to, or "" for the network as a whole. */
  number: string;
  kind: LogKind;
  /** The device concerned: "P" (the smartphone) or "A1".."A5" (accessories), when one is. */
  device?: string;
  /** The network's call id, for call entries. */
  call?: string;
  /** 24.008 cause, for releases and refusals. */
  cause?: number;
  /** The SPEC.md rule that decided this, when one did (e.g. "R26"). */
  rule?: string;
  detail: { [key: string]: LogValue };
}

export type LogInput = Omit<LogEntry, "seq" | "t">;

/** Which entries `find` returns: every given field must match. */
export interface LogQuery {
  number?: string;
  kind?: LogKind | LogKind[];
  device?: string;
  call?: string;
  cause?: number;
  rule?: string;
}

export class NetworkLog {
  private items: LogEntry[] = [];
  private nextSeq = 1;
  private readonly events = typedEmitter<{ entry: (e: LogEntry) => void }>();

  constructor(
    private readonly now: () => number,
    private readonly capacity: number,
  ) {}

  /** Appends an entry (stamped with the clock and a sequence number) and tells the listeners. */
  add(input: LogInput): LogEntry {
    const e: LogEntry = { seq: this.nextSeq++, t: this.now(), ...input };
    if (this.capacity > 0) {
      this.items.push(e);
      // Dropping in batches keeps an add O(1) on average (one splice per `capacity` adds, not one per add).
      if (this.items.length >= 2 * this.capacity) this.items.splice(0, this.items.length - this.capacity);
    }
    this.events.emit("entry", e);
    return e;
  }

  /** Calls `fn` for every entry from now on; returns an unsubscribe. */
  on(fn: (e: LogEntry) => void): () => void {
    this.events.on("entry", fn);
    return () => {
      this.events.off("entry", fn);
    };
  }

  /** The entries kept (the newest `capacity`), oldest first. */
  get entries(): readonly LogEntry[] {
    return this.items.length > this.capacity ? this.items.slice(this.items.length - this.capacity) : this.items;
  }

  /** The sequence number of the oldest entry kept (lastSeq + 1 when none is kept). */
  get firstSeq(): number {
    const kept = this.entries;
    return kept.length > 0 ? kept[0].seq : this.nextSeq;
  }

  /**
   * One page of entries after `since` that match `keep`, oldest first, at most `limit`;
   * `next` is the `since` of the following page (undefined when this is the last), and
   * `dropped` counts entries after `since` the log no longer holds (its capacity).
   */
  page(since: number, limit: number, keep: (e: LogEntry) => boolean = () => true): { entries: LogEntry[]; next: number | undefined; dropped: number } {
    const kept = this.entries;
    const first = this.firstSeq;
    const dropped = since + 1 < first ? first - since - 1 : 0;
    const out: LogEntry[] = [];
    // Entries are in seq order: skip to the first after `since` by binary search.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (kept[mid].seq <= since) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < kept.length; i++) {
      if (!keep(kept[i])) continue;
      if (out.length === limit) return { entries: out, next: out[out.length - 1].seq, dropped };
      out.push(kept[i]);
    }
    return { entries: out, next: undefined, dropped };
  }

  /** The kept entries that match `q`. */
  find(q: LogQuery = {}): LogEntry[] {
    const kinds = q.kind === undefined ? undefined : Array.isArray(q.kind) ? q.kind : [q.kind];
    return this.entries.filter(
      (e) =>
        (q.number === undefined || e.number === q.number) &&
        (kinds === undefined || kinds.indexOf(e.kind) >= 0) &&
        (q.device === undefined || e.device === q.device) &&
        (q.call === undefined || e.call === q.call) &&
        (q.cause === undefined || e.cause === q.cause) &&
        (q.rule === undefined || e.rule === q.rule),
    );
  }

  /** Entries after `seq` (for "what happened since"). */
  since(seq: number): LogEntry[] {
    return this.entries.filter((e) => e.seq > seq);
  }

  /** The last sequence number given out (0 before any entry). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  clear(): void {
    this.items = [];
  }
}

/** One line per entry, for people: `+12.000s +819012345678 A1 answered call=k1 cause=26 [R22] key=value`. */
export function formatEntry(e: LogEntry, t0 = 0): string {
  let s = "+" + ((e.t - t0) / 1000).toFixed(3) + "s " + (e.number || "-") + " " + (e.device || "-") + " " + e.kind;
  if (e.call) s += " call=" + e.call;
  if (e.cause !== undefined) s += " cause=" + e.cause;
  if (e.rule) s += " [" + e.rule + "]";
  for (const k of Object.keys(e.detail)) {
    const v = e.detail[k];
    if (v !== undefined) s += " " + k + "=" + (Array.isArray(v) ? v.join(",") : String(v));
  }
  return s;
}
