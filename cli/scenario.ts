/**
 * `sharedline scenario <file...>`: runs scenario files (docs/scenarios.md) with the real
 * firmware on every simulated accessory, on virtual time, printing each step. Exits 0
 * when every scenario passed, 1 naming the first failed expectation and why, 2 for a
 * file that is not a valid scenario.
 *
 * The runner and the world live in sim/serve/ and never import the firmware (the
 * simulator stays independent of what it tests); this file is where the two meet:
 * `firmwareAgent` builds the firmware of a board on the accessory's serial line.
 */
import { readFileSync } from "node:fs";
import type { Clock, Serial } from "../hal/types.js";
import { MemoryPins } from "../hal/memory/pins.js";
import { pickBoard, type Board } from "../firmware/board.js";
import { readBoardsFile } from "./boards-file.js";
import { usageError } from "./output.js";
import { createFirmware } from "../firmware/main.js";
import { InputError } from "../sim/serve/fields.js";
import { parseScenario, type Scenario } from "../sim/serve/scenario-format.js";
import { runScenario, type ScenarioResult } from "../sim/serve/scenario-runner.js";
import type { AccessoryAgent, AgentLink, AgentOptions, AgentResult } from "../sim/serve/scenario-world.js";
import { nodeAdapters } from "../firmware/companion/mqttjs.node.js";
import { defaultReconnect } from "../firmware/companion/link.js";

const USAGE = `usage: sharedline scenario [--quiet] <file.json>...

Runs each scenario with the real firmware on every simulated accessory, on virtual
time, and prints each step. Exits 1 naming the first failed expectation, 2 for a file
that is not a valid scenario. Format: docs/scenarios.md; examples: test/scenarios/.

  --quiet     print only each scenario's outcome`;

let boards: { [name: string]: Board } | undefined;

/** A reply of the API is plain data already. */
function result(p: Promise<object>): Promise<AgentResult> {
  return p as Promise<AgentResult>;
}

/** Scenarios run the same way every time: the jitter of back-offs and the link's session ids are fixed. */
const fixedRandom = () => 0.5;

/**
 * The real firmware of `board` (boards.json) on `serial`, driven through its API as any
 * front-end is; with `link`, its companion link to the scenario's broker, over the
 * adapter the board names (the module's MQTT stack, MQTT.js over a modem socket, or the
 * host's IP).
 */
export function firmwareAgent(board: string, serial: Serial, clock: Clock, link?: AgentLink, options?: AgentOptions): AccessoryAgent {
  if (!boards) boards = readBoardsFile().boards;
  const b = pickBoard(boards, board);
  // The accessory's own data session (R83) comes with the firmware, as the board runs it;
  // scenarios see it in the network's log (data-up, data-down) and can take it away
  // (pdpdeact, coverage, unregister). A board without an APN gets a scenario one.
  const fw = createFirmware({ serial, clock, pins: new MemoryPins(clock), storage: undefined }, b, {
    apn: b.data.apn || "scenario.example",
    data: { policy: { random: fixedRandom } },
    messaging: options ? { routing: options.smsRouting } : undefined,
    companion: link
      ? {
          url: link.url,
          msisdn: link.msisdn,
          deviceId: link.deviceId,
          password: link.password,
          fw: "scenario",
          adapters: nodeAdapters(),
          link: { policy: { reconnect: defaultReconnect, escalateAfter: 3, refusedWaitMs: 3600000, random: fixedRandom } },
        }
      : undefined,
  });
  const api = fw.api;
  const listeners: ((name: string, payload: unknown) => void)[] = [];
  // R63: the stored inbox and sent history, read again through the API whenever a message
  // comes or goes (the API answers asynchronously; scenarios look at the latest read).
  let box: { inbox: AgentResult[]; sent: AgentResult[] } = { inbox: [], sent: [] };
  const readBox = () => {
    void Promise.all([api.inbox(), api.outbox()]).then((r) => {
      const inbox = r[0].ok ? (r[0].messages as unknown as AgentResult[]) : box.inbox;
      const sent = r[1].ok ? (r[1].sent as unknown as AgentResult[]) : box.sent;
      box = { inbox, sent };
    });
  };
  // The API's events are plain data already: each listener gets them as they are.
  api.onAny((name, data) => {
    if (name === "smsReceived" || name === "smsSent" || name === "smsFailed") readBox();
    for (const l of listeners) l(name, data);
  });
  fw.start();
  return {
    ready: () => api.snapshot().ready,
    registration: () => api.snapshot().registration || undefined,
    activation: () => api.snapshot().activation || undefined,
    lineState: () => api.snapshot().line,
    calls: () => api.snapshot().calls as unknown as AgentResult[],
    dial: (n) => result(api.dial(n)),
    answer: () => result(api.answer()),
    reject: () => result(api.reject()),
    hangup: () => result(api.hangup()),
    acceptWaiting: (how) => result(api.acceptWaiting(how)),
    holdOrSwap: () => result(api.hold()),
    dtmf: (t) => result(api.dtmf(t)),
    sendSms: (to, text, statusReport) => result(api.sendSms(to, text, statusReport === undefined ? undefined : { statusReport })),
    serviceCode: (code) => result(api.serviceCode(code)),
    messages: () => box,
    setLocation: (lat, lon, accuracyM) => result(api.setLocation({ lat, lon, accuracyM, source: "gnss" })),
    onEvent: (fn) => {
      listeners.push(fn);
    },
    stop: () => fw.stop(),
  };
}

/** Reads and checks a scenario file; throws an Error naming the file and the place of the mistake. */
export function loadScenario(file: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(file + ": " + (e as Error).message);
  }
  try {
    return parseScenario(json);
  } catch (e) {
    if (InputError.is(e)) throw new Error(file + ": " + e.message);
    throw e;
  }
}

/** Runs one scenario file with the real firmware; `print` gets the step lines. */
export function runScenarioFile(file: string, print?: (line: string) => void): Promise<ScenarioResult> {
  return runScenario(loadScenario(file), { factory: firmwareAgent, print });
}

export async function run(args: string[]): Promise<number> {
  const files: string[] = [];
  let quiet = false;
  for (const a of args) {
    if (a === "-h" || a === "--help") {
      console.log(USAGE);
      return 0;
    }
    if (a === "--quiet") quiet = true;
    else if (a.indexOf("-") === 0) {
      return usageError("scenario", "unknown option '" + a + "'");
    } else files.push(a);
  }
  if (files.length === 0) {
    return usageError("scenario", "no scenario files given");
  }
  const scenarios: { file: string; s: Scenario }[] = [];
  for (const file of files) {
    try {
      scenarios.push({ file, s: loadScenario(file) });
    } catch (e) {
      console.error("sharedline scenario: " + (e as Error).message);
      return 2;
    }
  }
  let firstFailure: string | undefined;
  let passed = 0;
  for (const { file, s } of scenarios) {
    const r = await runScenario(s, { factory: firmwareAgent, print: quiet ? undefined : (l) => console.log(l) });
    if (r.ok) passed++;
    else if (!firstFailure) firstFailure = file + ": " + r.failure!.path + " (" + r.failure!.what + "): " + r.failure!.why;
    if (quiet) console.log((r.ok ? "passed " : "FAILED ") + file + ": " + s.title);
  }
  console.log(passed + " of " + scenarios.length + " scenarios passed");
  if (firstFailure) {
    console.error("first failure: " + firstFailure);
    return 1;
  }
  return 0;
}
