/**
 * Message storage of the simulated modem (27.005 §3.1 `<mem>`, `<stat>`, `<index>`): the
 * SIM ("SM") and the module's own memory ("ME"), each a fixed number of slots. Messages
 * are kept as the PDU the client reads back with +CMGR/+CMGL (SCA + TPDU, hex). Storage
 * survives a reboot, as it does on a SIM.
 */

/** 27.005 `<stat>` in PDU mode. */
export const REC_UNREAD = 0;
export const REC_READ = 1;
export const STO_UNSENT = 2;
export const STO_SENT = 3;

export interface StoredMessage {
  index: number;
  stat: number;
  /** SCA + TPDU, upper-case hex. */
  pdu: string;
  /** TPDU octets (the `<length>` of +CMGR/+CMGL). */
  length: number;
}

/** One memory: slots 1..capacity. */
export class SmsMemory {
  private slots: { [index: number]: StoredMessage } = {};

  constructor(
    readonly name: string,
    readonly capacity: number,
  ) {}

  used(): number {
    return Object.keys(this.slots).length;
  }

  /** Stored messages in index order. */
  list(): StoredMessage[] {
    return Object.keys(this.slots)
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => this.slots[i]);
  }

  get(index: number): StoredMessage | undefined {
    return this.slots[index];
  }

  /** Stores in the lowest free slot; `undefined` when the memory is full. `smscOctets` is the SCA length in octets (1 for `00`). */
  put(stat: number, pdu: string, smscOctets?: number): StoredMessage | undefined {
    for (let i = 1; i <= this.capacity; i++) {
      if (this.slots[i]) continue;
      const sca = smscOctets !== undefined ? smscOctets : parseInt(pdu.slice(0, 2), 16) + 1;
      const m: StoredMessage = { index: i, stat, pdu: pdu.toUpperCase(), length: pdu.length / 2 - sca };
      this.slots[i] = m;
      return m;
    }
    return undefined;
  }

  delete(index: number): boolean {
    if (!this.slots[index]) return false;
    delete this.slots[index];
    return true;
  }
}

/** The memories a modem offers (+CPMS=? lists them in this order). */
export class SmsStore {
  readonly memories: { [name: string]: SmsMemory } = {};
  readonly names: string[];

  constructor(capacities: { [name: string]: number }) {
    this.names = Object.keys(capacities);
    for (const n of this.names) this.memories[n] = new SmsMemory(n, capacities[n]);
  }

  mem(name: string): SmsMemory | undefined {
    return this.memories[name];
  }
}
