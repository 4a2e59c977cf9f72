/**
 * Parsers for the 27.007 answers and URCs that bring-up and registration need. Each
 * takes one line and returns a typed value, or undefined when the line is not that.
 */
import { paramsOf } from "../at/params.js";

function int(s: string | undefined): number | undefined {
  if (s === undefined || s === "") return undefined;
  const n = parseInt(s, 10);
  return n === n ? n : undefined;
}

/** 27.007 §7.2 / §10.1.22 `<stat>`. */
export type RegStat = "not-registered" | "home" | "searching" | "denied" | "unknown" | "roaming" | "emergency-only";

/** `<stat>` 0 to 5 by number; the list is made per report, not kept (heap on the watch). */
function regStat(n: number): RegStat | undefined {
  return (["not-registered", "home", "searching", "denied", "unknown", "roaming"] as RegStat[])[n];
}

export interface Registration {
  /** Which command reported it: CS (`+CREG`) or EPS (`+CEREG`). */
  domain: "cs" | "eps";
  stat: RegStat;
  /** Location area / tracking area code and cell id (hex strings), with `n=2`. */
  area: string | undefined;
  cell: string | undefined;
  /** Access technology (27.007 §7.3 `<AcT>`: 7 = E-UTRAN, 9 = E-UTRAN NB-S1). */
  act: number | undefined;
  /** The `<n>` setting, present only in a read-command answer (`AT+CEREG?`). */
  n: number | undefined;
}

/**
 * Parses `+CREG:` / `+CEREG:` / `+CGREG:` in both forms: the URC (`+CEREG: 1,"1A2B",...`)
 * and the read answer, which starts with `<n>` (`+CEREG: 2,1,"1A2B",...`). Which form a
 * line is cannot be told from the line alone, so the caller says (`read`).
 */
export function parseRegistration(line: string, read: boolean): Registration | undefined {
  let domain: "cs" | "eps";
  let p = paramsOf(line, "+CEREG:");
  if (p) domain = "eps";
  else {
    p = paramsOf(line, "+CREG:") || paramsOf(line, "+CGREG:");
    if (!p) return undefined;
    domain = "cs";
  }
  let n: number | undefined = undefined;
  if (read) n = int(p.shift());
  const s = int(p[0]);
  if (s === undefined) return undefined;
  // 27.007: 8 = "registered for emergency services only" (+CEREG since Rel-12).
  const stat: RegStat = s === 8 ? "emergency-only" : regStat(s) || "unknown";
  return { domain, stat, area: p[1] || undefined, cell: p[2] || undefined, act: int(p[3]), n };
}

/** Whether a registration state lets the device use the network normally. */
export function isRegistered(stat: RegStat): boolean {
  return stat === "home" || stat === "roaming";
}

export interface Signal {
  /** RSSI in dBm (27.007 §8.5: -113 + 2 * rssi), undefined when unknown (99). */
  rssiDbm: number | undefined;
  /** Bit error rate class 0..7, undefined when unknown. */
  ber: number | undefined;
}

/** Parses `+CSQ: <rssi>,<ber>`. */
export function parseCsq(line: string): Signal | undefined {
  const p = paramsOf(line, "+CSQ:");
  if (!p) return undefined;
  const rssi = int(p[0]);
  const ber = int(p[1]);
  if (rssi === undefined) return undefined;
  return {
    rssiDbm: rssi === 99 || rssi > 31 ? undefined : rssi === 31 ? -51 : -113 + 2 * rssi,
    ber: ber === undefined || ber === 99 ? undefined : ber,
  };
}

export interface Operator {
  mode: number;
  name: string | undefined;
  act: number | undefined;
}

/** Parses `+COPS: <mode>[,<format>,<oper>[,<AcT>]]` (27.007 §7.3). */
export function parseCops(line: string): Operator | undefined {
  const p = paramsOf(line, "+COPS:");
  if (!p) return undefined;
  const mode = int(p[0]);
  if (mode === undefined) return undefined;
  return { mode, name: p[2] || undefined, act: int(p[3]) };
}

/** `+CPIN: <code>` (27.007 §8.3): READY, SIM PIN, SIM PUK, ... */
export function parseCpin(line: string): string | undefined {
  const p = paramsOf(line, "+CPIN:");
  return p ? p[0] : undefined;
}

/** `+CEN1: <reporting>,<mcc>` / `+CEN2: <cat>,<number>` (27.007 §8.67). */
export function parseCen2(line: string): { category: number; number: string } | undefined {
  const p = paramsOf(line, "+CEN2:");
  if (!p) return undefined;
  const category = int(p[0]);
  if (category === undefined || !p[1]) return undefined;
  return { category, number: p[1] };
}

/**
 * 27.007 §7.30 `+CNAP: <calling_name>[,<CNI_validity>]`: the caller's name, and whether
 * it may be shown (0 valid, 1 presentation restricted, 2 not available). A name is kept
 * only when valid; restricted or unavailable names give "".
 */
export function parseCnap(line: string): { name: string; validity: number } | undefined {
  const p = paramsOf(line, "+CNAP:");
  if (!p) return undefined;
  const validity = int(p[1]);
  const v = validity === undefined ? (p[0] === "" ? 2 : 0) : validity;
  return { name: v === 0 ? p[0] : "", validity: v };
}

/**
 * 27.007 §7.8 `+COLP: <number>,<type>[,<subaddr>,<satype>[,<alpha>]]`: the connected line,
 * the number of the party that answered an outgoing call ("" when not available).
 */
export function parseColp(line: string): string | undefined {
  const p = paramsOf(line, "+COLP:");
  // The read form `+COLP: <n>,<m>` has no quoted number: two small integers.
  if (!p || (p.length === 2 && /^[0-9]$/.test(p[0]) && /^[0-9]$/.test(p[1]) && line.indexOf('"') < 0)) return undefined;
  return p[0];
}

/** 27.007 §7.9 `+CDIP: <number>,<type>[,<subaddr>,<satype>]`: the number this call was made to. */
export function parseCdip(line: string): string | undefined {
  const p = paramsOf(line, "+CDIP:");
  return p ? p[0] : undefined;
}

/**
 * Ericsson call monitoring (AT*ECAM; Sony Ericsson and ST-Ericsson modules, and oFono's
 * phonesim unasked): `*ECAV: <ccid>,<ccstatus>,<calltype>[,<processid>,<exitcause>,<number>,<type>]`.
 * <ccid> is the +CLCC call id; <ccstatus> 0 idle, 1 calling, 2 connecting, 3 active,
 * 4 held, 5 waiting, 6 alerting, 7 busy.
 */
export function parseEcav(line: string): { id: number; status: number } | undefined {
  const p = paramsOf(line, "*ECAV:");
  if (!p) return undefined;
  const id = int(p[0]);
  const status = int(p[1]);
  if (id === undefined || status === undefined || id < 1) return undefined;
  return { id, status };
}
