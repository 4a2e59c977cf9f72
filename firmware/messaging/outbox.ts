/**
 * The persistent outbox and the sent history.
 *
 * A message the API accepted is a record in Storage (`sms.o.<id>`) before `send` resolves,
 * so it survives a reboot, a modem crash or a power cut. The record keeps, per part, the
 * TP-MR the modem confirmed (`+CMGS: <mr>`, 27.005 §3.5.1): a part with an MR is never
 * submitted again; the others are retried (sender.ts). When every part has an MR, or the
 * message failed for good, the record moves to the sent history (`sms.h.<id>`), which
 * stays on this device (SPEC R63) and is bounded (oldest dropped).
 *
 * Exactly once across any interruption (23.040 §9.2.3.6, §9.2.3.25): before a part is
 * written to the modem, the TP-MR it will carry is stored in the record (`tpMrs`), from a
 * persistent counter (the SIM's Last-Used-TP-MR, kept here in `sms.meta`). A part that
 * has a stored TP-MR but no confirmation may have reached the service centre: it is sent
 * again with the same TP-MR and TP-RD = 1, so the SC refuses the duplicate (TP-FCS 0xC5,
 * `+CMS ERROR: 197`), which the sender takes as "delivered".
 *
 * The parts themselves are not stored: they are rebuilt from the text with the same
 * reference (`submitParts` is a pure function), which keeps each rewrite small.
 *
 * Concatenation references (23.040 §9.2.3.24.1): every device of a shared number sends
 * with the same originating address, so a receiver that reassembles by originator +
 * reference + total merges the parts of two accessories that pick the same reference.
 * Each device therefore counts from a base of its own, taken from its IMEI, and the
 * counter is persisted (`sms.meta`, written before the record that uses it: a cut skips a
 * reference, never reuses one still in flight). The reference is given when the first
 * part is about to go (the IMEI is known then, after bring-up) and kept in the record, so
 * every part and every resend carry it. By default it is the 16-bit reference (IE 0x08,
 * §9.2.3.24.8): the modem passes our PDU through unread, and 65,536 values make two
 * devices' counters meeting within one message's lifetime far less likely than 256 do.
 */
import { SmsEncodeError, UnencodableTextError, submitParts, type SubmitPart } from "../../drivers/sms/index.js";
import { messagingError, errorText } from "./errors.js";
import type { OutboxState } from "./state.js";
import { KEY, type Store, keyNumber, pad, readValues } from "./store.js";

export type OutState = "pending" | "sent" | "failed";

/** One outgoing message, as `outbox()` and `sentHistory()` list it. */
export interface OutMessage {
  id: number;
  /** The recipient as validated (digits, `+` first for international). */
  to: string;
  text: string;
  statusReport: boolean;
  /** When the API accepted it (clock ms). */
  created: number;
  /** The concatenation reference of its parts (23.040 §9.2.3.24.1); -1 until its first part goes. */
  ref: number;
  /** 8 or 16: the size of that reference (IE 0x00 or 0x08); records from before it was kept: 8. */
  refBits?: number;
  /** Per part: the TP-MR the modem confirmed, or null while not confirmed. */
  mrs: (number | null)[];
  /**
   * Per part: the TP-MR this device gave it before writing it to the modem, or null
   * while never written. Set and not confirmed: resent with TP-RD = 1 and this TP-MR.
   */
  tpMrs: (number | null)[];
  /** Per part: TP-ST of its status report (23.040 §9.2.3.15), or null. */
  reports: (number | null)[];
  /** Failed attempts so far. */
  attempts: number;
  /** Not before this time (clock ms) is the next attempt made. */
  next: number;
  state: OutState;
  /** The last error, in words ("" if none). */
  error: string;
  /** When it was sent or given up (clock ms), 0 before. */
  done: number;
}

const SEPARATORS = " -().";

/**
 * A recipient number: an optional leading `+` then 1 to 20 digits; spaces, dashes, dots
 * and brackets people type are removed. Anything else (letters, `*`, `#`, quotes, control
 * characters) is refused, so nothing but digits ever reaches a PDU address.
 */
export function validateNumber(to: unknown): string {
  if (typeof to !== "string") throw messagingError("bad-number", "the recipient must be a phone number, got " + typeof to);
  let out = "";
  for (let i = 0; i < to.length; i++) {
    const ch = to.charAt(i);
    if (SEPARATORS.indexOf(ch) >= 0) continue;
    const c = ch.charCodeAt(0);
    if (ch === "+" && out.length === 0) out = "+";
    else if (c >= 48 && c <= 57) out += ch;
    else throw messagingError("bad-number", "the recipient " + JSON.stringify(to) + " is not a phone number: character " + JSON.stringify(ch) + " is not allowed");
  }
  const digits = out.charAt(0) === "+" ? out.length - 1 : out.length;
  if (digits < 1 || digits > 20) throw messagingError("bad-number", "the recipient " + JSON.stringify(to) + " must have 1 to 20 digits");
  return out;
}

type PartSource = { to: string; text: string; ref: number; refBits?: number; statusReport: boolean };

/** The parts of a message, as they go to `AT+CMGS` (23.040 SMS-SUBMIT, cheapest alphabet). */
export function buildParts(m: PartSource, maxParts: number): SubmitPart[] {
  return submitParts(m.text, { to: m.to, ref: m.ref < 0 ? 0 : m.ref, refBits: m.refBits || 8, statusReport: m.statusReport, maxParts: maxParts });
}

/** Part `index` with its own TP-MR, and TP-RD set when it repeats an earlier submission. */
export function buildPart(m: PartSource, maxParts: number, index: number, mr: number, repeat: boolean): SubmitPart {
  const parts = submitParts(m.text, { to: m.to, ref: m.ref, refBits: m.refBits || 8, statusReport: m.statusReport, maxParts: maxParts, mr: mr, rejectDuplicates: repeat });
  return parts[index];
}

/**
 * This device's first concatenation reference: a 16-bit hash of its identity (the IMEI;
 * "" gives 0), so that devices of one number start far apart and stay apart as each
 * counts up by one per message.
 */
export function referenceBase(identity: string): number {
  let h = 5381;
  for (let i = 0; i < identity.length; i++) h = ((h << 5) + h + identity.charCodeAt(i)) | 0;
  return (h ^ (h >> 16)) & 0xffff;
}

/** Checks a text can be sent in at most `maxParts` parts; gives the part count or throws MessagingError. */
export function validateText(text: unknown, maxParts: number, refBits?: number): number {
  if (typeof text !== "string") throw messagingError("bad-text", "the message text must be a string, got " + typeof text);
  if (text.length === 0) throw messagingError("bad-text", "the message is empty");
  try {
    return buildParts({ to: "0", text: text, ref: 0, refBits: refBits || 8, statusReport: false }, maxParts).length;
  } catch (e) {
    if (UnencodableTextError.is(e)) throw messagingError("bad-text", "the message cannot be sent: " + e.message);
    if (SmsEncodeError.is(e) && e.field === "text") throw messagingError("too-long", "the message is too long: " + e.detail);
    throw messagingError("bad-text", "the message cannot be sent: " + errorText(e));
  }
}

/** Digits of a number without `+`, for comparing national and international forms. */
function digitsOf(n: string): string {
  return n.charAt(0) === "+" ? n.substr(1) : n;
}

function sameNumber(a: string, b: string): boolean {
  const x = digitsOf(a);
  const y = digitsOf(b);
  if (x === y) return true;
  // +81 90... vs 090...: compare the subscriber part (the last 8 digits).
  return x.length >= 8 && y.length >= 8 && x.substr(x.length - 8) === y.substr(y.length - 8);
}

function partWithMr(mrs: (number | null)[], to: string, mr: number, recipient: string): number {
  for (let i = 0; i < mrs.length; i++) {
    if (mrs[i] === mr && (recipient === "" || sameNumber(to, recipient))) return i;
  }
  return -1;
}

function inHistory(ob: OutboxState, id: number): boolean {
  for (let i = 0; i < ob.history.length; i++) if (ob.history[i].id === id) return true;
  return false;
}

function meta(ob: OutboxState): { next: number; mr: number; rc: number } {
  return { next: ob.nextId, mr: ob.lastMr, rc: ob.refCount };
}

/** Writes a pending message's current state (serialised when the write runs). */
export function saveMessage(store: Store, m: OutMessage): Promise<void> {
  return store.put(KEY.outbox + pad(m.id, 6), function () {
    return m;
  });
}

function trimHistory(store: Store, ob: OutboxState, maxHistory: number): Promise<void> {
  if (ob.history.length <= maxHistory) return Promise.resolve();
  const e = ob.history.shift()!;
  return store.remove(e.key).then(function () {
    return trimHistory(store, ob, maxHistory);
  });
}

/** Reads the counters, the history index and the pending messages. */
export function loadOutbox(store: Store, ob: OutboxState, log: (line: string) => void): Promise<void> {
  const bad = function (key: string, e: unknown) {
    log("outbox: record " + key + " unreadable, skipped: " + errorText(e));
  };
  return store
    .read(KEY.meta)
    .then(
      function (meta) {
        const m = meta as { next?: number; mr?: number; rc?: number } | undefined;
        if (m && typeof m.next === "number" && m.next > ob.nextId) ob.nextId = m.next;
        if (m && typeof m.rc === "number" && m.rc >= 0 && m.rc === Math.floor(m.rc)) ob.refCount = m.rc;
        if (m && typeof m.mr === "number" && m.mr >= 0 && m.mr <= 255) ob.lastMr = m.mr;
      },
      function (e) {
        bad(KEY.meta, e);
      },
    )
    .then(function () {
      return store.readAll(KEY.history, bad);
    })
    .then(function (hist) {
      ob.history = [];
      for (let i = 0; i < hist.length; i++) {
        const r = hist[i].value as OutMessage;
        ob.history.push({ id: r.id, key: hist[i].key, to: r.to, mrs: r.mrs });
        if (r.id >= ob.nextId) ob.nextId = r.id + 1;
      }
      return store.readAll(KEY.outbox, bad);
    })
    .then(function (recs) {
      ob.pending = [];
      let p: Promise<void> = Promise.resolve();
      for (let i = 0; i < recs.length; i++) {
        const r = recs[i].value as OutMessage;
        const id = keyNumber(recs[i].key, KEY.outbox);
        if (!r || !Array.isArray(r.mrs)) continue;
        if (!Array.isArray(r.tpMrs) || r.tpMrs.length !== r.mrs.length) r.tpMrs = r.mrs.map(function () {
          return null;
        });
        if (id >= ob.nextId) ob.nextId = id + 1;
        const key = recs[i].key;
        if (inHistory(ob, r.id)) {
          // A cut between writing the history record and removing this one: finish the move.
          p = p.then(function () {
            return store.remove(key);
          });
        } else ob.pending.push(r);
      }
      return p;
    });
}

/** Makes a validated message durable; resolves with its record. */
export function acceptMessage(store: Store, ob: OutboxState, to: string, text: string, statusReport: boolean, parts: number, now: number, refBits: number): Promise<OutMessage> {
  const id = ob.nextId++;
  const mrs: (number | null)[] = [];
  const tpMrs: (number | null)[] = [];
  const reports: (number | null)[] = [];
  for (let i = 0; i < parts; i++) {
    mrs.push(null);
    tpMrs.push(null);
    reports.push(null);
  }
  const m: OutMessage = {
    id: id,
    to: to,
    text: text,
    statusReport: statusReport,
    created: now,
    // Given when the first part goes (assignRef); a single part carries none.
    ref: parts > 1 ? -1 : 0,
    refBits: refBits,
    mrs: mrs,
    tpMrs: tpMrs,
    reports: reports,
    attempts: 0,
    next: now,
    state: "pending",
    error: "",
    done: 0,
  };
  return store
    .put(KEY.meta, meta(ob))
    .then(function () {
      return store.put(KEY.outbox + pad(id, 6), m);
    })
    .then(function () {
      ob.pending.push(m);
      return m;
    });
}

/**
 * Gives `m` its concatenation reference: this device's base (from `identity`, its IMEI)
 * plus the persisted counter, made durable before any part carries it (the counter
 * first, then the record, as assignMr does).
 */
export function assignRef(store: Store, ob: OutboxState, m: OutMessage, identity: string): Promise<number> {
  ob.refCount = (ob.refCount + 1) % 0x10000;
  const mask = m.refBits === 16 ? 0xffff : 0xff;
  const ref = (referenceBase(identity) + ob.refCount) & mask;
  return store
    .put(KEY.meta, meta(ob))
    .then(function () {
      m.ref = ref;
      return saveMessage(store, m);
    })
    .then(function () {
      return ref;
    });
}

/**
 * Gives part `index` of `m` its TP-MR and makes that durable before the part is
 * written (the counter first, then the record: a cut between them skips a number,
 * never reuses one). 1..255: a TP-MR of 0 would let the modem number the part itself.
 */
export function assignMr(store: Store, ob: OutboxState, m: OutMessage, index: number): Promise<number> {
  const mr = (ob.lastMr % 255) + 1;
  ob.lastMr = mr;
  return store
    .put(KEY.meta, meta(ob))
    .then(function () {
      m.tpMrs[index] = mr;
      return saveMessage(store, m);
    })
    .then(function () {
      return mr;
    });
}

/** Moves a sent or failed message to the history (bounded: the oldest entries go). */
export function finishMessage(store: Store, ob: OutboxState, m: OutMessage, maxHistory: number): Promise<void> {
  const hkey = KEY.history + pad(m.id, 6);
  return store
    .put(hkey, m)
    .then(function () {
      ob.history.push({ id: m.id, key: hkey, to: m.to, mrs: m.mrs });
      const i = ob.pending.indexOf(m);
      if (i >= 0) ob.pending.splice(i, 1);
      return store.remove(KEY.outbox + pad(m.id, 6));
    })
    .then(function () {
      return trimHistory(store, ob, maxHistory);
    });
}

/** The sent history, oldest first. */
export function readHistory(store: Store): Promise<OutMessage[]> {
  return readValues<OutMessage>(store, KEY.history);
}

/**
 * Records a status report (R66: matched by TP-MR to the message this device sent, the
 * newest first; the recipient number confirms it when both are known). Resolves with
 * the message and part index (`changed` false for a repeated report), or undefined
 * when no message of ours has that MR.
 */
export function recordReport(store: Store, ob: OutboxState, mr: number, recipient: string, status: number): Promise<{ message: OutMessage; part: number; changed: boolean } | undefined> {
  for (let i = ob.pending.length - 1; i >= 0; i--) {
    const m = ob.pending[i];
    const part = partWithMr(m.mrs, m.to, mr, recipient);
    if (part >= 0) {
      if (m.reports[part] === status) return Promise.resolve({ message: m, part: part, changed: false });
      m.reports[part] = status;
      return saveMessage(store, m).then(function () {
        return { message: m, part: part, changed: true };
      });
    }
  }
  for (let i = ob.history.length - 1; i >= 0; i--) {
    const h = ob.history[i];
    const part = partWithMr(h.mrs, h.to, mr, recipient);
    if (part < 0) continue;
    return store.read(h.key).then(function (v) {
      const m = v as OutMessage | undefined;
      if (!m) return undefined;
      if (m.reports[part] === status) return { message: m, part: part, changed: false };
      m.reports[part] = status;
      return store.put(h.key, m).then(function () {
        return { message: m, part: part, changed: true };
      });
    });
  }
  return Promise.resolve(undefined);
}

