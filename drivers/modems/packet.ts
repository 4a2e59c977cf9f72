/**
 * Packet data: the PDP context under the sockets, per dialect.
 *
 * - Generic, 3GPP TS 27.007: §10.1.1 +CGDCONT, §10.1.9 +CGATT, §10.1.10 +CGACT,
 *   §10.1.14 +CGPADDR, §10.1.19 +CGEREP / +CGEV.
 * - Quectel (BG95/EG91 TCP/IP AN §2.3.1–2.3.3): the context the `+QI*` sockets use is
 *   configured with `AT+QICSGP` and activated with `AT+QIACT`; `AT+QIACT?` gives its address.
 */
import type { AtCommand, AtResponse } from "../at/index.js";
import { atInt, atQuoted } from "../at/index.js";
import { paramsOf, splitParams } from "../at/params.js";

export function int(s: string | undefined): number {
  const n = parseInt(s || "", 10);
  return n === n ? n : -1;
}

export interface PacketDialect {
  name: string;
  /** Defines context `ctx` with the APN and the 27.007 PDP type (IP, IPV6, IPV4V6; default IP). */
  defineContext(ctx: number, apn: string, pdpType?: string): AtCommand;
  activate(ctx: number): AtCommand;
  deactivate(ctx: number): AtCommand;
  /** Asks for the context's address; `parseAddress` gives "" when it is not active. */
  queryAddress(ctx: number): AtCommand;
  parseAddress(r: AtResponse, ctx: number): string;
}

/** `+CGATT: <state>` (27.007 §10.1.9): attached or not. */
export function parseCgatt(r: AtResponse): boolean {
  const p = paramsOf(r.lines[0] || "", "+CGATT:");
  return !!p && p[0] === "1";
}

export const genericPacket: PacketDialect = {
  name: "27.007",
  defineContext(ctx, apn, pdpType) {
    return { cmd: "AT+CGDCONT=" + atInt("context", ctx, 1, 15) + "," + atQuoted("PDP type", pdpType || "IP", 8) + "," + atQuoted("APN", apn, 62) };
  },
  activate(ctx) {
    // §10.1.10: the network decides how long activation takes.
    return { cmd: "AT+CGACT=1," + atInt("context", ctx, 1, 15), timeoutMs: 150000 };
  },
  deactivate(ctx) {
    return { cmd: "AT+CGACT=0," + atInt("context", ctx, 1, 15), timeoutMs: 40000 };
  },
  queryAddress(ctx) {
    return { cmd: "AT+CGPADDR=" + atInt("context", ctx, 1, 15), prefixes: ["+CGPADDR:"] };
  },
  parseAddress(r, ctx) {
    // `+CGPADDR: <cid>[,<PDP_addr_1>[,<PDP_addr_2>]]`: no address = not active.
    for (let i = 0; i < r.lines.length; i++) {
      const p = paramsOf(r.lines[i], "+CGPADDR:");
      if (p && int(p[0]) === ctx && p[1] && p[1] !== "0.0.0.0") return p[1];
    }
    return "";
  },
};

export const quectelPacket: PacketDialect = {
  name: "quectel",
  defineContext(ctx, apn, pdpType) {
    // §2.3.1: <context_type> 1 IPv4, 2 IPv6, 3 IPv4v6; no user name or password, <authentication> 0 = none.
    const type = pdpType === "IPV6" ? 2 : pdpType === "IPV4V6" ? 3 : 1;
    return { cmd: "AT+QICSGP=" + atInt("context", ctx, 1, 16) + "," + type + "," + atQuoted("APN", apn, 62) + ',"","",0' };
  },
  activate(ctx) {
    // §2.3.2: maximum response time 150 s, decided by the network. On LTE the default
    // bearer is already up after attach and the answer comes at once.
    return { cmd: "AT+QIACT=" + atInt("context", ctx, 1, 16), timeoutMs: 150000 };
  },
  deactivate(ctx) {
    // §2.3.3: up to 40 s.
    return { cmd: "AT+QIDEACT=" + atInt("context", ctx, 1, 16), timeoutMs: 40000 };
  },
  queryAddress() {
    return { cmd: "AT+QIACT?", prefixes: ["+QIACT:"] };
  },
  parseAddress(r, ctx) {
    // `+QIACT: <contextID>,<context_state>,<context_type>[,<IP_address>]` per active context.
    for (let i = 0; i < r.lines.length; i++) {
      const p = paramsOf(r.lines[i], "+QIACT:");
      if (p && int(p[0]) === ctx && p[1] === "1") return p[3] || "0.0.0.0";
    }
    return "";
  },
};

/** 27.007 §10.1.19 `+CGEV:` reports that mean a context or the attachment is gone (ctx -1 = all). */
export function parseCgevLoss(line: string): { ctx: number } | undefined {
  if (line.indexOf("+CGEV:") !== 0) return undefined;
  const body = line.substr(6).trim();
  if (body === "NW DETACH" || body === "ME DETACH") return { ctx: -1 };
  // `NW PDN DEACT <cid>`, `ME PDN DEACT <cid>` (the form since Rel-12).
  const pdn = body.indexOf("PDN DEACT ");
  if (pdn >= 0) return { ctx: int(splitParams(body.substr(pdn + 10))[0]) };
  // The older form: `NW DEACT <PDP_type>,<PDP_addr>[,<cid>]`, `ME DEACT ...`.
  if (body.indexOf("NW DEACT ") === 0 || body.indexOf("ME DEACT ") === 0) {
    const p = splitParams(body.substr(9));
    return { ctx: p.length >= 3 ? int(p[2]) : -1 };
  }
  return undefined;
}

/** The packet dialect of a modem profile. */
export function packetDialectFor(profileName: string): PacketDialect {
  return profileName.indexOf("quectel-") === 0 ? quectelPacket : genericPacket;
}
