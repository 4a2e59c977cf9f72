/**
 * `sharedline start` (`npm start`) and `sharedline run`: the firmware on a modem, with
 * its console (cli/console.ts) and, with `--control`, its control socket (cli/control.ts).
 *
 * Without `--port` the modem is a simulated modem on the simulated shared-number network
 * (cli/sim-world.ts), in this process, on real time: no set-up at all; its records go to
 * a directory of its own for the run unless `--data` is given. With
 * `--port <path|tcp://host:port>` and `--board <name>` it is a real module on a serial
 * port or behind a serial server (or a simulator that `sharedline sim --tcp` serves).
 *
 * `start` is for people and scripts: the end of a piped script ends it. `run` is the
 * service of a car unit: it insists on `--port`, keeps running when standard input ends
 * or is not a terminal, and stops only on SIGINT or SIGTERM (exit 0, records
 * consistent) or a fatal error (exit 1: the modem's link is lost, so that systemd's
 * Restart=on-failure brings it back). One process per data directory (hal/node/lock.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import * as path from "node:path";
import type { Serial } from "../hal/types.js";
import { systemClock } from "../hal/node/clock.js";
import { NoPins } from "../hal/node/pins.js";
import { openNodeSerial } from "../hal/node/serial.js";
import { FileStorage } from "../hal/node/storage.js";
import { DirectoryLockedError, lockDirectory, type DirectoryLock } from "../hal/node/lock.js";
import { memorySerialPair } from "../hal/memory/serial.js";
import { pickBoard, type Board } from "../firmware/board.js";
import { recordedSerial, TranscriptWriter } from "../hal/node/transcript.js";
import { readBoardsFile } from "./boards-file.js";
import { colourWanted, readOptions, usageError } from "./output.js";
import { createFirmware, type Firmware } from "../firmware/main.js";
import { FirmwareConsole, type World } from "./console.js";
import { loadConfig, type RunConfig } from "./config.js";
import { serveControl, type ControlServer } from "./control.js";
import { SHARED_NUMBER, simWorld, type SimWorld } from "./sim-world.js";
import { COMPANION_USAGE, companionOptions, companionSettings, type CompanionArgs } from "./companion.js";
import type { CompanionOptions } from "../firmware/companion/attach.js";
import { startServedBroker, stopServedBroker, type ServedBroker } from "../sim/broker/served-broker.js";
import { serveWorld } from "../sim/web/world-server.js";
import { portNumber } from "../sim/serve/command-line.js";
import { DEFAULT_PIN } from "../sim/web/site.js";
import { ServiceNotifier } from "./notify.js";

/**
 * The AT channel counts as wedged (no more watchdog pings) after this long with a command
 * out and no final result: longer than any command's own limit (+CMGS: 120 s).
 */
const WEDGE_MS = 150000;

const USAGE = `usage: sharedline start [--port <path|tcp://host:port> --board <name>] [options]
       sharedline run --port <path|tcp://host:port> --board <name> [options]
       sharedline run --config <file> [options]

  --port <where>         a modem on a serial device (/dev/ttyUSB2) or behind a serial
                         server (tcp://host:port); without it, start runs the firmware
                         on a simulated modem in this process (board sim-generic)
  --board <name>         the board profile from boards.json (required with --port)
  --data <dir>           where the firmware keeps its records (default
                         ~/.sharedline/<board>; start on the simulator: a new directory
                         for each run)
  --config <file>        settings as JSON (board, port, data, control, apn, json,
                         verbose, timestamps); flags override them
  --apn <apn>            the APN of the LTE attach (PDP context 1), whose data session
                         the companion link rides on; default: the board's data.apn;
                         written to the modem only when it differs
  --pin <code>           the SIM PIN, entered once when the SIM asks (never again if
                         refused)
  --record <file>        write every byte on the AT line with its direction and time
                         (the transcript format of test/fixtures/gammu, replayable by tests)
  --control <path>       serve a control socket: command lines in, JSON event lines out
                         (sharedline ctl <path> <command>)
  --json                 print every firmware event and command reply as one JSON line
  --timestamps           put the wall-clock time before each line
  -v, --verbose          print every AT line in and out
  -h, --help             this text

On the simulator (no --port):
  --web <port>           the management site and live view on 127.0.0.1:<port>
                         (default: a free port)
  --first-boot           the simulated accessory starts with no eSIM profile,
                         unregistered: the firmware says how to register it (then
                         type: phone register)
  --broker-port <port>   the embedded MQTT broker's port (default 0: a free one)
  --no-broker            no embedded broker: without --mqtt the companion link stays off

${COMPANION_USAGE}

Commands are read from standard input, one per line (type help). run keeps running
when its input ends; it stops on SIGINT or SIGTERM.`;

interface Settings extends RunConfig {
  pin?: string;
  record?: string;
  /** Simulator only: the web pages' port, a brand-new accessory, the embedded broker. */
  web?: string;
  firstBoot?: boolean;
  brokerPort?: string;
  noBroker?: boolean;
  /** The companion link's flags (cli/companion.ts). */
  companion: CompanionArgs;
}

/** The options, the config file under the flags; a number is the exit code (help or a usage error). */
function parse(cmd: string, argv: string[]): Settings | number {
  const args = readOptions(
    cmd,
    argv,
    {
      port: { type: "string" },
      board: { type: "string" },
      data: { type: "string" },
      config: { type: "string" },
      control: { type: "string" },
      pin: { type: "string" },
      record: { type: "string" },
      json: { type: "boolean" },
      timestamps: { type: "boolean" },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
      web: { type: "string" },
      "first-boot": { type: "boolean" },
      "broker-port": { type: "string" },
      "no-broker": { type: "boolean" },
      ...companionOptions,
    } as const,
    USAGE,
  );
  if (typeof args === "number") return args;
  let base: RunConfig = {};
  if (args.config) {
    try {
      base = loadConfig(args.config);
    } catch (e) {
      console.error(`sharedline ${cmd}: ${(e as Error).message}`);
      return 2;
    }
  }
  // Flags override the file.
  const s: Settings = Object.assign({ companion: {} }, base);
  for (const k of ["port", "board", "data", "control", "apn", "pin", "record", "json", "timestamps", "verbose"] as const) {
    if (args[k] !== undefined) (s as unknown as { [key: string]: unknown })[k] = args[k];
  }
  s.web = args.web;
  s.firstBoot = args["first-boot"];
  s.brokerPort = args["broker-port"];
  s.noBroker = args["no-broker"];
  s.companion = { mqtt: args.mqtt, "mqtt-ca": args["mqtt-ca"], "device-id": args["device-id"], password: args.password, msisdn: args.msisdn, apn: s.apn };
  return s;
}

export function run(argv: string[]): Promise<number> {
  return runFirmware(argv, false);
}

/** Shared by `start` and `run` (cli/run.ts); `service` is run's behaviour (see above). */
export async function runFirmware(argv: string[], service: boolean): Promise<number> {
  const cmd = service ? "run" : "start";
  const s = parse(cmd, argv);
  if (typeof s === "number") return s;
  let board: Board;
  let plan: CompanionOptions | undefined;
  let boards: { [name: string]: Board };
  try {
    const file = readBoardsFile();
    for (const w of file.warnings) console.error(`sharedline: warning: ${w}`);
    boards = file.boards;
  } catch (e) {
    console.error(`sharedline ${cmd}: ${(e as Error).message}`);
    return 2;
  }
  // What is wrong with the command line: one line and the pointer to --help.
  try {
    if (service && !s.port) throw new Error("--port <path|tcp://host:port> is required");
    if (s.port && !s.board) throw new Error("--port needs --board <name>; boards: " + Object.keys(boards).join(", "));
    board = pickBoard(boards, s.board || "sim-generic");
    if (s.port && (s.brokerPort !== undefined || s.noBroker || s.web !== undefined || s.firstBoot)) throw new Error("--broker-port, --no-broker, --web and --first-boot are for the simulator (no --port)");
    if (s.brokerPort !== undefined) portNumber("--broker-port", s.brokerPort);
    if (s.web !== undefined) portNumber("--web", s.web);
    plan = companionSettings(board, s.companion, "0.1.0");
  } catch (e) {
    return usageError(cmd, (e as Error).message);
  }
  if (s.pin !== undefined && !/^[0-9]{4,8}$/.test(s.pin)) return usageError(cmd, "--pin needs the SIM PIN: 4 to 8 digits");

  // One process per data directory; the simulator's console gets its own for each run.
  const throwaway = !s.port && !s.data ? mkdtempSync(path.join(tmpdir(), "sharedline-start-")) : undefined;
  const dataDir = s.data || throwaway || path.join(homedir(), ".sharedline", board.name);
  let lock: DirectoryLock | undefined;
  const lockNote: string[] = [];
  try {
    lock = lockDirectory(dataDir);
    if (lock.tookOverFrom !== undefined) lockNote.push(`took over the lock of process ${lock.tookOverFrom}, which is gone`);
  } catch (e) {
    if (e instanceof DirectoryLockedError) {
      console.error(`sharedline: ${e.message}`);
      return 1;
    }
    // A read-only or full directory: the firmware still runs (storage faults are reported and survived).
    lockNote.push(`could not take the lock of ${dataDir} (${(e as Error).message}); running without it`);
  }
  const cleanup = () => {
    if (lock) lock.release();
    if (throwaway) rmSync(throwaway, { recursive: true, force: true });
  };
  // A signal during start-up (before the firmware runs) still releases the lock.
  let onSignal: (why: string) => void = (why) => {
    console.error(`sharedline: ${why} while starting; stopped`);
    cleanup();
    process.exit(0);
  };
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.once("SIGTERM", () => onSignal("SIGTERM"));

  const clock = systemClock;
  let serial: Serial;
  let world: World | undefined;
  let sim: SimWorld | undefined;
  let where: string;
  let broker: ServedBroker | undefined;
  if (s.port) {
    try {
      serial = await openNodeSerial(s.port, { baud: board.serial.baud, flow: board.serial.flow });
    } catch (e) {
      console.error(`sharedline: ${(e as Error).message}`);
      cleanup();
      return 1;
    }
    where = `board ${board.name} (${board.modem}) on ${s.port}, data in ${dataDir}`;
  } else {
    sim = simWorld(clock, { imei: "356938035643809", sms: board.capabilities.sms, callWaiting: board.capabilities.callWaiting, firstBoot: !!s.firstBoot, modem: board.modem });
    const [dte, dce] = memorySerialPair();
    sim.modem.connect(dce);
    sim.modem.powerOn();
    serial = dte;
    world = sim.world;
    where = `board ${board.name} on a simulated modem sharing ${SHARED_NUMBER} with a simulated smartphone, data in ${dataDir}` + (process.stdin.isTTY ? " (type help for commands)" : "");
    if (!s.noBroker) {
      // The embedded broker, with the simulated network as the backend; the link uses this accessory's credential unless --mqtt names another broker.
      try {
        broker = await startServedBroker(sim.network, { kind: "embedded", port: Number(s.brokerPort || 0) });
      } catch (e) {
        console.error(`sharedline: ${(e as Error).message}`);
        cleanup();
        return 1;
      }
      const b = broker!; // an embedded broker is always made
      where += `; companion-link broker ${b.url}`;
      const cred = b.backend.credential(SHARED_NUMBER, sim.port.id);
      if (!plan && cred) plan = companionSettings(board, { mqtt: b.url, "device-id": cred.username, password: cred.password, msisdn: SHARED_NUMBER, apn: s.apn }, "0.1.0");
    }
  }
  let recorder: TranscriptWriter | undefined;
  if (s.record) {
    try {
      recorder = new TranscriptWriter(s.record, clock, `sharedline ${cmd} ${where}, ${new Date(clock.now()).toISOString()}`);
    } catch (e) {
      console.error(`sharedline ${cmd}: --record ${s.record}: ${(e as Error).message}`);
      await serial.close();
      cleanup();
      return 1;
    }
    serial = recordedSerial(serial, recorder);
  }

  const storage = new FileStorage(dataDir);
  let fw: Firmware;
  try {
    fw = createFirmware({ serial, clock, pins: new NoPins(), storage }, board, { apn: s.apn, pin: s.pin, companion: plan });
  } catch (e) {
    console.error(`sharedline: ${(e as Error).message}`);
    await serial.close();
    cleanup();
    return 2;
  }
  const stamps = s.timestamps ? "wallclock" : service ? "none" : "relative";
  const con = new FirmwareConsole(fw.api, world, { json: !!s.json, verbose: !!s.verbose, now: () => clock.now(), stamps, colour: !s.json && colourWanted() });
  if (sim) sim.onEvent = (line) => con.event("network", { line }, `network: ${line}`);
  con.event("start", { board: board.name, port: s.port || "simulator", data: dataDir, pid: process.pid }, where);
  for (const note of lockNote) con.event("log", { text: note });

  let web: { url: string; close(): Promise<void> } | undefined;
  if (sim) {
    try {
      web = await serveWorld({ clock, net: sim.network, msisdn: SHARED_NUMBER, port: sim.port, modem: sim.modem, board: board.name, modemProfile: board.modem, activation: sim.activation, broker }, Number(s.web || 0));
      con.event("web", { url: web.url }, `web: management site ${web.url}/ (sign in ${SHARED_NUMBER}, PIN ${DEFAULT_PIN}), live view ${web.url}/live`);
    } catch (e) {
      con.event("web", null, `web: not served: ${(e as Error).message}`);
    }
  }

  let control: ControlServer | undefined;
  if (s.control) {
    try {
      control = await serveControl(s.control, con);
      con.event("control", { path: s.control }, `control socket on ${s.control}`);
    } catch (e) {
      console.error(`sharedline: control socket ${s.control}: ${(e as Error).message}`);
      fw.stop();
      await serial.close();
      cleanup();
      return 1;
    }
  }

  const notifier = new ServiceNotifier();
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      const calls = fw.api.snapshot().calls;
      // Policy: a live call is left up on the modem (hanging up someone's call because the
      // service restarts would be worse); the next start reads +CLCC and shows it again.
      const left = calls.length ? `; ${calls.length} call(s) left up on the modem` : "";
      con.event("stop", { reason: why, code, calls: calls.length }, `stopping (${why})${left}`);
      notifier.stopping(`stopping (${why})`);
      if (web) await web.close().catch(() => undefined);
      // The link says goodbye on the broker before the broker goes.
      await fw.stop();
      if (broker) await stopServedBroker(broker);
      await serial.close().catch(() => undefined);
      if (recorder) recorder.close();
      if (control) await control.close();
      // Records being written finish before the process ends (each write is atomic anyway).
      await new Promise((r) => setImmediate(r));
      await storage.idle();
      cleanup();
      resolve(code);
      // The simulated world may hold timers of its own; do not let them keep the program up.
      setTimeout(() => process.exit(code), 300).unref();
    };
    onSignal = (why) => void stop(0, why);
    serial.onClose((reason) => {
      if (stopping) return;
      con.event("serialClosed", { reason }, `serial link closed: ${reason}`);
      void stop(1, "the modem's link is gone");
    });
    fw.start();
    // systemd (Type=notify): ready once the firmware runs; the modem's state as STATUS=.
    notifier.ready(`firmware running; modem ${fw.api.snapshot().modem}`);
    fw.api.events.on("modemState", (st) => notifier.status(`firmware running; modem ${st.name}`));
    notifier.startWatchdog(() => fw.api.snapshot().atSilentMs <= WEDGE_MS);
    if (service) {
      // A service reads commands while it has input, and keeps running after it ends.
      con.readCommands(process.stdin, () => {
        if (!stopping) con.event("log", { text: "standard input ended; still running (SIGINT or SIGTERM stops it)" + (control ? ", commands on " + control.path : "") });
      });
      return;
    }
    const interactive = !!process.stdin.isTTY;
    // A script's last command answers, then the program ends (its last events shown); a person's Ctrl-D ends at once.
    con.readCommands(process.stdin, () => (interactive ? void stop(0, "end of input") : setTimeout(() => void stop(0, "end of input"), 1500)));
  });
}
