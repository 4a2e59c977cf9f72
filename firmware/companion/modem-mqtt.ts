/**
 * Which of the modem-MQTT adapters (companion-link.md §0.1 B) a board's modem gets: the
 * Quectel stack (`AT+QMT*`, qmt.ts) or the SIMCom one (`AT+CMQTT*`, cmqtt.ts). The board
 * profile says whether the link goes through the modem's MQTT stack at all (boards.json
 * `data.link` = `modem-mqtt`); this picks the stack by the modem profile's name.
 */
import type { Clock } from "../../hal/types.js";
import type { AtChannel } from "../../drivers/at/index.js";
import type { PubSub } from "./pubsub.js";
import { QuectelMqttPubSub } from "./qmt.js";
import { SimcomMqttPubSub } from "./cmqtt.js";

export interface ModemBroker {
  host: string;
  port: number;
  /** TLS through the module, checked against this PEM CA (SIMCom; see cmqtt.ts). */
  tls?: { ca: string };
}

/** Whether the modem profile has an MQTT stack we speak. */
export function hasModemMqtt(profileName: string): boolean {
  return profileName.indexOf("quectel-") === 0 || profileName.indexOf("simcom-") === 0;
}

/** How a module stack's client is made, once the settings are known to suit it. */
export type ModemMqttMaker = (channel: AtChannel, clock: Clock, broker: ModemBroker) => PubSub & { stop(): void };

function quectelMqtt(channel: AtChannel, clock: Clock, broker: ModemBroker): PubSub & { stop(): void } {
  return new QuectelMqttPubSub(channel, clock, broker);
}

function simcomMqtt(channel: AtChannel, clock: Clock, broker: ModemBroker): PubSub & { stop(): void } {
  return new SimcomMqttPubSub(channel, clock, broker);
}

/** The Quectel stack, or why not: its TLS is not done. */
function quectelFor(profileName: string, tls: boolean): ModemMqttMaker | string {
  // Quectel TLS needs the CA uploaded to the module's file system (AT+QFUPL) and
  // AT+QMTCFG="ssl" / AT+QSSLCFG: not done yet.
  if (tls) return "modem " + profileName + ": mqtts through the module's own MQTT stack is not supported on Quectel yet; use mqtt:// or a modem-socket board";
  return quectelMqtt;
}

/**
 * How to make the modem's own MQTT client for `profileName` and a broker that is `tls` or
 * not, or why there is none: asked before anything is built, so a setting that cannot
 * work is refused before the firmware has subscribed to anything.
 */
export function modemMqttFor(profileName: string, tls: boolean): ModemMqttMaker | string {
  if (profileName.indexOf("quectel-") === 0) return quectelFor(profileName, tls);
  if (profileName.indexOf("simcom-") === 0) return simcomMqtt;
  return "modem " + profileName + " has no MQTT stack we speak; set the board's data.link to modem-socket or url";
}

/** The Quectel stack alone (a build that carries no other: the watch). */
export function quectelMqttFor(profileName: string, tls: boolean): ModemMqttMaker | string {
  if (profileName.indexOf("quectel-") === 0) return quectelFor(profileName, tls);
  return "no module MQTT client for modem " + profileName + " in this build (Quectel AT+QMT* only)";
}
