/**
 * Host adapters of the `PubSub` port, both on MQTT.js 5 (companion-link.md §3.1):
 *
 * - `modemPubSub`: MQTT.js over a `ModemSocket` (the car unit: TCP through the modem's own
 *   IP stack). The client is built as `new MqttClient(streamBuilder, options)`, because
 *   `mqtt.connect()` knows only its built-in protocols; TLS runs on the host with
 *   `tls.connect({ socket })` over the modem stream, so no certificate goes to the modem.
 * - `urlPubSub`: plain `mqtt://` / `mqtts://` URLs, for hosts that already have IP and
 *   for tests.
 *
 * Options for cellular: MQTT 3.1.1, clean session, keepalive from the board (240 s by
 * default), `reconnectPeriod: 0` (our supervisor reconnects with jittered back-off;
 * MQTT.js only has a fixed interval), `connectTimeout` 90 s (opening a socket through
 * the modem may take up to 150 s... the modem socket has its own open limit), no QoS 0
 * queue (state is last-value).
 */
import { isIP } from "node:net";
import { Duplex } from "node:stream";
import * as tls from "node:tls";
import mqtt, { MqttClient, type IClientOptions } from "mqtt";
import { Emitter } from "../../hal/emitter.js";
import type { ModemSocket, ModemSockets } from "../data/socket.js";
import type { BrokerTarget, PubSubAdapters } from "./attach.js";
import { PubSubError, type ConnectOptions, type PubSub, type PubSubEvents, type Qos } from "./pubsub.js";

/** `connectTimeout` of every adapter: at least 90 s (§3.1). */
export const CONNECT_TIMEOUT_MS = 90000;

function clientOptions(o: ConnectOptions): IClientOptions {
  return {
    protocolVersion: 4,
    clientId: o.clientId,
    username: o.clientId,
    password: o.password,
    keepalive: o.keepaliveS,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    queueQoSZero: false,
    resubscribe: false,
    will: { topic: o.will.topic, payload: Buffer.from(o.will.payload, "latin1"), qos: 1, retain: true },
  };
}

/** The PubSub port on an MQTT.js client made by `make` (one client per connect). */
export class MqttJsPubSub implements PubSub {
  readonly events = new Emitter<PubSubEvents>();
  private client: MqttClient | undefined = undefined;

  constructor(private readonly make: (options: IClientOptions) => MqttClient) {}

  connect(o: ConnectOptions): Promise<void> {
    this.destroy("reconnecting");
    return new Promise<void>((resolve, reject) => {
      const client = this.make(clientOptions(o));
      this.client = client;
      let connected = false;
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        const code = (e as { code?: unknown }).code;
        reject(PubSubError("connect failed: " + e.message, { refused: typeof code === "number" ? code : undefined }));
        client.end(true);
      };
      client.on("connect", () => {
        connected = true;
        settled = true;
        resolve();
      });
      client.on("error", (e) => {
        if (!connected) fail(e);
      });
      client.on("close", () => {
        if (!connected) fail(new Error("connection closed before CONNACK"));
        else if (this.client === client) {
          this.client = undefined;
          connected = false;
          this.events.emit("down", "connection closed");
        }
      });
      client.on("message", (topic, payload, packet) => {
        if (this.client !== client) return;
        this.events.emit("message", { topic, payload: payload.toString("latin1"), retain: !!packet.retain });
      });
    });
  }

  subscribe(filters: { topic: string; qos: Qos }[]): Promise<number[]> {
    const client = this.client;
    if (!client) return Promise.reject(new Error("not connected"));
    const map: { [topic: string]: { qos: Qos } } = {};
    for (const f of filters) map[f.topic] = { qos: f.qos };
    return client.subscribeAsync(map).then((granted) =>
      filters.map((f) => {
        const g = granted.find((x) => x.topic === f.topic);
        return g ? (g.qos as number) : 128;
      }),
    );
  }

  publish(topic: string, payload: string, qos: Qos, retain: boolean): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error("not connected"));
    return client.publishAsync(topic, Buffer.from(payload, "latin1"), { qos, retain }).then(() => undefined);
  }

  end(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return Promise.resolve();
    return client.endAsync(false).then(undefined, () => undefined);
  }

  destroy(_reason: string): void {
    const client = this.client;
    this.client = undefined;
    if (client) client.end(true);
  }
}

/** Adapter C: an MQTT URL (`mqtt://host:1883`, `mqtts://host:8883`) over the host's own IP. */
export function urlPubSub(
  url: string,
  tlsOptions?: { ca?: string | Buffer; servername?: string; rejectUnauthorized?: boolean },
  extra?: Partial<IClientOptions>,
): MqttJsPubSub {
  return new MqttJsPubSub((options) => mqtt.connect(url, Object.assign({}, options, tlsOptions || {}, extra || {})));
}

/** A Node Duplex over a `ModemSocket`: what MQTT.js (and node:tls) read and write. */
export class ModemSocketStream extends Duplex {
  readonly socket: ModemSocket;

  constructor(sockets: ModemSockets, host: string, port: number) {
    super();
    this.socket = sockets.open(host, port);
    this.socket.events.on("data", (bytes) => this.push(Buffer.from(bytes, "latin1")));
    this.socket.events.on("close", (c) => {
      if (c.error) this.destroy(Object.assign(new Error("modem socket: " + c.reason), { code: "EMODEMSOCKET" }));
      else {
        this.push(null);
        this.destroy();
      }
    });
  }

  _read(): void {
    // Data is pushed as the socket reads it from the module.
  }

  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    // The callback waits for SEND OK: MQTT.js is back-pressured by the modem's pace.
    this.socket.write(chunk.toString("latin1")).then(
      () => cb(),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /**
   * Chunks buffered while a send was out (and all of a packet MQTT.js writes corked) go as
   * one: one modem send command per MQTT packet, not one per piece of it (fixed header,
   * length, topic, payload), which cost a command and its answers each.
   */
  _writev(chunks: { chunk: Buffer }[], cb: (e?: Error | null) => void): void {
    let bytes = "";
    for (const c of chunks) bytes += c.chunk.toString("latin1");
    this.socket.write(bytes).then(
      () => cb(),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  }

  _final(cb: (e?: Error | null) => void): void {
    this.socket.close();
    cb();
  }

  _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.socket.close();
    cb(err);
  }
}

export interface ModemBroker {
  host: string;
  port: number;
  /** TLS on the host over the modem socket; `ca` pins the broker's CA. */
  tls?: { ca?: string | Buffer; servername?: string };
}

/** Adapter A: MQTT.js over a modem socket, TLS (when asked) on the host. */
export function modemPubSub(sockets: ModemSockets, broker: ModemBroker): MqttJsPubSub {
  return new MqttJsPubSub((options) => {
    const build = () => {
      const raw = new ModemSocketStream(sockets, broker.host, broker.port);
      if (!broker.tls) return raw;
      // SNI carries host names only (RFC 6066 §3); behind a load balancer it is mandatory.
      const servername = broker.tls.servername || (isIP(broker.host) ? undefined : broker.host);
      // `host` is what the certificate is checked against (its IP or DNS subjectAltName).
      return tls.connect({ socket: raw, host: broker.host, servername, ca: broker.tls.ca });
    };
    return new MqttClient(build, options);
  });
}

/**
 * The Node host's adapters for createFirmware's composition (firmware/companion/attach.ts):
 * MQTT.js over the host's IP for `url` boards, MQTT.js over a modem socket (TLS on the
 * host) for `modem-socket` boards. `ca` pins the broker's CA for mqtts://.
 */
export function nodeAdapters(ca?: string | Buffer): PubSubAdapters {
  return {
    url: (t: BrokerTarget) => urlPubSub(t.url, ca ? { ca } : undefined),
    socket: (sockets: ModemSockets, t: BrokerTarget) => modemPubSub(sockets, { host: t.host, port: t.port, tls: t.tls ? { ca } : undefined }),
  };
}
