/**
 * How the command line talks to people: one line saying what is wrong with a pointer to
 * `--help` (not the whole usage text), and colours only where a person is looking (a
 * TTY, not NO_COLOR, not a dumb terminal); in CI and pipes the output stays plain.
 */

import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true }>>["values"];

/**
 * Reads a subcommand's options strictly (`options` names `help` too). Returns the
 * values, or the exit status when there is nothing more to do: 0 after printing `usage`
 * for --help, 2 after the one-line error.
 */
export function readOptions<O extends Options>(command: string, argv: string[], options: O, usage: string): Values<O> | number {
  let values: Values<O>;
  try {
    values = parseArgs({ args: argv, options, strict: true }).values;
  } catch (e) {
    return usageError(command, (e as Error).message);
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return values;
}

/** Prints `sharedline <cmd>: <message>` and where to read the usage; returns exit status 2. */
export function usageError(command: string, message: string): number {
  const who = command ? `sharedline ${command}` : "sharedline";
  console.error(`${who}: ${message}\nTry '${who} --help' for the options.`);
  return 2;
}

export type Tone = "error" | "warn" | "good" | "call" | "dim";

const CODES: { [t in Tone]: string } = { error: "31", warn: "33", good: "32", call: "1;36", dim: "2" };

/** Whether `stream` is a terminal a person reads (https://no-color.org, FORCE_COLOR for the other way). */
export function colourWanted(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb" || env.CI) return false;
  return !!stream.isTTY;
}

export function paint(on: boolean, tone: Tone, text: string): string {
  return on ? `\x1b[${CODES[tone]}m${text}\x1b[0m` : text;
}
