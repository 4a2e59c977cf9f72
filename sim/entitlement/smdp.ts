/**
 * A simulated SM-DP+ (GSMA SGP.22 §2.4, "Subscription Manager Data Preparation"): it
 * prepares one eSIM profile per accessory the entitlement server accepted, hands out
 * its activation code (SGP.22 §4.1: `1$<SM-DP+ address>$<Matching ID>`), and lets the
 * accessory's LPA download it once. A profile is what the modem needs to attach: ICCID
 * (ITU-T E.118, Luhn check digit), IMSI (3GPP TS 23.003 §2.2) and the shared number.
 *
 * The cryptography of SGP.22 (mutual authentication, bound profile packages) is not
 * simulated; what is kept is what a test can get wrong: a code is single use, bound to
 * the EID when one was given, and the same accessory gets the same ICCID back when it
 * is registered again (R13; ServiceStatus 3 allows the ICCID to be reused).
 */
import { defineError } from "../../hal/errors.js";

/** A download the SM-DP+ refuses (SGP.22 ES9+ reason): unknown code, already used, wrong eUICC. */
export const SmdpError = defineError<{ reason: "unknown-code" | "used" | "wrong-eid" | "not-ready" }>("SmdpError");

/** What the eUICC holds once the profile is installed. */
export interface EsimProfile {
  iccid: string;
  imsi: string;
  /** The subscriber number (EF_MSISDN): the shared number. */
  msisdn: string;
  /** Service provider name (EF_SPN). */
  spn: string;
}

/** A prepared profile waiting for its download. */
export interface ProfileOrder {
  iccid: string;
  imsi: string;
  msisdn: string;
  imei: string;
  eid?: string;
  /** SGP.22 §4.1 activation code: `1$<address>$<matching id>`. */
  activationCode: string;
  matchingId: string;
  downloaded: boolean;
  /** When the SM-DP+ has the profile ready for download (clock ms). */
  readyAt: number;
}

/** ITU-T E.118 / ISO 7812 check digit (Luhn) over `payload`. */
export function luhnDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export class Smdp {
  private readonly orders: ProfileOrder[] = [];
  private seq = 0;
  /** ICCIDs that may not be used again (ServiceStatus 4), with the number each was last issued for. */
  private readonly retiredIccids = new Map<string, string>();
  /**
   * How long preparing one profile takes (ms; 0 = ready at once). A busy SM-DP+ makes the
   * entitlement server answer SubscriptionResult 4 (delayed download) until it is ready.
   */
  preparationMs = 0;
  /** The clock the preparation time runs on (the network's, virtual in tests). */
  now: () => number = () => 0;

  /**
   * @param address the SM-DP+ address given in `ProfileSmdpAddress`.
   * @param issuer ICCID prefix: 89 (telecom), 81 (Japan), issuer digits.
   * @param plmn MCC+MNC of the IMSIs it issues.
   */
  constructor(
    readonly address = "smdp.sharedline.test",
    readonly issuer = "898110",
    readonly plmn = "44010",
  ) {}

  /**
   * Prepares (or prepares again) the profile of accessory `imei` on `msisdn`: the same
   * accessory keeps its ICCID, with a fresh single-use activation code each time.
   */
  order(msisdn: string, imei: string, eid?: string): ProfileOrder {
    const seq = ++this.seq;
    const matchingId = "SL" + String(seq).padStart(4, "0") + "-" + imei.slice(-4);
    const old = this.issuedTo(imei, msisdn);
    let iccid: string;
    let imsi: string;
    if (old) {
      iccid = old.iccid;
      imsi = old.imsi;
      old.activationCode = "";
    } else {
      // Derived from the IMEI's serial part, so that two SM-DP+ of one network (or a restart)
      // never give two accessories the same ICCID or IMSI; the last digit before the check
      // digit counts the accessory's profiles, so a new subscription never gets an ICCID
      // that is retired or belongs to another number.
      let gen = 0;
      do {
        const serial = imei.slice(-11) + String(gen);
        iccid = this.issuer + serial + luhnDigit(this.issuer + serial);
        imsi = this.plmn + imei.slice(-9) + String(gen);
        gen++;
      } while (gen < 10 && this.retired(iccid, msisdn));
    }
    const readyAt = old && !old.downloaded ? old.readyAt : this.now() + this.preparationMs;
    const o: ProfileOrder = { iccid, imsi, msisdn, imei, eid, matchingId, activationCode: "1$" + this.address + "$" + matchingId, downloaded: false, readyAt };
    if (old) this.orders.splice(this.orders.indexOf(old), 1);
    this.orders.push(o);
    return o;
  }

  /** How long until `o` can be downloaded (ms; 0 when ready). */
  preparing(o: ProfileOrder): number {
    return Math.max(0, o.readyAt - this.now());
  }

  /** Retires a profile (ServiceStatus 4): its ICCID may not be used again, on any number. */
  retire(iccid: string, msisdn: string): void {
    this.retiredIccids.set(iccid, msisdn);
  }

  /**
   * Whether `iccid` may not be used for `msisdn`: retired, or issued for another number
   * (a profile belongs to one subscription; an accessory passed on carries its old one).
   */
  retired(iccid: string, msisdn: string): boolean {
    if (this.retiredIccids.has(iccid)) return true;
    for (const o of this.orders) if (o.iccid === iccid && o.msisdn !== msisdn) return true;
    return false;
  }

  /** The profile prepared for this accessory on this number, if any. */
  issuedTo(imei: string, msisdn?: string): ProfileOrder | undefined {
    for (const o of this.orders) if (o.imei === imei && (msisdn === undefined || o.msisdn === msisdn)) return o;
    return undefined;
  }

  /** SGP.22 ES9+ download: the profile for a valid, unused activation code (bound to `eid` when the order named one). */
  download(activationCode: string, eid?: string): EsimProfile {
    const o = this.orders.filter((x) => x.activationCode !== "" && x.activationCode === activationCode)[0];
    if (!o) throw SmdpError("SM-DP+ " + this.address + ": unknown activation code " + JSON.stringify(activationCode), { reason: "unknown-code" });
    if (o.downloaded) throw SmdpError("SM-DP+ " + this.address + ": activation code " + o.matchingId + " was already used", { reason: "used" });
    if (this.preparing(o) > 0) throw SmdpError("SM-DP+ " + this.address + ": profile " + o.matchingId + " is not ready yet", { reason: "not-ready" });
    if (o.eid !== undefined && eid !== undefined && o.eid !== eid) {
      throw SmdpError("SM-DP+ " + this.address + ": profile " + o.matchingId + " is bound to another eUICC", { reason: "wrong-eid" });
    }
    o.downloaded = true;
    return { iccid: o.iccid, imsi: o.imsi, msisdn: o.msisdn, spn: "sharedline" };
  }
}
