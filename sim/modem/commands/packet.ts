/**
 * Packet domain commands of 3GPP TS 27.007 §10.1, answered by every profile of the
 * simulated modem: context definition (§10.1.1 +CGDCONT), attach (§10.1.9 +CGATT),
 * activation (§10.1.10 +CGACT), addresses (§10.1.14 +CGPADDR) and event reporting
 * (§10.1.18 +CGEREP, whose +CGEV reports come from data/packet.ts).
 */
import type { SimModem } from "../modem.js";
import { PDP_TYPES, MAX_CID, PdpType } from "../data/packet.js";
import { CME, cme, ok } from "../results.js";
import type { Args, CommandTable } from "./types.js";

function cidArg(a: Args, i: number): number {
  return a.int(i, 1, MAX_CID);
}

/** The cids of a command's parameters from `from` on, or every defined context when none are given. */
function cids(m: SimModem, a: Args, from: number): number[] {
  if (a.count <= from) return m.data.list().map((c) => c.cid);
  const out: number[] = [];
  for (let i = from; i < a.count; i++) out.push(cidArg(a, i));
  return out;
}

export const packetCommands: CommandTable = {
  // +CGDCONT=[<cid>[,<PDP_type>[,<APN>[,<PDP_addr>[,<d_comp>[,<h_comp>]]]]]]; =<cid> alone undefines it.
  "+CGDCONT": {
    set: (m, a) => {
      a.atMost(6);
      const cid = cidArg(a, 0);
      if (a.count === 1) {
        m.data.undefine(cid);
        return ok();
      }
      const type = a.str(1, "IP").toUpperCase();
      if (PDP_TYPES.indexOf(type as PdpType) < 0) throw cme(CME.incorrectParameters);
      const apn = a.str(2, "");
      // <APN> is a DNS name (23.003 §9.1): labels of letters, digits and hyphens.
      if (apn !== "" && !/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(apn)) throw cme(CME.incorrectParameters);
      a.int(4, 0, 3, 0);
      a.int(5, 0, 4, 0);
      m.data.define(cid, type as PdpType, apn);
      return ok();
    },
    // +CGDCONT: <cid>,<PDP_type>,<APN>,<PDP_addr>,<d_comp>,<h_comp>
    read: (m) => ok(...m.data.list().map((c) => "+CGDCONT: " + c.cid + ',"' + c.type + '","' + c.apn + '","' + (c.active ? c.address : "0.0.0.0") + '",0,0')),
    test: () => ok(...PDP_TYPES.map((t) => "+CGDCONT: (1-" + MAX_CID + '),"' + t + '",,,(0-3),(0-4)')),
  },
  // +CGATT=<state>: 0 detaches (every context ends first), 1 attaches (needs the network: on LTE, the registration).
  "+CGATT": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(1);
      const state = a.int(0, 0, 1);
      if (state === 0) {
        m.data.detachByMe();
        return ok();
      }
      if (!m.registered()) throw cme(CME.noNetwork);
      m.data.meDetached = false;
      return ok();
    },
    read: (m) => ok("+CGATT: " + (m.data.attached() ? 1 : 0)),
    test: () => ok("+CGATT: (0,1)"),
  },
  // +CGACT=[<state>[,<cid>[,<cid>[,...]]]]: without cids, every defined context.
  "+CGACT": {
    needsSim: true,
    set: (m, a) => {
      const state = a.int(0, 0, 1);
      const list = cids(m, a, 1);
      for (const cid of list) {
        if (!m.data.get(cid)) throw cme(CME.incorrectParameters);
        if (state === 1) m.data.activate(cid);
        else m.data.deactivate(cid);
      }
      return ok();
    },
    read: (m) => ok(...m.data.list().map((c) => "+CGACT: " + c.cid + "," + (c.active ? 1 : 0))),
    test: () => ok("+CGACT: (0,1)"),
  },
  // +CGPADDR[=<cid>[,<cid>[,...]]]: +CGPADDR: <cid>[,<PDP_addr_1>] for each.
  "+CGPADDR": {
    action: (m) => ok(...m.data.list().map((c) => "+CGPADDR: " + c.cid + (c.active ? ',"' + c.address + '"' : ""))),
    set: (m, a) => {
      const lines: string[] = [];
      for (const cid of cids(m, a, 0)) {
        const c = m.data.get(cid);
        if (!c) throw cme(CME.incorrectParameters);
        lines.push("+CGPADDR: " + cid + (c.active ? ',"' + c.address + '"' : ""));
      }
      return ok(...lines);
    },
    test: (m) => ok("+CGPADDR: (" + m.data.list().map((c) => c.cid).join(",") + ")"),
  },
  // +CGEREP=[<mode>[,<bfr>]]
  "+CGEREP": {
    set: (m, a) => {
      a.atMost(2);
      m.data.setReporting(a.int(0, 0, 2, 0), a.int(1, 0, 1, 0));
      return ok();
    },
    action: (m) => {
      m.data.setReporting(0, 0);
      return ok();
    },
    read: (m) => ok("+CGEREP: " + m.data.cgerep.mode + "," + m.data.cgerep.bfr),
    test: () => ok("+CGEREP: (0-2),(0,1)"),
  },
};
