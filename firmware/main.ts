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

export interface FirmwareHal {
  serial: Serial;
  clock: Clock;
  pins: Pins;
  storage: Storage | undefined;
}

export type FirmwareEvents = {
  /** One line for people: what the firmware is doing. */
  log: string;
};

export interface Firmware {
  board: Board;
  profile: ModemProfile;
  channel: AtChannel;
  modem: ModemManager;
  /** Calls and the mirror of the shared line. */
  line: Line;
  events: Emitter<FirmwareEvents>;
  /** Starts bring-up (once). */
  start(): void;
  stop(): void;
}

/** Builds the firmware without starting it, so that listeners can subscribe first. */
export function createFirmware(hal: FirmwareHal, board: Board, policy?: Partial<ModemPolicy>, lineOptions?: Partial<LineOptions>): Firmware {
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
  });
  if (lineOptions) Object.assign(lo, lineOptions);
  const line = new Line(
    channel,
    hal.clock,
    {
      simReady: () => modem.simUsable(),
      emergencyNumbers: () => modem.status().emergencyNumbers,
    },
    lo,
  );
  const events = new Emitter<FirmwareEvents>();
  modem.events.on("log", (m) => events.emit("log", m));
  return {
    board,
    profile,
    channel,
    modem,
    line,
    events,
    start() {
      modem.start();
    },
    stop() {
      channel.close();
    },
  };
}

/** Starts the firmware for `board` on `hal`; bring-up begins at once. */
export function startFirmware(hal: FirmwareHal, board: Board, policy?: Partial<ModemPolicy>): Firmware {
  const fw = createFirmware(hal, board, policy, undefined);
  fw.start();
  return fw;
}
