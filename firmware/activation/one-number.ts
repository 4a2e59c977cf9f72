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

const MESSAGES: { [s: string]: string } = {
  active: "One Number is active on this device",
  limited: "no network: only emergency calls can be attempted",
  notActive: "One Number is not active on this device",
  noProfile: "no One Number profile on this device: calls are unavailable",
};

export class OneNumberState {
  readonly events = new Emitter<OneNumberEvents>();
  private current: ServiceReport;
  /** Set by the management command; cleared once the network has been off and says active again (re-registered). */
  private managedOff = false;
  /** Since the management command, the network's facts were not active at least once. */
  private networkSawOff = false;
  private unsubs: (() => void)[] = [];

  constructor(private readonly modem: ModemManager) {
    this.current = this.derive();
    const self = this;
    const m = modem.events;
    const recheck = function () {
      self.update("network");
    };
    // The registration report that changes it carries the sentence (R18: within one report).
    this.unsubs.push(m.on("registration", recheck));
    // SIM states (absent, locked) are learnt at bring-up.
    this.unsubs.push(m.on("state", recheck));
    this.unsubs.push(m.on("identified", recheck));
  }

  /** The state now. */
  report(): ServiceReport {
    return { state: this.current.state, emergencyCalls: this.current.emergencyCalls, message: this.current.message, by: this.current.by };
  }

  /** The companion link's management command: this accessory was unregistered (R18). */
  management(): void {
    this.managedOff = true;
    this.networkSawOff = false;
    this.update("management");
  }

  stop(): void {
    for (let i = 0; i < this.unsubs.length; i++) this.unsubs[i]();
    this.unsubs = [];
  }

  private derive(): ServiceReport {
    const f = this.modem.service();
    let state: ServiceState = f.state;
    const emergency = f.emergencyCalls;
    if (this.managedOff) {
      // Out of coverage is not off: only the network's refusal (or no profile) is.
      if (state === "notActive" || state === "noProfile") this.networkSawOff = true;
      // The network dropped it and then registered it again (P's app subscribed it anew): newer news.
      else if (this.networkSawOff) this.managedOff = false;
      if (this.managedOff && (state === "active" || state === "limited")) {
        // Unregistered by the backend while the modem still has service: no calls, no SMS;
        // the profile still allows an emergency call (R18 with R55).
        state = "notActive";
      }
    }
    return { state: state, emergencyCalls: emergency, message: MESSAGES[state], by: "network" };
  }

  private update(by: ServiceReport["by"]): void {
    const next = this.derive();
    if (next.state === this.current.state) return;
    next.by = next.state === "notActive" && this.managedOff && by === "management" ? "management" : "network";
    this.current = next;
    this.events.emit("service", this.report());
  }
}
