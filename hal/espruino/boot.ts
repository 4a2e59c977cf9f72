/**
 * The Espruino entry point, bundled once per board by tools/bundle.ts (`sharedline
 * bundle`) and flashed as the device's boot code (`npm run flash`, tools/flash.ts). The
 * board's profile is validated at build time and compiled in (`SHAREDLINE_PROFILE`).
 *
 * At boot: read the device settings beside the boot code (settings.ts), switch the
 * modem's supply on where the board has a supply switch, open the board's UART (or the
 * host tty `path` names, on the Linux interpreter), start the firmware (with data and
 * the link when the settings name them, without what it refuses:
 * firmware/watch-firmware.ts), and hand the watch's own code the firmware
 * (firmware/watch.ts): the global `sharedline` (the firmware API, docs/api.md), the
 * console words (`answer`, ...) and `sl("<text command>")`, and one console line per
 * event unless the settings say quiet.
 */
import type { Board } from "../../firmware/board.js";
import { watchFirmware } from "../../firmware/watch-firmware.js";
import { CONSOLE_WORDS, installWatch } from "../../firmware/watch.js";
import { attachGnss } from "../../firmware/gnss.js";
import { EspruinoClock } from "./clock.js";
import { EspruinoPins } from "./pins.js";
import { openUart } from "./serial.js";
import { readSettings } from "./settings.js";
import { espruinoStorage } from "./storage.js";

declare const SHAREDLINE_PROFILE: Board;
declare const require: (name: string) => { read(name: string): string | undefined };
/** Bangle.js's own GPS (libs/banglejs/jswrap_bangle.c: `setGPSPower`, the "GPS" event with `{lat, lon, fix, hdop, ...}`). */
declare const Bangle: { setGPSPower(on: number, appId: string): void; on(event: "GPS", fn: (f: { lat: number; lon: number; fix: number; hdop: number }) => void): void } | undefined;

const board = SHAREDLINE_PROFILE;
const log = function (line: string) {
  console.log(line);
};
const settings = readSettings(function (name) {
  return require("Storage").read(name);
}, log);
if (board.espruino && board.espruino.supplyPin) digitalWrite(board.espruino.supplyPin, 1);
const s = board.serial;
const fw = watchFirmware(
  {
    serial: openUart(s.port, { baud: s.baud, rx: s.rx, tx: s.tx, cts: s.cts, path: settings.path }),
    clock: new EspruinoClock(),
    pins: new EspruinoPins(board.pins),
    storage: espruinoStorage(),
  },
  board,
  settings,
  log,
);
// Subscribed before bring-up starts, so the first line is not missed.
const watch = installWatch(fw, { print: log }, settings.quiet === true);
fw.start();
// R52: on a Bangle.js its GPS gives the emergency call its position; on for emergency calls only.
if (typeof Bangle !== "undefined" && Bangle) {
  const bangle = Bangle;
  attachGnss(fw.api, {
    power: function (on) {
      bangle.setGPSPower(on ? 1 : 0, "sharedline");
    },
    onFix: function (fn) {
      bangle.on("GPS", function (f) {
        // hdop times a typical 5 m range error is the usual horizontal estimate.
        if (f.fix > 0 && f.lat === f.lat && f.lon === f.lon) fn({ lat: f.lat, lon: f.lon, accuracyM: f.hdop === f.hdop ? f.hdop * 5 : undefined });
      });
    },
  });
}
const g = globalThis as unknown as { [name: string]: unknown };
g.sharedline = fw.api;
if (settings.words !== false) {
  g.sl = function (line: string) {
    watch.command(line);
  };
  for (let i = 0; i < CONSOLE_WORDS.length; i++) {
    const word = CONSOLE_WORDS[i];
    // A getter per word: typing the bare word at the REPL runs its text command.
    Object.defineProperty(globalThis, word, {
      get: function () {
        watch.command(word);
        return undefined;
      },
      configurable: true,
    });
  }
}
