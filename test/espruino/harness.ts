/**
 * A tiny test harness that runs inside the Espruino interpreter (bundled with each entry
 * of test/espruino/entries by test/espruino/run.ts). It is portable code: same subset
 * and lint as drivers/.
 *
 * Register cases with `check(name, body)`, then call `runChecks()` once. A body passes
 * when it returns without throwing, or when the promise it returns resolves. Cases run
 * one after another, each from a fresh timer tick (Espruino's stack is small and stack
 * overflow is not catchable, espruino-facts.md trap 5). Output, one line each, is read
 * by the host side:
 *
 *   PASS <name>
 *   FAIL <name> :: <detail>
 *   DONE <n> passed, <m> failed
 */

export type CheckBody = () => void | PromiseLike<unknown>;

interface Case {
  name: string;
  body: CheckBody;
}

const cases: Case[] = [];

/** How long a case's promise may stay pending before it fails. */
export const CASE_TIMEOUT_MS = 10000;

/** Registers a case; names must be unique, fit on one line and not contain " :: ". */
export function check(name: string, body: CheckBody): void {
  cases.push({ name: name, body: body });
}

/** Text for an error on both engines (Espruino's own errors have no `name`, only `type`). */
export function describe(err: unknown): string {
  if (err && typeof err === "object") {
    const e = err as { name?: string; type?: string; message?: string };
    if (typeof e.message === "string") return (e.name || e.type || "Error") + ": " + e.message;
  }
  return String(err);
}

/** Throws when `cond` is falsy. */
export function assert(cond: unknown, what: string): void {
  if (!cond) throw new Error("assertion failed: " + what);
}

/** Throws unless `actual === expected`, or unless both serialise to the same JSON. */
export function equal(actual: unknown, expected: unknown, what: string): void {
  if (actual === expected) return;
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (typeof actual === "object" && typeof expected === "object" && a === b) return;
  throw new Error(what + ": got " + a + ", expected " + b);
}

/** Runs `fn` and returns what it threw; throws when it did not throw. */
export function throws(fn: () => unknown, what: string): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error(what + ": did not throw");
}

function oneLine(s: string): string {
  return s.split("\n").join(" | ");
}

/** Runs every registered case in order and prints the result lines. */
export function runChecks(): void {
  let passed = 0;
  let failed = 0;

  const runCase = function (i: number): void {
    if (i >= cases.length) {
      console.log("DONE " + passed + " passed, " + failed + " failed");
      return;
    }
    const c = cases[i];
    let finished = false;
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const finish = function (ok: boolean, detail: string): void {
      if (finished) return;
      finished = true;
      if (timer !== undefined) clearTimeout(timer);
      if (ok) {
        passed++;
        console.log("PASS " + c.name);
      } else {
        failed++;
        console.log("FAIL " + c.name + " :: " + oneLine(detail));
      }
      setTimeout(function () {
        runCase(i + 1);
      }, 0);
    };
    let result: void | PromiseLike<unknown>;
    try {
      result = c.body();
    } catch (err) {
      finish(false, describe(err));
      return;
    }
    if (result && typeof (result as PromiseLike<unknown>).then === "function") {
      timer = setTimeout(function () {
        timer = undefined;
        finish(false, "timed out after " + CASE_TIMEOUT_MS + " ms");
      }, CASE_TIMEOUT_MS);
      (result as PromiseLike<unknown>).then(
        function () {
          finish(true, "");
        },
        function (err: unknown) {
          finish(false, describe(err));
        },
      );
    } else {
      finish(true, "");
    }
  };

  setTimeout(function () {
    runCase(0);
  }, 0);
}
