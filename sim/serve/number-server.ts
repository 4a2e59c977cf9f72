/**
 * One shared number served to programs outside the process (`sharedline sim
 * --accessories <n>`): a `SharedNetwork` hosting the number with its smartphone, and
 * `n` simulated modems, each on its own `AccessoryPort` of the number (registered, R11)
 * and each on its own TCP port or pseudo-terminal. Firmware instances (`sharedline run
 * --port tcp://...`) or tools such as gammu talk AT to the modems; the control
 * interface (http-control.ts) plays the smartphone, the outside parties, the management
 * site, coverage and time.
 *
 * Time: the real clock, or with `virtualTime` a `ServedVirtualClock` that moves only when
 * the control interface advances it (everything due at the current instant runs at once).
 */
import { readFileSync } from "node:fs";
import type { Clock } from "../../hal/types.js";
import { systemClock } from "../../hal/node/clock.js";
import { SimModem, type SimCard } from "../modem/modem.js";
import { servePty, serveTcp } from "../modem/transports.js";
import { AccessoryInfo, AccessoryPort, ManagementSite, NetworkParams, SharedNetwork, SharedNumber, SmsCapability } from "../network/index.js";
import { defineError } from "../../hal/errors.js";
import { ServedVirtualClock } from "./served-clock.js";
import { Activation, modemLpa } from "../entitlement/index.js";
import { BrokerChoice, ServedBroker, startServedBroker, stopServedBroker } from "../broker/served-broker.js";

export type { BrokerChoice, ServedBroker };


/** A bad serving option (unknown board, too many accessories, a port in use). */
export const ServeError = defineError<{ option: string }>("ServeError");

export const DEFAULT_MSISDN = "+819012345678";

/** What the network knows of an accessory's board (SPEC R5), and which modem it carries. */
export interface AccessoryProfile {
  board: string;
  sms: SmsCapability;
  callWaiting: boolean;
  /** The boards.json modem profile ("quectel-bg95", "simcom-a7670", "generic"). */
  modem: string;
}

/**
 * How the simulated modem of a board's modem profile identifies itself (+CGMI, +CGMM,
 * +CGMR): the vendor named here picks the vendor command set it answers (sockets, MQTT).
 */
const MODEM_IDENTITIES: { [profile: string]: { manufacturer: string; model: string; revision: string } } = {
  "quectel-bg95": { manufacturer: "Quectel", model: "BG95-M3", revision: "BG95M3LAR02A03" },
  "quectel-eg91": { manufacturer: "Quectel", model: "EG91", revision: "EG91EXGAR08A05M1G" },
  "simcom-a7670": { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE", revision: "A7670M7_V1.11.1" },
};

/**
 * What each model prints when it has (re)started: the line that says its AT interface is
 * up, then (with a ready SIM only) the SIM and storage readiness lines. Quectel (BG95/BG96
 * and EG9x hardware designs and AT manuals, "RDY" and the `+QIND` indications): `RDY`,
 * BG95 also `APP RDY`. SIMCom A76XX (AT Command Manual, "*ATREADY"): `*ATREADY: 1` and no
 * `RDY` at all, then `SMS DONE`, `PB DONE`. A plain 27.007 module: `RDY`.
 */
const MODEM_BOOTS: { [profile: string]: { bootBanner: string[]; simReadyLines: string[] } } = {
  "quectel-bg95": { bootBanner: ["RDY", "APP RDY"], simReadyLines: ["+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE"] },
  "quectel-eg91": { bootBanner: ["RDY"], simReadyLines: ["+CFUN: 1", "+CPIN: READY", "+QUSIM: 1", "+QIND: SMS DONE", "+QIND: PB DONE"] },
  "simcom-a7670": { bootBanner: ["*ATREADY: 1"], simReadyLines: ["+CPIN: READY", "SMS DONE", "PB DONE"] },
};

/** How a board's simulated modem starts (its banner), by boards.json modem profile name. */
export function modemBootOf(modemProfile: string): { bootBanner: string[]; simReadyLines: string[] } {
  return MODEM_BOOTS[modemProfile] || { bootBanner: ["RDY"], simReadyLines: [] };
}

/** The identity fields of a board's simulated modem ({} keeps the simulator's own, for the generic profile). */
export function modemIdentity(profile: AccessoryProfile): { manufacturer?: string; model?: string; revision?: string } {
  return modemIdentityOf(profile.modem);
}

/** The same by boards.json modem profile name. */
export function modemIdentityOf(modemProfile: string): { manufacturer?: string; model?: string; revision?: string } {
  return MODEM_IDENTITIES[modemProfile] || {};
}

export interface NumberServerOptions {
  /** How many simulated accessories share the number (1..5, R2). */
  accessories: number;
  /** The shared number (default +819012345678). */
  msisdn?: string;
  /** `tcp`: accessory k listens on `basePort + k - 1` (0: each on a free port); `pty`: one pseudo-terminal each. */
  transport: { kind: "tcp"; basePort: number; host: string } | { kind: "pty" };
  /** Run the network on a virtual clock advanced through the control interface. */
  virtualTime: boolean;
  /** Network parameters (R96). */
  params?: Partial<NetworkParams>;
  /** Multi-device option (default: on when more than one accessory is served, R2). */
  multiDevice?: boolean;
  /** Board per accessory (boards.json names; the last one repeats); default sim-generic. */
  boards?: string[];
  /**
   * How many of the accessories (the last ones) start brand new: no eSIM profile, not
   * registered; P's companion app registers them (`POST /phone/register`, R8). Default 0.
   */
  unprovisioned?: number;
  /** Every byte each modem receives and sends. */
  trace?: (accessory: string, dir: "rx" | "tx", bytes: string) => void;
  /** The SIM of every served modem (a PIN to lock it with, or absent); default present, no PIN. */
  sim?: SimCard;
  /** The companion link's broker: embedded aedes (default, port 0), an outside broker by URL, or none. */
  broker?: BrokerChoice;
}

/** One served accessory. */
export interface ServedAccessory {
  /** 1-based position among the served accessories. */
  index: number;
  /** The network's device id once registered ("A1".."A5"). */
  readonly device: string;
  friendlyName: string;
  imei: string;
  profile: AccessoryProfile;
  /** tcp://host:port or /dev/pts/N. */
  where: string;
  port: AccessoryPort;
  modem: SimModem;
}

export interface NumberServer {
  clock: Clock;
  /** The virtual clock in `virtualTime` mode, else undefined. */
  virtual: ServedVirtualClock | undefined;
  net: SharedNetwork;
  num: SharedNumber;
  site: ManagementSite;
  /** The entitlement server, the SM-DP+ and P's companion app (R7–R18): register, unregister, the registration list. */
  activation: Activation;
  accessories: ServedAccessory[];
  /** The companion link's broker and backend (undefined with `broker: none`). */
  broker: ServedBroker | undefined;
  /** Lets every event due at the current instant reach the devices (see the module comment). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/** 23.003 §6.2.1 check digit (Luhn) over the 14 digits of TAC + SNR. */
function luhn(digits14: string): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    let d = digits14.charCodeAt(i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/** A valid 15-digit IMEI, different for each `seq` (0..999999). */
export function simImei(seq: number): string {
  const body = "35693803" + String(seq % 1000000).padStart(6, "0");
  return body + luhn(body);
}

interface BoardsFile {
  boards: { [name: string]: { modem?: string; capabilities?: { sms?: string; callWaiting?: boolean } } };
}

let boardsCache: BoardsFile | undefined;

/** The network-side profile of a board in boards.json (its capabilities, R5). */
export function boardProfile(board: string): AccessoryProfile {
  if (!boardsCache) boardsCache = JSON.parse(readFileSync(new URL("../../boards.json", import.meta.url), "utf8")) as BoardsFile;
  const b = boardsCache.boards[board];
  if (!b || !b.capabilities) throw ServeError("unknown board " + JSON.stringify(board) + " (boards.json has " + Object.keys(boardsCache.boards).join(", ") + ")", { option: "board" });
  const c = b.capabilities;
  const sms = c.sms === "relay" || c.sms === "none" ? c.sms : "native";
  return { board, sms, callWaiting: c.callWaiting === true, modem: b.modem || "generic" };
}

/** R5 for an accessory the entitlement server meets first: its board's capabilities when the model is a board name, else SMS and no call waiting. */
export function capabilitiesOf(model: string): { sms: SmsCapability; callWaiting: boolean } {
  try {
    const p = boardProfile(model);
    return { sms: p.sms, callWaiting: p.callWaiting };
  } catch {
    return { sms: "native", callWaiting: false };
  }
}

/** Builds the network, registers the accessories and starts serving their modems. */
export async function startNumberServer(o: NumberServerOptions): Promise<NumberServer> {
  if (!(o.accessories >= 1 && o.accessories <= 5) || Math.floor(o.accessories) !== o.accessories) {
    throw ServeError("--accessories must be 1..5 (R2: up to five accessories share a number)", { option: "accessories" });
  }
  const boards = o.boards && o.boards.length > 0 ? o.boards : ["sim-generic"];
  const profiles: AccessoryProfile[] = [];
  for (let i = 0; i < o.accessories; i++) profiles.push(boardProfile(boards[Math.min(i, boards.length - 1)]));
  const virtual = o.virtualTime ? new ServedVirtualClock(Math.floor(Date.now() / 1000) * 1000) : undefined;
  const clock: Clock = virtual || systemClock;
  const net = new SharedNetwork({ clock, params: o.params });
  const fresh = o.unprovisioned || 0;
  if (!(fresh >= 0 && fresh <= o.accessories) || Math.floor(fresh) !== fresh) throw ServeError("--unprovisioned must be 0.." + o.accessories, { option: "unprovisioned" });
  const multiDevice = o.multiDevice === undefined ? o.accessories > 1 : o.multiDevice;
  if (!multiDevice && o.accessories - fresh > 1) throw ServeError("more than one accessory needs the Multi-device option (R2)", { option: "multi-device" });
  const num = net.createNumber(o.msisdn || DEFAULT_MSISDN, { multiDevice });
  const activation = new Activation(net, { capabilities: (model) => capabilitiesOf(model) });
  const accessories: ServedAccessory[] = [];
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    if (virtual) virtual.stop();
    for (const a of accessories) a.modem.disconnect();
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    for (let i = 0; i < o.accessories; i++) {
      const profile = profiles[i];
      const info: AccessoryInfo = {
        imei: simImei(100 + i),
        friendlyName: "Accessory " + (i + 1),
        model: profile.board,
        vendor: "sharedline",
        sms: profile.sms,
        callWaiting: profile.callWaiting,
      };
      const provisioned = i < o.accessories - fresh;
      const port = net.portFor(num.msisdn, info, { register: provisioned });
      const label = "A" + (i + 1);
      const trace = o.trace;
      const modem = new SimModem({
        clock,
        network: port,
        identity: { ...modemIdentity(profile), imei: info.imei, msisdn: num.msisdn, imsi: "44010" + String(1000000000 + i) },
        ...modemBootOf(profile.modem),
        smsSupported: profile.sms !== "none",
        sim: provisioned ? (o.sim ? { ...o.sim } : undefined) : { present: false },
        // Every served modem has an eUICC (EID from its IMEI, 32 digits): firmware reads it for R7's message.
        eid: "890490320000010000000" + info.imei.slice(-11),
        trace: trace ? (dir, bytes) => trace(label, dir, bytes) : undefined,
      });
      activation.pair(modemLpa(modem, port));
      modem.powerOn(false);
      let where: string;
      if (o.transport.kind === "pty") {
        const p = await servePty(modem);
        closers.push(p.close);
        where = p.path;
      } else {
        const want = o.transport.basePort === 0 ? 0 : o.transport.basePort + i;
        if (want > 65535) throw ServeError("--tcp " + o.transport.basePort + ": port " + want + " is out of range", { option: "tcp" });
        let t;
        try {
          t = await serveTcp(modem, want, o.transport.host);
        } catch (e) {
          throw ServeError("cannot listen on " + o.transport.host + ":" + want + ": " + (e as Error).message, { option: "tcp" });
        }
        closers.push(t.close);
        const host = t.host.indexOf(":") >= 0 ? "[" + t.host + "]" : t.host;
        where = "tcp://" + host + ":" + t.port;
      }
      accessories.push({
        index: i + 1,
        get device() {
          return port.id;
        },
        friendlyName: info.friendlyName,
        imei: info.imei,
        profile,
        where,
        port,
        modem,
      });
    }
  } catch (e) {
    await closeAll();
    throw e;
  }
  const settle = async () => {
    if (virtual) {
      await virtual.flush();
      return;
    }
    // Real time: zero-delay timers run in creation order; two rounds cover network -> device hand-offs.
    for (let i = 0; i < 2; i++) await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 0));
  };
  if (virtual) await virtual.flush();
  let broker: ServedBroker | undefined;
  try {
    broker = await startServedBroker(net, o.broker);
  } catch (e) {
    await closeAll();
    throw ServeError((e as Error).message, { option: "broker" });
  }
  const close = async () => {
    await closeAll();
    if (broker) await stopServedBroker(broker);
  };
  return { clock, virtual, net, num, site: new ManagementSite(net), activation, accessories, broker, settle, close };
}
