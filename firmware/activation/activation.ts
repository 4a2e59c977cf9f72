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
 * Portable (Espruino): no Node built-ins, Promise chains only.
 */
import type { Clock, Storage } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { AtCommandError, CME_SIM_NOT_INSERTED, type AtChannel } from "../../drivers/at/index.js";
import type { ModemManager } from "../modem/manager.js";
import type { OneNumberState } from "./one-number.js";
import { readEid } from "./eid.js";
import {
  activationMessage,
  activationStep,
  emptyRecord,
  initialActivation,
  type ActivationEvent,
  type ActivationRecord,
  type ActivationState,
  type ActivationStateName,
} from "./machine.js";

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
  log: string;
};

function info(s: ActivationState, said?: string): ActivationInfo {
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

function parseRecord(text: string | undefined): ActivationRecord | undefined {
  if (!text) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return undefined;
  }
  const o = v as { [k: string]: unknown };
  if (!o || typeof o !== "object" || typeof o.iccid !== "string" || typeof o.imei !== "string" || typeof o.activeSince !== "number") return undefined;
  const r = emptyRecord();
  r.iccid = o.iccid;
  r.imei = o.imei;
  r.eid = typeof o.eid === "string" ? o.eid : "";
  r.activeSince = o.activeSince;
  r.deniedAt = typeof o.deniedAt === "number" ? o.deniedAt : 0;
  return r;
}

/** The IMEI in a +CGSN answer (27.007 §5.4: bare digits, or `+CGSN: "<imei>"`). */
export function imeiOf(line: string): string {
  const m = /([0-9]+)/.exec(line);
  return m && m[1].length >= 14 && m[1].length <= 17 ? m[1] : "";
}

export class Activation {
  readonly events = new Emitter<ActivationEvents>();
  private state: ActivationState = initialActivation;
  private queue: ActivationEvent[] = [];
  private draining = false;
  private writing: Promise<void> = Promise.resolve();
  private eid = "";
  /** While the IMEI and EID are being read, the no-profile message waits for them. */
  private readingIdentity = false;
  private stopped = false;
  private unsubs: (() => void)[] = [];

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    modem: ModemManager,
    private readonly storage: Storage | undefined,
    private readonly oneNumber: OneNumberState,
  ) {
    const self = this;
    const m = modem.events;
    this.unsubs.push(
      m.on("state", function (s) {
        if (s.name === "simLocked") self.checkSim();
      }),
    );
    this.unsubs.push(
      m.on("identified", function (i) {
        self.post({ type: "identified", imei: i.imei, iccid: i.iccid, eid: self.eid });
      }),
    );
    this.unsubs.push(
      oneNumber.events.on("service", function (r) {
        self.post({ type: "service", state: r.state, by: r.by, at: self.clock.now() });
      }),
    );
  }

  /** Reads the stored registration data (once, at start). */
  start(): void {
    const self = this;
    if (!this.storage) return;
    this.storage.read(ACTIVATION_KEY).then(
      function (text) {
        const r = parseRecord(text);
        // What the modem said meanwhile is newer than what storage remembers.
        if (r && self.state.record.imei === "" && self.state.record.activeSince === 0) self.post({ type: "restored", record: r });
      },
      function (e: unknown) {
        self.events.emit("log", "activation: cannot read the stored registration data: " + String(e));
      },
    );
  }

  stop(): void {
    this.stopped = true;
    for (let i = 0; i < this.unsubs.length; i++) this.unsubs[i]();
    this.unsubs = [];
  }

  status(): ActivationInfo {
    return info(this.state);
  }

  /** Whether calls and SMS on the shared number can be offered (R18): not while One Number is known not to be active. */
  usable(): boolean {
    return this.state.name !== "notActive" && this.state.name !== "noProfile";
  }

  /** The companion link's management command "unregistered" (R18's fast path): told to the one owner. */
  unregistered(): void {
    this.oneNumber.management();
  }

  private post(e: ActivationEvent): void {
    if (this.stopped) return;
    this.queue.push(e);
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const before = this.state;
        const r = activationStep(before, this.queue.shift()!);
        this.state = r.state;
        for (let i = 0; i < r.effects.length; i++) {
          const fx = r.effects[i];
          if (fx.type === "store") this.store();
          else if (fx.type === "readIdentity") this.readIdentity();
          else this.announce(before);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private announce(before: ActivationState): void {
    const name = this.state.name;
    // No profile: said once, when the IMEI and EID reads are done (finishIdentity).
    if (name === "noProfile" && this.readingIdentity) return;
    // News to a person: how to register, and a profile that was not there before. Each
    // boot's "checking" of the same profile, and active / not active (the service
    // event's sentences), are not said here.
    const fresh = name === "checking" && this.state.profile !== "" && (before.name === "noProfile" || (before.profile !== "" && before.profile !== this.state.profile));
    const said = name !== before.name && (name === "noProfile" || fresh) ? activationMessage(this.state) : "";
    this.events.emit("activation", info(this.state, said));
  }

  private store(): void {
    const storage = this.storage;
    if (!storage) return;
    const self = this;
    const text = JSON.stringify(this.state.record);
    // One write at a time, in order: the last state is the one kept.
    this.writing = this.writing.then(function () {
      return storage.write(ACTIVATION_KEY, text).then(undefined, function (e: unknown) {
        self.events.emit("log", "activation: cannot store the registration data: " + String(e));
      });
    });
  }

  /** Bring-up stopped at the SIM: is there no profile at all (27.007 §9.2.1 +CME ERROR: 10)? */
  private checkSim(): void {
    const self = this;
    this.channel.send({ cmd: "AT+CPIN?", prefixes: ["+CPIN:"] }).then(
      function () {
        // A SIM that answers (PIN, PUK) has a profile: that is for the person with the PIN.
      },
      function (e: unknown) {
        if (AtCommandError.is(e) && e.kind === "cme" && e.code === CME_SIM_NOT_INSERTED) self.post({ type: "simAbsent" });
      },
    );
  }

  private readIdentity(): void {
    const self = this;
    this.readingIdentity = true;
    this.channel
      .send({ cmd: "AT+CGSN" })
      .then(
        function (r) {
          const imei = imeiOf(r.lines.join(" "));
          if (imei) self.post({ type: "identified", imei: imei, iccid: "", eid: self.eid });
        },
        function () {
          // Without the IMEI the message points to the label on the device instead.
        },
      )
      .then(function () {
        return self.eid ? self.eid : readEid(self.channel);
      })
      .then(function (eid) {
        if (eid && eid !== self.eid) {
          self.eid = eid;
          self.post({ type: "identified", imei: "", iccid: "", eid: eid });
        }
        self.finishIdentity();
      });
  }

  /** The identity reads are done: the no-profile message can now say what to give the app. */
  private finishIdentity(): void {
    this.readingIdentity = false;
    if (this.state.name !== "noProfile" || this.stopped) return;
    this.events.emit("activation", info(this.state, activationMessage(this.state)));
  }
}
