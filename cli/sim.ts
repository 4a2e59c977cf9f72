/**
 * `sharedline sim --tcp <port> | --pty`: serves one accessory of the simulated
 * shared-number network (sim/network) to outside programs (gammu, ModemManager, minicom,
 * `sharedline run`): the same network `npm start`, the scenarios and `--accessories`
 * use, with the owner's smartphone, outside parties and the HTTP control interface
 * (docs/sim-control.md). Lines on stdin play the network the way `npm start`'s console
 * does. With `--accessories <n>` it serves n accessories (sim/serve/serve-cli.ts).
 *
 * Defaults that real clients need out of the box (issue 14 §2), each configurable:
 * an outside party answers a call after `--answer-after` (3 s), and one nobody answers
 * releases with #19 after the no-reply time; a USSD string the network has no service
 * for gets `--ussd-answer` instead of +CUSD: 4. Scenarios and tests keep the network's
 * own defaults (none of these), so they decide what happens.
 */
import readline from "node:readline";
import { SimModem } from "../sim/modem/modem.js";
import { REC_UNREAD } from "../sim/modem/sms-store.js";
import { formatEntry, type NetworkParams } from "../sim/network/index.js";
import { encodeDeliverParts } from "../sim/pdu/concat.js";
import { joinAtPdu } from "../sim/pdu/tpdu.js";
import { parseOrExit, parseParam, portNumber, untilStopped } from "../sim/serve/command-line.js";
import { startControl, type ControlServer } from "../sim/serve/http-control.js";
import { startNumberServer, type NumberServer } from "../sim/serve/number-server.js";
import type { World } from "./console.js";
import { networkWorld } from "./network-world.js";

/** The outside party `ring` and `caller ...` play. */
export const SIM_CALLER = "+81311112222";
export const DEFAULT_ANSWER_AFTER_MS = 3000;
export const DEFAULT_USSD_ANSWER = "sharedline network: this code has no service here";

const USAGE = `usage: sharedline sim (--tcp <port> | --pty) [options]

Serves one simulated LTE accessory of a shared number (27.007 / 27.005 AT for tools such
as gammu, ModemManager or minicom), on the simulated network with its smartphone and
outside parties, and an HTTP control interface (docs/sim-control.md). With
--accessories <n> it serves n accessories of the number (sharedline sim --accessories 1 --help).

  --tcp <port>            listen on tcp://<host>:<port>; 0 picks a free port
  --host <address>        address for --tcp and --control (default 127.0.0.1)
  --pty                   serve on a new pseudo-terminal and print its /dev/pts path
  --control <port>        HTTP control port (default 0: a free port, printed)
  --number <msisdn>       the shared number (default +819012345678)
  --board <name>          the accessory's boards.json profile (default sim-generic)
  --answer-after <ms>|never  an outside party answers a call after this long (default ${DEFAULT_ANSWER_AFTER_MS});
                          unanswered calls are released with #19 after the no-reply time either way
  --ussd-answer <text>|none  the network's answer to a USSD code it has no service for
                          (default "${DEFAULT_USSD_ANSWER}"; none: +CUSD: 4)
  --param <name>=<value>  a network parameter (R96, e.g. noReplyMs=30000); repeatable
  --sms <from>=<text>     store a received (unread) message in SIM memory; repeatable
  --pin <pin>             lock the SIM with this PIN (AT+CPIN="<pin>" unlocks it)
  --banner                send the boot banner (RDY) when serving starts
  --trace                 print every byte received and sent on stderr
  --quiet                 do not print the network's event log on stderr
  -h, --help              this text

Lines on stdin act on the network (help lists them):
  ring | caller answer|hangup|reject|sms <text>    an outside party, ${SIM_CALLER}
  phone answer|decline|hangup|dial <n>|sms <to> <text>|code <code>|off|on   the smartphone
  coverage full|limited|none | unregister | devices                         the network
  reboot | hang | unhang                                                    the modem

Example: sharedline sim --pty   then   gammu -c <(printf '[gammu]\\ndevice = /dev/pts/N\\nconnection = at\\n') identify`;

export interface SimOptions {
  tcp?: number;
  host: string;
  pty: boolean;
  control: number;
  number?: string;
  board?: string;
  /** null: outside parties never answer by themselves. */
  answerAfterMs: number | null;
  /** null: +CUSD: 4 for codes without a service. */
  ussdAnswer: string | null;
  params: { [name: string]: unknown };
  sms: { from: string; text: string }[];
  pin?: string;
  banner: boolean;
  trace: boolean;
  quiet: boolean;
}

/** Parses the command line; throws an Error with a message for the user. */
export function parseSimArgs(args: string[]): SimOptions | "help" {
  const o: SimOptions = {
    host: "127.0.0.1",
    pty: false,
    control: 0,
    answerAfterMs: DEFAULT_ANSWER_AFTER_MS,
    ussdAnswer: DEFAULT_USSD_ANSWER,
    params: {},
    sms: [],
    banner: false,
    trace: false,
    quiet: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(a + " needs a value");
      return v;
    };
    if (a === "-h" || a === "--help") return "help";
    else if (a === "--tcp") o.tcp = portNumber(a, value());
    else if (a === "--host") o.host = value();
    else if (a === "--pty") o.pty = true;
    else if (a === "--control") o.control = portNumber(a, value());
    else if (a === "--number") o.number = value();
    else if (a === "--board") o.board = value();
    else if (a === "--answer-after") {
      const v = value();
      if (v === "never") o.answerAfterMs = null;
      else if (/^[0-9]+$/.test(v) && Number(v) <= 3600000) o.answerAfterMs = Number(v);
      else throw new Error("--answer-after needs milliseconds (0..3600000) or never, got " + JSON.stringify(v));
    } else if (a === "--ussd-answer") {
      const v = value();
      o.ussdAnswer = v === "none" ? null : v;
    } else if (a === "--param") {
      const [name, v] = parseParam(value());
      o.params[name] = v;
    } else if (a === "--sms") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq <= 0) throw new Error("--sms needs <from>=<text>");
      o.sms.push({ from: v.slice(0, eq), text: v.slice(eq + 1) });
    } else if (a === "--pin") o.pin = value();
    else if (a === "--banner") o.banner = true;
    else if (a === "--trace") o.trace = true;
    else if (a === "--quiet") o.quiet = true;
    else throw new Error("unknown option '" + a + "'");
  }
  if ((o.tcp === undefined) === !o.pty) throw new Error("give exactly one of --tcp <port> and --pty");
  return o;
}

/** The network parameters `sharedline sim` runs with: the client-friendly defaults, then --param. */
export function simParams(o: SimOptions): Partial<NetworkParams> {
  return { partyAnswerMs: o.answerAfterMs, partyNoReply: true, ussdAnswer: o.ussdAnswer, ...(o.params as Partial<NetworkParams>) };
}

export interface SimServer {
  /** Where the modem is: tcp://host:port or /dev/pts/N. */
  where: string;
  modem: SimModem;
  server: NumberServer;
  control: ControlServer;
  /** The stdin commands (the console's network words). */
  world: World;
  close(): Promise<void>;
}

/** Starts serving as `options` say. `print` gets the network's events and traces. */
export async function startSim(o: SimOptions, print: (line: string) => void): Promise<SimServer> {
  const server = await startNumberServer({
    accessories: 1,
    msisdn: o.number,
    transport: o.pty ? { kind: "pty" } : { kind: "tcp", basePort: o.tcp || 0, host: o.host },
    virtualTime: false,
    params: simParams(o),
    multiDevice: true,
    boards: o.board ? [o.board] : undefined,
    sim: o.pin ? { pin: o.pin } : undefined,
    trace: o.trace ? (_acc, dir, bytes) => print((dir === "rx" ? "<< " : ">> ") + JSON.stringify(bytes)) : undefined,
  });
  let control: ControlServer;
  try {
    control = await startControl(server, o.control, o.host);
  } catch (e) {
    await server.close();
    throw e;
  }
  const acc = server.accessories[0];
  const modem = acc.modem;
  let ref = 1;
  for (const m of o.sms) {
    for (const tpdu of encodeDeliverParts({ from: m.from, text: m.text, scts: { time: server.clock.now(), tzQuarters: 36 } }, ref++)) {
      if (!modem.store.mem("SM")!.put(REC_UNREAD, joinAtPdu(modem.smsc, tpdu))) throw new Error("SIM memory is full");
    }
  }
  // Serving started with the modem already on; a banner says it (re)booted, as a module's would.
  if (o.banner) modem.reboot();
  const t0 = server.clock.now();
  if (!o.quiet) server.net.log.on((e) => print("net: " + formatEntry(e, t0)));
  const world = networkWorld({ network: server.net, msisdn: server.num.msisdn, port: acc.port, modem, caller: server.net.outside(SIM_CALLER), print });
  return {
    where: acc.where,
    modem,
    server,
    control,
    world,
    close: async () => {
      await control.close();
      await server.close();
    },
  };
}

/** Runs one stdin line against the world; returns what to print. */
export function runLine(world: World, line: string): string[] {
  const text = line.trim();
  if (text === "" || text.startsWith("#")) return [];
  const [verb, ...args] = text.split(/\s+/);
  if (verb === "help") return world.help;
  try {
    const done = world.command(verb, args, text.slice(verb.length).trim());
    if (done === true) return [];
    return done ? [done.message] : ["unknown command '" + verb + "' (try help)"];
  } catch (e) {
    return [(e as Error).message];
  }
}

export async function run(args: string[]): Promise<number> {
  // Several accessories of one number: sim/serve/ (docs/sim-control.md).
  if (args.indexOf("--accessories") >= 0) return (await import("../sim/serve/serve-cli.js")).run(args);
  const o = parseOrExit(args, parseSimArgs, USAGE);
  if (typeof o === "number") return o;
  let sim: SimServer;
  try {
    sim = await startSim(o, (l) => console.error(l));
  } catch (e) {
    console.error("sharedline sim: " + (e as Error).message);
    return 1;
  }
  const acc = sim.server.accessories[0];
  console.log(`sim: number ${sim.server.num.msisdn}, accessory ${acc.device} IMEI ${acc.imei} board ${acc.profile.board}`);
  console.log(o.pty ? "sim: modem on " + sim.where : "sim: modem listening on " + sim.where);
  console.log("sim: control on " + sim.control.url);
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on("line", (line) => {
    for (const out of runLine(sim.world, line)) console.log(out);
  });
  await untilStopped();
  rl.close();
  await sim.close();
  return 0;
}
