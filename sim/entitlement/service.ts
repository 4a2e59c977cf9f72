/**
 * The entitlement server of the simulated network, in the shape of GSMA TS.43 On-Device
 * Service Activation for companion devices (SPEC R8–R13, R15; app id `ap2006`). The
 * smartphone's companion app speaks to it; so can any TS.43 client over HTTP (the route
 * in http.ts), since the answer is the provisioning document of xml.ts.
 *
 * Requests are parameter maps (the query of a TS.43 GET). What it implements:
 * - Authentication of P by TS.43 §2.8.1 embedded EAP-AKA (eap-relay.ts, RFC 4187 with
 *   MILENAGE): a request without `token` whose `terminal_id` is P's IMEI and whose
 *   `EAP_ID` names P's IMSI (`0<IMSI>@nai.epc.mnc<MNC>.mcc<MCC>.3gppnetwork.org`) is
 *   answered with an EAP-Request/AKA-Challenge in `eap-relay-packet`; the client's
 *   EAP-Response/AKA-Challenge (AT_RES, AT_MAC) gets the answer to its first request
 *   with a `TOKEN` (`token`, `validity` in s); later requests carry `token`. A bad or
 *   expired token is HTTP 403, as TS.43 says, and the client authenticates again.
 * - `CheckEligibility`: `CompanionAppEligibility` (1 when P's number has One Number, 0
 *   otherwise) and `CompanionDeviceServices` = `SharedNumber`.
 * - `ManageSubscription` with `operation_type` 0 (subscribe, R8) and 1 (unsubscribe,
 *   R15), `companion_terminal_service=SharedNumber`, the R9 `companion_terminal_*`
 *   parameters. Answers: `SubscriptionResult` 2 with `DownloadInfo` (ProfileIccid,
 *   ProfileSmdpAddress, ProfileActivationCode) for a new accessory, 3 for one already
 *   registered (R13) or whose profile is already on it, 5 with a `Message` naming the
 *   limit when refused (R2, R12). `ServiceStatus` (R10) with each. Also, each from a condition of the simulated network:
 *   1 (websheet: new terms to accept on the site first; `SubscriptionServiceURL`),
 *   4 (the SM-DP+ still preparing the profile; `PollingInterval`), 6 (the accessory's
 *   profile may not be reused, ServiceStatus 4: delete it first), 7 (its profile was
 *   downloaded once and is gone: download the same one again), 8 (no friendly name).
 * - `AcquireConfiguration`: the service status and ICCID of one accessory
 *   (`companion_terminal_id`) or of every accessory of the number.
 * - `OperationResult` (R10): 1 success, 100 general error, 101 invalid operation, 102
 *   invalid parameter (the `Message` names it), 103 optional operation not supported
 *   (operation_type 2–4, DiffNumber, ManageService, ...), 104 invalid `MSG_response`.
 */
import { randomBytes } from "node:crypto";
import { defineError } from "../../hal/errors.js";
import type { AccessoryInfo, SharedNetwork, SharedNumber, SmsCapability } from "../network/index.js";
import type { AccessoryPort } from "../network/port.js";
import { Smdp } from "./smdp.js";
import { AuthCentre, Usim } from "./aka/auc.js";
import { EAP_RELAY_PARAM, EAP_RELAY_TYPE, EapAkaRelay } from "./eap-relay.js";
import { Characteristic, characteristic, writeDoc } from "./xml.js";

export const APP_COMPANION = "ap2006";
export const CONTENT_TYPE = "text/vnd.wap.connectivity-xml";

/** R10. */
export const OPERATION_RESULT = { success: 1, generalError: 100, invalidOperation: 101, invalidParameter: 102, notSupported: 103, invalidMsgResponse: 104 } as const;
/** R8 step 4. */
export const SUBSCRIPTION_RESULT = { websheet: 1, downloadProfile: 2, done: 3, delayedDownload: 4, dismiss: 5, deleteProfile: 6, redownloadable: 7, userInput: 8 } as const;
/** R10. */
export const SERVICE_STATUS = { activated: 1, activating: 2, deactivated: 3, deactivatedNoReuse: 4 } as const;

export interface Ts43Response {
  /** 200 with a document; 400 for a request without `app`; 403 for failed authentication. */
  status: number;
  contentType: string;
  body: string;
}

export interface EntitlementOptions {
  /** Token lifetime (default 3600 s). */
  tokenValiditySec?: number;
  /** Where SubscriptionResult=1 sends the user (SubscriptionServiceURL; default `/manage/terms`, the management site's page on the same server). */
  websheetUrl?: string;
  /** What the network knows of a model's capabilities (R5), for an accessory it has not seen. */
  capabilities?: (model: string) => { sms: SmsCapability; callWaiting: boolean };
}

type Params = { [k: string]: string };

/** The IMSI of the smartphone of `msisdn` (its credentials for TS.43 authentication): MCC 440, MNC 10, the number's last 10 digits. */
export function phoneImsi(msisdn: string): string {
  const digits = msisdn.replace(/[^0-9]/g, "");
  return "44010" + digits.slice(-10).padStart(10, "0");
}

/** TS.43 §2.8.1 / 3GPP TS 23.003 §19.3.2: the EAP-AKA identity of an IMSI. */
export function eapId(imsi: string): string {
  return "0" + imsi + "@nai.epc.mnc0" + imsi.slice(3, 5) + ".mcc" + imsi.slice(0, 3) + ".3gppnetwork.org";
}

function plain(status: number, text: string): Ts43Response {
  return { status, contentType: "text/plain; charset=utf-8", body: text + "\n" };
}

/** TS.43 §2.8.1: an EAP packet for the client, as JSON. */
function relayAnswer(status: number, packet: Uint8Array): Ts43Response {
  return { status, contentType: EAP_RELAY_TYPE, body: JSON.stringify({ [EAP_RELAY_PARAM]: Buffer.from(packet).toString("base64") }) };
}

/** How often the app asks again while the user is on the websheet (s). */
const WEBSHEET_POLL_SEC = 30;

const IMEI = /^[0-9]{15}$/;
const EID = /^[0-9]{32}$/;
const ICCID = /^[0-9]{18,20}$/;

/** A request parameter that is missing or malformed: OperationResult 102 naming it. */
const BadParamError = defineError<{ param: true }>("BadParamError");
const badParam = (message: string) => BadParamError(message, { param: true });

export class EntitlementService {
  private readonly tokens = new Map<string, { msisdn: string; expires: number }>();
  private readonly validityMs: number;
  readonly relay: EapAkaRelay;
  /** The One Number contract's terms in force; version 1 is the one every number signed. */
  private terms = { version: 1, text: "" };
  private readonly accepted = new Map<string, number>();

  constructor(
    readonly net: SharedNetwork,
    readonly smdp: Smdp,
    private readonly opts: EntitlementOptions = {},
  ) {
    this.validityMs = (opts.tokenValiditySec || 3600) * 1000;
    this.relay = new EapAkaRelay(new AuthCentre(), net.clock);
  }

  /** Answers one TS.43 request. */
  handle(params: Params): Ts43Response {
    let p = params;
    let num: SharedNumber;
    let fresh = false;
    if (p[EAP_RELAY_PARAM] !== undefined) {
      // The client's EAP-Response (TS.43 §2.8.1): the original request is answered once it is right.
      const text = p[EAP_RELAY_PARAM];
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return plain(400, EAP_RELAY_PARAM + ": expected base64");
      const r = this.relay.answer(new Uint8Array(Buffer.from(text, "base64")));
      if (r.kind === "refused") return plain(r.status, r.message);
      if (r.kind === "packet") return relayAnswer(r.status, r.packet);
      const who = this.byImsi(r.imsi);
      if (!who) return plain(403, "the subscriber is gone");
      num = who;
      p = r.params;
      fresh = true;
    }
    const app = p.app;
    if (!app) return plain(400, "missing parameter app (ap2006: ODSA for companion devices)");
    const top: Characteristic[] = [characteristic("VERS", { version: "1", validity: "172800" })];
    if (fresh) {
      // num was set by the relay's success above.
    } else if (p.token) {
      const t = this.tokens.get(p.token);
      if (!t || t.expires <= this.net.clock.now()) return plain(403, "token invalid or expired: authenticate again");
      num = this.net.number(t.msisdn);
    } else {
      const who = this.authenticate(p);
      if (!who) return plain(403, "authentication failed: terminal_id and EAP_ID must be those of a smartphone with a shared number");
      // TS.43 §2.8.1: EAP-AKA first; the request is answered when the challenge is.
      const c = this.relay.challenge(p.EAP_ID, phoneImsi(who.msisdn), p);
      if (c.kind === "packet") return relayAnswer(c.status, c.packet);
      return plain(c.kind === "refused" ? c.status : 500, c.kind === "refused" ? c.message : "authentication failed");
    }
    if (fresh) {
      // Expired tokens go when a new one is made, so the table never grows past the live ones.
      const now = this.net.clock.now();
      this.tokens.forEach((v, k) => {
        if (v.expires <= now) this.tokens.delete(k);
      });
      const token = randomBytes(16).toString("hex");
      this.tokens.set(token, { msisdn: num!.msisdn, expires: now + this.validityMs });
      top.push(characteristic("TOKEN", { token, validity: String(this.validityMs / 1000) }));
    }
    if (p.operation !== undefined || app !== APP_COMPANION) top.push(this.application(app, num!, p));
    return { status: 200, contentType: CONTENT_TYPE, body: writeDoc(top) };
  }

  /**
   * The operator publishes new terms for One Number contracts: each number accepts them
   * on the management site before another accessory can be subscribed (SubscriptionResult 1).
   */
  publishTerms(version: number, text: string): void {
    if (!(version > this.terms.version)) throw new RangeError("terms version " + version + " is not newer than " + this.terms.version);
    this.terms = { version, text };
  }

  /** The terms `msisdn` has still to accept, if any. */
  termsPending(msisdn: string): { version: number; text: string } | undefined {
    const had = this.accepted.get(this.net.number(msisdn).msisdn) || 1;
    return had < this.terms.version ? { version: this.terms.version, text: this.terms.text } : undefined;
  }

  /** The user accepted the terms on the site (the websheet). */
  acceptTerms(msisdn: string, version: number): void {
    if (version !== this.terms.version) throw new RangeError("terms version " + version + " is not the current one (" + this.terms.version + ")");
    this.accepted.set(this.net.number(msisdn).msisdn, version);
    this.net.number(msisdn).log("terms", { rule: "R8", detail: { version } });
  }

  /** P's USIM as the network personalised it (the simulated smartphone's SIM card). */
  usimOf(msisdn: string): Usim {
    return new Usim(this.relay.auc.key(phoneImsi(this.net.number(msisdn).msisdn)));
  }

  private byImsi(imsi: string): SharedNumber | undefined {
    for (const num of this.net.allNumbers()) if (phoneImsi(num.msisdn) === imsi) return num;
    return undefined;
  }

  private authenticate(p: Params): SharedNumber | undefined {
    if (!p.terminal_id || !p.EAP_ID) return undefined;
    for (const num of this.net.allNumbers()) {
      if (num.phone.imei === p.terminal_id && eapId(phoneImsi(num.msisdn)) === p.EAP_ID) return num;
    }
    return undefined;
  }

  private application(app: string, num: SharedNumber, p: Params): Characteristic {
    const answer = (result: number, parms: { [k: string]: string | number | undefined } = {}, children: Characteristic[] = []) =>
      characteristic("APPLICATION", { AppID: app, OperationResult: result, ...parms }, children);
    if (app !== APP_COMPANION) return answer(OPERATION_RESULT.notSupported, { Message: "only " + APP_COMPANION + " (ODSA for companion devices) is served here" });
    if (p.MSG_response !== undefined && p.MSG_response !== "0" && p.MSG_response !== "1") {
      return answer(OPERATION_RESULT.invalidMsgResponse, { Message: "MSG_response must be 0 or 1" });
    }
    try {
      switch (p.operation) {
        case "CheckEligibility":
          return answer(OPERATION_RESULT.success, { CompanionAppEligibility: num.oneNumber ? 1 : 0, CompanionDeviceServices: "SharedNumber" });
        case "ManageSubscription":
          return this.manageSubscription(num, p, answer);
        case "AcquireConfiguration":
          return answer(OPERATION_RESULT.success, {}, [this.configurations(num, p)]);
        case "ManageService":
        case "AcquireTemporaryToken":
        case "GetPhoneNumber":
        case "AcquirePlan":
          return answer(OPERATION_RESULT.notSupported, { Message: p.operation + " is not offered for companion devices here" });
        default:
          return answer(OPERATION_RESULT.invalidOperation, { Message: "unknown operation " + JSON.stringify(p.operation) });
      }
    } catch (e) {
      if (BadParamError.is(e)) return answer(OPERATION_RESULT.invalidParameter, { Message: e.message });
      return answer(OPERATION_RESULT.generalError, { Message: e instanceof Error ? e.message : String(e) });
    }
  }

  private manageSubscription(num: SharedNumber, p: Params, answer: (r: number, parms?: { [k: string]: string | number | undefined }, children?: Characteristic[]) => Characteristic): Characteristic {
    const op = p.operation_type;
    if (op === undefined || !/^[0-9]+$/.test(op)) throw badParam("operation_type: required, 0 subscribe or 1 unsubscribe");
    if (op === "2" || op === "3" || op === "4") return answer(OPERATION_RESULT.notSupported, { Message: "operation_type " + op + " (change, transfer, update) is not offered" });
    if (op !== "0" && op !== "1") throw badParam("operation_type: " + op + " is not a ManageSubscription operation (0..4)");
    const imei = p.companion_terminal_id;
    if (!imei || !IMEI.test(imei)) throw badParam("companion_terminal_id: the accessory's IMEI, 15 digits");
    if (op === "1") return this.unsubscribe(num, imei, answer);
    const service = p.companion_terminal_service;
    if (service === "DiffNumber") return answer(OPERATION_RESULT.notSupported, { Message: "One Number shares the smartphone's number: only SharedNumber is offered" });
    if (service !== "SharedNumber") throw badParam("companion_terminal_service: SharedNumber (or DiffNumber)");
    const eid = p.companion_terminal_eid;
    if (eid !== undefined && !EID.test(eid)) throw badParam("companion_terminal_eid: 32 digits");
    if (p.companion_terminal_iccid !== undefined && !ICCID.test(p.companion_terminal_iccid)) throw badParam("companion_terminal_iccid: 18-20 digits");
    const model = p.companion_terminal_model;
    if (!model) throw badParam("companion_terminal_model: required");
    const name = p.companion_terminal_friendly_name || "";
    if (name.length > 64) throw badParam("companion_terminal_friendly_name: at most 64 characters");
    // R8 step 4, 8: the list of accessories (R14) shows each by its name; without one the
    // user is asked for it (the app asks again with it).
    if (name.trim() === "") return answer(OPERATION_RESULT.success, { SubscriptionResult: SUBSCRIPTION_RESULT.userInput, UserInput: "companion_terminal_friendly_name", Message: "give this accessory a name (it is how the management site lists it)" });
    const caps = this.opts.capabilities ? this.opts.capabilities(model) : { sms: "native" as SmsCapability, callWaiting: false };
    const info: AccessoryInfo = { imei, friendlyName: name, model, vendor: p.companion_terminal_vendor, swVersion: p.companion_terminal_sw_version, eid, sms: caps.sms, callWaiting: caps.callWaiting };
    let port: AccessoryPort;
    try {
      port = this.net.portFor(num.msisdn, info, { register: false });
    } catch (e) {
      throw badParam(e instanceof Error ? e.message : String(e));
    }
    if (port.friendlyName !== name) port.rename(name);
    if (port.enrollment === "registered" || !num.oneNumber) {
      const a = num.admission(port) || { operationResult: 1, subscriptionResult: 5, message: "" };
      return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, a.subscriptionResult, a.message));
    }
    if (port.enrollment === "unregistering") {
      return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, SUBSCRIPTION_RESULT.dismiss, port.id + " is being unregistered after its call; ask again when it ends"));
    }
    // R8 step 4, 1: new terms on the number's contract are accepted on the site first.
    const terms = this.termsPending(num.msisdn);
    if (terms) {
      return answer(OPERATION_RESULT.success, {
        ...this.subscriptionParms(num, port, SUBSCRIPTION_RESULT.websheet, "accept the One Number terms (version " + terms.version + ") on the management site, then the registration goes on"),
        SubscriptionServiceURL: this.opts.websheetUrl || "/manage/terms",
        SubscriptionServiceUserData: "msisdn=" + num.msisdn + "&terms=" + terms.version,
        PollingInterval: WEBSHEET_POLL_SEC,
      });
    }
    // R8 step 4, 6: the profile the accessory holds may not be used again (ServiceStatus 4:
    // retired, or issued for another number, e.g. a second-hand accessory): it is deleted first.
    const held = p.companion_terminal_iccid;
    if (held !== undefined && this.smdp.retired(held, num.msisdn)) {
      return answer(OPERATION_RESULT.success, {
        SubscriptionResult: SUBSCRIPTION_RESULT.deleteProfile,
        ServiceStatus: SERVICE_STATUS.deactivatedNoReuse,
        ICCID: held,
        Message: "the profile " + held + " on the accessory may not be used again: delete it, then ask again",
      });
    }
    const issued = this.smdp.issuedTo(imei, num.msisdn);
    // R8 step 4, 7: its profile was downloaded once and is gone from it (a factory reset):
    // the same profile is downloaded again (re-downloadable; no second ICCID for one accessory).
    if (issued && issued.downloaded && held !== issued.iccid && !(port.ue && port.attached && port.ue.iccid === issued.iccid)) {
      const again = this.smdp.order(num.msisdn, imei, eid);
      const refused = num.reserve(port, again.iccid);
      if (refused) return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, refused.subscriptionResult, refused.message));
      return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, SUBSCRIPTION_RESULT.redownloadable, "download the accessory's profile " + again.iccid + " again"), [
        characteristic("DownloadInfo", { ProfileIccid: again.iccid, ProfileSmdpAddress: this.smdp.address, ProfileActivationCode: again.activationCode }),
      ]);
    }
    // The accessory still holds the profile it was registered with (unregistration does not
    // erase it, R15): that profile is used again, nothing is downloaded.
    const current = port.ue !== undefined && port.attached ? port.ue.iccid : undefined;
    const reuse = current !== undefined && !this.smdp.retired(current, num.msisdn) && (issued ? current === issued.iccid : port.registeredAt > 0) ? current : undefined;
    if (reuse !== undefined) {
      const refused = num.reserve(port, reuse);
      if (refused) return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, refused.subscriptionResult, refused.message));
      num.profileAttached(port, reuse);
      return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, SUBSCRIPTION_RESULT.done, "the profile on the accessory is used again"));
    }
    const order = issued && !issued.downloaded && this.smdp.preparing(issued) > 0 ? issued : this.smdp.order(num.msisdn, imei, eid);
    const refused = num.reserve(port, order.iccid);
    if (refused) return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, refused.subscriptionResult, refused.message));
    // R8 step 4, 4: the SM-DP+ is still preparing the profile: the app asks again after PollingInterval.
    const wait = this.smdp.preparing(order);
    if (wait > 0) {
      return answer(OPERATION_RESULT.success, {
        ...this.subscriptionParms(num, port, SUBSCRIPTION_RESULT.delayedDownload, "the SM-DP+ is preparing the profile; ask again in " + Math.ceil(wait / 1000) + " s"),
        PollingInterval: Math.ceil(wait / 1000),
      });
    }
    return answer(OPERATION_RESULT.success, this.subscriptionParms(num, port, SUBSCRIPTION_RESULT.downloadProfile, "download the profile"), [
      characteristic("DownloadInfo", { ProfileIccid: order.iccid, ProfileSmdpAddress: this.smdp.address, ProfileActivationCode: order.activationCode }),
    ]);
  }

  private subscriptionParms(num: SharedNumber, port: AccessoryPort, result: number, message: string): { [k: string]: string | number | undefined } {
    return { SubscriptionResult: result, ServiceStatus: this.status(num, port), ICCID: this.iccidOf(num, port), Message: message || undefined };
  }

  private unsubscribe(num: SharedNumber, imei: string, answer: (r: number, parms?: { [k: string]: string | number | undefined }) => Characteristic): Characteristic {
    const port = this.net.portByImei(imei);
    if (!port || port.num !== num) throw badParam("companion_terminal_id: no accessory " + imei + " on " + num.msisdn);
    if (port.enrollment === "registered") num.unregister(port, "manage-subscription");
    else if (!num.dropReservation(imei)) {
      return answer(OPERATION_RESULT.success, { ServiceStatus: SERVICE_STATUS.deactivated, Message: "not registered" });
    } else num.log("unregister", { rule: "R15", detail: { imei, via: "manage-subscription", pending: true } });
    return answer(OPERATION_RESULT.success, { ServiceStatus: SERVICE_STATUS.deactivated, ICCID: this.iccidOf(num, port) });
  }

  private status(num: SharedNumber, port: AccessoryPort): number {
    if (port.num !== num) return SERVICE_STATUS.deactivated;
    if (port.enrollment === "registered") return SERVICE_STATUS.activated;
    if (port.enrollment === "none" && num.reservation(port.imei)) return SERVICE_STATUS.activating;
    return SERVICE_STATUS.deactivated;
  }

  private iccidOf(num: SharedNumber, port: AccessoryPort): string | undefined {
    const o = this.smdp.issuedTo(port.imei, num.msisdn);
    return o ? o.iccid : port.ue ? port.ue.iccid : undefined;
  }

  private configurations(num: SharedNumber, p: Params): Characteristic {
    const one = p.companion_terminal_id;
    if (one !== undefined && !IMEI.test(one)) throw badParam("companion_terminal_id: the accessory's IMEI, 15 digits");
    const ports: AccessoryPort[] = [];
    for (const d of num.accessories()) {
      const port = this.net.portByImei(d.imei);
      if (port) ports.push(port);
    }
    if (one !== undefined) {
      const port = this.net.portByImei(one);
      if (!port || port.num !== num) throw badParam("companion_terminal_id: no accessory " + one + " on " + num.msisdn);
      if (ports.indexOf(port) < 0) ports.push(port);
    }
    const list = ports
      .filter((port) => one === undefined || port.imei === one)
      .map((port) =>
        characteristic("CompanionConfiguration", {
          CompanionTerminalId: port.imei,
          CompanionDeviceService: "SharedNumber",
          ServiceStatus: this.status(num, port),
          ICCID: this.iccidOf(num, port),
          FriendlyName: port.friendlyName,
        }),
      );
    return characteristic("CompanionConfigurations", {}, list);
  }
}
