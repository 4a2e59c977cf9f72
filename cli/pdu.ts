/**
 * `sharedline pdu`: the SMS PDU codec (drivers/sms) on the command line.
 *
 *   sharedline pdu decode <hex> [--no-smsc] [--length <n>]
 *     Prints the decoded message as JSON. Bodies are shown as hex (`bodyHex`), time stamps
 *     also as ISO 8601 (`iso`), a status report's TP-ST also as its category. `--no-smsc`:
 *     the hex is a bare TPDU; `--length`: the TPDU length the modem gave, checked.
 *
 *   sharedline pdu encode --to <number> --text <text> [--ucs2] [--status-report]
 *                         [--ref <n>] [--ref16] [--smsc <number>] [--class <0-3>]
 *                         [--validity <minutes>] [--json]
 *     Prints one line per part: `AT+CMGS=<length> <hex>`, i.e. the command to type (the
 *     length counts the TPDU without the SMSC field) and, after one blank, the PDU to send
 *     at the `> ` prompt, ended with Ctrl-Z. `--json` prints JSON lines instead:
 *     {"part":1,"total":2,"tpduLength":153,"hex":"..."}. A text of several parts needs a
 *     concatenation reference: `--ref`, or a random one (said on stderr).
 *
 * Bad input: one line on stderr saying what is wrong (for a PDU, the field and octet
 * offset), exit status 1. Usage errors: exit status 2.
 */
import { decodePdu, sctsToIso, statusCategory, submitParts, bytesToHex, hexToBytes, PduError, SmsEncodeError, UnencodableTextError } from "../drivers/sms/index.js";
import type { Scts, SmsPdu, SubmitOptions } from "../drivers/sms/index.js";
import { usageError } from "./output.js";

const USAGE = [
  "usage: sharedline pdu decode <hex> [--no-smsc] [--length <n>]",
  "       sharedline pdu encode --to <number> --text <text> [--ucs2] [--status-report] [--ref <n>] [--ref16]",
  "                             [--smsc <number>] [--class <0-3>] [--validity <minutes>] [--json]",
].join("\n");

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Set<string>;
  values: Map<string, string>;
}

function parseArgs(args: string[], valued: string[], flags: string[]): Parsed {
  const out: Parsed = { positional: [], flags: new Set(), values: new Map() };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (valued.includes(a)) {
      if (i + 1 >= args.length) throw new UsageError(`${a} needs a value`);
      out.values.set(a, args[++i]);
    } else if (flags.includes(a)) {
      out.flags.add(a);
    } else if (a.startsWith("--")) {
      throw new UsageError(`unknown option ${a}`);
    } else {
      out.positional.push(a);
    }
  }
  return out;
}

function integer(text: string, name: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a whole number, not '${text}'`);
  return Number(text);
}

/** The decoded message in a form JSON shows well: bodies as hex, times with ISO strings. */
export function toJson(m: SmsPdu, tpduLength: number): unknown {
  const stamp = (t: Scts | null) => (t === null ? null : { ...t, iso: sctsToIso(t) });
  const base: { [k: string]: unknown } = { ...m, tpduLength };
  base.body = undefined;
  base.bodyHex = m.body === null ? null : bytesToHex(m.body);
  if (m.type === "deliver") base.timestamp = stamp(m.timestamp);
  if (m.type === "submit" && m.validity && m.validity.format === "absolute") base.validity = { ...m.validity, time: stamp(m.validity.time) };
  if (m.type === "status-report") {
    base.timestamp = stamp(m.timestamp);
    base.dischargeTime = stamp(m.dischargeTime);
    base.statusCategory = statusCategory(m.status);
  }
  return base;
}

function decode(args: string[]): number {
  const p = parseArgs(args, ["--length"], ["--no-smsc"]);
  if (p.positional.length !== 1) throw new UsageError("decode takes one hex PDU");
  const lengthArg = p.values.get("--length");
  const withSmsc = !p.flags.has("--no-smsc");
  const tpduLength = lengthArg === undefined ? undefined : integer(lengthArg, "--length");
  const m = decodePdu(p.positional[0], { withSmsc, tpduLength });
  const bytes = hexToBytes(p.positional[0]);
  const smscOctets = withSmsc ? bytes[0] + 1 : 0;
  console.log(JSON.stringify(toJson(m, bytes.length - smscOctets), null, 2));
  return 0;
}

function encode(args: string[]): number {
  const p = parseArgs(args, ["--to", "--text", "--ref", "--smsc", "--class", "--validity"], ["--ucs2", "--status-report", "--ref16", "--json"]);
  if (p.positional.length) throw new UsageError(`unexpected argument '${p.positional[0]}'`);
  const to = p.values.get("--to");
  const text = p.values.get("--text");
  if (to === undefined || text === undefined) throw new UsageError("encode needs --to and --text");
  const refBits = p.flags.has("--ref16") ? 16 : 8;
  const refArg = p.values.get("--ref");
  const opts: SubmitOptions = {
    to,
    smsc: p.values.get("--smsc") ?? null,
    encoding: p.flags.has("--ucs2") ? "ucs2" : "auto",
    statusReport: p.flags.has("--status-report"),
    refBits,
    ref: refArg === undefined ? undefined : integer(refArg, "--ref"),
  };
  const cls = p.values.get("--class");
  if (cls !== undefined) opts.messageClass = integer(cls, "--class");
  const validity = p.values.get("--validity");
  if (validity !== undefined) opts.validityMinutes = integer(validity, "--validity");
  let parts;
  try {
    parts = submitParts(text, opts);
  } catch (e) {
    if (!(SmsEncodeError.is(e) && e.field === "ref" && opts.ref === undefined)) throw e;
    opts.ref = Math.floor(Math.random() * (refBits === 16 ? 0x10000 : 0x100));
    console.error(`pdu encode: ${e.detail}; using random reference ${opts.ref} (give --ref to choose)`);
    parts = submitParts(text, opts);
  }
  parts.forEach((part, i) => {
    if (p.flags.has("--json")) {
      console.log(JSON.stringify({ part: i + 1, total: parts.length, tpduLength: part.tpduLength, hex: part.hex }));
    } else {
      console.log(`AT+CMGS=${part.tpduLength} ${part.hex}`);
    }
  });
  return 0;
}

/** Entry point for `sharedline pdu ...`: exit status 0 ok, 1 bad input, 2 usage. */
export async function run(args: string[]): Promise<number> {
  const sub = args[0];
  try {
    if (sub === "decode") return decode(args.slice(1));
    if (sub === "encode") return encode(args.slice(1));
    if (sub === undefined || sub === "-h" || sub === "--help") {
      if (sub === undefined) console.error(USAGE);
      else console.log(USAGE);
      return sub === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown subcommand '${sub}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      return usageError("pdu", e.message);
    }
    if (PduError.is(e)) {
      console.error(`pdu ${sub}: bad PDU: ${e.field} at octet ${e.offset}: ${e.detail}`);
      return 1;
    }
    if (SmsEncodeError.is(e) || UnencodableTextError.is(e)) {
      console.error(`pdu ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
