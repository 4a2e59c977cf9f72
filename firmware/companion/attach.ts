/**
 * The companion link's composition, done once by createFirmware (firmware/main.ts) for
 * every front-end: which PubSub adapter the board's `data.link` (boards.json) names, on
 * what, and the link on top of it.
 *
 * - `modem-mqtt`: the module's own MQTT client on the AT channel (Quectel `AT+QMT*`;
 *   portable, so the watch runs it on Espruino). A host can hand in another module stack
 *   (`adapters.module`, e.g. SIMCom `AT+CMQTT*`).
 * - `modem-socket`: an MQTT client over a socket of the module's own IP stack. The
 *   client is the host's (`adapters.socket`: MQTT.js on Node, mqttjs.node.ts), TLS too.
 * - `url`: the host's own IP (`adapters.url`), for a PC or a simulator.
 *
 * What the link publishes is read through the firmware API (its snapshot and events);
 * what the backend tells it goes back through the API's commands (R15/R18's fast path:
 * `managementUnregistered`, R82: `priorityChangedElsewhere`), never through the parts:
 * eslint keeps firmware/companion/ away from them as it keeps cli/ away.
 *
 * Portable (Espruino): no Node built-ins; Node-only adapters are handed in.
 */
import type { Clock, Storage } from "../../hal/types.js";
import type { AtChannel } from "../../drivers/at/index.js";
import type { Signal } from "../../drivers/modems/index.js";
import type { FirmwareApi } from "../api.js";
import type { CallInfo, PriorityInfo } from "../api/types.js";
import type { Board } from "../board.js";
import type { DataStack } from "../data/index.js";
import type { ModemSockets } from "../data/socket.js";
import { CompanionLink, defaultReconnect, type CompanionActions, type LinkConfig, type LinkHolder, type StateSource } from "./link.js";
import type { PubSub } from "./pubsub.js";
import type { ModemMqttMaker } from "./modem-mqtt.js";
import { topicsFor, type Json } from "./topics.js";

type PriorityState = PriorityInfo["priority"];

/** Where the broker is, from its URL. */
export interface BrokerTarget {
  url: string;
  host: string;
  port: number;
  tls: boolean;
}

/** Adapters the host hands in (Node-only ones: MQTT.js, node:tls). */
export interface PubSubAdapters {
  /** `url` boards: the host's own IP. */
  url?: (target: BrokerTarget) => PubSub;
  /** `modem-socket` boards: an MQTT client over the module's sockets. */
  socket?: (sockets: ModemSockets, target: BrokerTarget) => PubSub;
  /** `modem-mqtt` boards whose module stack is not the Quectel one built in here. */
  module?: (channel: AtChannel, clock: Clock, target: BrokerTarget) => PubSub;
}

/**
 * The module MQTT stacks a composition carries, by modem profile name and whether the
 * broker is mqtts: how to make the client, or why there is none (modem-mqtt.ts).
 * createFirmware's carries both; the watch's only the Quectel one
 * (firmware/compose-module.ts), to keep its Storage.
 */
export type ModemMqttStacks = (profileName: string, tls: boolean) => ModemMqttMaker | string;

/** The device's link settings: issued at registration (credentials), or the user's. */
export interface CompanionSettings {
  /** The broker: `mqtt://host[:1883]` or `mqtts://host[:8883]`. */
  url: string;
  /** The shared number (E.164), for the topics. */
  msisdn: string;
  /** Device id and MQTT user name, issued at registration; never an IMEI. */
  deviceId: string;
  password: string;
  /** MQTT keepalive (s); the board's `data.keepaliveS` (240) when absent. */
  keepaliveS?: number;
  /** Firmware version published in the state. */
  fw?: string;
  /**
   * The PEM CA the broker's certificate must chain to, for `mqtts://` through the
   * module's own MQTT stack (SIMCom: downloaded into the module, AT+CCERTDOWN). Adapters
   * on the host take their trust anchor from the host.
   */
  ca?: string;
}

export interface CompanionOptions extends CompanionSettings {
  adapters?: PubSubAdapters;
  /** Link tuning (tests: debounce, back-off, randomness). */
  link?: Partial<LinkConfig>;
}

/** True when every character of `s` is one of `allowed`. */
function only(s: string, allowed: string): boolean {
  for (let i = 0; i < s.length; i++) if (allowed.indexOf(s.charAt(i)) < 0) return false;
  return true;
}

const DIGITS = "0123456789";
const HOST_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + DIGITS + ".-";

/**
 * Parses `mqtt://host[:port]` / `mqtts://host[:port]` (a name, an IPv4 address or an
 * [IPv6] one; no path, no credentials: those are settings). Throws a clear Error. String
 * operations only: Espruino's RegExp has no optional groups or counted repeats.
 */
export function brokerTarget(url: string): BrokerTarget {
  const bad = function (why: string): Error {
    return new Error("companion link: the broker is mqtt://host[:port] or mqtts://host[:port], not " + JSON.stringify(url) + " (" + why + ")");
  };
  if (typeof url !== "string") throw bad("not text");
  const tls = url.indexOf("mqtts://") === 0;
  if (!tls && url.indexOf("mqtt://") !== 0) throw bad("scheme");
  let rest = url.substr(tls ? 8 : 7);
  if (rest.charAt(rest.length - 1) === "/") rest = rest.substr(0, rest.length - 1);
  let host: string;
  let portText = "";
  if (rest.charAt(0) === "[") {
    const close = rest.indexOf("]");
    if (close < 0) throw bad("an IPv6 address needs its ]");
    host = rest.substr(1, close - 1);
    if (host === "" || !only(host, "0123456789abcdefABCDEF:.")) throw bad("IPv6 address");
    const after = rest.substr(close + 1);
    if (after !== "") {
      if (after.charAt(0) !== ":") throw bad("after the address");
      portText = after.substr(1);
    }
  } else {
    const colon = rest.indexOf(":");
    host = colon < 0 ? rest : rest.substr(0, colon);
    if (colon >= 0) portText = rest.substr(colon + 1);
    if (host === "" || !only(host, HOST_CHARS)) throw bad("host");
  }
  let port = tls ? 8883 : 1883;
  if (portText !== "" || rest.charAt(rest.length - 1) === ":") {
    if (portText === "" || portText.length > 5 || !only(portText, DIGITS)) throw bad("port");
    port = parseInt(portText, 10);
    if (port < 1 || port > 65535) throw bad("port " + port + " is not 1..65535");
  }
  return { url: url, host: host, port: port, tls: tls };
}

/** How the link's PubSub is made, once its settings are known to suit the board. */
export interface CompanionRoute {
  /** Builds the adapter (the first thing of the link that subscribes to anything). */
  make(channel: AtChannel, clock: Clock, data: DataStack | undefined): PubSub;
  /** The link waits for the modem's data session (false for `url`). */
  overModemData: boolean;
}

/**
 * Checks the link's settings against `board` without building anything, and says how
 * its PubSub adapter is made: a board that cannot reach its broker the way it is set up
 * says why (a clear Error) before the firmware has subscribed to anything, so a caller
 * can still build it without the link. `hasData`: the data session will exist.
 */
export function companionRoute(board: Board, profileName: string, hasData: boolean, co: CompanionOptions, stacks: ModemMqttStacks): CompanionRoute {
  const target = brokerTarget(co.url);
  // The link's topics are made when it is built: a number or id they cannot hold is said here.
  topicsFor(co.msisdn, co.deviceId);
  const adapters = co.adapters || {};
  const link = board.data.link;
  const where = "board " + board.name + " (data.link " + link + ")";
  if (link === "url") {
    const url = adapters.url;
    if (!url) throw new Error(where + ": this host gives no MQTT client for a broker URL");
    return {
      make: function () {
        return url(target);
      },
      overModemData: false,
    };
  }
  if (!hasData) throw new Error(where + ": the companion link rides on the data session, which needs an APN");
  if (link === "modem-mqtt") {
    const own = adapters.module;
    if (own) {
      return {
        make: function (channel, clock) {
          return own(channel, clock, target);
        },
        overModemData: true,
      };
    }
    const maker = stacks(profileName, target.tls);
    if (typeof maker === "string") throw new Error(where + ": " + maker);
    const ca = co.ca;
    if (target.tls && !ca) throw new Error(where + ": mqtts through the module's own MQTT stack needs the broker's CA (the companion setting ca, PEM) to load into the module");
    return {
      make: function (channel, clock) {
        return maker(channel, clock, { host: target.host, port: target.port, tls: target.tls && ca ? { ca: ca } : undefined });
      },
      overModemData: true,
    };
  }
  const socket = adapters.socket;
  if (!socket) throw new Error(where + ": this host gives no MQTT client over modem sockets");
  return {
    make: function (_channel, _clock, data) {
      // The composer's check refuses a modem without a socket dialect before this is built.
      if (!data || !data.sockets) throw new Error(where + ": modem " + profileName + " has no socket dialect; set data.link to url");
      return socket(data.sockets, target);
    },
    overModemData: true,
  };
}

/** The call state as §5.4 names it. */
function callWord(calls: CallInfo[]): string {
  if (calls.length === 0) return "idle";
  const c = calls[0];
  if (c.emergency) return "emergency";
  if (c.status === "released") return "idle";
  return c.status;
}

/** The §5.4 `reg` word for a 27.007 registration state. */
function regWord(stat: string | null): string {
  if (stat === "home" || stat === "roaming") return "registered";
  if (stat === "denied") return "denied";
  return "searching";
}

/** What the state names besides the API's own facts. */
export interface StateLabels {
  deviceId: string;
  model: string;
  fw: string;
}

/**
 * The state source, read through the firmware API: its snapshot, and the facts its
 * events carry (signal, identity, priority) kept as they arrive.
 */
export function apiState(api: FirmwareApi, labels: StateLabels, inUseHint: () => boolean): StateSource {
  let signal: Signal | undefined = undefined;
  let imei = "";
  let priority: PriorityState | undefined = undefined;
  api.events.on("signal", (s) => {
    signal = s;
  });
  api.events.on("identified", (i) => {
    imei = i.imei;
  });
  api.events.on("priority", (p) => {
    priority = p.priority;
  });
  api.priority().then((r) => {
    if (r.ok && !priority) priority = r.priority;
  });
  return {
    snapshot(): Json {
      const snap = api.snapshot();
      const out: Json = {
        reg: regWord(snap.registration),
        call: callWord(snap.calls),
        line: snap.line === "inUseElsewhere" || inUseHint() ? "inUseElsewhere" : "free",
        model: labels.model,
        fw: labels.fw,
      };
      const p = priority as PriorityState | undefined;
      if (p) out.smsPriority = { holder: p.holder === "smartphone" ? "phone" : p.holder === "this" ? labels.deviceId : p.holder, src: p.source === "companion" ? "link" : p.source };
      const sig = signal as Signal | undefined;
      if (sig && sig.rssiDbm !== undefined) out.net = { rssi: sig.rssiDbm };
      if (imei.length >= 4) out.imei4 = imei.substr(imei.length - 4);
      return out;
    },
    onChange(fn: () => void) {
      const names: ("registration" | "signal" | "lineState" | "callChanged" | "callEnded" | "priority")[] = ["registration", "signal", "lineState", "callChanged", "callEnded", "priority"];
      const offs: (() => void)[] = [];
      for (let i = 0; i < names.length; i++) offs.push(api.events.on(names[i], fn));
      return function () {
        for (let i = 0; i < offs.length; i++) offs[i]();
      };
    },
  };
}

/** What the backend tells the link, done through the API's commands. */
export function apiActions(api: FirmwareApi): CompanionActions {
  return {
    unregistered(reason: string): void {
      api.managementUnregistered("companion link: " + reason);
    },
    smsPriority(holder: LinkHolder): Promise<void> {
      // R82: follow the change made elsewhere without sending a code.
      return api.priorityChangedElsewhere(holder).then((r) => {
        if (!r.ok) throw new Error(r.message);
      });
    },
  };
}

/**
 * The link on `pubsub`: state from the API, actions through it, riding on `data` when the
 * adapter goes through the modem's data session.
 */
export function createCompanion(
  api: FirmwareApi,
  clock: Clock,
  storage: Storage | undefined,
  board: Board,
  o: CompanionOptions,
  pubsub: PubSub,
  data: DataStack | undefined,
  log: (line: string) => void,
): CompanionLink {
  let inUse = false;
  // An emergency call owns the AT channel and the radio: the link keeps quiet (§5.7).
  const quiet = () => api.snapshot().line === "emergency";
  const config: LinkConfig = Object.assign(
    {
      msisdn: o.msisdn,
      deviceId: o.deviceId,
      password: o.password,
      keepaliveS: o.keepaliveS || board.data.keepaliveS,
      stateDebounceMs: 2000,
      healthyAfterMs: 60000,
      policy: { reconnect: defaultReconnect, escalateAfter: 3, refusedWaitMs: 3600000, random: Math.random },
      quiet,
    },
    o.link || {},
  );
  const link = new CompanionLink(
    pubsub,
    clock,
    storage,
    config,
    apiState(api, { deviceId: o.deviceId, model: board.name, fw: o.fw || "" }, () => inUse),
    apiActions(api),
    data,
    () => {
      api.checkRegistration();
    },
  );
  link.events.on("line", (l) => {
    inUse = l.inUse;
  });
  link.events.on("log", log);
  return link;
}
