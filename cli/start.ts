/**
 * `sharedline start` (`npm start`) and `sharedline run`: the firmware on a modem, with
 * its console (cli/console.ts).
 *
 * Without `--port` the modem is a simulated modem on the simulated shared-number network
 * (cli/sim-world.ts), in this process, on real time: no set-up at all. With `--port <path|tcp://host:port>` and
 * `--board <name>` it is a real module on a serial port or behind a serial server (or a
 * simulator that `sharedline sim --tcp` serves). `sharedline run` insists on `--port`.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Serial, Storage } from "../hal/types.js";
import { systemClock } from "../hal/node/clock.js";
import { NoPins } from "../hal/node/pins.js";
import { openNodeSerial } from "../hal/node/serial.js";
import { FileStorage } from "../hal/node/storage.js";
import { memorySerialPair } from "../hal/memory/serial.js";
import { loadBoards, pickBoard, type Board } from "../firmware/board.js";
import { createFirmware } from "../firmware/main.js";
import { FirmwareConsole, type World } from "./console.js";
import { SHARED_NUMBER, simWorld, type SimWorld } from "./sim-world.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: sharedline start [--port <path|tcp://host:port> --board <name>] [options]
       sharedline run --port <path|tcp://host:port> --board <name> [options]

  (no --port)   run on the simulated modem in this process (board sim-generic)
  --port        a modem on a serial device or behind a serial server
  --board       the board profile from boards.json (required with --port)
  --data <dir>  where the firmware keeps its records (default ~/.sharedline/<board>)
  --json        print every firmware event and state change as one JSON line
  --verbose     print every AT line in and out

Commands are read from standard input, one per line (type help).`;

export function run(argv: string[]): Promise<number> {
  return runFirmware(argv, false);
}

/** Shared by `start` and `run` (cli/run.ts); `needPort` makes --port mandatory. */
export async function runFirmware(argv: string[], needPort: boolean): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        board: { type: "string" },
        data: { type: "string" },
        json: { type: "boolean" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`sharedline: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let board: Board;
  try {
    const boards = loadBoards(JSON.parse(readFileSync(path.join(repoRoot, "boards.json"), "utf8")));
    if (needPort && !args.port) throw new Error("--port <path|tcp://host:port> is required");
    if (args.port && !args.board) throw new Error("--port needs --board <name>; boards: " + Object.keys(boards).join(", "));
    board = pickBoard(boards, args.board || "sim-generic");
  } catch (e) {
    console.error(`sharedline: ${(e as Error).message}`);
    return 2;
  }

  const clock = systemClock;
  let serial: Serial;
  let world: World | undefined;
  let sim: SimWorld | undefined;
  let where: string;
  if (args.port) {
    try {
      serial = await openNodeSerial(args.port, { baud: board.serial.baud, flow: board.serial.flow });
    } catch (e) {
      console.error(`sharedline: ${(e as Error).message}`);
      return 1;
    }
    where = `board ${board.name} (${board.modem}) on ${args.port}`;
  } else {
    sim = simWorld(clock, { imei: "356938035643809", sms: board.capabilities.sms, callWaiting: board.capabilities.callWaiting });
    const [dte, dce] = memorySerialPair();
    sim.modem.connect(dce);
    sim.modem.powerOn();
    serial = dte;
    world = sim.world;
    where = `board ${board.name} on a simulated modem sharing ${SHARED_NUMBER} with a simulated smartphone (type help for commands)`;
  }

  const storage: Storage = new FileStorage(args.data || path.join(homedir(), ".sharedline", board.name));
  const fw = createFirmware({ serial, clock, pins: new NoPins(), storage }, board);
  const con = new FirmwareConsole(fw.api, world, { json: !!args.json, verbose: !!args.verbose, now: () => clock.now(), stamps: true });
  if (sim) sim.onEvent = (line) => con.event("network", { line }, `network: ${line}`);
  con.event("start", { board: board.name, port: args.port || "simulator" }, where);
  serial.onClose((reason) => con.event("serialClosed", { reason }, `serial link closed: ${reason}`));
  fw.start();

  return new Promise<number>((resolve) => {
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      con.event("stop", null, "stopping");
      fw.stop();
      void serial.close();
      resolve(0);
      // The simulated world may hold timers of its own; do not let them keep the program up.
      setTimeout(() => process.exit(0), 300).unref();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const interactive = !!process.stdin.isTTY;
    // A script's last command answers, then the program ends (its last events shown); a person's Ctrl-D ends at once.
    con.readCommands(process.stdin, () => (interactive ? stop() : setTimeout(stop, 1500)));
  });
}
