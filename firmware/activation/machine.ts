/**
 * One Number activation on the accessory (SPEC R7, R8, R11, R15–R18) as a pure state
 * machine: `activationStep(state, event)` gives the next state and the effects, and
 * does no I/O.
 *
 *   unknown ──SIM absent──▶ noProfile       "register this device: IMEI …, EID …"
 *      │                       │ profile installed (the modem restarts, SIM ready)
 *      ▼                       ▼
 *   checking ──registered──▶ active          normal use
 *      │  ▲                    │ registration denied (+CEREG: 3), or the management
 *      │  └──registered───┐    ▼ command of the companion link (R18)
 *      └──denied──────────┴─ notActive       "One Number is not active on this device"
 *
 * A denial is shown at the first registration report that says so: R18 asks for the
 * message "within one registration report", so nothing waits for a second one. Being out
 * of coverage (searching) is not a change of activation: the last state stays.
 */

/** R18's words, shown as they are. */
export const NOT_ACTIVE_MESSAGE = "One Number is not active on this device";

export type ActivationStateName = "unknown" | "noProfile" | "checking" | "active" | "notActive";

/** What the accessory keeps in storage about its registration (ワンナンバー登録情報, R7). */
export interface ActivationRecord {
  /** The profile in use (ICCID) when it was last seen active, "" if never. */
  iccid: string;
  imei: string;
  eid: string;
  /** When One Number was first seen active with this profile (clock ms), 0 if never. */
  activeSince: number;
  /** When it was last seen not active (clock ms), 0 if never. */
  deniedAt: number;
}

export interface ActivationState {
  name: ActivationStateName;
  record: ActivationRecord;
  /** The ICCID of the profile the modem reports now ("" when none or not read yet). */
  profile: string;
  /** What ended activation last: the network's registration report or a management command. */
  deniedBy: "" | "network" | "management";
}

export type ActivationEvent =
  /** The modem has no usable SIM profile (27.007 §9.2.1 +CME ERROR: 10 SIM not inserted). */
  | { type: "simAbsent" }
  /** The modem's identity, read at bring-up (or by us while there is no profile). */
  | { type: "identified"; imei: string; iccid: string; eid: string }
  /** A registration report (27.007 +CEREG/+CREG `<stat>` as words). */
  | { type: "registration"; stat: string; at: number }
  /** The companion link's management command: this accessory was unregistered (R18). */
  | { type: "unregistered"; at: number }
  /** The record read from storage at start. */
  | { type: "restored"; record: ActivationRecord };

export type ActivationEffect =
  /** Tell the user and the front-ends (the state changed or its data did). */
  | { type: "announce" }
  /** Keep the record (only when it changed: re-registration is idempotent, R13). */
  | { type: "store" }
  /** Read the IMEI (and EID) ourselves: bring-up stops at the SIM and never reports them. */
  | { type: "readIdentity" };

export function emptyRecord(): ActivationRecord {
  return { iccid: "", imei: "", eid: "", activeSince: 0, deniedAt: 0 };
}

export const initialActivation: ActivationState = { name: "unknown", record: emptyRecord(), profile: "", deniedBy: "" };

function copyRecord(r: ActivationRecord): ActivationRecord {
  return { iccid: r.iccid, imei: r.imei, eid: r.eid, activeSince: r.activeSince, deniedAt: r.deniedAt };
}

function sameRecord(a: ActivationRecord, b: ActivationRecord): boolean {
  return a.iccid === b.iccid && a.imei === b.imei && a.eid === b.eid && a.activeSince === b.activeSince && a.deniedAt === b.deniedAt;
}

interface Step {
  state: ActivationState;
  effects: ActivationEffect[];
}

function to(state: ActivationState, name: ActivationStateName, record: ActivationRecord, deniedBy: ActivationState["deniedBy"], profile?: string): Step {
  const p = profile === undefined ? state.profile : profile;
  const next: ActivationState = { name: name, record: record, profile: p, deniedBy: deniedBy };
  const effects: ActivationEffect[] = [];
  if (!sameRecord(state.record, record)) effects.push({ type: "store" });
  if (name !== state.name || effects.length > 0 || deniedBy !== state.deniedBy || p !== state.profile) effects.push({ type: "announce" });
  return { state: next, effects: effects };
}

export function activationStep(state: ActivationState, e: ActivationEvent): Step {
  const r = copyRecord(state.record);
  switch (e.type) {
    case "restored":
      // What storage says counts until the modem says otherwise; nothing to store back.
      return { state: { name: state.name, record: copyRecord(e.record), profile: state.profile, deniedBy: state.deniedBy }, effects: [] };
    case "simAbsent": {
      const s = to(state, "noProfile", r, "", "");
      // First the reads, so the announcement can wait for what they find.
      if (!r.imei) s.effects.unshift({ type: "readIdentity" });
      return s;
    }
    case "identified": {
      if (e.imei) r.imei = e.imei;
      if (e.eid) r.eid = e.eid;
      if (!e.iccid) return to(state, state.name, r, state.deniedBy);
      // A profile is present: from here the registration reports decide.
      // Another profile than before (a new download, a swap): its activation is still to be seen.
      if (state.profile !== "" && e.iccid !== state.profile) return to(state, "checking", r, "", e.iccid);
      const name = state.name === "unknown" || state.name === "noProfile" ? "checking" : state.name;
      return to(state, name, r, state.deniedBy, e.iccid);
    }
    case "registration": {
      if (e.stat === "home" || e.stat === "roaming") {
        if (state.name === "noProfile") return { state: state, effects: [] };
        // R13: the same profile active again keeps its record as it was.
        if (r.iccid !== state.profile || r.activeSince === 0) {
          r.iccid = state.profile;
          r.activeSince = e.at;
        }
        return to(state, "active", r, "");
      }
      if (e.stat === "denied") {
        if (state.name === "noProfile") return { state: state, effects: [] };
        if (state.name !== "notActive") r.deniedAt = e.at;
        return to(state, "notActive", r, state.name === "notActive" ? state.deniedBy : "network");
      }
      return { state: state, effects: [] };
    }
    case "unregistered":
      if (state.name === "notActive" || state.name === "noProfile") return { state: state, effects: [] };
      r.deniedAt = e.at;
      return to(state, "notActive", r, "management");
  }
  return { state: state, effects: [] };
}

/** The sentence for people in each state. */
export function activationMessage(s: ActivationState): string {
  const r = s.record;
  switch (s.name) {
    case "noProfile": {
      const ids = r.imei ? "IMEI " + r.imei + (r.eid ? " and EID " + r.eid : "") : "the IMEI printed on the device";
      return "One Number is not set up on this device. On your smartphone, open the One Number settings app (ワンナンバー設定アプリ) and register this accessory with " + ids + ".";
    }
    case "checking":
      return "Checking One Number on this device (profile " + r.iccid + ")";
    case "active":
      return "One Number is active on this device";
    case "notActive":
      return NOT_ACTIVE_MESSAGE;
  }
  return "One Number: not known yet";
}
