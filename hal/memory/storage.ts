/**
 * In-memory storage for tests and the simulator, with power cuts.
 *
 * `MemoryFlash` models Espruino's flash file store (`require("Storage")`) the way flash
 * behaves: a file is created at a fixed size, unwritten bytes read 0xFF, a byte can be
 * written once until the file is erased, and work happens one unit at a time (a unit is
 * one byte written, one file created, or one file erased). `cutPowerAfter(n)` lets the
 * next n units happen and then kills the power: the unit in progress does not happen,
 * whatever was written stays, the operation throws PowerCutError and so does everything
 * after it, until `reboot()` gives a fresh view of what survived.
 *
 * `MemoryStorage` is the `Storage` the watch runs (EspruinoStorage, with its records,
 * checksums and two-slot commit) over a MemoryFlash, so power-cut tests exercise the
 * very protocol that ships.
 */
import type { Storage } from "../types.js";
import { defineError } from "../errors.js";
import { EspruinoStorage } from "../espruino/storage.js";
import type { FlashStorageModule } from "../espruino/storage.js";

/** The simulated power went off during (or before) this operation. */
export const PowerCutError = defineError<{ unit: number }>("PowerCutError");

/** Espruino keeps 28 characters of a file name (espruino-facts.md); the fake refuses more. */
export const FLASH_NAME_MAX = 28;

export interface MemoryFlashOptions {
  /** Total bytes of file space; a write that does not fit returns false, as Espruino's does. */
  capacity?: number;
}

export class MemoryFlash implements FlashStorageModule {
  /** Units (bytes written, files created, files erased) done since this flash was made. */
  unitsUsed = 0;
  private files = new Map<string, Uint8Array>();
  /** Decoded files, dropped on any change: reads far outnumber writes (the soak reads every store often). */
  private decoded = new Map<string, string>();
  private budget: number | undefined = undefined;
  private dead = false;

  constructor(private readonly opts: MemoryFlashOptions = {}) {}

  /** Let `units` more units happen, then cut the power. */
  cutPowerAfter(units: number): void {
    if (!(units >= 0)) throw new RangeError("cutPowerAfter needs a count >= 0, got " + units);
    this.budget = Math.floor(units);
  }

  /** Whether the power has been cut. */
  get isDead(): boolean {
    return this.dead;
  }

  /** What survives a restart: a new, powered flash holding the same bytes. */
  reboot(): MemoryFlash {
    const next = new MemoryFlash(this.opts);
    for (const [name, bytes] of this.files) next.files.set(name, bytes.slice());
    return next;
  }

  read(name: string): string | undefined {
    this.alive();
    return this.peek(name);
  }

  write(name: string, data: string, offset: number, size?: number): boolean {
    this.alive();
    if (typeof name !== "string" || name.length < 1 || name.length > FLASH_NAME_MAX) {
      throw new Error("flash file name must be 1.." + FLASH_NAME_MAX + " characters: '" + name + "'");
    }
    for (let i = 0; i < data.length; i++) {
      if (data.charCodeAt(i) > 0xff) throw new Error("flash write of '" + name + "': not a byte string");
    }
    this.decoded.delete(name);
    let file = this.files.get(name);
    if (!offset) {
      const total = size === undefined ? data.length : size;
      if (total < data.length) throw new Error("flash write of '" + name + "': data longer than the file size");
      if (this.opts.capacity !== undefined && this.usedBytes() - (file ? file.length : 0) + total > this.opts.capacity) return false;
      if (file) {
        this.spend();
        this.files.delete(name);
      }
      this.spend();
      file = new Uint8Array(total).fill(0xff);
      this.files.set(name, file);
    } else {
      if (!file) throw new Error("flash write of '" + name + "' at offset " + offset + ": no such file");
      if (offset + data.length > file.length) throw new Error("flash write of '" + name + "': past the end of the file");
    }
    const at = offset || 0;
    for (let i = 0; i < data.length; i++) {
      if (file[at + i] !== 0xff) throw new Error("flash write of '" + name + "': byte " + (at + i) + " is already written");
      this.spend();
      file[at + i] = data.charCodeAt(i);
    }
    return true;
  }

  erase(name: string): void {
    this.alive();
    if (!this.files.has(name)) return;
    this.spend();
    this.files.delete(name);
    this.decoded.delete(name);
  }

  list(): string[] {
    this.alive();
    return Array.from(this.files.keys());
  }

  /** A file's bytes regardless of power (for test assertions). */
  peek(name: string): string | undefined {
    const f = this.files.get(name);
    if (!f) return undefined;
    const known = this.decoded.get(name);
    if (known !== undefined) return known;
    let s = "";
    for (let i = 0; i < f.length; i += 8192) s += String.fromCharCode.apply(null, Array.from(f.subarray(i, i + 8192)));
    this.decoded.set(name, s);
    return s;
  }

  /** Overwrites one byte of a file regardless of flash rules (to simulate decay). */
  poke(name: string, index: number, byte: number): void {
    const f = this.files.get(name);
    if (!f || index < 0 || index >= f.length) throw new RangeError("poke: no byte " + index + " in '" + name + "'");
    f[index] = byte;
    this.decoded.delete(name);
  }

  private usedBytes(): number {
    let n = 0;
    for (const f of this.files.values()) n += f.length;
    return n;
  }

  private alive(): void {
    if (this.dead) throw PowerCutError("the power is off (cut after " + this.unitsUsed + " units)", { unit: this.unitsUsed });
  }

  private spend(): void {
    this.alive();
    if (this.budget !== undefined) {
      if (this.budget === 0) {
        this.dead = true;
        throw PowerCutError("power cut at unit " + this.unitsUsed, { unit: this.unitsUsed });
      }
      this.budget--;
    }
    this.unitsUsed++;
  }
}

/**
 * A `Storage` held in memory, with the watch's record format and commit protocol and a
 * power-cut knob: `cutPowerAfter(units)`, then `reboot()` for what survived.
 */
export class MemoryStorage implements Storage {
  readonly flash: MemoryFlash;
  private readonly inner: EspruinoStorage;

  constructor(flash?: MemoryFlash) {
    this.flash = flash || new MemoryFlash();
    this.inner = new EspruinoStorage(this.flash);
  }

  read(key: string): Promise<string | undefined> {
    return this.guard(this.inner.read(key));
  }

  write(key: string, value: string): Promise<void> {
    return this.guard(this.inner.write(key, value));
  }

  remove(key: string): Promise<void> {
    return this.guard(this.inner.remove(key));
  }

  list(prefix: string): Promise<string[]> {
    return this.guard(this.inner.list(prefix));
  }

  /** Cut the power once `units` more units of flash work are done (see MemoryFlash). */
  cutPowerAfter(units: number): void {
    this.flash.cutPowerAfter(units);
  }

  /** A fresh storage over what survived, as after a restart. */
  reboot(): MemoryStorage {
    return new MemoryStorage(this.flash.reboot());
  }

  /** How many units `op` takes from the current state (run on a copy; this one is untouched). */
  async unitsOf(op: (s: MemoryStorage) => Promise<unknown>): Promise<number> {
    const copy = this.reboot();
    await op(copy);
    return copy.flash.unitsUsed;
  }

  private guard<T>(p: Promise<T>): Promise<T> {
    return p.catch((e: unknown) => {
      if (this.flash.isDead && !PowerCutError.is(e)) {
        throw PowerCutError("power cut during a storage operation", { unit: this.flash.unitsUsed });
      }
      throw e;
    });
  }
}
