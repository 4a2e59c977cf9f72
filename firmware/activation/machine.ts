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
 *      │  └──registered───┐    ▼ command of the companion link (R18), via one-number.ts
 *      └──denied──────────┴─ notActive       "One Number is not active on this device"
 *
 * Active and not active come from one-number.ts, the one owner of that state (the
 * network's registration reports and the companion link's management command both feed
 * it), at the first report that says so: R18 asks for the message "within one
 * registration report". Being out of coverage (limited) is not a change of activation:
 * the last state stays.
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
  /**
   * A change of what the accessory can offer, from the one owner of that state
   * (one-number.ts): the network's reports, or the companion link's management command.
   */
  | { type: "service"; state: "active" | "limited" | "notActive" | "noProfile"; by: "network" | "management"; at: number }
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

// The record written out rather than emptyRecord(): the watch's boot code then holds no copy of that function (only steps.ts, a cold part, uses it).
export const initialActivation: ActivationState = { name: "unknown", record: { iccid: "", imei: "", eid: "", activeSince: 0, deniedAt: 0 }, profile: "", deniedBy: "" };

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
    case "service": {
      if (e.state === "active") {
        if (state.name === "noProfile") return { state: state, effects: [] };
        // R13: the same profile active again keeps its record as it was.
        if (r.iccid !== state.profile || r.activeSince === 0) {
          r.iccid = state.profile;
          r.activeSince = e.at;
        }
        return to(state, "active", r, "");
      }
      if (e.state === "notActive") {
        if (state.name === "noProfile" || state.name === "notActive") return { state: state, effects: [] };
        r.deniedAt = e.at;
        return to(state, "notActive", r, e.by);
      }
      return { state: state, effects: [] };
    }
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
      return "A One Number profile is on this device (ICCID " + (s.profile || "not read yet") + "): waiting for the network to accept it";
    case "active":
      return "One Number is active on this device";
    case "notActive":
      // NOT_ACTIVE_MESSAGE, written out: a module-level string is heap for good on the watch, a literal in code is not.
      return "One Number is not active on this device";
  }
  return "One Number: not known yet";
}
