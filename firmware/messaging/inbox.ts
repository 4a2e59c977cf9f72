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
 * Only a small index (id, key, part identities) is kept in RAM (state.ts `InboxState`, on
 * the hot Messaging object); messages are read from Storage when listed (a watch has a
 * few thousand blocks of heap). Plain functions, part of the cold receive module.
 */
import type { AssembledSms } from "./parts.js";
import type { InboxEntry, SmsHost } from "./state.js";
import { KEY, keyNumber, pad } from "./store.js";

/** A message in the inbox, as `inbox()` lists it and `received` reports it. */
export interface InboxMessage extends AssembledSms {
  /** The inbox id (grows with each message). */
  id: number;
  /** When the last part arrived here (clock ms). */
  receivedAt: number;
}

/** Reads the index and the seen ring from Storage. */
export function loadInbox(s: SmsHost): Promise<void> {
  const ib = s.ib;
  return s.store
    .readAll(KEY.inbox, function (key, e) {
      s.log("inbox: record " + key + " unreadable, skipped: " + String(e));
    })
    .then(function (recs) {
      ib.index = [];
      for (let i = 0; i < recs.length; i++) {
        const m = recs[i].value as InboxMessage;
        const id = keyNumber(recs[i].key, KEY.inbox);
        if (id < 0 || !m || !m.ids) continue;
        ib.index.push({ id: id, key: recs[i].key, ids: m.ids });
        if (id >= ib.nextId) ib.nextId = id + 1;
      }
      return s.store.read(KEY.seen).then(
        function (v) {
          ib.seen = Array.isArray(v) ? (v as string[]) : [];
        },
        function () {
          ib.seen = [];
        },
      );
    });
}

/** Whether a part with this identity was delivered already. */
export function inboxKnows(s: SmsHost, hash: string): boolean {
  const ib = s.ib;
  if (ib.seen.indexOf(hash) >= 0) return true;
  for (let i = 0; i < ib.index.length; i++) if (ib.index[i].ids.indexOf(hash) >= 0) return true;
  return false;
}

/**
 * Stores a message; resolves with it once durable (the moment it counts as delivered
 * to the user). trimInbox bounds the inbox after.
 */
export function addToInbox(s: SmsHost, m: AssembledSms, receivedAt: number): Promise<InboxMessage> {
  const ib = s.ib;
  const id = ib.nextId++;
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
  return s.store.put(key, msg).then(function () {
    ib.index.push({ id: id, key: key, ids: m.ids });
    return msg;
  });
}

/**
 * Remembers the message's identities in the seen ring, then removes its record. The RAM
 * index and ring change at once, before any write: a delete and a trim (or two deletes)
 * running together each start from what the other already did, so neither write of the
 * ring loses the other's identities, and no entry is forgotten twice. Each write of the
 * ring carries every identity forgotten so far, and the record goes only after it.
 */
function forget(s: SmsHost, e: InboxEntry): Promise<void> {
  const ib = s.ib;
  const i = ib.index.indexOf(e);
  if (i >= 0) ib.index.splice(i, 1);
  const seen = ib.seen.concat(e.ids);
  while (seen.length > s.opts.maxSeen) seen.shift();
  ib.seen = seen;
  return s.store.put(KEY.seen, seen).then(function () {
    return s.store.remove(e.key);
  });
}

/** Drops the oldest messages beyond the bound (policy above), each reported as `inboxEvicted`. */
export function trimInbox(s: SmsHost): Promise<void> {
  const ib = s.ib;
  if (ib.index.length <= s.opts.maxInbox) return Promise.resolve();
  const oldest = ib.index[0];
  // The read is asked before forget removes the record; forget takes the entry out of
  // the index at once, so a trim running beside this one evicts the next message.
  const record = s.store.read(oldest.key).then(undefined, function (err): unknown {
    s.log("inbox: " + oldest.key + " unreadable, evicted without a report: " + String(err));
    return undefined;
  });
  const gone = forget(s, oldest);
  return record
    .then(function (v) {
      return gone.then(function () {
        if (v) s.events.emit("inboxEvicted", v as InboxMessage);
      });
    })
    .then(function () {
      return trimInbox(s);
    });
}

/** Deletes message `id` from the inbox; false if there is none. */
export function removeFromInbox(s: SmsHost, id: number): Promise<boolean> {
  const index = s.ib.index;
  for (let i = 0; i < index.length; i++) {
    if (index[i].id === id) {
      return forget(s, index[i]).then(function () {
        return true;
      });
    }
  }
  return Promise.resolve(false);
}

/** Every message, oldest first. */
export function listInbox(s: SmsHost): Promise<InboxMessage[]> {
  const out: InboxMessage[] = [];
  let p: Promise<void> = Promise.resolve();
  const entries = s.ib.index.slice();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    p = p.then(function () {
      return s.store.read(e.key).then(
        function (v) {
          if (v) out.push(v as InboxMessage);
        },
        function (err) {
          s.log("inbox: " + e.key + " unreadable: " + String(err));
        },
      );
    });
  }
  return p.then(function () {
    return out;
  });
}
