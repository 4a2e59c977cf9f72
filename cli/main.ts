/**
 * The `sharedline` command line: one entry, one module per subcommand, loaded only when
 * used so that `sharedline pdu` does not pay for the simulator and the other way round.
 */

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
  ctl: {
    summary: "drive a running `sharedline run --control <socket>`: ctl <socket> [command]",
    load: () => import("./ctl.js"),
  },
  sim: {
    summary: "serve a simulated modem for outside tools: --tcp <port> | --pty",
    load: () => import("./sim.js"),
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
  "portable-check": {
    summary: "prove the portable code stays inside Espruino's subset",
    load: () => import("../tools/portable-check.js"),
  },
};

function usage(): string {
  const lines = ["usage: sharedline <command> [options]", "", "commands:"];
  for (const name of Object.keys(subcommands)) lines.push("  " + name.padEnd(16) + subcommands[name].summary);
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (!name || name === "-h" || name === "--help" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const sub = subcommands[name];
  if (!sub) {
    console.error(`sharedline: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await sub.load();
  return mod.run(argv.slice(1));
}
