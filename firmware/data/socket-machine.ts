/**
 * One modem socket's lifecycle as a pure state machine (the I/O is socket.ts).
 *
 *   idle ──open──▶ opening ──+QIOPEN ok──▶ open ──close()──▶ closing ──closed──▶ closed
 *                     │ error / 150 s          │ "closed" notice: drain what is left, then close
 *                     ▼                         │ send ERROR / context lost
 *                   closed ◀────────────────────┘
 *
 * A socket is used once: after `closed` its owner opens a new one (MQTT.js calls its
 * stream builder again on every connect).
 */

export type SocketStateName = "idle" | "opening" | "open" | "closing" | "closed";

export type SocketEvent =
  | { type: "open" }
  /** `+QIOPEN: <id>,<err>`: err 0 = connected. */
  | { type: "opened"; error: number }
  /** The owner closes. */
  | { type: "close" }
  /** The module says the peer or the network closed it (`+QIURC: "closed"`). */
  | { type: "peerClosed" }
  /** A send or read failed for good, or the context under it went away. */
  | { type: "fault"; reason: string }
  /** What was left has been read and the module's socket is released. */
  | { type: "released" }
  | { type: "timer" };

export type SocketEffect =
  | { type: "sendOpen" }
  | { type: "startTimer"; ms: number }
  | { type: "cancelTimer" }
  /** Starts the I/O pump: buffered writes go out, reads drain. */
  | { type: "connected" }
  /** Read what is left, then release the module's socket (`AT+QICLOSE`). */
  | { type: "release"; drainFirst: boolean }
  | { type: "ended"; reason: string; error: boolean };

export interface SocketState {
  name: SocketStateName;
  /** Why it closed (or is closing), for people; "" while fine. */
  reason: string;
  error: boolean;
}

export const initialSocketState: SocketState = { name: "idle", reason: "", error: false };

export function socketStep(s: SocketState, e: SocketEvent, openTimeoutMs: number): { state: SocketState; effects: SocketEffect[] } {
  const none = { state: s, effects: [] as SocketEffect[] };
  const closing = function (reason: string, error: boolean, drainFirst: boolean) {
    return {
      state: { name: "closing" as SocketStateName, reason, error },
      effects: [{ type: "cancelTimer" }, { type: "release", drainFirst }] as SocketEffect[],
    };
  };
  switch (e.type) {
    case "open":
      if (s.name !== "idle") return none;
      return { state: { name: "opening", reason: "", error: false }, effects: [{ type: "sendOpen" }, { type: "startTimer", ms: openTimeoutMs }] };
    case "opened":
      if (s.name !== "opening") return none;
      if (e.error !== 0) return closing("open failed: error " + e.error, true, false);
      return { state: { name: "open", reason: "", error: false }, effects: [{ type: "cancelTimer" }, { type: "connected" }] };
    case "timer":
      // TCP/IP AN §2.3.4: no +QIOPEN within 150 s: close the socket and report failure.
      if (s.name !== "opening") return none;
      return closing("no answer to the open within " + Math.round(openTimeoutMs / 1000) + " s", true, false);
    case "close":
      if (s.name === "opening" || s.name === "open") return closing("closed by us", false, false);
      if (s.name === "idle") return { state: { name: "closed", reason: "closed by us", error: false }, effects: [{ type: "ended", reason: "closed by us", error: false }] };
      return none;
    case "peerClosed":
      // The peer's last bytes may still wait in the module's buffer: read them first.
      if (s.name === "open") return closing("closed by the peer or the network", false, true);
      if (s.name === "opening") return closing("closed while opening", true, false);
      return none;
    case "fault":
      if (s.name === "opening" || s.name === "open") return closing(e.reason, true, false);
      if (s.name === "closing" && !s.error) return { state: { name: "closing", reason: e.reason, error: true }, effects: [] };
      return none;
    case "released":
      if (s.name !== "closing") return none;
      return { state: { name: "closed", reason: s.reason, error: s.error }, effects: [{ type: "ended", reason: s.reason, error: s.error }] };
    default:
      return none;
  }
}
