/**
 * The device's own settings, a small JSON file in Storage beside the boot code
 * (`npm run flash` writes it, `tools/flash.ts`): what differs between two devices of the
 * same board, so one bundle serves them all.
 *
 * - `path`: the Linux interpreter only: bind the modem UART to this host serial device
 *   or pseudo-terminal (`SerialN.setup(baud, {path})`, espruino-facts.md) instead of
 *   the board's pins;
 * - `quiet`: no console line per event;
 * - `words`: the console words (`answer`, `reject`, ...) as globals (default on);
 * - `apn`: the data session's APN (R83; the board's `data.apn` when absent): with it, or
 *   with the link, the watch runs its own LTE data session;
 * - `mqtt`, `msisdn`, `device`, `password`: the companion link (issue 12): the broker
 *   (`mqtt://host[:port]`), the shared number (E.164, the topics' `sl/v1/<msisdn>/`), the
 *   device id (topic level and MQTT user name) and its password, all four or none.
 *
 * Without `apn` and `mqtt` the watch loads neither part (firmware/compose-module.ts, the
 * cold Storage module `sl.link`), and its heap is what it was without them.
 *
 * A file that is missing means defaults; one that is not a JSON object is reported and
 * ignored (the watch still boots with defaults rather than not at all); a bad setting in
 * a good file is reported and ignored alone, and a link setting the group cannot do
 * without turns the link off (all four go), the other settings kept (without `apn` the
 * data session then goes too: it was on for the link). What is checked here is the
 * file's shape only: a setting of the right shape that the firmware refuses (`npm run
 * flash` refuses them, a hand edit may not) is said in one console line at boot and
 * turns off what it belongs to: a broker URL it cannot parse, mqtts on a module without
 * TLS, a number or device id that cannot be a topic level, the link (and the data
 * session when there is no `apn`); a bad APN, the data session and the link
 * (firmware/watch-firmware.ts).
 */

/** The Storage file name (at most 28 characters, Espruino's limit). */
export const SETTINGS_FILE = "sharedline.json";

export interface DeviceSettings {
  path?: string;
  quiet?: boolean;
  words?: boolean;
  apn?: string;
  mqtt?: string;
  msisdn?: string;
  device?: string;
  password?: string;
}

/** The type of setting `k`, or "" for no such setting (code, not a table: no heap on the watch). */
function kindOf(k: string): string {
  if (k === "quiet" || k === "words") return "boolean";
  if (k === "path" || k === "apn" || k === "mqtt" || k === "msisdn" || k === "device" || k === "password") return "string";
  return "";
}

/** Checks parsed settings; returns the problems (empty when good). */
export function settingsProblems(v: unknown): string[] {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return [SETTINGS_FILE + ": must be a JSON object"];
  const out: string[] = [];
  const o = v as { [k: string]: unknown };
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const kind = kindOf(k);
    if (kind === "") out.push(SETTINGS_FILE + ": unknown setting '" + k + "' (known: path, quiet, words, apn, mqtt, msisdn, device, password)");
    else if (typeof o[k] !== kind) out.push(SETTINGS_FILE + ": '" + k + "' must be a " + kind);
  }
  // The companion link's settings: all of them or none (made here, not held at module level: heap on the watch).
  const link = ["mqtt", "msisdn", "device", "password"];
  const given = link.filter(function (k) {
    return o[k] !== undefined;
  });
  if (given.length > 0 && given.length < link.length) out.push(SETTINGS_FILE + ": the companion link needs all of " + link.join(", ") + "; has only " + given.join(", "));
  if (typeof o.mqtt === "string" && o.mqtt.indexOf("mqtt://") !== 0 && o.mqtt.indexOf("mqtts://") !== 0) out.push(SETTINGS_FILE + ": 'mqtt' is mqtt://host[:port] or mqtts://host[:port], not " + JSON.stringify(o.mqtt));
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
  if (problems.length === 0) return v as DeviceSettings;
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    report(problems[0] + "; using defaults");
    return {};
  }
  // One bad setting costs only itself: the others a hand edit left intact are kept (a
  // watch that lost its `path` or `quiet` to a typo in the broker would boot differently).
  const o = v as { [k: string]: unknown };
  const kept: { [k: string]: unknown } = {};
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const kind = kindOf(keys[i]);
    if (kind !== "" && typeof o[keys[i]] === kind) kept[keys[i]] = o[keys[i]];
  }
  // What is still wrong is the link's group (incomplete, or no broker URL): it goes whole.
  const linkOff = settingsProblems(kept).length > 0;
  if (linkOff) {
    delete kept.mqtt;
    delete kept.msisdn;
    delete kept.device;
    delete kept.password;
  }
  for (let i = 0; i < problems.length; i++) report(problems[i] + "; ignored");
  // Without an apn the session was on for the link only (firmware/watch-firmware.ts): say that it goes too.
  if (linkOff) report(SETTINGS_FILE + ": the companion link is off (mqtt, msisdn, device and password go together)" + (kept.apn === undefined ? ", and so is the data session (no apn setting)" : ""));
  return kept as DeviceSettings;
}
