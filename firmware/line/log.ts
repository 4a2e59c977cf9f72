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

/** Between the fields of a stored entry (never in an outcome or our sentences; the number, from the modem, goes last). */
const SEP = "\x01";

function unpack(packed: string): CallLogEntry {
  const f = packed.split(SEP);
  return {
    id: Number(f[0]),
    direction: f[1] as CallLogEntry["direction"],
    // Last, so that whatever the modem gave as a number comes back whole.
    number: f.slice(8).join(SEP),
    emergency: f[3] === "1",
    startedAt: Number(f[4]),
    durationMs: Number(f[5]),
    outcome: f[6] as EndReason,
    cause: f[7] === "" ? undefined : Number(f[7]),
    message: f[2],
  };
}

/**
 * Entries are kept as one string each and made into objects when read: on the watch an
 * entry object held about 20 heap blocks (nine fields, four of them long names, and their
 * strings), a string of its fields a third of that; a full log of 50 was about 1,000.
 */
export class CallLog {
  private entries: string[] = [];
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
    const f = [entry.id, entry.direction, entry.message, entry.emergency ? 1 : 0, entry.startedAt, entry.durationMs, entry.outcome, entry.cause === undefined ? "" : entry.cause, entry.number];
    this.entries.push(f.join(SEP));
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size);
    return entry;
  }

  /** Newest last. */
  list(): CallLogEntry[] {
    return this.entries.map(unpack);
  }

  missed(): CallLogEntry[] {
    return this.list().filter((e) => e.outcome === "missed");
  }
}
