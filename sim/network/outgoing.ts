/**
 * Calls from a device of a shared number (SPEC.md §5, §6): number presentation (R38),
 * the line-in-use refusal #34 (R39–R40, R51), glare (R37), the accessory short-code
 * blocklist (R43), 112/911 in the Japan profile (R54), and emergency calls, which are
 * never refused for the line state (R46), pre-empt the owner (R47–R48), never pre-empt
 * each other (R49), first end the caller's own calls (R50), and carry the device's own
 * location (R52). The network, not the modem, decides what is an emergency call (R53).
 */
import { Call, CallEnd } from "./call.js";
import { CAUSE, LINE_IN_USE, NORMAL, PREEMPTED, Release, notAvailable } from "./causes.js";
import { parseServiceCode } from "./codes.js";
import { dialServiceCode } from "./services.js";
import type { Device, Leg, LegOwner } from "./device.js";
import type { SharedNumber } from "./number.js";

/** No radio service at all: the device cannot reach any network. */
export const NO_COVERAGE: Release = { cause: CAUSE.temporaryFailure, text: "No network coverage" };

/** The device's own end of an outgoing call. */
export class DeviceEnd implements CallEnd, LegOwner {
  leg!: Leg;

  constructor(readonly num: SharedNumber) {}

  get label(): string {
    return this.leg.device.id;
  }

  get originNumber(): string {
    return this.num.msisdn;
  }

  peerAlerting(): void {
    if (this.leg.state !== "dialing") return;
    this.leg.state = "alerting";
    this.leg.device.deliverCallState(this.leg, "alerting");
  }

  peerAnswered(call: Call): void {
    if (this.leg.state === "released") return;
    this.leg.state = "active";
    // The answering end's identity (COLP): on a diverted call, the number it went to.
    this.leg.device.deliverCallState(this.leg, "active", undefined, call.b.connectedNumber || "");
    this.num.log("connected", { device: this.leg.device.id, call: call.id, detail: { to: call.b.label } });
  }

  peerReleased(call: Call, r: Release): void {
    if (this.leg.state === "released") return;
    this.num.log("released", { device: this.leg.device.id, call: call.id, cause: r.cause, detail: { by: "remote" } });
    this.num.endLeg(this.leg, r, true);
  }

  peerDtmf(): void {}

  answerLeg(): void {}

  hangupLeg(leg: Leg, cause: number): void {
    if (leg.state === "released") return;
    this.num.log("released", { device: leg.device.id, call: leg.call.id, cause, detail: { by: "device" } });
    this.num.endLeg(leg, { cause }, false);
    leg.call.release(this, { cause: cause === CAUSE.userBusy ? CAUSE.normal : cause });
  }

  holdLeg(leg: Leg, held: boolean): void {
    if (leg.state === "active" || leg.state === "held") leg.state = held ? "held" : "active";
  }

  abortLeg(leg: Leg, r: Release, notify: boolean): void {
    if (leg.state === "released") return;
    this.num.endLeg(leg, r, notify);
    leg.call.release(this, r);
  }
}

interface Refusal {
  r: Release;
  rule: string;
}

/** R55/R56: an emergency call needs a valid subscription and some network; limited service per parameter. */
function emergencyRefusal(num: SharedNumber, device: Device): Refusal | undefined {
  if (device.enrollment === "none") return { r: notAvailable("No valid subscription: emergency calls unavailable"), rule: "R55" };
  if (!device.attached || device.coverage === "none") return { r: NO_COVERAGE, rule: "R56" };
  if (device.coverage === "limited" && num.net.params.limitedServiceEmergency === "reject") {
    return { r: notAvailable("Emergency calls are not accepted in limited service"), rule: "R56" };
  }
  return undefined;
}

function ordinaryRefusal(num: SharedNumber, device: Device, number: string): Refusal | undefined {
  if (device.enrollment !== "registered") {
    return { r: notAvailable("One Number is not active on this device"), rule: device.enrollment === "unregistering" ? "R16" : "R11" };
  }
  if (!device.reachable) return { r: NO_COVERAGE, rule: "R20" };
  const p = num.net.params;
  if (device.kind === "accessory" && p.shortCodeBlocklist.indexOf(number) >= 0) {
    return { r: notAvailable("This number cannot be called from an accessory"), rule: "R43" };
  }
  if (num.line.inEmergency) return { r: LINE_IN_USE, rule: "R51" };
  const owner = num.line.owner;
  if (owner !== undefined && owner !== device.id) return { r: LINE_IN_USE, rule: "R39" };
  if ((number === "112" || number === "911") && p.foreignEmergency === "release") {
    return { r: { cause: CAUSE.unassigned, text: "Not an emergency number here: dial 110, 118 or 119" }, rule: "R54" };
  }
  return undefined;
}

function refuse(num: SharedNumber, leg: Leg, f: Refusal): void {
  leg.state = "released";
  leg.device.deliverCallState(leg, "released", f.r);
  num.log("refused", { device: leg.device.id, call: leg.call.id, cause: f.r.cause, rule: f.rule, detail: { to: leg.call.dialled, reason: f.r.text } });
}

/** R47/R48: every call of the owning device ends with #25, and so do its remote parties. */
function preempt(num: SharedNumber, owner: Device, by: Device): void {
  // Calls not yet connected first, so a waiting call does not turn into a ringing one on the way out.
  const legs = owner.legs.filter((l) => l.state !== "active" && l.state !== "held").concat(owner.legs.filter((l) => l.state === "active" || l.state === "held"));
  for (const l of legs) {
    if (l.emergency || l.state === "released") continue;
    const settingUp = !l.mt && (l.state === "dialing" || l.state === "alerting");
    num.log("preempted", { device: owner.id, call: l.call.id, cause: PREEMPTED.cause, rule: settingUp ? "R48" : "R47", detail: { by: by.id } });
    l.owner.abortLeg(l, PREEMPTED, true);
  }
}

/**
 * A device dials `dialString` (digits, `+`, `*`, `#`; 184/186 prefixes allowed).
 * `hide` is the device's own CLIR choice (+CLIR, `I`/`i`), undefined to follow the
 * number's setting. Returns the device's leg; progress reaches the device as events.
 */
export function placeCall(num: SharedNumber, device: Device, dialString: string, hide: boolean | undefined): Leg {
  const net = num.net;
  let number = dialString;
  let withheld = hide !== undefined ? hide : num.settings.presentation === "restricted";
  let prefix: string | undefined = undefined;
  // R38: 184 withholds and 186 presents the number for this call (docomo's prefixes).
  if (/^18[46][0-9+*#]/.test(number)) {
    prefix = number.slice(0, 3);
    withheld = prefix === "184";
    number = number.slice(3);
  }
  const code = parseServiceCode(number);
  const emergency = !code && net.isEmergencyNumber(number);
  const end = new DeviceEnd(num);
  const call = new Call(net.nextId("k"), { number: withheld ? "" : num.msisdn, withheld }, number, emergency);
  call.a = end;
  const leg: Leg = { id: net.nextId("n"), device, call, mt: false, state: "dialing", emergency, owner: end };
  end.leg = leg;
  num.log("dial", { device: device.id, call: call.id, detail: { to: number, prefix, withheld: withheld || undefined, emergency: emergency || undefined } });
  if (code) {
    // R80: a service code by dialing is not a call on the line: it neither needs nor takes it.
    const f = device.enrollment === "none" || !device.attached ? ordinaryRefusal(num, device, number) : undefined;
    if (f) refuse(num, leg, f);
    else dialServiceCode(num, device, leg, code);
    return leg;
  }
  const f = emergency ? emergencyRefusal(num, device) : ordinaryRefusal(num, device, number);
  if (f) {
    refuse(num, leg, f);
    return leg;
  }
  if (emergency) startEmergency(num, device, leg);
  else {
    if (num.alerting) {
      // R37: dialing while a call alerts: the line is this device's; the offered call is withdrawn.
      num.log("glare", { device: device.id, call: num.alerting.call.id, rule: "R37", detail: {} });
      num.alerting.withdraw("glare", "R37");
    }
    num.line.apply({ type: "seize", device: device.id });
    device.legs.push(leg);
  }
  net.connect(call, number, num);
  return leg;
}

/** RFC 5031 sub-services for the single 24.008 §10.5.4.33 category bits; R44: 119 (fire + ambulance) is plain sos. */
const SERVICE_URNS: { [bit: number]: string } = { 1: "urn:service:sos.police", 2: "urn:service:sos.ambulance", 4: "urn:service:sos.fire", 8: "urn:service:sos.marine", 16: "urn:service:sos.mountain" };

function emergencyService(num: SharedNumber, dialled: string): { categories: number; urn: string } {
  let categories = 0;
  for (const e of num.net.params.emergencyNumbers.numbers) if (e.number === dialled) categories = e.categories;
  return { categories, urn: SERVICE_URNS[categories] || "urn:service:sos" };
}

function startEmergency(num: SharedNumber, device: Device, leg: Leg): void {
  // R50: the caller's own calls end first (a modem does it itself; the smartphone API relies on this).
  for (const l of device.legs.slice()) {
    if (!l.emergency) l.owner.abortLeg(l, NORMAL, true);
  }
  const owner = num.line.owner;
  if (owner !== undefined && owner !== device.id) {
    const d = num.device(owner);
    if (d) preempt(num, d, device);
  }
  if (num.alerting) num.alerting.withdraw("emergency", "R48");
  num.line.apply({ type: "emergency-start", device: device.id });
  const call = leg.call;
  // R52: the device's own location; a 184 call reaches the agency without number and location.
  if (!call.cli.withheld) call.location = device.location;
  device.legs.push(leg);
  call.emergencyService = emergencyService(num, call.dialled);
  num.log("emergency", {
    device: device.id,
    call: call.id,
    rule: "R46",
    detail: {
      to: call.dialled,
      category: call.emergencyService.categories,
      serviceUrn: call.emergencyService.urn,
      location: call.location ? call.location.lat + "," + call.location.lon + " (" + call.location.source + ")" : undefined,
      withheld: call.cli.withheld || undefined,
      limitedService: device.coverage === "limited" || undefined,
    },
  });
  // R52 (23.271 §9.1): the network locates an emergency caller; a device that can measure
  // its own position is asked for it (+CPOSR), and a better fix replaces the cell's.
  if (!call.cli.withheld) device.requestPosition();
}
