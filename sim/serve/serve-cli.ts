/**
 * `sharedline sim --accessories <n>`: serves one simulated shared number (its
 * accessories' modems on TCP ports or pseudo-terminals, its control interface on HTTP)
 * until SIGINT or SIGTERM. cli/sim.ts hands over to `run` when `--accessories` is given.
 */
import { formatEntry } from "../network/index.js";
import type { NetworkParams } from "../network/index.js";
import { parseOrExit, parseParam, portNumber, untilStopped } from "./command-line.js";
import { startControl } from "./http-control.js";
import { DEFAULT_PIN } from "../web/site.js";
import { readFileSync } from "node:fs";
import { DEFAULT_MSISDN, NumberServerOptions, startNumberServer } from "./number-server.js";

export const SERVE_USAGE = `usage: sharedline sim --accessories <n> (--tcp <base-port> | --pty) [options]

Serves one simulated shared number: <n> simulated LTE modems (accessories A1..An, all
registered to the number) for firmware or tools, and an HTTP control interface through
which the smartphone and outside parties act (docs/sim-control.md).

  --accessories <n>        1..5 accessories sharing the number
  --tcp <base-port>        accessory k listens on <base-port>+k-1; 0 picks free ports
  --pty                    one pseudo-terminal per accessory (its /dev/pts path is printed)
  --host <address>         address for --tcp and --control (default 127.0.0.1)
  --control <port>         HTTP control port (default 0: a free port, printed)
  --number <msisdn>        the shared number (default ${DEFAULT_MSISDN})
  --board <name>[,...]     boards.json profile per accessory, the last repeating (default sim-generic)
  --virtual-time           network time moves only on POST /time {"advanceMs": n}
  --param <name>=<value>   a network parameter (R96, e.g. noReplyMs=30000); repeatable
  --no-multi-device        without the Multi-device option (only with --accessories 1)
  --unprovisioned <k>      the last k accessories start with no eSIM profile, unregistered:
                           register them with POST /phone/register {"accessory": "Accessory <n>"}
  --broker-port <port>     the embedded MQTT broker's port (default 0: a free one, printed)
  --broker <url>           use an outside MQTT 3.1.1 broker (mqtt[s]://[user:pass@]host:port) instead
  --broker-ca <file>       PEM trust anchor for an mqtts:// --broker
  --no-broker              no broker and no backend (no companion link)
  --trace                  print every byte each modem receives and sends on stderr
  --quiet                  do not print the network's event log on stderr
  -h, --help               this text

Then for example: sharedline run --port tcp://127.0.0.1:<port of A1> --board sim-generic
                  curl -X POST <control>/outside/+818011112222/call`;

export interface ServeOptions extends NumberServerOptions {
  host: string;
  control: number;
  quiet: boolean;
  traceOn: boolean;
}


/** Parses the command line; throws an Error with a message for the user. */
export function parseServeArgs(args: string[]): ServeOptions | "help" {
  let tcp: number | undefined = undefined;
  let pty = false;
  const o: ServeOptions = {
    accessories: 0,
    transport: { kind: "pty" },
    virtualTime: false,
    host: "127.0.0.1",
    control: 0,
    quiet: false,
    traceOn: false,
  };
  const params: { [k: string]: unknown } = {};
  let brokerPort = 0;
  let brokerUrl: string | undefined = undefined;
  let brokerCa: string | undefined = undefined;
  let noBroker = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(a + " needs a value");
      return v;
    };
    if (a === "-h" || a === "--help") return "help";
    else if (a === "--accessories") {
      const v = value();
      const n = Number(v);
      if (!/^[1-5]$/.test(v)) throw new Error("--accessories needs 1..5 (R2: up to five accessories share a number), got " + JSON.stringify(v));
      o.accessories = n;
    } else if (a === "--tcp") tcp = portNumber(a, value());
    else if (a === "--pty") pty = true;
    else if (a === "--host") o.host = value();
    else if (a === "--control") o.control = portNumber(a, value());
    else if (a === "--number") o.msisdn = value();
    else if (a === "--board") o.boards = value().split(",");
    else if (a === "--virtual-time") o.virtualTime = true;
    else if (a === "--param") {
      const [name, v] = parseParam(value());
      params[name] = v;
    } else if (a === "--no-multi-device") o.multiDevice = false;
    else if (a === "--unprovisioned") {
      const v = value();
      if (!/^[0-5]$/.test(v)) throw new Error("--unprovisioned needs 0..5, got " + JSON.stringify(v));
      o.unprovisioned = Number(v);
    }
    else if (a === "--broker-port") brokerPort = portNumber(a, value());
    else if (a === "--broker") brokerUrl = value();
    else if (a === "--broker-ca") brokerCa = value();
    else if (a === "--no-broker") noBroker = true;
    else if (a === "--trace") o.traceOn = true;
    else if (a === "--quiet") o.quiet = true;
    else throw new Error("unknown option '" + a + "'");
  }
  if (o.accessories === 0) throw new Error("--accessories <n> is required");
  if ((tcp === undefined) === !pty) throw new Error("give exactly one of --tcp <base-port> and --pty");
  o.transport = pty ? { kind: "pty" } : { kind: "tcp", basePort: tcp as number, host: o.host };
  if (Object.keys(params).length > 0) o.params = params as Partial<NetworkParams>;
  if (noBroker && (brokerUrl !== undefined || brokerPort !== 0)) throw new Error("--no-broker cannot go with --broker or --broker-port");
  if (brokerUrl !== undefined && brokerPort !== 0) throw new Error("--broker-port is for the embedded broker; an outside --broker has its own port");
  if (brokerCa !== undefined && brokerUrl === undefined) throw new Error("--broker-ca goes with an mqtts:// --broker");
  if (noBroker) o.broker = { kind: "none" };
  else if (brokerUrl !== undefined) {
    let ca: string | undefined = undefined;
    if (brokerCa !== undefined) {
      try {
        ca = readFileSync(brokerCa, "utf8");
      } catch (e) {
        throw new Error("--broker-ca: cannot read " + brokerCa + ": " + (e as Error).message);
      }
    }
    o.broker = { kind: "url", url: brokerUrl, ca };
  } else o.broker = { kind: "embedded", port: brokerPort, host: o.host };
  return o;
}

export async function run(args: string[]): Promise<number> {
  const o = parseOrExit(args, parseServeArgs, SERVE_USAGE);
  if (typeof o === "number") return o;
  if (o.traceOn) o.trace = (acc, dir, bytes) => console.error(acc + (dir === "rx" ? " << " : " >> ") + JSON.stringify(bytes));
  let server;
  let control;
  try {
    server = await startNumberServer(o);
    control = await startControl(server, o.control, o.host);
  } catch (e) {
    if (server) await server.close();
    console.error("sharedline sim: " + (e as Error).message);
    return 1;
  }
  const t0 = server.clock.now();
  if (!o.quiet) server.net.log.on((e) => console.error("net: " + formatEntry(e, t0)));
  console.log("sim: number " + server.num.msisdn + " (" + (server.virtual ? "virtual time: POST /time to advance" : "real time") + ")");
  for (const a of server.accessories) {
    console.log("sim: " + (a.device || "(not registered)") + ' "' + a.friendlyName + '" IMEI ' + a.imei + " board " + a.profile.board + " on " + a.where);
  }
  if (server.broker) {
    console.log("sim: broker " + server.broker.url + (server.broker.embedded ? " (embedded aedes; credentials: GET " + control.url + "/broker)" : ""));
  }
  console.log("sim: control on " + control.url);
  console.log("sim: web pages on " + control.url + "/ (management site: sign in " + server.num.msisdn + ", PIN " + DEFAULT_PIN + ") and " + control.url + "/live (live view)");
  console.log("sim: entitlement server (TS.43, app ap2006) on " + control.url + "/ts43");
  await untilStopped();
  await control.close();
  await server.close();
  return 0;
}
