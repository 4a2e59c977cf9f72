/**
 * `npm run bench -- companion`: bytes over the air per idle hour with the companion link
 * up (keepalive 240 s, state only on change), beside a naive MQTT client with a 60 s
 * keepalive, both against the same aedes broker through a counting TCP proxy.
 *
 * The idle hour runs on a virtual clock: MQTT.js's keepalive takes a timer (`timerVariant`)
 * and the link takes a Clock, so an hour passes in seconds while every packet is real.
 * "Over the air" is the MQTT bytes counted by the proxy, plus an estimate of the IP/TCP
 * headers: 52 bytes per segment (IPv4 20 + TCP 20 + timestamps 12) and one bare ACK per
 * segment. Radio wake-ups (one per exchange) are printed too: on LTE each costs far more
 * energy than its bytes.
 */
import { createServer, connect, type Server, type Socket } from "node:net";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { VirtualClock } from "../hal/memory/clock.js";
import { MemoryStorage } from "../hal/memory/storage.js";
import { Emitter } from "../hal/emitter.js";
import { CompanionLink, defaultReconnect } from "../firmware/companion/link.js";
import { urlPubSub } from "../firmware/companion/mqttjs.node.js";

interface Counter {
  bytes: number;
  segments: number;
  exchanges: number;
  lastAt: number;
}

/** A TCP proxy in front of the broker that counts what crosses it. */
async function countingProxy(target: number, counter: Counter, now: () => number): Promise<{ port: number; server: Server }> {
  const server = createServer((client: Socket) => {
    const up = connect(target, "127.0.0.1");
    const count = (b: Buffer) => {
      counter.bytes += b.length;
      counter.segments += 1;
      // Packets within 2 virtual seconds of each other share one radio wake-up.
      if (now() - counter.lastAt > 2000) counter.exchanges += 1;
      counter.lastAt = now();
    };
    client.on("data", (b) => {
      count(b);
      up.write(b);
    });
    up.on("data", (b) => {
      count(b);
      client.write(b);
    });
    client.on("close", () => up.destroy());
    up.on("close", () => client.destroy());
    client.on("error", () => undefined);
    up.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const a = server.address();
  return { port: typeof a === "object" && a ? a.port : 0, server };
}

/** MQTT.js's timer interface (interval semantics) on the virtual clock. */
function virtualTimer(clock: VirtualClock) {
  const live = new Map<number, boolean>();
  let next = 1;
  return {
    set(fn: () => void, ms: number): number {
      const id = next++;
      live.set(id, true);
      const tick = () => {
        if (!live.get(id)) return;
        clock.setTimeout(tick, ms);
        fn();
      };
      clock.setTimeout(tick, ms);
      return id;
    },
    clear(id: number): void {
      live.delete(id);
    },
  };
}

function airEstimate(c: Counter): number {
  return c.bytes + c.segments * 52 * 2;
}

export async function bench(): Promise<void> {
  const clock = new VirtualClock();
  const aedes = await Aedes.createBroker();
  const broker = createServer(aedes.handle);
  await new Promise<void>((r) => broker.listen(0, "127.0.0.1", () => r()));
  const ba = broker.address();
  const brokerPort = typeof ba === "object" && ba ? ba.port : 0;
  const ours: Counter = { bytes: 0, segments: 0, exchanges: 0, lastAt: -1e9 };
  const naive: Counter = { bytes: 0, segments: 0, exchanges: 0, lastAt: -1e9 };
  const p1 = await countingProxy(brokerPort, ours, () => clock.now());
  const p2 = await countingProxy(brokerPort, naive, () => clock.now());
  const timer = virtualTimer(clock);

  const changed = new Emitter<{ c: undefined }>();
  const link = new CompanionLink(
    urlPubSub("mqtt://127.0.0.1:" + p1.port, undefined, { timerVariant: timer }),
    clock,
    new MemoryStorage(),
    {
      msisdn: "+819012345678",
      deviceId: "d7kq3m2x",
      password: "pw",
      keepaliveS: 240,
      stateDebounceMs: 2000,
      healthyAfterMs: 60000,
      policy: { reconnect: defaultReconnect, escalateAfter: 3, refusedWaitMs: 3600000, random: Math.random },
    },
    { snapshot: () => ({ reg: "registered", call: "idle", line: "free" }), onChange: (fn) => changed.on("c", fn) },
    { unregistered: () => undefined, smsPriority: () => Promise.resolve() },
    undefined,
    () => undefined,
  );
  await link.start();
  const client = await mqtt.connectAsync("mqtt://127.0.0.1:" + p2.port, { protocolVersion: 4, clientId: "naive", keepalive: 60, reconnectPeriod: 0, timerVariant: timer });
  await client.subscribeAsync("sl/v1/819012345678/dev/naive/#", { qos: 1 });
  while (link.status().name !== "online") await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  const connectBytes = { ours: ours.bytes, naive: naive.bytes };
  for (const c of [ours, naive]) {
    c.bytes = 0;
    c.segments = 0;
    c.exchanges = 0;
  }
  // One idle hour, in virtual seconds; real time passes between steps for the packets.
  for (let s = 0; s < 3600; s++) {
    await clock.advance(1000);
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 50));
  const row = (name: string, c: Counter, connect: number) =>
    `  ${name.padEnd(34)} ${String(c.bytes).padStart(8)} ${String(airEstimate(c)).padStart(10)} ${String(c.exchanges).padStart(9)} ${String(connect).padStart(9)}`;
  console.log("bytes over the air per idle hour (MQTT 3.1.1, one connection each, same broker)");
  console.log(`  ${"client".padEnd(34)} ${"MQTT B".padStart(8)} ${"IP est. B".padStart(10)} ${"wake-ups".padStart(9)} ${"connect B".padStart(9)}`);
  console.log(row("companion link (keepalive 240 s)", ours, connectBytes.ours));
  console.log(row("naive client (keepalive 60 s)", naive, connectBytes.naive));
  const ratio = (a: number, b: number) => (b === 0 ? "n/a" : (a / b).toFixed(2));
  console.log(`  ratio naive/ours: MQTT bytes ${ratio(naive.bytes, ours.bytes)}x, IP estimate ${ratio(airEstimate(naive), airEstimate(ours))}x, wake-ups ${ratio(naive.exchanges, ours.exchanges)}x`);
  await link.stop();
  await client.endAsync();
  await new Promise<void>((r) => aedes.close(() => r()));
  for (const s of [p1.server, p2.server, broker]) s.close();
}
