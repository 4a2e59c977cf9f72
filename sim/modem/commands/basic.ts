/**
 * V.250 basic commands (E, V, Q, Z, &F, I, S-registers) and the 27.007 general commands:
 * identification (§5.1-§5.4 +CGMI/+CGMM/+CGMR/+CGSN), character set (§5.5 +CSCS),
 * error reporting (§9.1 +CMEE), functionality (§8.2 +CFUN), the SIM (§8.3 +CPIN, §5.6
 * +CIMI, +CCID), subscriber number (§7.1 +CNUM) and battery (§8.4 +CBC).
 */
import { CHARSETS, Charset } from "../charset.js";
import { CME, cme, ok, plainError } from "../results.js";
import { defaultSettings } from "../settings.js";
import type { SimModem } from "../modem.js";
import type { CommandTable, HandlerFn } from "./types.js";

/** A basic command taking 0 or 1 (E, V, Q). */
function flag(apply: (m: SimModem, on: boolean) => void): HandlerFn {
  return (m, _a, c) => {
    if (c.args !== "" && c.args !== "0" && c.args !== "1") throw plainError();
    apply(m, c.args === "1");
    return ok();
  };
}

/** Accepted and ignored: settings that mean nothing on a simulated line (&C, &D, &K, &W, X, L, M). */
const accept: HandlerFn = () => ok();

const identification = (pick: (m: SimModem) => string) => ({ action: (m: SimModem) => ok(pick(m)), test: () => ok() });

function resetSettings(m: SimModem): void {
  m.settings = defaultSettings();
  m.sms.cnmiChanged();
}

export const basicCommands: CommandTable = {
  E: { action: flag((m, on) => (m.settings.echo = on)) },
  V: { action: flag((m, on) => (m.settings.verbose = on)) },
  Q: { action: flag((m, on) => (m.settings.quiet = on)) },
  // V.250 §6.1.1/§6.1.2: back to the profile / factory settings. The result code uses the new settings.
  Z: { action: (m) => (resetSettings(m), ok()) },
  "&F": { action: (m) => (resetSettings(m), ok()) },
  "&W": { action: accept },
  "&C": { action: accept },
  "&D": { action: accept },
  "&K": { action: accept },
  X: { action: accept },
  L: { action: accept },
  M: { action: accept },
  I: { action: (m) => ok(m.identity.manufacturer, m.identity.model, "Revision: " + m.identity.revision) },
  S: {
    // V.250 §6.2: S-parameters read back as three decimal digits.
    read: (m, _a, c) => {
      const v = m.settings.s[Number(c.name.slice(1))];
      if (v === undefined) throw plainError();
      return ok(String(v).padStart(3, "0"));
    },
    set: (m, _a, c) => {
      const reg = Number(c.name.slice(1));
      if (m.settings.s[reg] === undefined || c.args === "" || Number(c.args) > 255) throw plainError();
      m.settings.s[reg] = Number(c.args);
      return ok();
    },
  },
  "+CGMI": identification((m) => m.identity.manufacturer),
  "+GMI": identification((m) => m.identity.manufacturer),
  "+CGMM": identification((m) => m.identity.model),
  "+GMM": identification((m) => m.identity.model),
  "+CGMR": identification((m) => m.identity.revision),
  "+GMR": identification((m) => m.identity.revision),
  "+GSN": identification((m) => m.identity.imei),
  "+CGSN": {
    action: (m) => ok(m.identity.imei),
    // 27.007 §5.4: <snt> 0 serial number, 1 IMEI (+CGSN: "<imei>").
    set: (m, a) => {
      const snt = a.int(0, 0, 1);
      return ok(snt === 1 ? '+CGSN: "' + m.identity.imei + '"' : m.identity.imei);
    },
    test: () => ok("+CGSN: (0,1)"),
  },
  "+CIMI": { action: (m) => ok(m.identity.imsi), test: () => ok(), needsSim: true },
  "+CCID": { action: (m) => ok("+CCID: " + m.identity.iccid), test: () => ok(), needsSim: true },
  "+CNUM": {
    // 27.007 §7.1: +CNUM: [<alpha>],<number>,<type>
    // 27.007 §7.1: <number> follows <type>, not +CSCS (only <alpha> would).
    action: (m) => ok('+CNUM: ,"' + m.identity.msisdn + '",' + (m.identity.msisdn.charAt(0) === "+" ? 145 : 129)),
    test: () => ok(),
    needsSim: true,
  },
  "+CBC": { action: () => ok("+CBC: 0,100"), test: () => ok("+CBC: (0-3),(0-100)") },
  "+CMEE": {
    set: (m, a) => {
      a.atMost(1);
      m.settings.cmee = a.int(0, 0, 2, 0);
      return ok();
    },
    read: (m) => ok("+CMEE: " + m.settings.cmee),
    test: () => ok("+CMEE: (0-2)"),
  },
  "+CSCS": {
    set: (m, a) => {
      a.atMost(1);
      const cs = a.str(0, "IRA").toUpperCase();
      if (CHARSETS.indexOf(cs as Charset) < 0) throw cme(CME.notSupported);
      m.settings.cscs = cs as Charset;
      return ok();
    },
    read: (m) => ok('+CSCS: "' + m.settings.cscs + '"'),
    test: () => ok("+CSCS: (" + CHARSETS.map((c) => '"' + c + '"').join(",") + ")"),
  },
  "+CFUN": {
    set: (m, a) => {
      a.atMost(2);
      const fun = a.int(0, 0, 4, 1);
      const rst = a.int(1, 0, 1, 0);
      if (fun !== 0 && fun !== 1 && fun !== 4) throw cme(CME.incorrectParameters);
      if (rst === 1) {
        // The OK goes out first, then the module restarts (27.007 §8.2 <rst> 1).
        m.clock.setTimeout(() => m.reboot(), 0);
        return ok();
      }
      m.cfun = fun;
      m.updateAttachment();
      return ok();
    },
    read: (m) => ok("+CFUN: " + m.cfun),
    test: () => ok("+CFUN: (0,1,4),(0,1)"),
  },
  "+CPIN": {
    read: (m) => {
      if (m.simState === "absent") throw cme(CME.simNotInserted);
      if (m.simState === "NOT READY" && m.simCard().busyAnswer === "busy") throw cme(CME.simBusy);
      return ok("+CPIN: " + m.simState);
    },
    set: (m, a) => {
      a.atMost(2);
      if (m.simState === "absent") throw cme(CME.simNotInserted);
      if (m.simState === "READY") throw cme(CME.notAllowed);
      if (m.simState === "NOT READY") throw cme(CME.simBusy);
      const given = a.str(0);
      const sim = m.simCard();
      if (m.simState === "SIM PIN") {
        if (given !== sim.pin) {
          m.pinTries--;
          if (m.pinTries <= 0) m.simState = "SIM PUK";
          throw cme(CME.incorrectPassword);
        }
      } else {
        // 27.007 §8.3: in SIM PUK state, <pin> is the PUK and <newpin> replaces the PIN.
        if (m.pukTries <= 0) throw cme(CME.simFailure);
        if (given !== (sim.puk || "12345678") || !a.has(1)) {
          m.pukTries--;
          throw cme(CME.incorrectPassword);
        }
        sim.pin = a.str(1);
        m.pukTries = 10;
      }
      m.simState = "READY";
      m.pinTries = 3;
      m.updateAttachment();
      return ok();
    },
    test: () => ok(),
  },
};
