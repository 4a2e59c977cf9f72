/**
 * Reassembly of concatenated messages (23.040 §9.2.3.24.1 / .8), in any arrival order.
 *
 * - Parts belong together when they have the same peer (the originator of a DELIVER, the
 *   destination of a SUBMIT), the same reference and the same total; the part number says
 *   where each goes. A part already held is ignored (the network repeats parts whose
 *   acknowledgement was lost), and so is a late copy of a part of a message completed
 *   within the timeout, recognised by its part number and a checksum of its body.
 * - Time comes from the caller (`nowMs` on every call); the reassembler has no timers. A
 *   message still incomplete `timeoutMs` after its first part arrived is handed back as
 *   incomplete, with the numbers of the missing parts, by the next `add` or `expire`.
 * - Memory is bounded: at most `maxMessages` incomplete messages and `maxParts` parts in
 *   all. When a new part would pass either bound, the incomplete message whose first part
 *   arrived earliest (the one most likely never to complete) is handed back as incomplete
 *   ("evicted"); the message the new part belongs to goes last.
 * - The text is rebuilt from the joined bodies of adjacent parts, so an escape sequence or a
 *   surrogate pair that a sender cut between two parts still comes out whole.
 *
 * Portable: no Map (Espruino has none); lists are short (bounded above) and searched
 * linearly.
 */
import type { SmsAddress, SmsDeliver, SmsSubmit } from "./types.js";
import { decodeGsm7 } from "./gsm7.js";
import { decodeUcs2 } from "./ucs2.js";
import { stringFromCodePoints } from "./text.js";

/** What the reassembler takes: a decoded DELIVER (or SUBMIT, keyed by its destination). */
export type SmsPart = SmsDeliver | SmsSubmit;

export interface ReassemblerOptions {
  /** Give up on an incomplete message this long after its first part (default 24 h). */
  timeoutMs?: number;
  /** Incomplete messages held at most (default 8). */
  maxMessages?: number;
  /** Parts held at most, over all incomplete messages (default 64). */
  maxParts?: number;
}

/** A message handed back by the reassembler, complete or not. */
export interface AssembledMessage {
  /** `complete`, or why it comes incomplete: `expired` (timeout) or `evicted` (memory bound). */
  status: "complete" | "expired" | "evicted";
  /** The originator (DELIVER) or destination (SUBMIT). */
  peer: SmsAddress;
  /** The concatenation reference, its size in bits and the part count; null for a single message. */
  concat: { ref: number; refBits: number; total: number } | null;
  /** Numbers (1-based) of the parts that never came; empty when complete. */
  missing: number[];
  /** The parts held, in part order. */
  parts: SmsPart[];
  /** The text of the parts held, joined; null if any of them is 8-bit data or compressed. */
  text: string | null;
  /** When the first part arrived, on the caller's clock. */
  firstAt: number;
}

interface Pending {
  key: string;
  peer: SmsAddress;
  ref: number;
  refBits: number;
  total: number;
  parts: SmsPart[];
  firstAt: number;
}

interface Completed {
  key: string;
  at: number;
  /** Checksum of each part's body, by part number - 1. */
  sums: Int32Array;
}

function peerOf(p: SmsPart): SmsAddress {
  return p.type === "deliver" ? p.originator : p.destination;
}

function seqOf(p: SmsPart): number {
  return p.concat ? p.concat.seq : 1;
}

/** A 32-bit checksum of a part (Espruino has no Math.imul, hence the shift form of *31). */
function checksum(p: SmsPart): number {
  let h = seqOf(p) | (p.dcs.raw << 8);
  for (let i = 0; i < p.body.length; i++) h = ((h << 5) - h + p.body[i]) | 0;
  return h;
}

/** Joins the bodies of parts that follow each other, then decodes them as one text. */
function joinText(parts: SmsPart[]): string | null {
  const cps: number[] = [];
  let i = 0;
  while (i < parts.length) {
    const dcs = parts[i].dcs;
    if (dcs.compressed || dcs.alphabet === "8bit") return null;
    let j = i + 1;
    let size = parts[i].body.length;
    while (j < parts.length && seqOf(parts[j]) === seqOf(parts[j - 1]) + 1 && parts[j].dcs.alphabet === dcs.alphabet && !parts[j].dcs.compressed) {
      size += parts[j].body.length;
      j++;
    }
    const run = new Uint8Array(size);
    let o = 0;
    for (let k = i; k < j; k++) {
      run.set(parts[k].body, o);
      o += parts[k].body.length;
    }
    const got = dcs.alphabet === "gsm7" ? decodeGsm7(run) : decodeUcs2(run);
    for (let k = 0; k < got.length; k++) cps.push(got[k]);
    i = j;
  }
  return stringFromCodePoints(cps);
}

function positive(v: number | undefined, dflt: number): number {
  return v !== undefined && v > 0 ? v : dflt;
}

export class Reassembler {
  private readonly timeoutMs: number;
  private readonly maxMessages: number;
  private readonly maxParts: number;
  private pending: Pending[];
  private completed: Completed[];
  private held: number;

  constructor(options?: ReassemblerOptions) {
    const o = options || {};
    this.timeoutMs = positive(o.timeoutMs, 24 * 3600 * 1000);
    this.maxMessages = positive(o.maxMessages, 8);
    this.maxParts = positive(o.maxParts, 64);
    this.pending = [];
    this.completed = [];
    this.held = 0;
  }

  /** Incomplete messages held. */
  pendingMessages(): number {
    return this.pending.length;
  }

  /** Parts held in incomplete messages. */
  pendingParts(): number {
    return this.held;
  }

  /**
   * Adds a decoded part received at `nowMs`. Returns the messages this completes or pushes
   * out, oldest first: the message itself once its last part is in (a message that was
   * never split at once), plus any expired or evicted incomplete ones. Usually empty or one.
   */
  add(part: SmsPart, nowMs: number): AssembledMessage[] {
    const out = this.expire(nowMs);
    const c = part.concat;
    const peer = peerOf(part);
    if (!c) {
      out.push({ status: "complete", peer: peer, concat: null, missing: [], parts: [part], text: part.text, firstAt: nowMs });
      return out;
    }
    const key = peer.number + "|" + c.ref + "|" + c.total;
    for (let i = 0; i < this.completed.length; i++) {
      const done = this.completed[i];
      if (done.key === key && done.sums[c.seq - 1] === checksum(part)) return out; // late copy
    }
    let p: Pending | null = null;
    for (let i = 0; i < this.pending.length; i++) if (this.pending[i].key === key) p = this.pending[i];
    if (p === null) {
      p = { key: key, peer: peer, ref: c.ref, refBits: c.refBits, total: c.total, parts: [], firstAt: nowMs };
      this.pending.push(p);
    }
    let at = 0;
    while (at < p.parts.length && seqOf(p.parts[at]) < c.seq) at++;
    if (at < p.parts.length && seqOf(p.parts[at]) === c.seq) return out; // duplicate
    p.parts.splice(at, 0, part);
    this.held++;
    if (p.parts.length === p.total) {
      this.remove(p);
      this.remember(p, nowMs);
      out.push(this.assemble(p, "complete"));
      return out;
    }
    while (this.pending.length > this.maxMessages || this.held > this.maxParts) {
      let victim: Pending = p;
      for (let i = 0; i < this.pending.length; i++) {
        const q = this.pending[i];
        if (q !== p && (victim === p || q.firstAt < victim.firstAt)) victim = q;
      }
      this.remove(victim);
      out.push(this.assemble(victim, "evicted"));
    }
    return out;
  }

  /**
   * Hands back, as incomplete ("expired"), every message whose first part arrived
   * `timeoutMs` or more before `nowMs`, oldest first; forgets old completed keys too.
   */
  expire(nowMs: number): AssembledMessage[] {
    const out: AssembledMessage[] = [];
    const keep: Pending[] = [];
    const gone: Pending[] = [];
    for (let i = 0; i < this.pending.length; i++) {
      const p = this.pending[i];
      if (nowMs - p.firstAt >= this.timeoutMs) gone.push(p);
      else keep.push(p);
    }
    this.pending = keep;
    gone.sort(function (a, b) { return a.firstAt - b.firstAt; });
    for (let i = 0; i < gone.length; i++) {
      this.held -= gone[i].parts.length;
      out.push(this.assemble(gone[i], "expired"));
    }
    const timeoutMs = this.timeoutMs;
    this.completed = this.completed.filter(function (d) { return nowMs - d.at < timeoutMs; });
    return out;
  }

  private remove(p: Pending): void {
    const i = this.pending.indexOf(p);
    if (i >= 0) this.pending.splice(i, 1);
    this.held -= p.parts.length;
  }

  private remember(p: Pending, nowMs: number): void {
    const sums = new Int32Array(p.total);
    for (let i = 0; i < p.parts.length; i++) sums[seqOf(p.parts[i]) - 1] = checksum(p.parts[i]);
    this.completed.push({ key: p.key, at: nowMs, sums: sums });
    if (this.completed.length > this.maxMessages) this.completed.shift();
  }

  private assemble(p: Pending, status: "complete" | "expired" | "evicted"): AssembledMessage {
    const missing: number[] = [];
    let k = 0;
    for (let seq = 1; seq <= p.total; seq++) {
      if (k < p.parts.length && seqOf(p.parts[k]) === seq) k++;
      else missing.push(seq);
    }
    return {
      status: status,
      peer: p.peer,
      concat: { ref: p.ref, refBits: p.refBits, total: p.total },
      missing: missing,
      parts: p.parts,
      text: joinText(p.parts),
      firstAt: p.firstAt,
    };
  }
}
