/**
 * The web management site of the Multi-device option (ワンナンバーサービス管理サイト, SPEC.md
 * R14), as a code API (the command line builds on it): list a number's accessories,
 * unregister one (R15, R16 during a call, R72 priority back to P), and the contract
 * operations next to it: the Multi-device option on or off (R2, R12) and ending One
 * Number (R17).
 *
 * Access: a user without a One Number contract gets the error page (`ManageError`
 * code `no-contract`). The device list and unregistering come with the Multi-device
 * option ([SEED]: the option gives the site), so without it they answer
 * `option-required`; a single accessory is unregistered then through ManageSubscription
 * (`SharedNetwork.manageSubscription`, R15) or by ending the contract.
 */
import { defineError } from "../../hal/errors.js";
import type { Device } from "./device.js";
import type { SharedNetwork } from "./network.js";
import type { SharedNumber } from "./number.js";

export type ManageErrorCode = "no-contract" | "option-required" | "unknown-device" | "ambiguous-device" | "unknown-number" | "too-many";

/** What the site shows instead of the page asked for. */
export const ManageError = defineError<{ code: ManageErrorCode; number: string }>("ManageError");

/** One row of the device list (R14). */
export interface DeviceListing {
  /** The network's name for it: "A1".."A5". */
  device: string;
  friendlyName: string;
  model: string;
  /** The last 4 digits of the IMEI. */
  imeiLast4: string;
  /** Registration time, ISO 8601 UTC. */
  registeredAt: string;
  state: "registered" | "not reachable";
  /** Whether it is the SMS priority device (R68). */
  smsPriority: boolean;
}

export class ManagementSite {
  constructor(private readonly net: SharedNetwork) {}

  private open(msisdn: string, needOption: boolean): SharedNumber {
    if (!this.net.hosts(msisdn)) throw ManageError("No such number: " + msisdn, { code: "unknown-number", number: msisdn });
    const num = this.net.number(msisdn);
    if (!num.oneNumber) {
      throw ManageError("This site is for One Number subscribers: " + num.msisdn + " has no One Number contract", { code: "no-contract", number: num.msisdn });
    }
    if (needOption && !num.multiDevice) {
      throw ManageError("The device list needs the Multi-device option on " + num.msisdn, { code: "option-required", number: num.msisdn });
    }
    return num;
  }

  private row(num: SharedNumber, d: Device): DeviceListing {
    return {
      device: d.id,
      friendlyName: d.friendlyName,
      model: d.model,
      imeiLast4: d.imei.slice(-4),
      registeredAt: new Date(d.registeredAt).toISOString(),
      state: d.reachable ? "registered" : "not reachable",
      smsPriority: num.priority === d.id,
    };
  }

  /** R14: the registered accessories (those being unregistered after a call, R16, are no longer listed). */
  list(msisdn: string): DeviceListing[] {
    const num = this.open(msisdn, true);
    return num.accessories().filter((d) => d.enrollment === "registered").map((d) => this.row(num, d));
  }

  /**
   * R15: unregisters the accessory named by its device id ("A2"), its IMEI or the last
   * 4 digits of it. Calls in progress continue (R16); returns the row as it was.
   */
  unregister(msisdn: string, which: string): DeviceListing {
    const num = this.open(msisdn, true);
    const all = num.accessories().filter((d) => d.enrollment === "registered");
    const hits = all.filter((d) => d.id === which || d.imei === which || (which.length === 4 && d.imei.slice(-4) === which));
    if (hits.length === 0) throw ManageError("No registered accessory " + JSON.stringify(which) + " on " + num.msisdn, { code: "unknown-device", number: num.msisdn });
    if (hits.length > 1) throw ManageError(JSON.stringify(which) + " names " + hits.length + " accessories; use the device id", { code: "ambiguous-device", number: num.msisdn });
    const row = this.row(num, hits[0]);
    num.unregister(hits[0], "management-site");
    return row;
  }

  /** R2: the Multi-device option; turning it off with more than one accessory registered answers `too-many`. */
  setMultiDevice(msisdn: string, on: boolean): void {
    const num = this.open(msisdn, false);
    if (!on && num.accessories().length > 1) {
      throw ManageError("Unregister accessories first: " + num.accessories().length + " are registered, one is allowed without Multi-device", {
        code: "too-many",
        number: num.msisdn,
      });
    }
    num.setMultiDevice(on);
  }

  /** Whether the Multi-device option is on. */
  multiDevice(msisdn: string): boolean {
    return this.open(msisdn, false).multiDevice;
  }

  /** R17: ends One Number: every accessory is unregistered and the option ends; the site then answers `no-contract`. */
  endOneNumber(msisdn: string): void {
    this.open(msisdn, false).endOneNumber();
  }
}
