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

function hex8(n: number): string {
  let s = (n >>> 0).toString(16);
  while (s.length < 8) s = "0" + s;
  return s;
}

/** 32-bit string hashes (Espruino has no Math.imul, hence the shift forms of *31 and *33). */
function hash2(s: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 5381;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = ((a << 5) - a + c) | 0;
    b = ((b << 5) + b + (c ^ (i & 0xff))) | 0;
  }
  return hex8(a) + hex8(b);
}

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
  return hash2(partIdentity(d));
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

/** The parts held, in arrival order. Bounded by the caller (Incoming evicts). */
export class PendingParts {
  private held: HeldPart[] = [];

  has(hash: string): boolean {
    for (let i = 0; i < this.held.length; i++) if (this.held[i].hash === hash) return true;
    return false;
  }

  add(p: HeldPart): void {
    if (!this.has(p.hash)) this.held.push(p);
  }

  remove(hash: string): void {
    for (let i = 0; i < this.held.length; i++) {
      if (this.held[i].hash === hash) {
        this.held.splice(i, 1);
        return;
      }
    }
  }

  count(): number {
    return this.held.length;
  }

  /** The parts of a group, by part number; each part number once. */
  group(group: string): HeldPart[] {
    const out: HeldPart[] = [];
    for (let i = 0; i < this.held.length; i++) {
      const p = this.held[i];
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
  complete(group: string): boolean {
    const g = this.group(group);
    return g.length > 0 && g.length >= g[0].total;
  }

  /** Groups, oldest first (by their first part's arrival). */
  groups(): string[] {
    const out: string[] = [];
    for (let i = 0; i < this.held.length; i++) if (out.indexOf(this.held[i].group) < 0) out.push(this.held[i].group);
    const self = this;
    return out.sort(function (a, b) {
      return self.firstAt(a) - self.firstAt(b);
    });
  }

  firstAt(group: string): number {
    let t = Infinity;
    for (let i = 0; i < this.held.length; i++) if (this.held[i].group === group && this.held[i].at < t) t = this.held[i].at;
    return t;
  }

  /** Every part held under a group (duplicates of a part number included). */
  all(group: string): HeldPart[] {
    const out: HeldPart[] = [];
    for (let i = 0; i < this.held.length; i++) if (this.held[i].group === group) out.push(this.held[i]);
    return out;
  }
}
