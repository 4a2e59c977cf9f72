/**
 * Fuzzing what the broker can hand the companion link (issue 15): MQTT messages on the
 * device's own topics and on other devices' and unknown topics, with payloads that are
 * malformed JSON, huge, of the wrong types, schema version 2, unicode and control
 * characters, and commands with odd ids, unknown ops, expiries in the past, future or of
 * the wrong type, some delivered twice (a QoS 1 redelivery). The link runs on a virtual
 * clock over a PubSub port the test drives.
 *
 * Properties: nothing throws; everything the link publishes is on its own topics, single
 * line printable ASCII JSON with `v: 1`, at most 1 KB; a command with a usable id on its
 * own `cmd` topic is answered, first with `accepted` or `expired` (never both, never
 * twice), and a redelivery with `duplicate`; an expired `unregistered` command does not
 * act; nothing on another device's topic acts or is answered.
 */
import test from "ava";
import fc from "fast-check";
import { VirtualClock } from "../../hal/memory/clock.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { Emitter } from "../../hal/emitter.js";
import { CompanionLink } from "../../firmware/companion/link.js";
import type { ConnectOptions, PubSub, PubSubEvents, Qos } from "../../firmware/companion/pubsub.js";
import { topicsFor, MAX_PAYLOAD } from "../../firmware/companion/topics.js";
import { FakeSource, linkConfig, N, RecordingActions } from "../companion/helpers.js";

const DEV = "fz0dev1";

class DrivenPubSub implements PubSub {
  readonly events = new Emitter<PubSubEvents>();
  readonly published: { topic: string; payload: string; qos: Qos; retain: boolean }[] = [];
  connect(_o: ConnectOptions): Promise<void> {
    return Promise.resolve();
  }
  subscribe(filters: { topic: string; qos: Qos }[]): Promise<number[]> {
    return Promise.resolve(filters.map(() => 1));
  }
  publish(topic: string, payload: string, qos: Qos, retain: boolean): Promise<void> {
    this.published.push({ topic, payload, qos, retain });
    return Promise.resolve();
  }
  end(): Promise<void> {
    return Promise.resolve();
  }
  destroy(): void {
    return undefined;
  }
}

const own = topicsFor("+" + N, DEV);
const OTHER = "sl/v1/" + N + "/dev/other9/";
const topicArb = fc.oneof(
  { arbitrary: fc.constant(own.cmd), weight: 6 },
  { arbitrary: fc.constantFrom(own.line, own.desired, own.status, own.state, own.ack), weight: 2 },
  { arbitrary: fc.constantFrom(OTHER + "cmd", OTHER + "desired", "sl/v1/819000000000/line", "sl/v1/" + N + "/dev/" + DEV + "/cmd/x", "sl/v1/" + N + "/dev/" + DEV + "\u0000/cmd", "$SYS/x"), weight: 2 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
);
const idArb = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 8 }), fc.constant(""), fc.string({ minLength: 60, maxLength: 80 }), fc.integer(), fc.constant(null));
const nowS = Math.floor(Date.UTC(2026, 11, 7) / 1000);
const expArb = fc.oneof(fc.integer({ min: nowS - 100000, max: nowS - 1 }), fc.integer({ min: nowS + 60, max: nowS + 100000 }), fc.constant("soon"), fc.constant(null), fc.constant(undefined));
const jsonValueArb = fc.jsonValue({ maxDepth: 3 });
const commandArb = fc.record({
  v: fc.oneof({ arbitrary: fc.constant(1), weight: 8 }, { arbitrary: fc.constantFrom(2, "1", 0), weight: 1 }),
  id: idArb,
  op: fc.oneof(fc.constantFrom("ping", "refreshState", "unregistered", "smsPriorityChanged", "reboot", ""), fc.string({ maxLength: 10 }), fc.integer()),
  args: fc.oneof(fc.constant(undefined), jsonValueArb, fc.record({ by: fc.string({ maxLength: 20 }), smsPriority: fc.record({ holder: fc.constantFrom("phone", DEV, "x"), rev: fc.integer() }) })),
  ts: fc.integer(),
  exp: expArb,
});
type Kind = "command" | "notJson" | "huge" | "wrongType" | "unicodeJson" | "empty";
const payloadArb: fc.Arbitrary<{ kind: Kind; payload: string; cmd?: Record<string, unknown> }> = fc.oneof(
  { arbitrary: commandArb.map((c) => ({ kind: "command" as Kind, payload: JSON.stringify(c), cmd: c as Record<string, unknown> })), weight: 8 },
  { arbitrary: fc.string({ maxLength: 60 }).map((s) => ({ kind: "notJson" as Kind, payload: "{" + s })), weight: 2 },
  { arbitrary: fc.integer({ min: MAX_PAYLOAD + 1, max: 200000 }).map((n) => ({ kind: "huge" as Kind, payload: JSON.stringify({ v: 1, id: "h", op: "ping", pad: "x".repeat(n) }) })), weight: 1 },
  { arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== "object" || v === null || Array.isArray(v))).map((v) => ({ kind: "wrongType" as Kind, payload: JSON.stringify(v) })), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((s) => ({ kind: "unicodeJson" as Kind, payload: "", cmd: { v: 1, id: s, op: s, args: { by: s } } })), weight: 2 },
  { arbitrary: fc.constant({ kind: "empty" as Kind, payload: "" }), weight: 1 },
);

test("fuzz: MQTT messages reaching the companion link (own and foreign topics; malformed, huge, mistyped, unicode, expired payloads): answers only on its own topics, ASCII JSON under 1 KB, each command id acted on once", async (t) => {
  const clock = new VirtualClock(nowS * 1000);
  const ps = new DrivenPubSub();
  const actions = new RecordingActions();
  const link = new CompanionLink(ps, clock, new MemoryStorage(), linkConfig(DEV, { policy: { reconnect: { baseMs: 40, capMs: 200, minMs: 0 }, escalateAfter: 3, refusedWaitMs: 3600000, random: () => 0.5 } }), new FakeSource(), actions, undefined, () => undefined);
  await link.start();
  await clock.advance(1000);
  t.is(link.status().name, "online");
  let cases = 0;
  const kinds: { [k: string]: number } = {};
  let redeliveries = 0;
  let answered = 0;
  let seq = 0;
  await fc.assert(
    fc.asyncProperty(topicArb, payloadArb, fc.boolean(), async (topic, p, twice) => {
      cases++;
      kinds[p.kind] = (kinds[p.kind] || 0) + 1;
      // Ids are made unique per case (the ring remembers 16), unless the fuzzer chose a non-string.
      const cmd = p.cmd ? Object.assign({}, p.cmd) : undefined;
      if (cmd && typeof cmd.id === "string" && cmd.id !== "") cmd.id = cmd.id.slice(0, 50) + "#" + ++seq;
      const payload = cmd ? JSON.stringify(cmd) : p.payload;
      const before = ps.published.length;
      const unregBefore = actions.unregisteredCalls.length;
      ps.events.emit("message", { topic, payload, retain: false });
      if (twice) {
        redeliveries++;
        ps.events.emit("message", { topic, payload, retain: false });
      }
      await clock.advance(200);
      const out = ps.published.slice(before);
      for (const m of out) {
        if ([own.ack, own.state, own.status].indexOf(m.topic) < 0) throw new Error("published on " + m.topic);
        if (m.payload.length > MAX_PAYLOAD || !/^[\x20-\x7e]*$/.test(m.payload)) throw new Error("not short printable ASCII: " + JSON.stringify(m.payload));
        if ((JSON.parse(m.payload) as { v?: unknown }).v !== 1) throw new Error("no v:1 in " + m.payload);
      }
      const acks = out.filter((m) => m.topic === own.ack).map((m) => JSON.parse(m.payload) as { id: string; status: string });
      const usable = cmd !== undefined && topic === own.cmd && cmd.v === 1 && typeof cmd.id === "string" && cmd.id.length > 0 && cmd.id.length <= 64;
      if (!usable) {
        if (acks.length > 0) throw new Error("answered " + JSON.stringify(acks) + " to " + topic + " " + payload.slice(0, 200));
        if (topic !== own.cmd && topic !== own.desired && actions.unregisteredCalls.length !== unregBefore) throw new Error("acted on " + topic);
        return;
      }
      answered++;
      const first = acks.filter((a) => a.status === "accepted" || a.status === "expired");
      if (first.length !== 1) throw new Error("first-handling acks " + JSON.stringify(acks) + " for " + payload);
      if (twice && !acks.some((a) => a.status === "duplicate")) throw new Error("a redelivery was not answered duplicate: " + JSON.stringify(acks));
      const expired = typeof cmd.exp === "number" && cmd.exp * 1000 < clock.now();
      if (expired !== (first[0].status === "expired")) throw new Error("expiry " + String(cmd.exp) + " at " + clock.now() / 1000 + " answered " + first[0].status);
      if (expired && actions.unregisteredCalls.length !== unregBefore) throw new Error("an expired command acted");
    }),
    { numRuns: 400, seed: 1515 },
  );
  t.log("ran " + cases + " MQTT messages (kinds " + JSON.stringify(kinds) + "), " + redeliveries + " delivered twice, " + answered + " usable commands answered; fast-check seed 1515");
  t.is(link.status().name, "online");
  t.true(answered > 50);
  await link.stop();
});
