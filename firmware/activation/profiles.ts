/**
 * The accessory's LPA deleting a profile from its eUICC (GSMA SGP.22 §5.7.17
 * ES10c.DisableProfile, then §5.7.18 ES10c.DeleteProfile: an enabled profile cannot be
 * deleted), over a logical channel to the ISD-R as eid.ts opens it (3GPP TS 27.007
 * +CCHO, +CGLA, +CCHC). P's One Number app asks for it when the entitlement server says
 * the profile in use may not be used again (TS.43 SubscriptionResult 6, ServiceStatus 4).
 *
 * Portable (Espruino): no Node built-ins, Promise chains only.
 */
import { atQuoted, type AtChannel } from "../../drivers/at/index.js";
import { ISD_R_AID } from "./eid.js";

export type DeleteOutcome = { ok: true } | { ok: false; reason: "notFound" | "refused" | "noEuicc"; message: string };

/** 18 to 20 decimal digits (ITU-T E.118). */
export function isIccid(s: string): boolean {
  return s.length >= 18 && s.length <= 20 && /^[0-9]+$/.test(s);
}

/** SGP.22 Iccid: the ICCID's digits as BCD with the nibbles of each octet swapped, F-padded to 10 octets; "" when not an ICCID. */
export function iccidBcd(iccid: string): string {
  if (!isIccid(iccid)) return "";
  let d = iccid;
  while (d.length < 20) d += "F";
  let out = "";
  for (let i = 0; i < 20; i += 2) out += d.charAt(i + 1) + d.charAt(i);
  return out;
}

/** STORE DATA (CLA 80|channel, INS E2, P1 91: one block) carrying `data`, with Le. */
function storeData(channel: number, data: string): string {
  const cla = (0x80 | (channel & 3)).toString(16).toUpperCase();
  const lc = (data.length / 2).toString(16).toUpperCase();
  return cla + "E29100" + (lc.length < 2 ? "0" + lc : lc) + data + "00";
}

/** The result octet of an ES10c response `<tag> 03 80 01 <result>` + SW 9000, or -1. */
function resultOf(line: string, tag: string): number {
  const q = /"([0-9A-Fa-f]*)"/.exec(line);
  const h = q ? q[1].toUpperCase() : "";
  if (h.length !== 16 || h.substr(0, 10) !== tag + "038001" || h.substr(12) !== "9000") return -1;
  return parseInt(h.substr(10, 2), 16);
}

export function deleteProfile(ch: AtChannel, iccid: string): Promise<DeleteOutcome> {
  const bcd = iccidBcd(iccid);
  if (!bcd) return Promise.resolve({ ok: false, reason: "refused", message: "not an ICCID: " + iccid });
  return ch.send({ cmd: "AT+CCHO=" + atQuoted("AID", ISD_R_AID, 32), prefixes: ["+CCHO:", ""] }).then(
    function (r): Promise<DeleteOutcome> {
      const m = /([0-9]+)\s*$/.exec(r.lines.join(" "));
      if (!m) return Promise.resolve({ ok: false, reason: "noEuicc", message: "the modem opened no channel to the eUICC" });
      const session = Number(m[1]);
      const apdu = function (data: string, tag: string): Promise<number> {
        const a = storeData(session, data);
        return ch.send({ cmd: "AT+CGLA=" + session + "," + a.length + "," + atQuoted("APDU", a, 522), prefixes: ["+CGLA:"] }).then(
          function (g) {
            return resultOf(g.lines[0] || "", tag);
          },
          function () {
            return -1;
          },
        );
      };
      const close = function (o: DeleteOutcome): Promise<DeleteOutcome> {
        return ch.send({ cmd: "AT+CCHC=" + session }).then(
          function () {
            return o;
          },
          function () {
            return o;
          },
        );
      };
      // DisableProfileRequest: BF32 { [0] { 5A 0A iccid }, refreshFlag FALSE } (the reset comes at the end).
      return apdu("BF3211A00C5A0A" + bcd + "010100", "BF32").then(function (d) {
        // 2: already disabled, which is what deletion needs.
        if (d !== 0 && d !== 2) return close({ ok: false, reason: d === 1 ? "notFound" : "refused", message: "the eUICC did not disable profile " + iccid + (d === 1 ? ": no such profile" : "") });
        return apdu("BF330C5A0A" + bcd, "BF33").then(function (x) {
          if (x === 0) return close({ ok: true });
          return close({ ok: false, reason: x === 1 ? "notFound" : "refused", message: "the eUICC did not delete profile " + iccid + " (result " + x + ")" });
        });
      });
    },
    function (): DeleteOutcome {
      return { ok: false, reason: "noEuicc", message: "no eUICC on this modem (no ISD-R channel)" };
    },
  );
}
