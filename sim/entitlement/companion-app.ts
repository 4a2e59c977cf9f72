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
}

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
  /** Challenges this app refused as not from the network (bad AUTN or AT_MAC). */
  rejected = 0;

  constructor(
    readonly msisdn: string,
    readonly phoneImei: string,
    private readonly transport: Ts43Transport,
    private readonly smdp: Smdp,
    private readonly usim: Usim,
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

  /** R8: registers the accessory behind `lpa` on the number (eligibility, subscribe, profile download). */
  subscribe(lpa: Lpa): CompanionOutcome {
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
      companion_terminal_friendly_name: t.friendlyName,
    };
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
    o.ok = true;
    if (sub === SUBSCRIPTION_RESULT.downloadProfile) {
      const code = parmAt(doc, "APPLICATION|DownloadInfo", "ProfileActivationCode");
      if (!code) return { ...o, ok: false, message: "SubscriptionResult=2 without ProfileActivationCode" };
      try {
        lpa.install(this.smdp.download(code, t.eid));
        o.downloaded = true;
      } catch (e) {
        if (!SmdpError.is(e)) throw e;
        return { ...o, ok: false, message: e.message };
      }
    }
    return o;
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
