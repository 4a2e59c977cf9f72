/**
 * `npm run soak:heapdiff -- [--seed N] [--hours H] [--numbers N] [--accessories N] --at A,B [--keep]`:
 * runs the soak and snapshots the heap at virtual hours A and B (snapshot.ts), then prints
 * the kinds of object that grew most between them, per device. Exits 2 for bad options.
 */
import { runSoak, type SoakOptions } from "./soak.js";
import { growth, snapshotNow } from "./snapshot.js";

type Snap = ReturnType<typeof snapshotNow>;

function parse(args: string[]): { opts: SoakOptions; at: [number, number]; keep: boolean; holders: Set<string> } {
  const opts: SoakOptions = { seed: 15, hours: 12, numbers: 10, accessories: 20 };
  let at: [number, number] = [4, 12];
  let keep = false;
  const holders = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = args[i + 1];
    const n = Number(v);
    if (a === "--keep") {
      keep = true;
      continue;
    }
    if (a === "--holders") {
      for (const k of (v || "").split(",")) if (k) holders.add(k);
      i++;
      continue;
    }
    if (a === "--at") {
      const hs = (v || "").split(",").map(Number);
      if (hs.length !== 2 || !hs.every((h) => Number.isInteger(h) && h >= 1) || hs[0] >= hs[1]) throw new Error("--at needs two whole virtual hours A,B with 1 <= A < B, got " + JSON.stringify(v));
      at = [hs[0], hs[1]];
    } else if (!Number.isFinite(n) || n < 1) throw new Error(a + " needs a number >= 1, got " + JSON.stringify(v));
    else if (a === "--seed") opts.seed = Math.floor(n);
    else if (a === "--hours") opts.hours = n;
    else if (a === "--numbers") opts.numbers = Math.floor(n);
    else if (a === "--accessories") opts.accessories = Math.floor(n);
    else throw new Error("unknown option " + a);
    i++;
  }
  if (at[1] > opts.hours) throw new Error("--at " + at.join(",") + " is past --hours " + opts.hours);
  return { opts, at, keep, holders };
}

async function main(): Promise<number> {
  let p;
  try {
    p = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write((e as Error).message + "\n");
    return 2;
  }
  const snaps: Snap[] = [];
  await runSoak({
    ...p.opts,
    onHour: (h) => {
      if (h === p.at[0] || h === p.at[1]) {
        snaps.push(snapshotNow(p.keep, h + "h", p.holders));
        process.stderr.write("heapdiff: snapshot at +" + h + " h\n");
      }
    },
  });
  if (snaps.length !== 2) throw new Error("took " + snaps.length + " snapshots, expected 2");
  const per = (x: number) => (x / p.opts.accessories).toFixed(1).padStart(10);
  process.stdout.write("growth from +" + p.at[0] + " h to +" + p.at[1] + " h, per accessory (" + p.opts.accessories + "):\n");
  process.stdout.write("(the +" + p.at[0] + " h snapshot's own table of " + snaps[0].counts.size + " kinds is part of the +" + p.at[1] + " h heap: Object, (string), (array) by about that many)\n");
  process.stdout.write("   count+    bytes+  kind\n");
  for (const d of growth(snaps[0].counts, snaps[1].counts)) {
    process.stdout.write(per(d.after.count - d.before.count) + per(d.after.bytes - d.before.bytes) + "  " + d.kind + "\n");
  }
  for (const k of p.holders) {
    process.stdout.write("who holds " + k + " (references at +" + p.at[0] + " h -> +" + p.at[1] + " h):\n");
    const a = snaps[0].holders.get(k) || new Map<string, number>();
    const b = snaps[1].holders.get(k) || new Map<string, number>();
    const keys = Array.from(new Set([...a.keys(), ...b.keys()])).sort((x, y) => (b.get(y) || 0) - (a.get(y) || 0) - ((b.get(x) || 0) - (a.get(x) || 0)));
    for (const key of keys.slice(0, 15)) process.stdout.write(String(a.get(key) || 0).padStart(10) + String(b.get(key) || 0).padStart(10) + "  " + key + "\n");
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write("heapdiff: " + ((e as Error).stack || String(e)) + "\n");
    process.exit(2);
  },
);
