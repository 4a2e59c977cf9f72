/**
 * `sharedline probe --port <path|tcp://host:port>`: meets a modem nobody has described
 * yet. It reads what the module says it is (V.250 §6.1.3 ATI, 27.007 §5.1-§5.3
 * +CGMI/+CGMM/+CGMR, V.250 §6.1.9 +GCAP), then walks every modem profile's bring-up
 * script one command at a time, sending each command once, and reports which profile
 * fits and what every failed command answered. Everything on the line goes to an AT
 * transcript (hal/node/transcript.ts) that tests can replay.
 *
 * Probing changes only settings a bring-up changes anyway (echo, error mode, URC modes);
 * call waiting is probed with its presentation only (`AT+CCWA=0`), never the network
 * service, and the SIM PIN is never sent.
 */
import type { Clock, Serial } from "../hal/types.js";
import { systemClock } from "../hal/node/clock.js";
import { openNodeSerial } from "../hal/node/serial.js";
import { recordedSerial, TranscriptWriter } from "../hal/node/transcript.js";
import { AtChannel, AtTimeoutError, stepCommand, type AtResponse, type ChatStep, type ExpectStep, type SendStep } from "../drivers/at/index.js";
import { emptyInfo, modemProfiles, type ModemProfile } from "../drivers/modems/index.js";
import { readBoardsFile } from "./boards-file.js";
import { colourWanted, paint, readOptions, usageError } from "./output.js";

const USAGE = `usage: sharedline probe --port <path|tcp://host:port> [options]

Identifies the modem on <port>, tries the bring-up of every modem profile, and says
which profile (and which boards.json boards) fit and what each failed command answered.

  --port <p>         a serial device or a serial server (tcp://host:port)
  --baud <n>         serial speed (default 115200)
  --record <file>    the AT transcript (default probe-<time>.at.txt in this directory)
  --timeout <ms>     time limit per command (default 3000)
  --json             the report as one JSON object
  -h, --help         this text`;

export interface StepOutcome {
  cmd: string;
  optional: boolean;
  /** "ok", or what went wrong: the modem's error, "timeout", or why its answer was not taken. */
  result: string;
  lines: string[];
}

export interface ProfileFit {
  profile: string;
  vendor: string;
  model: string;
  /** Every mandatory step answered as expected. */
  fits: boolean;
  /** The module says it is this profile's vendor (+CGMI). */
  vendorMatches: boolean;
  failed: StepOutcome[];
  /** Steps not tried: waits for boot lines, and everything after a mandatory failure. */
  skipped: string[];
}

export interface ProbeReport {
  identity: { [cmd: string]: StepOutcome };
  manufacturer: string;
  model: string;
  revision: string;
  capabilities: string[];
  profiles: ProfileFit[];
  /** The best fitting profile, undefined when none fits. */
  best: string | undefined;
  boards: string[];
}

/** What went wrong, without repeating the command the report already names. */
function errorText(cmd: string, e: unknown): string {
  if (AtTimeoutError.is(e)) return "no answer within " + e.timeoutMs + " ms" + (e.partial.length ? " (partial: " + e.partial.join(" | ") + ")" : "");
  const m = e instanceof Error ? e.message : String(e);
  return m.indexOf(cmd + ": ") === 0 ? m.slice(cmd.length + 2) : m;
}

async function once(channel: AtChannel, cmd: string, optional: boolean, prefixes?: string[]): Promise<StepOutcome> {
  try {
    const r = await channel.send({ cmd, prefixes });
    return { cmd, optional, result: "ok", lines: r.lines };
  } catch (e) {
    return { cmd, optional, result: errorText(cmd, e), lines: [] };
  }
}

/** `+GCAP: +CGSM,+FCLASS,+DS` -> ["+CGSM", "+FCLASS", "+DS"] */
function capabilities(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const body = l.indexOf("+GCAP:") === 0 ? l.slice(6) : l;
    for (const c of body.split(",")) if (c.trim()) out.push(c.trim());
  }
  return out;
}

function firstLine(o: StepOutcome, prefix: string): string {
  const l = o.result === "ok" && o.lines.length > 0 ? o.lines[0].trim() : "";
  return l.indexOf(prefix) === 0 ? l.slice(prefix.length).trim() : l;
}

async function tryProfile(channel: AtChannel, profile: ModemProfile): Promise<ProfileFit> {
  // What an accessory's bring-up needs, with call waiting left as the network has it.
  const steps: ChatStep[] = profile.bringUp({ voice: true, sms: "native", callWaiting: false }, emptyInfo());
  const fit: ProfileFit = {
    profile: profile.name,
    vendor: profile.vendor,
    model: profile.model,
    fits: true,
    vendorMatches: false,
    failed: [],
    skipped: [],
  };
  for (let i = 0; i < steps.length; i++) {
    const raw = steps[i];
    if (typeof raw !== "string" && "prefix" in raw) {
      fit.skipped.push("wait for " + JSON.stringify(raw.prefix) + " (printed at boot)");
      continue;
    }
    const step: SendStep = typeof raw === "string" ? { command: raw } : raw;
    const cmd = stepCommand(step)!;
    const optional = !!step.optional;
    let outcome: StepOutcome;
    try {
      const r: AtResponse = await channel.send(step.command);
      outcome = { cmd, optional, result: "ok", lines: r.lines };
      // The profile's own reading of the answer: a +CPIN that is not READY fails here.
      if (step.onResponse) step.onResponse(r);
    } catch (e) {
      outcome = { cmd, optional, result: errorText(cmd, e), lines: [] };
    }
    if (outcome.result === "ok") continue;
    fit.failed.push(outcome);
    if (!optional) {
      fit.fits = false;
      for (let k = i + 1; k < steps.length; k++) {
        const s = steps[k];
        const c = stepCommand(s);
        fit.skipped.push(c !== undefined ? c : "wait for " + JSON.stringify((s as ExpectStep).prefix));
      }
      break;
    }
  }
  return fit;
}

/** Ranks the fits: every mandatory step, then the vendor, then the fewest failed optional steps, then generic first. */
function best(fits: ProfileFit[]): ProfileFit | undefined {
  const ok = fits.filter((f) => f.fits);
  ok.sort((a, b) => {
    if (a.vendorMatches !== b.vendorMatches) return a.vendorMatches ? -1 : 1;
    if (a.failed.length !== b.failed.length) return a.failed.length - b.failed.length;
    return (a.profile === "generic" ? 0 : 1) - (b.profile === "generic" ? 0 : 1);
  });
  return ok[0];
}

/** Probes the modem on `serial`; `clock` times the commands. */
export async function probeModem(serial: Serial, clock: Clock, timeoutMs = 3000): Promise<ProbeReport> {
  const all = Object.keys(modemProfiles).map((k) => modemProfiles[k]);
  const banners: string[] = [];
  for (const p of all) for (const b of p.banners) if (banners.indexOf(b) < 0) banners.push(b);
  const channel = new AtChannel(serial, clock, { timeoutMs, banners, finals: all.reduce((acc, p) => acc.concat(p.finals), [] as ModemProfile["finals"]) });
  for (const p of all) for (const l of p.bootLines) channel.onUrc(l, () => undefined);
  try {
    // A module mid-boot may miss the first AT: a few tries before giving up.
    let alive = await once(channel, "AT", false);
    for (let i = 0; i < 4 && alive.result !== "ok" && /no answer/.test(alive.result); i++) alive = await once(channel, "AT", false);
    const identity: { [cmd: string]: StepOutcome } = { AT: alive };
    const silent = { identity, manufacturer: "", model: "", revision: "", capabilities: [], profiles: [], best: undefined, boards: [] };
    // Silence (not ERROR: any final result proves a modem) after five tries: nothing to judge.
    if (/^no answer/.test(alive.result)) return silent;
    identity.ATE0 = await once(channel, "ATE0", true);
    identity.ATI = await once(channel, "ATI", true);
    identity["AT+CGMI"] = await once(channel, "AT+CGMI", true);
    identity["AT+CGMM"] = await once(channel, "AT+CGMM", true);
    identity["AT+CGMR"] = await once(channel, "AT+CGMR", true);
    identity["AT+GCAP"] = await once(channel, "AT+GCAP", true, ["+GCAP:"]);
    const manufacturer = firstLine(identity["AT+CGMI"], "+CGMI:");
    const report: ProbeReport = {
      identity,
      manufacturer,
      model: firstLine(identity["AT+CGMM"], "+CGMM:"),
      revision: firstLine(identity["AT+CGMR"], "+CGMR:"),
      capabilities: identity["AT+GCAP"].result === "ok" ? capabilities(identity["AT+GCAP"].lines) : [],
      profiles: [],
      best: undefined,
      boards: [],
    };
    for (const p of all) {
      const fit = await tryProfile(channel, p);
      fit.vendorMatches = p.vendor !== "3GPP" && manufacturer.toLowerCase().indexOf(p.vendor.toLowerCase()) >= 0;
      report.profiles.push(fit);
    }
    const b = best(report.profiles);
    report.best = b ? b.profile : undefined;
    return report;
  } finally {
    channel.close();
  }
}

export function formatReport(r: ProbeReport, colour: boolean): string[] {
  const out: string[] = [];
  const id = r.identity;
  if (!id.ATI) {
    out.push(paint(colour, "error", "no modem answers: AT " + id.AT.result));
    return out;
  }
  out.push(`modem: ${r.manufacturer || "?"} ${r.model || "?"}, firmware ${r.revision || "?"}`);
  if (id.ATI.result === "ok") out.push(`ATI: ${id.ATI.lines.join(" | ")}`);
  out.push(`capabilities (+GCAP): ${r.capabilities.length ? r.capabilities.join(", ") : "not reported (" + id["AT+GCAP"].result + ")"}`);
  for (const f of r.profiles) {
    const head = `${f.profile} (${f.vendor} ${f.model}): ` + (f.fits ? (f.failed.length ? `fits, ${f.failed.length} optional command(s) refused` : "fits") : "does not fit");
    out.push(paint(colour, f.fits ? "good" : "warn", head) + (f.vendorMatches ? " [vendor matches]" : ""));
    for (const s of f.failed) out.push(`    ${s.cmd}${s.optional ? " (optional)" : ""}: ${s.result}`);
    if (!f.fits && f.skipped.length) out.push(`    not tried after that: ${f.skipped.join(", ")}`);
  }
  if (r.best) out.push(paint(colour, "good", `best fit: ${r.best}`) + (r.boards.length ? `; boards with it: ${r.boards.join(", ")}` : "; no board in boards.json uses it yet"));
  else out.push(paint(colour, "error", "no profile fits: see the refused commands above"));
  return out;
}

function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export async function run(argv: string[]): Promise<number> {
  const args = readOptions(
    "probe",
    argv,
    {
      port: { type: "string" },
      baud: { type: "string" },
      record: { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    } as const,
    USAGE,
  );
  if (typeof args === "number") return args;
  if (!args.port) return usageError("probe", "--port <path|tcp://host:port> is required");
  const baud = args.baud === undefined ? 115200 : Number(args.baud);
  if (!Number.isInteger(baud) || baud <= 0) return usageError("probe", `--baud needs a speed in bit/s, got '${args.baud}'`);
  const timeoutMs = args.timeout === undefined ? 3000 : Number(args.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) return usageError("probe", `--timeout needs milliseconds (at least 100), got '${args.timeout}'`);
  const file = args.record || `probe-${stamp(new Date())}.at.txt`;
  let serial: Serial;
  try {
    serial = await openNodeSerial(args.port, { baud });
  } catch (e) {
    console.error(`sharedline probe: ${(e as Error).message}`);
    return 1;
  }
  let recorder: TranscriptWriter;
  try {
    recorder = new TranscriptWriter(file, systemClock, `sharedline probe --port ${args.port}, ${new Date().toISOString()}`);
  } catch (e) {
    await serial.close();
    console.error(`sharedline probe: --record ${file}: ${(e as Error).message}`);
    return 1;
  }
  const recorded = recordedSerial(serial, recorder);
  let report: ProbeReport;
  try {
    report = await probeModem(recorded, systemClock, timeoutMs);
  } finally {
    await recorded.close();
  }
  if (report.best) {
    try {
      const boards = readBoardsFile().boards;
      report.boards = Object.keys(boards).filter((n) => boards[n].modem === report.best);
    } catch {
      // A broken boards.json does not hide what the probe found.
    }
  }
  if (args.json) console.log(JSON.stringify({ ...report, transcript: file }));
  else {
    for (const l of formatReport(report, colourWanted())) console.log(l);
    console.log(`AT transcript: ${file}`);
  }
  return report.best ? 0 : 1;
}
