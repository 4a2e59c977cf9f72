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
    return usageError(command, parseArgsProblem(e as Error & { code?: string }));
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return values;
}

/**
 * node:util parseArgs's complaint in the words every sharedline command uses: its own
 * ("Unknown option '--x'. To specify a positional argument starting with a '-', ...")
 * differ from the hand-read commands' and suggest `--` where no command takes one.
 */
export function parseArgsProblem(e: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(e.message);
  const what = quoted ? quoted[1] : "";
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option '${what}'`;
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument '${what}'`;
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const long = /--[\w-]+/.exec(what);
    const flag = long ? long[0] : what.split(/[ ,]/)[0];
    if (/ argument missing/.test(e.message)) return `${flag} needs a value`;
    if (/ does not take an argument/.test(e.message)) return `${flag} takes no value`;
    if (/ is ambiguous/.test(e.message)) return `${flag}: a value that starts with - is written ${flag}=<value>`;
  }
  return e.message.split("\n")[0];
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
