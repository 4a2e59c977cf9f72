/**
 * The RAK8212's SMS decoding and inbox (a cold Storage module, `rak.pdu`: tools/bundle.ts
 * COLD_MODULES): loaded with `require` for one received PDU or one inbox listing and
 * dropped after. Its own SMS-DELIVER decoder, not drivers/sms: loaded on the 2,500-block
 * build that codec (with firmware/messaging's reassembly) took 1,023 blocks, and decoding
 * a three-part message on top of the firmware ran out of memory (measured); this one reads
 * only what the inbox needs (23.040 §9.2.2.1: originator, time stamp, DCS, the user data
 * header's concatenation element, the user data in GSM 7-bit, UCS-2 or 8-bit), with its
 * tables as strings. test/rak/pdu.test.ts checks it against drivers/sms.
 *
 * The inbox is the Storage files `sm<hash>`, one per received part: `<arrived ms>`, `<number>`,
 * `<group>`, `<seq>`, `<total>`, `<PDU hex>` separated by tabs (a group holds `|`) and a newline. The newline is last and written last:
 * a file cut by a power cut ends in unwritten flash (0xFF), so it is known as incomplete,
 * dropped, and the part read again from the SIM, which keeps it until the file is whole
 * (firmware/rak/phone.ts deletes it from the SIM only after the write). The hash is the
 * part's SPEC R75 identity (originator, time stamp, concatenation, body), so a part delivered twice, or
 * listed again from the SIM after a power cut, is one file. Messages are put together
 * from their parts when listed (concatenation, 23.040 §9.2.3.24.1; the bodies joined
 * before decoding, so an escape or a surrogate pair cut between two parts comes out
 * whole): reassembly needs no state but the files, and survives any restart.
 */
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import { hash16 } from "../../hal/hash.js";
import type { InboxMessage } from "../messaging/inbox.js";

/**
 * A received message as the inbox lists it: the shared firmware's InboxMessage, so app
 * code reads both alike (its parts' Storage files here are `sm<id>` of `ids`).
 */
export type RakMessage = InboxMessage;

/** One SMS-DELIVER as the inbox needs it. */
interface Part {
  from: string;
  time: string;
  ms: number;
  /** Concatenation: reference (-1: none), total, sequence. */
  ref: number;
  total: number;
  seq: number;
  /** 0 GSM 7-bit, 1 8-bit, 2 UCS-2 (23.038 §4). */
  abc: number;
  /** The user data after the header: septets (GSM) or octets, one char each. */
  body: string;
}

/**
 * 23.038 §6.2.1: the default alphabet, septet value -> code point, 4 hex digits each (a
 * string stays in flash; a literal with characters above U+00FF is read differently by
 * Espruino's Unicode and byte builds).
 */
const GSM =
  "004000a3002400a500e800e900f900ec00f200c7000a00d800f8000d00c500e50394005f03a60393039b03a903a003a803a30398039e001b00c600e600df00c9002000210022002300a400250026002700280029002a002b002c002d002e002f0030003100320033003400350036003700380039003a003b003c003d003e003f" +
  "00a1004100420043004400450046004700480049004a004b004c004d004e004f0050005100520053005400550056005700580059005a00c400d600d100dc00a700bf006100620063006400650066006700680069006a006b006c006d006e006f0070007100720073007400750076007700780079007a00e400f600f100fc00e0";
/** 23.038 §6.2.1.1: the extension table, the septet after ESC and its code point. */
const EXT_SEPTETS = "\n\u0014()/<=>@e";
const EXT_CODES = "000c005e007b007d005c005b007e005d007c20ac";
/** 23.040 §9.1.2.5 semi-octets of an address: 0-9, then * # a b c. */
const DIGITS = "0123456789*#abc";

function octet(hex: string, i: number): number {
  const v = parseInt(hex.substr(2 * i, 2), 16);
  if (!(v >= 0)) throw new Error("not a PDU: octet " + i);
  return v;
}

/** Unpacks `n` septets from the octets at `at` (23.038 §6.1.2.1.1). */
function septets(hex: string, at: number, n: number): string {
  let out = "";
  for (let k = 0; k < n; k++) {
    const bit = k * 7;
    const i = at + (bit >> 3);
    const lo = octet(hex, i) >> (bit & 7);
    const hi = (bit & 7) > 1 ? octet(hex, i + 1) << (8 - (bit & 7)) : 0;
    out += String.fromCharCode((lo | hi) & 0x7f);
  }
  return out;
}

/** Espruino's `E`: undefined on Node. */
declare const E: { asUTF8?: (s: string) => string } | undefined;

/** Whether strings hold UTF-16 units (Node) or bytes/UTF-8 (Espruino: `fromCharCode` keeps only the low byte). */
const UTF16 = String.fromCharCode(0x3042).charCodeAt(0) === 0x3042;

/**
 * Code point `c` appended to `out`, on every engine (drivers/sms/text.ts has the
 * measurements): on Node as UTF-16 units, on Espruino as UTF-8 bytes (utf8() flags them).
 * One character at a time, not an array of code points: an array of a 150-character
 * message's code points held about 230 more blocks at the decoding's peak (measured on the
 * 2,500-block build, docs/espruino.md).
 */
function put(out: string, c: number): string {
  if (UTF16) return out + (c > 0xffff ? String.fromCharCode(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff)) : String.fromCharCode(c));
  if (c < 0x80) return out + String.fromCharCode(c);
  if (c < 0x800) return out + String.fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 63));
  if (c < 0x10000) return out + String.fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  return out + String.fromCharCode(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
}

/** put()'s bytes as text: flagged as UTF-8 where the build has Unicode (`E.asUTF8`), else kept as UTF-8 bytes. */
function utf8(out: string): string {
  if (UTF16 || typeof E === "undefined" || !E || typeof E.asUTF8 !== "function") return out;
  try {
    return E.asUTF8(out);
  } catch (e) {
    // A build without Unicode: its strings are bytes, and UTF-8 bytes are what a terminal shows.
    return out;
  }
}

/** GSM 7-bit septets as text (ESC x from the extension table; an unknown one is a space). */
function gsmText(body: string): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x1b && i + 1 < body.length) {
      const k = EXT_SEPTETS.indexOf(body.charAt(++i));
      out = put(out, k >= 0 ? parseInt(EXT_CODES.substr(4 * k, 4), 16) : 0x20);
    } else out = put(out, parseInt(GSM.substr(4 * c, 4), 16));
  }
  return utf8(out);
}

/** Octet pairs as UTF-16 code units, a surrogate pair joined into its code point. */
function ucs2Text(body: string): string {
  let out = "";
  for (let i = 0; i + 1 < body.length; i += 2) {
    let u = (body.charCodeAt(i) << 8) | body.charCodeAt(i + 1);
    const lo = i + 3 < body.length ? (body.charCodeAt(i + 2) << 8) | body.charCodeAt(i + 3) : 0;
    if (u >= 0xd800 && u <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
      u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
      i += 2;
    }
    out = put(out, u);
  }
  return utf8(out);
}

function two(n: number): string {
  return (n < 10 ? "0" : "") + n;
}

/** 23.040 §9.2.3.11 swapped semi-octets. */
function bcd(o: number): number {
  return (o & 15) * 10 + (o >> 4);
}

/** Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
function days(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** 23.038 §4: the alphabet of a DCS (0 GSM 7-bit, 1 8-bit, 2 UCS-2); -1 compressed or reserved. */
function alphabet(dcs: number): number {
  const g = dcs >> 4;
  if (g < 4) return dcs & 0x20 ? -1 : (dcs >> 2) & 3;
  if (g === 12 || g === 13) return 0;
  if (g === 14) return 2;
  if (g === 15) return dcs & 4 ? 1 : 0;
  return -1;
}

/** Reads an SMS-DELIVER (27.005 PDU mode: SMSC field first); undefined for any other TPDU. */
function readDeliver(hex: string): Part | undefined {
  let p = 1 + octet(hex, 0);
  const first = octet(hex, p++);
  if ((first & 3) !== 0 && (first & 3) !== 3) return undefined;
  const digits = octet(hex, p++);
  const toa = octet(hex, p++);
  const len = (digits + 1) >> 1;
  let from = "";
  if ((toa & 0x70) === 0x50) from = gsmText(septets(hex, p, Math.floor((digits * 4) / 7)));
  else {
    for (let i = 0; i < digits; i++) from += DIGITS.charAt((octet(hex, p + (i >> 1)) >> ((i & 1) * 4)) & 15);
    if ((toa & 0x70) === 0x10) from = "+" + from;
  }
  p += len + 1;
  const dcs = octet(hex, p++);
  const t: number[] = [];
  for (let i = 0; i < 6; i++) t.push(bcd(octet(hex, p + i)));
  const tz = octet(hex, p + 6);
  const off = ((tz & 7) * 10 + (tz >> 4)) * 15 * (tz & 8 ? -1 : 1);
  p += 7;
  const year = t[0] < 90 ? 2000 + t[0] : 1900 + t[0];
  const udl = octet(hex, p++);
  const abc = alphabet(dcs);
  let ref = -1;
  let total = 1;
  let seq = 1;
  let head = 0;
  if (first & 0x40) {
    head = octet(hex, p) + 1;
    for (let i = p + 1; i < p + head; ) {
      const id = octet(hex, i);
      const l = octet(hex, i + 1);
      // 23.040 §9.2.3.24.1 (8-bit reference) and .8 (16-bit).
      if ((id === 0 && l === 3) || (id === 8 && l === 4)) {
        ref = id === 0 ? octet(hex, i + 2) : octet(hex, i + 2) * 256 + octet(hex, i + 3);
        total = octet(hex, i + l);
        seq = octet(hex, i + l + 1);
      }
      i += 2 + l;
    }
    if (!(total >= 1 && seq >= 1 && seq <= total)) {
      ref = -1;
      total = seq = 1;
    }
  }
  let body = "";
  if (abc === 0) body = septets(hex, p, udl).slice(Math.ceil((head * 8) / 7));
  else for (let i = head; i < udl; i++) body += String.fromCharCode(octet(hex, p + i));
  return {
    from: from,
    time: year + "-" + two(t[1]) + "-" + two(t[2]) + "T" + two(t[3]) + ":" + two(t[4]) + ":" + two(t[5]) + (off < 0 ? "-" : "+") + two(Math.floor(Math.abs(off) / 60)) + ":" + two(Math.abs(off) % 60),
    ms: ((days(year, t[1], t[2]) * 24 + t[3]) * 60 + t[4] - off) * 60000 + t[5] * 1000,
    ref: ref,
    total: total,
    seq: seq,
    abc: abc,
    body: body,
  };
}


/** SPEC R75: a part's identity (originator, time stamp, concatenation, body) as 16 hex digits. */
function identity(d: Part): string {
  return hash16([d.from, d.time, d.ref + "/" + d.total, d.seq, d.abc, d.body].join("|"));
}

/** The prefix of the inbox's files, and of the unreadable PDUs kept aside. */
export const PART = "sm";
const ASIDE = "sq";

/** Whether a stored part is whole (see the file comment). */
function whole(s: string | undefined): s is string {
  return !!s && s.charCodeAt(s.length - 1) === 10;
}

/** The Storage file name of a part, and its message group (originator, reference, total; a lone part is its own). */
function keys(d: Part): { name: string; group: string } {
  const id = identity(d);
  return { name: PART + id, group: d.ref < 0 ? "1|" + id : d.from + "|" + d.ref + "/" + d.total };
}

/**
 * Stores the PDU `hex` (as +CMGR/+CMGL/+CMT give it) as an inbox part, arrived at `now`.
 * Returns "" when nothing new was stored (a duplicate), the part's group when it was,
 * "!" when the PDU is no SMS-DELIVER or unreadable (kept aside as `sq<n>`), and "full"
 * when Storage refused the write: the caller then must leave the message on the SIM.
 */
export function rakStore(flash: FlashStorageModule, hex: string, now: number): string {
  let d: Part | undefined;
  try {
    d = readDeliver(hex);
  } catch (e) {
    d = undefined;
  }
  if (!d) return flash.write(ASIDE + (now % 1e9), hex + "\n", 0) ? "!" : "full";
  const k = keys(d);
  if (whole(flash.read(k.name))) return "";
  let n = 1;
  const all = flash.list();
  for (let i = 0; i < all.length; i++) {
    const f = all[i].indexOf(PART) === 0 ? flash.read(all[i]) : undefined;
    const got = whole(f) ? Number(f.split("\t")[1]) : 0;
    if (got >= n) n = got + 1;
  }
  if (!flash.write(k.name, [now, n, k.group, d.seq, d.total, hex].join("\t") + "\n", 0)) return "full";
  return k.group;
}

/** Field `k` of a stored part (tab separated), without splitting the whole file. */
function field(s: string, k: number): string {
  let a = 0;
  for (let i = 0; i < k; i++) a = s.indexOf("\t", a) + 1;
  const b = s.indexOf("\t", a);
  return s.slice(a, b < 0 ? s.length - 1 : b);
}

/** One message from its parts: the bodies joined in part order, then decoded. */
function assemble(g: { parts: Part[]; ids: string[]; id: number; at: number }): RakMessage {
  const parts = g.parts.slice().sort(function (a, b) {
    return a.seq - b.seq;
  });
  const first = parts[0];
  let body = "";
  const missing: number[] = [];
  let k = 0;
  for (let seq = 1; seq <= first.total; seq++) {
    while (k < parts.length && parts[k].seq < seq) k++;
    if (k < parts.length && parts[k].seq === seq) body += parts[k].body;
    else missing.push(seq);
  }
  let data: string | null = null;
  if (first.abc === 1 || first.abc < 0) {
    data = "";
    for (let i = 0; i < body.length; i++) data += (body.charCodeAt(i) < 16 ? "0" : "") + body.charCodeAt(i).toString(16);
  }
  return {
    id: g.id,
    from: first.from,
    text: first.abc === 0 ? gsmText(body) : first.abc === 2 ? ucs2Text(body) : "",
    data: data,
    time: first.time,
    timeMs: first.ms,
    parts: first.total,
    missing: missing,
    ids: g.ids,
    receivedAt: g.at,
  };
}

/** rakInbox over the files `all` (the part files among them). */
function gather(flash: FlashStorageModule, all: string[], group: string | undefined): RakMessage[] {
  const groups: { [g: string]: { parts: Part[]; ids: string[]; id: number; at: number } } = {};
  const order: string[] = [];
  for (let i = 0; i < all.length; i++) {
    if (all[i].indexOf(PART) !== 0) continue;
    const s = flash.read(all[i]);
    if (!whole(s)) continue;
    // The group is compared before the PDU is copied out: a message's own listing reads every file.
    if (group !== undefined && field(s, 2) !== group) continue;
    const f = s.slice(0, -1).split("\t");
    const d = readDeliver(f[5]);
    if (!d) continue;
    const at = Number(f[0]);
    const id = Number(f[1]);
    let g = groups[f[2]];
    if (!g) {
      g = groups[f[2]] = { parts: [], ids: [], id: id, at: at };
      order.push(f[2]);
    }
    g.parts.push(d);
    g.ids.push(all[i].slice(PART.length));
    if (id < g.id) g.id = id;
    if (at > g.at) g.at = at;
  }
  const out: RakMessage[] = [];
  for (let i = 0; i < order.length; i++) out.push(assemble(groups[order[i]]));
  return out.sort(function (a, b) {
    return a.id - b.id;
  });
}

/**
 * The inbox, oldest first, put together from the stored parts; only the message of
 * `group` when given. A message whose parts have not all come has them in `missing`.
 * Every message at once: on the device only with `group` (rakPage lists the inbox).
 */
export function rakInbox(flash: FlashStorageModule, group?: string): RakMessage[] {
  return gather(flash, flash.list(), group);
}

/**
 * Each message's group and id (its first part's number), read from the files' first
 * fields: no PDU is decoded or copied, so it costs a few blocks a message.
 */
function heads(flash: FlashStorageModule, all: string[]): { [g: string]: number } {
  const ids: { [g: string]: number } = {};
  for (let i = 0; i < all.length; i++) {
    if (all[i].indexOf(PART) !== 0) continue;
    const s = flash.read(all[i]);
    if (!whole(s)) continue;
    const g = field(s, 2);
    const id = Number(field(s, 1));
    if (!(ids[g] <= id)) ids[g] = id;
  }
  return ids;
}

/**
 * The most messages one inbox page holds (its default), and the most parts: on the
 * 2,500-block build a page of five 150-character messages is decoded with about 1,450
 * blocks live at its peak, under the budget of 2,000 with room for the app (docs/espruino.md
 * "What fits"); 20 at once ran it out of memory. Parts bound a page of long messages the
 * same way (a part's text is at most 153 characters, 67 UCS-2 or 140 bytes of data); a
 * message longer than that comes alone on its page.
 */
export const INBOX_PAGE = 5;

/** One page of the inbox: what the RAK firmware's `inbox()` answers. */
export interface RakPage {
  ok: true;
  /** The messages with ids from `from`, oldest first, at most `count` (and INBOX_PAGE parts). */
  messages: RakMessage[];
  /** The id of the next message, to pass as `from` for the next page; null when none remain. */
  next: number | null;
  /** How many messages the inbox holds in all. */
  total: number;
}

/**
 * The groups, ids and part files (comma separated) of the `count` messages from id `from`
 * on, oldest first, the id after them (-1: none), and the number of messages. Its own
 * function so that the map of every message and the list of every file are dropped before
 * the page is decoded (a listing of 60 files is about 240 blocks).
 */
function pick(flash: FlashStorageModule, from: number, count: number): { g: string[]; n: number[]; f: string[]; next: number; total: number } {
  const all = flash.list();
  const ids = heads(flash, all);
  const n: number[] = [];
  let total = 0;
  for (const k in ids) {
    total++;
    if (ids[k] >= from) n.push(ids[k]);
  }
  n.sort(function (a, b) {
    return a - b;
  });
  const next = n.length > count ? n[count] : -1;
  if (n.length > count) n.splice(count, n.length - count);
  const g: string[] = [];
  const f: string[] = [];
  for (let i = 0; i < n.length; i++) {
    for (const k in ids) if (ids[k] === n[i]) g.push(k);
    f.push("");
  }
  for (let i = 0; i < all.length; i++) {
    if (all[i].indexOf(PART) !== 0) continue;
    const s = flash.read(all[i]);
    const k = whole(s) ? g.indexOf(field(s, 2)) : -1;
    if (k >= 0) f[k] += (f[k] ? "," : "") + all[i];
  }
  return { g: g, n: n, f: f, next: next, total: total };
}

/**
 * The inbox a page at a time: the messages with ids `from` (default 0) and up, oldest
 * first, at most `count` (default and at most INBOX_PAGE) and INBOX_PAGE parts;
 * undefined for a page that is not one. Decoding every message at once ran the
 * 2,500-block build out of memory with 20 messages of 150 characters; here one message's
 * parts are decoded at a time and only the page is held. Ids never change, so a message
 * deleted between two pages does not shift the next one.
 */
export function rakPage(flash: FlashStorageModule, page?: { from?: number; count?: number }): RakPage | undefined {
  const o = page || {};
  const from = o.from === undefined ? 0 : Number(o.from);
  const count = o.count === undefined ? INBOX_PAGE : Math.min(INBOX_PAGE, Math.floor(Number(o.count)));
  if (!(from >= 0) || !(count >= 1)) return undefined;
  const p = pick(flash, from, count);
  const out: RakMessage[] = [];
  let next: number | null = p.next < 0 ? null : p.next;
  let parts = 0;
  for (let i = 0; i < p.g.length; i++) {
    const m = gather(flash, p.f[i].split(","), p.g[i])[0];
    if (!m) continue;
    parts += m.parts;
    if (out.length && parts > INBOX_PAGE) {
      next = p.n[i];
      break;
    }
    out.push(m);
  }
  return { ok: true, messages: out, next: next, total: p.total };
}

/** Deletes message `id` (every part of it) from the inbox; false when there is none. */
export function rakDelete(flash: FlashStorageModule, id: number): boolean {
  const ids = heads(flash, flash.list());
  let group: string | undefined;
  for (const g in ids) if (ids[g] === id) group = g;
  if (group === undefined) return false;
  const all = flash.list();
  for (let i = 0; i < all.length; i++) {
    if (all[i].indexOf(PART) !== 0) continue;
    const s = flash.read(all[i]);
    if (whole(s) && field(s, 2) === group) flash.erase(all[i]);
  }
  return true;
}

/** Drops part files a power cut left unfinished (their parts are still on the SIM). */
export function rakTidy(flash: FlashStorageModule): number {
  const all = flash.list();
  let n = 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i].indexOf(PART) === 0 && !whole(flash.read(all[i]))) {
      flash.erase(all[i]);
      n++;
    }
  }
  return n;
}
