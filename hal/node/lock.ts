/**
 * One process per data directory: `<dir>/lock` holds the owner's pid. Two firmware
 * processes on one directory would overwrite each other's SMS records.
 *
 * - Taken with O_CREAT|O_EXCL, so two processes starting together cannot both win.
 * - A lock whose pid is gone (the owner was killed) is stale and taken over. On Linux a
 *   pid reused by an unrelated program is recognised too: its /proc/<pid>/cmdline does
 *   not name sharedline.
 * - Released (deleted) at a clean stop, only while it still holds our pid.
 */
import fs from "node:fs";
import path from "node:path";

export const LOCK_FILE = "lock";

/** Another live process owns the directory. */
export class DirectoryLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`the data directory ${dir} is in use by process ${pid} (lock file ${path.join(dir, LOCK_FILE)}); stop that process or give another --data`);
    this.name = "DirectoryLockedError";
  }
}

export interface DirectoryLock {
  file: string;
  /** Whether a stale lock (of a process that is gone) was taken over, and its pid. */
  tookOverFrom: number | undefined;
  release(): void;
}

/** Whether `pid` is a live process that may be a sharedline. */
function holderAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // ours from an earlier life of this pid: stale
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, owned by another user.
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmd.indexOf("sharedline") >= 0;
  } catch {
    return true; // no /proc (not Linux) or not readable: trust kill(0)
  }
}

/**
 * Takes the lock of `dir` (created if missing). Throws DirectoryLockedError when a live
 * process holds it; other errors (a read-only directory) are the file system's.
 */
export function lockDirectory(dir: string): DirectoryLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  let tookOverFrom: number | undefined = undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, "wx", 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      let text = "";
      try {
        text = fs.readFileSync(file, "utf8");
      } catch {
        continue; // removed meanwhile: try again
      }
      const pid = Number(text.trim());
      if (holderAlive(pid)) throw new DirectoryLockedError(dir, pid);
      // Stale. Another starter may be taking it over too: only one unlink+create wins.
      tookOverFrom = pid || undefined;
      try {
        fs.unlinkSync(file);
      } catch {
        // gone already
      }
      continue;
    }
    try {
      fs.writeSync(fd, process.pid + "\n");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return {
      file,
      tookOverFrom,
      release() {
        try {
          if (fs.readFileSync(file, "utf8").trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      },
    };
  }
  throw new Error(`could not take the lock ${file}: it keeps changing (another process is starting on ${dir})`);
}
