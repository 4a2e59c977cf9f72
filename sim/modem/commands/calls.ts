/**
 * Call control commands: V.250 D/A/H, 27.007 §6.3 dial (`ATD<number>[I|i][G|g];`), §6.5
 * +CHUP, §7.18 +CLCC, §7.13 +CHLD, §7.12 +CCWA, §7.6 +CLIP, §7.7 +CLIR, §7.8 +COLP, §6.11
 * +CRC, §6.10 +CEER and +VTS. The call logic itself is in call-control.ts.
 */
import { CME, Reply, cme, ok, plainError } from "../results.js";
import type { SimModem } from "../modem.js";
import type { Args, CommandTable } from "./types.js";

const NO_CARRIER: Reply = { lines: [], final: { kind: "code", text: "NO CARRIER" } };

/** Longest number the simulator dials (27.007 +CME ERROR: 26 beyond). */
const MAX_DIGITS = 40;

function onOff(get: (m: SimModem) => boolean, set: (m: SimModem, on: boolean) => void, name: string, extra = "") {
  return {
    set: (m: SimModem, a: Args) => {
      a.atMost(1);
      set(m, a.int(0, 0, 1, 0) === 1);
      return ok();
    },
    read: (m: SimModem) => ok(name + ": " + (get(m) ? 1 : 0) + extra),
    test: () => ok(name + ": (0,1)"),
  };
}

function dial(m: SimModem, dialString: string): Reply | Promise<Reply> {
  const voice = dialString.endsWith(";");
  const s = voice ? dialString.slice(0, -1) : dialString;
  if (s.charAt(0) === ">") throw cme(CME.notSupported); // phonebook dialling is not simulated
  let number = "";
  let hide: boolean | undefined = m.settings.clir === 1 ? true : m.settings.clir === 2 ? false : undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    // '+' where a number starts: at the beginning, or inside a 22.030 SS control string after '*' (**21*+81...#).
    if ("0123456789*#".indexOf(ch) >= 0 || (ch === "+" && (number === "" || number.charAt(number.length - 1) === "*"))) number += ch;
    else if ("ABCDabcd".indexOf(ch) >= 0) number += ch.toUpperCase();
    else if (ch === "I") hide = true;
    else if (ch === "i") hide = false;
    else if ("TtPpWw,!@Gg".indexOf(ch) < 0) throw cme(CME.invalidDialString); // V.250 §6.3.1 modifiers are ignored
  }
  if (number === "") throw plainError();
  if (number.length > MAX_DIGITS) throw cme(CME.dialStringTooLong);
  // Without ';' V.250 D starts a data call, which the simulated modem does not offer.
  if (!voice) return NO_CARRIER;
  const emergency = m.isEmergency(number);
  if (emergency) {
    // The network decides about emergency calls even in limited service; without radio there is none.
    if (!m.isAttached) return NO_CARRIER;
  } else {
    m.requireSim(false);
    if (!m.registered()) throw cme(CME.noNetwork);
  }
  return m.calls.dial(number, emergency, hide);
}

export const callCommands: CommandTable = {
  D: { action: (m, _a, c) => dial(m, c.args) },
  A: { action: (m) => m.calls.answer() },
  H: {
    action: (m, _a, c) => {
      if (c.args !== "" && c.args !== "0") throw plainError();
      return m.calls.hangupAll();
    },
  },
  "+CHUP": { action: (m) => m.calls.hangupAll(), test: () => ok() },
  "+CLCC": { action: (m) => ok(...m.calls.clcc()), test: () => ok() },
  "+CHLD": {
    set: (m, a) => {
      a.atMost(1);
      return m.calls.chld(a.str(0));
    },
    test: () => ok("+CHLD: (0,1,1x,2,2x)"),
  },
  "+CCWA": {
    set: (m, a) => {
      a.atMost(3);
      m.settings.ccwa = a.int(0, 0, 1, 0) === 1;
      if (!a.has(1)) return ok();
      const mode = a.int(1, 0, 2);
      a.int(2, 1, 255, 7);
      // 27.007 §7.12: <mode> 2 queries the service: +CCWA: <status>,<class>.
      if (mode === 2) return ok("+CCWA: " + (m.callWaitingService ? 1 : 0) + ",1");
      m.callWaitingService = mode === 1;
      m.network.setCallWaiting(m.callWaitingService);
      return ok();
    },
    read: (m) => ok("+CCWA: " + (m.settings.ccwa ? 1 : 0)),
    test: () => ok("+CCWA: (0,1)"),
  },
  // <m> 1: CLIP provisioned.
  "+CLIP": onOff((m) => m.settings.clip, (m, on) => (m.settings.clip = on), "+CLIP", ",1"),
  // <m> 1: COLP provisioned.
  // 27.007 §7.30 / §7.9: <m> 1 = provisioned.
  "+CNAP": onOff((m) => m.settings.cnap, (m, on) => (m.settings.cnap = on), "+CNAP", ",1"),
  "+CDIP": onOff((m) => m.settings.cdip, (m, on) => (m.settings.cdip = on), "+CDIP", ",1"),
  "+COLP": onOff((m) => m.settings.colp, (m, on) => (m.settings.colp = on), "+COLP", ",1"),
  "+CRC": onOff((m) => m.settings.crc, (m, on) => (m.settings.crc = on), "+CRC"),
  "+CLIR": {
    set: (m, a) => {
      a.atMost(1);
      m.settings.clir = a.int(0, 0, 2, 0);
      return ok();
    },
    // <m> 4: CLIR temporary mode, presentation allowed by default.
    read: (m) => ok("+CLIR: " + m.settings.clir + ",4"),
    test: () => ok("+CLIR: (0-2)"),
  },
  "+CEER": { action: (m) => ok(m.calls.ceer()), test: () => ok() },
  "+VTS": {
    set: (m, a) => {
      a.atMost(2);
      const tones = a.str(0);
      if (!/^[0-9*#A-Da-d]+$/.test(tones)) throw cme(CME.incorrectParameters);
      return m.calls.dtmf(tones.toUpperCase());
    },
    test: () => ok("+VTS: (0-9,*,#,A,B,C,D)"),
  },
};
