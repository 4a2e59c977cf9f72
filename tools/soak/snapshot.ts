/**
 * Finding what grows in a soak: `npm run soak:heapdiff -- --hours 12 --at 4,12 [soak options]`
 * runs the soak with a V8 heap snapshot at two virtual hours, then prints the object
 * kinds (constructor name for objects, the kind for strings, arrays and closures) whose
 * count or bytes grew most between the two. A leak shows as a kind whose count grows with
 * the events; a bounded store as one that stops once full. The snapshot parser is small
 * on purpose: only the node table (type, name, self size) is read, no retainer graph
 * (Chrome DevTools opens the files, kept with --keep, for that).
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";

/** Objects of one kind in a snapshot: how many, and their own bytes. */
export interface KindCount {
  count: number;
  bytes: number;
}

/** The kind a node is counted under: an object's constructor, else the node type (and a closure's or array's name). */
function kindOf(type: string, name: string): string {
  if (type === "object") return name;
  if (type === "closure") return "closure " + name;
  if (type === "array") return "(array " + name + ")";
  if (type === "hidden" || type === "code" || type === "object shape") return "(" + type + ")";
  return "(" + type + ")";
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Counts a heap snapshot's nodes by kind (the `.heapsnapshot` JSON V8 writes). */
export function countByKind(snapshotJson: string): Map<string, KindCount> {
  return count(JSON.parse(snapshotJson) as Snapshot);
}

function count(s: Snapshot): Map<string, KindCount> {
  const fields = s.snapshot.meta.node_fields;
  const stride = fields.length;
  const typeAt = fields.indexOf("type");
  const nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  if (typeAt < 0 || nameAt < 0 || sizeAt < 0) throw new Error("not a V8 heap snapshot: node_fields " + fields.join(","));
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, KindCount>();
  for (let i = 0; i < s.nodes.length; i += stride) {
    const k = kindOf(types[s.nodes[i + typeAt]], s.strings[s.nodes[i + nameAt]]);
    const c = out.get(k) || { count: 0, bytes: 0 };
    c.count++;
    c.bytes += s.nodes[i + sizeAt];
    out.set(k, c);
  }
  return out;
}

/**
 * Who holds the objects of `kinds`: for each, the holder's kind and the edge's name
 * ("Phone.sent", "(array ).[]"), counted over every reference to such an object.
 */
export function retainers(s: Snapshot, kinds: ReadonlySet<string>): Map<string, Map<string, number>> {
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const stride = nf.length;
  const estride = ef.length;
  const typeAt = nf.indexOf("type");
  const nameAt = nf.indexOf("name");
  const edgeCountAt = nf.indexOf("edge_count");
  const eTypeAt = ef.indexOf("type");
  const eNameAt = ef.indexOf("name_or_index");
  const eToAt = ef.indexOf("to_node");
  const types = s.snapshot.meta.node_types[0];
  const etypes = s.snapshot.meta.edge_types[0];
  const kind = (n: number) => kindOf(types[s.nodes[n + typeAt]], s.strings[s.nodes[n + nameAt]]);
  const out = new Map<string, Map<string, number>>();
  let e = 0;
  for (let n = 0; n < s.nodes.length; n += stride) {
    const edges = s.nodes[n + edgeCountAt];
    let holder: string | undefined;
    for (let k = 0; k < edges; k++, e += estride) {
      const et = etypes[s.edges[e + eTypeAt]];
      if (et === "weak" || et === "shortcut") continue;
      const to = kind(s.edges[e + eToAt]);
      if (!kinds.has(to)) continue;
      holder = holder || kind(n);
      const edgeName = et === "element" || et === "hidden" ? "[]" : s.strings[s.edges[e + eNameAt]];
      const by = out.get(to) || new Map<string, number>();
      const key = holder + "." + edgeName;
      by.set(key, (by.get(key) || 0) + 1);
      out.set(to, by);
    }
  }
  return out;
}

/** One kind's change between two snapshots. */
export interface KindDelta {
  kind: string;
  before: KindCount;
  after: KindCount;
}

/** The kinds whose bytes grew most from `a` to `b`, largest first. */
export function growth(a: Map<string, KindCount>, b: Map<string, KindCount>, top = 30): KindDelta[] {
  const zero = { count: 0, bytes: 0 };
  const all: KindDelta[] = [];
  for (const [kind, after] of b) all.push({ kind, before: a.get(kind) || zero, after });
  return all.sort((x, y) => y.after.bytes - y.before.bytes - (x.after.bytes - x.before.bytes)).slice(0, top);
}

/** Writes a snapshot of this process's heap (V8 collects garbage first), counts it, and finds who holds `holdersOf`. */
export function snapshotNow(keep: boolean, label: string, holdersOf: ReadonlySet<string> = new Set()): { counts: Map<string, KindCount>; holders: Map<string, Map<string, number>> } {
  const file = writeHeapSnapshot(join(tmpdir(), "soak-" + process.pid + "-" + label + ".heapsnapshot"));
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
    return { counts: count(s), holders: retainers(s, holdersOf) };
  } finally {
    if (keep) process.stderr.write("heapdiff: kept " + file + "\n");
    else rmSync(file, { force: true });
  }
}
