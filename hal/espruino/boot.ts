/**
 * The Espruino entry point, bundled once per board by tools/bundle.ts (`sharedline
 * bundle`), which compiles in the board's validated-at-boot profile (`SHAREDLINE_BOARDS`,
 * boards.json cut down to that board) and its name (`SHAREDLINE_BOARD`). It builds the
 * Espruino HAL for the board and starts the firmware; firmware log lines go to the
 * console.
 */
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { startFirmware } from "../../firmware/main.js";
import { EspruinoClock } from "./clock.js";
import { EspruinoPins } from "./pins.js";
import { openSerial1 } from "./serial.js";
import { espruinoStorage } from "./storage.js";

declare const SHAREDLINE_BOARD: string;
declare const SHAREDLINE_BOARDS: unknown;

const board = pickBoard(loadBoards(SHAREDLINE_BOARDS), SHAREDLINE_BOARD);
const firmware = startFirmware(
  {
    serial: openSerial1({ baud: board.serial.baud, rx: board.serial.rx, tx: board.serial.tx }),
    clock: new EspruinoClock(),
    pins: new EspruinoPins(board.pins),
    storage: espruinoStorage(),
  },
  board,
);
firmware.events.on("log", function (line) {
  console.log(line);
});
