/**
 * The SIM PIN: entering it (27.007 §8.3 +CPIN) and reading how many tries are left
 * (27.007 §8.65 +CPINR, or the vendor commands of modules without it).
 *
 * Rules that protect the SIM: a PIN is sent once per request and never again after the
 * SIM refused it (three refusals block the SIM behind its PUK, 31.102 / 11.11), so
 * nothing here retries; and the PIN never appears in a log line.
 */
import { AtChannel, AtCommandError, CME_INCORRECT_PASSWORD, atQuoted, paramsOf } from "../../drivers/at/index.js";

/** What the SIM asks for, and how many tries it has left when the modem tells. */
export interface SimLock {
  /** `+CPIN` state: "SIM PIN", "SIM PUK", "READY", ... */
  state: string;
  /** Tries left for the code the SIM asks for; undefined when the modem does not say. */
  triesLeft: number | undefined;
  /** Why the last PIN was not accepted, "" when none was refused. */
  refused: string;
}

export interface PinResult {
  ok: boolean;
  /** Why not, for programs: a malformed code, a code the SIM refused, a SIM that needs its PUK, no code asked for, one being checked, the modem failing. */
  reason?: "badPin" | "wrongPin" | "pukRequired" | "pinNotNeeded" | "busy" | "failed";
  message: string;
  triesLeft: number | undefined;
}

/** 3GPP TS 31.102 §9 / 51.011 §9.3: a PIN has 4 to 8 digits; a PUK 8. */
export function pinError(code: string, what: string): string {
  if (code.length < 4 || code.length > 8 || !/^[0-9]+$/.test(code)) return what + " must be 4 to 8 digits";
  return "";
}

function int(s: string | undefined): number | undefined {
  if (s === undefined || !/^[0-9]+$/.test(s)) return undefined;
  return parseInt(s, 10);
}

/**
 * Ways to read the tries left, in order: 27.007 §8.65 `+CPINR: <code>,<retries>,...`;
 * Quectel `+QPINC: "SC",<pin1>,<puk1>` (Quectel AT manual, QPINC); SIMCom
 * `+SPIC: <pin1>,<pin2>,<puk1>,<puk2>` (SIMCom A76xx AT manual, SPIC). A module that
 * answers ERROR to one is asked the next; the first answer that parses wins.
 */
const TRIES_READERS: { cmd: string; prefix: string; read: (p: string[], puk: boolean) => number | undefined }[] = [
  { cmd: 'AT+CPINR="SIM P*"', prefix: "+CPINR:", read: (p) => int(p[1]) },
  { cmd: 'AT+QPINC="SC"', prefix: "+QPINC:", read: (p, puk) => int(p[puk ? 2 : 1]) },
  { cmd: "AT+SPIC", prefix: "+SPIC:", read: (p, puk) => int(p[puk ? 2 : 0]) },
];

/**
 * Reads the tries left for `state` ("SIM PIN" or "SIM PUK"); resolves undefined when no
 * command gives it. +CPINR may list several codes: the line naming `state` is taken.
 */
export function readTriesLeft(channel: AtChannel, state: string): Promise<number | undefined> {
  const puk = state === "SIM PUK";
  const tryFrom = (i: number): Promise<number | undefined> => {
    if (i >= TRIES_READERS.length) return Promise.resolve(undefined);
    const r = TRIES_READERS[i];
    return channel.send({ cmd: r.cmd, prefixes: [r.prefix] }).then(
      (res) => {
        for (let k = 0; k < res.lines.length; k++) {
          const p = paramsOf(res.lines[k], r.prefix);
          if (!p) continue;
          if (r.prefix === "+CPINR:" && p[0] !== state) continue;
          const n = r.read(p, puk);
          if (n !== undefined) return n;
        }
        return tryFrom(i + 1);
      },
      () => tryFrom(i + 1),
    );
  };
  return tryFrom(0);
}

/**
 * Sends `AT+CPIN="<code>"` (or `"<puk>","<newPin>"` when the SIM asks for its PUK)
 * exactly once. Resolves ok when the SIM took it; otherwise says why, with the tries
 * left when the modem tells.
 */
export function sendPin(channel: AtChannel, state: string, code: string, newPin: string): Promise<PinResult> {
  const puk = state === "SIM PUK";
  const bad = pinError(code, puk ? "the PUK" : "the PIN") || (puk ? pinError(newPin, "the new PIN") : "");
  if (bad) return Promise.resolve({ ok: false, reason: "badPin", message: bad, triesLeft: undefined });
  const cmd = "AT+CPIN=" + atQuoted("PIN", code, 8) + (puk ? "," + atQuoted("new PIN", newPin, 8) : "");
  return channel.send({ cmd, timeoutMs: 10000 }).then(
    () => ({ ok: true, message: puk ? "PUK accepted, new PIN set" : "PIN accepted", triesLeft: undefined }),
    (e: unknown) => {
      const wrong = AtCommandError.is(e) && e.kind === "cme" && e.code === CME_INCORRECT_PASSWORD;
      const why = wrong ? (puk ? "the SIM refused the PUK" : "the SIM refused the PIN") : "the modem did not take the PIN: " + String((e as Error).message || e);
      return readTriesLeft(channel, puk ? "SIM PUK" : state).then((left) => ({
        ok: false,
        reason: wrong ? "wrongPin" : "failed",
        message: why + (left !== undefined ? " (" + left + (left === 1 ? " try" : " tries") + " left)" : ""),
        triesLeft: left,
      }));
    },
  );
}
