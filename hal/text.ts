/**
 * Finding text in text, right on every engine the firmware runs on.
 *
 * Espruino 2v29's String.prototype.indexOf reports a match where the string ends with
 * the needle's first part, at any start after 0: `"xab".indexOf("abc")` is 1 and
 * `"OK\r".indexOf("\r\n")` is 2 (measured on the Linux build, 32 and 64 bits; a match at
 * 0 is judged right). Such a match runs past the end, and a scan from the left finds a
 * real match before any false one, so a result that does not fit is no match at all.
 */

/** Where `needle` starts in `text` from `from` on, or -1; what indexOf gives on Node. */
export function findText(text: string, needle: string, from?: number): number {
  const i = text.indexOf(needle, from || 0);
  return i >= 0 && i + needle.length <= text.length ? i : -1;
}

/** Whether `text` holds `needle`. */
export function hasText(text: string, needle: string): boolean {
  return findText(text, needle) >= 0;
}
