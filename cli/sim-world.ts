/**
 * The simulated world behind `npm start`: one shared number on the simulated network
 * (sim/network), with the owner's smartphone, this accessory (a simulated modem that
 * the firmware drives) and an outside party, all played from the console.
 */
import type { Clock } from "../hal/types.js";
import { SimModem } from "../sim/modem/modem.js";
import { SharedNetwork, formatEntry, type AccessoryPort, type OutsideParty, type Phone } from "../sim/network/index.js";
import type { World } from "./console.js";
import { networkWorld } from "./network-world.js";
import { Activation, modemLpa } from "../sim/entitlement/index.js";
import { capabilitiesOf, modemBootOf, modemIdentityOf } from "../sim/serve/number-server.js";

export const SHARED_NUMBER = "+819012345678";
export const CALLER = "+81311112222";

export interface SimWorld {
  network: SharedNetwork;
  /** The entitlement server, its SM-DP+ and the smartphone's companion app (R8): `phone register`. */
  activation: Activation;
  modem: SimModem;
  port: AccessoryPort;
  phone: Phone;
  caller: OutsideParty;
  world: World;
  /** Where the network's event lines go (set by the console). */
  onEvent: (line: string) => void;
}

/**
 * `firstBoot`: the accessory starts brand new, with no eSIM profile and not registered
 * (R7); `phone register` registers it through the entitlement server (R8).
 */
export function simWorld(clock: Clock, accessory: { imei: string; sms: "native" | "relay" | "none"; callWaiting: boolean; firstBoot?: boolean; modem?: string }): SimWorld {
  const network = new SharedNetwork({ clock });
  const num = network.createNumber(SHARED_NUMBER, { multiDevice: true });
  const activation = new Activation(network, { capabilities: capabilitiesOf });
  const port = network.portFor(SHARED_NUMBER, {
    imei: accessory.imei,
    friendlyName: "my watch",
    model: "sharedline accessory",
    sms: accessory.sms,
    callWaiting: accessory.callWaiting,
  }, { register: !accessory.firstBoot });
  // The board's modem identity picks the simulated modem's vendor commands (sockets, MQTT).
  // An eUICC (its EID made from the IMEI, 32 digits): the firmware reads it for the first-boot message.
  const eid = "890490320000010000000" + accessory.imei.slice(-11);
  const modem = new SimModem({ clock, network: port, identity: { ...modemIdentityOf(accessory.modem || "generic"), imei: accessory.imei }, ...modemBootOf(accessory.modem || "generic"), bootMs: 300, eid, sim: accessory.firstBoot ? { present: false } : undefined });
  activation.pair(modemLpa(modem, port));
  const phone = num.phone;
  const caller = network.outside(CALLER);
  const w: SimWorld = { network, activation, modem, port, phone, caller, world: undefined as unknown as World, onEvent: () => undefined };
  network.log.on((e) => w.onEvent(formatEntry(e).replace(/^\+[\d.]+s /, "")));

  w.world = networkWorld({ network, msisdn: SHARED_NUMBER, port, modem, caller, activation, print: (line) => w.onEvent(line) });
  return w;
}
