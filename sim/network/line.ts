/**
 * The line of one shared number (SPEC.md R6) as an explicit state machine: `idle`,
 * `alerting(devices)` while an incoming call is offered, `busy(owner)` from the moment a
 * device starts an outgoing call or answers until its last call ends (R30), plus the
 * separate set of devices with an emergency call up (§6).
 *
 * `lineStep` is pure and is the only place a line changes; an event the state does not
 * allow throws `LineError` (a bug in the network, never a user error). `Line` holds the
 * state of one number and logs every transition.
 */
import { defineError } from "../../hal/errors.js";

export type LineMode =
  | { kind: "idle" }
  | { kind: "alerting"; call: string; devices: readonly string[] }
  | { kind: "busy"; owner: string };

export interface LineState {
  mode: LineMode;
  /** Devices with an emergency call up (R49: more than one may be). */
  emergency: readonly string[];
}

export type LineEvent =
  /** R19: an incoming call starts alerting on these devices. */
  | { type: "offer"; call: string; devices: string[] }
  /** R22/R23: the first answer the network processes takes the line. */
  | { type: "answer"; call: string; device: string }
  /** R27, R16, coverage loss: one alerting branch is gone; the others keep ringing. */
  | { type: "drop"; call: string; device: string }
  /** R25/R26/R28/R37/R48: the offered call stops alerting everywhere. */
  | { type: "withdraw"; call: string }
  /** R30: a device starts an outgoing call (the owner may start more). */
  | { type: "seize"; device: string }
  /** R30: the owner's last call ended. */
  | { type: "free"; device: string }
  | { type: "emergency-start"; device: string }
  | { type: "emergency-end"; device: string };

export const LineError = defineError<{ state: string; event: string }>("LineError");

export const IDLE: LineState = { mode: { kind: "idle" }, emergency: [] };

/** `idle`, `alerting(P,A1)`, `busy(A2)`, with ` +emergency(A1)` when one is up. */
export function describeLine(s: LineState): string {
  const m = s.mode;
  const base = m.kind === "idle" ? "idle" : m.kind === "alerting" ? "alerting(" + m.devices.join(",") + ")" : "busy(" + m.owner + ")";
  return s.emergency.length > 0 ? base + " +emergency(" + s.emergency.join(",") + ")" : base;
}

function invalid(s: LineState, e: LineEvent): Error {
  return LineError("line " + describeLine(s) + " cannot take " + JSON.stringify(e), { state: describeLine(s), event: e.type });
}

/** The next state; throws `LineError` for an event the state does not allow. */
export function lineStep(s: LineState, e: LineEvent): LineState {
  const m = s.mode;
  switch (e.type) {
    case "offer":
      if (m.kind !== "idle" || s.emergency.length > 0 || e.devices.length === 0) throw invalid(s, e);
      return { mode: { kind: "alerting", call: e.call, devices: e.devices.slice() }, emergency: s.emergency };
    case "answer":
      if (m.kind !== "alerting" || m.call !== e.call || m.devices.indexOf(e.device) < 0) throw invalid(s, e);
      return { mode: { kind: "busy", owner: e.device }, emergency: s.emergency };
    case "drop": {
      if (m.kind !== "alerting" || m.call !== e.call || m.devices.indexOf(e.device) < 0) throw invalid(s, e);
      const rest = m.devices.filter((d) => d !== e.device);
      return { mode: rest.length === 0 ? { kind: "idle" } : { kind: "alerting", call: m.call, devices: rest }, emergency: s.emergency };
    }
    case "withdraw":
      if (m.kind !== "alerting" || m.call !== e.call) throw invalid(s, e);
      return { mode: { kind: "idle" }, emergency: s.emergency };
    case "seize":
      if (m.kind === "alerting" || (m.kind === "busy" && m.owner !== e.device)) throw invalid(s, e);
      return { mode: { kind: "busy", owner: e.device }, emergency: s.emergency };
    case "free":
      if (m.kind !== "busy" || m.owner !== e.device) throw invalid(s, e);
      return { mode: { kind: "idle" }, emergency: s.emergency };
    case "emergency-start":
      if (s.emergency.indexOf(e.device) >= 0) return s;
      return { mode: m, emergency: s.emergency.concat([e.device]) };
    case "emergency-end":
      if (s.emergency.indexOf(e.device) < 0) throw invalid(s, e);
      return { mode: m, emergency: s.emergency.filter((d) => d !== e.device) };
  }
}

/** The line of one number: its state, and the one method that changes it. */
export class Line {
  state: LineState = IDLE;

  constructor(private readonly onChange: (from: LineState, to: LineState, e: LineEvent) => void) {}

  apply(e: LineEvent): void {
    const from = this.state;
    const to = lineStep(from, e);
    if (to === from) return;
    this.state = to;
    this.onChange(from, to, e);
  }

  /** The device that owns the line (R6), if any. */
  get owner(): string | undefined {
    return this.state.mode.kind === "busy" ? this.state.mode.owner : undefined;
  }

  /** The call alerting on the devices, if any. */
  get alertingCall(): string | undefined {
    return this.state.mode.kind === "alerting" ? this.state.mode.call : undefined;
  }

  get inEmergency(): boolean {
    return this.state.emergency.length > 0;
  }

  /** R31/R51: busy for a new incoming call (a device owns the line or an emergency call is up). */
  get busy(): boolean {
    return this.state.mode.kind === "busy" || this.state.emergency.length > 0;
  }
}
