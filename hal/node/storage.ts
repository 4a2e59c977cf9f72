/**
 * `Storage` in a directory on a Node host: one file per key.
 *
 * Layout: `<dir>/<key>.rec` holds the key's record in the shared format
 * (hal/espruino/record.ts: "SLR1 <crc32> 0 <len>\n<utf-8 value>!"). The `.rec`
 * suffix keeps keys such as "." and ".." from naming directories.
 *
 * A write is atomic on POSIX file systems: the record goes to a temp file
 * (`<key>.rec.<pid>-<n>.tmp`), which is fsynced, renamed over `<key>.rec` (rename
 * replaces atomically), and then the directory is fsynced so the rename itself is on
 * disk. A cut before the rename leaves the old file and a stray temp file; a cut after
 * it leaves the new file. Stray temp files are never read, and are deleted the first
 * time a FileStorage opens the directory, so one directory belongs to one FileStorage.
 *
 * Every read checks the record; a truncated, damaged or foreign `.rec` file rejects
 * with StorageCorruptError and is left in place for inspection (a later write of the
 * key replaces it). Operations of one FileStorage run one at a time, in call order.
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { Storage } from "../types.js";
import { StorageCorruptError, StorageError } from "../errors.js";
import { encodeRecord, keyError, parseRecord, prefixError, recordText, sortKeys } from "../record.js";

export const RECORD_SUFFIX = ".rec";
export const TEMP_SUFFIX = ".tmp";

let tempCounter = 0;

export class FileStorage implements Storage {
  private ready: Promise<void> | undefined = undefined;
  private tail: Promise<unknown> = Promise.resolve();

  /** `dir` is created on first use. */
  constructor(readonly dir: string) {}

  read(key: string): Promise<string | undefined> {
    const bad = keyError(key);
    if (bad) return Promise.reject(bad);
    return this.queue(async () => {
      const file = this.fileOf(key);
      let bytes: string;
      try {
        bytes = (await fs.readFile(file)).toString("latin1");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw ioError(key, "read", e);
      }
      const rec = parseRecord(bytes);
      if (rec.state !== "committed") {
        const detail = rec.state === "damaged" ? rec.detail : "unfinished record (0xFF where the commit mark belongs)";
        throw StorageCorruptError(`stored record '${key}' is corrupt (${file}: ${detail})`, { key, detail });
      }
      return recordText(key, rec.body);
    });
  }

  write(key: string, value: string): Promise<void> {
    const bad = keyError(key);
    if (bad) return Promise.reject(bad);
    if (typeof value !== "string") {
      return Promise.reject(StorageError(`storage value for '${key}' must be a string, got ${typeof value}`, { key, detail: "value type" }));
    }
    return this.queue(async () => {
      const record = Buffer.from(encodeRecord(value, 0), "latin1");
      const tmp = path.join(this.dir, `${key}${RECORD_SUFFIX}.${process.pid}-${++tempCounter}${TEMP_SUFFIX}`);
      try {
        const fh = await fs.open(tmp, "wx", 0o644);
        try {
          await fh.writeFile(record);
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fs.rename(tmp, this.fileOf(key));
      } catch (e) {
        await fs.unlink(tmp).catch(() => undefined);
        throw ioError(key, "write", e);
      }
      await this.syncDir(key);
    });
  }

  remove(key: string): Promise<void> {
    const bad = keyError(key);
    if (bad) return Promise.reject(bad);
    return this.queue(async () => {
      try {
        await fs.unlink(this.fileOf(key));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        throw ioError(key, "remove", e);
      }
      await this.syncDir(key);
    });
  }

  list(prefix: string): Promise<string[]> {
    const bad = prefixError(prefix);
    if (bad) return Promise.reject(bad);
    return this.queue(async () => {
      let names: string[];
      try {
        names = await fs.readdir(this.dir);
      } catch (e) {
        throw ioError(prefix, "list", e);
      }
      const keys: string[] = [];
      for (const name of names) {
        if (!name.endsWith(RECORD_SUFFIX)) continue;
        const key = name.slice(0, -RECORD_SUFFIX.length);
        if (!keyError(key) && key.startsWith(prefix)) keys.push(key);
      }
      return sortKeys(keys);
    });
  }

  /** Resolves once every operation asked for so far has finished (a clean stop waits for it). */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }

  private fileOf(key: string): string {
    return path.join(this.dir, key + RECORD_SUFFIX);
  }

  /** Runs `op` after every earlier operation, once the directory is ready. */
  private queue<T>(op: () => Promise<T>): Promise<T> {
    const run = () => this.open().then(op);
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Creates the directory and deletes temp files a power cut left behind. */
  private open(): Promise<void> {
    if (!this.ready) {
      this.ready = (async () => {
        try {
          await fs.mkdir(this.dir, { recursive: true });
          for (const name of await fs.readdir(this.dir)) {
            if (name.endsWith(TEMP_SUFFIX)) await fs.unlink(path.join(this.dir, name)).catch(() => undefined);
          }
        } catch (e) {
          this.ready = undefined;
          throw ioError("", `open of ${this.dir}`, e);
        }
      })();
    }
    return this.ready;
  }

  /** Makes a rename or unlink durable. Some systems cannot fsync a directory; that is not an error there. */
  private async syncDir(key: string): Promise<void> {
    let dh: fs.FileHandle | undefined;
    try {
      dh = await fs.open(this.dir, "r");
      await dh.sync();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw ioError(key, "sync", e);
    } finally {
      await dh?.close();
    }
  }
}

function ioError(key: string, op: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  const detail = err.code ?? err.message ?? String(e);
  return StorageError(`storage ${op} of '${key}' failed: ${err.message ?? String(e)}`, { key, detail });
}
