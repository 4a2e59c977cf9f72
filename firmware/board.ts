/**
 * Board profiles (boards.json): loaded and validated at start. Every problem is
 * reported with its path, all at once, so a broken file is fixed in one go.
 */
import { defineError } from "../hal/errors.js";
import { findProfile } from "../drivers/modems/index.js";

export type SmsCapability = "native" | "relay" | "none";

export interface Capabilities {
  voice: boolean;
  sms: SmsCapability;
  callWaiting: boolean;
  data: boolean;
  settingsMenu: boolean;
}

export interface PinSpec {
  pin: string;
  activeHigh: boolean;
}

/** How the companion link reaches its broker (firmware/companion): see the adapters there. */
export type LinkAdapter = "modem-socket" | "modem-mqtt" | "url";

/** The data session and companion link of a board (issue 12). */
export interface DataProfile {
  /** APN of the data session; the user's setting overrides it. */
  apn: string;
  /** MQTT keepalive in seconds (240 clears the NAT timeouts seen on LTE, companion-link.md §3.1). */
  keepaliveS: number;
  link: LinkAdapter;
}

const LINKS = ["modem-socket", "modem-mqtt", "url"];

/** A board without a `data` block: a 240 s keepalive, the URL adapter, the APN from settings. */
export const defaultDataProfile: DataProfile = { apn: "", keepaliveS: 240, link: "url" };

export interface Board {
  name: string;
  description: string;
  runtime: "espruino" | "node";
  modem: string;
  serial: { port: string; baud: number; flow: "none" | "rtscts"; rx?: string; tx?: string; cts?: string; path?: string };
  pins: { [name: string]: PinSpec };
  capabilities: Capabilities;
  budgets: { bundleBytes: number; ramBlocks?: number; ramBytes?: number };
  data: DataProfile;
  /** Espruino boards: the firmware build they expect (from espruino/Espruino boards/*.py). */
  espruino?: EspruinoBuild;
  /**
   * Espruino boards: the module bundled as the boot code (tools/bundle.ts), relative to
   * the repository; default hal/espruino/boot.ts (the shared firmware). The RAK8212 names
   * firmware/rak/boot.ts, the small firmware that fits its heap (docs/espruino.md).
   */
  entry?: string;
}

/** Which Espruino firmware an Espruino board runs, and what it gives the modem. */
export interface EspruinoBuild {
  /** The Espruino board file the firmware is built from, e.g. "BANGLEJS2" (boards/BANGLEJS2.py). */
  build: string;
  /** Its fixed heap in blocks (`'variables'` of the board file); 0 = grows on demand (Linux). */
  variables: number;
  /** An output that switches the modem's supply on (asserted high) before bring-up. */
  supplyPin?: string;
}

export const BoardError = defineError<{ problems: string[] }>("BoardError");

const PIN_NAMES = ["powerKey", "reset", "status", "ringIndicator"];
const BAUDS = [9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 3000000];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function isObj(v: Json): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The fields each part of a board may have; `$`-keys are comments. Anything else is probably a typo. */
const KNOWN = {
  board: ["description", "runtime", "modem", "serial", "pins", "capabilities", "budgets", "entry", "data", "espruino"],
  serial: ["port", "baud", "flow", "rx", "tx", "cts", "path"],
  pin: ["pin", "activeHigh"],
  capabilities: ["voice", "sms", "callWaiting", "data", "settingsMenu"],
  budgets: ["bundleBytes", "ramBlocks", "ramBytes"],
  data: ["apn", "keepaliveS", "link"],
};

function unknownFields(at: string, obj: Json, known: string[], warnings: string[]): void {
  if (!isObj(obj)) return;
  for (const k of Object.keys(obj)) {
    if (k.charAt(0) !== "$" && known.indexOf(k) < 0) warnings.push((at === "" ? k : at + "." + k) + ": unknown field, ignored (known: " + known.join(", ") + ")");
  }
}

function checkBoard(name: string, b: Json, problems: string[], warnings: string[]): void {
  const at = "boards." + name;
  unknownFields(at, b, KNOWN.board, warnings);
  if (isObj(b)) {
    unknownFields(at + ".serial", b.serial, KNOWN.serial, warnings);
    unknownFields(at + ".capabilities", b.capabilities, KNOWN.capabilities, warnings);
    unknownFields(at + ".budgets", b.budgets, KNOWN.budgets, warnings);
    if (isObj(b.data)) unknownFields(at + ".data", b.data, KNOWN.data, warnings);
    if (isObj(b.pins)) for (const k of Object.keys(b.pins)) unknownFields(at + ".pins." + k, b.pins[k], KNOWN.pin, warnings);
  }
  const need = function (cond: boolean, msg: string) {
    if (!cond) problems.push(at + msg);
  };
  if (!isObj(b)) {
    problems.push(at + ": must be an object");
    return;
  }
  need(typeof b.description === "string", ".description: must be a string");
  need(b.runtime === "espruino" || b.runtime === "node", '.runtime: must be "espruino" or "node"');
  need(typeof b.modem === "string" && !!findProfile(b.modem), ".modem: unknown modem profile " + JSON.stringify(b.modem));
  if (!isObj(b.serial)) problems.push(at + ".serial: must be an object");
  else {
    need(typeof b.serial.port === "string" && b.serial.port.length > 0, ".serial.port: must be a non-empty string");
    need(BAUDS.indexOf(b.serial.baud) >= 0, ".serial.baud: must be one of " + BAUDS.join(", "));
    need(b.serial.flow === "none" || b.serial.flow === "rtscts", '.serial.flow: must be "none" or "rtscts"');
    for (const k of ["rx", "tx", "cts", "path"]) need(b.serial[k] === undefined || (typeof b.serial[k] === "string" && b.serial[k].length > 0), ".serial." + k + ": must be a non-empty string when given");
    if (b.runtime === "espruino") need(/^Serial[1-6]$/.test(b.serial.port), ".serial.port: an Espruino board names its UART, Serial1..Serial6");
  }
  if (b.runtime === "espruino") {
    const e = b.espruino;
    if (!isObj(e)) problems.push(at + ".espruino: an Espruino board names its firmware build: {build, variables}");
    else {
      need(typeof e.build === "string" && e.build.length > 0, ".espruino.build: the Espruino board file it is built from (boards/<build>.py)");
      need(typeof e.variables === "number" && e.variables >= 0 && Math.floor(e.variables) === e.variables, ".espruino.variables: the heap in blocks (0 = grows on demand)");
      need(e.supplyPin === undefined || (typeof e.supplyPin === "string" && e.supplyPin.length > 0), ".espruino.supplyPin: must be a pin name when given");
    }
  }
  if (b.entry !== undefined) {
    need(b.runtime === "espruino", ".entry: only an Espruino board names the entry of its bundle");
    need(typeof b.entry === "string" && /\.ts$/.test(b.entry), ".entry: the path of a .ts module, relative to the repository (e.g. firmware/rak/boot.ts)");
  }
  if (!isObj(b.pins)) problems.push(at + ".pins: must be an object");
  else {
    for (const k of Object.keys(b.pins)) {
      const p = b.pins[k];
      need(PIN_NAMES.indexOf(k) >= 0, ".pins." + k + ": unknown pin (known: " + PIN_NAMES.join(", ") + ")");
      need(isObj(p) && typeof p.pin === "string" && typeof p.activeHigh === "boolean", ".pins." + k + ": needs {pin: string, activeHigh: boolean}");
    }
  }
  if (b.data !== undefined) {
    const d = b.data;
    if (!isObj(d)) problems.push(at + ".data: must be an object");
    else {
      need(typeof d.apn === "string" && d.apn.length <= 62 && /^[A-Za-z0-9.-]*$/.test(d.apn), ".data.apn: letters, digits, '.' and '-', at most 62 (23.003 §9.1)");
      need(typeof d.keepaliveS === "number" && d.keepaliveS >= 30 && d.keepaliveS <= 3600 && d.keepaliveS === Math.floor(d.keepaliveS), ".data.keepaliveS: whole seconds from 30 to 3600");
      need(LINKS.indexOf(d.link) >= 0, ".data.link: one of " + LINKS.join(", "));
    }
  }
  const c = b.capabilities;
  if (!isObj(c)) problems.push(at + ".capabilities: must be an object");
  else {
    // SPEC R5: voice is always yes on a One Number device.
    need(c.voice === true, ".capabilities.voice: must be true (every One Number device has voice, SPEC R5)");
    need(c.sms === "native" || c.sms === "relay" || c.sms === "none", '.capabilities.sms: must be "native", "relay" or "none"');
    need(typeof c.callWaiting === "boolean", ".capabilities.callWaiting: must be true or false");
    need(c.data === true, ".capabilities.data: must be true (SPEC R5)");
    need(typeof c.settingsMenu === "boolean", ".capabilities.settingsMenu: must be true or false");
  }
  const g = b.budgets;
  if (!isObj(g)) problems.push(at + ".budgets: must be an object");
  else {
    need(typeof g.bundleBytes === "number" && g.bundleBytes > 0, ".budgets.bundleBytes: must be a positive number");
    if (b.runtime === "espruino") need(typeof g.ramBlocks === "number" && g.ramBlocks > 0, ".budgets.ramBlocks: an Espruino board needs its heap budget in blocks");
    else need(typeof g.ramBytes === "number" && g.ramBytes > 0, ".budgets.ramBytes: a Node board needs its memory budget in bytes");
  }
}

/**
 * Validates the parsed boards.json; throws BoardError listing every problem. Fields it
 * does not know (a misspelt `callwaiting`) are not errors but are pushed to `warnings`
 * when given, for the caller to report.
 */
export function loadBoards(json: Json, warnings?: string[]): { [name: string]: Board } {
  const problems: string[] = [];
  const warned = warnings || [];
  if (!isObj(json) || !isObj(json.boards)) throw BoardError("boards.json: needs a top-level \"boards\" object", { problems: ["boards: missing"] });
  unknownFields("", json, ["boards"], warned);
  const out: { [name: string]: Board } = {};
  for (const name of Object.keys(json.boards)) {
    const before = problems.length;
    checkBoard(name, json.boards[name], problems, warned);
    if (problems.length === before) {
      const b = json.boards[name];
      out[name] = {
        name,
        description: b.description,
        runtime: b.runtime,
        modem: b.modem,
        serial: b.serial,
        pins: b.pins,
        capabilities: b.capabilities,
        budgets: b.budgets,
        data: b.data ? { apn: b.data.apn, keepaliveS: b.data.keepaliveS, link: b.data.link } : defaultDataProfile,
      };
      if (b.espruino) out[name].espruino = b.espruino;
      if (b.entry !== undefined) out[name].entry = b.entry;
    }
  }
  if (problems.length > 0) throw BoardError("boards.json is invalid:\n  " + problems.join("\n  "), { problems });
  return out;
}

/** The board called `name`, or a BoardError naming the ones that exist. */
export function pickBoard(boards: { [name: string]: Board }, name: string): Board {
  if (!Object.prototype.hasOwnProperty.call(boards, name)) {
    throw BoardError("unknown board " + JSON.stringify(name) + "; boards.json has: " + Object.keys(boards).join(", "), {
      problems: ["unknown board " + name],
    });
  }
  return boards[name];
}
