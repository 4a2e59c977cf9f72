/**
 * `--config <file>`: the settings of `sharedline run` on a car unit, as JSON, so that a
 * systemd unit carries one short command line. Command-line flags override the file.
 *
 * ```json
 * { "board": "car-linux-eg91", "port": "/dev/ttyUSB2", "data": "/var/lib/sharedline",
 *   "control": "/run/sharedline/control", "apn": "spmode.ne.jp", "timestamps": false }
 * ```
 *
 * Relative paths are taken from the file's folder. An unknown key or a value of the wrong
 * kind is an error that names the file, the key and what was expected.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { apnProblem } from "../firmware/apn.js";

export interface RunConfig {
  /** The board profile from boards.json. */
  board?: string;
  /** The modem: a serial device or tcp://host:port. */
  port?: string;
  /** Where the firmware keeps its records. */
  data?: string;
  /** The control socket's path. */
  control?: string;
  /** The APN of the LTE attach (firmware/apn.ts). */
  apn?: string;
  json?: boolean;
  verbose?: boolean;
  timestamps?: boolean;
}

type Kind = "string" | "boolean";

const KEYS: { [k in keyof RunConfig]-?: { kind: Kind; path?: boolean } } = {
  board: { kind: "string" },
  port: { kind: "string" },
  data: { kind: "string", path: true },
  control: { kind: "string", path: true },
  apn: { kind: "string" },
  json: { kind: "boolean" },
  verbose: { kind: "boolean" },
  timestamps: { kind: "boolean" },
};

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

/** Reads and checks a config file; throws an Error whose message names the file and the problem. */
export function loadConfig(file: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`config ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`config ${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`config ${file}: expected a JSON object, got ${kindOf(json)}`);
  const problems: string[] = [];
  const out: RunConfig = {};
  const known = Object.keys(KEYS);
  for (const key of Object.keys(json)) {
    const value = (json as { [k: string]: unknown })[key];
    const spec = KEYS[key as keyof RunConfig];
    if (!spec) {
      problems.push(`unknown key "${key}" (known: ${known.join(", ")})`);
      continue;
    }
    if (typeof value !== spec.kind) {
      problems.push(`${key}: expected ${spec.kind === "string" ? "a string" : "true or false"}, got ${kindOf(value)}`);
      continue;
    }
    if (spec.kind === "string" && (value as string).trim() === "") {
      problems.push(`${key}: must not be empty`);
      continue;
    }
    if (key === "apn" && apnProblem(value as string)) {
      problems.push(`apn: ${apnProblem(value as string)}`);
      continue;
    }
    const v = spec.path ? path.resolve(path.dirname(path.resolve(file)), value as string) : value;
    (out as { [k: string]: unknown })[key] = v;
  }
  if (problems.length > 0) throw new Error(`config ${file}: ${problems.join("; ")}`);
  return out;
}
