/**
 * Reading what a smoke program (test/sms/espruino-smoke.ts, test/messaging/espruino-smoke.ts)
 * printed: a block of `label value` lines between a line `RESULT` and a line `END`, so
 * that the same program's output on Node and on Espruino can be compared line by line.
 */

/** The `label value` lines between RESULT and END, by label. Throws when there is no such block. */
export function resultBlock(output: string): Map<string, string> {
  const body = output.replace(/\r/g, "");
  const start = body.indexOf("RESULT\n");
  const end = body.indexOf("\nEND", start);
  if (start < 0 || end < 0) throw new Error("no RESULT block in:\n" + body.slice(-2000));
  const lines = new Map<string, string>();
  for (const line of body.slice(start + 7, end).split("\n")) {
    const sp = line.indexOf(" ");
    lines.set(line.slice(0, sp), line.slice(sp + 1));
  }
  return lines;
}
