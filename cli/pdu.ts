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
import { parseArgs } from "node:util";
import { parseArgsProblem, usageError } from "./output.js";

const USAGE = `usage: sharedline pdu decode <hex> [--no-smsc] [--length <n>]
       sharedline pdu encode --to <number> --text <text> [options]

decode prints the message as JSON: bodies as hex, time stamps also as ISO 8601.
  --no-smsc             the hex is a bare TPDU, without the SMSC field that AT+CMGR and
                        AT+CMGL put first
  --length <n>          the TPDU length the modem gave (AT+CMGR's <length>), checked

encode prints one line per part, AT+CMGS=<length> <hex>: type the command, then send the
hex at the > prompt and end it with Ctrl-Z.
  --to <number>         the recipient: digits, * and #, with + first for an international
                        number (+819012345678)
  --text <text>         the message; a longer one is split into parts (concatenated SMS)
  --ucs2                UCS-2 (16 bits a character) even when the GSM 7-bit alphabet would do
  --status-report       ask the network for a status report (TP-SRR)
  --ref <n>             the concatenation reference of a text of several parts, 0-255
                        (0-65535 with --ref16); default: a random one, said on stderr
  --ref16               a 16-bit concatenation reference instead of an 8-bit one
  --smsc <number>       the service centre in the PDU (default none: the modem's AT+CSCA)
  --class <0-3>         the message class (0: a flash SMS, shown at once and not stored)
  --validity <minutes>  how long the network keeps trying: at least this many minutes,
                        rounded up to what the PDU can say (5 minutes to 63 weeks)
  --json                JSON lines instead: {"part":1,"total":2,"tpduLength":153,"hex":"..."}
  -h, --help            this text`;

class UsageError extends Error {}

/** 63 weeks: the longest relative validity period 23.040 can say (TP-VP 255). */
const MAX_VALIDITY_MINUTES = 63 * 7 * 24 * 60;

/** Input the codec cannot take: exit status 1, as a bad PDU. */
class BadInput extends Error {}

/**
 * A number for an address field: digits, `*` and `#`, an optional leading `+`. The codec
 * also takes a, b and c (24.008's other semi-octets), so "abc" would go out as a number;
 * no one means that on the command line.
 */
function phoneNumber(text: string, flag: string): string {
  const body = text.charAt(0) === "+" ? text.slice(1) : text;
  const bad = /[^0-9*#]/.exec(body);
  if (bad || !body) throw new BadInput(`${flag} '${text}': ` + (bad ? `character ${JSON.stringify(bad[0])} cannot be in a phone number` : "no digits") + " (digits, * and #, with + first for an international one)");
  return text;
}

type Spec = { [name: string]: { type: "string" | "boolean" } };

/** The options of one subcommand (node:util parseArgs), in the words of every sharedline command. */
function parse(args: string[], options: Spec): { values: { [name: string]: string | boolean | undefined }; positionals: string[]; help?: number } {
  // A value is the next word whatever it starts with (a text "-5 degrees"), as before:
  // parseArgs alone would want --text=-5...
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : "";
    if (name && options[name] && options[name].type === "string" && i + 1 < args.length) joined.push(args[i] + "=" + args[++i]);
    else joined.push(args[i]);
  }
  let r: ReturnType<typeof parse>;
  try {
    r = parseArgs({ args: joined, options: Object.assign({ help: { type: "boolean", short: "h" } }, options), strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(parseArgsProblem(e as Error & { code?: string }));
  }
  if (r.values.help) {
    console.log(USAGE);
    r.help = 0;
  }
  return r;
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
  const p = parse(args, { length: { type: "string" }, "no-smsc": { type: "boolean" } });
  if (p.help !== undefined) return p.help;
  if (p.positionals.length !== 1) throw new UsageError("decode takes one hex PDU");
  const lengthArg = p.values.length as string | undefined;
  const withSmsc = !p.values["no-smsc"];
  const tpduLength = lengthArg === undefined ? undefined : integer(lengthArg, "--length");
  const m = decodePdu(p.positionals[0], { withSmsc, tpduLength });
  const bytes = hexToBytes(p.positionals[0]);
  const smscOctets = withSmsc ? bytes[0] + 1 : 0;
  console.log(JSON.stringify(toJson(m, bytes.length - smscOctets), null, 2));
  return 0;
}

function encode(args: string[]): number {
  const p = parse(args, {
    to: { type: "string" },
    text: { type: "string" },
    ref: { type: "string" },
    smsc: { type: "string" },
    class: { type: "string" },
    validity: { type: "string" },
    ucs2: { type: "boolean" },
    "status-report": { type: "boolean" },
    ref16: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (p.help !== undefined) return p.help;
  if (p.positionals.length) throw new UsageError(`unexpected argument '${p.positionals[0]}'`);
  const v = p.values as { [name: string]: string | undefined };
  const f = p.values as { [name: string]: boolean | undefined };
  if (v.to === undefined || v.text === undefined) throw new UsageError("encode needs --to and --text");
  const text = v.text;
  const refBits = f.ref16 ? 16 : 8;
  const opts: SubmitOptions = {
    to: phoneNumber(v.to, "--to"),
    smsc: v.smsc === undefined ? null : phoneNumber(v.smsc, "--smsc"),
    encoding: f.ucs2 ? "ucs2" : "auto",
    statusReport: !!f["status-report"],
    refBits,
    ref: v.ref === undefined ? undefined : integer(v.ref, "--ref"),
  };
  if (v.class !== undefined) opts.messageClass = integer(v.class, "--class");
  if (v.validity !== undefined) {
    opts.validityMinutes = integer(v.validity, "--validity");
    if (opts.validityMinutes > MAX_VALIDITY_MINUTES) throw new UsageError(`--validity ${v.validity}: at most ${MAX_VALIDITY_MINUTES} minutes (63 weeks)`);
  }
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
    if (f.json) {
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
    if (SmsEncodeError.is(e) || UnencodableTextError.is(e) || e instanceof BadInput) {
      console.error(`pdu ${sub}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
