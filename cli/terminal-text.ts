/**
 * The console's last guard before a terminal: text from the network (SMS bodies, caller
 * names, USSD answers) must never drive it. An ESC sequence in an SMS could clear the
 * screen (`ESC [2J`), set the window title (OSC `ESC ] 0;... BEL`), move the cursor over
 * earlier lines or, on some terminals, answer back with input.
 *
 * The API's words (firmware/api/words.ts `shown`) already escape C0/C1 controls and DEL in
 * what they quote; this guard applies the same escaping to the whole line, whatever built
 * it (idempotent on text `shown` produced), and adds what a terminal also obeys:
 * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what
 * is shown ("Trojan Source", CVE-2021-42574), written as `\uNNNN`.
 *
 * JSON lines: JSON.stringify escapes C0 controls but leaves DEL, C1 controls (U+009B is
 * a one-character CSI) and bidi controls raw; `terminalSafeJson` writes those as `\uNNNN`
 * too, which is the same JSON value.
 */
import { shown } from "../firmware/api/words.js";

function isBidiControl(c: number): boolean {
  return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

function hex4(c: number): string {
  const h = c.toString(16).toUpperCase();
  return "0000".substring(h.length) + h;
}

/** A JSON text with DEL, C1 and bidi controls escaped as `\uNNNN` (the same JSON value). */
export function terminalSafeJson(json: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (!(c >= 0x7f && c <= 0x9f) && !isBidiControl(c)) continue;
    out += json.substring(from, i) + "\\u" + hex4(c);
    from = i + 1;
  }
  return from === 0 ? json : out + json.substring(from);
}

/** `line` with every character that could control a terminal shown escaped. */
export function terminalSafe(line: string): string {
  const text = shown(line);
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isBidiControl(c)) continue;
    out += text.substring(from, i) + "\\u" + hex4(c);
    from = i + 1;
  }
  return from === 0 ? text : out + text.substring(from);
}

/**
 * A command's reply in words (firmware/api/words.ts describeReply) as the lines to print.
 * Its line breaks are its own (a list, the help table, joined with "\n"), while every
 * piece from the network in it already went through `shown`, which writes a newline as
 * `\n`: so the breaks that are left are ours, and each line is made safe on its own.
 * Events stay one escaped line (terminalSafe): their words are not all built that way.
 */
export function terminalLines(reply: string): string[] {
  return reply.split("\n").map(terminalSafe);
}
