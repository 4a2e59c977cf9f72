/**
 * The simulated modem's own reading of AT command lines (ITU-T V.250 §5.2-§5.4; 3GPP TS
 * 27.007 §4), written apart from the firmware's AT channel on purpose.
 *
 * A command line is the text after `AT` up to the S3 terminator. It holds basic commands
 * (`E0`, `&F`, `S0=1`, `D<dial string>`) and extended commands (`+CMGF=0`) separated by
 * `;`. Spaces outside strings are ignored and names are case-insensitive (V.250 §5.1).
 */
import { defineError } from "../../hal/errors.js";

export type CommandKind = "action" | "set" | "read" | "test";

/** One command of a command line. */
export interface AtCommandLine {
  /** Upper-case name: `+CMGF`, `^SYSINFO`, `E`, `&F`, `S0`, `D`. */
  name: string;
  kind: CommandKind;
  /** For `set`: the text after `=`; for a basic command: its digits; for `D`: the dial string (with its `;`). */
  args: string;
}

/** A command line V.250 cannot read; the modem answers `ERROR`. */
export const AtSyntaxError = defineError<{ at: number }>("AtSyntaxError");

/** First characters of extended command names: `+` (V.250 §5.4.1) and the vendor prefixes real modules use. */
const EXTENDED_PREFIX = "+^$%!@#*";

function isNameChar(c: string): boolean {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || "!%-./:_".indexOf(c) >= 0;
}

function isLetter(c: string): boolean {
  return (c >= "A" && c <= "Z") || (c >= "a" && c <= "z");
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Index of the first unquoted `;` at or after `from`, or the line length. */
function endOfExtended(body: string, from: number): number {
  let quoted = false;
  for (let i = from; i < body.length; i++) {
    const c = body[i];
    if (c === '"') quoted = !quoted;
    else if (c === ";" && !quoted) return i;
  }
  if (quoted) throw AtSyntaxError("unterminated string", { at: from });
  return body.length;
}

/** Removes spaces that are outside quoted strings (V.250 §5.2.1: the DCE ignores them). */
function stripSpaces(s: string): string {
  let out = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    if (c === " " && !quoted) continue;
    out += c;
  }
  return out;
}

/** Splits the body of a command line (after `AT`) into commands; throws `AtSyntaxError`. */
export function parseCommandLine(rawBody: string): AtCommandLine[] {
  const body = stripSpaces(rawBody);
  const out: AtCommandLine[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === ";") {
      i++;
      continue;
    }
    if (EXTENDED_PREFIX.indexOf(c) >= 0) {
      let j = i + 1;
      while (j < body.length && isNameChar(body[j])) j++;
      if (j === i + 1) throw AtSyntaxError("extended command without a name", { at: i });
      const name = body.slice(i, j).toUpperCase();
      if (body.startsWith("=?", j)) {
        j += 2;
        if (j < body.length && body[j] !== ";") throw AtSyntaxError("text after =?", { at: j });
        out.push({ name, kind: "test", args: "" });
        i = j;
      } else if (body[j] === "?") {
        j++;
        if (j < body.length && body[j] !== ";") throw AtSyntaxError("text after ?", { at: j });
        out.push({ name, kind: "read", args: "" });
        i = j;
      } else if (body[j] === "=") {
        const end = endOfExtended(body, j + 1);
        out.push({ name, kind: "set", args: body.slice(j + 1, end) });
        i = end;
      } else {
        if (j < body.length && body[j] !== ";") throw AtSyntaxError("unexpected '" + body[j] + "'", { at: j });
        out.push({ name, kind: "action", args: "" });
        i = j;
      }
      continue;
    }
    if (c === "D" || c === "d") {
      // The dial string runs to a `;` (voice call, back to command state: 27.007 §6.3) or the end.
      const end = endOfExtended(body, i + 1);
      const withSemicolon = end < body.length;
      out.push({ name: "D", kind: "action", args: body.slice(i + 1, end) + (withSemicolon ? ";" : "") });
      i = withSemicolon ? end + 1 : end;
      continue;
    }
    if (c === "S" || c === "s") {
      let j = i + 1;
      while (j < body.length && isDigit(body[j])) j++;
      if (j === i + 1) throw AtSyntaxError("S without a register number", { at: i });
      const name = "S" + String(Number(body.slice(i + 1, j)));
      if (body[j] === "?") {
        out.push({ name, kind: "read", args: "" });
        i = j + 1;
      } else if (body[j] === "=") {
        let k = j + 1;
        while (k < body.length && isDigit(body[k])) k++;
        out.push({ name, kind: "set", args: body.slice(j + 1, k) });
        i = k;
      } else throw AtSyntaxError("S register needs ? or =", { at: j });
      continue;
    }
    if (c === "&" || isLetter(c)) {
      let j = i + 1;
      if (c === "&") {
        if (!isLetter(body[j] || "")) throw AtSyntaxError("& without a letter", { at: i });
        j++;
      }
      const name = body.slice(i, j).toUpperCase();
      let k = j;
      while (k < body.length && isDigit(body[k])) k++;
      out.push({ name, kind: "action", args: body.slice(j, k) });
      i = k;
      continue;
    }
    throw AtSyntaxError("unexpected '" + c + "'", { at: i });
  }
  return out;
}

/** One parameter of an extended command. */
export interface AtArg {
  /** The value without quotes (string escapes `\HH` resolved, V.250 §5.4.2.2). */
  value: string;
  quoted: boolean;
  /** Nothing between the commas: the parameter is omitted. */
  omitted: boolean;
}

/** Splits the parameters of an extended command (`1,"SM",,2`); throws `AtSyntaxError`. */
export function splitArgs(raw: string): AtArg[] {
  const out: AtArg[] = [];
  if (raw === "") return out;
  let i = 0;
  for (;;) {
    if (raw[i] === '"') {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= raw.length) throw AtSyntaxError("unterminated string", { at: i });
        const ch = raw[j];
        if (ch === '"') break;
        if (ch === "\\" && /^[0-9A-Fa-f]{2}$/.test(raw.slice(j + 1, j + 3))) {
          value += String.fromCharCode(parseInt(raw.slice(j + 1, j + 3), 16));
          j += 3;
          continue;
        }
        value += ch;
        j++;
      }
      out.push({ value, quoted: true, omitted: false });
      i = j + 1;
      if (i < raw.length && raw[i] !== ",") throw AtSyntaxError("text after a string", { at: i });
    } else {
      let j = raw.indexOf(",", i);
      if (j < 0) j = raw.length;
      const value = raw.slice(i, j);
      if (value.indexOf('"') >= 0) throw AtSyntaxError("stray quote", { at: i });
      out.push({ value, quoted: false, omitted: value === "" });
      i = j;
    }
    if (i >= raw.length) return out;
    i++; // the comma
    if (i >= raw.length) {
      out.push({ value: "", quoted: false, omitted: true });
      return out;
    }
  }
}
