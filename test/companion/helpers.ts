/**
 * Test rig of the companion link: an embedded aedes broker on 127.0.0.1 (port 0, or the
 * port of a broker being restarted), a backend client with MQTT.js, and a link wired to a
 * state source and actions that record what they were asked.
 */
import { createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import { Emitter } from "../../hal/emitter.js";
import { systemClock } from "../../hal/node/clock.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import type { Storage } from "../../hal/types.js";
import { CompanionLink, defaultReconnect, type CompanionActions, type LinkConfig, type LinkData, type LinkHolder, type StateSource } from "../../firmware/companion/link.js";
import type { PubSub, PubSubMessage } from "../../firmware/companion/pubsub.js";
import type { Json } from "../../firmware/companion/topics.js";

export interface Broker {
  port: number;
  aedes: Aedes;
  /** Cuts a client's TCP connection from the broker side (a network loss, as the device sees it). */
  kick(clientId: string): void;
  close(): Promise<void>;
}

export async function startBroker(port?: number): Promise<Broker> {
  const aedes = await Aedes.createBroker();
  const clients: { [id: string]: { conn: { destroy(): void } } } = {};
  aedes.on("client", (c) => {
    clients[c.id] = c as unknown as { conn: { destroy(): void } };
  });
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port || 0, "127.0.0.1", () => resolve());
  });
  let closing: Promise<void> | undefined = undefined;
  const addr = server.address();
  const bound = typeof addr === "object" && addr ? addr.port : 0;
  return {
    port: bound,
    aedes,
    kick: (id) => {
      const c = clients[id];
      if (c) c.conn.destroy();
    },
    close: () => {
      // Drop every client connection, as a broker that dies would. Twice is harmless.
      if (!closing) closing = new Promise<void>((resolve) => aedes.close(() => server.close(() => resolve())));
      return closing;
    },
  };
}

/** A backend (or sniffer) client that records every message it receives. */
export async function backend(port: number, subscribe: string[]): Promise<{ client: MqttClient; seen: PubSubMessage[] }> {
  const client = await mqtt.connectAsync("mqtt://127.0.0.1:" + port, { protocolVersion: 4, clientId: "backend-" + Math.random().toString(36).slice(2), reconnectPeriod: 0 });
  const seen: PubSubMessage[] = [];
  client.on("message", (topic, payload, packet) => seen.push({ topic, payload: payload.toString("latin1"), retain: !!packet.retain }));
  if (subscribe.length > 0) await client.subscribeAsync(subscribe, { qos: 1 });
  return { client, seen };
}

/** Waits (real time) until `cond` holds, or fails with `what`. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class FakeSource implements StateSource {
  fields: Json = { reg: "registered", call: "idle", line: "free", net: { creg: 1, rat: "lte", csq: 18 } };
  private changed = new Emitter<{ c: undefined }>();
  snapshot(): Json {
    return JSON.parse(JSON.stringify(this.fields)) as Json;
  }
  onChange(fn: () => void): () => void {
    return this.changed.on("c", fn);
  }
  set(patch: Json): void {
    Object.assign(this.fields, patch);
    this.changed.emit("c", undefined);
  }
}

export class RecordingActions implements CompanionActions {
  unregisteredCalls: string[] = [];
  priorities: LinkHolder[] = [];
  unregistered(reason: string): void {
    this.unregisteredCalls.push(reason);
  }
  smsPriority(holder: LinkHolder): Promise<void> {
    this.priorities.push(holder);
    return Promise.resolve();
  }
}

export const MSISDN = "+819012345678";
export const N = "819012345678";

export function linkConfig(deviceId: string, patch?: Partial<LinkConfig>): LinkConfig {
  return Object.assign(
    {
      msisdn: MSISDN,
      deviceId,
      password: "pw-" + deviceId,
      keepaliveS: 240,
      stateDebounceMs: 50,
      healthyAfterMs: 60000,
      policy: { reconnect: Object.assign({}, defaultReconnect, { baseMs: 40, capMs: 200 }), escalateAfter: 3, refusedWaitMs: 3600000, random: Math.random },
    },
    patch || {},
  );
}

export function makeLink(pubsub: PubSub, deviceId: string, opts?: { storage?: Storage; data?: LinkData; config?: Partial<LinkConfig> }) {
  const source = new FakeSource();
  const actions = new RecordingActions();
  const storage = (opts && opts.storage) || new MemoryStorage();
  let checks = 0;
  const link = new CompanionLink(pubsub, systemClock, storage, linkConfig(deviceId, opts && opts.config), source, actions, opts && opts.data, () => {
    checks++;
  });
  return { link, source, actions, storage, checks: () => checks };
}

export function json(m: PubSubMessage | undefined): Json {
  return m ? (JSON.parse(m.payload) as Json) : {};
}
