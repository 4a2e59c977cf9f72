/**
 * The RAK8212's entry point (boards.json `rak8212-bg96`, `entry`), bundled by
 * tools/bundle.ts and flashed as the boot code by tools/flash.ts like the watch's
 * (hal/espruino/boot.ts), but starting the small RAK firmware (firmware/rak/phone.ts):
 * the shared firmware does not fit the RAK8212's 2,500 blocks (docs/espruino.md).
 *
 * At boot: the device settings (settings.ts: `path` binds the UART to a host tty on the
 * Linux interpreter, `quiet`), the modem's supply on (RAK8212.js PWR_GPRS_ON), the UART
 * fed straight to the firmware (no Serial object of ours: heap), and the API as the
 * global `sharedline`, as on the watch.
 */
import type { Board } from "../board.js";
import { BG96_BOOT_MS, BG96_PULSE_MS, startRak } from "./phone.js";
import { EspruinoClock } from "../../hal/espruino/clock.js";
import { readSettings } from "../../hal/espruino/settings.js";
import type { FlashStorageModule } from "../../hal/espruino/storage.js";

declare const SHAREDLINE_PROFILE: Board;
declare const require: (name: string) => FlashStorageModule;

const board = SHAREDLINE_PROFILE;
const flash = require("Storage");
const settings = readSettings(
  function (name) {
    return flash.read(name);
  },
  function (line) {
    console.log(line);
  },
);
if (board.espruino && board.espruino.supplyPin) digitalWrite(board.espruino.supplyPin, 1);
const s = board.serial;
const key = board.pins.powerKey;
const setup: EspruinoSerialSetup = {};
if (s.rx) setup.rx = s.rx;
if (s.tx) setup.tx = s.tx;
if (s.cts) setup.cts = s.cts;
if (settings.path) setup.path = settings.path;
const uart = (globalThis as unknown as { [port: string]: EspruinoUart })[s.port];
uart.setup(s.baud, setup);
const api = startRak({
  write: function (bytes) {
    uart.write(bytes);
  },
  clock: new EspruinoClock(),
  flash: flash,
  print: function (line) {
    console.log(line);
  },
  quiet: settings.quiet === true,
  powerKey: key
    ? function (ms) {
        digitalWrite(key.pin, key.activeHigh ? 1 : 0);
        setTimeout(function () {
          digitalWrite(key.pin, key.activeHigh ? 0 : 1);
        }, ms);
      }
    : undefined,
  pulseMs: BG96_PULSE_MS,
  bootMs: BG96_BOOT_MS,
});
uart.on("data", function (bytes: string) {
  api.feed(bytes);
});
(globalThis as unknown as { sharedline: unknown }).sharedline = api;
