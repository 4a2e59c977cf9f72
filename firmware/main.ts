/**
 * The firmware: wires the AT channel, the modem profile and the modem manager for one
 * board. Portable: the same code boots on Espruino (hal/espruino) and on Node (hal/node).
 * Later pieces (the line, messaging, the companion link) hang on this object.
 */
import type { Clock, Pins, Serial, Storage } from "../hal/types.js";
import { Emitter } from "../hal/emitter.js";
import { AtChannel } from "../drivers/at/index.js";
import { findProfile, type ModemProfile } from "../drivers/modems/index.js";
import type { Board } from "./board.js";
import { BoardError } from "./board.js";
import { defaultPolicy, ModemManager } from "./modem/manager.js";
import type { ModemPolicy } from "./modem/machine.js";
import { defaultLineOptions, Line, type LineOptions } from "./line/line.js";
import type { Messaging, MessagingOptions } from "./messaging/index.js";
import { attachMessaging } from "./messaging/wire.js";
import { Activation } from "./activation/activation.js";
import { FirmwareApi, type ApiOptions } from "./api.js";
import { Location } from "./location.js";
import { WatchedStorage } from "./storage-watch.js";
import { applyApn, apnProblem } from "./apn.js";

export interface FirmwareHal {
  serial: Serial;
  clock: Clock;
  pins: Pins;
  storage: Storage | undefined;
}

export type FirmwareEvents = {
  /** One line for people: what the firmware is doing. */
  log: string;
  /** Storage stopped working (`ok` false, with the storage's error) or works again. */
  storage: { ok: boolean; message: string };
};

export interface Firmware {
  board: Board;
  profile: ModemProfile;
  channel: AtChannel;
  modem: ModemManager;
  /** Calls and the mirror of the shared line. */
  line: Line;
  /** SMS in and out, the priority setting. */
  messaging: Messaging;
  events: Emitter<FirmwareEvents>;
  /** First boot and One Number activation: no profile, active, not active (R7, R18). */
  activation: Activation;
  /** The one front door: every front-end (console, control socket, MQTT, watch app) uses it. */
  api: FirmwareApi;
  /** Starts bring-up (once). */
  start(): void;
  stop(): void;
}

/** Builds the firmware without starting it, so that listeners can subscribe first. */
/** Tuning for tests and boards; every part has defaults. */
export interface FirmwareOptions {
  policy?: Partial<ModemPolicy>;
  line?: Partial<LineOptions>;
  messaging?: Partial<MessagingOptions>;
  api?: Partial<ApiOptions>;
  /** While storage fails, a probe write this often finds its recovery (ms). */
  storageProbeMs?: number;
  /** The APN of the LTE attach (PDP context 1), set after bring-up when it differs (firmware/apn.ts). */
  apn?: string;
  /** The SIM PIN, entered once when the SIM asks for it (never again after a refusal). */
  pin?: string;
}

export function createFirmware(hal: FirmwareHal, board: Board, options?: FirmwareOptions): Firmware {
  const o = options || {};
  const policy = o.policy;
  const lineOptions = o.line;
  const profile = findProfile(board.modem);
  if (!profile) throw BoardError("board " + board.name + ": unknown modem profile " + board.modem, { problems: ["modem"] });
  const channel = new AtChannel(hal.serial, hal.clock, {
    timeoutMs: profile.timeoutMs,
    finals: profile.finals,
    banners: profile.banners,
    interCommandDelayMs: profile.interCommandDelayMs,
  });
  const p = defaultPolicy(profile, hal.pins);
  if (policy) Object.assign(p, policy);
  const modem = new ModemManager(channel, hal.clock, hal.pins, profile, board.capabilities, p);
  const lo: LineOptions = Object.assign({}, defaultLineOptions, {
    callWaiting: board.capabilities.callWaiting,
    callEndUrcs: profile.callEndUrcs,
    callConnectedUrcs: profile.callConnectedUrcs || [],
  });
  if (lineOptions) Object.assign(lo, lineOptions);
  const line = new Line(
    channel,
    hal.clock,
    {
      simReady: () => modem.simUsable(),
      emergencyNumbers: () => modem.status().emergencyNumbers,
      emergencyAllowed: () => modem.service().emergencyCalls,
      whenReady: (ms) => modem.whenReady(ms),
      callerNames: () => modem.status().info.cnap,
    },
    lo,
  );
  const events = new Emitter<FirmwareEvents>();
  modem.events.on("log", (m) => events.emit("log", m));
  // After every bring-up (first start, reboot, reset): adopt the calls the modem still has.
  modem.events.on("state", (st) => {
    if (st.name === "ready") line.modemReady();
  });
  // Set once messaging exists; storage can only fail once something writes to it.
  const parts: { messaging: Messaging | undefined } = { messaging: undefined };
  const storage = hal.storage
    ? new WatchedStorage(hal.storage, hal.clock, {
        fault: function (message) {
          events.emit("storage", { ok: false, message: message });
          events.emit("log", "storage: " + message + "; received SMS stay on the modem and unsent ones wait until it works again");
        },
        recovered: function () {
          events.emit("storage", { ok: true, message: "storage works again" });
          events.emit("log", "storage works again: reading the SMS the modem kept and sending the outbox");
          if (parts.messaging && modem.status().state.name === "ready") parts.messaging.start();
        },
      }, o.storageProbeMs === undefined ? 30000 : o.storageProbeMs)
    : undefined;
  const messaging = attachMessaging({ board, channel, modem, events, holdSending: () => line.emergencySettingUp() }, hal.clock, storage, o.messaging);
  parts.messaging = messaging;
  // R45: SMS submissions wait while an emergency call is set up; they go on once it is up or over.
  const resumeSms = (c: { emergency: boolean }) => {
    if (c.emergency && !line.emergencySettingUp()) messaging.resume();
  };
  line.events.on("callChanged", resumeSms);
  line.events.on("callEnded", resumeSms);
  // R72: unregistered (R18), this device no longer holds the SMS priority: the phone does.
  modem.events.on("service", (sv) => {
    if (sv.state === "notActive") messaging.unregistered().then(undefined, (e: unknown) => events.emit("log", "sms: priority not updated: " + String(e)));
  });
  const activation = new Activation(channel, hal.clock, modem, hal.storage);
  activation.events.on("log", (m) => events.emit("log", m));
  if (o.pin !== undefined) modem.configurePin(o.pin);
  const apn = o.apn;
  if (apn !== undefined) {
    const bad = apnProblem(apn);
    if (bad) throw BoardError("APN " + JSON.stringify(apn) + ": " + bad, { problems: ["apn"] });
    modem.events.on("state", function (st) {
      if (st.name !== "ready") return;
      applyApn(channel, apn).then(
        function (what) {
          events.emit("log", what);
        },
        function (e: unknown) {
          events.emit("log", "APN " + apn + " could not be set: " + (e instanceof Error ? e.message : String(e)));
        },
      );
    });
  }
  // R52: the position an emergency call carries, answered to the network's +CPOSR.
  const location = new Location(channel, hal.clock, () => line.current().some((c) => c.emergency) || line.emergencyPending());
  const api = new FirmwareApi({ clock: hal.clock, channel, modem, line, messaging, log: events, activation, location }, o.api);
  return {
    board,
    profile,
    channel,
    modem,
    line,
    messaging,
    events,
    activation,
    api,
    start() {
      activation.start();
      modem.start();
    },
    stop() {
      activation.stop();
      // Stop policy (README "Stopping"): the outbox is consistent at every instant (each
      // part's TP-MR is stored before it is written); live calls are left up on the modem
      // and adopted by the next start; an emergency dial not yet placed is cancelled.
      const live = line.current().filter((c) => !(line.emergencyPending() && c.emergency && c.index === undefined));
      if (live.length > 0) events.emit("log", "stopping with " + live.length + " call(s) left up on the modem: the next start adopts them");
      api.stop();
      if (storage) storage.stop();
      messaging.stop();
      line.stop();
      modem.stop();
      channel.close();
    },
  };
}

/** Starts the firmware for `board` on `hal`; bring-up begins at once. */
export function startFirmware(hal: FirmwareHal, board: Board, options?: FirmwareOptions): Firmware {
  const fw = createFirmware(hal, board, options);
  fw.start();
  return fw;
}
