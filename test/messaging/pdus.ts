/** Building network-side PDUs for tests with the simulator's own codec (not the firmware's). */
import { encodeDeliverParts } from "../../sim/pdu/concat.js";
import { joinAtPdu } from "../../sim/pdu/tpdu.js";
import type { Storage } from "../../hal/types.js";
import type { VirtualClock } from "../../hal/memory/clock.js";

/** SCA + TPDU hex of each part of a message from `from`, as the modem shows them. */
export function deliverPdus(from: string, text: string, ref: number, time: number, msgClass?: number): string[] {
  return encodeDeliverParts({ from, text, msgClass, scts: { time, tzQuarters: 36 } }, ref).map((tpdu) => joinAtPdu("+819000000000", tpdu));
}

/** A Storage whose every operation takes `ms` of virtual time (flash on a slow watch). */
export class SlowStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly clock: VirtualClock,
    private readonly ms: number,
  ) {}
  private later<T>(f: () => Promise<T>): Promise<T> {
    return new Promise<void>((res) => this.clock.setTimeout(res, this.ms)).then(f);
  }
  read(key: string) {
    return this.later(() => this.inner.read(key));
  }
  write(key: string, value: string) {
    return this.later(() => this.inner.write(key, value));
  }
  remove(key: string) {
    return this.later(() => this.inner.remove(key));
  }
  list(prefix: string) {
    return this.later(() => this.inner.list(prefix));
  }
}
