/**
 * The whole of issue 12 in one process: the simulated shared-number network
 * (sim/network) with the smartphone P and accessory A1, A1's simulated Quectel modem
 * (its data really goes over TCP), the real firmware of the car unit on it with the data
 * session and the companion link attached (MQTT.js over the modem socket), a real aedes
 * broker, and a small backend that turns the network's events into the companion topics
 * (the line's SMS priority, unregistration as desired state plus a command).
 *
 * Time: the network, the modem and the firmware share one virtual clock, moved along in
 * real time (5x), because the sockets and the broker are real.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware, type Firmware } from "../../firmware/main.js";
import { nodeAdapters } from "../../firmware/companion/mqttjs.node.js";
import type { CompanionLink } from "../../firmware/companion/link.js";
import type { DataStack } from "../../firmware/data/index.js";
import { SimModem } from "../../sim/modem/modem.js";
import { SharedNetwork, ManagementSite, type AccessoryPort } from "../../sim/network/index.js";
import type { LogEntry } from "../../sim/network/log.js";
import type { SharedNumber } from "../../sim/network/number.js";
import boardsJson from "../../boards.json" with { type: "json" };
import { backend, MSISDN, N, startBroker, until, type Broker } from "./helpers.js";
import type { MqttClient } from "mqtt";
import type { ExecutionContext } from "ava";
import type { PubSubMessage } from "../../firmware/companion/pubsub.js";

export const A1 = "car0a1x9";

export interface E2e {
  clock: VirtualClock;
  network: SharedNetwork;
  num: SharedNumber;
  site: ManagementSite;
  port: AccessoryPort;
  modem: SimModem;
  fw: Firmware;
  /** The firmware's own data stack and link, as createFirmware composed them. */
  companion: { data: DataStack; link: CompanionLink };
  broker: Broker;
  be: { client: MqttClient; seen: PubSubMessage[] };
  /** AT lines A1's firmware wrote and received, in order, with "> " / "< " marks. */
  at: string[];
  /** The backend's part of "unregister on the site": desired state and command first, then the network. */
  unregisterFromSite(): Promise<void>;
  close(): Promise<void>;
}

export type E2eBoard = "car-linux-eg91" | "watch-bangle2-bg95" | "bench-usb-a7670";

/**
 * `board`: the car unit (MQTT.js over the modem socket), the watch (the module's MQTT
 * stack) or the SIMCom bench board; `link` overrides the board's adapter.
 */
export async function e2e(board: E2eBoard = "car-linux-eg91", link?: "modem-socket" | "modem-mqtt"): Promise<E2e> {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 1, 0, 0));
  const network = new SharedNetwork({ clock });
  const num = network.createNumber(MSISDN, { multiDevice: true });
  const site = new ManagementSite(network);
  const imei = "356938035643809";
  const watch = board === "watch-bangle2-bg95";
  const port = network.portFor(MSISDN, { imei, friendlyName: watch ? "watch" : "car", model: board, sms: watch ? "native" : "none", callWaiting: !watch }, { register: true });
  const identity =
    board === "bench-usb-a7670"
      ? { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE", revision: "A7670M7_V1.11.1" }
      : watch
        ? { manufacturer: "Quectel", model: "BG95-M3", revision: "BG95M3LAR02A03" }
        : { manufacturer: "Quectel", model: "EG91", revision: "EG91EFBR06A07M4G" };
  // The A7670 announces itself with `*ATREADY: 1`, not RDY (drivers/modems/simcom.ts).
  const bootBanner = board === "bench-usb-a7670" ? ["*ATREADY: 1"] : undefined;
  const modem = new SimModem({ clock, network: port, identity: Object.assign({ imei, msisdn: MSISDN }, identity), bootMs: 300, bootBanner });
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  modem.powerOn();
  const pump = setInterval(() => void clock.advance(25), 5);
  const broker = await startBroker();
  const be = await backend(broker.port, ["sl/v1/" + N + "/#"]);
  const picked = pickBoard(loadBoards(boardsJson), board);
  // `link` overrides the board's adapter (the firmware composes by the board's data.link).
  const b = link ? Object.assign({}, picked, { data: Object.assign({}, picked.data, { link }) }) : picked;
  const storage = new MemoryStorage();
  // The firmware composes the data session and the link itself; the host hands in MQTT.js
  // (the car's modem-socket adapter); the watch's module MQTT stack is built in.
  const fw = createFirmware({ serial: dte, clock, pins: new MemoryPins(clock), storage }, b, {
    data: { sockets: { pollAfterSendMs: 200, idlePollMs: 5000 } },
    companion: { url: "mqtt://127.0.0.1:" + broker.port, msisdn: MSISDN, deviceId: A1, password: "pw", keepaliveS: 240, fw: "0.4.0", adapters: nodeAdapters() },
  });
  const at: string[] = [];
  fw.channel.events.on("tx", (b) => at.push("> " + b.replace(/\r$/, "")));
  fw.channel.events.on("rx", (l) => at.push("< " + l));
  fw.start();
  const companion = { data: fw.data!, link: fw.companion! };

  // The backend: the network's events become the companion topics.
  let rev = 0;
  const publish = (topic: string, body: object, retain: boolean) => be.client.publishAsync(topic, JSON.stringify(body), { qos: 1, retain });
  const deviceIdOf = (netId: string) => (netId === "P" ? "phone" : netId === port.id ? A1 : netId);
  network.log.on((e: LogEntry) => {
    if (e.kind === "priority" && typeof e.detail.to === "string") {
      rev++;
      void publish("sl/v1/" + N + "/line", { v: 1, seq: rev, ts: Math.floor(clock.now() / 1000), smsPriority: { holder: deviceIdOf(e.detail.to), rev } }, true);
    }
  });
  const dev = "sl/v1/" + N + "/dev/" + A1 + "/";
  const e: E2e = {
    clock,
    network,
    num,
    site,
    port,
    modem,
    fw,
    companion,
    broker,
    be,
    at,
    async unregisterFromSite() {
      // companion-link.md §5.5: desired state first, then the command, then the network.
      rev++;
      await publish(dev + "desired", { v: 1, rev, registration: "unregistered" }, true);
      await publish(dev + "cmd", { v: 1, id: "unreg-" + rev, op: "unregistered", args: { by: "management-site" }, ts: 0, exp: 4102444800 }, false);
      // The device stops its data at once (R15): its link drops and the broker publishes
      // its will. Only then does the network unregister it (and tell it with +CEREG).
      await until(() => be.seen.some((m) => m.topic === dev + "status" && JSON.parse(m.payload).online === false), "A1 offline", 10000);
      site.unregister(MSISDN, imei);
    },
    async close() {
      await fw.stop();
      clearInterval(pump);
      modem.reboot();
      await be.client.endAsync();
      await broker.close();
    },
  };
  await until(() => companion.link.status().name === "online", "A1's companion link online over its own data", 20000);
  return e;
}

const DEV = "sl/v1/" + N + "/dev/" + A1 + "/";

/** The backend sends A1 a `ping` command (QoS 1) with id `id`. */
export function sendPing(client: MqttClient, id: string): Promise<unknown> {
  return client.publishAsync(DEV + "cmd", JSON.stringify({ v: 1, id, op: "ping", ts: 0, exp: 4102444800 }), { qos: 1 });
}

/** The statuses of every ack of command `id` the backend has seen, in order. */
export function ackStatuses(seen: PubSubMessage[], id: string): string[] {
  return seen.filter((m) => m.topic === DEV + "ack" && JSON.parse(m.payload).id === id).map((m) => JSON.parse(m.payload).status as string);
}

/** Waits until the backend has seen an ack of `id` with `status`. */
export function untilAck(seen: PubSubMessage[], id: string, status: string): Promise<void> {
  return until(() => ackStatuses(seen, id).includes(status), status + " ack of " + id, 15000);
}

/** Sends a `ping` command to A1 and waits for its `done` ack: the data session carries traffic both ways. */
export async function roundTrip(e: E2e, id: string): Promise<void> {
  await sendPing(e.be.client, id);
  await untilAck(e.be.seen, id, "done");
}

/** The command lines A1's firmware wrote from `e.at[from]` on ("> " marked). */
export function sentSince(e: E2e, from: number): string[] {
  return e.at.slice(from).filter((l) => l.indexOf("> ") === 0);
}

/**
 * A broker restart under a module's own MQTT client: the broker goes, the module reports
 * the loss (`lossUrc`), the link's connects fail and back off, the broker comes back on
 * the same port, and the link returns (`connectCmd` written again) with a new session
 * that carries a command and its ack. Returns nothing: it asserts as it goes.
 */
export async function brokerRestartUnderModule(t: ExecutionContext, e: E2e, lossUrc: string, connectCmd: string): Promise<void> {
  const port = e.broker.port;
  const later: Broker[] = [];
  t.teardown(async () => {
    for (const b of later) await b.close();
  });
  const mark = e.at.length;
  await e.broker.close();
  await until(() => e.companion.link.status().name !== "online", "link down after the broker went away", 10000);
  t.true(e.at.slice(mark).some((l) => l.indexOf("< " + lossUrc) === 0), "the module reported the loss");
  // While the broker is away the module's connects fail (a refused TCP connection), each after a back-off.
  await until(() => e.companion.link.status().failures >= 2, "connects failing while the broker is away", 30000);
  later.push(await startBroker(port));
  const be = await backend(port, [DEV + "#"]);
  await until(() => e.companion.link.status().name === "online", "online on the restarted broker", 60000);
  await until(() => be.seen.some((m) => m.topic === DEV + "status" && JSON.parse(m.payload).online === true), "presence on the new broker");
  t.true(sentSince(e, mark).filter((l) => l.indexOf("> " + connectCmd) === 0).length >= 2, "connected again through the module");
  // Traffic both ways on the new session: a command in, its ack out.
  await sendPing(be.client, "restart-1");
  await untilAck(be.seen, "restart-1", "done");
  await be.client.endAsync();
}
