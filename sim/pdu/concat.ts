/**
 * Concatenated short messages (3GPP TS 23.040 §9.2.3.24.1): splitting a long text into
 * parts that each fit one TPDU, and putting parts back together in any order.
 */
import { PduError } from "./errors.js";
import { gsm7Length } from "./gsm7.js";
import { Alphabet, Concat } from "./userdata.js";
import { DeliverInput, encodeDeliver, pickAlphabet } from "./tpdu.js";

/** Room per message: single, and per part with an 8-bit or 16-bit reference header (6 or 7 octets with UDHL). */
const LIMITS: { [a in Alphabet]: { single: number; part8: number; part16: number } } = {
  gsm7: { single: 160, part8: 153, part16: 152 }, // septets
  ucs2: { single: 70, part8: 67, part16: 66 }, // UTF-16 code units
  "8bit": { single: 140, part8: 134, part16: 133 }, // octets
};

function unitCost(alphabet: Alphabet, ch: string): number {
  if (alphabet === "gsm7") {
    const n = gsm7Length(ch);
    if (n === 0) throw PduError("character U+" + ch.charCodeAt(0).toString(16) + " is not in the GSM 7-bit alphabet", { field: "gsm7" });
    return n;
  }
  return 1;
}

/**
 * Splits `text` into the bodies of one or more parts. An extension-table character
 * (two septets) and a UTF-16 surrogate pair are never cut between parts.
 */
export function splitText(text: string, alphabet?: Alphabet, refBits: 8 | 16 = 8): string[] {
  const a = alphabet || pickAlphabet(text);
  const lim = LIMITS[a];
  let total = 0;
  for (let i = 0; i < text.length; i++) total += unitCost(a, text[i]);
  if (total <= lim.single) return [text];
  const max = refBits === 16 ? lim.part16 : lim.part8;
  const parts: string[] = [];
  let cur = "";
  let used = 0;
  for (let i = 0; i < text.length; i++) {
    let piece = text[i];
    const c = piece.charCodeAt(0);
    if (a === "ucs2" && c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) piece += text[++i];
    let cost = 0;
    for (let k = 0; k < piece.length; k++) cost += unitCost(a, piece[k]);
    if (used + cost > max) {
      parts.push(cur);
      cur = "";
      used = 0;
    }
    cur += piece;
    used += cost;
  }
  if (cur.length > 0) parts.push(cur);
  if (parts.length > 255) throw PduError("text needs " + parts.length + " parts, more than 255", { field: "TP-UDH" });
  return parts;
}

/** Encodes a text of any length as SMS-DELIVER TPDUs, concatenated with reference `ref` when it needs more than one. */
export function encodeDeliverParts(m: Omit<DeliverInput, "concat">, ref: number, refBits: 8 | 16 = 8): number[][] {
  const alphabet = m.alphabet || pickAlphabet(m.text);
  const bodies = splitText(m.text, alphabet, refBits);
  if (bodies.length === 1) return [encodeDeliver({ ...m, alphabet })];
  return bodies.map((body, i) =>
    encodeDeliver({ ...m, alphabet, text: body, concat: { ref: ref & (refBits === 16 ? 0xffff : 0xff), total: bodies.length, seq: i + 1, bits: refBits } }),
  );
}

/** One received part: who it is from (or to), its concatenation element, its text. */
export interface MessagePart {
  peer: string;
  concat?: Concat;
  text: string;
}

export interface AssembledMessage {
  peer: string;
  text: string;
  /** Parts expected (1 for a single message). */
  total: number;
  /** Parts present, by sequence number. */
  received: number[];
  complete: boolean;
  ref?: number;
}

/**
 * Reassembles parts, in any order, into messages keyed by peer + reference + total
 * (23.040 §9.2.3.24.1). A repeated part (same sequence number) is kept once. Messages
 * come back in the order their first part arrived; an incomplete one has the parts it
 * has, in order, and `complete: false`.
 */
export function reassemble(parts: MessagePart[]): AssembledMessage[] {
  const out: AssembledMessage[] = [];
  const groups: { [key: string]: { msg: AssembledMessage; texts: { [seq: number]: string } } } = {};
  for (const p of parts) {
    if (!p.concat || p.concat.total === 1) {
      out.push({ peer: p.peer, text: p.text, total: 1, received: [1], complete: true });
      continue;
    }
    const key = p.peer + "|" + p.concat.bits + "|" + p.concat.ref + "|" + p.concat.total;
    let g = groups[key];
    if (!g) {
      g = { msg: { peer: p.peer, text: "", total: p.concat.total, received: [], complete: false, ref: p.concat.ref }, texts: {} };
      groups[key] = g;
      out.push(g.msg);
    }
    if (g.texts[p.concat.seq] !== undefined) continue;
    g.texts[p.concat.seq] = p.text;
    g.msg.received.push(p.concat.seq);
    g.msg.received.sort((a, b) => a - b);
    let text = "";
    for (const seq of g.msg.received) text += g.texts[seq];
    g.msg.text = text;
    g.msg.complete = g.msg.received.length === g.msg.total;
  }
  return out;
}

export interface ReassemblerOptions {
  /**
   * How long a concatenated message may wait for its missing parts, from its first part
   * (ms). 23.040 §9.2.3.24.1 leaves the time to the receiver; we take 24 h, the firmware's
   * own `partTimeoutMs` (Android waits 7 days, which a soak of days would never reach).
   */
  timeoutMs: number;
  /** Messages waiting for parts at most; one more closes the oldest as it is. */
  maxOpen: number;
  /**
   * Closed messages listed at least (the list holds between this and twice this, plus the
   * open ones): a party that receives for days of virtual time must not grow with it.
   * Undefined keeps every message.
   */
  kept?: number;
}

export const defaultReassemblerOptions: ReassemblerOptions = { timeoutMs: 24 * 3600 * 1000, maxOpen: 64, kept: 1000 };

/** Why an incomplete message was closed. */
export type CloseReason = "timeout" | "overflow";

interface OpenGroup {
  key: string;
  msg: AssembledMessage;
  texts: { [seq: number]: string };
  deadline: number;
}

/**
 * A receiver's reassembly, incremental: a message is listed from its first part on and
 * filled as parts arrive; a group closes when it is complete, when its time is up
 * (`timeoutMs` after its first part) or when too many are open (the oldest goes), and a
 * closed group takes no more parts (a later part with the same key starts a new message,
 * which is how an 8-bit reference that wrapped is told apart). An incomplete message
 * that closes stays listed with `complete: false` and is reported to `onClose`.
 *
 * Time is the caller's: `add` and `expire` take `now`; `nextDeadline` says when to call
 * `expire` next, so the owner arms one timer on its own clock.
 */
export class Reassembler {
  /** Every message, in the order its first part arrived. */
  readonly messages: AssembledMessage[] = [];
  private open: OpenGroup[] = [];

  constructor(
    private readonly opts: ReassemblerOptions = defaultReassemblerOptions,
    private readonly onClose?: (m: AssembledMessage, why: CloseReason) => void,
  ) {}

  /** Messages still waiting for parts. */
  get openCount(): number {
    return this.open.length;
  }

  /** The earliest time an open message runs out, or undefined when none is open. */
  nextDeadline(): number | undefined {
    let d: number | undefined = undefined;
    for (const g of this.open) if (d === undefined || g.deadline < d) d = g.deadline;
    return d;
  }

  add(p: MessagePart, now: number): AssembledMessage {
    if (!p.concat || p.concat.total === 1) {
      const single: AssembledMessage = { peer: p.peer, text: p.text, total: 1, received: [1], complete: true };
      this.list(single);
      return single;
    }
    const key = p.peer + "|" + p.concat.bits + "|" + p.concat.ref + "|" + p.concat.total;
    let g = this.open.find((o) => o.key === key);
    if (!g) {
      if (this.open.length >= this.opts.maxOpen) this.close(this.open[0], "overflow");
      g = { key, msg: { peer: p.peer, text: "", total: p.concat.total, received: [], complete: false, ref: p.concat.ref }, texts: {}, deadline: now + this.opts.timeoutMs };
      this.open.push(g);
      this.list(g.msg);
    }
    if (g.texts[p.concat.seq] === undefined && p.concat.seq >= 1 && p.concat.seq <= p.concat.total) {
      g.texts[p.concat.seq] = p.text;
      g.msg.received.push(p.concat.seq);
      g.msg.received.sort((a, b) => a - b);
      g.msg.text = g.msg.received.map((seq) => g!.texts[seq]).join("");
      if (g.msg.received.length === g.msg.total) {
        g.msg.complete = true;
        this.open.splice(this.open.indexOf(g), 1);
      }
    }
    return g.msg;
  }

  /** Lists a new message; once the list holds twice `kept`, the oldest closed ones go. */
  private list(m: AssembledMessage): void {
    this.messages.push(m);
    const kept = this.opts.kept;
    if (kept === undefined || this.messages.length < 2 * kept + this.open.length) return;
    const openMsgs = new Set(this.open.map((g) => g.msg));
    let drop = this.messages.length - this.open.length - kept;
    const keep: AssembledMessage[] = [];
    for (const x of this.messages) {
      if (drop > 0 && !openMsgs.has(x)) drop--;
      else keep.push(x);
    }
    this.messages.length = 0;
    for (const x of keep) this.messages.push(x);
  }

  /** Closes every open message whose time is up at `now`; returns how many. */
  expire(now: number): number {
    const due = this.open.filter((g) => g.deadline <= now);
    for (const g of due) this.close(g, "timeout");
    return due.length;
  }

  private close(g: OpenGroup, why: CloseReason): void {
    this.open.splice(this.open.indexOf(g), 1);
    if (this.onClose) this.onClose(g.msg, why);
  }
}
