/**
 * The isolation matrix of companion-link.md §4.4, run the same way on every broker: for
 * every pair of devices (same number, other number) the other device receives nothing
 * of the target's, whatever it subscribes (`#`, `+`, `sl/v1/#`, `$SYS/#`, the target's
 * own topics) or publishes, takes over no session, plants no will; a revoked device is
 * refused or inert. Brokers refuse differently (aedes: SUBACK 0x80 and a closed
 * connection; mosquitto: filtering at delivery, a PUBACK for a dropped publish), so only
 * what each client receives is asserted.
 *
 * No sleeps: after each phase the backend publishes a sentinel to every observer, and a
 * phase is over when every observer has its sentinel (one broker delivers to a
 * subscriber in the order it processed the publishes).
 */
import type { ExecutionContext } from "ava";
import mqtt, { MqttClient } from "mqtt";
import { canRead, deviceTopic, lineTopic, numberRoot, Principal, readableFilters } from "../../sim/broker/acl.js";
import { BrokerRegistry } from "../../sim/broker/registry.js";

export const N1 = "+819012345678";
export const N2 = "+819087654321";

export interface BrokerUnderTest {
  url: string;
  ca?: string;
  /** Makes the broker forget a credential (aedes: at once; mosquitto: regenerated files and SIGHUP). */
  revoke(device: string): Promise<void>;
}

interface Dev {
  name: string;
  device: string;
  password: string;
  msisdn: string;
  principal: Principal;
}

interface Seen {
  topic: string;
  payload: string;
}

/** The fleet of the matrix: A and A2 share N1, B is on N2. */
export function fleet(registry: BrokerRegistry): Dev[] {
  return [
    ["A", N1, "A1"],
    ["A2", N1, "A2"],
    ["B", N2, "A1"],
  ].map(([name, msisdn, slot]) => {
    const c = registry.issue(msisdn, slot);
    return { name, device: c.device, password: c.password, msisdn: c.msisdn, principal: { role: "device", device: c.device, msisdn: c.msisdn } };
  });
}

function options(b: BrokerUnderTest, clientId: string, username: string, password: string, extra: mqtt.IClientOptions = {}): mqtt.IClientOptions {
  return { clientId, username, password, reconnectPeriod: 0, protocolVersion: 4, connectTimeout: 10000, ca: b.ca, servername: b.ca ? "localhost" : undefined, ...extra };
}

/** A client that records what it receives; `undefined` if the broker refused the connection. */
async function connect(b: BrokerUnderTest, clientId: string, username: string, password: string, extra: mqtt.IClientOptions = {}): Promise<{ client: MqttClient; seen: Seen[] } | undefined> {
  const client = mqtt.connect(b.url, options(b, clientId, username, password, extra));
  const seen: Seen[] = [];
  client.on("message", (topic, payload) => seen.push({ topic, payload: payload.toString("latin1") }));
  const ok = await new Promise<boolean>((resolve) => {
    client.once("connect", () => resolve(true));
    client.once("error", () => resolve(false));
    client.once("close", () => resolve(false));
  });
  if (!ok) {
    client.end(true);
    return undefined;
  }
  client.on("error", () => undefined);
  return { client, seen };
}

/** Every filter an attacker tries, aimed at `target` and at everything. */
function attackFilters(target: Dev): string[] {
  const n = numberRoot(target.msisdn);
  return [
    "#",
    "+",
    "+/#",
    "sl/#",
    "sl/v1/#",
    "$SYS/#",
    "sl/v1/+/line",
    "sl/v1/+/dev/+/+",
    "sl/v1/+/dev/+/cmd",
    "sl/v1/+/dev/+/desired",
    "sl/v1/+/dev/+/ack",
    n + "/#",
    n + "/+",
    n + "/dev/#",
    n + "/dev/" + target.device + "/+",
    deviceTopic(target.msisdn, target.device, "cmd"),
    deviceTopic(target.msisdn, target.device, "desired"),
    deviceTopic(target.msisdn, target.device, "ack"),
  ];
}

/** What only `target` (and the backend) may see. */
function privateTo(target: Dev, observer: Dev, topic: string): boolean {
  if (target.msisdn !== observer.msisdn) return topic.indexOf(numberRoot(target.msisdn) + "/") === 0;
  return ["cmd", "desired", "ack"].some((leaf) => topic === deviceTopic(target.msisdn, target.device, leaf as "cmd"));
}

export async function isolationMatrix(t: ExecutionContext, b: BrokerUnderTest, registry: BrokerRegistry, devs: Dev[]): Promise<void> {
  const be = registry.backend;
  const backend = (await connect(b, be.username, be.username, be.password))!;
  t.truthy(backend, "the backend connects");
  await backend.client.subscribeAsync("sl/v1/#", { qos: 1 });
  const observers = new Map<string, { client: MqttClient; seen: Seen[] }>();
  let sentinel = 0;
  /** Publishes a sentinel to every observer's own cmd topic and waits until each has it. */
  const barrier = async (who: Dev[] = devs) => {
    const mark = "SENTINEL-" + ++sentinel;
    for (const d of who) await backend.client.publishAsync(deviceTopic(d.msisdn, d.device, "cmd"), mark, { qos: 1 });
    for (const d of who) {
      const o = observers.get(d.name)!;
      for (let i = 0; i < 2000 && !o.seen.some((m) => m.payload === mark); i++) await new Promise((r) => setTimeout(r, 5));
      t.true(o.seen.some((m) => m.payload === mark), d.name + " got " + mark);
    }
  };
  const observe = async (d: Dev) => {
    const o = (await connect(b, d.device, d.device, d.password))!;
    t.truthy(o, d.name + " connects with its own credential");
    // Its own filters, then everything aimed at the others.
    const filters = Array.from(new Set(readableFilters(d.principal).concat(devs.filter((x) => x !== d).flatMap(attackFilters))));
    for (const f of filters) await o.client.subscribeAsync(f, { qos: 1 }).catch(() => undefined);
    observers.set(d.name, o);
    return o;
  };

  // ---- 1: reading. Retained state already there, then live traffic from the backend and every device.
  for (const n of [N1, N2]) await backend.client.publishAsync(lineTopic(n), "LINE-" + n, { qos: 1, retain: true });
  for (const d of devs) await backend.client.publishAsync(deviceTopic(d.msisdn, d.device, "desired"), "DESIRED-" + d.name, { qos: 1, retain: true });
  for (const d of devs) await observe(d);
  for (const d of devs) {
    const o = observers.get(d.name)!;
    await o.client.publishAsync(deviceTopic(d.msisdn, d.device, "state"), "STATE-" + d.name, { qos: 1, retain: true });
    await o.client.publishAsync(deviceTopic(d.msisdn, d.device, "status"), "STATUS-" + d.name, { qos: 1, retain: true });
    await o.client.publishAsync(deviceTopic(d.msisdn, d.device, "ack"), "ACK-" + d.name, { qos: 1 });
    await backend.client.publishAsync(deviceTopic(d.msisdn, d.device, "cmd"), "CMD-" + d.name, { qos: 1 });
  }
  await barrier();
  for (const x of devs) {
    const seen = observers.get(x.name)!.seen;
    for (const m of seen) t.true(canRead(x.principal, m.topic), x.name + " may read " + m.topic);
    for (const y of devs) if (y !== x) t.deepEqual(seen.filter((m) => privateTo(y, x, m.topic)), [], x.name + " sees nothing private to " + y.name);
    // It does get its own (so the matrix is not vacuous).
    t.true(seen.some((m) => m.payload === "CMD-" + x.name), x.name + " gets its command");
    t.true(seen.some((m) => m.payload === "DESIRED-" + x.name), x.name + " gets its retained desired state");
    t.true(seen.some((m) => m.payload === "LINE-" + x.msisdn), x.name + " gets its number's line");
  }
  const a = devs[0];
  const a2 = devs[1];
  t.true(observers.get(a2.name)!.seen.some((m) => m.payload === "STATE-" + a.name), "a device of the same number reads its peer's state");

  // ---- 2: writing on another's topics (retained or not, QoS 0 and 1). Nobody may see the forgery.
  for (const x of devs) {
    observers.get(x.name)!.client.end(true);
    observers.delete(x.name);
    for (const y of devs) {
      if (y === x) continue;
      const targets = [lineTopic(y.msisdn), ...(["cmd", "desired", "ack", "state", "status"] as const).map((l) => deviceTopic(y.msisdn, y.device, l))];
      for (const topic of targets) {
        for (const variant of [{ qos: 0 as const, retain: false }, { qos: 1 as const, retain: true }]) {
          const c = await connect(b, x.device, x.device, x.password);
          if (!c) continue;
          // aedes closes the connection on a refused publish, mosquitto acknowledges and drops it: either way, wait for the outcome.
          await Promise.race([c.client.publishAsync(topic, "FORGED-" + x.name, variant).catch(() => undefined), new Promise<void>((r) => c.client.once("close", () => r()))]);
          await c.client.endAsync(true);
        }
      }
    }
    await observe(x);
  }
  await barrier();
  const forged = (s: Seen[]) => s.filter((m) => m.payload.indexOf("FORGED") === 0);
  for (const d of devs) t.deepEqual(forged(observers.get(d.name)!.seen), [], d.name + " sees no forgery");
  t.deepEqual(forged(backend.seen), [], "the backend sees no forgery");
  // A fresh backend session reads the retained store (it takes the backend's client id, so the backend reconnects after).
  const retained = (await connect(b, be.username, be.username, be.password))!;
  await retained.client.subscribeAsync("sl/v1/#", { qos: 1 });
  for (let i = 0; i < 400 && retained.seen.length < 3 * devs.length; i++) await new Promise((r) => setTimeout(r, 5));
  t.deepEqual(forged(retained.seen), [], "no forged retained message");
  await retained.client.endAsync(true);
  // The check took the backend's client id on mosquitto: the backend comes back for the next phases.
  backend.client.end(true);
  Object.assign(backend, (await connect(b, be.username, be.username, be.password))!);
  await backend.client.subscribeAsync("sl/v1/#", { qos: 1 });

  // ---- 3: B tries to take A's session with A's client id (its own password).
  const b0 = devs[2];
  let aClosed = false;
  observers.get(a.name)!.client.once("close", () => (aClosed = true));
  const takeover = await connect(b, a.device, b0.device, b0.password);
  if (takeover) {
    // mosquitto made its client id B's username: it is B, and B's own observer was replaced.
    await takeover.client.endAsync(true);
    observers.get(b0.name)!.client.end(true);
    await observe(b0);
  }
  await barrier();
  t.false(aClosed, "A keeps its session");

  // ---- 4: B leaves a will on A's status and drops its connection.
  const willer = await connect(b, b0.device, b0.device, b0.password, { will: { topic: deviceTopic(a.msisdn, a.device, "status"), payload: Buffer.from("WILL-FORGED"), qos: 1, retain: true } });
  if (willer) {
    observers.get(b0.name)!.client.end(true);
    willer.client.stream.destroy();
    await observe(b0);
  }
  await barrier();
  for (const d of devs) t.false(observers.get(d.name)!.seen.some((m) => m.payload === "WILL-FORGED"), d.name + " sees no planted will");
  t.false(backend.seen.some((m) => m.payload === "WILL-FORGED"), "the backend sees no planted will");

  // ---- 5: names that are wildcards or nonsense are refused or inert.
  for (const name of ["+", "#", "sl/v1/#", "", "x".repeat(300)]) {
    const c = await connect(b, name || "empty", name, "whatever");
    if (!c) continue;
    await c.client.subscribeAsync("#", { qos: 1 }).catch(() => undefined);
    await barrier();
    t.deepEqual(c.seen, [], JSON.stringify(name.slice(0, 10)) + " receives nothing");
    await c.client.endAsync(true);
  }

  // ---- 6: A is revoked (unregistered, R15): its live connection is closed or inert, its credential refused.
  await b.revoke(a.device);
  const aObs = observers.get(a.name)!;
  const before = aObs.seen.length;
  await backend.client.publishAsync(deviceTopic(a.msisdn, a.device, "cmd"), "AFTER-REVOKE", { qos: 1 });
  await barrier(devs.slice(1));
  t.false(aObs.seen.slice(before).some((m) => m.payload === "AFTER-REVOKE"), "a revoked device receives nothing");
  t.is(await connect(b, a.device, a.device, a.password), undefined, "the revoked credential is refused");
  for (const o of Array.from(observers.values())) o.client.end(true);
  await backend.client.endAsync(true);
}
