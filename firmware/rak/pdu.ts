/**
 * The RAK8212's SMS decoding and inbox (a cold Storage module, `rak.pdu`: tools/bundle.ts
 * COLD_MODULES): loaded with `require` for one received PDU or one inbox listing and
 * dropped after, so the PDU codec (drivers/sms, about 11 KB) takes heap only meanwhile.
 *
 * The inbox is the Storage files `sm<hash>`, one per received part: `<arrived ms>`, `<number>`,
 * `<group>`, `<seq>`, `<total>`, `<PDU hex>` separated by tabs (a group holds `|`) and a newline. The newline is last and written last:
 * a file cut by a power cut ends in unwritten flash (0xFF), so it is known as incomplete,
 * dropped, and the part read again from the SIM, which keeps it until the file is whole
 * (firmware/rak/phone.ts deletes it from the SIM only after the write). The hash is the
 * part's SPEC R75 identity (firmware/messaging/parts.ts), so a part delivered twice, or
 * listed again from the SIM after a power cut, is one file. Messages are put together
 * from their parts when listed (concatenation, 23.040 §9.2.3.24.1): reassembly needs no
 * state but the files, and survives any restart.
 */
import type { FlashStorageModule } from "../../hal/espruino/storage.js";
import { decodePdu } from "../../drivers/sms/index.js";
import { assemble, makeHeld, type AssembledSms, type HeldPart } from "../messaging/parts.js";

/** A received message as the inbox lists it (firmware/messaging's InboxMessage). */
export interface RakMessage extends AssembledSms {
  id: number;
  receivedAt: number;
}

/** The prefix of the inbox's files, and of the unreadable PDUs kept aside. */
export const PART = "sm";
const ASIDE = "sq";

/** Whether a stored part is whole (see the file comment). */
function whole(s: string | undefined): s is string {
  return !!s && s.charCodeAt(s.length - 1) === 10;
}

/**
 * Stores the PDU `hex` (as +CMGR/+CMGL/+CMT give it) as an inbox part, arrived at `now`.
 * Returns "" when nothing new was stored (a duplicate), the part's group when it was,
 * "!" when the PDU is no SMS-DELIVER (kept aside as `sq<n>`), and "full" when Storage
 * refused the write: the caller then must leave the message on the SIM.
 */
export function rakStore(flash: FlashStorageModule, hex: string, now: number): string {
  let d;
  try {
    d = decodePdu(hex);
  } catch (e) {
    d = undefined;
  }
  if (!d || d.type !== "deliver") {
    return flash.write(ASIDE + (now % 1e9), hex + "\n", 0) ? "!" : "full";
  }
  const p = makeHeld(d, now);
  const name = PART + p.hash;
  if (whole(flash.read(name))) return "";
  let n = 1;
  const all = flash.list();
  for (let i = 0; i < all.length; i++) {
    const f = all[i].indexOf(PART) === 0 ? flash.read(all[i]) : undefined;
    const k = whole(f) ? Number(f.split("\t")[1]) : 0;
    if (k >= n) n = k + 1;
  }
  if (!flash.write(name, [now, n, p.group, p.seq, p.total, hex].join("\t") + "\n", 0)) return "full";
  return p.group;
}

/**
 * The inbox, oldest first, put together from the stored parts; only the message of
 * `group` when given. A message whose parts have not all come has them in `missing`.
 */
export function rakInbox(flash: FlashStorageModule, group?: string): RakMessage[] {
  const groups: { [g: string]: { parts: HeldPart[]; id: number; at: number } } = {};
  const order: string[] = [];
  const all = flash.list();
  for (let i = 0; i < all.length; i++) {
    if (all[i].indexOf(PART) !== 0) continue;
    const s = flash.read(all[i]);
    if (!whole(s)) continue;
    const f = s.slice(0, -1).split("\t");
    if (group !== undefined && f[2] !== group) continue;
    const d = decodePdu(f[5]);
    if (d.type !== "deliver") continue;
    const at = Number(f[0]);
    const id = Number(f[1]);
    let g = groups[f[2]];
    if (!g) {
      g = groups[f[2]] = { parts: [], id: id, at: at };
      order.push(f[2]);
    }
    g.parts.push(makeHeld(d, at));
    if (id < g.id) g.id = id;
    if (at > g.at) g.at = at;
  }
  const out: RakMessage[] = [];
  for (let i = 0; i < order.length; i++) {
    const g = groups[order[i]];
    const m = assemble(g.parts) as RakMessage;
    m.id = g.id;
    m.receivedAt = g.at;
    out.push(m);
  }
  return out.sort(function (a, b) {
    return a.id - b.id;
  });
}

/** Deletes message `id` (every part of it) from the inbox; false when there is none. */
export function rakDelete(flash: FlashStorageModule, id: number): boolean {
  const m = rakInbox(flash).filter(function (x) {
    return x.id === id;
  })[0];
  if (!m) return false;
  for (let i = 0; i < m.ids.length; i++) flash.erase(PART + m.ids[i]);
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
