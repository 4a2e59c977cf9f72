/**
 * `Storage` over Espruino's flash file store, `require("Storage")` (portable; the module
 * object is passed in, so tests drive this code with a fake flash).
 *
 * Espruino's `Storage.write(name, data)` is not atomic: rewriting a file first marks the
 * old copy deleted, then writes the new one, so a power cut in between loses both. So
 * each key lives in two slot files, `<key>~a` and `<key>~b` (at most 26 characters,
 * within Espruino's 28), each holding one record in the shared format (record.ts) with a
 * sequence number, a CRC-32 and a commit mark written last.
 *
 * A write goes to the slot that does not hold the current value:
 *   1. erase that slot (it is empty, stale, or torn by an earlier cut);
 *   2. create it at its full size and write the record without its last byte;
 *   3. write the commit mark `!` as the last byte: this one-byte write is the commit;
 *   4. read it back and check it, then erase the other slot.
 * A cut before 3 leaves the new slot torn (its last byte still reads 0xFF, as unwritten
 * flash does) and the old value is read; a cut after 3 leaves two committed slots and the
 * higher sequence number, the new one, wins. `remove` erases the current slot last, so a
 * cut in it leaves the old value or nothing, never an older value.
 *
 * A committed slot that fails its checks makes `read` reject with StorageCorruptError,
 * even when the other slot holds an older good value: a silent rollback would be a lie.
 * Limits: a corruption that turns exactly the commit byte into 0xFF reads as a torn write
 * (the older value or nothing); compaction of the flash store is Espruino's own affair.
 */
import type { Storage } from "../types.js";
import { StorageCorruptError, StorageError } from "../errors.js";
import { COMMIT_MARK, encodeRecord, keyError, parseRecord, prefixError, recordText, sortKeys } from "../record.js";
import type { RecordState } from "../record.js";

/** The part of Espruino's `require("Storage")` this store uses. */
export interface FlashStorageModule {
  /** The file's bytes, or undefined when there is no such file. */
  read(name: string): string | undefined;
  /** Offset 0 (re)creates the file with `size` bytes (unwritten ones read 0xFF); other offsets fill it in. */
  write(name: string, data: string, offset: number, size?: number): boolean;
  erase(name: string): void;
  /** Every file name in the store. */
  list(): string[];
}

// Module-scoped so it cannot clash with Node's global `require` in the host type check.
declare const require: (name: string) => unknown;

/** The two slot-file suffixes; neither can occur in a key. */
export const SLOT_SUFFIXES = ["~a", "~b"];

interface Slot {
  name: string;
  /** undefined: no such file. */
  rec: RecordState | undefined;
}

function toError(key: string, op: string, e: unknown): Error {
  if (StorageError.is(e) || StorageCorruptError.is(e)) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return StorageError("storage " + op + " of '" + key + "' failed: " + msg, { key: key, detail: msg });
}

/** The committed slot with the highest sequence number, if any. */
function newest(slots: Slot[]): Slot | undefined {
  let best: Slot | undefined = undefined;
  let bestSeq = -1;
  for (let i = 0; i < slots.length; i++) {
    const r = slots[i].rec;
    if (r && r.state === "committed" && r.seq > bestSeq) {
      best = slots[i];
      bestSeq = r.seq;
    }
  }
  return best;
}

/** A `Storage` over an Espruino flash file store; see the file comment for the protocol. */
export class EspruinoStorage implements Storage {
  constructor(private readonly flash: FlashStorageModule) {}

  read(key: string): Promise<string | undefined> {
    const bad = keyError(key);
    if (bad) return Promise.reject(bad);
    try {
      const slots = this.slots(key);
      for (let i = 0; i < slots.length; i++) {
        const r = slots[i].rec;
        if (r && r.state === "damaged") {
          const detail = slots[i].name + ": " + r.detail;
          return Promise.reject(StorageCorruptError("stored record '" + key + "' is corrupt (" + detail + ")", { key: key, detail: detail }));
        }
      }
      const best = newest(slots);
      if (!best) return Promise.resolve(undefined);
      const rec = best.rec as { state: "committed"; seq: number; body: string };
      return Promise.resolve(recordText(key, rec.body));
    } catch (e) {
      return Promise.reject(toError(key, "read", e));
    }
  }

  write(key: string, value: string): Promise<void> {
    const bad = keyError(key);
    if (bad) return Promise.reject(bad);
    if (typeof value !== "string") {
      return Promise.reject(StorageError("storage value for '" + key + "' must be a string, got " + typeof value, { key: key, detail: "value type" }));
    }
    try {
      const slots = this.slots(key);
      const cur = newest(slots);
      const seq = cur ? (cur.rec as { seq: number }).seq + 1 : 1;
      const target = cur === slots[0] ? slots[1] : slots[0];
      const full = encodeRecord(value, seq);
      const size = full.length;
      if (target.rec) this.flash.erase(target.name);
      if (!this.flash.write(target.name, full.substring(0, size - 1), 0, size)) {
        throw StorageError("storage write of '" + key + "' failed: flash store full?", { key: key, detail: "write refused" });
      }
      if (!this.flash.write(target.name, COMMIT_MARK, size - 1)) {
        throw StorageError("storage write of '" + key + "' failed to commit", { key: key, detail: "commit refused" });
      }
      const back = parseRecord(this.flash.read(target.name) || "");
      if (back.state !== "committed" || back.seq !== seq) {
        // Leave the old value readable rather than a bad new copy.
        this.flash.erase(target.name);
        const detail = back.state === "damaged" ? back.detail : back.state;
        throw StorageError("storage write of '" + key + "' did not verify (" + detail + ")", { key: key, detail: detail });
      }
      for (let i = 0; i < slots.length; i++) {
        if (slots[i] !== target && slots[i].rec) this.flash.erase(slots[i].name);
      }
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(toError(key, "write", e));
    }
  }

  remove(key: string): Promise<void> {
    const bad = keyError(key);
    if (bad) return Promise.reject(bad);
    try {
      const slots = this.slots(key);
      const cur = newest(slots);
      for (let i = 0; i < slots.length; i++) {
        if (slots[i] !== cur && slots[i].rec) this.flash.erase(slots[i].name);
      }
      if (cur) this.flash.erase(cur.name);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(toError(key, "remove", e));
    }
  }

  list(prefix: string): Promise<string[]> {
    const bad = prefixError(prefix);
    if (bad) return Promise.reject(bad);
    try {
      const names = this.flash.list();
      const keys: string[] = [];
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        const suffix = name.substr(name.length - 2);
        if (name.length < 3 || (suffix !== SLOT_SUFFIXES[0] && suffix !== SLOT_SUFFIXES[1])) continue;
        const key = name.substring(0, name.length - 2);
        if (keyError(key) || key.indexOf(prefix) !== 0) continue;
        // A slot cut before its commit (last byte still 0xFF) holds nothing yet.
        const bytes = this.flash.read(name);
        if (bytes === undefined || (bytes.length > 0 && bytes.charCodeAt(bytes.length - 1) === 0xff)) continue;
        keys.push(key);
      }
      sortKeys(keys);
      const out: string[] = [];
      for (let i = 0; i < keys.length; i++) {
        if (i === 0 || keys[i] !== keys[i - 1]) out.push(keys[i]);
      }
      return Promise.resolve(out);
    } catch (e) {
      return Promise.reject(toError(prefix, "list", e));
    }
  }

  private slots(key: string): Slot[] {
    const out: Slot[] = [];
    for (let i = 0; i < SLOT_SUFFIXES.length; i++) {
      const name = key + SLOT_SUFFIXES[i];
      const bytes = this.flash.read(name);
      out.push({ name: name, rec: bytes === undefined ? undefined : parseRecord(bytes) });
    }
    return out;
  }
}

/** The device's own flash store (`require("Storage")`); Espruino only. */
export function espruinoStorage(): EspruinoStorage {
  return new EspruinoStorage(require("Storage") as FlashStorageModule);
}
