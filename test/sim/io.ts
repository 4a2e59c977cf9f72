/**
 * Waiting for bytes on real I/O (sockets, ptys, child processes) in tests: resolves as
 * soon as the expected text has arrived, fails after a generous bound instead of
 * sleeping for a guessed time.
 */
export class Collector {
  text = "";
  private waiters: { test: (s: string) => boolean; resolve: () => void }[] = [];

  push(chunk: string): void {
    this.text += chunk;
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(this.text)) return true;
      w.resolve();
      return false;
    });
  }

  /** Waits until the collected text satisfies `what` (a substring, a RegExp or a predicate); returns it. */
  waitFor(what: string | RegExp | ((s: string) => boolean), ms = 10000): Promise<string> {
    const test = (s: string) => (typeof what === "string" ? s.indexOf(what) >= 0 : typeof what === "function" ? what(s) : what.test(s));
    if (test(this.text)) return Promise.resolve(this.text);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("timed out waiting for " + String(what) + "; got " + JSON.stringify(this.text))), ms);
      this.waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.text);
        },
      });
    });
  }

  /** Forgets what was collected so far. */
  clear(): void {
    this.text = "";
  }
}
