/**
 * The inbox: complete received messages, in Storage (`sms.i.<id>`), bounded.
 *
 * Policy when full (`maxInbox` messages): the oldest message is dropped from the device
 * and reported with the `inboxEvicted` event; the newest is always kept. The modem's own
 * store is never used as overflow: every message is deleted from it once persisted here,
 * so the modem never fills up and stops delivering (ModemManager: a full SM store stops
 * inbound SMS until `AT+CMGD`).
 *
 * The identities (R75) of a dropped message move to a bounded ring (`sms.seen`), so a
 * late network retry of it is still recognised as a duplicate.
 *
 * Only a small index (id, key, part identities) is kept in RAM; messages are read from
 * Storage when listed (a watch has a few thousand blocks of heap).
 */
import type { AssembledSms } from "./parts.js";
import { KEY, Store, keyNumber, pad } from "./store.js";

/** A message in the inbox, as `inbox()` lists it and `received` reports it. */
export interface InboxMessage extends AssembledSms {
  /** The inbox id (grows with each message). */
  id: number;
  /** When the last part arrived here (clock ms). */
  receivedAt: number;
}

interface IndexEntry {
  id: number;
  key: string;
  ids: string[];
}

export class Inbox {
  private index: IndexEntry[] = [];
  private seen: string[] = [];
  private nextId = 1;

  constructor(
    private readonly store: Store,
    private readonly maxInbox: number,
    private readonly maxSeen: number,
    private readonly onEvicted: (m: InboxMessage) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Reads the index and the seen ring from Storage. */
  load(): Promise<void> {
    const self = this;
    return this.store
      .readAll(KEY.inbox, function (key, e) {
        self.log("inbox: record " + key + " unreadable, skipped: " + String(e));
      })
      .then(function (recs) {
        self.index = [];
        for (let i = 0; i < recs.length; i++) {
          const m = recs[i].value as InboxMessage;
          const id = keyNumber(recs[i].key, KEY.inbox);
          if (id < 0 || !m || !m.ids) continue;
          self.index.push({ id: id, key: recs[i].key, ids: m.ids });
          if (id >= self.nextId) self.nextId = id + 1;
        }
        return self.store.read(KEY.seen).then(
          function (v) {
            self.seen = Array.isArray(v) ? (v as string[]) : [];
          },
          function () {
            self.seen = [];
          },
        );
      });
  }

  /** Whether a part with this identity was delivered already. */
  knows(hash: string): boolean {
    if (this.seen.indexOf(hash) >= 0) return true;
    for (let i = 0; i < this.index.length; i++) if (this.index[i].ids.indexOf(hash) >= 0) return true;
    return false;
  }

  /** Messages in the inbox. */
  size(): number {
    return this.index.length;
  }

  /**
   * Stores a message; resolves with it once durable (the moment it counts as delivered
   * to the user), then trims the inbox to its bound.
   */
  add(m: AssembledSms, receivedAt: number): Promise<InboxMessage> {
    const id = this.nextId++;
    const key = KEY.inbox + pad(id, 8);
    const msg: InboxMessage = {
      id: id,
      from: m.from,
      text: m.text,
      data: m.data,
      time: m.time,
      timeMs: m.timeMs,
      parts: m.parts,
      missing: m.missing,
      ids: m.ids,
      receivedAt: receivedAt,
    };
    const self = this;
    return this.store.put(key, msg).then(function () {
      self.index.push({ id: id, key: key, ids: m.ids });
      return msg;
    });
  }

  /** Drops the oldest messages beyond the bound (policy above). */
  trim(): Promise<void> {
    if (this.index.length <= this.maxInbox) return Promise.resolve();
    const self = this;
    const oldest = this.index[0];
    return this.store
      .read(oldest.key)
      .then(function (v) {
        return self.forget(oldest).then(function () {
          if (v) self.onEvicted(v as InboxMessage);
        });
      })
      .then(function () {
        return self.trim();
      });
  }

  /** Deletes message `id` from the inbox; false if there is none. */
  remove(id: number): Promise<boolean> {
    for (let i = 0; i < this.index.length; i++) {
      if (this.index[i].id === id) {
        return this.forget(this.index[i]).then(function () {
          return true;
        });
      }
    }
    return Promise.resolve(false);
  }

  /** Every message, oldest first. */
  list(): Promise<InboxMessage[]> {
    const self = this;
    const out: InboxMessage[] = [];
    let p: Promise<void> = Promise.resolve();
    const entries = this.index.slice();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      p = p.then(function () {
        return self.store.read(e.key).then(
          function (v) {
            if (v) out.push(v as InboxMessage);
          },
          function (err) {
            self.log("inbox: " + e.key + " unreadable: " + String(err));
          },
        );
      });
    }
    return p.then(function () {
      return out;
    });
  }

  /** Remembers the message's identities in the seen ring, then removes its record. */
  private forget(e: IndexEntry): Promise<void> {
    const seen = this.seen.concat(e.ids);
    while (seen.length > this.maxSeen) seen.shift();
    const self = this;
    return this.store
      .put(KEY.seen, seen)
      .then(function () {
        self.seen = seen;
        return self.store.remove(e.key);
      })
      .then(function () {
        const i = self.index.indexOf(e);
        if (i >= 0) self.index.splice(i, 1);
      });
  }
}
