/**
 * The Espruino entry point, bundled once per board by tools/bundle.ts (`sharedline
 * bundle`) and flashed as the device's boot code (`npm run flash`, tools/flash.ts). The
 * board's profile is validated at build time and compiled in (`SHAREDLINE_PROFILE`).
 *
 * At boot: read the device settings beside the boot code (settings.ts), switch the
 * modem's supply on where the board has a supply switch, open the board's UART (or the
 * host tty `path` names, on the Linux interpreter), start the firmware, and hand the
 * watch's own code the firmware (firmware/watch.ts): the global `sharedline` (the
 * firmware API, docs/api.md), the console words (`answer`, ...) and
 * `sl("<text command>")`, and one console line per event unless the settings say quiet.
 */
import type { Board } from "../../firmware/board.js";
import { createFirmwareWithoutData } from "../../firmware/main.js";
import { CONSOLE_WORDS, installWatch } from "../../firmware/watch.js";
import { EspruinoClock } from "./clock.js";
import { EspruinoPins } from "./pins.js";
import { openUart } from "./serial.js";
import { readSettings } from "./settings.js";
import { espruinoStorage } from "./storage.js";

declare const SHAREDLINE_PROFILE: Board;
declare const require: (name: string) => { read(name: string): string | undefined };

const board = SHAREDLINE_PROFILE;
const log = function (line: string) {
  console.log(line);
};
const settings = readSettings(function (name) {
  return require("Storage").read(name);
}, log);
if (board.espruino && board.espruino.supplyPin) digitalWrite(board.espruino.supplyPin, 1);
const s = board.serial;
// The watch bundle has no room for the data session and the companion link (firmware/main.ts).
const fw = createFirmwareWithoutData(
  {
    serial: openUart(s.port, { baud: s.baud, rx: s.rx, tx: s.tx, cts: s.cts, path: settings.path }),
    clock: new EspruinoClock(),
    pins: new EspruinoPins(board.pins),
    storage: espruinoStorage(),
  },
  board,
);
// Subscribed before bring-up starts, so the first line is not missed.
const watch = installWatch(fw, { print: log }, settings.quiet === true);
fw.start();
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
