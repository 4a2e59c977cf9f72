/** Shared helpers for the HAL tests. */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Serial } from "../../hal/types.js";

/** Every byte value once, 0x00..0xFF, as a byte string. */
export function allBytes(): string {
  let s = "";
  for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
  return s;
}

/**
 * Rejects if `p` has not settled within `ms` real milliseconds. This is a guard that
 * fires only when something is broken (a link that never delivers), never a sleep.
 */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

/** Received data, as a running record. */
export interface Received {
  text: () => string;
  chunks: string[];
  /** Resolves once at least `n` bytes have arrived in total. */
  atLeast(n: number, ms?: number): Promise<string>;
  stop(): void;
}

/** Starts recording what `serial` receives. */
export function record(serial: Serial): Received {
  const chunks: string[] = [];
  let total = 0;
  let waiters: { n: number; resolve: (s: string) => void }[] = [];
  const text = () => chunks.join("");
  const stop = serial.onData((c) => {
    chunks.push(c);
    total += c.length;
    const ready = waiters.filter((w) => total >= w.n);
    waiters = waiters.filter((w) => total < w.n);
    for (const w of ready) w.resolve(text());
  });
  return {
    text,
    chunks,
    stop,
    atLeast(n: number, ms = 5000) {
      if (total >= n) return Promise.resolve(text());
      return within(new Promise<string>((resolve) => waiters.push({ n, resolve })), ms, `waiting for ${n} bytes (have ${total})`);
    },
  };
}

/** Resolves with the first close reason `serial` reports. */
export function closed(serial: Serial, ms = 5000): Promise<string> {
  return within(new Promise<string>((resolve) => serial.onClose(resolve)), ms, "waiting for close");
}

const made: string[] = [];

/** A fresh empty directory under the OS temp dir; `removeTmpDirs` deletes them all. */
export async function tmpDir(tag: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `sharedline-${tag}-`));
  made.push(dir);
  return dir;
}

/** Deletes every directory `tmpDir` made in this process (for `test.after.always`). */
export async function removeTmpDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
}

/** Lets promise callbacks and I/O callbacks queued so far run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
