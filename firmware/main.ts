/**
 * The firmware: wires the AT channel, the modem profile and the modem manager for one
 * board. Portable: the same code boots on Espruino (hal/espruino) and on Node (hal/node).
 * Later pieces (the line, messaging, the companion link) hang on this object.
 */
import type { Clock, Pins, Serial, Storage, TimerHandle } from "../hal/types.js";
import { Emitter } from "../hal/emitter.js";
import { AtChannel } from "../drivers/at/index.js";
import { findProfile, type ModemProfile } from "../drivers/modems/index.js";
import type { Board } from "./board.js";
import { BoardError } from "./board.js";
import { defaultPolicy, ModemManager } from "./modem/manager.js";
import { SILENT, type ModemPolicy } from "./modem/machine.js";
import { defaultLineOptions, Line, type LineOptions } from "./line/line.js";
import type { Messaging, MessagingOptions } from "./messaging/index.js";
import { attachMessaging } from "./messaging/wire.js";
import { Activation } from "./activation/activation.js";
import { OneNumberState } from "./activation/one-number.js";
import { FirmwareApi, type ApiOptions } from "./api.js";
import { Location } from "./location.js";
import { WatchedStorage } from "./storage-watch.js";
import { apnProblem } from "./apn.js";
import type { DataStack } from "./data/index.js";
import type { CompanionOptions } from "./companion/attach.js";
import type { CompanionLink } from "./companion/link.js";
import { dataAndLinkComposer, type ComposeContext, type Composer, type DataOptions } from "./compose.js";

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
  /** The accessory's own data session and sockets (R83), when an APN is known. */
  data: DataStack | undefined;
  /** The companion link (issue 12), when settings name a broker. */
  companion: CompanionLink | undefined;
  /** Starts bring-up (once). */
  start(): void;
  /**
   * Stops everything. With a companion link online it first says goodbye on the broker
   * (`online:false`, then DISCONNECT; at most `companionByeMs`), so the promise resolves
   * once the firmware is stopped; without one, it is stopped on return.
   */
  stop(): Promise<void>;
}

/** Tuning for tests and boards; every part has defaults. */
export interface FirmwareOptions {
  policy?: Partial<ModemPolicy>;
  line?: Partial<LineOptions>;
  messaging?: Partial<MessagingOptions>;
  api?: Partial<ApiOptions>;
  /** While storage fails, a probe write this often finds its recovery (ms). */
  storageProbeMs?: number;
  /**
   * The APN of PDP context 1 (the LTE attach and the data session), the user's setting;
   * the board's `data.apn` when absent. The data session writes it, only when it differs
   * (firmware/apn.ts).
   */
  apn?: string;
  /** The data session's tuning, or false for a firmware without one (then no APN is written). */
  data?: DataOptions | false;
  /** The companion link: broker URL, credentials, keepalive, host adapters (firmware/companion/attach.ts). */
  companion?: CompanionOptions;
  /** How long `stop()` lets the link say goodbye (ms, default 2000). */
  companionByeMs?: number;
  /** The SIM PIN, entered once when the SIM asks for it (never again after a refusal). */
  pin?: string;
}

function assemble(hal: FirmwareHal, board: Board, options: FirmwareOptions | undefined, makeComposer: (() => Composer) | undefined): Firmware {
  const o = options || {};
  const policy = o.policy;
  const lineOptions = o.line;
  const profile = findProfile(board.modem);
  if (!profile) throw BoardError("board " + board.name + ": unknown modem profile " + board.modem, { problems: ["modem"] });
  // Every setting is checked before any part exists: a refusal leaves nothing subscribed
  // to the serial line or the clock, so a caller can build again without what was
  // refused (the watch does: hal/espruino/boot.ts).
  const apn = o.apn !== undefined ? o.apn : board.data.apn;
  if (o.apn !== undefined) {
    const bad = apnProblem(o.apn);
    if (bad) throw BoardError("APN " + JSON.stringify(o.apn) + ": " + bad, { problems: ["apn"] });
  }
  const dataWanted = o.data !== false && board.capabilities.data && apn !== "";
  if (!makeComposer && o.apn !== undefined) throw BoardError("no data session in this build for the APN " + o.apn + " (createFirmware has one)", { problems: ["apn"] });
  if (!makeComposer && o.companion) throw BoardError("no companion link in this build (createFirmware has one)", { problems: ["companion"] });
  if (o.companion && !dataWanted && board.data.link !== "url") throw BoardError("board " + board.name + ": the companion link rides on the data session, which needs an APN", { problems: ["apn"] });
  // Made only when a part is wanted: on the watch it is a cold Storage module (sl.link),
  // loaded here and never on a watch whose settings leave data and the link off.
  const composer = makeComposer && (dataWanted || o.companion) ? makeComposer() : undefined;
  if (composer) composer.check(board, profile.name, dataWanted, o.companion);
  const channel = new AtChannel(hal.serial, hal.clock, {
    timeoutMs: profile.timeoutMs,
    finals: profile.finals,
    banners: profile.banners,
    interCommandDelayMs: profile.interCommandDelayMs,
  });
  const p = defaultPolicy(profile, hal.pins);
  if (policy) Object.assign(p, policy);
  const modem = new ModemManager(channel, hal.clock, hal.pins, profile, board.capabilities, p);
  // The line's options: the defaults by inheritance, only what differs held (heap on the watch).
  const lo = Object.create(defaultLineOptions) as LineOptions;
  lo.callWaiting = board.capabilities.callWaiting;
  lo.callEndUrcs = profile.callEndUrcs;
  if (profile.callConnectedUrcs) lo.callConnectedUrcs = profile.callConnectedUrcs;
  if (lineOptions) Object.assign(lo, lineOptions);
  // The modem manager is the line's ModemView (its methods, not a closure per question).
  const line = new Line(channel, hal.clock, modem, lo);
  const events = new Emitter<FirmwareEvents>();
  // One forwarder for the parts' log lines (the modem's, activation's).
  const forwardLog = function (m: string) {
    events.emit("log", m);
  };
  modem.events.on("log", forwardLog);
  // After every bring-up (first start, reboot, reset): adopt the calls the modem still has.
  modem.events.on("state", (st) => {
    if (st.name === "ready") line.modemReady();
    // The channel found the modem silent (its probe got nothing): an emergency dial held
    // behind it says so now, not only when its own ATD runs out of time (10 s more).
    else if (st.lastError === SILENT && (st.name === "backoff" || st.name === "resetting")) line.modemSilent();
  });
  // Set once messaging exists; storage can only fail once something writes to it.
  const parts: { messaging: Messaging | undefined } = { messaging: undefined };
  const storage = hal.storage
    ? new WatchedStorage(hal.storage, hal.clock, {
        fault: function (message) {
          events.emit("storage", { ok: false, message: message });
          events.emit("log", "storage: " + message + "; SMS stay on the modem and in the outbox until it works again");
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
  // R18: one owner of "One Number active / not active" (the network's reports and the
  // companion link's management command both feed it).
  const oneNumber = new OneNumberState(modem);
  oneNumber.events.on("service", (sv) => {
    if (sv.state === "notActive") messaging.unregistered().then(undefined, (e: unknown) => events.emit("log", "sms: priority not updated: " + String(e)));
  });
  const activation = new Activation(channel, hal.clock, modem, hal.storage, oneNumber, events);
  if (o.pin !== undefined) modem.configurePin(o.pin);
  const ctx: ComposeContext = { clock: hal.clock, board, profileName: profile.name, channel, modem, line, events, storage };
  // The accessory's own data (R83): one session per board, owner of PDP context 1 and its APN.
  const data: DataStack | undefined = composer && dataWanted ? composer.data(ctx, apn, o.data ? o.data : {}) : undefined;
  // R52: the position an emergency call carries, answered to the network's +CPOSR.
  const location = new Location(channel, hal.clock, () => line.current().some((c) => c.emergency) || line.emergencyPending());
  const api = new FirmwareApi({ clock: hal.clock, channel, modem, line, messaging, log: events, activation, location, data, oneNumber }, o.api);
  const companion: CompanionLink | undefined = composer && o.companion ? composer.link(ctx, api, data, o.companion) : undefined;
  const link = companion;
  const byeMs = o.companionByeMs === undefined ? 2000 : o.companionByeMs;
  const stopParts = function () {
    if (data) data.stop();
    activation.stop();
    oneNumber.stop();
    location.stop();
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
  };
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
    data,
    companion,
    start() {
      activation.start();
      modem.start();
      if (data) data.session.start();
      if (link) link.start().then(undefined, (e: unknown) => events.emit("log", "companion: not started: " + String(e)));
    },
    stop() {
      if (!link) {
        stopParts();
        return Promise.resolve();
      }
      // The goodbye goes out over the data session and the AT channel: both stay up until it is sent or given up.
      let done = false;
      let timer: TimerHandle | undefined = undefined;
      return new Promise<void>(function (resolve) {
        const finish = function () {
          if (done) return;
          done = true;
          if (timer !== undefined) hal.clock.clearTimeout(timer);
          stopParts();
          resolve();
        };
        timer = hal.clock.setTimeout(finish, byeMs);
        link.stop().then(finish, finish);
      });
    },
  };
}

/**
 * Builds the firmware without starting it, with the accessory's own data session (R83)
 * and, when `options.companion` names a broker, the companion link: every front-end gets
 * them by building the firmware.
 */
export function createFirmware(hal: FirmwareHal, board: Board, options?: FirmwareOptions): Firmware {
  return assemble(hal, board, options, dataAndLinkComposer);
}

/**
 * The firmware with the data session and the link that `makeComposer` builds, called
 * only when the options want one of them: the watch hands in the module-MQTT composition
 * (firmware/compose-module.ts), a cold Storage module loaded only then.
 */
export function createFirmwareWith(hal: FirmwareHal, board: Board, options: FirmwareOptions | undefined, makeComposer: () => Composer): Firmware {
  return assemble(hal, board, options, makeComposer);
}

/**
 * The firmware without the data session and the companion link, for a bundle that has no
 * room for them. esbuild leaves firmware/compose.ts and everything under it out of a
 * bundle that only calls this.
 */
export function createFirmwareWithoutData(hal: FirmwareHal, board: Board, options?: FirmwareOptions): Firmware {
  return assemble(hal, board, options, undefined);
}

/** Starts the firmware for `board` on `hal`; bring-up begins at once. */
export function startFirmware(hal: FirmwareHal, board: Board, options?: FirmwareOptions): Firmware {
  const fw = createFirmware(hal, board, options);
  fw.start();
  return fw;
}
