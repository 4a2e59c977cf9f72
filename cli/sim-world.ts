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

export const SHARED_NUMBER = "+819012345678";
export const CALLER = "+81311112222";

export interface SimWorld {
  network: SharedNetwork;
  modem: SimModem;
  port: AccessoryPort;
  phone: Phone;
  caller: OutsideParty;
  world: World;
  /** Where the network's event lines go (set by the console). */
  onEvent: (line: string) => void;
}

export function simWorld(clock: Clock, accessory: { imei: string; sms: "native" | "relay" | "none"; callWaiting: boolean }): SimWorld {
  const network = new SharedNetwork({ clock });
  const num = network.createNumber(SHARED_NUMBER, { multiDevice: true });
  const port = network.portFor(SHARED_NUMBER, {
    imei: accessory.imei,
    friendlyName: "my watch",
    model: "sharedline accessory",
    sms: accessory.sms,
    callWaiting: accessory.callWaiting,
  }, { register: true });
  const modem = new SimModem({ clock, network: port, identity: { imei: accessory.imei }, bootMs: 300 });
  const phone = num.phone;
  const caller = network.outside(CALLER);
  const w: SimWorld = { network, modem, port, phone, caller, world: undefined as unknown as World, onEvent: () => undefined };
  network.log.on((e) => w.onEvent(formatEntry(e).replace(/^\+[\d.]+s /, "")));

  w.world = networkWorld({ network, msisdn: SHARED_NUMBER, port, modem, caller, print: (line) => w.onEvent(line) });
  return w;
}
