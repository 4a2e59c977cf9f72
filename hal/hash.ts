/**
 * A short, stable identity of a string: two 32-bit hashes (the *31 and *33 string
 * hashes, the second mixed with the position) as 16 hex digits. Stable across engines
 * and restarts, so it can name Storage files and be compared after a reboot (the SMS
 * parts' identities, SPEC R75). Espruino has no Math.imul, hence the shift forms.
 */

function hex8(n: number): string {
  const s = (n >>> 0).toString(16);
  return "00000000".slice(s.length) + s;
}

/** `s` as 16 hex digits (above). */
export function hash16(s: string): string {
  let a = 0x811c9dc5 | 0;
  let b = 5381;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = ((a << 5) - a + c) | 0;
    b = ((b << 5) + b + (c ^ (i & 0xff))) | 0;
  }
  return hex8(a) + hex8(b);
}
