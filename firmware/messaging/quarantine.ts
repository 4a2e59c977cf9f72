/**
 * PDUs the modem gave that could not be read (malformed, truncated, not an incoming
 * message): kept aside in Storage with the error, bounded (oldest dropped), so that they
 * can be looked at later, never crash the firmware and never block the messages behind
 * them (the slot in the modem is deleted, or the delivery acknowledged, like any other).
 * The keys held are in state.ts `QuarantineState`; plain functions, part of the cold
 * receive module.
 */
import type { SmsHost } from "./state.js";
import { KEY, keyNumber, pad, readValues } from "./store.js";

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

/** Reads the keys of the PDUs kept aside. */
export function loadQuarantine(s: SmsHost): Promise<void> {
  const q = s.qs;
  return s.store.list(KEY.quarantine).then(function (keys) {
    q.keys = keys;
    for (let i = 0; i < keys.length; i++) {
      const n = keyNumber(keys[i], KEY.quarantine);
      if (n >= q.nextId) q.nextId = n + 1;
    }
  });
}

function trimQuarantine(s: SmsHost): Promise<void> {
  if (s.qs.keys.length <= s.opts.maxQuarantine) return Promise.resolve();
  const key = s.qs.keys.shift()!;
  return s.store.remove(key).then(function () {
    return trimQuarantine(s);
  });
}

/** Keeps `pdu` aside; resolves once durable. */
export function addToQuarantine(s: SmsHost, pdu: string, error: string, source: string, at: number): Promise<QuarantinedPdu> {
  const id = s.qs.nextId++;
  const key = KEY.quarantine + pad(id, 6);
  const rec: QuarantinedPdu = { id: id, pdu: pdu.length > 400 ? pdu.substr(0, 400) : pdu, error: error, source: source, at: at };
  return s.store
    .put(key, rec)
    .then(function () {
      s.qs.keys.push(key);
      return trimQuarantine(s);
    })
    .then(function () {
      return rec;
    });
}

/** Every PDU kept aside, oldest first. */
export function listQuarantine(s: SmsHost): Promise<QuarantinedPdu[]> {
  return readValues<QuarantinedPdu>(s.store, KEY.quarantine);
}
