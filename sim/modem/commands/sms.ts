/**
 * SMS commands of 27.005 in PDU mode: §3.2.3 +CMGF, §3.3.1 +CSCA, §3.2.2 +CPMS, §3.4.1
 * +CNMI, §3.2.1 +CSMS, §3.5.1 +CMGS, §3.5.3 +CMGW, §3.5.2 +CMSS, §3.4.2 +CMGL, §3.4.3
 * +CMGR, §3.5.4 +CMGD and §3.4.4 +CNMA. Submitted PDUs are checked with the simulator's
 * own codec before they reach the network.
 */
import { fromTe } from "../charset.js";
import type { SimModem } from "../modem.js";
import { CMS, Reply, cms, ok } from "../results.js";
import { REC_READ, REC_UNREAD, STO_SENT, STO_UNSENT, SmsMemory } from "../sms-store.js";
import type { Args, CommandTable } from "./types.js";
import { fromHex, toHex } from "../../pdu/hex.js";
import { MTI_DELIVER, MTI_SUBMIT, decodeDeliver, decodeSubmit, splitAtPdu } from "../../pdu/tpdu.js";

/** Longest TPDU accepted (an SMS-SUBMIT with a 7-octet TP-VP and 140 octets of user data is 164). */
const MAX_TPDU = 175;

function memory(m: SimModem, name: string): SmsMemory {
  const mem = m.store.mem(name);
  if (!mem) throw cms(CMS.memoryFailure);
  return mem;
}

/** Reads a PDU typed after the prompt: hex, SCA, then exactly `length` TPDU octets (27.005 §3.5.1). */
function readPdu(hex: string, length: number): { smsc: string | undefined; tpdu: number[] } {
  try {
    const p = splitAtPdu(hex);
    if (p.tpdu.length !== length) throw cms(CMS.invalidPduParameter);
    return { smsc: p.smsc ? p.smsc.number : undefined, tpdu: p.tpdu };
  } catch {
    throw cms(CMS.invalidPduParameter);
  }
}

/** Hands a checked SMS-SUBMIT to the network, numbered by the modem; resolves its TP-MR (text mode uses it too). */
export async function submit(m: SimModem, smsc: string | undefined, tpdu: number[]): Promise<number> {
  try {
    decodeSubmit(tpdu);
  } catch {
    throw cms(CMS.invalidPduParameter);
  }
  if (!m.registered()) throw cms(CMS.noNetwork);
  const sca = smsc !== undefined ? smsc : m.smsc;
  if (sca === "") throw cms(CMS.smscUnknown);
  // 23.040 §9.2.3.6 TP-MR: in PDU mode the TE writes the TPDU. A TE that leaves TP-MR at
  // 0 lets the ME number the message; one that numbers its own (to repeat a submission
  // with the same TP-MR and TP-RD, §9.2.3.25) keeps its number.
  const out = tpdu.slice();
  if (out[1] === 0) {
    out[1] = m.nextMessageRef;
    m.nextMessageRef = (m.nextMessageRef + 1) & 0xff;
  }
  const r = await m.network.sendSms(sca, toHex(out));
  if (!r.ok) throw cms(r.cmsError);
  return r.messageRef;
}

function listLines(msgs: { index: number; stat: number; length: number; pdu: string }[], prefix: string, withIndex: boolean): string[] {
  const lines: string[] = [];
  for (const s of msgs) {
    // 27.005 §3.4.2 PDU mode: +CMGL: <index>,<stat>,[<alpha>],<length><CR><LF><pdu>
    lines.push(prefix + (withIndex ? s.index + "," : "") + s.stat + ",," + s.length, s.pdu);
  }
  return lines;
}

function index(a: Args, mem: SmsMemory): number {
  const i = a.int(0, 0, 65535);
  if (i < 1 || i > mem.capacity) throw cms(CMS.invalidIndex);
  return i;
}

export const smsCommands: CommandTable = {
  "+CMGF": {
    sms: true,
    set: (_m, a) => {
      a.atMost(1);
      // Text mode is not offered (27.005 allows a PDU-only TA).
      if (a.int(0, 0, 1, 0) !== 0) throw cms(CMS.notSupported);
      return ok();
    },
    read: () => ok("+CMGF: 0"),
    test: () => ok("+CMGF: (0)"),
  },
  "+CSCA": {
    sms: true,
    needsSim: true,
    set: (m, a) => {
      a.atMost(2);
      const sca = fromTe(a.str(0), m.settings.cscs);
      if (!/^\+?[0-9]{1,20}$/.test(sca)) throw cms(CMS.invalidPduParameter);
      a.int(1, 129, 255, 145);
      m.smsc = sca;
      return ok();
    },
    read: (m) => ok('+CSCA: "' + m.te(m.smsc) + '",' + (m.smsc.charAt(0) === "+" ? 145 : 129)),
    test: () => ok(),
  },
  "+CPMS": {
    sms: true,
    needsSim: true,
    set: (m, a) => {
      a.atMost(3);
      const names = [a.str(0), a.str(1, m.settings.cpms[1]), a.str(2, m.settings.cpms[2])].map((n) => n.toUpperCase());
      for (const n of names) if (!m.store.mem(n)) throw cms(CMS.notAllowed);
      m.settings.cpms = [names[0], names[1], names[2]];
      return ok("+CPMS: " + names.map((n) => memory(m, n).used() + "," + memory(m, n).capacity).join(","));
    },
    read: (m) => ok("+CPMS: " + m.settings.cpms.map((n) => '"' + n + '",' + memory(m, n).used() + "," + memory(m, n).capacity).join(",")),
    test: (m) => {
      const list = "(" + m.store.names.map((n) => '"' + n + '"').join(",") + ")";
      return ok("+CPMS: " + [list, list, list].join(","));
    },
  },
  "+CNMI": {
    sms: true,
    set: (m, a) => {
      a.atMost(5);
      const c = m.settings.cnmi;
      const next = { mode: a.int(0, 0, 2, c.mode), mt: a.int(1, 0, 3, c.mt), bm: a.int(2, 0, 2, c.bm), ds: a.int(3, 0, 2, c.ds), bfr: a.int(4, 0, 1, c.bfr) };
      if (next.bm === 1) throw cms(CMS.notSupported);
      m.settings.cnmi = next;
      m.sms.cnmiChanged();
      return ok();
    },
    read: (m) => {
      const c = m.settings.cnmi;
      return ok("+CNMI: " + [c.mode, c.mt, c.bm, c.ds, c.bfr].join(","));
    },
    test: () => ok("+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"),
  },
  "+CSMS": {
    sms: true,
    set: (m, a) => {
      a.atMost(1);
      m.settings.csms = a.int(0, 0, 1);
      return ok("+CSMS: 1,1,1");
    },
    read: (m) => ok("+CSMS: " + m.settings.csms + ",1,1,1"),
    test: () => ok("+CSMS: (0,1)"),
  },
  "+CMGS": {
    sms: true,
    needsSim: true,
    set: (m, a) => {
      a.atMost(1);
      const length = a.int(0, 1, MAX_TPDU);
      return {
        lines: [],
        prompt: {
          onPdu: async (hex): Promise<Reply> => {
            const p = readPdu(hex, length);
            const mr = await submit(m, p.smsc, p.tpdu);
            return ok("+CMGS: " + mr);
          },
        },
      };
    },
    test: () => ok(),
  },
  "+CMGW": {
    sms: true,
    needsSim: true,
    set: (m, a) => {
      a.atMost(2);
      const length = a.int(0, 1, MAX_TPDU);
      const stat = a.int(1, 0, 3, STO_UNSENT);
      return {
        lines: [],
        prompt: {
          onPdu: (hex): Reply => {
            const p = readPdu(hex, length);
            try {
              if ((p.tpdu[0] & 3) === MTI_SUBMIT) decodeSubmit(p.tpdu);
              else if ((p.tpdu[0] & 3) === MTI_DELIVER) decodeDeliver(p.tpdu);
              else throw new Error("not a message");
            } catch {
              throw cms(CMS.invalidPduParameter);
            }
            const stored = memory(m, m.settings.cpms[1]).put(stat, hex.toUpperCase());
            if (!stored) throw cms(CMS.memoryFull);
            return ok("+CMGW: " + stored.index);
          },
        },
      };
    },
    test: () => ok(),
  },
  "+CMSS": {
    sms: true,
    needsSim: true,
    set: async (m, a) => {
      a.atMost(1);
      const mem = memory(m, m.settings.cpms[1]);
      const stored = mem.get(index(a, mem));
      if (!stored) throw cms(CMS.invalidIndex);
      const p = splitAtPdu(stored.pdu);
      if ((p.tpdu[0] & 3) !== MTI_SUBMIT) throw cms(CMS.notAllowed);
      const mr = await submit(m, p.smsc ? p.smsc.number : undefined, p.tpdu);
      stored.stat = STO_SENT;
      return ok("+CMSS: " + mr);
    },
    test: () => ok(),
  },
  "+CMGL": {
    sms: true,
    needsSim: true,
    action: (m) => listMessages(m, REC_UNREAD),
    set: (m, a) => {
      a.atMost(1);
      return listMessages(m, a.int(0, 0, 4));
    },
    test: () => ok("+CMGL: (0-4)"),
  },
  "+CMGR": {
    sms: true,
    needsSim: true,
    set: (m, a) => {
      a.atMost(1);
      const mem = memory(m, m.settings.cpms[0]);
      const s = mem.get(index(a, mem));
      // An empty slot reads as nothing at all, as most modules answer.
      if (!s) return ok();
      const lines = listLines([s], "+CMGR: ", false);
      if (s.stat === REC_UNREAD) s.stat = REC_READ;
      return ok(...lines);
    },
    test: () => ok(),
  },
  "+CMGD": {
    sms: true,
    needsSim: true,
    set: (m, a) => {
      a.atMost(2);
      const mem = memory(m, m.settings.cpms[0]);
      const flag = a.int(1, 0, 4, 0);
      if (flag === 0) {
        mem.delete(index(a, mem));
        return ok();
      }
      // <delflag> 1 read, 2 read+sent, 3 read+sent+unsent, 4 all (27.005 §3.5.4).
      const kinds = [[], [REC_READ], [REC_READ, STO_SENT], [REC_READ, STO_SENT, STO_UNSENT], [REC_UNREAD, REC_READ, STO_UNSENT, STO_SENT]][flag];
      for (const s of mem.list()) if (kinds.indexOf(s.stat) >= 0) mem.delete(s.index);
      return ok();
    },
    test: (m) => ok("+CMGD: (" + memory(m, m.settings.cpms[0]).list().map((s) => s.index).join(",") + "),(0-4)"),
  },
  "+CNMA": {
    sms: true,
    action: (m) => {
      if (!m.sms.acknowledge(true)) throw cms(CMS.noCnmaExpected);
      return ok();
    },
    set: (m, a) => {
      a.atMost(2);
      const n = a.int(0, 0, 2, 0);
      const length = a.int(1, 0, MAX_TPDU, 0);
      const settle = (): Reply => {
        if (!m.sms.acknowledge(n !== 2)) throw cms(CMS.noCnmaExpected);
        return ok();
      };
      if (length === 0) return settle();
      // With <length>, an RP-ACK/RP-ERROR TPDU follows after a prompt; its content is not used.
      return { lines: [], prompt: { onPdu: (hex) => (fromHex(hex), settle()) } };
    },
    test: () => ok("+CNMA: (0-2)"),
  },
};

/** +CMGL: messages of <stat> (4 all) from <mem1>; unread ones listed become read (27.005 §3.4.2). */
function listMessages(m: SimModem, stat: number): Reply {
  const mem = memory(m, m.settings.cpms[0]);
  const chosen = mem.list().filter((s) => stat === 4 || s.stat === stat);
  const lines = listLines(chosen, "+CMGL: ", true);
  for (const s of chosen) if (s.stat === REC_UNREAD) s.stat = REC_READ;
  return ok(...lines);
}
