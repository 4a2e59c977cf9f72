/**
 * The device's own settings, a small JSON file in Storage beside the boot code
 * (`npm run flash` writes it, `tools/flash.ts`): what differs between two devices of the
 * same board, so one bundle serves them all.
 *
 * - `path`: the Linux interpreter only: bind the modem UART to this host serial device
 *   or pseudo-terminal (`SerialN.setup(baud, {path})`, espruino-facts.md) instead of
 *   the board's pins;
 * - `quiet`: no console line per event;
 * - `words`: the console words (`answer`, `reject`, ...) as globals (default on).
 *
 * A file that is missing means defaults; a broken one is reported and ignored (the
 * watch still boots with defaults rather than not at all).
 */

/** The Storage file name (at most 28 characters, Espruino's limit). */
export const SETTINGS_FILE = "sharedline.json";

export interface DeviceSettings {
  path?: string;
  quiet?: boolean;
  words?: boolean;
}

const KNOWN: { [k: string]: string } = { path: "string", quiet: "boolean", words: "boolean" };

/** Checks parsed settings; returns the problems (empty when good). */
export function settingsProblems(v: unknown): string[] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [SETTINGS_FILE + ": must be a JSON object"];
  const out: string[] = [];
  const o = v as { [k: string]: unknown };
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (!Object.prototype.hasOwnProperty.call(KNOWN, k)) out.push(SETTINGS_FILE + ": unknown setting '" + k + "' (known: path, quiet, words)");
    else if (typeof o[k] !== KNOWN[k]) out.push(SETTINGS_FILE + ": '" + k + "' must be a " + KNOWN[k]);
  }
  return out;
}

/**
 * Reads the settings through `read` (Storage.read: the text, or undefined when there is
 * no file). Problems go to `report` and give the defaults.
 */
export function readSettings(read: (name: string) => string | undefined, report: (problem: string) => void): DeviceSettings {
  const text = read(SETTINGS_FILE);
  if (text === undefined || text === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    report(SETTINGS_FILE + ": not JSON (" + (e instanceof Error ? e.message : String(e)) + "); using defaults");
    return {};
  }
  const problems = settingsProblems(v);
  if (problems.length > 0) {
    for (let i = 0; i < problems.length; i++) report(problems[i] + "; using defaults");
    return {};
  }
  return v as DeviceSettings;
}
