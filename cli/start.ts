/**
 * `sharedline start` (`npm start`) and `sharedline run`: the firmware on a modem, with
 * its console (cli/console.ts).
 *
 * Without `--port` the modem is a simulated modem on the simulated shared-number network
 * (cli/sim-world.ts), in this process, on real time: no set-up at all. With `--port <path|tcp://host:port>` and
 * `--board <name>` it is a real module on a serial port or behind a serial server (or a
 * simulator that `sharedline sim --tcp` serves). `sharedline run` insists on `--port`.
 */
import { homedir } from "node:os";
import * as path from "node:path";
import type { Serial, Storage } from "../hal/types.js";
import { systemClock } from "../hal/node/clock.js";
import { NoPins } from "../hal/node/pins.js";
import { openNodeSerial } from "../hal/node/serial.js";
import { FileStorage } from "../hal/node/storage.js";
import { memorySerialPair } from "../hal/memory/serial.js";
import { pickBoard, type Board } from "../firmware/board.js";
import { recordedSerial, TranscriptWriter } from "../hal/node/transcript.js";
import { readBoardsFile } from "./boards-file.js";
import { colourWanted, readOptions, usageError } from "./output.js";
import { createFirmware } from "../firmware/main.js";
import { FirmwareConsole, type World } from "./console.js";
import { SHARED_NUMBER, simWorld, type SimWorld } from "./sim-world.js";

const USAGE = `usage: sharedline start [--port <path|tcp://host:port> --board <name>] [options]
       sharedline run --port <path|tcp://host:port> --board <name> [options]

  (no --port)   run on the simulated modem in this process (board sim-generic)
  --port        a modem on a serial device or behind a serial server
  --board       the board profile from boards.json (required with --port)
  --data <dir>  where the firmware keeps its records (default ~/.sharedline/<board>)
  --pin <code>  the SIM PIN, entered once when the SIM asks (never again if refused)
  --record <file>  write every byte on the AT line with its direction and time
                (the transcript format of test/fixtures/gammu, replayable by tests)
  --json        print every firmware event and state change as one JSON line
  --verbose     print every AT line in and out

Commands are read from standard input, one per line (type help).`;

export function run(argv: string[]): Promise<number> {
  return runFirmware(argv, false);
}

/** Shared by `start` and `run` (cli/run.ts); `needPort` makes --port mandatory. */
export async function runFirmware(argv: string[], needPort: boolean): Promise<number> {
  const cmd = needPort ? "run" : "start";
  const args = readOptions(
    cmd,
    argv,
    {
      port: { type: "string" },
      board: { type: "string" },
      data: { type: "string" },
      pin: { type: "string" },
      record: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    } as const,
    USAGE,
  );
  if (typeof args === "number") return args;
  let board: Board;
  try {
    const file = readBoardsFile();
    for (const w of file.warnings) console.error(`sharedline: warning: ${w}`);
    const boards = file.boards;
    if (needPort && !args.port) return usageError(cmd, "--port <path|tcp://host:port> is required");
    if (args.port && !args.board) return usageError(cmd, "--port needs --board <name>; boards: " + Object.keys(boards).join(", "));
    board = pickBoard(boards, args.board || "sim-generic");
  } catch (e) {
    console.error(`sharedline ${cmd}: ${(e as Error).message}`);
    return 2;
  }
  if (args.pin !== undefined && !/^[0-9]{4,8}$/.test(args.pin)) return usageError(cmd, "--pin needs the SIM PIN: 4 to 8 digits");

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
    where = `board ${board.name} on a simulated modem sharing ${SHARED_NUMBER} with a simulated smartphone` + (process.stdin.isTTY ? " (type help for commands)" : "");
  }
  let recorder: TranscriptWriter | undefined;
  if (args.record) {
    try {
      recorder = new TranscriptWriter(args.record, clock, `sharedline ${cmd} ${where}, ${new Date(clock.now()).toISOString()}`);
    } catch (e) {
      console.error(`sharedline ${cmd}: --record ${args.record}: ${(e as Error).message}`);
      await serial.close();
      return 1;
    }
    serial = recordedSerial(serial, recorder);
  }

  const storage: Storage = new FileStorage(args.data || path.join(homedir(), ".sharedline", board.name));
  const fw = createFirmware({ serial, clock, pins: new NoPins(), storage }, board);
  if (args.pin !== undefined) fw.modem.configurePin(args.pin);
  const con = new FirmwareConsole(fw.api, world, { json: !!args.json, verbose: !!args.verbose, now: () => clock.now(), stamps: true, colour: !args.json && colourWanted() });
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
      if (recorder) recorder.close();
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
