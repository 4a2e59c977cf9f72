/**
 * The simulated world behind `npm start`: one shared number on the simulated network
 * (sim/network), with the owner's smartphone, this accessory (a simulated modem that
 * the firmware drives) and an outside party, all played from the console.
 */
import type { Clock } from "../hal/types.js";
import { SimModem } from "../sim/modem/modem.js";
import { SharedNetwork, ManagementSite, formatEntry, type AccessoryPort, type OutsideParty, type Phone } from "../sim/network/index.js";
import type { World } from "./console.js";
import { modemIdentityOf } from "../sim/serve/number-server.js";

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

export function simWorld(clock: Clock, accessory: { imei: string; sms: "native" | "relay" | "none"; callWaiting: boolean; modem?: string }): SimWorld {
  const network = new SharedNetwork({ clock });
  const num = network.createNumber(SHARED_NUMBER, { multiDevice: true });
  const port = network.portFor(SHARED_NUMBER, {
    imei: accessory.imei,
    friendlyName: "my watch",
    model: "sharedline accessory",
    sms: accessory.sms,
    callWaiting: accessory.callWaiting,
  }, { register: true });
  // The board's modem identity picks the simulated modem's vendor commands (sockets, MQTT).
  const modem = new SimModem({ clock, network: port, identity: { ...modemIdentityOf(accessory.modem || "generic"), imei: accessory.imei }, bootMs: 300 });
  const phone = num.phone;
  const caller = network.outside(CALLER);
  const site = new ManagementSite(network);
  const w: SimWorld = { network, modem, port, phone, caller, world: undefined as unknown as World, onEvent: () => undefined };
  network.log.on((e) => w.onEvent(formatEntry(e).replace(/^\+[\d.]+s /, "")));

  const usage = (u: string) => new Error("usage: " + u);
  w.world = {
    help: [
      `phone: phone answer | phone decline | phone hangup | phone dial <number> | phone sms <to> <text> | phone code <code> | phone off|on   (the smartphone of ${SHARED_NUMBER})`,
      `caller: ring | caller answer | caller hangup | caller reject | caller sms <text>   (${CALLER}, an outside party)`,
      "network: coverage full|limited|none | unregister | devices",
      "modem: reboot | hang | unhang",
    ],
    command(verb, args, rest) {
      const tail = (n: number) => rest.split(/\s+/).slice(n).join(" ");
      switch (verb) {
        case "phone": {
          const what = args[0];
          if (what === "answer") phone.answer();
          else if (what === "decline") phone.decline();
          else if (what === "hangup") phone.hangup();
          else if (what === "dial" && args[1]) phone.dial(args[1]);
          else if (what === "sms" && args[1] && args[2]) phone.sendSms(args[1], tail(2));
          else if (what === "code" && args[1]) phone.serviceCode(args[1]);
          else if (what === "off") phone.powerOff();
          else if (what === "on") phone.powerOn();
          else throw usage("phone answer|decline|hangup|dial <number>|sms <to> <text>|code <code>|off|on");
          return true;
        }
        case "ring":
          caller.call(SHARED_NUMBER);
          return true;
        case "caller": {
          const what = args[0];
          if (what === "answer") caller.answer();
          else if (what === "hangup") caller.hangup();
          else if (what === "reject") caller.reject();
          else if (what === "sms" && args[1]) caller.sendSms(SHARED_NUMBER, tail(1));
          else throw usage("caller answer|hangup|reject|sms <text>");
          return true;
        }
        case "coverage":
          if (args[0] !== "full" && args[0] !== "limited" && args[0] !== "none") throw usage("coverage full|limited|none");
          port.setCoverage(args[0]);
          return true;
        case "unregister":
          site.unregister(SHARED_NUMBER, accessory.imei);
          return true;
        case "devices":
          w.onEvent(
            site
              .list(SHARED_NUMBER)
              .map((d) => JSON.stringify(d))
              .join("; "),
          );
          return true;
        case "reboot":
          modem.reboot();
          return true;
        case "hang":
          modem.hang();
          return true;
        case "unhang":
          modem.unhang();
          return true;
        default:
          return false;
      }
    },
  };
  return w;
}
