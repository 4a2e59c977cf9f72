/**
 * Hangs the data session and the companion link on a running firmware: the data stack
 * on the firmware's AT channel and modem manager, the link on a PubSub adapter the host
 * chooses (MQTT.js over the modem socket, the modem's own MQTT stack, or a URL).
 *
 * What the link publishes comes from the firmware's parts (registration, line and call
 * state, signal, SMS priority); what it is told goes back through them: the SMS priority
 * taken over without a code (R82), data stopped on unregistration (R15).
 */
import type { Clock, Storage } from "../../hal/types.js";
import type { Firmware } from "../main.js";
import { createDataStack, type DataStack, type DataStackOptions } from "../data/index.js";
import type { CallInfo } from "../api.js";
import type { Signal } from "../../drivers/modems/index.js";
import type { PriorityState } from "../messaging/index.js";
import { CompanionLink, defaultReconnect, type CompanionActions, type LinkConfig, type LinkHolder, type StateSource } from "./link.js";
import type { PubSub } from "./pubsub.js";
import type { Json } from "./topics.js";

export interface CompanionSettings {
  /** The shared number (E.164). */
  msisdn: string;
  /** Device id and MQTT user name, issued at registration; never an IMEI. */
  deviceId: string;
  password: string;
  /** MQTT keepalive (s): 240 by default, per board (boards.json `data.keepaliveS`). */
  keepaliveS: number;
  /** APN of the data session (boards.json `data.apn`, or the user's setting). */
  apn: string;
  model: string;
  fw: string;
}

export interface Companion {
  data: DataStack;
  link: CompanionLink;
  stop(): Promise<void>;
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

/**
 * The state source, read through the firmware API (`fw.api`): its snapshot, and the
 * facts its events carry (signal, identity, priority) kept as they arrive.
 */
export function firmwareState(fw: Firmware, settings: CompanionSettings, inUseHint: () => boolean): StateSource {
  const api = fw.api;
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
        model: settings.model,
        fw: settings.fw,
      };
      const p = priority as PriorityState | undefined;
      if (p) out.smsPriority = { holder: p.holder === "smartphone" ? "phone" : p.holder === "this" ? settings.deviceId : p.holder, src: p.source === "companion" ? "link" : p.source };
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

/**
 * Actions. The firmware API has no command yet for either (see the report): taking over
 * a priority the companion link reports, and the backend's unregistration fast path, so
 * they go to the messaging part and the data session directly.
 */
export function firmwareActions(fw: Firmware, data: DataStack): CompanionActions {
  return {
    unregistered(reason: string): void {
      data.session.unregistered("companion link: " + reason);
      fw.events.emit("log", "companion: unregistered by the backend (" + reason + "); data stopped, the network decides the rest");
    },
    smsPriority(holder: LinkHolder): Promise<void> {
      // R82: follow the smartphone's change without sending a code.
      return fw.messaging.priorityChanged({ holder }).then(() => undefined);
    },
  };
}

export interface AttachOptions {
  data?: DataStackOptions;
  link?: Partial<LinkConfig>;
  /**
   * False when the link reaches its broker over the host's own IP (the `url` adapter): it
   * then does not wait for the modem's data session, which still runs for the device.
   */
  linkOverModemData?: boolean;
}

/** Creates the data stack and the link on `fw`; `pubsubFor` picks the adapter once sockets exist. */
export function attachCompanion(
  fw: Firmware,
  clock: Clock,
  storage: Storage | undefined,
  settings: CompanionSettings,
  pubsubFor: (data: DataStack) => PubSub,
  options?: AttachOptions,
): Companion {
  const o = options || {};
  // An emergency call owns the AT channel and the radio: data keeps off both (§5.7).
  const quiet = () => fw.api.snapshot().line === "emergency";
  const dataOptions: DataStackOptions = Object.assign({}, o.data || {});
  dataOptions.sockets = Object.assign({ quiet }, dataOptions.sockets || {});
  const data = createDataStack(
    fw.channel,
    clock,
    {
      events: fw.modem.events,
      // Tier 3 through the modem manager: a modem that stopped serving data is run through
      // its own recovery (bring-up again; its reset pin after repeated failures).
      resetModem: (why) => {
        fw.events.emit("log", "data: asking for a modem reset: " + why);
        fw.modem.post({ type: "hung" });
      },
    },
    fw.profile.name,
    { apn: settings.apn, context: 1, healthyAfterMs: 60000 },
    dataOptions,
  );
  data.session.events.on("log", (m) => fw.events.emit("log", m));
  let inUse = false;
  const config: LinkConfig = Object.assign(
    {
      msisdn: settings.msisdn,
      deviceId: settings.deviceId,
      password: settings.password,
      keepaliveS: settings.keepaliveS,
      stateDebounceMs: 2000,
      healthyAfterMs: 60000,
      policy: { reconnect: defaultReconnect, escalateAfter: 3, refusedWaitMs: 3600000, random: Math.random },
      quiet,
    },
    o.link || {},
  );
  const link = new CompanionLink(
    pubsubFor(data),
    clock,
    storage,
    config,
    firmwareState(fw, settings, () => inUse),
    firmwareActions(fw, data),
    o.linkOverModemData === false ? undefined : data,
    () => fw.modem.checkHealth(),
  );
  link.events.on("line", (l) => {
    inUse = l.inUse;
  });
  link.events.on("log", (m) => fw.events.emit("log", m));
  data.session.start();
  link.start().then(undefined, (e: unknown) => fw.events.emit("log", "companion: not started: " + String(e)));
  return {
    data,
    link,
    stop() {
      return link.stop().then(() => data.stop());
    },
  };
}
