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

/**
 * The modem's facts (SIM and registration reports). They carry no sentence: what a
 * person is told about them is said by one owner, firmware/activation/one-number.ts,
 * which also hears the companion link's management command (R18).
 */
export interface ServiceFacts {
  state: ServiceState;
  /** Whether an emergency call may be attempted (R55, R56). */
  emergencyCalls: boolean;
}

/** The sentence R55 asks for when the user dials an emergency number that cannot go out. */
export const EMERGENCY_UNAVAILABLE = "emergency calls are unavailable on this device (no valid One Number profile): use a phone";

export function serviceOf(simUsable: boolean, simPresent: boolean, cs: Registration | undefined, eps: Registration | undefined): ServiceFacts {
  let state: ServiceState;
  if (!simPresent) state = "noProfile";
  // A locked SIM (PIN, PUK) still holds a valid subscription: emergency calls only (R55).
  else if (!simUsable) state = "limited";
  // One Number's refusal is of the subscription (the HSS refuses the IMSI on every
  // domain), so the first domain that reports it denied says so: R18 wants the sentence
  // within that report, not after the other domain's report catches up.
  else if ((eps && eps.stat === "denied") || (cs && cs.stat === "denied")) state = "notActive";
  else if ((eps && isRegistered(eps.stat)) || (cs && isRegistered(cs.stat))) state = "active";
  else state = "limited";
  return { state, emergencyCalls: state === "active" || state === "limited" };
}
