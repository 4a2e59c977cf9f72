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

/** A bad serving option (unknown board, too many accessories, a port in use). */
export const ServeError = defineError<{ option: string }>("ServeError");

export const DEFAULT_MSISDN = "+819012345678";

/** What the network knows of an accessory's board (SPEC R5). */
export interface AccessoryProfile {
  board: string;
  sms: SmsCapability;
  callWaiting: boolean;
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
  /** Every byte each modem receives and sends. */
  trace?: (accessory: string, dir: "rx" | "tx", bytes: string) => void;
  /** The SIM of every served modem (a PIN to lock it with, or absent); default present, no PIN. */
  sim?: SimCard;
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
  accessories: ServedAccessory[];
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
  boards: { [name: string]: { capabilities?: { sms?: string; callWaiting?: boolean } } };
}

let boardsCache: BoardsFile | undefined;

/** The network-side profile of a board in boards.json (its capabilities, R5). */
export function boardProfile(board: string): AccessoryProfile {
  if (!boardsCache) boardsCache = JSON.parse(readFileSync(new URL("../../boards.json", import.meta.url), "utf8")) as BoardsFile;
  const b = boardsCache.boards[board];
  if (!b || !b.capabilities) throw ServeError("unknown board " + JSON.stringify(board) + " (boards.json has " + Object.keys(boardsCache.boards).join(", ") + ")", { option: "board" });
  const c = b.capabilities;
  const sms = c.sms === "relay" || c.sms === "none" ? c.sms : "native";
  return { board, sms, callWaiting: c.callWaiting === true };
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
  const multiDevice = o.multiDevice === undefined ? o.accessories > 1 : o.multiDevice;
  if (!multiDevice && o.accessories > 1) throw ServeError("more than one accessory needs the Multi-device option (R2)", { option: "multi-device" });
  const num = net.createNumber(o.msisdn || DEFAULT_MSISDN, { multiDevice });
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
      const port = net.portFor(num.msisdn, info);
      const label = "A" + (i + 1);
      const trace = o.trace;
      const modem = new SimModem({
        clock,
        network: port,
        identity: { imei: info.imei, msisdn: num.msisdn, imsi: "44010" + String(1000000000 + i) },
        smsSupported: profile.sms !== "none",
        sim: o.sim ? { ...o.sim } : undefined,
        trace: trace ? (dir, bytes) => trace(label, dir, bytes) : undefined,
      });
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
  return { clock, virtual, net, num, site: new ManagementSite(net), accessories, settle, close: closeAll };
}
