/**
 * `sharedline start` (`npm start`): the firmware on a modem, printing what it does.
 *
 * Without `--port` the modem is the simulator (sim/modem on the network stub), in this
 * process, on real time: no set-up at all. With `--port <path|tcp://host:port>` and
 * `--board <name>` it is a real module on a serial port or behind a serial server (or a
 * simulator that `sharedline sim --tcp` serves).
 *
 * On the simulator, lines typed on standard input act as the network: `ring <number>`,
 * `hangup`, `sms <number> <text>`, `coverage off|on`, `signal <0..31>`, `reboot`,
 * `hang`, `unhang`, `status`, `help`, `quit`.
 */
import { createInterface } from "node:readline";
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
import { createFirmware, type Firmware } from "../firmware/main.js";
import type { ModemStatus } from "../firmware/modem/manager.js";
import { SimModem } from "../sim/modem/modem.js";
import { NetworkStub } from "../sim/modem/network-stub.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const USAGE = `usage: sharedline start [--port <path|tcp://host:port> --board <name>] [--data <dir>] [--verbose]

  (no --port)   run on the simulated modem in this process (board sim-generic)
  --port        a modem on a serial device or behind a serial server
  --board       the board profile from boards.json (required with --port)
  --data        where the firmware keeps its records (default ~/.sharedline/<board>)
  --verbose     print every AT line in and out`;

interface Sim {
  modem: SimModem;
  network: NetworkStub;
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        board: { type: "string" },
        data: { type: "string" },
        verbose: { type: "boolean", short: "v" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }).values;
  } catch (e) {
    console.error(`sharedline start: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let board: Board;
  try {
    const boards = loadBoards(JSON.parse(readFileSync(path.join(repoRoot, "boards.json"), "utf8")));
    if (args.port && !args.board) throw new Error("--port needs --board <name>; boards: " + Object.keys(boards).join(", "));
    board = pickBoard(boards, args.board || "sim-generic");
  } catch (e) {
    console.error(`sharedline start: ${(e as Error).message}`);
    return 2;
  }

  const clock = systemClock;
  const started = clock.now();
  const say = (line: string) => console.log(`[${stamp(clock.now() - started)}] ${line}`);

  let serial: Serial;
  let sim: Sim | undefined;
  if (args.port) {
    try {
      serial = await openNodeSerial(args.port, { baud: board.serial.baud, flow: board.serial.flow });
    } catch (e) {
      console.error(`sharedline start: ${(e as Error).message}`);
      return 1;
    }
    say(`board ${board.name} (${board.modem}) on ${args.port}`);
  } else {
    sim = startSimulator(clock, say);
    const [dte, dce] = memorySerialPair();
    sim.modem.connect(dce);
    sim.modem.powerOn();
    serial = dte;
    say(`board ${board.name} on the simulated modem (type 'help' for what the network can do)`);
  }
  serial.onClose((reason) => say(`serial link closed: ${reason}`));

  const storage: Storage = new FileStorage(args.data || path.join(homedir(), ".sharedline", board.name));
  const fw = createFirmware({ serial, clock, pins: new NoPins(), storage }, board);
  report(fw, say, !!args.verbose);
  fw.start();

  return new Promise<number>((resolve) => {
    const stop = () => {
      say("stopping");
      fw.stop();
      void serial.close();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    if (sim) console_(sim, fw, say, stop);
  });
}

function stamp(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}.${String(ms % 1000).padStart(3, "0")}`;
}

function startSimulator(clock: Clock, say: (l: string) => void): Sim {
  const network = new NetworkStub({
    clock,
    operator: { long: "NTT DOCOMO", short: "docomo", numeric: "44010" },
    onEvent: (line) => say(`network: ${line}`),
  });
  const modem = new SimModem({ clock, network, bootMs: 300 });
  return { modem, network };
}

const REG_WORDS: { [stat: string]: string } = {
  home: "registered (home)",
  roaming: "registered (roaming)",
  searching: "searching for a network",
  denied: "registration denied",
  "not-registered": "not registered",
  unknown: "registration unknown",
  "emergency-only": "emergency calls only",
};

function report(fw: Firmware, say: (l: string) => void, verbose: boolean): void {
  const m = fw.modem;
  m.events.on("state", (s) => say(`modem: ${s.name}${s.lastError ? ` (${s.lastError})` : ""}`));
  m.events.on("identified", (i) => {
    say(`modem identified: ${i.manufacturer} ${i.model}, firmware ${i.revision}, IMEI ${i.imei}`);
    say(`SIM ready: IMSI ${i.imsi || "?"}, ICCID ${i.iccid || "?"}`);
  });
  m.events.on("registration", (r) => {
    const where = r.area ? `, area ${r.area} cell ${r.cell}` : "";
    say(`${r.domain === "eps" ? "LTE" : "CS"}: ${REG_WORDS[r.stat] || r.stat}${where}`);
  });
  m.events.on("signal", (s) => say(`signal: ${s.rssiDbm === undefined ? "unknown" : s.rssiDbm + " dBm"}`));
  m.events.on("operator", (o) => say(`operator: ${o.name || "none"}`));
  m.events.on("emergencyNumbers", (l) => say(`emergency numbers from the network: ${l.join(", ")}`));
  fw.events.on("log", (l) => say(l));
  fw.channel.events.on("unsolicited", (l) => say(`modem says: ${l}`));
  fw.channel.events.on("overflow", (n) => say(`modem sent an over-long line (${n} bytes), dropped`));
  if (verbose) {
    fw.channel.events.on("tx", (b) => say(`AT> ${JSON.stringify(b)}`));
    fw.channel.events.on("rx", (l) => say(`AT< ${l}`));
  }
}

function describeStatus(st: ModemStatus): string {
  const reg = st.eps || st.cs;
  return [
    `modem ${st.state.name}`,
    `${st.info.manufacturer} ${st.info.model} IMEI ${st.info.imei}`,
    `registration ${reg ? reg.stat : "?"}`,
    `signal ${st.signal && st.signal.rssiDbm !== undefined ? st.signal.rssiDbm + " dBm" : "?"}`,
    `operator ${st.operator && st.operator.name ? st.operator.name : "?"}`,
  ].join("; ");
}

/** Lines on standard input act as the simulated network (and keep the process alive). */
function console_(sim: Sim, fw: Firmware, say: (l: string) => void, stop: () => void): void {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const help = "commands: ring <number> | hangup | sms <number> <text> | coverage off|on | signal <0..31> | reboot | hang | unhang | status | quit";
  rl.on("line", (raw) => {
    const line = raw.trim();
    if (!line) return;
    const [cmd, ...rest] = line.split(/\s+/);
    try {
      switch (cmd) {
        case "help":
          say(help);
          break;
        case "ring":
          if (!rest[0]) throw new Error("ring <number>");
          sim.network.ringIn(rest[0]);
          break;
        case "hangup":
          sim.network.remoteHangup();
          break;
        case "sms":
          if (rest.length < 2) throw new Error("sms <number> <text>");
          sim.network.deliverSms({ from: rest[0], text: line.slice(line.indexOf(rest[0]) + rest[0].length + 1) });
          break;
        case "coverage":
          if (rest[0] !== "on" && rest[0] !== "off") throw new Error("coverage off|on");
          sim.network.setRegistration(rest[0] === "on" ? "home" : "searching");
          break;
        case "signal": {
          const n = Number(rest[0]);
          if (!(n >= 0 && n <= 31)) throw new Error("signal <0..31>");
          sim.network.setSignal({ rssi: n, ber: 99, rsrq: 20, rsrp: 50 });
          fw.modem.checkHealth();
          break;
        }
        case "reboot":
          sim.modem.reboot();
          break;
        case "hang":
          sim.modem.hang();
          break;
        case "unhang":
          sim.modem.unhang();
          break;
        case "status":
          say(describeStatus(fw.modem.status()));
          break;
        case "quit":
        case "exit":
          rl.close();
          stop();
          break;
        default:
          say(`unknown command '${cmd}'; ${help}`);
      }
    } catch (e) {
      say(`usage: ${(e as Error).message}`);
    }
  });
}
