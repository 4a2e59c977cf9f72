/** Reading the parameters of AT information responses and URCs (27.007 §4.1 syntax). */
import { splitParams } from "../../drivers/at/index.js";

/** The parameters after the `+XXX:` prefix (whatever it is), split by the channel's one splitter; quotes removed. */
export function atFields(line: string): string[] {
  const colon = line.indexOf(":");
  return splitParams(colon >= 0 ? line.substr(colon + 1) : line);
}

/** A non-negative decimal parameter, or -1 when absent or not a number. */
export function atNumber(s: string | undefined): number {
  if (s === undefined || s === "") return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return parseInt(s, 10);
}
