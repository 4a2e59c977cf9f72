/**
 * The modem lifecycle as a pure state machine: `step(state, event)` gives the next state
 * and the effects to run, and does no I/O, so every path is unit-tested without a modem.
 *
 * off ──start──▶ bringingUp ──ok──▶ ready
 *                    │  ▲             │ reboot banner / URC verbosity lost (hang: reset at once)
 *                    │  └──retry──────┘
 *                    └─failed──▶ backoff ──timer──▶ bringingUp
 *   after `resetAfter` failures in a row: resetting (reset pin, else power key) ──▶ bringingUp
 *   a SIM that needs a PIN: simLocked (bring-up is retried slowly; a person must act)
 *   simLocked ──simUnlocked (the PIN was taken)──▶ bringingUp
 *   no usable SIM (not inserted, failed, wrong; no eSIM profile yet): noSim, retried slowly too
 *
 * Escalation follows the lesson of Zephyr #98656 and ModemManager's "port gone after 10
 * timeouts": never a dead end; re-run bring-up, then reset the module through its pins,
 * then keep retrying with a long back-off.
 */

/** `lastError` of a modem whose commands and probe went unanswered (the line reads it: an emergency dial says why it waits). */
export const SILENT = "modem stopped answering";
/** Why commands in flight are aborted when the modem is reset (the emergency dial reads it). */
export const RESETTING = "modem is being reset";

export type ModemStateName = "off" | "bringingUp" | "ready" | "backoff" | "resetting" | "simLocked" | "noSim";

export interface ModemState {
  name: ModemStateName;
  /** Bring-up failures (and recoveries) in a row; reset when bring-up succeeds. */
  failures: number;
  /** Hardware resets done in this failure run. */
  resets: number;
  /** Reboots seen since bring-up last succeeded: a module that reboots on every try is failing. */
  reboots: number;
  /** Why the last failure happened, for people. */
  lastError: string;
}

export type ModemEvent =
  | { type: "start" }
  | { type: "bringUpDone" }
  /** `simLocked`: a SIM that waits for a person; `noSim` with it: none usable at all (no PIN helps). */
  | { type: "bringUpFailed"; reason: string; simLocked: boolean; noSim?: boolean }
  | { type: "rebooted"; banner: string }
  | { type: "hung" }
  | { type: "verbosityLost" }
  /** The SIM took a PIN (or PUK): bring-up can go on at once instead of waiting for the slow retry. */
  | { type: "simUnlocked" }
  | { type: "timer"; name: "retry" | "resetDone" };

export type ModemEffect =
  | { type: "runBringUp" }
  | { type: "abortCommands"; reason: string }
  | { type: "startTimer"; name: "retry" | "resetDone"; ms: number }
  | { type: "cancelTimers" }
  | { type: "resetModem"; how: "reset" | "powerKey" }
  | { type: "queryStatus" }
  | { type: "log"; message: string };

export interface ModemPolicy {
  /** Pause before re-running a failed bring-up (ms); doubles each time up to `maxBackoffMs`. */
  retryMs: number;
  maxBackoffMs: number;
  /** Failures in a row after which the module is reset through its pins. */
  resetAfter: number;
  /** Which hardware reset the board offers. */
  hardwareReset: "reset" | "powerKey" | "none";
  /** How long the module needs after a hardware reset (ms). */
  bootTimeMs: number;
  /** Pause before retrying a SIM that needs a PIN (ms). */
  simLockedRetryMs: number;
  /** Period of the optional health check (re-read registration), 0 = none: no idle traffic. */
  healthCheckMs: number;
}

export const initialModemState: ModemState = { name: "off", failures: 0, resets: 0, reboots: 0, lastError: "" };

interface Step {
  state: ModemState;
  effects: ModemEffect[];
}

function to(state: ModemState, name: ModemStateName, patch: Partial<ModemState>, effects: ModemEffect[]): Step {
  const next: ModemState = { name, failures: state.failures, resets: state.resets, reboots: state.reboots, lastError: state.lastError };
  Object.assign(next, patch);
  return { state: next, effects };
}

function backoffMs(policy: ModemPolicy, failures: number): number {
  let ms = policy.retryMs;
  for (let i = 1; i < failures && ms < policy.maxBackoffMs; i++) ms = ms * 2;
  return ms < policy.maxBackoffMs ? ms : policy.maxBackoffMs;
}

/**
 * A failure of the running modem: count it, then retry or escalate to a reset. `resetNow`
 * skips the retries: a module that answers no probe at all will not answer a script.
 */
function failure(state: ModemState, policy: ModemPolicy, reason: string, resetNow?: boolean): Step {
  const failures = state.failures + 1;
  const log: ModemEffect = { type: "log", message: "modem: " + reason + " (failure " + failures + ")" };
  if (policy.hardwareReset !== "none" && (resetNow || failures % policy.resetAfter === 0)) {
    return to(state, "resetting", { failures, resets: state.resets + 1, lastError: reason }, [
      log,
      { type: "cancelTimers" },
      { type: "abortCommands", reason: RESETTING },
      { type: "resetModem", how: policy.hardwareReset },
      { type: "startTimer", name: "resetDone", ms: policy.bootTimeMs },
    ]);
  }
  return to(state, "backoff", { failures, lastError: reason }, [
    log,
    { type: "cancelTimers" },
    { type: "startTimer", name: "retry", ms: backoffMs(policy, failures) },
  ]);
}

/** The pure transition function. Events that mean nothing in a state change nothing. */
export function modemStep(state: ModemState, event: ModemEvent, policy: ModemPolicy): Step {
  switch (event.type) {
    case "start":
      if (state.name !== "off") return { state, effects: [] };
      return to(state, "bringingUp", {}, [{ type: "runBringUp" }]);
    case "bringUpDone":
      if (state.name !== "bringingUp") return { state, effects: [] };
      return to(state, "ready", { failures: 0, resets: 0, reboots: 0, lastError: "" }, [{ type: "queryStatus" }]);
    case "bringUpFailed":
      if (state.name !== "bringingUp") return { state, effects: [] };
      if (event.simLocked) {
        // The state event carries the reason: a log line too would say it twice.
        return to(state, event.noSim ? "noSim" : "simLocked", { lastError: event.reason }, [
          { type: "startTimer", name: "retry", ms: policy.simLockedRetryMs },
        ]);
      }
      return failure(state, policy, "bring-up failed: " + event.reason);
    case "rebooted":
      // A banner during bring-up is the module coming up: start the script again at once.
      // A second one before bring-up succeeded is a module rebooting under us (brown-out,
      // crash on a command): count it as a failure, so it backs off and escalates.
      if (state.name === "off" || state.name === "resetting") return { state, effects: [] };
      if (state.reboots >= 1 && state.name === "bringingUp") {
        const f = failure(state, policy, "modem rebooted again during bring-up (" + event.banner + ")");
        f.state.reboots = state.reboots + 1;
        return f;
      }
      // The first banner of a bring-up is the module starting (power-on, after a reset), no
      // reboot: said as that, and no error for the state line.
      if (state.name === "bringingUp" && state.reboots === 0) {
        return to(state, "bringingUp", { reboots: 1 }, [
          { type: "log", message: "modem: started (" + event.banner + ")" },
          { type: "cancelTimers" },
          { type: "runBringUp" },
        ]);
      }
      return to(state, "bringingUp", { reboots: state.reboots + 1, lastError: "modem rebooted (" + event.banner + ")" }, [
        { type: "log", message: "modem: rebooted (" + event.banner + "), bringing it up again" },
        { type: "cancelTimers" },
        { type: "runBringUp" },
      ]);
    case "hung":
      // The channel declares a hang when the probe after a timed-out command got no answer
      // at all: the module is reset through its pins at once (escalation within seconds).
      if (state.name !== "ready" && state.name !== "bringingUp") return { state, effects: [] };
      return failure(state, policy, SILENT, true);
    case "verbosityLost":
      // Particle device-os#2219: a silent modem reset shows as URC settings gone back to 0.
      // Counted as a failure, so a module that keeps forgetting backs off and is reset.
      if (state.name !== "ready") return { state, effects: [] };
      return failure(state, policy, "URC settings lost: the modem reset silently");
    case "simUnlocked":
      if (state.name !== "simLocked") return { state, effects: [] };
      return to(state, "bringingUp", { lastError: "" }, [{ type: "cancelTimers" }, { type: "runBringUp" }]);
    case "timer":
      if (event.name === "retry" && (state.name === "backoff" || state.name === "simLocked" || state.name === "noSim")) {
        return to(state, "bringingUp", {}, [{ type: "runBringUp" }]);
      }
      if (event.name === "resetDone" && state.name === "resetting") {
        return to(state, "bringingUp", {}, [{ type: "runBringUp" }]);
      }
      return { state, effects: [] };
    default:
      return { state, effects: [] };
  }
}
