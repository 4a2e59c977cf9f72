/**
 * Capped exponential back-off with full jitter: the pause before retry n is drawn
 * uniformly from [0, min(cap, base * 2^n)). Full jitter spreads a fleet that lost its
 * broker or its cell at the same instant, so their retries do not arrive together (the
 * reconnect storms of companion-link.md §2.4; MQTT.js only has a fixed interval).
 */

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** A floor under every pause (ms): a modem reset is never retried within this (0 = none). */
  minMs: number;
}

/** The ceiling of the n-th pause (n counts from 0). */
export function backoffCeiling(p: BackoffPolicy, n: number): number {
  let ms = p.baseMs;
  for (let i = 0; i < n && ms < p.capMs; i++) ms = ms * 2;
  return ms < p.capMs ? ms : p.capMs;
}

/** The n-th pause: `random` is a source in [0, 1) (injected, so tests are repeatable). */
export function backoffDelay(p: BackoffPolicy, n: number, random: () => number): number {
  const ms = Math.floor(random() * backoffCeiling(p, n));
  return ms > p.minMs ? ms : p.minMs;
}
