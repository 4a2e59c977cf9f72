/**
 * Network commands of 27.007: registration (§7.2 +CREG, §10.1.20 +CGREG, §10.1.22 +CEREG,
 * `<n>` 0/1/2 with their URCs), operator (§7.3 +COPS), signal (§8.5 +CSQ, §8.69 +CESQ),
 * emergency numbers (§8.67 +CEN) and USSD (§7.15 +CUSD).
 */
import { fromTe } from "../charset.js";
import type { SimModem } from "../modem.js";
import type { EmergencyNumbers, Registration, UssdResult } from "../network.js";
import { CME, cme, ok } from "../results.js";
import type { CommandTable, CommandSpec } from "./types.js";
import { fromHex } from "../../pdu/hex.js";
import { textToUcs2, ucs2ToText } from "../../pdu/ucs2.js";

function hex(n: number, digits: number): string {
  return n.toString(16).toUpperCase().padStart(digits, "0");
}

function isRegistered(stat: number): boolean {
  return stat === 1 || stat === 5;
}

/** `<stat>[,<lac/tac>,<ci>,<AcT>]`: location only with <n>=2 while registered (27.007 §7.2). */
function regFields(n: number, r: Registration): string {
  if (n === 2 && isRegistered(r.stat)) return r.stat + ',"' + hex(r.tac, 4) + '","' + hex(r.ci, 8) + '",' + r.act;
  return String(r.stat);
}

type RegKey = "cregN" | "cgregN" | "ceregN";
const REG_COMMANDS: { name: string; key: RegKey }[] = [
  { name: "+CREG", key: "cregN" },
  { name: "+CGREG", key: "cgregN" },
  { name: "+CEREG", key: "ceregN" },
];

/** The registration URCs a change from `before` to `after` produces, for every command whose <n> asks for them. */
export function registrationUrcs(m: SimModem, before: Registration, after: Registration): string[] {
  const statChanged = before.stat !== after.stat;
  const cellChanged = before.tac !== after.tac || before.ci !== after.ci || before.act !== after.act;
  const out: string[] = [];
  for (const c of REG_COMMANDS) {
    const n = m.settings[c.key];
    if (n === 1 && statChanged) out.push(c.name + ": " + after.stat);
    else if (n === 2 && (statChanged || (cellChanged && isRegistered(after.stat)))) out.push(c.name + ": " + regFields(2, after));
  }
  return out;
}

function registrationCommand(name: string, key: RegKey): CommandSpec {
  return {
    set: (m, a) => {
      a.atMost(1);
      m.settings[key] = a.int(0, 0, 2, 0);
      return ok();
    },
    read: (m) => {
      const r = m.isAttached ? m.registration : { ...m.registration, stat: 0 };
      return ok(name + ": " + m.settings[key] + "," + regFields(m.settings[key], r));
    },
    test: () => ok(name + ": (0-2)"),
  };
}

function operatorName(m: SimModem, format: number): string {
  const o = m.registration.operator;
  return format === 2 ? o.numeric : m.te(format === 1 ? o.short : o.long);
}

/** CBS data coding (23.038 §5) of a USSD string: which alphabet `<str>` is in. */
function ussdAlphabet(dcs: number): "gsm7" | "ucs2" | "8bit" {
  if (dcs === 0x11) return "ucs2";
  const group = dcs >> 4;
  if (group >= 4 && group <= 7) {
    const a = (dcs >> 2) & 3;
    return a === 1 ? "8bit" : a === 2 ? "ucs2" : "gsm7";
  }
  if (group === 0xf) return dcs & 0x04 ? "8bit" : "gsm7";
  return "gsm7";
}

/** The +CUSD result line: 7-bit text in the +CSCS set, 8-bit and UCS2 as hex octets (27.007 §7.15). */
export function ussdResultLine(m: SimModem, r: UssdResult): string {
  if (r.text === undefined) return "+CUSD: " + r.status;
  const dcs = r.dcs === undefined ? 15 : r.dcs;
  let str: string;
  if (ussdAlphabet(dcs) === "gsm7") str = m.te(r.text);
  else {
    const octets = ussdAlphabet(dcs) === "ucs2" ? textToUcs2(r.text) : r.text.split("").map((ch) => ch.charCodeAt(0) & 0xff);
    str = octets.map((b) => hex(b, 2)).join("");
  }
  return "+CUSD: " + r.status + ',"' + str + '",' + dcs;
}

/** +CEN1 and +CEN2 lines (27.007 §8.67): the read form, and the URCs, which equal it. */
export function cenLines(reporting: boolean, e: EmergencyNumbers | undefined): string[] {
  const rep = reporting ? 1 : 0;
  if (!e) return ["+CEN1: " + rep];
  const lines = ["+CEN1: " + rep + "," + e.mcc + "," + String(e.mnc).padStart(2, "0")];
  for (const n of e.numbers) lines.push("+CEN2: " + n.categories + "," + n.number);
  return lines;
}

export const networkCommands: CommandTable = {
  "+CREG": registrationCommand("+CREG", "cregN"),
  "+CGREG": registrationCommand("+CGREG", "cgregN"),
  "+CEREG": registrationCommand("+CEREG", "ceregN"),
  "+COPS": {
    read: (m) => {
      if (!m.registered()) return ok("+COPS: " + m.copsMode);
      const f = m.settings.copsFormat;
      return ok("+COPS: " + m.copsMode + "," + f + ',"' + operatorName(m, f) + '",' + m.registration.act);
    },
    set: (m, a) => {
      a.atMost(4);
      const mode = a.int(0, 0, 4);
      if (a.has(1)) m.settings.copsFormat = a.int(1, 0, 2);
      if (mode === 3) return ok();
      if (mode === 1) {
        // Manual selection works only for the network the simulator offers.
        const o = m.registration.operator;
        const want = a.str(2);
        if (!m.isAttached || [o.long, o.short, o.numeric].indexOf(want) < 0) throw cme(CME.noNetwork);
      }
      m.copsMode = mode === 4 ? 0 : mode;
      m.updateAttachment();
      return ok();
    },
    test: (m) => {
      const tail = ",,(0,1,2,3,4),(0,1,2)";
      if (!m.isAttached || m.registration.operator.numeric === "") return ok("+COPS: " + tail.slice(1));
      const o = m.registration.operator;
      const stat = isRegistered(m.registration.stat) ? 2 : m.registration.stat === 3 ? 3 : 1;
      return ok("+COPS: (" + stat + ',"' + m.te(o.long) + '","' + m.te(o.short) + '","' + o.numeric + '",' + m.registration.act + ")" + tail);
    },
  },
  "+CSQ": {
    action: (m) => ok("+CSQ: " + (m.isAttached ? m.signal.rssi + "," + m.signal.ber : "99,99")),
    test: () => ok("+CSQ: (0-31,99),(0-7,99)"),
  },
  "+CESQ": {
    // LTE only: GSM and UMTS fields unknown (99 / 255).
    action: (m) => ok("+CESQ: 99,99,255,255," + (m.isAttached ? m.signal.rsrq + "," + m.signal.rsrp : "255,255")),
    test: () => ok("+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)"),
  },
  "+CEN": {
    set: (m, a) => {
      a.atMost(1);
      m.settings.cen = a.int(0, 0, 1, 0) === 1;
      return ok();
    },
    read: (m) => ok(...cenLines(m.settings.cen, m.networkEmergency)),
    test: () => ok("+CEN: (0,1)"),
  },
  "+CUSD": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(3);
      const n = a.int(0, 0, 2, 0);
      if (n === 2) {
        m.stopUssdTimer();
        m.network.ussdCancel();
        return ok();
      }
      m.settings.cusd = n === 1;
      if (!a.has(1)) return ok();
      const dcs = a.int(2, 0, 255, 15);
      const raw = a.str(1);
      const alphabet = ussdAlphabet(dcs);
      let text: string;
      try {
        text =
          alphabet === "gsm7" ? fromTe(raw, m.settings.cscs) : alphabet === "ucs2" ? ucs2ToText(fromHex(raw)) : String.fromCharCode.apply(null, fromHex(raw));
      } catch {
        throw cme(CME.invalidText);
      }
      if (text.length === 0 || text.length > 160) throw cme(CME.incorrectParameters);
      if (!m.registered()) throw cme(CME.noNetwork);
      m.network.ussd(text, dcs);
      m.stopUssdTimer();
      m.ussdTimer = m.clock.setTimeout(() => {
        m.ussdTimer = undefined;
        // SPEC R81: no answer from the network is reported as +CUSD: 5 (network time-out).
        if (m.settings.cusd) m.urc("+CUSD: 5");
      }, m.ussdTimeoutMs);
      return ok();
    },
    read: (m) => ok("+CUSD: " + (m.settings.cusd ? 1 : 0)),
    test: () => ok("+CUSD: (0-2)"),
  },
};
