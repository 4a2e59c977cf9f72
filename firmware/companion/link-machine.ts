/**
 * The companion link's supervisor as a pure state machine (the runner is link.ts).
 *
 *   stopped ──start──▶ waitingData ──data up──▶ connecting ──connected──▶ online
 *                          ▲                       │ failed                │ down
 *                          │ data down             ▼                       ▼
 *                          └──────────────────── backoff ◀─────────────────┘
 *
 * Tier 1 is reconnecting MQTT with capped exponential back-off and full jitter (base 2 s,
 * cap 5 min, companion-link.md §5.7); every `escalateAfter`-th failure in a row also asks
 * the data session to re-activate the context (tier 2). A refused CONNACK (rc 4: bad user
 * name or password, rc 5: not authorised) is not retried quickly: the device is probably
 * unregistered, so it waits an hour and checks its registration (SPEC R18).
 */
import { backoffDelay, type BackoffPolicy } from "../data/backoff.js";

export type LinkStateName = "stopped" | "waitingData" | "connecting" | "online" | "backoff" | "refused";

export interface LinkState {
  name: LinkStateName;
  failures: number;
  dataUp: boolean;
  reason: string;
}

export type LinkEvent =
  | { type: "start" }
  | { type: "stop" }
  | { type: "data"; up: boolean }
  | { type: "connected" }
  | { type: "failed"; reason: string; refused: number | undefined }
  | { type: "down"; reason: string }
  | { type: "timer" }
  | { type: "healthy" };

export type LinkEffect =
  | { type: "connect" }
  | { type: "drop"; reason: string }
  | { type: "end" }
  | { type: "startTimer"; ms: number }
  | { type: "cancelTimer" }
  | { type: "escalate"; reason: string }
  | { type: "checkRegistration" }
  | { type: "online"; up: boolean }
  | { type: "log"; message: string };

export interface LinkPolicy {
  reconnect: BackoffPolicy;
  escalateAfter: number;
  refusedWaitMs: number;
  random: () => number;
}

export const initialLinkState: LinkState = { name: "stopped", failures: 0, dataUp: false, reason: "not started" };

function to(s: LinkState, name: LinkStateName, patch: Partial<LinkState>, effects: LinkEffect[]) {
  const next: LinkState = { name, failures: s.failures, dataUp: s.dataUp, reason: s.reason };
  Object.assign(next, patch);
  return { state: next, effects };
}

function offline(s: LinkState): LinkEffect[] {
  return s.name === "online" ? [{ type: "online", up: false }] : [];
}

function retry(s: LinkState, p: LinkPolicy, reason: string, refused: number | undefined) {
  const failures = s.failures + 1;
  const effects = offline(s);
  effects.push({ type: "log", message: "companion: " + reason + " (failure " + failures + ")" }, { type: "cancelTimer" });
  if (refused === 4 || refused === 5) {
    effects.push({ type: "checkRegistration" }, { type: "startTimer", ms: p.refusedWaitMs });
    return to(s, "refused", { failures, reason }, effects);
  }
  if (failures % p.escalateAfter === 0) effects.push({ type: "escalate", reason: "companion link failed " + failures + " times: " + reason });
  effects.push({ type: "startTimer", ms: backoffDelay(p.reconnect, failures - 1, p.random) });
  return to(s, "backoff", { failures, reason }, effects);
}

export function linkStep(s: LinkState, e: LinkEvent, p: LinkPolicy): { state: LinkState; effects: LinkEffect[] } {
  const none = { state: s, effects: [] as LinkEffect[] };
  switch (e.type) {
    case "start":
      if (s.name !== "stopped") return none;
      if (!s.dataUp) return to(s, "waitingData", { failures: 0, reason: "waiting for data" }, []);
      return to(s, "connecting", { failures: 0, reason: "" }, [{ type: "connect" }]);
    case "stop":
      if (s.name === "stopped") return none;
      return to(s, "stopped", { reason: "stopped" }, offline(s).concat([{ type: "cancelTimer" }, { type: "end" }]));
    case "data":
      if (s.name === "stopped") return to(s, "stopped", { dataUp: e.up }, []);
      if (!e.up) {
        if (s.name === "waitingData") return to(s, s.name, { dataUp: false }, []);
        // The context is gone: the session under it is dead whatever MQTT thinks.
        return to(s, "waitingData", { dataUp: false, reason: "data down" }, offline(s).concat([{ type: "cancelTimer" }, { type: "drop", reason: "data down" }]));
      }
      if (s.name === "waitingData") return to(s, "connecting", { dataUp: true, reason: "" }, [{ type: "connect" }]);
      return to(s, s.name, { dataUp: true }, []);
    case "connected":
      if (s.name !== "connecting") return none;
      return to(s, "online", { reason: "" }, [{ type: "online", up: true }]);
    case "failed":
      if (s.name !== "connecting") return none;
      return retry(s, p, e.reason, e.refused);
    case "down":
      if (s.name !== "online" && s.name !== "connecting") return none;
      return retry(s, p, "link down: " + e.reason, undefined);
    case "timer":
      if (s.name !== "backoff" && s.name !== "refused") return none;
      if (!s.dataUp) return to(s, "waitingData", {}, []);
      return to(s, "connecting", {}, [{ type: "connect" }]);
    case "healthy":
      return s.name === "online" ? to(s, "online", { failures: 0 }, []) : none;
    default:
      return none;
  }
}
