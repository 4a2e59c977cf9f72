/**
 * Command-line wiring of the data session and the companion link (`sharedline start` /
 * `sharedline run`): `--mqtt <url>` with the device's credentials hangs the link on the
 * firmware, through the adapter the board names in boards.json (`data.link`):
 *
 * - `modem-socket`: MQTT.js over a socket of the modem's own IP stack; `mqtts://` runs TLS
 *   on the host over that socket (`--mqtt-ca` pins the broker's CA);
 * - `modem-mqtt`: the module's own MQTT client (Quectel `AT+QMT*`, SIMCom `AT+CMQTT*`),
 *   plain `mqtt://` only here;
 * - `url`: the host's own IP (a PC, a simulator).
 */
import { readFileSync } from "node:fs";
import type { Clock, Storage } from "../hal/types.js";
import type { Board } from "../firmware/board.js";
import type { Firmware } from "../firmware/main.js";
import { attachCompanion, type Companion } from "../firmware/companion/attach.js";
import { modemPubSub, urlPubSub } from "../firmware/companion/mqttjs.node.js";
import { hasModemMqtt, modemMqttFor } from "../firmware/companion/modem-mqtt.js";
import type { PubSub } from "../firmware/companion/pubsub.js";

/** parseArgs options of the companion link. */
export const companionOptions = {
  mqtt: { type: "string" },
  "mqtt-ca": { type: "string" },
  "device-id": { type: "string" },
  password: { type: "string" },
  msisdn: { type: "string" },
  apn: { type: "string" },
} as const;

export const COMPANION_USAGE = `  --mqtt <url>  the companion link's broker (mqtt://host:1883, mqtts://host:8883)
  --mqtt-ca <file>  the CA that signed the broker's certificate (mqtts)
  --device-id   this device's id (also the MQTT user name), issued at registration
  --password    its MQTT password (or SHAREDLINE_MQTT_PASSWORD)
  --msisdn      the shared number (E.164), for the topics
  --apn         the data session's APN (default: the board's)`;

export interface CompanionArgs {
  mqtt?: string;
  "mqtt-ca"?: string;
  "device-id"?: string;
  password?: string;
  msisdn?: string;
  apn?: string;
}

export type CompanionPlan = (fw: Firmware, clock: Clock, storage: Storage | undefined) => Companion;

/**
 * Checks the arguments before anything runs; gives how to attach the link, or undefined
 * without `--mqtt`. Throws a clear error on a bad combination.
 */
export function companionPlan(board: Board, args: CompanionArgs, fwVersion: string): CompanionPlan | undefined {
  if (!args.mqtt) return undefined;
  const url = new URL(args.mqtt);
  if (url.protocol !== "mqtt:" && url.protocol !== "mqtts:") throw new Error("--mqtt: want mqtt:// or mqtts://, not " + url.protocol);
  const tls = url.protocol === "mqtts:";
  const deviceId = args["device-id"];
  const password = args.password || process.env.SHAREDLINE_MQTT_PASSWORD;
  if (!deviceId || !password || !args.msisdn) throw new Error("--mqtt needs --device-id, --password (or SHAREDLINE_MQTT_PASSWORD) and --msisdn");
  const ca = args["mqtt-ca"] ? readFileSync(args["mqtt-ca"]) : undefined;
  const msisdn = args.msisdn;
  const host = url.hostname;
  const port = url.port ? Number(url.port) : tls ? 8883 : 1883;
  const apn = args.apn || board.data.apn;
  if (board.data.link !== "url" && !apn) throw new Error("board " + board.name + " has no APN: give --apn");
  if (board.data.link === "modem-mqtt" && !hasModemMqtt(board.modem)) throw new Error("board " + board.name + ": modem " + board.modem + " has no MQTT stack we speak; set data.link to modem-socket or url");
  if (board.data.link === "modem-mqtt" && tls) throw new Error("board " + board.name + ": mqtts through the module's own MQTT stack needs certificates on the module; use mqtt:// or a modem-socket board");
  return (fw, clock, storage) =>
    attachCompanion(
      fw,
      clock,
      storage,
      { msisdn, deviceId, password, keepaliveS: board.data.keepaliveS, apn, model: board.name, fw: fwVersion },
      (data): PubSub => {
        if (board.data.link === "url") return urlPubSub(args.mqtt!, ca ? { ca } : undefined);
        // Composition, not a front-end: the module's own MQTT stack is a firmware part on the AT channel.
        // eslint-disable-next-line no-restricted-syntax
        if (board.data.link === "modem-mqtt") return modemMqttFor(fw.profile.name, fw.channel, clock, { host, port });
        if (!data.sockets) throw new Error("board " + board.name + ": modem " + board.modem + " has no socket dialect; set data.link to url");
        return modemPubSub(data.sockets, { host, port, tls: tls ? { ca } : undefined });
      },
      { linkOverModemData: board.data.link !== "url" },
    );
}
