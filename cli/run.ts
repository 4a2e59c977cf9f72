/** `sharedline run --port <path|tcp://host:port> --board <name>`: the firmware against any modem. */
import { runFirmware } from "./start.js";

export function run(argv: string[]): Promise<number> {
  return runFirmware(argv, true);
}
