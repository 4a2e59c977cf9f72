/**
 * SMS text mode, 27.005 §3.1 and §4 (+CMGF=1), which bench users and many tools use:
 * §3.3.2 +CSMP (the SUBMIT's first octet, validity, PID and DCS), §3.3.3 +CSDH (header
 * details in listings), text +CMGS/+CMGW (§4.3, §4.4), +CMGL/+CMGR (§4.1, §4.2) and the
 * routed +CMT (§3.4.1 text form). In PDU mode (+CMGF=0) every command is the PDU-mode
 * one of sms.ts; messages are stored as PDUs either way, so a client may switch modes.
 *
 * Text conversions follow 27.005 §3.1: with a GSM 7-bit DCS and no header the text is in
 * the +CSCS character set (<da>/<oa> too); with an 8-bit or UCS2 DCS, or a user data
 * header, <data> is the user data as hex. Line breaks typed inside the text are not kept
 * (the prompt reader drops them, as for PDUs).
 */
import { fromTe } from "../charset.js";
import type { SimModem } from "../modem.js";
import { CMS, cms, ok, type Reply } from "../results.js";
import type { ModemSettings } from "../settings.js";
import { REC_READ, REC_UNREAD, STO_SENT, STO_UNSENT, type StoredMessage } from "../sms-store.js";
import { smsCommands, submit } from "./sms.js";
import type { Args, CommandSpec, CommandTable, HandlerFn } from "./types.js";
import { decodeDcs, type Alphabet } from "../../pdu/userdata.js";
import { encodeAddress, toaFor } from "../../pdu/address.js";
import { encodeUserData } from "../../pdu/userdata.js";
import { MTI_DELIVER, MTI_SUBMIT, decodeDeliver, decodeSubmit, joinAtPdu, splitAtPdu, type SmsDeliver, type SmsSubmit } from "../../pdu/tpdu.js";
import type { Timestamp } from "../../pdu/scts.js";
import { isGsm7 } from "../../pdu/gsm7.js";

/** +CSMP and +CSDH values; they go back to their defaults with the other settings (reboot, ATZ). */
interface TextMode {
  fo: number;
  vp: number;
  pid: number;
  dcs: number;
  csdh: boolean;
}

const modes = new WeakMap<ModemSettings, TextMode>();

/** 27.005 §3.3.2 defaults: SMS-SUBMIT with a relative validity (17), 24 hours (167), PID 0, default alphabet. */
export function textMode(s: ModemSettings): TextMode {
  let t = modes.get(s);
  if (!t) {
    t = { fo: 17, vp: 167, pid: 0, dcs: 0, csdh: false };
    modes.set(s, t);
  }
  return t;
}

const STAT_TEXT = ["REC UNREAD", "REC READ", "STO UNSENT", "STO SENT"];

function statOf(a: Args, i: number): number {
  const s = a.str(i).toUpperCase();
  if (s === "ALL") return 4;
  const n = STAT_TEXT.indexOf(s);
  if (n < 0) throw cms(CMS.invalidTextParameter);
  return n;
}

function hex2(n: number): string {
  return (n < 16 ? "0" : "") + n.toString(16).toUpperCase();
}

/** "yy/MM/dd,hh:mm:ss±zz" in the sender's zone (27.005 §3.1 <scts>). */
export function sctsText(ts: Timestamp): string {
  const d = new Date(ts.time + ts.tzQuarters * 15 * 60000);
  const p = (n: number) => String(n).padStart(2, "0");
  const q = ts.tzQuarters;
  return `${p(d.getUTCFullYear() % 100)}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())},${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}${q < 0 ? "-" : "+"}${p(Math.abs(q))}`;
}

/** <data> and <length> of a message's user data in text mode. */
function dataOf(m: SimModem, ud: { alphabet: Alphabet; udh: unknown[]; text: string }, octets: number[]): { data: string; length: number } {
  if (ud.alphabet === "gsm7" && ud.udh.length === 0) return { data: m.te(ud.text), length: ud.text.length };
  const data = octets.map(hex2).join("");
  return { data, length: data.length / 2 };
}

interface Decoded {
  kind: "deliver" | "submit";
  deliver?: SmsDeliver;
  submit?: SmsSubmit;
  sca: string;
  fo: number;
  /** The user data octets as sent (header included), for hex <data>. */
  udOctets: number[];
}

function decodeStored(pdu: string): Decoded | undefined {
  try {
    const p = splitAtPdu(pdu);
    const fo = p.tpdu[0];
    const sca = p.smsc ? p.smsc.number : "";
    if ((fo & 3) === MTI_DELIVER) {
      const d = decodeDeliver(p.tpdu);
      return { kind: "deliver", deliver: d, sca, fo, udOctets: userDataOctets(d.userData) };
    }
    if ((fo & 3) === MTI_SUBMIT) {
      const s = decodeSubmit(p.tpdu);
      return { kind: "submit", submit: s, sca, fo, udOctets: userDataOctets(s.userData) };
    }
  } catch {
    // A stored message the codec cannot read is listed in neither mode's text form.
  }
  return undefined;
}

/** The octets of the user data as text mode shows them in hex: the header, then the body. */
function userDataOctets(ud: { alphabet: Alphabet; udh: { iei: number; data: number[] }[]; text: string; data: number[] }): number[] {
  const head: number[] = [];
  if (ud.udh.length > 0) {
    let len = 0;
    for (const ie of ud.udh) len += 2 + ie.data.length;
    head.push(len);
    for (const ie of ud.udh) head.push(ie.iei, ie.data.length, ...ie.data);
  }
  if (ud.alphabet === "ucs2") {
    const body: number[] = [];
    for (let i = 0; i < ud.text.length; i++) body.push(ud.text.charCodeAt(i) >> 8, ud.text.charCodeAt(i) & 0xff);
    return head.concat(body);
  }
  return head.concat(ud.data);
}

/** The header line and <data> of one stored message (§4.1 +CMGL, §4.2 +CMGR) or a routed one (+CMT). */
function textLines(m: SimModem, d: Decoded, head: string, form: "list" | "read" | "cmt", stat: number): string[] {
  const details = textMode(m.settings).csdh;
  const st = '"' + STAT_TEXT[stat] + '"';
  const q = (s: string) => '"' + s + '"';
  const tosca = d.sca.charAt(0) === "+" ? 145 : 129;
  if (d.kind === "deliver") {
    const x = d.deliver!;
    const { data, length } = dataOf(m, x.userData, d.udOctets);
    const oa = q(m.te(x.from.number)) + ",";
    const scts = q(sctsText(x.scts));
    let line: string;
    if (form === "list") line = head + st + "," + oa + "," + scts + (details ? "," + x.from.toa + "," + length : "");
    else {
      const tail = "," + x.from.toa + "," + d.fo + "," + x.pid + "," + x.dcs + "," + q(m.te(d.sca)) + "," + tosca + "," + length;
      line = head + (form === "read" ? st + "," : "") + oa + "," + scts + (details ? tail : "");
    }
    return [line, data];
  }
  const s = d.submit!;
  const { data, length } = dataOf(m, s.userData, d.udOctets);
  const da = q(m.te(s.to.number)) + ",";
  let line: string;
  if (form === "list") line = head + st + "," + da + "," + (details ? "," + s.to.toa + "," + length : "");
  else {
    const vp = s.validity && s.validity.kind === "relative" ? String(s.validity.octet) : "";
    line = head + st + "," + da + (details ? "," + s.to.toa + "," + d.fo + "," + s.pid + "," + s.dcs + "," + vp + "," + q(m.te(d.sca)) + "," + tosca + "," + length : "");
  }
  return [line, data];
}

/** The text-mode form of a routed SMS-DELIVER (`+CMT: <oa>,[<alpha>],<scts>[,...]` and its <data>), or undefined. */
export function textCmt(m: SimModem, pdu: string): string[] | undefined {
  const d = decodeStored(pdu);
  return d && d.kind === "deliver" ? textLines(m, d, "+CMT: ", "cmt", REC_UNREAD) : undefined;
}

/** Builds the SMS-SUBMIT of a text-mode send from +CSMP and the typed text (27.005 §3.5.1 text mode). */
function submitPdu(m: SimModem, da: string, toda: number, typed: string): { sca: string; tpdu: number[] } {
  const t = textMode(m.settings);
  const coding = decodeDcs(t.dcs);
  const udhi = (t.fo & 0x40) !== 0;
  let ud: number[];
  // A 7-bit text with a header would need its length in septets, which hex cannot say: PDU mode does that.
  if (coding.alphabet === "gsm7" && udhi) throw cms(CMS.invalidTextParameter);
  if (coding.alphabet === "gsm7") {
    const text = fromTe(typed, m.settings.cscs);
    if (!isGsm7(text) || text.length > 160) throw cms(CMS.invalidTextParameter);
    ud = encodeUserData("gsm7", text, []);
  } else {
    // 8-bit, UCS2 or with a header: the client typed the user data in hex (27.005 §3.1 <data>).
    if (typed.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(typed) || typed.length / 2 > 140) throw cms(CMS.invalidTextParameter);
    const octets: number[] = [];
    for (let i = 0; i < typed.length; i += 2) octets.push(parseInt(typed.slice(i, i + 2), 16));
    ud = [octets.length].concat(octets);
  }
  let address: number[];
  try {
    address = encodeAddress(da, toda);
  } catch {
    throw cms(CMS.invalidTextParameter);
  }
  const vpf = (t.fo >> 3) & 3;
  // Only a relative validity (VPF 2) is one octet; other formats are PDU-mode business.
  const vp = vpf === 2 ? [t.vp] : [];
  const fo = (t.fo & ~0x18) | (vp.length ? 0x10 : 0);
  return { sca: m.smsc, tpdu: [fo, 0].concat(address, [t.pid, t.dcs], vp, ud) };
}

/** Runs the PDU-mode handler of `name` in PDU mode, the text-mode one in text mode. */
function byMode(name: string, form: keyof CommandSpec, text: HandlerFn): HandlerFn {
  return (m, a, c) => {
    if (m.settings.cmgf === 1) return text(m, a, c);
    const pdu = smsCommands[name][form] as HandlerFn | undefined;
    if (!pdu) throw cms(CMS.notSupported);
    return pdu(m, a, c);
  };
}

function listText(m: SimModem, stat: number): Reply {
  const mem = m.store.mem(m.settings.cpms[0]);
  if (!mem) throw cms(CMS.memoryFailure);
  const lines: string[] = [];
  for (const s of mem.list().filter((x) => stat === 4 || x.stat === stat)) {
    const d = decodeStored(s.pdu);
    if (!d) continue;
    lines.push(...textLines(m, d, "+CMGL: " + s.index + ",", "list", s.stat));
    if (s.stat === REC_UNREAD) s.stat = REC_READ;
  }
  return ok(...lines);
}

function addressArgs(m: SimModem, a: Args): { da: string; toda: number } {
  const da = fromTe(a.str(0), m.settings.cscs);
  if (!/^\+?[0-9*#]{1,20}$/.test(da)) throw cms(CMS.invalidTextParameter);
  return { da, toda: a.int(1, 128, 255, toaFor(da)) };
}

function sendText(m: SimModem, a: Args): Reply {
  a.atMost(2);
  const { da, toda } = addressArgs(m, a);
  return {
    lines: [],
    prompt: {
      onPdu: async (typed): Promise<Reply> => {
        const p = submitPdu(m, da, toda, typed);
        // The PDU-mode path does the rest: TP-MR from the modem, registration, the network.
        return ok("+CMGS: " + (await submit(m, p.sca, p.tpdu)));
      },
    },
  };
}

export const textSmsCommands: CommandTable = {
  "+CMGF": {
    sms: true,
    set: (m, a) => {
      a.atMost(1);
      m.settings.cmgf = a.int(0, 0, 1, 0);
      return ok();
    },
    read: (m) => ok("+CMGF: " + m.settings.cmgf),
    test: () => ok("+CMGF: (0,1)"),
  },
  "+CSMP": {
    sms: true,
    set: (m, a) => {
      a.atMost(4);
      const t = textMode(m.settings);
      const fo = a.int(0, 0, 255, t.fo);
      // Text mode sends SMS-SUBMITs (and SMS-COMMANDs, not simulated): MTI 01.
      if ((fo & 3) !== MTI_SUBMIT) throw cms(CMS.invalidTextParameter);
      const vp = a.int(1, 0, 255, t.vp);
      const pid = a.int(2, 0, 255, t.pid);
      const dcs = a.int(3, 0, 255, t.dcs);
      Object.assign(t, { fo, vp, pid, dcs });
      return ok();
    },
    read: (m) => {
      const t = textMode(m.settings);
      return ok("+CSMP: " + [t.fo, t.vp, t.pid, t.dcs].join(","));
    },
    test: () => ok(),
  },
  "+CSDH": {
    sms: true,
    action: (m) => ((textMode(m.settings).csdh = false), ok()),
    set: (m, a) => {
      a.atMost(1);
      textMode(m.settings).csdh = a.int(0, 0, 1, 0) === 1;
      return ok();
    },
    read: (m) => ok("+CSDH: " + (textMode(m.settings).csdh ? 1 : 0)),
    test: () => ok("+CSDH: (0,1)"),
  },
  "+CMGS": { ...smsCommands["+CMGS"], set: byMode("+CMGS", "set", (m, a) => sendText(m, a)) },
  "+CMGW": {
    ...smsCommands["+CMGW"],
    action: (m, a, c) => (m.settings.cmgf === 1 ? writeText(m, a, true) : (smsCommands["+CMGW"].set as HandlerFn)(m, a, c)),
    set: byMode("+CMGW", "set", (m, a) => writeText(m, a, false)),
  },
  "+CMGL": {
    ...smsCommands["+CMGL"],
    action: byMode("+CMGL", "action", (m) => listText(m, REC_UNREAD)),
    set: byMode("+CMGL", "set", (m, a) => {
      a.atMost(1);
      return listText(m, statOf(a, 0));
    }),
    test: (m, a, c) => (m.settings.cmgf === 1 ? ok('+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")') : (smsCommands["+CMGL"].test as HandlerFn)(m, a, c)),
  },
  "+CMGR": {
    ...smsCommands["+CMGR"],
    set: byMode("+CMGR", "set", (m, a) => {
      a.atMost(1);
      const mem = m.store.mem(m.settings.cpms[0]);
      if (!mem) throw cms(CMS.memoryFailure);
      const i = a.int(0, 0, 65535);
      if (i < 1 || i > mem.capacity) throw cms(CMS.invalidIndex);
      const s: StoredMessage | undefined = mem.get(i);
      if (!s) return ok();
      const d = decodeStored(s.pdu);
      if (!d) throw cms(CMS.invalidTextParameter);
      const lines = textLines(m, d, "+CMGR: ", "read", s.stat);
      if (s.stat === REC_UNREAD) s.stat = REC_READ;
      return ok(...lines);
    }),
  },
};

/** Text +CMGW (§4.4): `AT+CMGW[=<da>[,<toda>[,<stat>]]]`, then the text; stored as an SMS-SUBMIT PDU. */
function writeText(m: SimModem, a: Args, bare: boolean): Reply {
  a.atMost(3);
  const addr = bare ? { da: "", toda: 129 } : addressArgs(m, a);
  const stat = bare || !a.has(2) ? STO_UNSENT : statOf(a, 2);
  if (stat !== STO_UNSENT && stat !== STO_SENT) throw cms(CMS.invalidTextParameter);
  return {
    lines: [],
    prompt: {
      onPdu: (typed): Reply => {
        const p = addr.da === "" ? submitPdu(m, "0", 129, typed) : submitPdu(m, addr.da, addr.toda, typed);
        const mem = m.store.mem(m.settings.cpms[1]);
        const stored = mem ? mem.put(stat, joinAtPdu(p.sca, p.tpdu)) : undefined;
        if (!stored) throw cms(CMS.memoryFull);
        return ok("+CMGW: " + stored.index);
      },
    },
  };
}

