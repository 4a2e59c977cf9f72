/**
 * Reading 27.007 parameter lists (§4.1: comma-separated, strings in double quotes): the
 * one splitter every parser of answers and URCs uses.
 */

/** Splits a 27.007 parameter list on commas outside quotes and strips the quotes. */
export function splitParams(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** The parameters after `prefix` (e.g. `+CSQ:`), or undefined when the line has another prefix. */
export function paramsOf(line: string, prefix: string): string[] | undefined {
  if (line.indexOf(prefix) !== 0) return undefined;
  return splitParams(line.substr(prefix.length));
}
