/**
 * `sharedline start` (`npm start`) and `sharedline run`: the firmware on a modem, with
 * its console (cli/console.ts).
 *
 * Without `--port` the modem is the simulator (sim/modem on the network stub), in this
 * process, on real time: no set-up at all. With `--port <path|tcp://host:port>` and
 * `--board <name>` it is a real module on a serial port or behind a serial server (or a
 * simulator that `sharedline sim --tcp` serves). `sharedline run` insists on `--port`.
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Clock, Serial, Storage } from "../hal/types.js";
import { systemClock } from "../hal/node/clock.js";
import { NoPins } from "../hal/node/pins.js";
import { openNodeSerial } from "../hal/node/serial.js";
import { FileStorage } from "../hal/node/storage.js";
import { memorySerialPair } from "../hal/memory/serial.js";
import { loadBoards, pickBoard, type Board } from "../firmware/board.js";
import { createFirmware } from "../firmware/main.js";
import { SimModem } from "../sim/modem/modem.js";
import { NetworkStub } from "../sim/modem/network-stub.js";
import { FirmwareConsole, type World } from "./console.js";

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
    const sim = startSimulator(clock);
    const [dte, dce] = memorySerialPair();
    sim.modem.connect(dce);
    sim.modem.powerOn();
    serial = dte;
    world = sim.world;
    where = `board ${board.name} on the simulated modem (type help for commands)`;
  }

  const storage: Storage = new FileStorage(args.data || path.join(homedir(), ".sharedline", board.name));
  const fw = createFirmware({ serial, clock, pins: new NoPins(), storage }, board);
  const con = new FirmwareConsole(fw, world, { json: !!args.json, verbose: !!args.verbose, now: () => clock.now() });
  if (sim_events) sim_events.sink = (line) => con.emit("network", "event", `network: ${line}`, line);
  con.emit("console", "start", where, { board: board.name, port: args.port || "simulator" });
  serial.onClose((reason) => con.emit("serial", "closed", `serial link closed: ${reason}`, reason));
  fw.start();

  return new Promise<number>((resolve) => {
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      con.emit("console", "stop", "stopping");
      fw.stop();
      void serial.close();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    con.readCommands(stop);
  });
}

/** Where the simulated network's event lines go once the console exists. */
let sim_events: { sink: (line: string) => void } | undefined;

function startSimulator(clock: Clock): { modem: SimModem; network: NetworkStub; world: World } {
  const events = { sink: (_line: string) => undefined as void };
  sim_events = events;
  const network = new NetworkStub({
    clock,
    operator: { long: "NTT DOCOMO", short: "docomo", numeric: "44010" },
    onEvent: (line) => events.sink(line),
  });
  const modem = new SimModem({ clock, network, bootMs: 300 });
  const world: World = {
    help: [
      "caller: ring <number> | caller answer | caller hangup [cause] | caller busy   (an outside party)",
      "network: sms <from> <text> | coverage off|on | signal <0..31>",
      "modem: reboot | hang | unhang",
    ],
    command(verb, args, rest) {
      switch (verb) {
        case "ring":
          if (!args[0]) throw new Error("usage: ring <number>");
          network.ringIn(args[0] === "-" ? "" : args[0]);
          return true;
        case "caller": {
          const what = args[0];
          if (what === "ring") network.ringIn(args[1] || "");
          else if (what === "answer") network.remoteAnswer();
          else if (what === "hangup") network.remoteHangup(undefined, args[1] ? Number(args[1]) : 16);
          else if (what === "busy") network.remoteBusy();
          else throw new Error("usage: caller ring <number> | caller answer | caller hangup [cause] | caller busy");
          return true;
        }
        case "sms":
          if (args.length < 2) throw new Error("usage: sms <from> <text>");
          network.deliverSms({ from: args[0], text: rest.slice(args[0].length).trim() });
          return true;
        case "coverage":
          if (args[0] !== "on" && args[0] !== "off") throw new Error("usage: coverage off|on");
          network.setRegistration(args[0] === "on" ? "home" : "searching");
          return true;
        case "signal": {
          const n = Number(args[0]);
          if (!(n >= 0 && n <= 31)) throw new Error("usage: signal <0..31>");
          network.setSignal({ rssi: n, ber: 99, rsrq: 20, rsrp: 50 });
          return true;
        }
        case "reboot":
          modem.reboot();
          return true;
        case "hang":
          modem.hang();
          return true;
        case "unhang":
          modem.unhang();
          return true;
        default:
          return false;
      }
    },
  };
  return { modem, network, world };
}
