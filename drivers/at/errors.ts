/**
 * Typed AT errors, decoded in one place (decodeFinal in finals.ts). Every failure of a
 * command is one of these; never a string, never `undefined`.
 */
import { defineError } from "../../hal/errors.js";
import type { FinalKind } from "./types.js";

/**
 * The modem answered with a failing final result: `ERROR`, `+CME ERROR: <err>`
 * (27.007 §9.2), `+CMS ERROR: <err>` (27.005 §3.2.5), `NO CARRIER`, `BUSY`, `NO ANSWER`
 * or `NO DIALTONE`. `code` is the numeric error when the modem gave one (`+CMEE=1`);
 * `text` is its verbose text (`+CMEE=2`) or our description of the code.
 */
export const AtCommandError = defineError<{
  cmd: string;
  kind: FinalKind;
  code: number | undefined;
  text: string;
  final: string;
  lines: string[];
}>("AtCommandError");

/** No final result within the command's time limit. `partial` holds the lines that did arrive. */
export const AtTimeoutError = defineError<{ cmd: string; timeoutMs: number; partial: string[] }>("AtTimeoutError");

/** The command never completed: the modem rebooted, the link closed, or the owner cancelled it. */
export const AtAbortedError = defineError<{ cmd: string; reason: string }>("AtAbortedError");

/** A caller passed something that could end or smuggle a command; nothing was written. */
export const AtArgumentError = defineError<{ what: string; value: string; reason: string }>("AtArgumentError");

/**
 * `+CME ERROR` / `+CMS ERROR` codes the firmware acts on (27.007 §9.2.1, 27.005 §3.2.5);
 * the rest are described by describeCode. Plain constants, not a table object: the boot
 * code holds only those it uses, one top-level variable each (esbuild inlines constants
 * only with minifySyntax, which tools/bundle.ts never uses), where a table would be one
 * object with a member per code.
 */
export const CME_SIM_NOT_INSERTED = 10;
export const CME_SIM_FAILURE = 13;
export const CME_SIM_BUSY = 14;
export const CME_SIM_WRONG = 15;
export const CME_INCORRECT_PASSWORD = 16;
export const CMS_SIM_BUSY = 314;

/** A person-readable description of a `+CME ERROR` / `+CMS ERROR` code. */
export function describeCode(kind: FinalKind, code: number): string {
  // The tables are strings ("|code:text|...") written inside the function: on Espruino
  // the code stays in flash and a literal becomes a heap string only while the call
  // runs, where a table at module level would hold its blocks for good (and an object
  // with a property per code many more; espruino-facts.md: Memory).
  const table =
    kind === "cms"
      ? "|300:ME failure|301:SMS service of ME reserved|302:operation not allowed|303:operation not supported|304:invalid PDU mode parameter|305:invalid text mode parameter|310:SIM not inserted|311:SIM PIN required|313:SIM failure|314:SIM busy|320:memory failure|321:invalid memory index|322:memory full|330:SMSC address unknown|331:no network service|332:network timeout|340:no +CNMA acknowledgement expected|500:unknown error|"
      : "|0:phone failure|3:operation not allowed|4:operation not supported|10:SIM not inserted|11:SIM PIN required|12:SIM PUK required|13:SIM failure|14:SIM busy|15:SIM wrong|16:incorrect password|20:memory full|21:invalid index|22:not found|30:no network service|31:network timeout|32:network not allowed - emergency calls only|100:unknown|";
  const at = table.indexOf("|" + code + ":");
  if (at >= 0) return table.substring(at + String(code).length + 2, table.indexOf("|", at + 1));
  return (kind === "cms" ? "SMS error " : "equipment error ") + code;
}

/** True for errors worth one retry after a pause: SIM or device busy (CME 14/515, CMS 314). */
export function isTransient(e: unknown): boolean {
  if (!AtCommandError.is(e)) return false;
  if (e.kind === "cme") return e.code === CME_SIM_BUSY || e.code === 515;
  if (e.kind === "cms") return e.code === CMS_SIM_BUSY;
  return false;
}
