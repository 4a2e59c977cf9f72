/**
 * The backend of a simulated fleet on the broker (companion-link.md §5): it follows the
 * simulated network's event log and
 *
 * - issues each accessory a broker credential when the network registers it (R11) and
 *   revokes it when the accessory is unregistered (R15);
 * - publishes the number's line state (`sl/v1/<n>/line`, retained: SMS priority holder,
 *   the registered devices, whether the line is in use) on every change;
 * - publishes each device's desired state (`.../dev/<d>/desired`, retained) and commands
 *   (`.../dev/<d>/cmd`, QoS 1 with an id and an expiry): `smsPriorityChanged` when the
 *   smartphone moves the priority (R82: the accessory follows without sending a code),
 *   `unregistered` when the management site removes it (R15, the fast path before the
 *   network's `+CEREG: 3`, R18); then the credential is revoked and the device's
 *   retained topics are cleared;
 * - keeps every device's presence true when its stack cannot: a will marked
 *   `republish:true` (SIMCom's AT+CMQTTWILLMSG has no retain flag, so the broker did not
 *   keep it) is published again, retained, so a device that vanished reads offline to
 *   whoever subscribes later (companion-link.md §5.6). Any backend serving such devices
 *   must do the same; it is what makes the retained status broker-independent.
 *
 * Devices are named on the broker by an opaque id issued here, never by the network's
 * slot name (A1 is reused after an unregistration).
 */
import { randomBytes } from "node:crypto";
import mqtt, { MqttClient } from "mqtt";
import type { SharedNetwork } from "../network/network.js";
import type { LogEntry } from "../network/log.js";
import { deviceTopic, lineTopic } from "./acl.js";
import type { BrokerRegistry, Credential } from "./registry.js";

export interface FleetDevice extends Credential {
  msisdn: string;
  slot: string;
  device: string;
}

export interface FleetBackendOptions {
  net: SharedNetwork;
  registry: BrokerRegistry;
  /** mqtt:// or mqtts:// URL of the broker. */
  url: string;
  /** The backend's own credential (default: the registry's). */
  credential?: Credential;
  /** PEM trust anchor for mqtts://. */
  ca?: string | Buffer;
  /** How long an unregistered device keeps its credential, to hear the `unregistered` command (default 2000 ms). */
  revokeAfterMs?: number;
  /** Command expiry (default one hour). */
  commandTtlS?: number;
}

type Holder = string;

/** Every device's presence topic (companion-link.md §5.2). */
const STATUS_FILTER = "sl/v1/+/dev/+/status";
const STATUS_TOPIC = /^sl\/v1\/([0-9]+)\/dev\/([^/]+)\/status$/;

export class FleetBackend {
  private client: MqttClient | undefined = undefined;
  private readonly devices = new Map<string, FleetDevice>();
  private readonly revs = new Map<string, number>();
  private seq = 0;
  private unsubscribe: (() => void) | undefined = undefined;
  private readonly timers: ReturnType<typeof setTimeout>[] = [];
  /** Devices the backend told of their unregistration before the network did it. */
  private readonly told = new Set<string>();
  /** The last presence seen on each device's status topic. */
  private readonly presence = new Map<string, { online: boolean; sid: string }>();

  constructor(private readonly o: FleetBackendOptions) {}

  /** Connects as the backend and publishes the current picture of every number. */
  async start(): Promise<void> {
    const cred = this.o.credential || this.o.registry.backend;
    this.client = await mqtt.connectAsync(this.o.url, {
      clientId: cred.username,
      username: cred.username,
      password: cred.password,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 1000,
      ca: this.o.ca,
    });
    this.client.on("message", (topic, payload) => this.onStatus(topic, payload.toString("latin1")));
    await this.client.subscribeAsync(STATUS_FILTER, { qos: 1 });
    for (const num of Array.from(this.o.net.allNumbers())) {
      for (const d of num.accessories()) if (d.enrollment === "registered") this.issue(num.msisdn, d.id);
      this.publishLine(num.msisdn);
      for (const d of Array.from(this.devices.values())) if (d.msisdn === num.msisdn) this.publishDesired(d, "registered");
    }
    this.unsubscribe = this.o.net.log.on((e) => this.onLog(e));
  }

  /**
   * A device's presence. A will marked `republish` (its stack could not retain it) is
   * published again retained, unless the device has meanwhile come back with another
   * session (mosquitto publishes a stale will before the new session, §4.3): then the
   * old session's will changes nothing. Our own copy comes back without the mark.
   */
  private onStatus(topic: string, payload: string): void {
    const m = STATUS_TOPIC.exec(topic);
    if (!m) return;
    let o: { online?: unknown; sid?: unknown; republish?: unknown };
    try {
      o = JSON.parse(payload);
    } catch {
      return;
    }
    if (!o || typeof o !== "object") return;
    const last = this.presence.get(topic);
    const now = { online: o.online === true, sid: String(o.sid) };
    if (o.online !== false || o.republish !== true) {
      this.presence.set(topic, now);
      return;
    }
    if (last && last.online && last.sid !== now.sid) return;
    // Only for a device still registered: a retired one's status stays cleared.
    if (!this.all().some((d) => d.msisdn === "+" + m[1] && d.device === m[2])) return;
    this.presence.set(topic, now);
    const copy: { [k: string]: unknown } = Object.assign({}, o);
    delete copy.republish;
    this.publish(topic, JSON.stringify(copy), true);
  }

  /** The credential of the device in `slot` ("A1") of `msisdn`, while it is registered. */
  credential(msisdn: string, slot: string): FleetDevice | undefined {
    return this.devices.get(msisdn + "/" + slot);
  }

  all(): FleetDevice[] {
    return Array.from(this.devices.values());
  }

  async close(): Promise<void> {
    if (this.unsubscribe) this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    if (this.client) await this.client.endAsync();
  }

  private issue(msisdn: string, slot: string): FleetDevice {
    const c = this.o.registry.issue(msisdn, slot);
    const d: FleetDevice = { username: c.username, password: c.password, msisdn: c.msisdn, slot, device: c.device };
    this.devices.set(msisdn + "/" + slot, d);
    return d;
  }

  private onLog(e: LogEntry): void {
    if (!e.number) return;
    if (e.kind === "priority") return this.priorityChanged(e);
    if (e.kind === "line") return this.publishLine(e.number);
    if (!e.device) return;
    const key = e.number + "/" + e.device;
    if (e.kind === "register" && e.rule === "R11") {
      const d = this.issue(e.number, e.device);
      this.publishDesired(d, "registered");
      this.publishLine(e.number);
    } else if (e.kind === "unregister") {
      const d = this.devices.get(key);
      if (!d) return;
      this.devices.delete(key);
      // Told already (unregisterLinkFirst): the same news again would only be a second command.
      if (!this.told.delete(d.device)) {
        this.publishDesired(d, "unregistered");
        this.command(d, "unregistered", { by: String(e.detail.via || "management-site") });
      }
      this.publishLine(e.number);
      this.timers.push(setTimeout(() => this.retire(d), this.o.revokeAfterMs === undefined ? 2000 : this.o.revokeAfterMs));
    }
  }

  /**
   * The management site's unregistration as a backend runs it (companion-link.md §5.5):
   * the device's desired state and an `unregistered` command first, so that the device
   * stops its data before anything else tells it (R15's fast path, R18); `graceMs` of the
   * network's time later, `network()` unregisters it there (and the network's
   * registration report follows). A device without a credential goes to the network at once.
   */
  unregisterLinkFirst(msisdn: string, slot: string, graceMs: number, network: () => void): void {
    const d = this.devices.get(msisdn + "/" + slot);
    if (!d) return network();
    this.told.add(d.device);
    this.publishDesired(d, "unregistered");
    this.command(d, "unregistered", { by: "management-site" });
    this.o.net.clock.setTimeout(network, graceMs);
  }

  private priorityChanged(e: LogEntry): void {
    this.publishLine(e.number);
    const holder = this.holder(e.number, String(e.detail.to));
    for (const d of this.all()) {
      if (d.msisdn !== e.number) continue;
      this.publishDesired(d, "registered");
      // R82: only a change made elsewhere is news to the device; the one that sent the code knows.
      if (e.device !== d.slot) this.command(d, "smsPriorityChanged", { holder });
    }
  }

  /** Revocation after the grace period: the credential goes, the device's retained topics are cleared. */
  private retire(d: FleetDevice): void {
    this.o.registry.revoke(d.device);
    for (const leaf of ["status", "state", "desired"] as const) this.publish(deviceTopic(d.msisdn, d.device, leaf), "", true);
  }

  /** The priority holder as devices name it: "phone", or the holder's broker id. */
  private holder(msisdn: string, slot: string): Holder {
    if (slot === "P") return "phone";
    const d = this.devices.get(msisdn + "/" + slot);
    return d ? d.device : "phone";
  }

  private rev(key: string): number {
    const r = (this.revs.get(key) || 0) + 1;
    this.revs.set(key, r);
    return r;
  }

  private now(): number {
    return Math.floor(this.o.net.clock.now() / 1000);
  }

  private publishLine(msisdn: string): void {
    const num = this.o.net.number(msisdn);
    const body = {
      v: 1,
      seq: ++this.seq,
      ts: this.now(),
      smsPriority: { holder: this.holder(msisdn, num.priority), rev: this.rev(msisdn + "/priority") },
      devices: this.all()
        .filter((d) => d.msisdn === msisdn)
        .map((d) => d.device),
      inUse: num.line.state.mode.kind === "busy",
    };
    this.publish(lineTopic(msisdn), JSON.stringify(body), true);
  }

  private publishDesired(d: FleetDevice, registration: "registered" | "unregistered"): void {
    const num = this.o.net.number(d.msisdn);
    const body = {
      v: 1,
      rev: this.rev(d.device + "/desired"),
      ts: this.now(),
      registration,
      smsPriority: { holder: this.holder(d.msisdn, num.priority), rev: this.revs.get(d.msisdn + "/priority") || 0 },
    };
    this.publish(deviceTopic(d.msisdn, d.device, "desired"), JSON.stringify(body), true);
  }

  private command(d: FleetDevice, op: string, args: { [k: string]: string }): void {
    const ts = this.now();
    // A sortable id: seconds, then randomness.
    const id = ts.toString(36) + randomBytes(4).toString("hex");
    const body = { v: 1, id, op, args, ts, exp: ts + (this.o.commandTtlS || 3600) };
    this.publish(deviceTopic(d.msisdn, d.device, "cmd"), JSON.stringify(body), false);
  }

  private publish(topic: string, payload: string, retain: boolean): void {
    if (!this.client) return;
    this.client.publish(topic, payload, { qos: 1, retain }, () => undefined);
  }
}
