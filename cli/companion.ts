/**
 * Command-line settings of the companion link (`sharedline start` / `sharedline run`):
 * `--mqtt <url>` with the device's credentials. The firmware composes the link itself
 * (createFirmware, firmware/companion/attach.ts) through the adapter the board names in
 * boards.json (`data.link`); this file only turns the flags into its settings and hands
 * in the Node-only adapters (MQTT.js, TLS on the host):
 *
 * - `modem-socket`: MQTT.js over a socket of the modem's own IP stack; `mqtts://` runs TLS
 *   on the host over that socket (`--mqtt-ca` pins the broker's CA);
 * - `modem-mqtt`: the module's own MQTT client (`AT+QMT*`, `AT+CMQTT*`); `mqtts://` only on
 *   SIMCom, whose module is given the `--mqtt-ca` CA;
 * - `url`: the host's own IP (a PC, a simulator).
 */
import { readFileSync } from "node:fs";
import type { Board } from "../firmware/board.js";
import type { CompanionOptions } from "../firmware/companion/attach.js";
import { nodeAdapters } from "../firmware/companion/mqttjs.node.js";
import { hasModemMqtt } from "../firmware/companion/modem-mqtt.js";

/** parseArgs options of the companion link. */
export const companionOptions = {
  mqtt: { type: "string" },
  "mqtt-ca": { type: "string" },
  "device-id": { type: "string" },
  password: { type: "string" },
  msisdn: { type: "string" },
  apn: { type: "string" },
} as const;

/** The link's flags in start/run --help; --apn, which it shares with the data session, is listed there. */
export const COMPANION_USAGE = `The companion link (--mqtt with --device-id, --password and --msisdn):
  --mqtt <url>           its broker (mqtt://host:1883, mqtts://host:8883)
  --mqtt-ca <file>       the CA that signed the broker's certificate (mqtts)
  --device-id <id>       this device's id (also the MQTT user name), issued at registration
  --password <password>  its MQTT password (or SHAREDLINE_MQTT_PASSWORD)
  --msisdn <+E.164>      the shared number (+819012345678), for the topics`;

export interface CompanionArgs {
  mqtt?: string;
  "mqtt-ca"?: string;
  "device-id"?: string;
  password?: string;
  msisdn?: string;
  apn?: string;
}

/**
 * Checks the arguments before anything runs and gives the firmware's companion settings,
 * or undefined without `--mqtt`. Throws a clear error on a bad combination (createFirmware
 * checks the board's side: its link, its APN).
 */
export function companionSettings(board: Board, args: CompanionArgs, fwVersion: string): CompanionOptions | undefined {
  if (!args.mqtt) return undefined;
  let url: URL;
  try {
    url = new URL(args.mqtt);
  } catch {
    // Node's own words ("Invalid URL") name neither the flag nor the value.
    throw new Error("--mqtt " + JSON.stringify(args.mqtt) + ": not a broker URL (mqtt://host[:port] or mqtts://host[:port])");
  }
  if (url.protocol !== "mqtt:" && url.protocol !== "mqtts:") throw new Error("--mqtt: want mqtt:// or mqtts://, not " + url.protocol);
  const deviceId = args["device-id"];
  const password = args.password || process.env.SHAREDLINE_MQTT_PASSWORD;
  if (!deviceId || !password || !args.msisdn) throw new Error("--mqtt needs --device-id, --password (or SHAREDLINE_MQTT_PASSWORD) and --msisdn");
  const ca = args["mqtt-ca"] ? readFileSync(args["mqtt-ca"]) : undefined;
  const apn = args.apn || board.data.apn;
  if (board.data.link !== "url" && !apn) throw new Error("board " + board.name + " has no APN: give --apn");
  if (board.data.link === "modem-mqtt" && !hasModemMqtt(board.modem)) throw new Error("board " + board.name + ": modem " + board.modem + " has no MQTT stack we speak; set data.link to modem-socket or url");
  // The module checks the broker against the CA it is given (SIMCom AT+CCERTDOWN); Quectel's module TLS is not done.
  if (board.data.link === "modem-mqtt" && url.protocol === "mqtts:") {
    if (board.modem.indexOf("simcom-") !== 0) throw new Error("board " + board.name + ": mqtts through the " + board.modem + " module's own MQTT stack is not supported; use mqtt:// or a modem-socket board");
    if (!ca) throw new Error("board " + board.name + ": mqtts through the module's own MQTT stack needs --mqtt-ca (the CA is loaded into the module)");
  }
  return {
    url: url.protocol + "//" + url.host,
    msisdn: args.msisdn,
    deviceId,
    password,
    keepaliveS: board.data.keepaliveS,
    fw: fwVersion,
    adapters: nodeAdapters(ca),
    ca: ca ? ca.toString("latin1") : undefined,
  };
}
