/**
 * Final result codes: one table, extensible by modem profiles, and the one place where a
 * final line is decoded into success or a typed error.
 */
import { AtCommandError, describeCode } from "./errors.js";
import type { FinalKind, FinalRule } from "./types.js";

/**
 * V.250 §5.7.1 result codes plus the 27.007 / 27.005 error finals. `NO CARRIER`, `BUSY`,
 * `NO ANSWER` and `NO DIALTONE` end only a call command (`ATD`, `ATA`): while any other
 * command is in flight they are call-progress reports about a call, i.e. URCs, and must
 * not fail an unrelated `AT+CLCC` (see callProgressFinal).
 */
export const standardFinals: FinalRule[] = [
  { match: "OK", prefix: false, kind: "ok", success: true },
  { match: "CONNECT", prefix: true, kind: "connect", success: true },
  { match: "ERROR", prefix: false, kind: "error", success: false },
  { match: "+CME ERROR:", prefix: true, kind: "cme", success: false },
  { match: "+CMS ERROR:", prefix: true, kind: "cms", success: false },
  { match: "NO CARRIER", prefix: false, kind: "no-carrier", success: false },
  { match: "BUSY", prefix: false, kind: "busy", success: false },
  { match: "NO ANSWER", prefix: false, kind: "no-answer", success: false },
  { match: "NO DIALTONE", prefix: false, kind: "no-dialtone", success: false },
];

/** Whether a final of this kind can end only a call command. */
export function callProgressFinal(kind: FinalKind): boolean {
  return kind === "no-carrier" || kind === "busy" || kind === "no-answer" || kind === "no-dialtone";
}

/** Whether `cmd` is a call command that call-progress finals may end (V.250 §6.3.1 D, §6.3.5 A). */
export function isCallCommand(cmd: string): boolean {
  const c = cmd.toUpperCase();
  return c.indexOf("ATD") === 0 || c === "ATA";
}

/** The rule that `line` matches, or undefined. */
export function matchFinal(rules: FinalRule[], line: string): FinalRule | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.prefix ? line.startsWith(r.match) : line === r.match) return r;
  }
  return undefined;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Turns a failing final line into the typed error the command rejects with. */
export function decodeFinal(rule: FinalRule, line: string, cmd: string, lines: string[]): Error {
  let code: number | undefined = undefined;
  let text = line;
  if (rule.kind === "cme" || rule.kind === "cms") {
    const arg = line.substr(rule.match.length).trim();
    if (arg.length > 0 && isDigits(arg)) {
      code = parseInt(arg, 10);
      text = describeCode(rule.kind, code);
    } else {
      text = arg;
    }
  }
  return AtCommandError(cmd + ": " + text, { cmd, kind: rule.kind, code, text, final: line, lines });
}

