/**
 * The APN of the LTE attach (a car unit's config `apn`). On LTE the default bearer is set
 * up during the attach with the APN of PDP context 1 (27.007 §10.1.1 +CGDCONT; 23.401
 * §5.3.2.1), so a network that needs a particular APN (a corporate or MVNO one) registers
 * the unit only when cid 1 names it.
 *
 * One owner: the data session defines the context before each activation (ensureApn),
 * reading it first (`AT+CGDCONT?`) and writing only when it differs: the module keeps it
 * in its non-volatile memory, and rewriting an unchanged context on every activation
 * would wear it for nothing. A changed APN applies at the next attach; the firmware does
 * not detach a registered unit (that would drop calls).
 *
 * Portable (Espruino).
 */
import { paramsOf, type AtChannel } from "../drivers/at/index.js";
import type { PacketDialect } from "../drivers/modems/packet.js";

/**
 * Why `apn` is not an APN network identifier (23.003 §9.1: labels of letters, digits and
 * hyphens, separated by dots, at most 63 octets), or "" when it is one.
 */
export function apnProblem(apn: string): string {
  if (typeof apn !== "string" || apn.length === 0) return "an APN is not empty";
  if (apn.length > 63) return "an APN is at most 63 characters (23.003 §9.1)";
  const labels = apn.split(".");
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l.length === 0) return "an APN has no empty label (\"..\", or a dot at an end)";
    for (let k = 0; k < l.length; k++) {
      const c = l.charAt(k);
      const ok = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c === "-";
      if (!ok) return "an APN holds only letters, digits, hyphens and dots; not " + JSON.stringify(c);
    }
  }
  return "";
}

/**
 * Makes PDP context `ctx` name `apn`, through the modem's own way of defining it
 * (`packet.defineContext`: `+CGDCONT`, Quectel `+QICSGP`; both write the same context),
 * keeping its PDP type (IPV4V6 when undefined). Reads first (`AT+CGDCONT?`, 27.007
 * §10.1.1) and writes only when the APN differs. Resolves with what happened, in words;
 * rejects when the modem refused. The data session (firmware/data/session.ts) is the one
 * caller: it owns the context.
 */
export function ensureApn(channel: AtChannel, packet: PacketDialect, ctx: number, apn: string): Promise<string> {
  try {
    const bad = apnProblem(apn);
    if (bad) throw new Error("APN " + JSON.stringify(apn) + ": " + bad);
  } catch (e) {
    return Promise.reject(e);
  }
  return channel.send({ cmd: "AT+CGDCONT?", prefixes: ["+CGDCONT:"] }).then(
    function (r) {
      let type = "IPV4V6";
      for (let i = 0; i < r.lines.length; i++) {
        const p = paramsOf(r.lines[i], "+CGDCONT:");
        if (!p || p[0] !== String(ctx)) continue;
        // APNs compare without regard to case (23.003 §9.1).
        if ((p[2] || "").toLowerCase() === apn.toLowerCase()) return "APN " + apn + " already set";
        if (p[1]) type = p[1];
      }
      return channel.send(packet.defineContext(ctx, apn, type)).then(function () {
        return "APN set to " + apn + " (context " + ctx + ", " + type + "); it applies from the next attach";
      });
    },
    function () {
      // A module that cannot read its contexts back still takes a definition (the dialect's
      // own PDP type): written every time, as nothing says it is already right.
      return channel.send(packet.defineContext(ctx, apn)).then(function () {
        return "APN set to " + apn + " (context " + ctx + "; the module did not say what it had)";
      });
    },
  );
}
