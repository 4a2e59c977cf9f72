/**
 * The `PubSub` port: the only thing the companion link knows about MQTT. Three adapters
 * sit under it (companion-link.md §0.1): MQTT.js over a modem socket (Node car units),
 * the modem's own MQTT stack (Espruino), and plain mqtt:// / mqtts:// URLs (hosts with IP,
 * tests). The link uses only what all three share: MQTT 3.1.1, QoS 0 and 1, retain, a
 * retained QoS 1 will, clean session, single-line ASCII payloads of at most 1 KB.
 */
import type { Emitter } from "../../hal/emitter.js";
import { defineError } from "../../hal/errors.js";

export type Qos = 0 | 1;

export interface PubSubMessage {
  topic: string;
  payload: string;
  retain: boolean;
}

export interface WillMessage {
  topic: string;
  payload: string;
}

export interface ConnectOptions {
  /** Client id and user name: the opaque device id issued at registration (§0.6). */
  clientId: string;
  password: string;
  /** MQTT keepalive (s): 240 by default, per board (§3.1). */
  keepaliveS: number;
  /** Published retained at QoS 1 by the broker when the link dies uncleanly (§5.6). */
  will: WillMessage;
}

/**
 * What an adapter's stack can do. `willRetained: false`: the stack cannot set the will's
 * retain flag (SIMCom AT+CMQTTWILLMSG has none), so the link marks its will for the
 * backend to republish retained (companion-link.md §5.6).
 */
export interface PubSubAbilities {
  willRetained: boolean;
}

export type PubSubEvents = {
  message: PubSubMessage;
  /** The session is gone (connection lost, keepalive failed, the modem stack said so). */
  down: string;
};

/** A refused or failed connect. `refused` is the CONNACK return code when the broker answered (3.1.1 §3.2.2.3). */
export const PubSubError = defineError<{ refused: number | undefined }>("PubSubError");

export interface PubSub {
  readonly events: Emitter<PubSubEvents>;
  /** Absent: everything the port promises (a retained will included). */
  readonly abilities?: PubSubAbilities;
  /** Connects with a clean session; resolves on CONNACK 0, rejects with PubSubError. */
  connect(options: ConnectOptions): Promise<void>;
  /** Subscribes; resolves with the granted QoS per filter (128 = refused, 3.1.1 §3.9.3). */
  subscribe(filters: { topic: string; qos: Qos }[]): Promise<number[]>;
  /** Publishes; at QoS 1 resolves on PUBACK. */
  publish(topic: string, payload: string, qos: Qos, retain: boolean): Promise<void>;
  /** Sends DISCONNECT (the will is not published) and closes. */
  end(): Promise<void>;
  /** Drops the session without DISCONNECT (the will fires). */
  destroy(reason: string): void;
}
