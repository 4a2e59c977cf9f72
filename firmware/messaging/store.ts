/**
 * The messaging layer's records in `Storage` (hal/types.ts: every write atomic and
 * checksummed). All operations go through one queue, in the order they were asked for:
 * two parts of the firmware that update the same record never overwrite each other with
 * an older copy, because a `put` serialises the live object when its turn comes, not
 * when it was asked for.
 *
 * Keys (at most 24 characters of [A-Za-z0-9._-]):
 *   sms.meta            counters (next outbox id)
 *   sms.o.<id6>         a message in the outbox (accepted, not yet sent or failed)
 *   sms.h.<id6>         the sent history (R63: it stays on this device)
 *   sms.p.<hash16>      one received part, persisted before the modem forgets it
 *   sms.i.<id8>         a complete (or given-up) received message: the inbox
 *   sms.seen            identities of messages no longer in the inbox (duplicates, R75)
 *   sms.q.<id6>         a PDU the modem gave that could not be read (quarantine)
 *   sms.prio            the last known SMS priority state (R82)
 */
import type { Storage } from "../../hal/types.js";

/** The priority record's key on its own: the boot code reads that record, and KEY stays out of it. */
export const PRIORITY_KEY = "sms.prio";

export const KEY = {
  meta: "sms.meta",
  outbox: "sms.o.",
  history: "sms.h.",
  part: "sms.p.",
  inbox: "sms.i.",
  seen: "sms.seen",
  quarantine: "sms.q.",
  priority: PRIORITY_KEY,
};

/** `n` as decimal with leading zeros to `width` digits (keys sort in number order). */
export function pad(n: number, width: number): string {
  let s = String(n);
  while (s.length < width) s = "0" + s;
  return s;
}

/** The number at the end of a key made with `pad`, or -1. */
export function keyNumber(key: string, prefix: string): number {
  const n = parseInt(key.substr(prefix.length), 10);
  return n >= 0 ? n : -1;
}

function noop(): void {
  return undefined;
}

/** JSON records over a `Storage`, one operation at a time. */
export class Store {
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly storage: Storage) {}

  private queue<T>(op: () => Promise<T>): Promise<T> {
    const run = function () {
      return op();
    };
    const p = this.chain.then(run, run);
    this.chain = p.then(noop, noop);
    return p;
  }

  /** The parsed record, or undefined when there is none. A record that is not JSON rejects. */
  read(key: string): Promise<unknown> {
    const storage = this.storage;
    return this.queue(function () {
      return storage.read(key).then(function (text) {
        return text === undefined ? undefined : JSON.parse(text);
      });
    });
  }

  /**
   * Writes `value` (or what `value()` gives when the write's turn comes) as JSON.
   * Resolves once the record is durable.
   */
  put(key: string, value: unknown): Promise<void> {
    const storage = this.storage;
    return this.queue(function () {
      const v = typeof value === "function" ? (value as () => unknown)() : value;
      return storage.write(key, JSON.stringify(v));
    });
  }

  remove(key: string): Promise<void> {
    const storage = this.storage;
    return this.queue(function () {
      return storage.remove(key);
    });
  }

  list(prefix: string): Promise<string[]> {
    const storage = this.storage;
    return this.queue(function () {
      return storage.list(prefix);
    });
  }

  /** Reads every record under `prefix`, in key order; unreadable ones are reported to `bad` and skipped. */
  readAll(prefix: string, bad: (key: string, e: unknown) => void): Promise<{ key: string; value: unknown }[]> {
    const self = this;
    return this.list(prefix).then(function (keys) {
      const out: { key: string; value: unknown }[] = [];
      let p: Promise<void> = Promise.resolve();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        p = p.then(function () {
          return self.read(key).then(
            function (v) {
              if (v !== undefined) out.push({ key: key, value: v });
            },
            function (e) {
              bad(key, e);
            },
          );
        });
      }
      return p.then(function () {
        return out;
      });
    });
  }
}

/**
 * A `Storage` in RAM for boards that have none: messaging works, but nothing survives a
 * restart (the firmware logs that once).
 */
export class RamStorage implements Storage {
  private data: { [key: string]: string } = {};

  read(key: string): Promise<string | undefined> {
    return Promise.resolve(Object.prototype.hasOwnProperty.call(this.data, key) ? this.data[key] : undefined);
  }

  write(key: string, value: string): Promise<void> {
    this.data[key] = value;
    return Promise.resolve();
  }

  remove(key: string): Promise<void> {
    delete this.data[key];
    return Promise.resolve();
  }

  list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const keys = Object.keys(this.data);
    for (let i = 0; i < keys.length; i++) if (keys[i].indexOf(prefix) === 0) out.push(keys[i]);
    out.sort();
    return Promise.resolve(out);
  }
}

/**
 * The values of every readable record under `prefix`, in key order; unreadable ones are
 * skipped (their keys were reported when the list was loaded). Used by cold parts only,
 * so the boot code does not carry it.
 */
export function readValues<T>(store: Store, prefix: string): Promise<T[]> {
  return store
    .readAll(prefix, function () {
      return undefined;
    })
    .then(function (recs) {
      const out: T[] = [];
      for (let i = 0; i < recs.length; i++) out.push(recs[i].value as T);
      return out;
    });
}
