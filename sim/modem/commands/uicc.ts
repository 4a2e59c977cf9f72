/**
 * Logical channels to the UICC (3GPP TS 27.007 §8.45 +CCHO, §8.46 +CCHC, §8.43 +CGLA),
 * enough of an eUICC behind them for an LPA to read the EID and delete a profile: the
 * ISD-R (GSMA SGP.22 §2.2.3) answers ES10c.GetEID (SGP.22 §5.7.20, STORE DATA with
 * `BF3E 03 5C 01 5A`) with `BF3E 12 5A 10 <EID>` and SW 9000, and ES10c.DisableProfile
 * and ES10c.DeleteProfile (§5.7.17, §5.7.18) by ICCID. Other APDUs get SW 6D00 (INS not supported),
 * other AIDs +CME ERROR: 22 (not found), as a card without that application answers.
 *
 * The eUICC is there with or without an enabled profile (that is the point of it: the
 * EID is read before the first profile is downloaded); a modem without an EID has a
 * plain UICC and no ISD-R.
 */
import { CME, cme, ok } from "../results.js";
import type { SimModem } from "../modem.js";
import type { CommandTable } from "./types.js";

const ISD_R_AID = "A0000005591010FFFFFFFF8900000100";
/** ISO 7816-4 allows channels 1..19; the modem offers the basic three. */
const MAX_CHANNELS = 3;

function channels(m: SimModem): number[] {
  return m.uiccChannels;
}

function noCard(m: SimModem): boolean {
  return m.eid === undefined && m.simState === "absent";
}

/** An ICCID as the eUICC stores it (SGP.22 Iccid: 10 octets, BCD with swapped nibbles, F-padded), back to digits. */
function iccidOf(hex: string): string {
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += hex[i + 1] + hex[i];
  return out.replace(/F+$/, "");
}

/** The eUICC's answer to one APDU on an ISD-R channel (hex, with SW1 SW2). */
function isdR(m: SimModem, apdu: string): string {
  // CLA (any channel bits) E2 91 00 06 BF3E035C015A [Le]
  if (/^8[0-3]E2910006BF3E035C015A(00)?$/i.test(apdu)) return "BF3E125A10" + (m.eid as string) + "9000";
  // ES10c.DisableProfile (SGP.22 §5.7.17): BF32 { [0] { 5A iccid } , refreshFlag }.
  let x = /^8[0-3]E2910014BF3211A00C5A0A([0-9A-F]{20})0101(00|FF)(00)?$/.exec(apdu);
  // DisableProfileResponse: BF32 03 80 01 <ok 0 | iccidOrAidNotFound 1 | profileNotInEnabledState 2>.
  if (x) return "BF32038001" + ["00", "01", "02"][m.euiccDisable(iccidOf(x[1]))] + "9000";
  // ES10c.DeleteProfile (SGP.22 §5.7.18): BF33 { 5A iccid }.
  x = /^8[0-3]E291000FBF330C5A0A([0-9A-F]{20})(00)?$/.exec(apdu);
  // DeleteProfileResponse: BF33 03 80 01 <ok 0 | iccidOrAidNotFound 1 | profileNotInDisabledState 2>.
  if (x) return "BF33038001" + ["00", "01", "02"][m.euiccDelete(iccidOf(x[1]))] + "9000";
  return "6D00";
}

export const uiccCommands: CommandTable = {
  "+CCHO": {
    set: (m, a) => {
      a.atMost(1);
      if (noCard(m)) throw cme(CME.simNotInserted);
      const aid = a.str(0).toUpperCase();
      if (!/^[0-9A-F]{10,32}$/.test(aid)) throw a.bad();
      if (aid !== ISD_R_AID || m.eid === undefined) throw cme(CME.notFound);
      const open = channels(m);
      let ch = 1;
      while (open.indexOf(ch) >= 0) ch++;
      if (ch > MAX_CHANNELS) throw cme(CME.memoryFull);
      open.push(ch);
      // 27.007 §8.45: the answer is the bare <sessionid>.
      return ok(String(ch));
    },
    test: () => ok(),
  },
  "+CCHC": {
    set: (m, a) => {
      a.atMost(1);
      const ch = a.int(0, 1, 255);
      const open = channels(m);
      const i = open.indexOf(ch);
      if (i < 0) throw cme(CME.incorrectParameters);
      open.splice(i, 1);
      m.euiccChannelClosed();
      return ok();
    },
    test: () => ok(),
  },
  "+CGLA": {
    set: (m, a) => {
      a.atMost(3);
      const ch = a.int(0, 1, 255);
      const len = a.int(1, 2, 522);
      const apdu = a.str(2);
      if (apdu.length !== len || !/^([0-9A-Fa-f]{2})+$/.test(apdu)) throw a.bad();
      if (channels(m).indexOf(ch) < 0) throw cme(CME.incorrectParameters);
      const rsp = isdR(m, apdu.toUpperCase());
      return ok("+CGLA: " + rsp.length + ',"' + rsp + '"');
    },
    test: () => ok(),
  },
};
