/**
 * The per-device call log (SPEC R24, R25): one entry per ended call with how it ended.
 * Call logs are not shared between the devices of a number. Bounded: the oldest entry
 * goes when the log is full.
 */
import type { Call, EndReason } from "./call.js";

export interface CallLogEntry {
  id: number;
  direction: "outgoing" | "incoming";
  number: string;
  emergency: boolean;
  startedAt: number;
  /** Talk time in ms; 0 for a call that never connected. */
  durationMs: number;
  /** How the call ended; `missed` only for calls nobody answered (R24, R25). */
  outcome: EndReason;
  cause: number | undefined;
  message: string;
}

export class CallLog {
  private entries: CallLogEntry[] = [];
  constructor(private readonly size: number) {}

  /** Records an ended call and returns the entry. */
  add(call: Call): CallLogEntry {
    const end = call.end;
    const entry: CallLogEntry = {
      id: call.id,
      direction: call.direction,
      number: call.number,
      emergency: call.emergency,
      startedAt: call.startedAt,
      durationMs: call.connectedAt !== undefined && call.endedAt !== undefined ? call.endedAt - call.connectedAt : 0,
      outcome: end ? end.reason : "failed",
      cause: end ? end.cause : undefined,
      message: end ? end.message : "",
    };
    this.entries.push(entry);
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size);
    return entry;
  }

  /** Newest last. */
  list(): CallLogEntry[] {
    return this.entries.slice();
  }

  missed(): CallLogEntry[] {
    return this.entries.filter((e) => e.outcome === "missed");
  }
}
