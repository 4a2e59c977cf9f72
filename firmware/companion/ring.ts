/**
 * The persisted ring of command ids already seen (companion-link.md §5.5): a command
 * delivered twice (QoS 1 redelivery, the backend resending on a new session) is acted
 * on once and answered `duplicate` with the stored result after that, across restarts.
 *
 * The id is written as `accepted` before the command acts, so a power cut in between
 * never runs it a second time; the result replaces it when known.
 */
import type { Storage } from "../../hal/types.js";

export type CommandOutcome = "accepted" | "done" | "rejected" | "expired";

export interface CommandRecord {
  id: string;
  status: CommandOutcome;
  /** Why it was rejected. */
  code: string;
}

export class CommandRing {
  private records: CommandRecord[] = [];

  constructor(
    private readonly storage: Storage | undefined,
    private readonly key: string,
    private readonly size: number,
  ) {}

  /** Reads the stored ring; an unreadable record starts an empty one (and says so). */
  load(): Promise<string | undefined> {
    if (!this.storage) return Promise.resolve(undefined);
    return this.storage.read(this.key).then(
      (text) => {
        if (text === undefined) return undefined;
        const v = JSON.parse(text) as CommandRecord[];
        if (!Array.isArray(v)) throw new Error("not a list");
        this.records = v.filter((r) => r && typeof r.id === "string" && typeof r.status === "string").slice(-this.size);
        return undefined;
      },
      (e: unknown) => "companion: command ids unreadable, starting afresh: " + String(e),
    ).then(undefined, (e: unknown) => "companion: command ids unreadable, starting afresh: " + String(e));
  }

  find(id: string): CommandRecord | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) if (this.records[i].id === id) return this.records[i];
    return undefined;
  }

  /** Records (or updates) an id's outcome and writes the ring through. */
  put(id: string, status: CommandOutcome, code: string): Promise<void> {
    const old = this.find(id);
    if (old) {
      old.status = status;
      old.code = code;
    } else {
      this.records.push({ id, status, code });
      if (this.records.length > this.size) this.records.splice(0, this.records.length - this.size);
    }
    if (!this.storage) return Promise.resolve();
    return this.storage.write(this.key, JSON.stringify(this.records));
  }
}
