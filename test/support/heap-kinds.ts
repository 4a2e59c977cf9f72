/**
 * How V8 holds some strings, read from a heap snapshot of this test's own isolate: "string"
 * (one flat block) or "concatenated string" (a rope: one 32-byte node per `+=`, which a
 * record kept for days multiplies). Tests use it to show that a decoder gives flat strings,
 * without measuring memory (a snapshot's node types are exact, heap sizes are not).
 */
import v8 from "node:v8";

/** The values are held here while the snapshot is taken; the class name finds it in the snapshot. */
class HeapKindsProbe {
  [key: string]: unknown;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

let probes = 0;

/** The heap snapshot node type of each of `values`, in order. */
export async function heapKinds(values: string[]): Promise<string[]> {
  const probe = new HeapKindsProbe();
  // Property names of this call only: tests running at the same time hold probes too.
  const tag = "p" + ++probes + "_";
  values.forEach((v, i) => (probe[tag + i] = v));
  const chunks: string[] = [];
  for await (const c of v8.getHeapSnapshot()) chunks.push(String(c));
  const s = JSON.parse(chunks.join("")) as Snapshot;
  const m = s.snapshot.meta;
  const nf = m.node_fields.length;
  const ef = m.edge_fields.length;
  const nameAt = m.node_fields.indexOf("name");
  const edgeCountAt = m.node_fields.indexOf("edge_count");
  const types = m.node_types[0];
  const edgeTypes = m.edge_types[0];
  const out: string[] = values.map(() => "missing");
  for (let i = 0, e = 0; i < s.nodes.length; i += nf) {
    const edges = s.nodes[i + edgeCountAt];
    if (types[s.nodes[i]] === "object" && s.strings[s.nodes[i + nameAt]] === "HeapKindsProbe") {
      for (let k = 0; k < edges; k++) {
        const at = e + k * ef;
        if (edgeTypes[s.edges[at]] !== "property") continue;
        const name = s.strings[s.edges[at + 1]];
        if (name.startsWith(tag)) out[Number(name.slice(tag.length))] = types[s.nodes[s.edges[at + 2]]];
      }
    }
    e += edges * ef;
  }
  if (probe[tag + 0] !== values[0]) throw new Error("unreachable: keeps the probe alive across the snapshot");
  return out;
}
