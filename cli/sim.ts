/**
 * `sharedline sim`: serves a simulated modem (sim/modem) to outside programs, on a TCP
 * port or on a pseudo-terminal, with the small network stub behind it on the real clock.
 * Commands typed on stdin play the network: an incoming call, an SMS, the far end
 * answering, a reboot of the modem. Runs until SIGINT or SIGTERM.
 */
import readline from "node:readline";
import { systemClock } from "../hal/node/clock.js";
import { SimModem } from "../sim/modem/modem.js";
import { NetworkStub, RegistrationKind } from "../sim/modem/network-stub.js";
import { servePty, serveTcp } from "../sim/modem/transports.js";
import { parseOrExit, untilStopped } from "../sim/serve/command-line.js";
import { encodeDeliverParts } from "../sim/pdu/concat.js";
import { joinAtPdu } from "../sim/pdu/tpdu.js";
import { REC_UNREAD } from "../sim/modem/sms-store.js";

const USAGE = `usage: sharedline sim (--tcp <port> | --pty) [options]

Serves a simulated LTE modem that speaks AT (27.007 / 27.005) for tools such as gammu
or minicom, with a small network behind it. With --accessories <n> it serves a whole
shared number instead (see sharedline sim --accessories 1 --help).

  --tcp <port>            listen on tcp://<host>:<port>; 0 picks a free port
  --host <address>        address for --tcp (default 127.0.0.1)
  --pty                   serve on a new pseudo-terminal and print its /dev/pts path
  --sms <from>=<text>     store a received (unread) message in SIM memory; repeatable
  --registration <state>  home | roaming | denied | searching | none (default home)
  --pin <pin>             lock the SIM with this PIN (AT+CPIN="<pin>" unlocks it)
  --banner                send the boot banner (RDY) when serving starts
  --trace                 print every byte received and sent on stderr
  --quiet                 do not print network events
  -h, --help              this text

Lines on stdin act as the network:
  ring <number>           an incoming call ("ring -" withholds the number)
  answer                  the far end answers the outgoing call
  hangup [cause]          the far end (or network) releases the newest call (cause 16;
                          26 answered elsewhere, 25 pre-emption, 21 rejected)
  busy                    the called party is busy (cause 17)
  sms <from> <text...>    an incoming SMS (long texts become concatenated parts)
  reg <state>             registration: home | roaming | denied | searching | none
  ussd <request> <text>   the network's answer to a USSD request, e.g. ussd *100# Balance 10
  reboot | hang | unhang  modem faults: restart with its banner, stop answering, resume
  calls | sent            list the calls / the messages the modem sent
  help                    this list

Example: sharedline sim --pty   then   gammu -c <(printf '[gammu]\\ndevice = /dev/pts/N\\nconnection = at\\n') identify`;

export interface SimOptions {
  tcp?: number;
  host: string;
  pty: boolean;
  sms: { from: string; text: string }[];
  registration: RegistrationKind;
  pin?: string;
  banner: boolean;
  trace: boolean;
  quiet: boolean;
}

const REGISTRATIONS: RegistrationKind[] = ["home", "roaming", "denied", "searching", "none"];

/** Parses the command line; throws an Error with a message for the user. */
export function parseSimArgs(args: string[]): SimOptions | "help" {
  const o: SimOptions = { host: "127.0.0.1", pty: false, sms: [], registration: "home", banner: false, trace: false, quiet: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(a + " needs a value");
      return v;
    };
    if (a === "-h" || a === "--help") return "help";
    else if (a === "--tcp") {
      const p = Number(value());
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error("--tcp needs a port number 0..65535");
      o.tcp = p;
    } else if (a === "--host") o.host = value();
    else if (a === "--pty") o.pty = true;
    else if (a === "--sms") {
      const v = value();
      const eq = v.indexOf("=");
      if (eq <= 0) throw new Error("--sms needs <from>=<text>");
      o.sms.push({ from: v.slice(0, eq), text: v.slice(eq + 1) });
    } else if (a === "--registration") {
      const r = value() as RegistrationKind;
      if (REGISTRATIONS.indexOf(r) < 0) throw new Error("--registration must be one of " + REGISTRATIONS.join(", "));
      o.registration = r;
    } else if (a === "--pin") o.pin = value();
    else if (a === "--banner") o.banner = true;
    else if (a === "--trace") o.trace = true;
    else if (a === "--quiet") o.quiet = true;
    else throw new Error("unknown option '" + a + "'");
  }
  if ((o.tcp === undefined) === !o.pty) throw new Error("give exactly one of --tcp <port> and --pty");
  return o;
}

export interface SimServer {
  /** Where the modem is: tcp://host:port or /dev/pts/N. */
  where: string;
  modem: SimModem;
  net: NetworkStub;
  /** Runs one stdin command; returns the lines to print. */
  command(line: string): string[];
  close(): Promise<void>;
}

/** Starts serving as `options` say. `print` gets network events and traces. */
export async function startSim(o: SimOptions, print: (line: string) => void): Promise<SimServer> {
  const net = new NetworkStub({ clock: systemClock, registration: o.registration, onEvent: o.quiet ? undefined : (l) => print("net: " + l) });
  const modem = new SimModem({
    clock: systemClock,
    network: net,
    sim: o.pin ? { pin: o.pin } : undefined,
    trace: o.trace ? (dir, bytes) => print((dir === "rx" ? "<< " : ">> ") + JSON.stringify(bytes)) : undefined,
  });
  let ref = 1;
  for (const m of o.sms) {
    const parts = encodeDeliverParts({ from: m.from, text: m.text, scts: { time: systemClock.now(), tzQuarters: 36 } }, ref++);
    for (const tpdu of parts) {
      if (!modem.store.mem("SM")!.put(REC_UNREAD, joinAtPdu(modem.smsc, tpdu))) throw new Error("SIM memory is full");
    }
  }
  modem.powerOn(o.banner);
  let where: string;
  let closeTransport: () => Promise<void>;
  if (o.pty) {
    const p = await servePty(modem);
    where = p.path;
    closeTransport = p.close;
  } else {
    const t = await serveTcp(modem, o.tcp || 0, o.host);
    where = "tcp://" + (t.host.indexOf(":") >= 0 ? "[" + t.host + "]" : t.host) + ":" + t.port;
    closeTransport = t.close;
  }
  return {
    where,
    modem,
    net,
    command: (line) => runCommand(modem, net, line),
    close: async () => {
      modem.disconnect();
      await closeTransport();
    },
  };
}

function runCommand(modem: SimModem, net: NetworkStub, line: string): string[] {
  const words = line.trim().split(/\s+/);
  const cmd = words[0] || "";
  const rest = line.trim().slice(cmd.length).trim();
  switch (cmd) {
    case "":
      return [];
    case "ring":
      if (!words[1]) return ["ring needs a number (or - to withhold it)"];
      return ["incoming call " + net.ringIn(words[1] === "-" ? "" : words[1])];
    case "answer":
      net.remoteAnswer();
      return [];
    case "hangup": {
      const cause = words[1] ? Number(words[1]) : 16;
      if (!Number.isInteger(cause) || cause < 0 || cause > 127) return ["hangup needs a cause 0..127"];
      net.remoteHangup(undefined, cause);
      return [];
    }
    case "busy":
      net.remoteBusy();
      return [];
    case "sms": {
      const text = rest.slice((words[1] || "").length).trim();
      if (!words[1] || text === "") return ["sms needs <from> <text>"];
      return ["delivering " + net.deliverSms({ from: words[1], text }).join(", ")];
    }
    case "reg":
      if (REGISTRATIONS.indexOf(words[1] as RegistrationKind) < 0) return ["reg needs one of " + REGISTRATIONS.join(", ")];
      net.setRegistration(words[1] as RegistrationKind);
      return [];
    case "ussd": {
      const text = rest.slice((words[1] || "").length).trim();
      if (!words[1] || text === "") return ["ussd needs <request> <answer text>"];
      net.ussdAnswers[words[1]] = { status: 0, text, dcs: 15 };
      return [];
    }
    case "reboot":
      modem.reboot();
      return [];
    case "hang":
      modem.hang();
      return [];
    case "unhang":
      modem.unhang();
      return [];
    case "calls":
      return net.calls.map((c) => c.callId + " " + c.dir + " " + (c.number || "(withheld)") + " " + c.state + (c.cause !== undefined ? " cause " + c.cause : ""));
    case "sent":
      return net.sentMessages().map((m) => "to " + m.peer + (m.complete ? "" : " (incomplete)") + ": " + m.text);
    case "help":
      return USAGE.slice(USAGE.indexOf("Lines on stdin")).split("\n");
    default:
      return ["unknown command '" + cmd + "' (try help)"];
  }
}

export async function run(args: string[]): Promise<number> {
  // A whole shared number on the simulated network: sim/serve/ (docs/sim-control.md).
  if (args.indexOf("--accessories") >= 0) return (await import("../sim/serve/serve-cli.js")).run(args);
  const o = parseOrExit(args, parseSimArgs, USAGE);
  if (typeof o === "number") return o;
  let server: SimServer;
  try {
    server = await startSim(o, (l) => console.error(l));
  } catch (e) {
    console.error("sharedline sim: " + (e as Error).message);
    return 1;
  }
  console.log(o.pty ? "sim: modem on " + server.where : "sim: modem listening on " + server.where);
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  rl.on("line", (line) => {
    for (const out of server.command(line)) console.log(out);
  });
  await untilStopped();
  rl.close();
  await server.close();
  return 0;
}
