/**
 * The one owner of "is One Number active on this device?" (SPEC R18, R55, R56) and of
 * the sentence a person is told about it. Two inputs feed it:
 *
 * - the network, through the modem's facts (SIM state and registration reports,
 *   firmware/modem/service.ts), re-read at every report the modem makes;
 * - the companion link's management command "this accessory was unregistered" (R18's
 *   fast path, before the network's report comes).
 *
 * Each change of the resulting state is reported once, whichever input brought it and
 * in whatever order both arrive: the second input that says the same thing finds the
 * state already there and says nothing. That is the whole de-duplication; no front-end
 * has to know there are two inputs.
 *
 * Kept small for the watch's heap (docs/espruino.md): one listener for the modem's three
 * events, kept for the firmware's life (`stop()` makes it do nothing), and the sentence
 * written in code, made only when a report is.
 *
 * Portable (Espruino): no Node built-ins.
 */
import { Emitter } from "../../hal/emitter.js";
import type { ModemManager } from "../modem/manager.js";
import type { ServiceFacts, ServiceState } from "../modem/service.js";

/** What the accessory can offer, with the sentence for people (the API's `service` event). */
export interface ServiceReport extends ServiceFacts {
  message: string;
  /** Which input brought this state: the network (the modem's reports) or the management command. */
  by: "network" | "management";
}

export type OneNumberEvents = { service: ServiceReport };

/** The sentence for people in each state. */
export function serviceMessage(s: ServiceState): string {
  if (s === "active") return "One Number is active on this device";
  if (s === "limited") return "no network: only emergency calls can be attempted";
  if (s === "notActive") return "One Number is not active on this device";
  return "no One Number profile on this device: calls are unavailable";
}

/** The listener of the modem's registration, state and identity events. */
function recheck(o: OneNumberState): () => void {
  return function () {
    o.update("network");
  };
}

export class OneNumberState {
  readonly events = new Emitter<OneNumberEvents>();
  /** The state now, what the last report said (its sentence is made by `report()`). */
  private cur: ServiceFacts & { by: ServiceReport["by"] };
  // The flags are absent until set (each property is heap on the watch).
  /** Set by the management command; cleared once the network has been off and says active again (re-registered). */
  private managedOff: boolean | undefined;
  /** Since the management command, the network's facts were not active at least once. */
  private sawOff: boolean | undefined;
  private stopped: boolean | undefined;

  constructor(private readonly modem: ModemManager) {
    this.cur = this.derive();
    const m = modem.events;
    const fn = recheck(this);
    // The registration report that changes it carries the sentence (R18: within one report).
    m.on("registration", fn);
    // SIM states (absent, locked) are learnt at bring-up.
    m.on("state", fn);
    m.on("identified", fn);
  }

  /** The state now. */
  report(): ServiceReport {
    const c = this.cur;
    return { state: c.state, emergencyCalls: c.emergencyCalls, message: serviceMessage(c.state), by: c.by };
  }

  /** The companion link's management command: this accessory was unregistered (R18). */
  management(): void {
    this.managedOff = true;
    this.sawOff = false;
    this.update("management");
  }

  /** From now on nothing changes and nothing is reported. */
  stop(): void {
    this.stopped = true;
  }

  private derive(): ServiceFacts & { by: ServiceReport["by"] } {
    const f = this.modem.service();
    let state: ServiceState = f.state;
    if (this.managedOff) {
      // Out of coverage is not off: only the network's refusal (or no profile) is.
      if (state === "notActive" || state === "noProfile") this.sawOff = true;
      // The network dropped it and then registered it again (P's app subscribed it anew): newer news.
      else if (this.sawOff) this.managedOff = false;
      if (this.managedOff && (state === "active" || state === "limited")) {
        // Unregistered by the backend while the modem still has service: no calls, no SMS;
        // the profile still allows an emergency call (R18 with R55).
        state = "notActive";
      }
    }
    return { state: state, emergencyCalls: f.emergencyCalls, by: "network" };
  }

  /** Re-reads the state; reports it when it changed. */
  update(by: ServiceReport["by"]): void {
    if (this.stopped) return;
    const next = this.derive();
    if (next.state === this.cur.state) return;
    next.by = next.state === "notActive" && this.managedOff && by === "management" ? "management" : "network";
    this.cur = next;
    this.events.emit("service", this.report());
  }
}
