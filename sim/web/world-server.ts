/**
 * The web pages (and the JSON control interface under them) for a simulated world that
 * was built in-process rather than by `startNumberServer`: `npm start` runs the firmware
 * on one simulated accessory of a simulated number, and this serves that number's
 * management site and live view beside the console. Real time only.
 */
import type { Clock } from "../../hal/types.js";
import type { SimModem } from "../modem/modem.js";
import { Activation } from "../entitlement/index.js";
import { ManagementSite, type AccessoryPort, type SharedNetwork } from "../network/index.js";
import { startControl, type ControlServer } from "../serve/http-control.js";
import { capabilitiesOf, type NumberServer, type ServedBroker } from "../serve/number-server.js";

export interface WorldPieces {
  clock: Clock;
  net: SharedNetwork;
  msisdn: string;
  /** The accessory the firmware runs on. */
  port: AccessoryPort;
  modem: SimModem;
  board: string;
  /** The board's modem profile (boards.json `modem`). */
  modemProfile: string;
  /** The companion link's broker `npm start` runs, so the control interface can hand out its credentials. */
  broker?: ServedBroker;
  /** P's One Number app with this accessory paired, so the site can register it; a new, unpaired one when absent. */
  activation?: Activation;
}

/** Serves the world's number on `host:port` (0: a free port). */
export function serveWorld(w: WorldPieces, port = 0, host = "127.0.0.1"): Promise<ControlServer> {
  const server: NumberServer = {
    clock: w.clock,
    virtual: undefined,
    net: w.net,
    num: w.net.number(w.msisdn),
    site: new ManagementSite(w.net),
    broker: w.broker,
    activation: w.activation || new Activation(w.net, { capabilities: (model) => capabilitiesOf(model) }),
    accessories: [
      {
        index: 1,
        get device() {
          return w.port.id;
        },
        friendlyName: w.port.friendlyName,
        imei: w.port.imei,
        profile: { board: w.board, sms: w.port.sms, callWaiting: w.port.callWaitingCapable, modem: w.modemProfile },
        where: "in this process",
        port: w.port,
        modem: w.modem,
      },
    ],
    // Real time: what a request set off is handed on through zero-delay timers.
    settle: async () => {
      for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => w.clock.setTimeout(resolve, 0));
    },
    close: async () => undefined,
  };
  return startControl(server, port, host);
}
