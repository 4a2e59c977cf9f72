/**
 * What real LTE modules answer besides calls, SMS and registration, and what clients
 * (ModemManager, oFono, gammu) send at start-up:
 * - V.250 §6.1.9 +GCAP capabilities, §6.2.10/§6.2.11/§6.2.12 +IPR/+ICF/+IFC serial
 *   settings, &V the active configuration (vendor manuals: Quectel and SIMCom list it);
 * - 27.007 §8.1 +CPAS activity, §8.23/§8.24 +CLVL/+CMUT audio, §8.9/§8.10 +CIND/+CMER
 *   indicators with +CIEV reports;
 * - 27.007 §8.15 +CCLK real-time clock, §8.41 +CTZU automatic time zone update and
 *   §8.40 +CTZR time zone reports (+CTZV, +CTZE) from the network's time (NITZ, 24.008
 *   §9.2.15a MM information), sent when the modem registers;
 * - 27.007 §8.11/§8.12/§8.14 +CPBS/+CPBR/+CPBW phonebooks: SM on the SIM, ON own
 *   numbers, EN emergency numbers. Numbers are never converted by +CSCS; only <text> is.
 *
 * Settings here go back to their power-on values with the others (reboot, ATZ, AT&F):
 * they belong to the settings object the modem replaces then.
 */
import type { SimModem } from "../modem.js";
import { fromTe } from "../charset.js";
import { CME, cme, ok } from "../results.js";
import type { ModemSettings } from "../settings.js";
import { STAT_ACTIVE, STAT_ALERTING, STAT_DIALING, STAT_HELD, STAT_INCOMING, STAT_WAITING } from "../call-control.js";
import type { CommandTable } from "./types.js";

/** The network's time zone (Japan, +9 h) in quarters of an hour, as NITZ carries it. */
export const NETWORK_TZ_QUARTERS = 36;

const IPR_RATES = [0, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600, 3000000];

const INDICATORS: [string, string][] = [
  ["battchg", "(0-5)"],
  ["signal", "(0-5)"],
  ["service", "(0,1)"],
  ["call", "(0,1)"],
  ["roam", "(0,1)"],
  ["smsfull", "(0,1)"],
  ["message", "(0,1)"],
  ["callsetup", "(0-3)"],
];

interface DeviceSettings {
  clvl: number;
  cmut: number;
  ipr: number;
  icf: [number, number];
  ifc: [number, number];
  /** +CMER <mode>, <ind>: +CIEV reports when mode 1..3 and ind 1 or 2. */
  cmerMode: number;
  cmerInd: number;
  ctzr: number;
  ctzu: number;
  cpbs: string;
  /** Last indicator values reported, to send only changes. */
  shown: number[];
  /** Whether the time zone was reported since the last registration. */
  tzReported: boolean;
}

/** State that lives longer than settings: the clock offset and the SIM phonebook. */
interface DeviceState {
  settingsRef: ModemSettings | undefined;
  settings: DeviceSettings;
  /** +CCLK: the modem's clock minus the simulation clock (ms), and its time zone in quarters. */
  clockOffsetMs: number;
  tzQuarters: number;
  /** The SIM phonebook (+CPBW): index -> entry. */
  sm: { [index: number]: { number: string; type: number; text: string } };
  watching: boolean;
}

const states = new WeakMap<SimModem, DeviceState>();

function freshSettings(): DeviceSettings {
  return { clvl: 3, cmut: 0, ipr: 115200, icf: [3, 3], ifc: [0, 0], cmerMode: 0, cmerInd: 0, ctzr: 0, ctzu: 0, cpbs: "SM", shown: [], tzReported: false };
}

function stateOf(m: SimModem): DeviceState {
  let s = states.get(m);
  if (!s) {
    s = { settingsRef: m.settings, settings: freshSettings(), clockOffsetMs: 0, tzQuarters: 0, sm: {}, watching: false };
    states.set(m, s);
  }
  if (s.settingsRef !== m.settings) {
    s.settingsRef = m.settings;
    s.settings = freshSettings();
  }
  if (!s.watching) {
    s.watching = true;
    m.watchers.push(() => onModemChanged(m));
  }
  return s;
}

// ---- indicators (27.007 §8.9) ----

function indicatorValues(m: SimModem): number[] {
  const rssi = m.signal.rssi;
  const bars = rssi === 99 || !m.registered() ? 0 : rssi >= 20 ? 5 : rssi >= 15 ? 4 : rssi >= 10 ? 3 : rssi >= 5 ? 2 : 1;
  const calls = m.calls.calls;
  const inCall = calls.some((c) => c.stat === STAT_ACTIVE || c.stat === STAT_HELD) ? 1 : 0;
  // callsetup: 1 incoming, 2 outgoing dialling, 3 outgoing alerting (Bluetooth HFP's meaning, which clients use).
  const setup = calls.some((c) => c.stat === STAT_INCOMING || c.stat === STAT_WAITING)
    ? 1
    : calls.some((c) => c.stat === STAT_DIALING)
      ? 2
      : calls.some((c) => c.stat === STAT_ALERTING)
        ? 3
        : 0;
  const full = m.store.mem(m.settings.cpms[2]);
  return [5, bars, m.registered() ? 1 : 0, inCall, m.registration.stat === 5 ? 1 : 0, full && full.used() >= full.capacity ? 1 : 0, 0, setup];
}

function onModemChanged(m: SimModem): void {
  const s = states.get(m);
  if (!s || s.settingsRef !== m.settings) return;
  const d = s.settings;
  const now = indicatorValues(m);
  if (d.cmerMode > 0 && d.cmerInd > 0) {
    for (let i = 0; i < now.length; i++) if (d.shown[i] !== now[i]) m.urc("+CIEV: " + (i + 1) + "," + now[i]);
  }
  d.shown = now;
  // NITZ comes with registration (24.008 §9.2.15a): the zone is reported, and with +CTZU=1 the clock is set.
  if (m.registered() && !d.tzReported) {
    d.tzReported = true;
    if (d.ctzu === 1) {
      s.clockOffsetMs = 0;
      s.tzQuarters = NETWORK_TZ_QUARTERS;
    }
    if (d.ctzr === 1) m.urc("+CTZV: " + tzText(NETWORK_TZ_QUARTERS));
    if (d.ctzr === 2) m.urc("+CTZE: " + tzText(NETWORK_TZ_QUARTERS) + ",0," + '"' + clockText(m.clock.now(), NETWORK_TZ_QUARTERS, "yyyy") + '"');
  } else if (!m.registered()) d.tzReported = false;
}

// ---- time (27.007 §8.15) ----

function tzText(q: number): string {
  return (q < 0 ? "-" : "+") + String(Math.abs(q)).padStart(2, "0");
}

/** "yy/MM/dd,hh:mm:ss" in local time of zone `q` (quarters), or with a four-digit year for +CTZE. */
function clockText(utcMs: number, q: number, year: "yy" | "yyyy"): string {
  const d = new Date(utcMs + q * 15 * 60000);
  const p = (n: number) => String(n).padStart(2, "0");
  const y = year === "yy" ? p(d.getUTCFullYear() % 100) : String(d.getUTCFullYear());
  return `${y}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())},${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** Parses `yy/MM/dd,hh:mm:ss±zz`; undefined when malformed. */
function parseClock(s: string): { utcMs: number; q: number } | undefined {
  const r = /^(\d\d)\/(\d\d)\/(\d\d),(\d\d):(\d\d):(\d\d)([+-]\d\d)$/.exec(s);
  if (!r) return undefined;
  const [mo, d, h, mi, se, q] = [Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), Number(r[7])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 || Math.abs(q) > 56) return undefined;
  const local = Date.UTC(2000 + Number(r[1]), mo - 1, d, h, mi, se);
  return { utcMs: local - q * 15 * 60000, q };
}

// ---- phonebooks (27.007 §8.11-§8.14) ----

const PB_SIZE: { [name: string]: number } = { SM: 250, ON: 4, EN: 8 };
const PB_TEXT = 18;
const PB_NUMBER = 40;

function phonebook(m: SimModem, name: string): { [index: number]: { number: string; type: number; text: string } } {
  const s = stateOf(m);
  if (name === "SM") return s.sm;
  if (name === "ON") return { 1: { number: m.identity.msisdn, type: typeOf(m.identity.msisdn), text: "" } };
  const out: { [index: number]: { number: string; type: number; text: string } } = {};
  m.emergencyList().forEach((n, i) => (out[i + 1] = { number: n, type: 129, text: "" }));
  return out;
}

function typeOf(number: string): number {
  return number.charAt(0) === "+" ? 145 : 129;
}

function pbLine(m: SimModem, i: number, e: { number: string; type: number; text: string }): string {
  return "+CPBR: " + i + ',"' + e.number + '",' + e.type + ',"' + m.te(e.text) + '"';
}

export const deviceCommands: CommandTable = {
  "+GCAP": { action: () => ok("+GCAP: +CGSM,+DS,+ES") },
  "&V": {
    action: (m) => {
      const s = m.settings;
      const d = stateOf(m).settings;
      const regs = Object.keys(s.s)
        .map((k) => "S" + k + ":" + String(s.s[Number(k)]).padStart(3, "0"))
        .join(" ");
      return ok(
        "ACTIVE PROFILE:",
        `E${s.echo ? 1 : 0} Q${s.quiet ? 1 : 0} V${s.verbose ? 1 : 0} +CMEE: ${s.cmee} +CSCS: "${s.cscs}" +CMGF: ${s.cmgf}`,
        regs,
        `+IPR: ${d.ipr} +ICF: ${d.icf[0]},${d.icf[1]} +IFC: ${d.ifc[0]},${d.ifc[1]}`,
        `+CREG: ${s.cregN} +CGREG: ${s.cgregN} +CEREG: ${s.ceregN} +CLIP: ${s.clip ? 1 : 0} +COLP: ${s.colp ? 1 : 0} +CCWA: ${s.ccwa ? 1 : 0} +CUSD: ${s.cusd ? 1 : 0}`,
        `+CNMI: ${s.cnmi.mode},${s.cnmi.mt},${s.cnmi.bm},${s.cnmi.ds},${s.cnmi.bfr} +CPMS: "${s.cpms.join('","')}"`,
      );
    },
  },
  "+IPR": {
    set: (m, a) => {
      a.atMost(1);
      const rate = a.int(0, 0, 3000000);
      if (IPR_RATES.indexOf(rate) < 0) throw cme(CME.incorrectParameters);
      stateOf(m).settings.ipr = rate;
      return ok();
    },
    read: (m) => ok("+IPR: " + stateOf(m).settings.ipr),
    test: () => ok("+IPR: (),(" + IPR_RATES.join(",") + ")"),
  },
  "+ICF": {
    // V.250 §6.2.11: <format> 1..6 (3 = 8 data 1 stop), <parity> 0..3.
    set: (m, a) => {
      a.atMost(2);
      const d = stateOf(m).settings;
      d.icf = [a.int(0, 1, 6, d.icf[0]), a.int(1, 0, 3, d.icf[1])];
      return ok();
    },
    read: (m) => ok("+ICF: " + stateOf(m).settings.icf.join(",")),
    test: () => ok("+ICF: (1-6),(0-3)"),
  },
  "+IFC": {
    // V.250 §6.2.12: 0 none, 2 RTS/CTS.
    set: (m, a) => {
      a.atMost(2);
      const by = a.int(0, 0, 2, 0);
      const of = a.int(1, 0, 2, by);
      if (by === 1 || of === 1) throw cme(CME.notSupported); // XON/XOFF would eat bytes of binary payloads
      stateOf(m).settings.ifc = [by, of];
      return ok();
    },
    read: (m) => ok("+IFC: " + stateOf(m).settings.ifc.join(",")),
    test: () => ok("+IFC: (0,2),(0,2)"),
  },
  "+CPAS": {
    // 27.007 §8.1: 0 ready, 3 ringing, 4 call in progress; 5 asleep is not simulated.
    action: (m) => {
      const calls = m.calls.calls;
      const pas = calls.some((c) => c.stat === STAT_INCOMING) ? 3 : calls.length > 0 ? 4 : 0;
      return ok("+CPAS: " + pas);
    },
    test: () => ok("+CPAS: (0,3,4)"),
  },
  "+CLVL": {
    set: (m, a) => {
      a.atMost(1);
      stateOf(m).settings.clvl = a.int(0, 0, 5);
      return ok();
    },
    read: (m) => ok("+CLVL: " + stateOf(m).settings.clvl),
    test: () => ok("+CLVL: (0-5)"),
  },
  "+CMUT": {
    set: (m, a) => {
      a.atMost(1);
      // 27.007 §8.24: muting applies to a call; without one there is nothing to mute.
      if (m.calls.calls.length === 0) throw cme(CME.notAllowed);
      stateOf(m).settings.cmut = a.int(0, 0, 1);
      return ok();
    },
    read: (m) => ok("+CMUT: " + (m.calls.calls.length === 0 ? 0 : stateOf(m).settings.cmut)),
    test: () => ok("+CMUT: (0,1)"),
  },
  "+CIND": {
    read: (m) => ok("+CIND: " + indicatorValues(m).join(",")),
    test: () => ok("+CIND: " + INDICATORS.map((i) => '("' + i[0] + '",' + i[1] + ")").join(",")),
  },
  "+CMER": {
    // 27.007 §8.10: <mode>,<keyp>,<disp>,<ind>,<bfr>; only indicator reports exist here.
    set: (m, a) => {
      a.atMost(5);
      const d = stateOf(m).settings;
      const mode = a.int(0, 0, 3, d.cmerMode);
      if (a.int(1, 0, 0, 0) !== 0 || a.int(2, 0, 0, 0) !== 0) throw cme(CME.notSupported);
      const ind = a.int(3, 0, 2, d.cmerInd);
      a.int(4, 0, 1, 0);
      d.cmerMode = mode;
      d.cmerInd = ind;
      // Reporting starts from the values now: only later changes are sent (ind 1).
      d.shown = indicatorValues(m);
      return ok();
    },
    read: (m) => {
      const d = stateOf(m).settings;
      return ok("+CMER: " + d.cmerMode + ",0,0," + d.cmerInd + ",0");
    },
    test: () => ok("+CMER: (0-3),(0),(0),(0-2),(0,1)"),
  },
  "+CCLK": {
    read: (m) => {
      const s = stateOf(m);
      return ok('+CCLK: "' + clockText(m.clock.now() + s.clockOffsetMs, s.tzQuarters, "yy") + tzText(s.tzQuarters) + '"');
    },
    set: (m, a) => {
      a.atMost(1);
      const t = parseClock(a.str(0));
      if (!t) throw cme(CME.incorrectParameters);
      const s = stateOf(m);
      s.clockOffsetMs = t.utcMs - m.clock.now();
      s.tzQuarters = t.q;
      return ok();
    },
    test: () => ok(),
  },
  "+CTZR": {
    set: (m, a) => {
      a.atMost(1);
      stateOf(m).settings.ctzr = a.int(0, 0, 2);
      return ok();
    },
    read: (m) => ok("+CTZR: " + stateOf(m).settings.ctzr),
    test: () => ok("+CTZR: (0-2)"),
  },
  "+CTZU": {
    set: (m, a) => {
      a.atMost(1);
      const s = stateOf(m);
      s.settings.ctzu = a.int(0, 0, 1);
      // Already registered: the network's time is known and applies now.
      if (s.settings.ctzu === 1 && m.registered()) {
        s.clockOffsetMs = 0;
        s.tzQuarters = NETWORK_TZ_QUARTERS;
      }
      return ok();
    },
    read: (m) => ok("+CTZU: " + stateOf(m).settings.ctzu),
    test: () => ok("+CTZU: (0,1)"),
  },
  "+CPBS": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(2);
      const name = a.str(0).toUpperCase();
      if (PB_SIZE[name] === undefined) throw cme(CME.notSupported);
      stateOf(m).settings.cpbs = name;
      return ok();
    },
    read: (m) => {
      const name = stateOf(m).settings.cpbs;
      return ok('+CPBS: "' + name + '",' + Object.keys(phonebook(m, name)).length + "," + PB_SIZE[name]);
    },
    test: () => ok('+CPBS: ("SM","ON","EN")'),
  },
  "+CPBR": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(2);
      const name = stateOf(m).settings.cpbs;
      const size = PB_SIZE[name];
      const from = a.int(0, 1, size);
      const to = a.int(1, from, size, from);
      const book = phonebook(m, name);
      const lines: string[] = [];
      for (let i = from; i <= to; i++) if (book[i]) lines.push(pbLine(m, i, book[i]));
      // 27.007 §8.12: reading one empty location is "not found".
      if (lines.length === 0 && from === to) throw cme(CME.notFound);
      return ok(...lines);
    },
    test: (m) => ok("+CPBR: (1-" + PB_SIZE[stateOf(m).settings.cpbs] + ")," + PB_NUMBER + "," + PB_TEXT),
  },
  "+CPBW": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(4);
      const s = stateOf(m);
      if (s.settings.cpbs !== "SM") throw cme(CME.notAllowed);
      const index = a.has(0) ? a.int(0, 1, PB_SIZE.SM) : firstFree(s.sm);
      if (index === 0) throw cme(CME.memoryFull);
      if (!a.has(1)) {
        delete s.sm[index];
        return ok();
      }
      const number = a.str(1);
      if (number.length > PB_NUMBER || !/^\+?[0-9*#pw]*$/i.test(number)) throw cme(CME.invalidDialString);
      const text = fromTe(a.str(3, ""), m.settings.cscs);
      if (text.length > PB_TEXT) throw cme(CME.textTooLong);
      s.sm[index] = { number, type: a.int(2, 128, 255, typeOf(number)), text };
      return ok();
    },
    test: () => ok("+CPBW: (1-" + PB_SIZE.SM + ")," + PB_NUMBER + ",(129,145)," + PB_TEXT),
  },
};

function firstFree(book: { [index: number]: unknown }): number {
  for (let i = 1; i <= PB_SIZE.SM; i++) if (!book[i]) return i;
  return 0;
}
