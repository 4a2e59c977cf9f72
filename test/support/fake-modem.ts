/**
 * A scripted modem end for transcript tests: it records every byte the code under test
 * writes and answers only what the test tells it to, so a test asserts the exact bytes
 * on the wire and fails on anything unexpected.
 */
import { memorySerialPair, type MemorySerial, type MemorySerialOptions } from "../../hal/memory/serial.js";
import { settle, VirtualClock } from "../../hal/memory/clock.js";
import { AtChannel, type AtChannelOptions } from "../../drivers/at/index.js";

export class FakeModem {
  /** Bytes received from the code under test and not yet consumed by `expectTx`. */
  received = "";
  constructor(readonly end: MemorySerial) {
    end.onData((chunk) => {
      this.received += chunk;
    });
  }

  /** Sends bytes to the code under test. */
  async rx(bytes: string): Promise<void> {
    await this.end.write(bytes);
    await settle();
  }

  /** Asserts that exactly `bytes` were written since the last check, and consumes them. */
  async tx(bytes: string): Promise<void> {
    await settle();
    if (this.received !== bytes) {
      throw new Error(`expected the code to write ${JSON.stringify(bytes)}, it wrote ${JSON.stringify(this.received)}`);
    }
    this.received = "";
  }
}

export interface ChannelRig {
  clock: VirtualClock;
  channel: AtChannel;
  modem: FakeModem;
  dte: MemorySerial;
}

/** A channel wired to a fake modem on a virtual clock. `modemOpts` shapes what the modem sends (chunking). */
export function channelRig(options?: AtChannelOptions, modemOpts?: MemorySerialOptions): ChannelRig {
  const clock = new VirtualClock();
  const [dte, dce] = memorySerialPair({}, modemOpts || {});
  const channel = new AtChannel(dte, clock, options);
  return { clock, channel, modem: new FakeModem(dce), dte };
}

/** Resolves to the settled outcome of a promise without letting it throw. */
export function outcome<T>(p: Promise<T>): { value?: T; error?: unknown; settled: boolean } {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (v) => {
      o.value = v;
      o.settled = true;
    },
    (e) => {
      o.error = e;
      o.settled = true;
    },
  );
  return o;
}
