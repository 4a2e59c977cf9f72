/**
 * The AT channel's surroundings in the benchmarks that run inside Espruino (entry.ts,
 * ops-entry.ts): a clock whose timers never fire (every command completes within the run)
 * and a serial link driven synchronously, with the Espruino UART's synchronous write.
 */
import type { Clock, Serial, TimerHandle } from "../../hal/types.js";

export const stillClock: Clock = {
  now: function () {
    return Date.now();
  },
  setTimeout: function (fn: () => void, ms: number): TimerHandle {
    return { fn: fn, ms: ms };
  },
  clearTimeout: function () {},
};

export interface BenchLink {
  serial: Serial;
  /** The channel's chunk handler, once it has subscribed (read it into a local before timing). */
  handler: (chunk: string) => void;
}

/** A link whose writes are kept in `written`, when given (each side of a comparison keeps its own the same way). */
export function benchLink(written: string[] | undefined): BenchLink {
  const done = Promise.resolve();
  const link: BenchLink = {
    serial: {
      write: function (data: string) {
        if (written !== undefined) written.push(data);
        return done;
      },
      writeNow: function (data: string) {
        if (written !== undefined) written.push(data);
        return undefined;
      },
      onData: function (h: (chunk: string) => void) {
        link.handler = h;
        return function () {};
      },
      onClose: function () {
        return function () {};
      },
      close: function () {
        return done;
      },
    },
    handler: function () {},
  };
  return link;
}
