/**
 * What a command handler gives back, and how results look on the line: V.250 §5.7
 * (information text and result codes, verbose V1 or numeric V0), 27.007 §9.2 `+CME ERROR`
 * and 27.005 §3.2.5 `+CMS ERROR`, shown as plain `ERROR`, a number or text after +CMEE.
 */
import { defineError } from "../../hal/errors.js";

/** The final result of a command line. */
export type Final =
  | { kind: "ok" }
  | { kind: "error" }
  | { kind: "cme"; code: number }
  | { kind: "cms"; code: number }
  | { kind: "code"; text: "NO CARRIER" | "BUSY" | "NO ANSWER" | "NO DIALTONE" | "CONNECT" }
  /** A vendor's final result line in place of OK (Quectel `SEND OK`, `SEND FAIL`). */
  | { kind: "text"; text: string };

/**
 * A prompt (27.005 §3.5.1 `+CMGS`, `+CMGW`): the modem sends `\r\n> ` and hands the text
 * up to Ctrl-Z to `onPdu`. With `length` it is a data prompt (Quectel `AT+QISEND=<id>,<n>`,
 * SIMCom `AT+CIPSEND=<link>,<n>`): exactly `length` raw bytes follow, any values, no
 * terminator, not echoed (they are payload, not command text).
 */
export interface PromptRequest {
  onPdu(hex: string): Reply | Promise<Reply>;
  /** Fixed-length binary data instead of text up to Ctrl-Z. */
  length?: number;
  /** The prompt's bytes (default `\r\n> `; SIMCom sends `\r\n>`). */
  text?: string;
}

export interface Reply {
  /** Information text lines of this command, sent as one block before the final result. */
  lines: string[];
  /** Default: OK (after the rest of the command line ran). Anything else stops the line. */
  final?: Final;
  prompt?: PromptRequest;
}

export const OK: Final = { kind: "ok" };

export function ok(...lines: string[]): Reply {
  return { lines };
}

/**
 * A read command that lists numbered slots (sockets, MQTT clients): `line(i)` for each
 * slot 0..count-1, in order; a slot whose line is undefined is left out. OK after them.
 */
export function perSlot(count: number, line: (i: number) => string | undefined): Reply {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const l = line(i);
    if (l !== undefined) lines.push(l);
  }
  return { lines };
}

/** Thrown by handlers to end the command line with a final result other than OK. */
export const AtFailure = defineError<{ final: Final }>("AtFailure");

export function cme(code: number): Error {
  return AtFailure("+CME ERROR: " + code, { final: { kind: "cme", code } });
}

export function cms(code: number): Error {
  return AtFailure("+CMS ERROR: " + code, { final: { kind: "cms", code } });
}

export function plainError(): Error {
  return AtFailure("ERROR", { final: { kind: "error" } });
}

/** 27.007 §9.2 mobile termination error codes used by the simulator. */
export const CME = {
  phoneFailure: 0,
  notAllowed: 3,
  notSupported: 4,
  simNotInserted: 10,
  simPinRequired: 11,
  simPukRequired: 12,
  simFailure: 13,
  simBusy: 14,
  incorrectPassword: 16,
  memoryFull: 20,
  invalidIndex: 21,
  notFound: 22,
  textTooLong: 24,
  invalidText: 25,
  dialStringTooLong: 26,
  invalidDialString: 27,
  noNetwork: 30,
  networkTimeout: 31,
  emergencyOnly: 32,
  incorrectParameters: 50,
  unknown: 100,
  // 27.007 §9.2.3: packet domain errors.
  serviceOptionNotSupported: 132,
  serviceOptionNotSubscribed: 133,
  serviceOptionOutOfOrder: 134,
  unspecifiedGprsError: 148,
  pdpAuthenticationFailure: 149,
  unknownApn: 533,
};

const CME_TEXT: { [code: number]: string } = {
  0: "phone failure",
  3: "operation not allowed",
  4: "operation not supported",
  10: "SIM not inserted",
  11: "SIM PIN required",
  12: "SIM PUK required",
  13: "SIM failure",
  14: "SIM busy",
  16: "incorrect password",
  20: "memory full",
  21: "invalid index",
  22: "not found",
  24: "text string too long",
  25: "invalid characters in text string",
  26: "dial string too long",
  27: "invalid characters in dial string",
  30: "no network service",
  31: "network timeout",
  32: "network not allowed - emergency calls only",
  50: "Incorrect parameters",
  100: "unknown",
  132: "service option not supported",
  133: "requested service option not subscribed",
  134: "service option temporarily out of order",
  148: "unspecified GPRS error",
  149: "PDP authentication failure",
  533: "missing or unknown APN",
};

/** 27.005 §3.2.5 message service failure codes used by the simulator. */
export const CMS = {
  meFailure: 300,
  notAllowed: 302,
  notSupported: 303,
  invalidPduParameter: 304,
  invalidTextParameter: 305,
  simNotInserted: 310,
  simPinRequired: 311,
  simBusy: 314,
  memoryFailure: 320,
  invalidIndex: 321,
  memoryFull: 322,
  smscUnknown: 330,
  noNetwork: 331,
  networkTimeout: 332,
  noCnmaExpected: 340,
  unknown: 500,
};

const CMS_TEXT: { [code: number]: string } = {
  300: "ME failure",
  301: "SMS service of ME reserved",
  302: "operation not allowed",
  303: "operation not supported",
  304: "invalid PDU mode parameter",
  305: "invalid text mode parameter",
  310: "SIM not inserted",
  311: "SIM PIN required",
  314: "SIM busy",
  320: "memory failure",
  321: "invalid memory index",
  322: "memory full",
  330: "SMSC address unknown",
  331: "no network service",
  332: "network timeout",
  340: "no +CNMA acknowledgement expected",
  500: "unknown error",
};

/** Numeric result codes (V.250 §5.7.1, Table 1) for ATV0. */
const NUMERIC: { [text: string]: number } = {
  OK: 0,
  CONNECT: 1,
  RING: 2,
  "NO CARRIER": 3,
  ERROR: 4,
  "NO DIALTONE": 6,
  BUSY: 7,
  "NO ANSWER": 8,
};

/** The line settings that shape results (ATV, ATQ, +CMEE, S3, S4). */
export interface ResultFormat {
  verbose: boolean;
  quiet: boolean;
  cmee: number;
  cr: string;
  lf: string;
}

/** The bytes of a final result code, or "" when ATQ1 suppresses it. */
export function formatFinal(f: Final, fmt: ResultFormat): string {
  if (fmt.quiet) return "";
  let text: string;
  if (f.kind === "ok") text = "OK";
  else if (f.kind === "error") text = "ERROR";
  else if (f.kind === "code" || f.kind === "text") text = f.text;
  else if (fmt.cmee === 0) text = "ERROR";
  else {
    const prefix = f.kind === "cme" ? "+CME ERROR: " : "+CMS ERROR: ";
    const table = f.kind === "cme" ? CME_TEXT : CMS_TEXT;
    text = prefix + (fmt.cmee === 2 && table[f.code] !== undefined ? table[f.code] : String(f.code));
  }
  return formatCode(text, fmt);
}

/** A result code line (final or unsolicited, e.g. `RING`): `\r\nTEXT\r\n` in V1, the number and CR in V0. */
export function formatCode(text: string, fmt: ResultFormat): string {
  if (!fmt.verbose) {
    const n = NUMERIC[text];
    return (n !== undefined ? String(n) : text) + fmt.cr;
  }
  return fmt.cr + fmt.lf + text + fmt.cr + fmt.lf;
}

/** Information text (V.250 §5.7.1): lines joined by CR LF, framed by CR LF in V1. */
export function formatInfo(lines: string[], fmt: ResultFormat): string {
  if (lines.length === 0) return "";
  const body = lines.join(fmt.cr + fmt.lf);
  return fmt.verbose ? fmt.cr + fmt.lf + body + fmt.cr + fmt.lf : body + fmt.cr + fmt.lf;
}
