/** SQN, the 48-bit sequence number of AKA (3GPP TS 33.102 §6.3.2), as a number (2^48 fits a double exactly). */
export function sqnBytes(n: number): Uint8Array {
  const out = new Uint8Array(6);
  let v = n;
  for (let i = 5; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

export function sqnValue(b: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + b[i];
  return v;
}
