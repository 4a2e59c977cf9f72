/**
 * The device settings of the watch's data session and companion link, as `npm run flash`
 * takes them (`--apn`, `--mqtt`, `--msisdn`, `--device-id`, `--mqtt-password`) and checks
 * them before anything is written: what the device would only find at boot, when the
 * firmware composes the link (firmware/compose-module.ts), is said here with the flag.
 */
import { apnProblem } from "../firmware/apn.js";
import { brokerTarget } from "../firmware/companion/attach.js";
import { hasModemMqtt } from "../firmware/companion/modem-mqtt.js";
import { topicsFor } from "../firmware/companion/topics.js";
import type { DeviceSettings } from "../hal/espruino/settings.js";

/** The flags, each with the setting it writes (hal/espruino/settings.ts). */
export const LINK_FLAGS: { [flag: string]: "apn" | "mqtt" | "msisdn" | "device" | "password" } = {
  "--apn": "apn",
  "--mqtt": "mqtt",
  "--msisdn": "msisdn",
  "--device-id": "device",
  "--mqtt-password": "password",
};

export const LINK_USAGE = [
  "",
  "Written to the device with the code (all optional; the companion link's four go together):",
  "  --apn <apn>         the watch's own LTE data session on this APN (default: the board's",
  "                      data.apn, with --mqtt)",
  "  --mqtt <mqtt://host[:port]>",
  "                      the companion link's broker, over the modem's MQTT client",
  "  --msisdn <+E.164>   the shared number (+819012345678)",
  "  --device-id <id>    this device's id, issued at registration (also the MQTT user name)",
  "  --mqtt-password <password>",
  "                      its MQTT password",
];

/** What of a board (boards.json) the link settings depend on. */
export interface LinkBoard {
  name: string;
  modem?: string;
  data?: { link?: string };
  capabilities?: { data?: boolean };
}

/** What is wrong with the link settings for `board`: one line per problem, empty when good. */
export function linkSettingsProblems(board: LinkBoard, s: DeviceSettings): string[] {
  const modem = board.modem || "";
  const link = board.data ? board.data.link : undefined;
  const out: string[] = [];
  const wantsData = s.apn !== undefined || s.mqtt !== undefined;
  if (!wantsData) {
    if (s.msisdn !== undefined || s.device !== undefined || s.password !== undefined) out.push("--msisdn, --device-id and --mqtt-password belong to --mqtt <broker URL>, which is missing");
    return out;
  }
  if (!board.capabilities || !board.capabilities.data) out.push(`board ${board.name} has no data session (capabilities.data is false): no --apn or --mqtt`);
  if (s.apn !== undefined) {
    const bad = apnProblem(s.apn);
    if (bad) out.push(`--apn ${JSON.stringify(s.apn)}: ${bad}`);
  }
  if (s.mqtt === undefined) return out;
  try {
    const target = brokerTarget(s.mqtt);
    if (target.tls) out.push(`--mqtt ${s.mqtt}: mqtts through the modem's own MQTT stack is not supported on ${modem} yet; use mqtt://`);
  } catch (e) {
    out.push(`--mqtt: ${(e as Error).message}`);
  }
  if (link !== "modem-mqtt") out.push(`board ${board.name}: its link is data.link ${String(link)}; the Espruino firmware carries the modem-mqtt one only`);
  else if (!hasModemMqtt(modem) || modem.indexOf("quectel-") !== 0) out.push(`board ${board.name}: modem ${modem} has no MQTT stack in the Espruino firmware (Quectel AT+QMT* only)`);
  const missing = (["msisdn", "device", "password"] as const).filter((k) => s[k] === undefined || s[k] === "");
  const flag = { msisdn: "--msisdn <+E.164 shared number>", device: "--device-id <id issued at registration>", password: "--mqtt-password <password>" };
  for (const k of missing) out.push(`--mqtt needs ${flag[k]}`);
  if (s.msisdn !== undefined && s.device !== undefined && missing.indexOf("msisdn") < 0 && missing.indexOf("device") < 0) {
    if (s.msisdn.charAt(0) !== "+") out.push(`--msisdn ${JSON.stringify(s.msisdn)}: the shared number in E.164, with its + (e.g. +819012345678)`);
    else {
      try {
        topicsFor(s.msisdn, s.device);
      } catch (e) {
        out.push(`${(e as Error).message.replace(/^companion: /, "")} (--msisdn is 6 to 15 digits after the +, --device-id letters, digits, _ and -, at most 64)`);
      }
    }
  }
  return out;
}
