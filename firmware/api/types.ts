/**
 * The vocabulary of the firmware API (firmware/api.ts): what every command answers, and
 * every event a front-end can receive, as plain data. Plain means JSON-safe: numbers,
 * strings, booleans, arrays and objects, never a live object of the firmware, so that
 * the console, the control socket, MQTT and the watch's own code see the same thing.
 */
import type { ActivationInfo } from "../activation/activation.js";
import type { ModemInfo, Operator, Registration, Signal } from "../../drivers/modems/index.js";
import type { Call, CallEnd, CallStatus } from "../line/call.js";
import type { CallLogEntry } from "../line/log.js";
import type { LineState, QuietMode } from "../line/line.js";
import type { InboxMessage, OutMessage, PriorityState, StatusReportEvent } from "../messaging/index.js";
import type { ModemState, ModemStateName } from "../modem/machine.js";
import type { ServiceReport } from "../activation/one-number.js";
import type { PositionReport } from "../location.js";

/**
 * A refused or failed command. `reason` is a machine-readable code (camelCase, listed in
 * docs/api.md); `message` is one sentence for people.
 */
export interface Failure {
  ok: false;
  reason: string;
  message: string;
}

/** What every command answers: `{ ok: true, ...data }` or a Failure. */
export type Reply<T> = (T & { ok: true }) | Failure;

/** What call commands answer: the call concerned, null when none is. */
export type CallReply = Reply<{ call: CallInfo | null }>;

/** Data of a reply, whatever the command (for adapters that only forward it). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyReply = Reply<{ [k: string]: any }>;

/** A call as plain data: a snapshot, not the firmware's live object. */
export interface CallInfo {
  id: number;
  direction: "outgoing" | "incoming";
  status: CallStatus;
  /** The other party; "" while unknown or withheld. */
  number: string;
  /** The caller's name the network gave (+CNAP), "" when none or withheld. */
  name: string;
  /** The number an incoming call was made to (+CDIP), "" when the modem does not say. */
  calledNumber: string;
  /** Who answered an outgoing call (+COLP, or +CLCC on modules that show it), "" while unknown; another number than `number` when the call was forwarded. */
  connectedNumber: string;
  emergency: boolean;
  startedAt: number;
  /** When it connected (clock ms), null while it has not. */
  connectedAt: number | null;
  endedAt: number | null;
  /** Why it ended, once it has. */
  end: CallEnd | null;
}

/** What `status` answers. */
export interface StatusInfo {
  /** The modem lifecycle state (off, bringingUp, ready, backoff, resetting, simLocked, noSim). */
  modem: ModemState;
  /** Bring-up is done: commands reach the modem. */
  ready: boolean;
  info: ModemInfo;
  /** The registration states last reported, CS (+CREG) and EPS (+CEREG), null before the first. */
  cs: Registration | null;
  eps: Registration | null;
  signal: Signal | null;
  operator: Operator | null;
  emergencyNumbers: string[];
  line: LineState;
  calls: number;
  quiet: QuietMode;
  priority: PriorityState;
  /** The SIM as `AT+CPIN?` last answered (READY, SIM PIN, SIM PUK, SIM NOT INSERTED, ...), "" before it was read. */
  sim: string;
  /** What the accessory can offer now (R18, R55, R56). */
  service: ServiceReport;
  /** "" when the board can use SMS, else why not (R64, R65). */
  sms: string;
  /** One Number activation (R7, R18): no profile, active, not active, with its sentence; null on a firmware built without it. */
  activation: ActivationInfo | null;
  /** "" while storage works, else its error (SMS then wait on the modem and in the outbox). */
  storage: string;
  /** The data session (R83), null on a firmware without one. */
  data: DataInfo | null;
  /** The companion link, null on a firmware without one. */
  companion: CompanionInfo | null;
}

/** What the firmware knows now, read synchronously (`snapshot()`). */
export interface Snapshot {
  modem: ModemStateName;
  ready: boolean;
  /** The registration state last reported (EPS first, else CS), null before the first. */
  registration: string | null;
  line: LineState;
  calls: CallInfo[];
  /** One Number activation state (noProfile, checking, active, notActive), null without it. */
  activation: string | null;
  /** The data session (R83): off, waiting, activating, up, recovering, resetting, barred; null on a firmware without one. */
  data: string | null;
  /** The companion link: idle, connecting, online, waiting, ...; null without one. */
  companion: string | null;
  /**
   * How long the AT channel has had a command out with no final result from the modem
   * (ms; 0 while idle). Past every command's own limit it means a wedged channel: a
   * service watchdog stops on it (cli/notify.ts).
   */
  atSilentMs: number;
}

/** The accessory's own data session (R83, R84), as `data` events and `status()` carry it. */
export interface DataInfo {
  /** off, waiting, activating, up, recovering, resetting, barred (firmware/data/session-machine.ts). */
  state: string;
  /** The context's address while up, else "". */
  address: string;
  /** Why it is not up, for people ("" while up). */
  reason: string;
}

/** The companion link (the broker connection), as `companion` events and `status()` carry it. */
export interface CompanionInfo {
  state: string;
  online: boolean;
}

/** The SMS priority and how to say it. */
export interface PriorityInfo {
  priority: PriorityState;
  /** The state in words ("this accessory", "another accessory: Car"). */
  text: string;
}

/**
 * An emergency dial's progress (R45), as the `emergency` event carries it. Not every
 * firmware emits every phase: an app handles the ones it knows and shows the rest as progress.
 */
export interface EmergencyEvent {
  /**
   * - `requested`: the dial was asked for (both firmwares; the RAK8212's at each first attempt).
   * - `placed`: the modem took the dial (shared firmware, firmware/line/line.ts).
   * - `retrying`: dialled again after a failed attempt (both).
   * - `ended`: the dial was given up (shared firmware).
   * - `waiting`: the modem does not answer (off, restarting, hung), so the dial waits for it
   *   and goes as soon as it does. The shared firmware says so once per silence, with
   *   `reason` "modemSilent" and `message` (whether the board can power-cycle the modem);
   *   the RAK8212's (firmware/rak/phone.ts) with `attempts` 0 and no message.
   * - `failed`: a dial that waited for a silent modem is given up, 45 s after the request at
   *   the latest, with `reason` "modemSilent" and `message` (RAK8212 firmware only).
   */
  phase: "requested" | "placed" | "retrying" | "ended" | "waiting" | "failed";
  /** The call's id; 0 on the RAK8212, whose emergency events come before AT+CLCC lists the call. */
  callId: number;
  attempts: number;
  /** With `failed` (and the shared firmware's `waiting`): why, as a Failure's reason ("modemSilent"). */
  reason?: string;
  /** With `failed` (and the shared firmware's `waiting`): one sentence for people. */
  message?: string;
}

/**
 * Every event of the API and its payload. Adapters forward them under these names
 * (`api.onAny`), so a script written against the console's JSON lines reads MQTT or the
 * control socket the same way.
 */
export type ApiEvents = {
  /** A call started ringing here, or is waiting (R89). */
  incoming: CallInfo;
  callChanged: CallInfo;
  /** A call ended; `end` says why. */
  callEnded: CallInfo;
  lineState: { state: LineState };
  /** A call entered the call log. */
  logged: CallLogEntry;
  /** An emergency dial's progress (R45). */
  emergency: EmergencyEvent;
  /** A call the modem still had at bring-up, taken over (after a restart). */
  adopted: CallInfo;
  /** What the accessory can offer changed (R18, R55, R56), with its sentence. */
  service: ServiceReport;
  /** The network asks or tells something by USSD; `replyExpected`: answer with `ussdReply` or decline with `ussdEnd`. */
  networkUssd: { status: number; text: string; replyExpected: boolean };
  smsReceived: InboxMessage;
  smsSent: OutMessage;
  smsFailed: OutMessage;
  statusReport: StatusReportEvent;
  priority: PriorityInfo;
  modemState: ModemState;
  /** Bring-up read the modem's identity. */
  identified: ModemInfo;
  registration: Registration;
  signal: Signal;
  operator: Operator;
  emergencyNumbers: { numbers: string[] };
  /** Bring-up finished; commands reach the modem. */
  ready: { info: ModemInfo };
  /** One line for people: what the firmware is doing. */
  log: { text: string };
  /** Storage stopped working (with its error: path and errno) or works again. */
  storage: { ok: boolean; message: string };
  /** A line from the modem nobody claimed. */
  unsolicited: { line: string };
  /** The modem sent an over-long line, which was dropped. */
  overflow: { bytes: number };
  /** Every AT line in and out, only while `trace(true)`. */
  at: { dir: "tx" | "rx"; data: string };
  /** The SIM asks for a code (PIN, PUK), or refused one; `triesLeft` null when the modem does not say. */
  simLock: { state: string; triesLeft: number | null; refused: string };
  /** One Number activation changed (R7, R18): its state and the sentence for the user. */
  activation: ActivationInfo;
  /** The data session changed state (R83: up with an address; R15: barred once unregistered). */
  data: DataInfo;
  /** The companion link changed state (online on the broker, or why not). */
  companion: CompanionInfo;
  /** The network asked where this device is (+CPOSR) and was answered (R52): the fix, or why none. */
  position: PositionReport;
};

export type ApiEventName = keyof ApiEvents;

/** The event names, for adapters that subscribe to all of them. */
export const API_EVENTS: ApiEventName[] = [
  "incoming",
  "callChanged",
  "callEnded",
  "lineState",
  "logged",
  "emergency",
  "adopted",
  "service",
  "networkUssd",
  "smsReceived",
  "smsSent",
  "smsFailed",
  "statusReport",
  "priority",
  "modemState",
  "identified",
  "registration",
  "signal",
  "operator",
  "emergencyNumbers",
  "ready",
  "log",
  "storage",
  "unsolicited",
  "overflow",
  "at",
  "simLock",
  "activation",
  "data",
  "companion",
  "position",
];

/** The call states `waitCall` accepts: a +CLCC status, `none` (no call left) or `ended` (the next end). */
export type CallWaitState = CallStatus | "none" | "ended";

/** The list `waitCall` accepts, made when asked: the watch's boot code keeps no copy in its heap. */
export function callWaitStates(): CallWaitState[] {
  return ["active", "held", "dialing", "alerting", "incoming", "waiting", "none", "ended"];
}

export const CALL_WAIT_STATES: CallWaitState[] = /* @__PURE__ */ callWaitStates();

export function failure(reason: string, message: string): Failure {
  return { ok: false, reason: reason, message: message };
}

/** A snapshot of a call as plain data. */
export function callInfo(c: Call): CallInfo {
  return {
    id: c.id,
    direction: c.direction,
    status: c.status,
    number: c.number,
    emergency: c.emergency,
    startedAt: c.startedAt,
    connectedAt: c.connectedAt === undefined ? null : c.connectedAt,
    endedAt: c.endedAt === undefined ? null : c.endedAt,
    end: c.end ? { reason: c.end.reason, cause: c.end.cause, causeText: c.end.causeText, message: c.end.message } : null,
    // Last, so that the fields every front-end reads first keep their place in a line.
    name: c.name,
    calledNumber: c.calledNumber,
    connectedNumber: c.connectedNumber,
  };
}

/** A deep copy of JSON data: what an event carries must not be the firmware's own record. */
export function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** `bad-number` (messaging's codes) -> `badNumber` (the API's). */
export function camelReason(code: string): string {
  let out = "";
  let upper = false;
  for (let i = 0; i < code.length; i++) {
    const ch = code.charAt(i);
    if (ch === "-") upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out;
}
