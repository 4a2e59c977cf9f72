/**
 * Received parts between their arrival and the complete message (23.040 §9.2.3.24.1).
 *
 * Every part is persisted (store.ts `sms.p.<hash>`) before the modem forgets it, so the
 * parts held here are also what survives a reboot: reassembly works across restarts.
 *
 * Identity (SPEC R75): originator + service-centre time stamp + concatenation reference
 * + segment number + body. A part whose identity is already held, or belongs to a message
 * already delivered, is a duplicate (a network retry after a lost acknowledgement, or the
 * same slot listed again after a power cut) and is stored once.
 */
import type { SmsDeliver } from "../../drivers/sms/index.js";
import { Reassembler, bytesToHex, sctsToEpochMs, sctsToIso } from "../../drivers/sms/index.js";
import { hash16 } from "../../hal/hash.js";

/** The R75 identity of a part as text. */
export function partIdentity(d: SmsDeliver): string {
  const t = d.timestamp;
  const c = d.concat;
  return [
    d.originator.type + ":" + d.originator.number,
    [t.year, t.month, t.day, t.hour, t.minute, t.second, t.offsetMinutes].join("-"),
    c ? c.refBits + ":" + c.ref + "/" + c.total : "-",
    c ? String(c.seq) : "1",
    d.dcs.raw + ":" + bytesToHex(d.body),
  ].join("|");
}

/** A short, storage-key-safe digest of the identity (16 hex digits). */
export function partHash(d: SmsDeliver): string {
  return hash16(partIdentity(d));
}

/** Parts of one message share originator, reference and total (23.040 §9.2.3.24.1). */
export function groupOf(d: SmsDeliver, hash: string): string {
  const c = d.concat;
  if (!c) return "1|" + hash;
  return d.originator.number + "|" + c.refBits + ":" + c.ref + "/" + c.total;
}

export interface HeldPart {
  hash: string;
  group: string;
  seq: number;
  total: number;
  /** When the part arrived (clock ms). */
  at: number;
  deliver: SmsDeliver;
}

/** What the inbox stores: a message put together from its parts. */
export interface AssembledSms {
  from: string;
  /** The text; for 8-bit data, "" (see `data`). */
  text: string;
  /** 8-bit data as hex, or null for text. */
  data: string | null;
  /** Service-centre time stamp of the first part held, ISO 8601 with its offset. */
  time: string;
  /** The same instant in ms since 1970 UTC. */
  timeMs: number;
  /** How many parts the message has. */
  parts: number;
  /** Part numbers that never came (empty when complete). */
  missing: number[];
  /** The identities of the parts held, for duplicate detection after delivery. */
  ids: string[];
}

export function makeHeld(d: SmsDeliver, at: number): HeldPart {
  const hash = partHash(d);
  return { hash: hash, group: groupOf(d, hash), seq: d.concat ? d.concat.seq : 1, total: d.concat ? d.concat.total : 1, at: at, deliver: d };
}

/** Builds the message from its parts (sorted by part number), complete or not. */
export function assemble(parts: HeldPart[]): AssembledSms {
  const sorted = parts.slice().sort(function (a, b) {
    return a.seq - b.seq;
  });
  // The codec's reassembler joins bodies before decoding, so an escape or a surrogate pair
  // a sender cut between two parts comes out whole.
  const r = new Reassembler({ timeoutMs: 1, maxMessages: 2, maxParts: 512 });
  let got: ReturnType<Reassembler["add"]> = [];
  for (let i = 0; i < sorted.length; i++) got = got.concat(r.add(sorted[i].deliver, 0));
  if (got.length === 0) got = r.expire(1);
  const m = got[got.length - 1];
  const first = sorted[0].deliver;
  let data: string | null = null;
  if (m.text === null) {
    data = "";
    for (let i = 0; i < sorted.length; i++) data += bytesToHex(sorted[i].deliver.body);
  }
  const ids: string[] = [];
  for (let i = 0; i < sorted.length; i++) ids.push(sorted[i].hash);
  return {
    from: first.originator.number,
    text: m.text === null ? "" : m.text,
    data: data,
    time: sctsToIso(first.timestamp),
    timeMs: sctsToEpochMs(first.timestamp),
    parts: sorted[0].total,
    missing: m.missing,
    ids: ids,
  };
}

/*
 * The parts held (Messaging's `held`, in arrival order; bounded by incoming.ts, which
 * evicts): a plain array, so that the cold receive module works on it between loads.
 */

export function heldHas(held: HeldPart[], hash: string): boolean {
  for (let i = 0; i < held.length; i++) if (held[i].hash === hash) return true;
  return false;
}

export function heldAdd(held: HeldPart[], p: HeldPart): void {
  if (!heldHas(held, p.hash)) held.push(p);
}

export function heldRemove(held: HeldPart[], hash: string): void {
  for (let i = 0; i < held.length; i++) {
    if (held[i].hash === hash) {
      held.splice(i, 1);
      return;
    }
  }
}

/** The parts of a group, by part number; each part number once. */
export function groupParts(held: HeldPart[], group: string): HeldPart[] {
  const out: HeldPart[] = [];
  for (let i = 0; i < held.length; i++) {
    const p = held[i];
    if (p.group !== group) continue;
    let dup = false;
    for (let k = 0; k < out.length; k++) if (out[k].seq === p.seq) dup = true;
    if (!dup) out.push(p);
  }
  return out.sort(function (a, b) {
    return a.seq - b.seq;
  });
}

/** Whether every part of the group is held. */
export function groupComplete(held: HeldPart[], group: string): boolean {
  const g = groupParts(held, group);
  return g.length > 0 && g.length >= g[0].total;
}

/** When the group's first part arrived (clock ms), Infinity for none. */
export function groupFirstAt(held: HeldPart[], group: string): number {
  let t = Infinity;
  for (let i = 0; i < held.length; i++) if (held[i].group === group && held[i].at < t) t = held[i].at;
  return t;
}

/** Groups, oldest first (by their first part's arrival). */
export function heldGroups(held: HeldPart[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < held.length; i++) if (out.indexOf(held[i].group) < 0) out.push(held[i].group);
  return out.sort(function (a, b) {
    return groupFirstAt(held, a) - groupFirstAt(held, b);
  });
}

/** Every part held under a group (duplicates of a part number included). */
export function groupAll(held: HeldPart[], group: string): HeldPart[] {
  const out: HeldPart[] = [];
  for (let i = 0; i < held.length; i++) if (held[i].group === group) out.push(held[i]);
  return out;
}
