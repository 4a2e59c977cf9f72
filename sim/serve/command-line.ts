/**
 * What both forms of `sharedline sim` (one modem, cli/sim.ts; a whole shared number,
 * serve-cli.ts) do alike around their own work: reading the options and waiting to be
 * stopped.
 */

/**
 * Reads the command line with `parse`, which returns the options, "help" for -h/--help,
 * or throws saying what is wrong. Returns the options, or the exit code once there is
 * nothing more to do: 0 after printing `usage` for help, 2 after printing the one thing
 * that is wrong and a pointer to --help on stderr.
 */
export function parseOrExit<T extends object>(args: string[], parse: (args: string[]) => T | "help", usage: string): T | number {
  let o: T | "help";
  try {
    o = parse(args);
  } catch (e) {
    console.error("sharedline sim: " + (e as Error).message + "\nTry 'sharedline sim --help' for the options.");
    return 2;
  }
  if (o === "help") {
    console.log(usage);
    return 0;
  }
  return o;
}

/** Resolves on the first SIGINT or SIGTERM, the ways a serving `sharedline sim` is stopped. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

/** A port number option (`--tcp`, `--control`): 0..65535, 0 picks a free port. */
export function portNumber(flag: string, v: string): number {
  const p = Number(v);
  if (!/^[0-9]+$/.test(v) || p > 65535) throw new Error(flag + " needs a port number 0..65535");
  return p;
}

/** `--param <name>=<value>`: the value is JSON, or a bare word (smsMode=exclusive); JSON has no infinity, so `Infinity` is read as the number. */
export function parseParam(v: string): [string, unknown] {
  const eq = v.indexOf("=");
  if (eq <= 0) throw new Error("--param needs <name>=<value>, got " + JSON.stringify(v));
  const raw = v.slice(eq + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    if (raw === "Infinity") parsed = Infinity;
  }
  return [v.slice(0, eq), parsed];
}
