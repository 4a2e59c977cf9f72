/**
 * Reading the strings a device sends as USSD (+CUSD) or dials (ATD<code>;) into the
 * service codes the simulated network knows (SPEC.md §10, R58):
 *
 * - docomo's SMS priority codes `*103*0#`, `*103*1#`, `*#103#` (R77);
 * - the 3GPP TS 22.030 §6.5 supplementary-service procedures for the per-number settings
 *   (R58): forwarding 21 (unconditional), 67 (busy), 61 (no reply, with the no-reply
 *   time as SIC), 62 (not reachable), 002 (all forwarding), and call waiting 43, with
 *   `*` activate, `#` deactivate, `*#` interrogate, `**` register, `##` erase;
 * - any other string of USSD form (22.090 §5.1.2; R78's home-network `1XY` form among
 *   them), which the network does not support (`+CUSD: 4`, R81).
 *
 * A string that is none of these (plain digits) is not a code: `undefined`.
 */

export type SsService = "cfu" | "cfb" | "cfnry" | "cfnrc" | "cfall" | "cw";
export type SsProcedure = "activate" | "deactivate" | "interrogate" | "register" | "erase";

export type ServiceCode =
  | { kind: "priority"; op: "phone" | "accessory" | "query"; text: string }
  | { kind: "ss"; service: SsService; proc: SsProcedure; number?: string; seconds?: number; text: string }
  | { kind: "unknown"; text: string };

/** 22.030 Annex B service codes the network implements. */
const SS_CODES: { [sc: string]: SsService } = { "21": "cfu", "67": "cfb", "61": "cfnry", "62": "cfnrc", "002": "cfall", "43": "cw" };

const PROCEDURES: { [prefix: string]: SsProcedure } = { "**": "register", "##": "erase", "*#": "interrogate", "*": "activate", "#": "deactivate" };

/**
 * R78: the home-network USSD form: one to three of `*`/`#`, then `1`, X in 0–4, one
 * digit, optionally `*` and more, ending in `#` (22.030 §6.5.3, 22.090 §5.1.2).
 */
export function isHomeNetworkUssd(s: string): boolean {
  return /^[*#]{1,3}1[0-4][0-9](\*[0-9*+]*)?#$/.test(s);
}

/** Whether a string has the general USSD / SS form (starts with `*` or `#`, ends in `#`). */
function codeShaped(s: string): boolean {
  return /^[*#][0-9*#+]*#$/.test(s) && s.length >= 2;
}

function parseSs(s: string): ServiceCode | undefined {
  const m = /^(\*\*|##|\*#|\*|#)([0-9]{2,3})((?:\*[0-9+]*){0,3})#$/.exec(s);
  if (!m) return undefined;
  const service = SS_CODES[m[2]];
  if (!service) return undefined;
  const proc = PROCEDURES[m[1]];
  // Supplementary information: *SIA*SIB*SIC (22.030 §6.5.2): number, basic service, no-reply time.
  const info = m[3] === "" ? [] : m[3].slice(1).split("*");
  const out: ServiceCode = { kind: "ss", service, proc, text: s };
  if (service !== "cw" && info[0]) out.number = info[0];
  if (service === "cfnry" || service === "cfall") {
    if (info[2]) {
      const sec = Number(info[2]);
      if (!(sec >= 0 && sec <= 120)) return { kind: "unknown", text: s };
      out.seconds = sec;
    }
  }
  // Register needs a number; a number makes no sense with interrogate, deactivate or erase.
  if (proc === "register" && service !== "cw" && !out.number) return { kind: "unknown", text: s };
  if ((proc === "interrogate" || proc === "deactivate" || proc === "erase") && out.number) return { kind: "unknown", text: s };
  return out;
}

/** What `s` is as a service code, or undefined when it is an ordinary dial string. */
export function parseServiceCode(s: string): ServiceCode | undefined {
  if (s === "*103*0#") return { kind: "priority", op: "phone", text: s };
  if (s === "*103*1#") return { kind: "priority", op: "accessory", text: s };
  if (s === "*#103#") return { kind: "priority", op: "query", text: s };
  if (!codeShaped(s)) return undefined;
  return parseSs(s) || { kind: "unknown", text: s };
}
