/**
 * The MQTT client inside the simulated modem, under Quectel's `AT+QMT*` and SIMCom's
 * `AT+CMQTT*` commands. The network connection is a real TCP connection from the host
 * (opened first, as `AT+QMTOPEN` does), and MQTT runs over it with MQTT.js 5: the
 * simulator's own client, not the firmware's (the firmware reaches it only through AT).
 *
 * As in a module, the client sends its own PINGREQs at the configured keepalive and
 * never reconnects on its own: a lost connection is reported (`lost`) and the AT client
 * opens and connects again.
 */
import net from "node:net";
import tls, { type SecureVersion } from "node:tls";
import { MqttClient } from "mqtt";

export interface MqttWill {
  topic: string;
  /** Binary string. */
  payload: string;
  qos: 0 | 1 | 2;
  retain: boolean;
}

export interface MqttLinkConfig {
  /** 3 = MQTT 3.1, 4 = MQTT 3.1.1. */
  version: 3 | 4;
  /** Seconds; 0 turns keepalive off. */
  keepalive: number;
  clean: boolean;
  will?: MqttWill;
  /** How long CONNECT waits for CONNACK, and each acknowledged packet for its ack. */
  timeoutMs: number;
}

/** Why a connection ended: the peer closed it, pings went unanswered, or the client ended it. */
export type LostReason = "peer" | "ping" | "local";

/** TLS for the connection (the module's SSL context): a real handshake from the host. */
export interface MqttLinkTls {
  /** PEM trust anchor; with `verify`, only a server certificate it signed is accepted. */
  ca: string | undefined;
  verify: boolean;
  /** SNI name (undefined: none, as for an IP address). */
  servername: string | undefined;
  minVersion: SecureVersion | undefined;
  maxVersion: SecureVersion;
}

export interface MqttLinkEvents {
  /**
   * The connection is up (`undefined`) or could not be made; `handshake` is true when TCP
   * connected and TLS then failed (an untrusted certificate, no common version).
   */
  opened(err: NodeJS.ErrnoException | undefined, handshake?: boolean): void;
  /** The connection ended without the AT client asking (not after `close`/`drop`). */
  lost(reason: LostReason): void;
  message(topic: string, payload: string, qos: number, retain: boolean, messageId: number): void;
}

export type MqttState = "opening" | "opened" | "connecting" | "connected" | "closed";

export class MqttLink {
  state: MqttState = "opening";
  private readonly socket: net.Socket;
  /** The TCP connection under it (the same socket without TLS): a drop resets it. */
  private readonly tcp: net.Socket;
  private client: MqttClient | undefined = undefined;
  private pingFailed = false;
  /** Rejecters of the requests waiting for an acknowledgement: a lost connection fails them all. */
  private pending: ((err: Error) => void)[] = [];

  constructor(
    readonly host: string,
    readonly port: number,
    readonly cid: number,
    private readonly ev: MqttLinkEvents,
    secure?: MqttLinkTls,
  ) {
    let tcpUp = false;
    this.tcp = net.connect({ host, port });
    this.tcp.setNoDelay(true);
    this.tcp.once("connect", () => (tcpUp = true));
    // TLS over our own TCP connection, so that a bearer loss can still reset it (drop()).
    this.socket = secure
      ? tls.connect({ socket: this.tcp, host, ca: secure.ca, rejectUnauthorized: secure.verify, servername: secure.servername, minVersion: secure.minVersion, maxVersion: secure.maxVersion })
      : this.tcp;
    if (secure) this.tcp.on("error", (err: NodeJS.ErrnoException) => this.openFailed(err, tcpUp));
    this.socket.once(secure ? "secureConnect" : "connect", () => {
      if (this.state !== "opening") return;
      this.state = "opened";
      this.ev.opened(undefined);
    });
    this.socket.on("error", (err: NodeJS.ErrnoException) => this.openFailed(err, tcpUp));
    this.socket.on("close", () => this.ended(this.pingFailed ? "ping" : "peer"));
  }

  private openFailed(err: NodeJS.ErrnoException, handshake: boolean): void {
    if (this.state !== "opening") return;
    this.state = "closed";
    this.ev.opened(err, handshake);
  }

  private ended(reason: LostReason): void {
    this.failPending();
    if (this.state === "closed" || this.state === "opening") return;
    this.state = "closed";
    if (this.client) this.client.end(true);
    this.ev.lost(reason);
  }

  private failPending(): void {
    const p = this.pending;
    this.pending = [];
    for (const reject of p) reject(new Error("connection lost"));
  }

  /** A request that completes on an acknowledgement, or fails when the connection ends first. */
  private track<T>(run: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      this.pending.push(fail);
      run(
        (v) => {
          if (settled) return;
          settled = true;
          this.pending = this.pending.filter((f) => f !== fail);
          resolve(v);
        },
        (e) => {
          this.pending = this.pending.filter((f) => f !== fail);
          fail(e);
        },
      );
    });
  }

  /** Sends CONNECT; resolves with the CONNACK return code (0 accepted, 1..5 refused), rejects when no CONNACK came. */
  connect(cfg: MqttLinkConfig, clientId: string, username?: string, password?: string): Promise<number> {
    if (this.state !== "opened") return Promise.reject(new Error("not open"));
    this.state = "connecting";
    const socket = this.socket;
    const client = new MqttClient(() => socket, {
      protocolId: cfg.version === 3 ? "MQIsdp" : "MQTT",
      protocolVersion: cfg.version,
      clientId,
      username,
      password: password === undefined ? undefined : Buffer.from(password, "latin1"),
      clean: cfg.clean,
      keepalive: cfg.keepalive,
      reconnectPeriod: 0,
      connectTimeout: cfg.timeoutMs,
      resubscribe: false,
      will: cfg.will ? { topic: cfg.will.topic, payload: Buffer.from(cfg.will.payload, "latin1"), qos: cfg.will.qos, retain: cfg.will.retain } : undefined,
    });
    this.client = client;
    client.on("message", (topic, payload, packet) => {
      this.ev.message(topic, payload.toString("latin1"), packet.qos, packet.retain, packet.messageId || 0);
    });
    return new Promise<number>((resolve, reject) => {
      let done = false;
      client.once("connect", () => {
        if (done) return;
        done = true;
        this.state = "connected";
        resolve(0);
      });
      client.on("error", (err: Error & { code?: number | string }) => {
        if (err.message === "Keepalive timeout") {
          this.pingFailed = true;
          socket.destroy();
          return;
        }
        if (done) return;
        done = true;
        if (typeof err.code === "number" && err.code >= 1 && err.code <= 5) resolve(err.code);
        else reject(err);
      });
      client.once("close", () => {
        if (done) return;
        done = true;
        reject(new Error("connection closed before CONNACK"));
      });
    });
  }

  subscribe(filters: { topic: string; qos: 0 | 1 | 2 }[]): Promise<number[]> {
    const client = this.connected();
    const map: { [topic: string]: { qos: 0 | 1 | 2 } } = {};
    for (const f of filters) map[f.topic] = { qos: f.qos };
    const order = Object.keys(map);
    return this.track((resolve, reject) => {
      client.subscribe(map, (err, granted) => {
        // A SUBACK return code 0x80 (3.1.1 §3.9.3) fails MQTT.js's request; the codes are still in the packet, in order.
        const suback = err ? (err as Error & { packet?: { granted?: number[] } }).packet : undefined;
        if (err && !(suback && suback.granted)) return reject(err);
        const codes: { [topic: string]: number } = {};
        if (suback && suback.granted) order.forEach((topic, i) => (codes[topic] = suback.granted![i]));
        else for (const g of granted || []) codes[g.topic] = g.qos;
        resolve(filters.map((f) => (codes[f.topic] === undefined ? 128 : codes[f.topic])));
      });
    });
  }

  unsubscribe(topics: string[]): Promise<void> {
    const client = this.connected();
    return this.track<void>((resolve, reject) => client.unsubscribe(topics, (err) => (err ? reject(err) : resolve())));
  }

  /** Publishes; resolves when the QoS flow is done (at once for QoS 0). */
  publish(topic: string, payload: string, qos: 0 | 1 | 2, retain: boolean): Promise<void> {
    const client = this.connected();
    return this.track<void>((resolve, reject) => client.publish(topic, Buffer.from(payload, "latin1"), { qos, retain }, (err) => (err ? reject(err) : resolve())));
  }

  /** DISCONNECT, then the TCP connection closes; no `lost` follows. */
  disconnect(): Promise<void> {
    const client = this.client;
    this.failPending();
    this.state = "closed";
    if (!client) {
      this.socket.destroy();
      return Promise.resolve();
    }
    return new Promise((resolve) => client.end(false, {}, () => resolve()));
  }

  /** Closes the network connection without DISCONNECT (the broker then publishes the will); no `lost` follows. */
  close(): void {
    this.failPending();
    if (this.state === "closed") return;
    this.state = "closed";
    this.socket.destroy();
    if (this.client) this.client.end(true);
  }

  /** The bearer is gone: RST, nothing reported. */
  drop(): void {
    this.failPending();
    if (this.state === "closed") return;
    this.state = "closed";
    if (this.tcp.destroyed || this.tcp.connecting) this.tcp.destroy();
    else this.tcp.resetAndDestroy();
    this.socket.destroy();
    if (this.client) this.client.end(true);
  }

  private connected(): MqttClient {
    if (this.state !== "connected" || !this.client) throw new Error("not connected");
    return this.client;
  }
}
