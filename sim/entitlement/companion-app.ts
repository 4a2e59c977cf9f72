/**
 * The smartphone's side of activation (SPEC R7, R8): docomo's One Number settings app on
 * P, as a TS.43 ODSA client for companion devices. It authenticates as P, checks the
 * accessory's eligibility, subscribes it with `companion_terminal_service=SharedNumber`
 * and the R9 `companion_terminal_*` values it learnt when the accessory was paired, and
 * on `SubscriptionResult=2` passes the activation code to the accessory's LPA, which
 * downloads the profile from the SM-DP+ and installs it (R8 step 5). It reads the
 * answers the way a real client does: from the XML document, by characteristic path.
 *
 * The transport is a function from request parameters to the HTTP answer, so the same
 * app runs in-process (scenarios, the console) or against the HTTP route.
 */
import { defineError } from "../../hal/errors.js";
import { Emitter } from "../../hal/emitter.js";
import type { Clock, TimerHandle } from "../../hal/types.js";
import { EsimProfile, Smdp, SmdpError } from "./smdp.js";
import { APP_COMPANION, OPERATION_RESULT, SUBSCRIPTION_RESULT, Ts43Response, eapId, phoneImsi } from "./service.js";
import { Characteristic, parmAt, readDoc } from "./xml.js";
import type { Usim } from "./aka/auc.js";
import { AKA_SUBTYPE, AT, EAP_CODE, atAuts, atRes, decodeEap, deriveKeys, encodeEap, macValid, value16, withMac, type EapPacket } from "./aka/eap-aka.js";
import { EAP_RELAY_PARAM, EAP_RELAY_TYPE } from "./eap-relay.js";

/** What P knows of a paired accessory (R7, R9). */
export interface CompanionTerminal {
  imei: string;
  model: string;
  friendlyName: string;
  vendor?: string;
  swVersion?: string;
  eid?: string;
  /** The profile in use on the accessory, if any. */
  iccid?: string;
}

/** The accessory's local profile assistant (SGP.22 LPAd): it identifies itself and installs a downloaded profile. */
export interface Lpa {
  terminal(): CompanionTerminal;
  install(profile: EsimProfile): void;
  /** Deletes the profile `iccid` from the eUICC (SGP.22 ES10c.DeleteProfile); resolves once it is gone. */
  remove(iccid: string): Promise<void> | void;
}

/** What the user gives the app for a registration (SubscriptionResult 8 asks for it). */
export interface SubscribeOptions {
  friendlyName?: string;
}

export type Ts43Transport = (params: { [k: string]: string }) => Ts43Response;

/** The outcome of a registration or unregistration, as the app shows it. */
export interface CompanionOutcome {
  /** The request was understood (OperationResult 1) and not refused (SubscriptionResult not 5). */
  ok: boolean;
  operation: "subscribe" | "unsubscribe";
  imei: string;
  operationResult: number;
  subscriptionResult?: number;
  serviceStatus?: number;
  iccid?: string;
  /** The server's Message, or what the app says. */
  message: string;
  /** Whether a profile was downloaded and installed on the accessory. */
  downloaded: boolean;
  /** The app goes on by itself: the user is on the websheet (1), the SM-DP+ is busy (4), the old profile is being deleted (6). */
  pending?: "websheet" | "delayed" | "deleting";
  /** When the app asks again (s), for `websheet` and `delayed`. */
  retryInSec?: number;
  /** Where the user accepts the terms (SubscriptionServiceURL), for `websheet`. */
  websheetUrl?: string;
  /** What the server needs from the user (SubscriptionResult 8): the parameter's name. */
  userInput?: string;
}

/** Polls while the user is on the websheet (at 30 s, 10 minutes) and while the SM-DP+ prepares. */
const MAX_WEBSHEET_POLLS = 20;
const MAX_DELAY_POLLS = 10;
const DEFAULT_POLL_SEC = 30;

/** The app's failure to talk to the server at all (HTTP status other than 200, unreadable XML). */
export const CompanionAppError = defineError<{ status: number }>("CompanionAppError");

function num(v: string | undefined): number | undefined {
  return v === undefined || !/^[0-9]+$/.test(v) ? undefined : Number(v);
}

/**
 * The USIM's answer to an EAP-Request/AKA-Challenge (RFC 4187 §6.3.1): AT_RES with
 * AT_MAC; Synchronization-Failure with AT_AUTS when SQN is not fresh; and
 * Authentication-Reject (`rejected`) when AUTN, or the request's AT_MAC, is not the
 * network's. `identity` is the one sent as EAP_ID (RFC 4187 §7's Identity).
 */
export function answerChallenge(usim: Usim, identity: string, bytes: Uint8Array): { packet: Uint8Array; rejected: boolean } {
  const p = decodeEap(bytes);
  if (p.code === EAP_CODE.failure) throw CompanionAppError("EAP-AKA: the server sent EAP-Failure", { status: 403 });
  if (p.code !== EAP_CODE.request || p.subtype !== AKA_SUBTYPE.challenge) throw CompanionAppError("EAP-AKA: expected a Request/AKA-Challenge", { status: 200 });
  const reply = (subtype: number, attributes: EapPacket["attributes"]): Uint8Array => encodeEap({ code: EAP_CODE.response, identifier: p.identifier, subtype, attributes });
  const reject = { packet: reply(AKA_SUBTYPE.authenticationReject, []), rejected: true };
  const rand = value16(p, AT.RAND);
  const autn = value16(p, AT.AUTN);
  if (!rand || !autn) return reject;
  const a = usim.authenticate(rand, autn);
  if (a.kind === "macFailure") return reject;
  if (a.kind === "syncFailure") return { packet: reply(AKA_SUBTYPE.synchronizationFailure, [atAuts(a.auts)]), rejected: false };
  const keys = deriveKeys(identity, a.ik, a.ck);
  // RFC 4187 §6.3.1: a Challenge whose AT_MAC is wrong is not from the network either.
  if (!macValid(keys.kAut, p)) return reject;
  return { packet: encodeEap(withMac(keys.kAut, { code: EAP_CODE.response, identifier: p.identifier, subtype: AKA_SUBTYPE.challenge, attributes: [atRes(a.res)] })), rejected: false };
}

export class CompanionApp {
  private token: string | undefined = undefined;
  private readonly jobs = new Map<string, { cancelled: boolean; timer: TimerHandle | undefined }>();
  /** Later outcomes of registrations the app continued by itself (after 1, 4 or 6). */
  readonly events = new Emitter<{ outcome: CompanionOutcome }>();
  /** Challenges this app refused as not from the network (bad AUTN or AT_MAC). */
  rejected = 0;

  constructor(
    readonly msisdn: string,
    readonly phoneImei: string,
    private readonly transport: Ts43Transport,
    private readonly smdp: Smdp,
    private readonly usim: Usim,
    private readonly clock: Clock,
  ) {}

  /** Sends one operation; authenticates first (or again after a 403, TS.43 §2.8). */
  private request(params: { [k: string]: string }): Characteristic[] {
    for (let attempt = 0; attempt < 2; attempt++) {
      const base: { [k: string]: string } = { app: APP_COMPANION, vers: "1", entitlement_version: "8.0", terminal_id: this.phoneImei };
      if (this.token) base.token = this.token;
      else base.EAP_ID = eapId(phoneImsi(this.msisdn));
      let r = this.transport({ ...base, ...params });
      if (r.status === 403 && this.token) {
        this.token = undefined;
        continue;
      }
      // TS.43 §2.8.1: EAP-AKA relayed until the server answers the request itself.
      for (let round = 0; r.contentType.indexOf(EAP_RELAY_TYPE) === 0 && round < 4; round++) {
        if (r.status !== 200) throw CompanionAppError("EAP-AKA failed: " + this.relayText(r), { status: r.status });
        const a = answerChallenge(this.usim, eapId(phoneImsi(this.msisdn)), this.relayPacket(r));
        if (a.rejected) this.rejected++;
        r = this.transport({ [EAP_RELAY_PARAM]: Buffer.from(a.packet).toString("base64") });
      }
      if (r.status !== 200) throw CompanionAppError("entitlement server answered HTTP " + r.status + ": " + r.body.trim(), { status: r.status });
      let doc: Characteristic[];
      try {
        doc = readDoc(r.body);
      } catch (e) {
        throw CompanionAppError("entitlement server sent unreadable XML: " + (e as Error).message, { status: r.status });
      }
      const token = parmAt(doc, "TOKEN", "token");
      if (token) this.token = token;
      return doc;
    }
    throw CompanionAppError("entitlement server refused the smartphone's credentials", { status: 403 });
  }

  private relayPacket(r: Ts43Response): Uint8Array {
    let v: unknown;
    try {
      v = JSON.parse(r.body);
    } catch (e) {
      throw CompanionAppError("entitlement server sent an unreadable EAP relay body: " + (e as Error).message, { status: r.status });
    }
    const text = v && typeof v === "object" ? (v as { [k: string]: unknown })[EAP_RELAY_PARAM] : undefined;
    if (typeof text !== "string") throw CompanionAppError("EAP relay body without " + EAP_RELAY_PARAM, { status: r.status });
    return new Uint8Array(Buffer.from(text, "base64"));
  }

  private relayText(r: Ts43Response): string {
    try {
      const p = decodeEap(this.relayPacket(r));
      return p.code === EAP_CODE.failure ? "EAP-Failure (HTTP " + r.status + ")" : "HTTP " + r.status;
    } catch (e) {
      return "HTTP " + r.status + ": " + r.body.trim();
    }
  }

  /** R8 step 2: whether the number may have companion devices (One Number). */
  checkEligibility(): { eligible: boolean; operationResult: number } {
    const doc = this.request({ operation: "CheckEligibility" });
    return { eligible: parmAt(doc, "APPLICATION", "CompanionAppEligibility") === "1", operationResult: num(parmAt(doc, "APPLICATION", "OperationResult")) || 0 };
  }

  /**
   * R8: registers the accessory behind `lpa` on the number (eligibility, subscribe,
   * profile download). The answer is the first outcome; when the server says to come
   * back (1 websheet, 4 delayed download, 6 delete the profile in use), the app goes on
   * by itself, on the network's clock, and reports each later outcome as `outcome`.
   */
  subscribe(lpa: Lpa, opts: SubscribeOptions = {}): CompanionOutcome {
    const t = lpa.terminal();
    this.cancel(t.imei);
    return this.subscribeOnce(lpa, opts, 0);
  }

  private subscribeOnce(lpa: Lpa, opts: SubscribeOptions, polls: number): CompanionOutcome {
    const t = lpa.terminal();
    const out = (o: Partial<CompanionOutcome> & { operationResult: number; message: string }): CompanionOutcome => ({ ok: false, operation: "subscribe", imei: t.imei, downloaded: false, ...o });
    const el = this.checkEligibility();
    if (el.operationResult !== OPERATION_RESULT.success) return out({ operationResult: el.operationResult, message: "eligibility check failed" });
    if (!el.eligible) return out({ operationResult: el.operationResult, message: "One Number is not available on " + this.msisdn + " (no One Number contract)" });
    const params: { [k: string]: string } = {
      operation: "ManageSubscription",
      operation_type: "0",
      companion_terminal_service: "SharedNumber",
      companion_terminal_id: t.imei,
      companion_terminal_model: t.model,
    };
    const name = opts.friendlyName !== undefined ? opts.friendlyName : t.friendlyName;
    if (name) params.companion_terminal_friendly_name = name;
    if (t.vendor) params.companion_terminal_vendor = t.vendor;
    if (t.swVersion) params.companion_terminal_sw_version = t.swVersion;
    if (t.eid) params.companion_terminal_eid = t.eid;
    if (t.iccid) params.companion_terminal_iccid = t.iccid;
    const doc = this.request(params);
    const result = num(parmAt(doc, "APPLICATION", "OperationResult")) || 0;
    const sub = num(parmAt(doc, "APPLICATION", "SubscriptionResult"));
    const o = out({
      operationResult: result,
      subscriptionResult: sub,
      serviceStatus: num(parmAt(doc, "APPLICATION", "ServiceStatus")),
      iccid: parmAt(doc, "APPLICATION", "ICCID"),
      message: parmAt(doc, "APPLICATION", "Message") || "",
    });
    if (result !== OPERATION_RESULT.success || sub === undefined || sub === SUBSCRIPTION_RESULT.dismiss) return o;
    const poll = num(parmAt(doc, "APPLICATION", "PollingInterval"));
    switch (sub) {
      case SUBSCRIPTION_RESULT.downloadProfile:
      case SUBSCRIPTION_RESULT.redownloadable:
        return this.download(lpa, doc, { ...o, ok: true });
      case SUBSCRIPTION_RESULT.done:
        return { ...o, ok: true };
      case SUBSCRIPTION_RESULT.userInput:
        // The server needs something only the user can give (here: a name for the accessory).
        return { ...o, userInput: parmAt(doc, "APPLICATION", "UserInput") || "companion_terminal_friendly_name" };
      case SUBSCRIPTION_RESULT.websheet:
      case SUBSCRIPTION_RESULT.delayedDownload: {
        const websheet = sub === SUBSCRIPTION_RESULT.websheet;
        const limit = websheet ? MAX_WEBSHEET_POLLS : MAX_DELAY_POLLS;
        if (polls >= limit) return { ...o, message: websheet ? "the terms were not accepted on the site in time; register again once they are" : "the SM-DP+ did not get the profile ready; try again later" };
        const sec = poll !== undefined && poll > 0 ? poll : DEFAULT_POLL_SEC;
        this.later(t.imei, sec * 1000, () => this.subscribeOnce(lpa, opts, polls + 1));
        return {
          ...o,
          ok: true,
          pending: websheet ? "websheet" : "delayed",
          retryInSec: sec,
          websheetUrl: websheet ? parmAt(doc, "APPLICATION", "SubscriptionServiceURL") : undefined,
        };
      }
      case SUBSCRIPTION_RESULT.deleteProfile: {
        const iccid = o.iccid || t.iccid || "";
        if (polls >= MAX_DELAY_POLLS) return { ...o, message: "the accessory still holds profile " + iccid + " after deleting it" };
        // The accessory's LPA deletes the profile (SGP.22 ES10c.DeleteProfile), then the app asks again.
        const job = { cancelled: false, timer: undefined as TimerHandle | undefined };
        this.jobs.set(t.imei, job);
        Promise.resolve()
          .then(() => lpa.remove(iccid))
          .then(
            () => {
              if (!job.cancelled) this.report(() => this.subscribeOnce(lpa, opts, polls + 1), t.imei);
            },
            (e: unknown) => {
              if (!job.cancelled) this.events.emit("outcome", { ...o, ok: false, message: "the accessory could not delete profile " + iccid + ": " + (e instanceof Error ? e.message : String(e)) });
            },
          );
        return { ...o, ok: true, pending: "deleting" };
      }
    }
    return { ...o, message: o.message || "SubscriptionResult " + sub + " is not one this app knows" };
  }

  private download(lpa: Lpa, doc: Characteristic[], o: CompanionOutcome): CompanionOutcome {
    const code = parmAt(doc, "APPLICATION|DownloadInfo", "ProfileActivationCode");
    if (!code) return { ...o, ok: false, message: "SubscriptionResult=" + o.subscriptionResult + " without ProfileActivationCode" };
    try {
      lpa.install(this.smdp.download(code, lpa.terminal().eid));
      return { ...o, downloaded: true, iccid: parmAt(doc, "APPLICATION|DownloadInfo", "ProfileIccid") || o.iccid };
    } catch (e) {
      if (!SmdpError.is(e)) throw e;
      return { ...o, ok: false, message: e.message };
    }
  }

  /** Runs `step` after `ms` on the network's clock, reporting its outcome. */
  private later(imei: string, ms: number, step: () => CompanionOutcome): void {
    const job = { cancelled: false, timer: undefined as TimerHandle | undefined };
    job.timer = this.clock.setTimeout(() => {
      if (!job.cancelled) this.report(step, imei);
    }, ms);
    this.jobs.set(imei, job);
  }

  private report(step: () => CompanionOutcome, imei: string): void {
    this.jobs.delete(imei);
    let o: CompanionOutcome;
    try {
      o = step();
    } catch (e) {
      o = { ok: false, operation: "subscribe", imei, operationResult: 0, downloaded: false, message: e instanceof Error ? e.message : String(e) };
    }
    this.events.emit("outcome", o);
  }

  /** Stops what the app was still doing for this accessory (a new request replaces it). */
  cancel(imei: string): void {
    const job = this.jobs.get(imei);
    if (!job) return;
    job.cancelled = true;
    if (job.timer !== undefined) this.clock.clearTimeout(job.timer);
    this.jobs.delete(imei);
  }

  /** Whether the app is still on a registration of this accessory (polling, deleting). */
  busy(imei: string): boolean {
    return this.jobs.has(imei);
  }

  /** R15: ManageSubscription operation_type=1 for the accessory with this IMEI. */
  unsubscribe(imei: string): CompanionOutcome {
    const doc = this.request({ operation: "ManageSubscription", operation_type: "1", companion_terminal_service: "SharedNumber", companion_terminal_id: imei });
    const result = num(parmAt(doc, "APPLICATION", "OperationResult")) || 0;
    return {
      ok: result === OPERATION_RESULT.success,
      operation: "unsubscribe",
      imei,
      operationResult: result,
      serviceStatus: num(parmAt(doc, "APPLICATION", "ServiceStatus")),
      iccid: parmAt(doc, "APPLICATION", "ICCID"),
      message: parmAt(doc, "APPLICATION", "Message") || "",
      downloaded: false,
    };
  }
}
