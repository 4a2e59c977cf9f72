/**
 * `npm run soak -- --seed 1 --hours 72 --numbers 50 --accessories 100 --report text|json`:
 * runs the soak (tools/soak/soak.ts) and prints its report. Exits 1 when an invariant
 * failed (each failure names its seed and virtual time), 2 for bad options.
 */
import { formatReport, runSoak, type SoakOptions } from "./soak.js";

const USAGE = `usage: npm run soak -- [--seed N] [--hours H] [--numbers N] [--accessories N]
                     [--parties N] [--gap-min M] [--fault-share F] [--companions F] [--boards a,b] [--report text|json]
                     [--trace n3a1]   (everything one accessory does, to stderr)
                     [--progress]     (one line per virtual hour, to stderr)
                     --companions F: share of the accessories with the companion link (MQTT), default 1
defaults: --seed 1 --hours 24 --numbers 10 --accessories 20 --report text`;

function parse(args: string[]): { opts: SoakOptions; report: "text" | "json" } {
  const opts: SoakOptions = { seed: 1, hours: 24, numbers: 10, accessories: 20 };
  let report: "text" | "json" = "text";
  const num = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min) throw new Error(name + " needs a number >= " + min + ", got " + JSON.stringify(v));
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    if (a === "--seed") opts.seed = Math.floor(num(a, v, 0));
    else if (a === "--hours") opts.hours = num(a, v, 0.01);
    else if (a === "--numbers") opts.numbers = Math.floor(num(a, v, 1));
    else if (a === "--accessories") opts.accessories = Math.floor(num(a, v, 1));
    else if (a === "--parties") opts.parties = Math.floor(num(a, v, 1));
    else if (a === "--gap-min") opts.meanGapMs = num(a, v, 0.01) * 60000;
    else if (a === "--fault-share") opts.faultShare = Math.min(1, num(a, v, 0));
    else if (a === "--companions") opts.companions = Math.min(1, num(a, v, 0));
    else if (a === "--trace") opts.trace = v;
    else if (a === "--progress") {
      const t0 = process.cpuUsage();
      opts.onHour = (h, checks, failures) => {
        const c = process.cpuUsage(t0);
        process.stderr.write("soak: " + h + " virtual h, " + checks + " checks, " + failures + " failures, cpu " + Math.round((c.user + c.system) / 1000) + " ms\n");
      };
      i--;
    }
    else if (a === "--boards") opts.boards = (v || "").split(",").filter((s) => s !== "");
    else if (a === "--report") {
      if (v !== "text" && v !== "json") throw new Error("--report is text or json, got " + JSON.stringify(v));
      report = v;
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE + "\n");
      process.exit(0);
    } else throw new Error("unknown option " + a);
    i++;
  }
  return { opts, report };
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write((e as Error).message + "\n" + USAGE + "\n");
    return 2;
  }
  const r = await runSoak(parsed.opts);
  process.stdout.write((parsed.report === "json" ? JSON.stringify(r, null, 2) : formatReport(r)) + "\n");
  return r.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write("soak: " + ((e as Error).stack || String(e)) + "\n");
    process.exit(2);
  },
);
