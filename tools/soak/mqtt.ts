/**
 * The soak's MQTT side: the embedded aedes broker with the per-device isolation hooks
 * (sim/broker/aedes-broker.ts), reached over in-memory duplex streams instead of TCP, and
 * a backend that sends commands (with ids and expiry) to the devices and follows their
 * acknowledgements.
 *
 * Determinism: no real socket and no real timer decides anything. Streams hand bytes over
 * on `process.nextTick`, which the virtual clock lets run between its timers; MQTT.js's
 * keepalive runs on the virtual clock (its `timerVariant`); the broker can be restarted
 * (every connection dropped, retained messages lost with its memory) and comes back after
 * a while, and clients reconnect by their own back-off on the virtual clock.
 */
import { Duplex } from "node:stream";
import { MqttClient, type IClientOptions } from "mqtt";
import type { Clock, TimerHandle } from "../../hal/types.js";
import { isolatingAedes, type BrokerAuthority, type IsolatingAedes } from "../../sim/broker/aedes-broker.js";
import type { Principal } from "../../sim/broker/acl.js";

/** One end of an in-memory byte pipe; destroying one end closes the other. */
class PipeEnd extends Duplex {
  peer: PipeEnd | undefined = undefined;

  _read(): void {
    // Bytes are pushed by the peer's writes.
  }

  _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const p = this.peer;
    if (!p || p.destroyed) return cb(new Error("the other end is closed"));
    p.push(chunk);
    cb();
  }

  _final(cb: (e?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(null);
    cb();
  }

  _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    const p = this.peer;
    this.peer = undefined;
    if (p && !p.destroyed) p.destroy();
    cb(err);
  }
}

/** Two connected in-memory duplex streams (what `aedes.handle` and MQTT.js accept). */
export function duplexPair(): [Duplex, Duplex] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** MQTT.js's keepalive interval on the virtual clock (MQTT.js 5 `timerVariant`). */
export function virtualTimer(clock: Clock): { set: typeof setInterval; clear: typeof clearInterval } {
  const live = new Map<number, TimerHandle>();
  let next = 1;
  const set = (fn: () => void, ms: number): number => {
    const id = next++;
    const arm = () => {
      live.set(
        id,
        clock.setTimeout(() => {
          if (!live.has(id)) return;
          arm();
          fn();
        }, ms),
      );
    };
    arm();
    return id;
  };
  const clear = (id: unknown): void => {
    const h = live.get(id as number);
    if (h !== undefined) clock.clearTimeout(h);
    live.delete(id as number);
  };
  return { set: set as unknown as typeof setInterval, clear: clear as unknown as typeof clearInterval };
}

/** The soak's credentials: deterministic ids and plain passwords (no key derivation per connect). */
export class SoakAuthority implements BrokerAuthority {
  private readonly entries = new Map<string, { password: string; principal: Principal }>();

  add(username: string, password: string, principal: Principal): void {
    this.entries.set(username, { password, principal });
  }

  verify(username: string | undefined, password: string | Buffer | undefined): Principal | undefined {
    const e = username === undefined ? undefined : this.entries.get(username);
    if (!e || password === undefined) return undefined;
    return (typeof password === "string" ? password : password.toString("utf8")) === e.password ? e.principal : undefined;
  }

  principal(username: string): Principal | undefined {
    const e = this.entries.get(username);
    return e ? e.principal : undefined;
  }

  /** The soak never revokes a credential: nothing to keep (each broker start asks again). */
  onRevoke(_listener: (username: string) => void): () => void {
    return () => undefined;
  }
}

/** The broker, restartable; `stream()` is a new connection to it (closed at once while it is down). */
export class SoakBroker {
  private current: IsolatingAedes | undefined = undefined;
  restarts = 0;
  connections = 0;

  constructor(readonly authority: SoakAuthority) {}

  get up(): boolean {
    return this.current !== undefined;
  }

  async start(): Promise<void> {
    this.current = await isolatingAedes(this.authority);
  }

  /** Every connection drops (wills are published by the old broker as it goes), then nothing answers until `start`. */
  stop(): Promise<void> {
    const b = this.current;
    this.current = undefined;
    if (!b) return Promise.resolve();
    this.restarts++;
    for (const c of Array.from(b.live.values())) if (c.conn) c.conn.destroy();
    return new Promise<void>((resolve) => b.aedes.close(() => resolve()));
  }

  stream(): Duplex {
    const [client, server] = duplexPair();
    const b = this.current;
    if (!b) {
      // Connection refused: the client sees its stream close before any CONNACK.
      process.nextTick(() => client.destroy());
      return client;
    }
    this.connections++;
    b.aedes.handle(server);
    return client;
  }

  /** An MQTT.js client over a new in-memory connection, keepalive on the virtual clock. */
  client(clock: Clock, options: IClientOptions): MqttClient {
    return new MqttClient(() => this.stream(), Object.assign({}, options, { timerVariant: virtualTimer(clock) }));
  }
}

/** What the backend knows of one command it sent. */
export interface SentCommand {
  id: string;
  /** The accessory it is for (its device id is its soak name). */
  device: string;
  topic: string;
  body: string;
  sentAt: number;
  /** Expiry, ms (the payload carries seconds). */
  expMs: number;
  /** Publishes made (the first and the resends). */
  publishes: number;
  /** Acks of its first handling (`accepted`, or `expired`): more than one means it was acted on twice. */
  firstAcks: number;
  /** Times the device reported it handled the command (done, rejected, expired), across its restarts. */
  handled: number;
  /** `duplicate` acks (a resend of a command already handled). */
  duplicates: number;
  /** Acks of any kind. */
  acks: number;
  /** The device's link was online long enough, before the expiry, for the command to get through. */
  reachable: boolean;
}

/**
 * The backend: one MQTT client with the backend's credential, subscribed to every device's
 * `ack`; it sends commands at QoS 1 and, since a device's clean session loses what was
 * published while it was away, sends them again every `resendMs` until some ack comes or
 * the command expires (companion-link.md §5.5: the device dedupes by id).
 */
export class Backend {
  private client: MqttClient | undefined = undefined;
  private connected = false;
  readonly open = new Map<string, SentCommand>();
  private seq = 0;
  reconnects = 0;

  constructor(
    private readonly broker: SoakBroker,
    private readonly clock: Clock,
    private readonly username: string,
    private readonly password: string,
    private readonly onAck: (cmd: SentCommand, status: string) => void,
    private readonly resendMs = 30000,
  ) {}

  start(): void {
    const client = this.broker.client(this.clock, { protocolVersion: 4, clientId: this.username, username: this.username, password: this.password, clean: true, keepalive: 60, reconnectPeriod: 0, connectTimeout: 30000 });
    this.client = client;
    client.on("connect", () => {
      this.connected = true;
      client.subscribe("sl/v1/+/dev/+/ack", { qos: 1 });
    });
    client.on("message", (topic, payload) => this.message(topic, payload.toString("latin1")));
    client.on("error", () => undefined);
    client.on("close", () => {
      if (this.client !== client) return;
      this.connected = false;
      this.client = undefined;
      client.end(true);
      this.reconnects++;
      this.clock.setTimeout(() => this.start(), 5000);
    });
  }

  stop(): void {
    const c = this.client;
    this.client = undefined;
    if (c) c.end(true);
  }

  /** Sends a new command now (and again until acked or expired); `expMs` may already be past. */
  send(device: string, topic: string, op: string, expMs: number): SentCommand {
    const id = "c" + ++this.seq;
    const body = JSON.stringify({ v: 1, id, op, ts: Math.floor(this.clock.now() / 1000), exp: Math.floor(expMs / 1000) });
    const cmd: SentCommand = { id, device, topic, body, sentAt: this.clock.now(), expMs, publishes: 0, firstAcks: 0, handled: 0, duplicates: 0, acks: 0, reachable: false };
    this.open.set(id, cmd);
    this.publish(cmd);
    return cmd;
  }

  private publish(cmd: SentCommand): void {
    if (cmd.acks > 0 || !this.open.has(cmd.id)) return;
    // An already expired command is sent once (the device must answer `expired`), a live one until its expiry.
    if (cmd.publishes > 0 && this.clock.now() >= cmd.expMs) return;
    if (this.client && this.connected) {
      cmd.publishes++;
      this.client.publish(cmd.topic, cmd.body, { qos: 1 }, () => undefined);
    }
    this.clock.setTimeout(() => this.publish(cmd), this.resendMs);
  }

  private message(topic: string, payload: string): void {
    let o: { id?: unknown; status?: unknown };
    try {
      o = JSON.parse(payload) as { id?: unknown; status?: unknown };
    } catch {
      return;
    }
    const cmd = typeof o.id === "string" ? this.open.get(o.id) : undefined;
    if (!cmd || topic !== cmd.topic.replace(/cmd$/, "ack")) return;
    const status = String(o.status);
    cmd.acks++;
    if (status === "accepted" || status === "expired") cmd.firstAcks++;
    if (status === "duplicate") cmd.duplicates++;
    this.onAck(cmd, status);
  }

  /** Forgets commands that expired before `before`, handing each to `check` first. */
  retire(before: number, check: (cmd: SentCommand) => void): void {
    for (const [id, cmd] of this.open) {
      if (cmd.expMs >= before) continue;
      check(cmd);
      this.open.delete(id);
    }
  }

  get isConnected(): boolean {
    return this.connected;
  }
}
