/**
 * First boot and One Number activation on the accessory (SPEC R7, R11, R13, R15–R18):
 * runs the pure machine of machine.ts on what the modem tells (SIM state, identity,
 * registration reports), keeps the registration data in storage, and announces the
 * state with a sentence for the user:
 *
 * - no profile: how to register, with the IMEI (and EID when the modem gives one) to
 *   give the One Number settings app on the smartphone;
 * - registered: normal use;
 * - registration denied (`+CEREG: 3`, the network unregistered it: the management site,
 *   ManageSubscription unsubscribe, the contract ended): "One Number is not active on
 *   this device", at the first report that says so (R18).
 *
 * Whether One Number is active or not comes from one-number.ts, the one owner of that
 * state and of its sentence (the network's reports and the companion link's management
 * command both feed it); this part keeps the registration data and says what only it
 * knows: how to register (no profile), and that a new profile is being checked.
 *
 * This object is the part that stays in the watch's heap: the state and what front-ends
 * read (`status()`, `usable()`). What happens when something changes, which is seldom
 * (at bring-up, at an activation or its end), is in steps.ts, a cold part of the watch's
 * firmware (tools/bundle.ts COLD_MODULES): loaded from Storage for each event and dropped
 * again.
 *
 * Portable (Espruino): no Node built-ins, Promise chains only.
 */
import type { Clock, Storage } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import type { AtChannel } from "../../drivers/at/index.js";
import type { ModemManager } from "../modem/manager.js";
import type { OneNumberState } from "./one-number.js";
import { activationPost } from "./steps.js";
import { activationMessage, initialActivation, type ActivationEvent, type ActivationState, type ActivationStateName } from "./machine.js";

/** The storage key of the registration data (at most 24 characters, hal/types.ts). */
export const ACTIVATION_KEY = "activation";

/** What front-ends see: plain data. */
export interface ActivationInfo {
  state: ActivationStateName;
  /** One sentence for the user (R18's words when not active). */
  message: string;
  imei: string;
  eid: string;
  /** The profile the modem reports now, "" without one. */
  iccid: string;
  /** When One Number was first seen active with this profile (clock ms), 0 if never. */
  activeSince: number;
  /** When it was last seen not active (clock ms), 0 if never. */
  deniedAt: number;
  /** What ended activation: the network's registration report or the companion link's command. */
  deniedBy: "" | "network" | "management";
  /**
   * The sentence to tell a person now, or "" when this change is not news to them: only
   * what this part alone knows (how to register; a new profile installed). Active and
   * not active are said once by the `service` event (one-number.ts).
   */
  said: string;
}

export type ActivationEvents = {
  activation: ActivationInfo;
};

/**
 * What steps.ts is told besides the machine's events: the stored record's text (read at
 * start), that it could not be read.
 */
export type ActivationInput = ActivationEvent | { type: "stored"; text: string } | { type: "unreadable"; error: unknown };

export function activationInfo(s: ActivationState, said?: string): ActivationInfo {
  return {
    said: said || "",
    state: s.name,
    message: activationMessage(s),
    imei: s.record.imei,
    eid: s.record.eid,
    iccid: s.profile,
    activeSince: s.record.activeSince,
    deniedAt: s.record.deniedAt,
    deniedBy: s.deniedBy,
  };
}

/** The listeners of the modem's and One Number's events: each hands steps.ts an event. */
function listen(a: Activation, modem: ModemManager, oneNumber: OneNumberState): void {
  modem.events.on("state", function (s) {
    // Told in the same turn as the state: a command refused for it gives this sentence, not a PIN's.
    // A SIM that failed or is wrong (+CME ERROR: 13, 15) is no missing profile: only 10 is.
    if (s.name === "noSim" && modem.simState() === "SIM NOT INSERTED") activationPost(a, { type: "simAbsent" });
  });
  modem.events.on("identified", function (i) {
    activationPost(a, { type: "identified", imei: i.imei, iccid: i.iccid, eid: a.eid || "" });
  });
  oneNumber.events.on("service", function (r) {
    // Only active and not active change activation (machine.ts): losing coverage (limited),
    // at any time and during an emergency call too, loads nothing.
    if (r.state === "active" || r.state === "notActive") activationPost(a, { type: "service", state: r.state, by: r.by, at: a.clock.now() });
  });
}

/**
 * The activation state and its events. Its fields are steps.ts's to change (plain data
 * over which steps.ts's functions run); front-ends read it through the methods.
 */
export class Activation {
  readonly events = new Emitter<ActivationEvents>();
  /** The machine's state (machine.ts). */
  state: ActivationState = initialActivation;
  // The fields below are absent until set (each property is heap on the watch).
  /** The EID read by us while there is no profile; absent until then. */
  eid: string | undefined;
  /** While steps.ts runs the machine: the events posted meanwhile (re-entrant posts wait their turn). */
  queue: ActivationInput[] | undefined;
  /** While the record is being written: the last write (one at a time, in order). */
  writing: Promise<void> | undefined;
  /** While the IMEI and EID are being read, the no-profile message waits for them. */
  reading: boolean | undefined;
  stopped: boolean | undefined;

  constructor(
    readonly channel: AtChannel,
    readonly clock: Clock,
    modem: ModemManager,
    readonly storage: Storage | undefined,
    readonly oneNumber: OneNumberState,
    /** Where this part's log lines go (the firmware's `log` event). */
    readonly log: Emitter<{ log: string }>,
  ) {
    listen(this, modem, oneNumber);
  }

  /**
   * Reads the stored registration data (once, at start). Read here, so that a device
   * that has none (its first boot) loads nothing for it.
   */
  start(): void {
    if (!this.storage) return;
    const a = this;
    this.storage.read(ACTIVATION_KEY).then(
      function (text) {
        if (text) activationPost(a, { type: "stored", text: text });
      },
      function (e: unknown) {
        activationPost(a, { type: "unreadable", error: e });
      },
    );
  }

  /** From now on nothing changes and nothing is announced. */
  stop(): void {
    this.stopped = true;
  }

  status(): ActivationInfo {
    return activationInfo(this.state);
  }

  /** Whether calls and SMS on the shared number can be offered (R18): not while One Number is known not to be active. */
  usable(): boolean {
    return this.state.name !== "notActive" && this.state.name !== "noProfile";
  }

  /** The companion link's management command "unregistered" (R18's fast path): told to the one owner. */
  unregistered(): void {
    this.oneNumber.management();
  }
}
