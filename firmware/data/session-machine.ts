/**
 * The data session as a pure state machine: `dataStep(state, event, policy)` gives the
 * next state and the effects to run, and does no I/O (the runner is session.ts).
 *
 *   off ──enable──▶ waiting ──modem ready + registered──▶ activating ──ok──▶ up
 *                      ▲                                     │   ▲           │ lost (+CGEV, pdpdeact,
 *                      │ modem down / not registered         │   │ timer     │  failed sends)
 *                      │                                     ▼   │           ▼
 *                      └──────────────────────────────── recovering ◀────────┘
 *   every `resetAfter`-th failure in a row (and at most once per `resetGapMs`): resetting,
 *   the modem manager resets the module; when it is ready again: activating.
 *   unregistered (network +CEREG: 3, or the companion link's fast path, R15/R18): barred;
 *   only a registration report lifts it (the network stays authoritative).
 *
 * Tier 1 (reconnecting a socket) belongs to the socket's owner; it reports here with
 * `lost` when reconnecting does not help. Tier 2 is re-activation with its own capped,
 * jittered back-off; tier 3 the modem reset.
 */
import { backoffDelay, type BackoffPolicy } from "./backoff.js";

export type DataStateName = "off" | "waiting" | "activating" | "up" | "recovering" | "resetting" | "barred";

export interface DataState {
  name: DataStateName;
  /** Activation failures and losses in a row; zero once the session has been up a while. */
  failures: number;
  /** When the modem was last reset for data (ms), or -1. */
  lastResetAt: number;
  modemReady: boolean;
  registered: boolean;
  address: string;
  /** Why the session is not up, for people. */
  reason: string;
}

export type DataEvent =
  | { type: "enable" }
  | { type: "disable" }
  | { type: "modem"; ready: boolean }
  | { type: "registration"; registered: boolean }
  | { type: "unregistered"; source: string }
  | { type: "activated"; address: string }
  | { type: "activationFailed"; reason: string }
  | { type: "lost"; reason: string }
  | { type: "timer" }
  /** The session stayed up long enough: the failure run is over. */
  | { type: "healthy" };

export type DataEffect =
  | { type: "activate"; fresh: boolean }
  | { type: "deactivate" }
  | { type: "startTimer"; ms: number }
  | { type: "cancelTimer" }
  | { type: "resetModem"; reason: string }
  | { type: "up"; address: string }
  | { type: "down"; reason: string }
  | { type: "log"; message: string };

export interface DataPolicy {
  /** Tier 2: re-activation back-off (companion-link.md §5.7: cap 15 min). */
  reactivate: BackoffPolicy;
  /** Failures in a row after which the modem is reset (tier 3). */
  resetAfter: number;
  /** Two data-driven modem resets are at least this far apart (ms; §5.7: 10 min). */
  resetGapMs: number;
  /** Source of randomness for the jitter, in [0, 1). */
  random: () => number;
}

export const initialDataState: DataState = {
  name: "off",
  failures: 0,
  lastResetAt: -1,
  modemReady: false,
  registered: false,
  address: "",
  reason: "not started",
};

export interface DataStep {
  state: DataState;
  effects: DataEffect[];
}

function to(s: DataState, name: DataStateName, patch: Partial<DataState>, effects: DataEffect[]): DataStep {
  const next: DataState = {
    name,
    failures: s.failures,
    lastResetAt: s.lastResetAt,
    modemReady: s.modemReady,
    registered: s.registered,
    address: s.address,
    reason: s.reason,
  };
  Object.assign(next, patch);
  return { state: next, effects };
}

function same(s: DataState, patch?: Partial<DataState>): DataStep {
  return patch ? to(s, s.name, patch, []) : { state: s, effects: [] };
}

/** Effects that leave the up state (if the session was up), then `more`. */
function leaveUp(s: DataState, reason: string, more?: DataEffect[]): DataEffect[] {
  const out: DataEffect[] = s.name === "up" ? [{ type: "down", reason }] : [];
  return more ? out.concat(more) : out;
}

/** Activate now when the modem can carry data, else wait for it. */
function tryStart(s: DataState, fresh: boolean, patch: Partial<DataState>): DataStep {
  const ready = patch.modemReady !== undefined ? patch.modemReady : s.modemReady;
  const registered = patch.registered !== undefined ? patch.registered : s.registered;
  if (!ready || !registered) {
    return to(s, "waiting", patch, leaveUp(s, !ready ? "modem not ready" : "not registered", [{ type: "cancelTimer" }]));
  }
  return to(s, "activating", patch, [{ type: "cancelTimer" }, { type: "activate", fresh }]);
}

/** One failure: back off, or escalate to a modem reset (tier 3). */
function failure(s: DataState, policy: DataPolicy, reason: string, now: number): DataStep {
  const failures = s.failures + 1;
  const effects = leaveUp(s, reason);
  effects.push({ type: "log", message: "data: " + reason + " (failure " + failures + ")" });
  const gapOk = s.lastResetAt < 0 || now - s.lastResetAt >= policy.resetGapMs;
  if (failures % policy.resetAfter === 0 && gapOk) {
    effects.push({ type: "cancelTimer" }, { type: "resetModem", reason });
    return to(s, "resetting", { failures, lastResetAt: now, reason, address: "", modemReady: false }, effects);
  }
  effects.push({ type: "cancelTimer" }, { type: "startTimer", ms: backoffDelay(policy.reactivate, failures - 1, policy.random) });
  return to(s, "recovering", { failures, reason, address: "" }, effects);
}

/** The pure transition function; events that mean nothing in a state change nothing. */
export function dataStep(s: DataState, e: DataEvent, policy: DataPolicy, now: number): DataStep {
  switch (e.type) {
    case "enable":
      if (s.name !== "off") return same(s);
      return tryStart(s, true, { failures: 0, reason: "" });
    case "disable":
      if (s.name === "off") return same(s);
      return to(s, "off", { reason: "switched off", address: "" }, leaveUp(s, "switched off", [{ type: "cancelTimer" }, { type: "deactivate" }]));
    case "modem":
      if (s.name === "off" || s.name === "barred") return same(s, { modemReady: e.ready });
      if (s.name === "resetting") return e.ready ? tryStart(s, true, { modemReady: true }) : same(s);
      if (!e.ready) return to(s, "waiting", { modemReady: false, address: "", reason: "modem not ready" }, leaveUp(s, "modem not ready", [{ type: "cancelTimer" }]));
      if (s.name === "waiting") return tryStart(s, true, { modemReady: true });
      return same(s, { modemReady: true });
    case "registration":
      if (s.name === "barred") {
        // Registered again (re-registered on the site): data may run again.
        return e.registered ? tryStart(s, true, { registered: true, failures: 0, reason: "" }) : same(s);
      }
      if (s.name === "off" || s.name === "resetting") return same(s, { registered: e.registered });
      if (!e.registered) {
        return to(s, "waiting", { registered: false, address: "", reason: "not registered" }, leaveUp(s, "not registered", [{ type: "cancelTimer" }]));
      }
      if (s.name === "waiting") return tryStart(s, true, { registered: true });
      return same(s, { registered: true });
    case "unregistered":
      // R15: from that instant no data on the shared subscription. Only a registration
      // report lifts this (R18: the network is authoritative, the link is a fast path).
      if (s.name === "off") return same(s, { registered: false });
      return to(s, "barred", { registered: false, address: "", reason: "unregistered (" + e.source + ")" }, leaveUp(s, "unregistered", [
        { type: "cancelTimer" },
        { type: "deactivate" },
        { type: "log", message: "data: stopped: unregistered (" + e.source + ")" },
      ]));
    case "activated":
      if (s.name !== "activating") return same(s);
      return to(s, "up", { address: e.address, reason: "" }, [{ type: "up", address: e.address }]);
    case "activationFailed":
      if (s.name !== "activating") return same(s);
      return failure(s, policy, "activation failed: " + e.reason, now);
    case "lost":
      if (s.name !== "up" && s.name !== "activating") return same(s);
      return failure(s, policy, e.reason, now);
    case "timer":
      if (s.name !== "recovering") return same(s);
      return tryStart(s, false, {});
    case "healthy":
      return s.name === "up" ? same(s, { failures: 0 }) : same(s);
    default:
      return same(s);
  }
}
