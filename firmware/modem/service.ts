/**
 * What the accessory can offer, from the SIM and the registration reports (SPEC R18,
 * R55, R56), with the sentence a person is shown.
 *
 * - `active`: registered on the home or a roaming network: calls, SMS, emergency calls.
 * - `limited`: a usable profile but no registration (no coverage, searching): emergency
 *   calls are still attempted (R56, 23.122 limited service).
 * - `notActive`: the network refused this device (`+CEREG: 3` / `+CREG: 3`, registration
 *   denied): One Number was ended or the accessory unregistered (R18); no calls, no SMS,
 *   and in Japan no emergency call either (R55).
 * - `noProfile`: no SIM profile (absent, broken, wrong): nothing, not even an emergency
 *   call (R55). A SIM that is only locked (PIN, PUK) holds a valid subscription:
 *   `limited`, emergency calls still attempted.
 */
import { isRegistered, type Registration } from "../../drivers/modems/index.js";

export type ServiceState = "active" | "limited" | "notActive" | "noProfile";

export interface ServiceReport {
  state: ServiceState;
  /** Whether an emergency call may be attempted (R55, R56). */
  emergencyCalls: boolean;
  message: string;
}

const MESSAGES: { [s: string]: string } = {
  active: "One Number is active on this device",
  limited: "no network: only emergency calls can be attempted",
  notActive: "One Number is not active on this device",
  noProfile: "no One Number profile on this device: calls are unavailable",
};

/** The sentence R55 asks for when the user dials an emergency number that cannot go out. */
export const EMERGENCY_UNAVAILABLE = "emergency calls are unavailable on this device (no valid One Number profile): use a phone";

export function serviceOf(simUsable: boolean, simPresent: boolean, cs: Registration | undefined, eps: Registration | undefined): ServiceReport {
  let state: ServiceState;
  if (!simPresent) state = "noProfile";
  // A locked SIM (PIN, PUK) still holds a valid subscription: emergency calls only (R55).
  else if (!simUsable) state = "limited";
  else if ((eps && isRegistered(eps.stat)) || (cs && isRegistered(cs.stat))) state = "active";
  // Denied on every domain that reported: one domain still searching is not a refusal yet.
  else if ((eps || cs) && (!eps || eps.stat === "denied") && (!cs || cs.stat === "denied")) state = "notActive";
  else state = "limited";
  return { state, emergencyCalls: state === "active" || state === "limited", message: MESSAGES[state] };
}
