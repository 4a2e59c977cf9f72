/**
 * PDUs the modem gave that could not be read (malformed, truncated, not an incoming
 * message): kept aside in Storage with the error, bounded (oldest dropped), so that they
 * can be looked at later, never crash the firmware and never block the messages behind
 * them (the slot in the modem is deleted, or the delivery acknowledged, like any other).
 */
import { KEY, Store, keyNumber, pad } from "./store.js";

export interface QuarantinedPdu {
  id: number;
  /** The PDU as the modem gave it (cut to 400 characters). */
  pdu: string;
  /** Why it was refused (the codec's PduError message, or ours). */
  error: string;
  /** Where it came from: `+CMT`, `+CDS`, `+CMGR`, `+CMGL`. */
  source: string;
  /** When (clock ms). */
  at: number;
}

export class Quarantine {
  private keys: string[] = [];
  private nextId = 1;

  constructor(
    private readonly store: Store,
    private readonly max: number,
  ) {}

  load(): Promise<void> {
    const self = this;
    return this.store.list(KEY.quarantine).then(function (keys) {
      self.keys = keys;
      for (let i = 0; i < keys.length; i++) {
        const n = keyNumber(keys[i], KEY.quarantine);
        if (n >= self.nextId) self.nextId = n + 1;
      }
    });
  }

  /** Keeps `pdu` aside; resolves once durable. */
  add(pdu: string, error: string, source: string, at: number): Promise<QuarantinedPdu> {
    const id = this.nextId++;
    const key = KEY.quarantine + pad(id, 6);
    const rec: QuarantinedPdu = { id: id, pdu: pdu.length > 400 ? pdu.substr(0, 400) : pdu, error: error, source: source, at: at };
    const self = this;
    return this.store
      .put(key, rec)
      .then(function () {
        self.keys.push(key);
        return self.trim();
      })
      .then(function () {
        return rec;
      });
  }

  list(): Promise<QuarantinedPdu[]> {
    return this.store
      .readAll(KEY.quarantine, function () {
        return undefined;
      })
      .then(function (recs) {
        const out: QuarantinedPdu[] = [];
        for (let i = 0; i < recs.length; i++) out.push(recs[i].value as QuarantinedPdu);
        return out;
      });
  }

  private trim(): Promise<void> {
    if (this.keys.length <= this.max) return Promise.resolve();
    const key = this.keys.shift()!;
    const self = this;
    return this.store.remove(key).then(function () {
      return self.trim();
    });
  }
}
