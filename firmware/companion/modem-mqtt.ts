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

function quectelMqtt(profileName: string, channel: AtChannel, clock: Clock, broker: ModemBroker): PubSub & { stop(): void } {
  // Quectel TLS needs the CA uploaded to the module's file system (AT+QFUPL) and
  // AT+QMTCFG="ssl" / AT+QSSLCFG: not done yet.
  if (broker.tls) throw new Error("modem " + profileName + ": mqtts through the module's own MQTT stack is not supported on Quectel yet; use mqtt:// or a modem-socket board");
  return new QuectelMqttPubSub(channel, clock, broker);
}

/** The modem's own MQTT client for `profileName`; throws for a modem without one we speak. */
export function modemMqttFor(profileName: string, channel: AtChannel, clock: Clock, broker: ModemBroker): PubSub & { stop(): void } {
  if (profileName.indexOf("quectel-") === 0) return quectelMqtt(profileName, channel, clock, broker);
  if (profileName.indexOf("simcom-") === 0) return new SimcomMqttPubSub(channel, clock, broker);
  throw new Error("modem " + profileName + " has no MQTT stack we speak; set the board's data.link to modem-socket or url");
}

/** The Quectel stack alone (a build that carries no other: the watch), or undefined for another modem. */
export function quectelMqttFor(profileName: string, channel: AtChannel, clock: Clock, broker: ModemBroker): (PubSub & { stop(): void }) | undefined {
  return profileName.indexOf("quectel-") === 0 ? quectelMqtt(profileName, channel, clock, broker) : undefined;
}
