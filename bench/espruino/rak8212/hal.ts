/**
 * The RAK8212's feature set (issue 11 §1: the call line and SMS receive; no SMS send
 * queue, no USSD, no companion link, no data, no firmware API or console), composed from
 * the firmware's own parts in the order they stack (hal, channel, modem, line, sms: one
 * module each, so that a stage bundles only its parts), for bench/rak8212.ts to bundle
 * and boot one part at a time and say what each part costs in Storage and in heap.
 *
 * Portable code, bundled for Espruino by bench/rak8212.ts (tools/bundle.ts bundleBoard).
 * It is a measurement, not the board: this composition does not fit the RAK8212, which
 * runs its own small firmware instead (boards.json rak8212-bg96, firmware/rak/;
 * docs/espruino.md); the bench prints both.
 */
import type { Board } from "../../../firmware/board.js";
import type { Storage } from "../../../hal/types.js";
import { findProfile, type ModemProfile } from "../../../drivers/modems/index.js";
import { EspruinoClock } from "../../../hal/espruino/clock.js";
import { EspruinoPins } from "../../../hal/espruino/pins.js";
import { espruinoStorage } from "../../../hal/espruino/storage.js";
import { readSettings } from "../../../hal/espruino/settings.js";

declare const SHAREDLINE_PROFILE: Board;
declare const require: (name: string) => { read(name: string): string | undefined };

/** Every part is kept reachable from the global object, as a running firmware would be. */
export const kept = (globalThis as unknown as { rak: { [part: string]: unknown } }).rak = {} as { [part: string]: unknown };

export interface RakHal {
  board: Board;
  profile: ModemProfile;
  clock: EspruinoClock;
  pins: EspruinoPins;
  storage: Storage;
  /** The modem UART's host path on the Linux interpreter (the settings file, as boot.ts reads it). */
  path: string | undefined;
}

/** Part 1: the HAL (clock, pins, Storage, the device settings) and the board's modem profile. */
export function rakHal(): RakHal {
  const board = SHAREDLINE_PROFILE;
  // The modem's supply switch (RAK8212.js PWR_GPRS_ON), on before bring-up, as boot.ts does.
  if (board.espruino && board.espruino.supplyPin) digitalWrite(board.espruino.supplyPin, 1);
  const settings = readSettings(
    function (name) {
      return require("Storage").read(name);
    },
    function (line) {
      console.log(line);
    },
  );
  const h: RakHal = {
    board: board,
    profile: findProfile(board.modem)!,
    clock: new EspruinoClock(),
    pins: new EspruinoPins(board.pins),
    storage: espruinoStorage(),
    path: settings.path,
  };
  kept.hal = h;
  return h;
}
