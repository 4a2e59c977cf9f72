/**
 * Activation on a simulated network, in one object (SPEC R7–R18): the entitlement
 * server (service.ts), its SM-DP+ (smdp.ts), the companion app of each number's
 * smartphone (companion-app.ts), and the LPA of each accessory that has one (its
 * simulated modem, `modemLpa`). Front-ends (the console, the HTTP control, scenarios,
 * the management web page) use this:
 *
 * - `register(msisdn, accessory)`: P's app registers a paired accessory (`phone register`).
 * - `unregister(msisdn, accessory)`: P's app unsubscribes it (`phone unregister`, R15).
 * - `registrations(msisdn)`: every accessory the number knows, registered or not, as
 *   plain data (friendly name, model, IMEI, registration time, state).
 */
import type { SharedNetwork } from "../network/index.js";
import type { AccessoryPort } from "../network/port.js";
import type { SimModem } from "../modem/modem.js";
import { CompanionApp, CompanionOutcome, CompanionTerminal, Lpa, SubscribeOptions } from "./companion-app.js";
import { Emitter } from "../../hal/emitter.js";
import { EntitlementOptions, EntitlementService, SERVICE_STATUS } from "./service.js";
import { Smdp } from "./smdp.js";
import { defineError } from "../../hal/errors.js";

/** An accessory nobody can find by the name given, or one without an LPA to install a profile. */
export const ActivationError = defineError<{ code: "unknown-accessory" | "ambiguous-accessory" }>("ActivationError");

/** One accessory of a number as the registration list shows it. */
export interface RegistrationView {
  /** The network's device id ("A1".."A5") while registered, else "". */
  device: string;
  imei: string;
  imeiLast4: string;
  friendlyName: string;
  model: string;
  /** Registration time (ISO 8601 UTC) while registered, else null. */
  registeredAt: string | null;
  /**
   * `registered` and reachable; `not reachable` (registered, but off or out of coverage,
   * R14); `activating` (subscribed, profile not yet in use, R8 step 5); `unregistering`
   * (unregistered during a call, R16); `unregistered`.
   */
  state: "registered" | "not reachable" | "activating" | "unregistering" | "unregistered";
  /** TS.43 ServiceStatus (R10): 1 activated, 2 activating, 3 deactivated. */
  serviceStatus: number;
  /** The ICCID of the profile issued for it, if any. */
  iccid: string | null;
  /** Whether it is the SMS priority device (R68). */
  smsPriority: boolean;
  /** What P's app is still doing for it, in words ("" when nothing): the websheet, a busy SM-DP+, deleting an old profile. */
  progress: string;
  /** The same as a code (CompanionOutcome.pending), "" when nothing. */
  pending: "" | "websheet" | "delayed" | "deleting";
}

/**
 * A simulated modem as an accessory's LPA: it reports the R9 values and takes the
 * downloaded profile. `remove` deletes a profile; by default the simulated eUICC drops
 * it at once, and where the accessory's firmware runs with the network (npm start,
 * tests) the firmware does it over AT (firmware/activation/profiles.ts).
 */
export function modemLpa(modem: SimModem, port: AccessoryPort, eid?: string, remove?: (iccid: string) => Promise<void>): Lpa {
  return {
    terminal: (): CompanionTerminal => ({
      imei: modem.identity.imei,
      model: port.model,
      friendlyName: port.friendlyName,
      vendor: port.info.vendor || modem.identity.manufacturer,
      swVersion: port.info.swVersion || modem.identity.revision,
      eid: eid || port.eid,
      iccid: modem.simCard().present === false ? undefined : modem.identity.iccid,
    }),
    install: (profile) => modem.installProfile(profile),
    remove:
      remove ||
      ((iccid) => {
        if (!modem.deleteProfile(iccid)) throw new Error("the eUICC has no profile " + iccid);
      }),
  };
}

export class Activation {
  readonly smdp: Smdp;
  readonly service: EntitlementService;
  private readonly lpas = new Map<string, Lpa>();
  private readonly apps = new Map<string, CompanionApp>();
  /** The last outcome of each accessory's registration (by IMEI), for the list's words. */
  private readonly last = new Map<string, CompanionOutcome>();
  /** Outcomes P's app reached later by itself (after a websheet, a delay, a deletion). */
  readonly events = new Emitter<{ outcome: CompanionOutcome }>();

  constructor(
    readonly net: SharedNetwork,
    opts: EntitlementOptions = {},
  ) {
    this.smdp = new Smdp();
    this.smdp.now = () => net.clock.now();
    this.service = new EntitlementService(net, this.smdp, opts);
  }

  /** Makes an accessory's LPA known (pairing with P, R7): P's app can then register it. */
  pair(lpa: Lpa): void {
    this.lpas.set(lpa.terminal().imei, lpa);
  }

  /** The companion app on the smartphone of `msisdn`. */
  app(msisdn: string): CompanionApp {
    const num = this.net.number(msisdn);
    let a = this.apps.get(num.msisdn);
    if (!a) {
      a = new CompanionApp(num.msisdn, num.phone.imei, (p) => this.service.handle(p), this.smdp, this.service.usimOf(num.msisdn), this.net.clock);
      a.events.on("outcome", (o) => this.noted(o));
      this.apps.set(num.msisdn, a);
    }
    return a;
  }

  /** The paired accessory named by device id ("A2"), IMEI, its last 4 digits, or friendly name. */
  private find(msisdn: string, which: string): { imei: string; lpa: Lpa | undefined } {
    const ports = this.net.portsOf(msisdn);
    const hits: string[] = [];
    const add = (imei: string) => {
      if (hits.indexOf(imei) < 0) hits.push(imei);
    };
    for (const p of ports) if (p.id === which || p.imei === which || (which.length === 4 && p.imei.slice(-4) === which) || p.friendlyName === which) add(p.imei);
    this.lpas.forEach((l, imei) => {
      const t = l.terminal();
      if (imei === which || t.friendlyName === which || (which.length === 4 && imei.slice(-4) === which)) {
        const port = this.net.portByImei(imei);
        if (!port || port.num === this.net.number(msisdn)) add(imei);
      }
    });
    if (hits.length === 0) throw ActivationError("no accessory " + JSON.stringify(which) + " paired with the smartphone of " + msisdn, { code: "unknown-accessory" });
    if (hits.length > 1) throw ActivationError(JSON.stringify(which) + " names " + hits.length + " accessories; use the IMEI", { code: "ambiguous-accessory" });
    return { imei: hits[0], lpa: this.lpas.get(hits[0]) };
  }

  /** `phone register <accessory> [name <friendly name>]`: the companion app registers a paired accessory (R8, R12, R13). */
  register(msisdn: string, which: string, opts: SubscribeOptions = {}): CompanionOutcome {
    const { lpa } = this.find(msisdn, which);
    if (!lpa) throw ActivationError(JSON.stringify(which) + " is not paired with the smartphone (it has no LPA here to install a profile)", { code: "unknown-accessory" });
    const o = this.app(msisdn).subscribe(lpa, opts);
    this.last.set(o.imei, o);
    return o;
  }

  private noted(o: CompanionOutcome): void {
    this.last.set(o.imei, o);
    this.events.emit("outcome", o);
  }

  private pendingOf(imei: string): RegistrationView["pending"] {
    const o = this.last.get(imei);
    return o && o.pending ? o.pending : "";
  }

  /** The words for what the app is still doing for an accessory, "" when nothing. */
  private progressOf(imei: string): string {
    const o = this.last.get(imei);
    if (!o || !o.pending) return "";
    if (o.pending === "websheet") return "waiting for the One Number terms to be accepted on the management site";
    if (o.pending === "delayed") return "the SM-DP+ is preparing the profile; P's app asks again every " + o.retryInSec + " s";
    return "deleting the old profile " + (o.iccid || "") + " on the accessory";
  }

  /** `phone unregister <accessory>`: ManageSubscription operation_type=1 (R15). */
  unregister(msisdn: string, which: string): CompanionOutcome {
    return this.app(msisdn).unsubscribe(this.find(msisdn, which).imei);
  }

  /** Every accessory the number knows, registered ones first in slot order. */
  registrations(msisdn: string): RegistrationView[] {
    const num = this.net.number(msisdn);
    const ports = this.net.portsOf(num.msisdn);
    const rank = (p: AccessoryPort) => (p.enrollment === "registered" ? Number(p.id.slice(1)) : p.enrollment === "unregistering" ? 10 : 20);
    return ports
      .slice()
      .sort((a, b) => rank(a) - rank(b))
      .map((p) => {
        const issued = this.smdp.issuedTo(p.imei, num.msisdn);
        const pending = p.enrollment === "none" && num.reservation(p.imei) !== undefined;
        const state: RegistrationView["state"] =
          p.enrollment === "registered" ? (p.reachable ? "registered" : "not reachable") : p.enrollment === "unregistering" ? "unregistering" : pending ? "activating" : "unregistered";
        return {
          device: p.enrollment === "none" ? "" : p.id,
          imei: p.imei,
          imeiLast4: p.imei.slice(-4),
          friendlyName: p.friendlyName,
          model: p.model,
          registeredAt: p.enrollment === "registered" ? new Date(p.registeredAt).toISOString() : null,
          state,
          serviceStatus: p.enrollment === "registered" ? SERVICE_STATUS.activated : pending ? SERVICE_STATUS.activating : SERVICE_STATUS.deactivated,
          iccid: issued ? issued.iccid : p.ue ? p.ue.iccid : null,
          smsPriority: num.priority === p.id && p.enrollment === "registered",
          progress: this.progressOf(p.imei),
          pending: this.pendingOf(p.imei),
        };
      });
  }
}
