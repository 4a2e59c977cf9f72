/**
 * The scenario format (docs/scenarios.md): one JSON file per scenario, read and checked
 * here into typed steps before anything runs, so a mistake in a file is reported with
 * its place (`steps[2].then[0].event: expected one of ...`) instead of a confusing
 * failure halfway through a run.
 *
 *   { "title": "R19 R22: ...", "given": {...}, "steps": [ { "when": [...], "then": [...] } ] }
 */
import type { Coverage, Location, NetworkParams } from "../network/index.js";
import { networkParams } from "../network/index.js";
import { Fields, InputError, show } from "./fields.js";
import { boardProfile } from "./number-server.js";

export interface DeviceSpec {
  name: string;
  board: string;
  imei?: string;
  /** Registered to the number at the start (default true). */
  register: boolean;
  /**
   * Whether its modem holds an eSIM profile at the start (default true). `false`: a
   * brand-new accessory (no profile, not registered) that P registers with
   * `{"by": "phone", "do": "register", "accessory": ...}` (R8).
   */
  profile: boolean;
  /** The eUICC's id (32 digits); the firmware reads it over +CCHO/+CGLA (R9). */
  eid?: string;
  coverage: Coverage;
  location?: Location;
  /** How this accessory's module differs from the standard simulated modem (foreign modems, issue 14). */
  modem: ModemQuirks;
  /** How the firmware takes SMS (27.005 §3.4.1): stored and indicated (+CMTI, the default) or routed to it (+CMT, acknowledged with +CNMA). */
  smsRouting: SmsRouting;
}

export type SmsRouting = "stored" | "direct";

/** Module quirks a scenario can give one accessory's simulated modem. */
export interface ModemQuirks {
  /** Commands the module leaves out, answered ERROR (`+CUSD`, `+CNMA`, `+CPMS?`; sim/modem `unsupported`). */
  unsupported: string[];
  /** False: an incoming call released before answer prints no NO CARRIER, the RING just stops (R86). */
  noCarrierOnUnanswered: boolean;
  /** This many of its first SMS acknowledgements are lost on the way to the network, which then delivers again (R75). */
  lostSmsAcks: number;
  /** +CLCC lists an answered outgoing call with the number that answered (a forwarded call, R59 R60), not the dialled one. */
  clccShowsConnectedNumber: boolean;
}

export interface NumberSpec {
  name: string;
  msisdn: string;
  oneNumber: boolean;
  multiDevice?: boolean;
  /** Applied once the devices are up (an accessory that enables call waiting at bring-up would otherwise override it). */
  settings?: { [k: string]: unknown };
  phone: { name: string; location?: Location; doNotDisturb: boolean };
  devices: DeviceSpec[];
}

export interface Given {
  params: Partial<NetworkParams>;
  /** Virtual time at the start (ms since the epoch). */
  start: number;
  numbers: NumberSpec[];
  /** Outside parties by name: their numbers. */
  parties: { [name: string]: string };
  /**
   * An embedded MQTT broker (aedes on 127.0.0.1:0) with the simulated network as the
   * companion link's backend; every accessory registered at the start runs its link to
   * it with the credential the backend issued.
   */
  broker: boolean;
  /** The names the network presents with a party's calls (CNAP), for parties given as `{number, name}`. */
  partyNames: { [name: string]: string };
}

export type ActorKind = "accessory" | "phone" | "party" | "network";

export interface Action {
  by: string;
  kind: ActorKind;
  verb: string;
  args: { [k: string]: unknown };
  /** A label to check the action's result with later (`{ "result": label, ... }`). */
  as?: string;
  path: string;
  text: string;
}

export type SubjectKind = "device" | "party" | "line" | "log" | "result" | "broker";

export interface Expectation {
  subject: SubjectKind;
  /** A device, party, number or result label name ("" for `log`). */
  name: string;
  /** What is looked at: lineState, calls, event, logged, at, sent, registration, network, inbox, sentHistory, call, message, line, log, result. */
  check: string;
  /** The expected value (for `event`: the event name). */
  value: unknown;
  /** For `event` and `result`: what the payload must match. */
  with?: unknown;
  /** Exactly this many matching items by the deadline. */
  count?: number;
  not: boolean;
  withinMs: number;
  path: string;
  text: string;
}

export interface Step {
  note?: string;
  when: Action[];
  then: Expectation[];
  path: string;
}

export interface Scenario {
  title: string;
  /** The rule ids the title starts with. */
  rules: string[];
  description?: string;
  given: Given;
  steps: Step[];
}

export const DEFAULT_WITHIN_MS = 2000;
const DEFAULT_START = Date.UTC(2026, 10, 25, 1, 0, 0);
const DIAL = { pattern: /^[0-9+*#]{1,40}$/, form: "a dial string of digits, +, * and #" };
const COVERAGE = ["full", "limited", "none"];
const TONES = { pattern: /^[0-9*#A-D]{1,32}$/, form: "1-32 DTMF tones" };

/** Verbs per actor, with a reader for each one's arguments. */
type ArgReader = (f: Fields, names: Names) => { [k: string]: unknown };
const none: ArgReader = () => ({});
const VERBS: { [k in ActorKind]: { [verb: string]: ArgReader } } = {
  accessory: {
    answer: none,
    reject: none,
    hangup: none,
    dial: (f, n) => ({ number: target(f, n, "number") }),
    "accept-waiting": (f) => ({ how: f.optStr("how", { allowed: ["hold", "release"] }) || "hold" }),
    hold: none,
    dtmf: (f) => ({ tones: f.str("tones", TONES) }),
    coverage: (f) => ({ state: f.str("state", { allowed: COVERAGE }) }),
    // The network deactivates the accessory's PDN connection on `cid` (or all): +CGEV: NW PDN DEACT, the vendor's pdpdeact.
    pdpdeact: (f) => ({ cid: f.optNum("cid", { min: 1, max: 15, integer: true, what: "the context id" }) }),
    reboot: none,
    sms: (f, n) => ({ to: target(f, n), text: f.str("text"), statusReport: f.optBool("statusReport") }),
    code: (f) => ({ code: f.str("code", { pattern: /^[0-9*#+]{2,40}$/, form: "a service code" }) }),
    // Its GNSS (or its app) gives the firmware a position (R52: sent with its emergency calls).
    location: (f) => ({
      lat: f.num("lat", { min: -90, max: 90, what: "degrees of latitude" }),
      lon: f.num("lon", { min: -180, max: 180, what: "degrees of longitude" }),
      accuracyM: f.optNum("accuracyM", { min: 0, max: 1800000, what: "metres" }),
    }),
  },
  phone: {
    answer: none,
    decline: none,
    hangup: none,
    dial: (f, n) => ({ number: target(f, n, "number"), withhold: f.optBool("withhold") }),
    sms: (f, n) => ({ to: target(f, n), text: f.str("text") }),
    code: (f) => ({ code: f.str("code", { pattern: /^[0-9*#+]{2,40}$/, form: "a service code" }) }),
    dtmf: (f) => ({ tones: f.str("tones", TONES) }),
    coverage: (f) => ({ state: f.str("state", { allowed: COVERAGE }) }),
    power: (f) => ({ on: f.bool("on") }),
    "do-not-disturb": (f) => ({ on: f.bool("on") }),
    register: (f, n) => ({ accessory: n.need(f, "accessory", "accessory") }),
    unregister: (f, n) => ({ accessory: n.need(f, "accessory", "accessory") }),
    // R8 step 4, 1: the user accepts the new terms on the management site (the websheet).
    "accept-terms": (f) => ({ version: f.num("version", { min: 2, max: 999, integer: true, what: "the terms' version" }) }),
  },
  party: {
    call: (f, n) => ({ to: target(f, n), withhold: f.optBool("withhold") }),
    answer: none,
    reject: (f) => ({ cause: f.optNum("cause", { min: 1, max: 127, integer: true }) }),
    hangup: none,
    sms: (f, n) => ({ to: target(f, n), text: f.str("text"), partGapMs: f.optNum("partGapMs", { min: 0, max: 24 * 3600 * 1000, integer: true, what: "virtual ms between the parts of a long message" }) }),
    dtmf: (f) => ({ tones: f.str("tones", TONES) }),
    busy: (f) => ({ on: f.bool("on") }),
  },
  network: {
    wait: (f) => ({ ms: f.num("ms", { min: 0, max: 7 * 24 * 3600 * 1000, integer: true, what: "virtual ms" }) }),
    // `"link": "first"`: the backend tells the accessory over MQTT first (desired state and
    // command, companion-link.md §5.5) and the network unregisters it `graceMs` later.
    unregister: (f, n) => ({
      device: n.need(f, "device", "accessory"),
      link: f.optStr("link", { allowed: ["first"] }),
      graceMs: f.optNum("graceMs", { min: 0, max: 600000, integer: true, what: "virtual ms between the backend's command and the network's unregistration" }),
    }),
    "multi-device": (f, n) => ({ on: f.bool("on"), number: n.numberArg(f) }),
    "end-one-number": (f, n) => ({ number: n.numberArg(f) }),
    // R8 step 4, 1 and 4: the operator's new contract terms; a busy SM-DP+ (ms to prepare each profile from now on).
    "new-terms": (f) => ({ version: f.num("version", { min: 2, max: 999, integer: true, what: "the terms' version" }), text: f.str("text") }),
    "smdp-preparation": (f) => ({ ms: f.num("ms", { min: 0, max: 24 * 3600 * 1000, integer: true, what: "virtual ms" }) }),
    settings: (f, n) => ({ number: n.numberArg(f), settings: settingsOf(f.optObj("settings"), f.at("settings")) }),
    // R53/R93: the network's emergency number list changes during the run (the MCC/MNC stay).
    "emergency-numbers": (f) => ({ numbers: emergencyList(f) }),
    // R27: one ringing branch fails for a reason other than the user (#88 incompatible destination, #41 temporary failure).
    "fail-branch": (f, n) => ({ device: n.needDevice(f, "device"), cause: f.num("cause", { min: 1, max: 127, integer: true, what: "a 24.008 cause" }) }),
    // The number's network faults (sim/network SharedNumber.faults): USSD never answered (R81, R91) or answered +CUSD: 4 (R79).
    faults: (f, n) => ({ number: n.numberArg(f), ussdSilent: f.optBool("ussdSilent"), ussdUnsupported: f.optBool("ussdUnsupported") }),
  },
};

/** Checks per subject (the accessory's and the phone's differ). */
const DEVICE_CHECKS = ["lineState", "calls", "event", "logged", "at", "sent", "registration", "network", "activation", "listed", "inbox", "sentHistory"];
const PHONE_CHECKS = ["calls", "event", "logged", "network", "inbox", "sentHistory"];
const PARTY_CHECKS = ["call", "calls", "message"];
const EVENTS: { [k: string]: string[] } = {
  accessory: ["incoming", "callChanged", "callEnded", "lineState", "logged", "registration", "activation", "smsReceived", "smsSent", "smsFailed", "statusReport", "priority", "emergencyNumbers", "log", "data", "companion", "service", "position"],
  phone: ["incoming", "call", "sms", "ussd"],
};
const COUNTABLE = ["event", "logged", "at", "sent", "message", "log", "broker"];
/** The per-device topics a `broker` expectation looks at (companion-link.md §5.2). */
export const BROKER_TOPICS = ["status", "state", "desired", "cmd", "ack"];

class Names {
  readonly kinds: { [name: string]: ActorKind | "number" } = {};
  readonly numbers: NumberSpec[] = [];
  parties: { [name: string]: string } = {};
  broker = false;

  add(name: string, kind: ActorKind | "number", path: string): void {
    if (this.kinds[name] !== undefined || name === "network") throw InputError(path + ": the name " + JSON.stringify(name) + " is used twice (names of numbers, phones, devices and parties must differ, and 'network' is taken)", { path });
    this.kinds[name] = kind;
  }

  need(f: Fields, field: string, kind: ActorKind | "number"): string {
    const v = f.str(field);
    if (this.kinds[v] !== kind) throw f.fail(field, "expected the name of " + (kind === "accessory" ? "an accessory" : "a " + kind) + " from given, got " + show(v));
    return v;
  }

  /** The name of an accessory or a phone. */
  needDevice(f: Fields, field: string): string {
    const v = f.str(field);
    if (this.kinds[v] !== "accessory" && this.kinds[v] !== "phone") throw f.fail(field, "expected the name of an accessory or a phone from given, got " + show(v));
    return v;
  }

  numberArg(f: Fields): string {
    return f.has("number") ? this.need(f, "number", "number") : this.numbers[0].name;
  }
}

/** A number name, a party name, or a dial string (in the field `field`, default `to`). */
function target(f: Fields, n: Names, field = "to"): string {
  const v = f.str(field, { what: "a number name, a party name or a dial string" });
  if (n.kinds[v] === "number" || n.kinds[v] === "party") return v;
  if (!DIAL.pattern.test(v)) throw f.fail(field, "expected a number name, a party name or " + DIAL.form + ", got " + show(v));
  return v;
}

/** `numbers`: [{ number: "110", categories: 1 }, ...] (24.008 §10.5.4.33 category bits). */
function emergencyList(f: Fields): { number: string; categories: number }[] {
  const list = f.optList("numbers");
  if (!list || list.length === 0) throw f.fail("numbers", "required (a list of { number, categories })");
  return list.map((v, i) => {
    const e = Fields.of(v, f.at("numbers") + "[" + i + "]");
    const out = { number: e.str("number", { pattern: /^[0-9]{2,6}$/, form: "2-6 digits" }), categories: e.num("categories", { min: 0, max: 127, integer: true, what: "24.008 service category bits" }) };
    e.done();
    return out;
  });
}

function settingsOf(f: Fields | undefined, path: string): { [k: string]: unknown } {
  if (!f) throw InputError(path + ": required (the number's settings to change)", { path });
  const out: { [k: string]: unknown } = {};
  const cw = f.optBool("callWaiting");
  if (cw !== undefined) out.callWaiting = cw;
  const vm = f.optBool("voicemail");
  if (vm !== undefined) out.voicemail = vm;
  const nr = f.optNum("noReplyMs", { min: 0, max: 120000, integer: true, what: "R28" });
  if (nr !== undefined) out.noReplyMs = nr;
  const pr = f.optStr("presentation", { allowed: ["allowed", "restricted"] });
  if (pr !== undefined) out.presentation = pr;
  const fw = f.optObj("forwarding");
  if (fw) {
    const fwd: { [k: string]: string } = {};
    for (const k of ["unconditional", "busy", "noReply", "notReachable"]) {
      const v = fw.optStr(k, { pattern: /^(voicemail|\+?[0-9]{2,15})$/, form: "a number or voicemail" });
      if (v !== undefined) fwd[k] = v;
    }
    fw.done();
    out.forwarding = fwd;
  }
  f.done();
  return out;
}

function location(f: Fields | undefined): Location | undefined {
  if (!f) return undefined;
  const loc: Location = { lat: f.num("lat", { min: -90, max: 90 }), lon: f.num("lon", { min: -180, max: 180 }), source: f.str("source", { allowed: ["gnss", "cell"] }) as Location["source"] };
  f.done();
  return loc;
}

const COMMAND = { pattern: /^[+&][A-Z0-9]{1,12}[?=]?$/, form: "an AT command name such as +CUSD, +CNMA or +CPMS?" };

function quirks(f: Fields | undefined): ModemQuirks {
  const q: ModemQuirks = { unsupported: [], noCarrierOnUnanswered: true, lostSmsAcks: 0, clccShowsConnectedNumber: false };
  if (!f) return q;
  (f.optList("unsupported") || []).forEach((c, i) => {
    if (typeof c !== "string" || !COMMAND.pattern.test(c)) throw f.fail("unsupported[" + i + "]", "expected " + COMMAND.form + ", got " + show(c));
    q.unsupported.push(c);
  });
  q.noCarrierOnUnanswered = f.optBool("noCarrierOnUnanswered") !== false;
  q.lostSmsAcks = f.optNum("lostSmsAcks", { min: 0, max: 100, integer: true }) || 0;
  q.clccShowsConnectedNumber = f.optBool("clccShowsConnectedNumber") === true;
  f.done();
  return q;
}

function readNumber(f: Fields, names: Names, index: number): NumberSpec {
  const name = f.optStr("name", { pattern: /^[a-z][a-z0-9-]*$/, form: "a lower-case name" }) || (index === 0 ? "number" : "number" + (index + 1));
  names.add(name, "number", f.at("name"));
  const msisdn = f.str("msisdn", { pattern: /^\+[1-9][0-9]{7,14}$/, form: "+ and 8-15 digits" });
  const pf = f.optObj("phone");
  const phone = { name: index === 0 ? "phone" : name + "-phone", location: undefined as Location | undefined, doNotDisturb: false };
  if (pf) {
    phone.name = pf.optStr("name", { pattern: /^[a-z][a-z0-9-]*$/, form: "a lower-case name" }) || phone.name;
    phone.location = location(pf.optObj("location"));
    phone.doNotDisturb = pf.optBool("doNotDisturb") || false;
    pf.done();
  }
  names.add(phone.name, "phone", f.at("phone"));
  const devices: DeviceSpec[] = [];
  const list = f.optList("devices") || [];
  list.forEach((d, i) => {
    const df = Fields.of(d, f.at("devices") + "[" + i + "]");
    const dname = df.str("name", { pattern: /^[a-z][a-z0-9-]*$/, form: "a lower-case name" });
    names.add(dname, "accessory", df.at("name"));
    const board = df.optStr("board") || "sim-generic";
    try {
      boardProfile(board);
    } catch (e) {
      throw df.fail("board", (e as Error).message);
    }
    const profile = df.optBool("profile") !== false;
    const register = df.optBool("register");
    if (!profile && register === true) throw df.fail("register", "an accessory without a profile cannot be registered at the start (P registers it in a step)");
    devices.push({
      name: dname,
      board,
      imei: df.optStr("imei", { pattern: /^[0-9]{15}$/, form: "15 digits" }),
      register: profile && register !== false,
      profile,
      eid: df.optStr("eid", { pattern: /^[0-9]{32}$/, form: "32 digits" }),
      coverage: (df.optStr("coverage", { allowed: COVERAGE }) || "full") as Coverage,
      location: location(df.optObj("location")),
      modem: quirks(df.optObj("modem")),
      smsRouting: (df.optStr("smsRouting", { allowed: ["stored", "direct"] }) || "stored") as SmsRouting,
    });
    df.done();
  });
  const spec: NumberSpec = {
    name,
    msisdn,
    oneNumber: f.optBool("oneNumber") !== false,
    multiDevice: f.optBool("multiDevice"),
    settings: f.has("settings") ? settingsOf(f.optObj("settings"), f.at("settings")) : undefined,
    phone,
    devices,
  };
  f.done();
  names.numbers.push(spec);
  return spec;
}

function readGiven(f: Fields, names: Names): Given {
  const params = (f.optObj("params") ? (f.raw("params") as Partial<NetworkParams>) : {}) || {};
  try {
    networkParams(params);
  } catch (e) {
    throw f.fail("params", (e as Error).message);
  }
  const startText = f.optStr("start", { pattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?Z$/, form: "an ISO time in UTC such as 2026-11-25T10:00:00Z" });
  const numbers: NumberSpec[] = [];
  if (f.has("number") && f.has("numbers")) throw f.fail("numbers", "give either number (one) or numbers (a list), not both");
  const one = f.optObj("number");
  if (one) numbers.push(readNumber(one, names, 0));
  (f.optList("numbers") || []).forEach((n, i) => numbers.push(readNumber(Fields.of(n, f.at("numbers") + "[" + i + "]"), names, i)));
  if (numbers.length === 0) throw f.fail("number", "required (the shared number, its phone and its devices)");
  const pf = f.optObj("parties");
  const parties: { [name: string]: string } = {};
  const partyNames: { [name: string]: string } = {};
  const PHONE_NUMBER = { pattern: /^\+?[0-9]{2,15}$/, form: "a phone number" };
  if (pf) {
    for (const k of Object.keys(pf.obj)) {
      if (!/^[a-z][a-z0-9-]*$/.test(k)) throw pf.fail(k, "a party name must be a lower-case name");
      names.add(k, "party", pf.at(k));
      // A number, or {number, name}: the name the network presents with its calls (CNAP).
      const o = typeof pf.raw(k) === "object" && pf.raw(k) !== null ? pf.optObj(k) : undefined;
      if (o) {
        parties[k] = o.str("number", PHONE_NUMBER);
        partyNames[k] = o.str("name", { pattern: /^[^"\\]{1,80}$/, form: "a name of 1-80 characters without quotes or backslashes" });
        if (partyNames[k].split("").some((ch) => ch.charCodeAt(0) < 32)) throw o.fail("name", "a name has no control characters");
        o.done();
      } else parties[k] = pf.str(k, PHONE_NUMBER);
    }
    pf.done();
  }
  names.parties = parties;
  const broker = f.optBool("broker") || false;
  names.broker = broker;
  f.done();
  return { params, start: startText ? Date.parse(startText) : DEFAULT_START, numbers, parties, partyNames, broker };
}

function describeArgs(args: { [k: string]: unknown }): string {
  const parts: string[] = [];
  for (const k of Object.keys(args)) if (args[k] !== undefined) parts.push(typeof args[k] === "string" || typeof args[k] === "number" ? String(args[k]) : k + "=" + JSON.stringify(args[k]));
  return parts.length > 0 ? " " + parts.join(" ") : "";
}

function readAction(v: unknown, path: string, names: Names): Action {
  const f = Fields.of(v, path);
  const by = f.optStr("by") || "network";
  const kind: ActorKind | "number" | undefined = by === "network" ? "network" : names.kinds[by];
  if (kind === undefined || kind === "number") throw f.fail("by", "expected network or the name of a phone, an accessory or a party from given, got " + show(by));
  const verbs = VERBS[kind];
  const verb = f.str("do", { allowed: Object.keys(verbs), what: "what " + by + " does" });
  const as = f.optStr("as", { pattern: /^[a-zA-Z][a-zA-Z0-9-]*$/, form: "a label" });
  if (as !== undefined && kind !== "accessory" && !(kind === "phone" && (verb === "register" || verb === "unregister"))) {
    throw f.fail("as", "only an accessory's action and the phone's register and unregister have a result to check");
  }
  const args = verbs[verb](f, names);
  if (verb === "unregister" && kind === "network" && args.link !== undefined && !names.broker) throw f.fail("link", "needs \"broker\": true in given (the backend tells the accessory over MQTT)");
  if (verb === "unregister" && kind === "network" && args.graceMs !== undefined && args.link === undefined) throw f.fail("graceMs", "goes with \"link\": \"first\"");
  f.done();
  const text = verb === "wait" ? "wait " + args.ms + " ms" : by + ": " + verb + describeArgs(args);
  return { by, kind, verb, args, as, path, text };
}

function readExpectation(v: unknown, path: string, names: Names, labels: string[]): Expectation {
  const f = Fields.of(v, path);
  const subjects: SubjectKind[] = ["device", "party", "line", "log", "result", "broker"];
  const present = subjects.filter((s) => f.has(s));
  if (present.length !== 1) throw InputError(path + ": give exactly one of " + subjects.join(", ") + " (what is looked at)", { path });
  const subject = present[0];
  const not = f.optBool("not") || false;
  const withinMs = f.optNum("within", { min: 0, max: 7 * 24 * 3600 * 1000, integer: true, what: "virtual ms" });
  const count = f.optNum("count", { min: 0, max: 1000, integer: true });
  let name = "";
  let check: string = subject;
  let value: unknown;
  let withValue: unknown = undefined;
  if (subject === "device" || subject === "party") {
    const kind = names.kinds[f.str(subject)];
    name = f.str(subject);
    const checks = subject === "party" ? PARTY_CHECKS : kind === "phone" ? PHONE_CHECKS : kind === "accessory" ? DEVICE_CHECKS : undefined;
    if (!checks || (subject === "party" && kind !== "party")) throw f.fail(subject, "expected the name of " + (subject === "party" ? "a party" : "a phone or an accessory") + " from given, got " + show(name));
    const which = checks.filter((c) => f.has(c));
    if (which.length !== 1) throw InputError(path + ": give exactly one of " + checks.join(", ") + " for " + name, { path });
    check = which[0];
    value = f.raw(check);
    if (check === "event") {
      const evs = EVENTS[kind as string];
      if (typeof value !== "string" || evs.indexOf(value) < 0) throw f.fail("event", "expected one of " + evs.join(", ") + ", got " + show(value));
      withValue = f.raw("with");
    }
    if ((check === "lineState" || check === "registration" || check === "activation") && typeof value !== "string") throw f.fail(check, "expected a string, got " + show(value));
    if (check === "listed" && typeof value !== "boolean") throw f.fail("listed", "expected true or false, got " + show(value));
    if ((check === "at" || check === "sent") && typeof value !== "string" && !isTextMatcher(value)) throw f.fail(check, "expected the start of a line, or {\"$regex\": r} / {\"$contains\": s}, got " + show(value));
    if (check === "calls" && !Array.isArray(value)) throw f.fail("calls", "expected a list of calls (each a partial object), got " + show(value));
    if ((check === "inbox" || check === "sentHistory") && !Array.isArray(value)) throw f.fail(check, "expected a list of messages (each a partial object), got " + show(value));
  } else if (subject === "line") {
    value = f.str("line", { what: "the line as idle, alerting(a,b) or busy(a), with +emergency(a)" });
    name = f.has("number") ? names.need(f, "number", "number") : names.numbers[0].name;
  } else if (subject === "log") {
    value = f.raw("log");
    Fields.of(value, f.at("log"));
  } else if (subject === "broker") {
    // What the broker carried on one of an accessory's topics since the step began, as JSON.
    if (!names.broker) throw f.fail("broker", "needs \"broker\": true in given");
    name = names.need(f, "broker", "accessory");
    check = "broker";
    value = f.str("topic", { allowed: BROKER_TOPICS, what: "the accessory's topic" });
    withValue = f.raw("with");
  } else {
    name = f.str("result");
    if (labels.indexOf(name) < 0) throw f.fail("result", "no earlier action is labelled " + show(name) + " (use \"as\" on an accessory's action)");
    withValue = f.raw("with");
    if (withValue === undefined) throw f.fail("with", "required (what the result must match, e.g. {\"ok\": false, \"reason\": \"lineInUse\"})");
  }
  if (count !== undefined && COUNTABLE.indexOf(check) < 0) throw f.fail("count", "count applies to " + COUNTABLE.join(", "));
  if (count !== undefined && not) throw f.fail("count", "not and count do not go together (use count: 0)");
  const note = f.optStr("note");
  f.done();
  const what = subject === "broker" ? "broker carried " + name + "'s " + value + (withValue !== undefined ? " " + JSON.stringify(withValue) : "") : subject === "log" ? "log " + JSON.stringify(value) : subject === "line" ? "line of " + name + " is " + value : subject === "result" ? name + " result " + JSON.stringify(withValue) : name + " " + check + " " + JSON.stringify(value) + (withValue !== undefined ? " with " + JSON.stringify(withValue) : "");
  const text = (not ? "not: " : "") + what + (count !== undefined ? " (exactly " + count + ")" : "") + (note ? " (" + note + ")" : "");
  return { subject, name, check, value, with: withValue, count, not, withinMs: withinMs === undefined ? DEFAULT_WITHIN_MS : withinMs, path, text };
}

/** `{"$regex": r}` (a valid expression) or `{"$contains": s}`, nothing else. */
function isTextMatcher(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const o = v as { [k: string]: unknown };
  const keys = Object.keys(o);
  if (keys.length !== 1 || typeof o[keys[0]] !== "string") return false;
  if (keys[0] === "$contains") return true;
  if (keys[0] !== "$regex") return false;
  try {
    new RegExp(o.$regex as string);
    return true;
  } catch {
    return false;
  }
}

function asList(v: unknown): unknown[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Reads and checks a scenario; throws InputError naming the place of the first mistake. */
export function parseScenario(json: unknown): Scenario {
  const f = Fields.of(json, "scenario");
  const title = f.str("title", { pattern: /^R[0-9]{1,3}( R[0-9]{1,3})*: \S/, form: "rule ids then a sentence, e.g. \"R19 R22: ...\"" });
  const rules = title.split(":")[0].split(" ").filter((r) => /^R[0-9]+$/.test(r));
  const description = f.optStr("description");
  const names = new Names();
  const gf = f.optObj("given");
  if (!gf) throw f.fail("given", "required");
  const given = readGiven(gf, names);
  const labels: string[] = [];
  const list = f.optList("steps");
  if (!list || list.length === 0) throw f.fail("steps", "required (a list of { when, then })");
  const steps = list.map((s, i) => {
    const path = "steps[" + i + "]";
    const sf = Fields.of(s, path);
    const when = asList(sf.raw("when")).map((a, j) => readAction(a, path + ".when[" + j + "]", names));
    for (const a of when) if (a.as) labels.push(a.as);
    const then = asList(sf.raw("then")).map((e, j) => readExpectation(e, path + ".then[" + j + "]", names, labels));
    const note = sf.optStr("note");
    sf.done();
    if (when.length === 0 && then.length === 0) throw InputError(path + ": a step needs when or then", { path });
    return { note, when, then, path };
  });
  f.done();
  return { title, rules, description, given, steps };
}
