/**
 * Reads the eUICC's EID over AT, the way an LPA does without vendor commands: open a
 * logical channel to the ISD-R (3GPP TS 27.007 §8.45 +CCHO, AID from GSMA SGP.22
 * §2.2.3), send ES10c.GetEID as a STORE DATA command (SGP.22 §5.7.20: tag BF3E asking
 * for tag 5A) over it (27.007 §8.43 +CGLA), close it (§8.46 +CCHC).
 *
 * A modem or card that has none of this (a plain UICC, an old module) answers ERROR:
 * the EID is then simply not known (""), and the IMEI alone identifies the accessory.
 */
import { atQuoted, type AtChannel } from "../../drivers/at/index.js";

/** SGP.22 §2.2.3: the ISD-R's AID. */
export const ISD_R_AID = "A0000005591010FFFFFFFF8900000100";

/** STORE DATA (INS E2, P1 91: one block, BER-TLV) with GetEuiccDataRequest { tagList 5A }. */
function getEidApdu(channel: number): string {
  // ISO 7816-4 §5.4.1: channels 1..3 go in the two low bits of a proprietary (0x80) class byte.
  const cla = (0x80 | (channel & 3)).toString(16).toUpperCase();
  return cla + "E2910006BF3E035C015A00";
}

/** The EID in a GetEID response (`BF3E 12 5A 10 <16 bytes>` then SW 9000), or "". */
export function eidFromResponse(hex: string): string {
  const h = hex.toUpperCase();
  if (h.length !== 46 || h.substr(0, 10) !== "BF3E125A10" || h.substr(42) !== "9000") return "";
  const eid = h.substr(10, 32);
  // SGP.02 §2.2.2: 32 decimal digits, stored one per nibble.
  return /^[0-9]+$/.test(eid) ? eid : "";
}

export function readEid(ch: AtChannel): Promise<string> {
  return ch.send({ cmd: "AT+CCHO=" + atQuoted("AID", ISD_R_AID, 32), prefixes: ["+CCHO:", ""] }).then(
    function (r) {
      const m = /([0-9]+)\s*$/.exec(r.lines.join(" "));
      if (!m) return "";
      const session = Number(m[1]);
      const apdu = getEidApdu(session);
      const close = function (): Promise<void> {
        return ch.send({ cmd: "AT+CCHC=" + session }).then(
          function () {
            return undefined;
          },
          function () {
            return undefined;
          },
        );
      };
      return ch.send({ cmd: "AT+CGLA=" + session + "," + apdu.length + "," + atQuoted("APDU", apdu, 522), prefixes: ["+CGLA:"] }).then(
        function (g) {
          const q = /"([0-9A-Fa-f]*)"/.exec(g.lines[0] || "");
          const eid = q ? eidFromResponse(q[1]) : "";
          return close().then(function () {
            return eid;
          });
        },
        function () {
          return close().then(function () {
            return "";
          });
        },
      );
    },
    function () {
      return "";
    },
  );
}
