/**
 * The `sharedline` command line: one entry, one module per subcommand, loaded only when
 * used so that `sharedline pdu` does not pay for the simulator and the other way round.
 */
import { readFileSync } from "node:fs";
import { usageError } from "./output.js";

interface Subcommand {
  summary: string;
  load: () => Promise<{ run: (args: string[]) => Promise<number> }>;
}

const subcommands: { [name: string]: Subcommand } = {
  start: {
    summary: "boot the firmware against the simulated modem (or --port <path|tcp://host:port> --board <name>)",
    load: () => import("./start.js"),
  },
  run: {
    summary: "the firmware against any modem: --port <path|tcp://host:port> --board <name> [--json]",
    load: () => import("./run.js"),
  },
  probe: {
    summary: "identify an unknown modem and find the profile that fits: --port <path|tcp://host:port> [--record <file>]",
    load: () => import("./probe.js"),
  },
  sim: {
    summary: "serve a simulated modem for outside tools: --tcp <port> | --pty",
    load: () => import("./sim.js"),
  },
  ctl: {
    summary: "drive a running `sharedline run --control <socket>`: ctl <socket> [command]",
    load: () => import("./ctl.js"),
  },
  scenario: {
    summary: "run scenario files (docs/scenarios.md) with the real firmware on simulated accessories: scenario <file.json>...",
    load: () => import("./scenario.js"),
  },
  pdu: {
    summary: "SMS PDU codec: pdu decode <hex> | pdu encode --to <number> --text <text> [--ucs2] [--status-report] [--ref <n>]",
    load: () => import("./pdu.js"),
  },
  bundle: {
    summary: "build the Espruino bundle of each Espruino board into dist/",
    load: () => import("../tools/bundle.js"),
  },
  flash: {
    summary: "put the firmware on an Espruino device: flash --board <name> --port <tcp://host:port | /dev/ttyX | BLE address>",
    load: () => import("../tools/flash.js"),
  },
  "portable-check": {
    summary: "prove the portable code stays inside Espruino's subset",
    load: () => import("../tools/portable-check.js"),
  },
};

function usage(): string {
  const lines = ["usage: sharedline <command> [options]", "       sharedline --version", "", "commands:"];
  for (const name of Object.keys(subcommands)) lines.push("  " + name.padEnd(16) + subcommands[name].summary);
  lines.push("", "sharedline <command> --help shows the options of one command.");
  return lines.join("\n");
}

/** The version of package.json (one source of truth for the version). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (name === "--version" || name === "-V") {
    console.log(`sharedline ${version()}`);
    return 0;
  }
  if (!name) {
    console.error(usage());
    return 2;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    console.log(usage());
    return 0;
  }
  const sub = Object.prototype.hasOwnProperty.call(subcommands, name) ? subcommands[name] : undefined;
  if (!sub) return usageError("", name.startsWith("-") ? `unknown option '${name}'` : `unknown command '${name}' (commands: ${Object.keys(subcommands).join(", ")})`);
  const mod = await sub.load();
  return mod.run(argv.slice(1));
}
