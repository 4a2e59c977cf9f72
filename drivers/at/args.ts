/**
 * Building command lines from caller data without letting the data end the command or
 * smuggle a second one in. Every caller-supplied value goes through one of these
 * builders; `checkCommandLine` is the channel's last line of defence before a byte is
 * written.
 */
import { AtArgumentError } from "./errors.js";

/** Characters V.250 §6.3.1 and 27.007 §6.2 allow in a dial string (incl. SS and USSD codes). */
const DIAL_CHARS = "0123456789*#+ABCDabcd";

/**
 * A dial string for `ATD`: digits, `*`, `#`, `+` and A–D. `+` only where a number starts:
 * first, or first in a field of a 22.030 MMI code (`**21*+818099990009#`: forwarding to
 * an international number). Separators people type (spaces, dashes, dots, brackets) are
 * removed; anything else is refused.
 */
export function atDialString(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (ch === " " || ch === "-" || ch === "." || ch === "(" || ch === ")") continue;
    if (DIAL_CHARS.indexOf(ch) < 0) {
      throw AtArgumentError("dial string " + JSON.stringify(value) + ": character " + JSON.stringify(ch) + " is not allowed", {
        what: "dial string",
        value,
        reason: "character " + JSON.stringify(ch) + " not allowed",
      });
    }
    const prev = out.charAt(out.length - 1);
    if (ch === "+" && out.length > 0 && !(prev === "*" && out.charAt(0) !== "+")) {
      throw AtArgumentError("dial string " + JSON.stringify(value) + ": '+' only where a number starts", {
        what: "dial string",
        value,
        reason: "'+' only where a number starts",
      });
    }
    out += ch;
  }
  if (out.length === 0 || out.length > 40) {
    throw AtArgumentError("dial string " + JSON.stringify(value) + ": must have 1 to 40 digits", {
      what: "dial string",
      value,
      reason: "length",
    });
  }
  return out;
}

/**
 * A quoted string parameter (27.007 §4.1): printable ASCII without `"` and `\` (the
 * escape character of 27.007 strings), at most `max` characters. Returned with quotes.
 */
export function atQuoted(what: string, value: string, max: number): string {
  if (value.length > max) {
    throw AtArgumentError(what + " is longer than " + max + " characters", { what, value, reason: "too long" });
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      throw AtArgumentError(what + " " + JSON.stringify(value) + ": character code " + c + " is not allowed in a quoted parameter", {
        what,
        value,
        reason: "character code " + c,
      });
    }
  }
  return '"' + value + '"';
}

/** An integer parameter within [min, max]. */
export function atInt(what: string, value: number, min: number, max: number): string {
  if (typeof value !== "number" || value !== Math.floor(value) || value < min || value > max) {
    throw AtArgumentError(what + " must be an integer from " + min + " to " + max, {
      what,
      value: String(value),
      reason: "out of range",
    });
  }
  return String(value);
}

/**
 * A text payload for prompt mode (27.007 §8.55 `+CPOS` XML): printable ASCII only, so no
 * Ctrl-Z or Esc (which would end or cancel it early) and no line end (which would let the
 * text after it be read as a command line).
 */
export function checkTextPayload(value: string): void {
  if (value.length === 0) throw AtArgumentError("payload is empty", { what: "payload", value, reason: "length" });
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c > 126) {
      throw AtArgumentError("payload: character code " + c + " at " + i + " is not printable ASCII", { what: "payload", value, reason: "not printable" });
    }
  }
}

/** A hex payload (an SMS PDU) for prompt mode: hex digits only, even length. */
/**
 * A fixed-length raw payload (`raw` mode): one to `max` bytes, each a character code
 * 0..255 (a byte string; the modem counts bytes, so a wider character would desynchronise it).
 */
export function checkRawPayload(value: string, max: number): void {
  if (value.length === 0 || value.length > max) {
    throw AtArgumentError("raw payload of " + value.length + " bytes (1.." + max + ")", { what: "payload", value, reason: "length" });
  }
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 255) {
      throw AtArgumentError("raw payload: character code " + value.charCodeAt(i) + " at " + i + " is not a byte", { what: "payload", value, reason: "not a byte" });
    }
  }
}

export function checkHexPayload(value: string): void {
  if (value.length === 0 || value.length % 2 !== 0) {
    throw AtArgumentError("payload must be an even number of hex digits", { what: "payload", value, reason: "length" });
  }
  // Native fast path: a PDU is up to 352 digits, and a loop over them costs Espruino a
  // millisecond or more; the loop below runs only to say where a bad character is.
  if (!/[^0-9A-Fa-f]/.test(value)) return;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const hex = (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (!hex) {
      throw AtArgumentError("payload: character code " + c + " at " + i + " is not a hex digit", {
        what: "payload",
        value,
        reason: "not hex",
      });
    }
  }
}

/**
 * `AT` then printable ASCII without `"` or `;` (no quotes to balance, no command to
 * chain): a line checkCommandLine() passes at once (the channel tests it itself first).
 */
export const PLAIN_LINE = /^[Aa][Tt][ !#-:<-~]*$/;

function refused(cmd: string, reason: string): Error {
  return AtArgumentError("refused command " + JSON.stringify(cmd) + ": " + reason, { what: "command", value: cmd, reason });
}

/**
 * The last check on a whole command line before it is written: it must start with `AT`,
 * hold printable ASCII only (no CR, LF, Ctrl-Z, Esc that would end, send or cancel it),
 * have balanced quotes, and carry a `;` outside quotes only as the last character of a
 * voice dial (`ATD...;`, V.250 §6.3.1) — elsewhere it would chain a second command.
 */
export function checkCommandLine(cmd: string): void {
  // The common line in one native test: nothing in it needs a closer look.
  if (cmd.length <= 1024 && PLAIN_LINE.test(cmd)) return;
  if (cmd.length < 2 || cmd.substr(0, 2).toUpperCase() !== "AT") throw refused(cmd, "must start with AT");
  if (cmd.length > 1024) throw refused(cmd, "longer than 1024 characters");
  // Fast path (every command goes through here; Espruino runs a per-character loop at
  // some microseconds a character): printable ASCII, no ';', balanced quotes.
  if (!/[^ -~]/.test(cmd) && cmd.indexOf(";") < 0) {
    if ((cmd.split('"').length - 1) % 2 !== 0) throw refused(cmd, "unbalanced quote");
    return;
  }
  let quoted = false;
  const dial = cmd.substr(0, 3).toUpperCase() === "ATD";
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw refused(cmd, "control or non-ASCII character code " + c + " at " + i);
    if (c === 0x22) quoted = !quoted;
    else if (c === 0x3b && !quoted && !(dial && i === cmd.length - 1)) throw refused(cmd, "';' would chain another command");
  }
  if (quoted) throw refused(cmd, "unbalanced quote");
}
