/**
 * The generic 3GPP profile: plain TS 27.007 / TS 27.005 (V.250 for the basics). Vendor
 * profiles start from its steps and change what their modules do differently.
 */
import { send, stepCommand, type ChatStep, type AtResponse } from "../at/index.js";
import { parseCpin } from "./parse.js";
import type { BringUpOptions, ModemInfo, ModemProfile } from "./profile.js";
import { command } from "./profile.js";

function firstLine(r: AtResponse): string {
  return r.lines.length > 0 ? r.lines[0].trim() : "";
}

/** Strips an echoed `+CGMI: ` style prefix some modules add to identification answers. */
function bare(line: string, prefix: string): string {
  return line.indexOf(prefix) === 0 ? line.substr(prefix.length).trim() : line;
}

/**
 * A vendor's own ICCID read in place of 27.007's `AT+CCID` (Quectel `AT+QCCID`, SIMCom
 * `AT+CICCID`), with the standard command as fallback: a firmware build that answers ERROR
 * to the vendor's (issue 14) still gives the ICCID. Either answer's prefix is taken.
 */
export function vendorIccid(steps: ChatStep[], cmd: string, prefix: string, info: ModemInfo): void {
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (stepCommand(s) !== "AT+CCID" || typeof s === "string" || "prefix" in s) continue;
    const prefixes = [prefix, "+CCID:", "+ICCID:"];
    steps[i] = send(
      { cmd, prefixes: [prefix] },
      (r) => {
        let v = firstLine(r);
        for (let k = 0; k < prefixes.length; k++) v = bare(v, prefixes[k]);
        info.iccid = v;
      },
      { optional: true, fallback: s.command },
    );
  }
}

/** The steps every 27.007 modem shares after the probe (firmware/modem/manager.ts `probe`); `profile` supplies time limits. */
export function genericSteps(profile: ModemProfile, opts: BringUpOptions, info: ModemInfo): ChatStep[] {
  const steps: ChatStep[] = [
    send("ATE0"),
    send("ATV1"),
    // 27.007 §9.1: numeric +CME ERROR codes, decoded in drivers/at/errors.ts.
    send("AT+CMEE=1"),
    send("AT+CGMI", (r) => (info.manufacturer = bare(firstLine(r), "+CGMI:"))),
    send("AT+CGMM", (r) => (info.model = bare(firstLine(r), "+CGMM:"))),
    send("AT+CGMR", (r) => (info.revision = bare(firstLine(r), "+CGMR:"))),
    send("AT+CGSN", (r) => (info.imei = bare(firstLine(r), "+CGSN:"))),
    // 27.007 §8.3: a SIM still starting right after boot (SIM busy, CME 14; `+CPIN: NOT
    // READY` on Quectel modules) is normal: asked again every second, five times. Any other
    // state (SIM PIN, SIM PUK) needs a person: the script stops there at once.
    send(
      command(profile, "AT+CPIN?", ["+CPIN:"]),
      (r) => {
        const state = parseCpin(r.lines[0] || "") || "";
        info.simState = state;
        if (state !== "READY") throw new Error("SIM is not ready: " + (state || "no answer"));
      },
      { retries: 5, retryDelayMs: 1000, notYet: "+CPIN: NOT READY" },
    ),
    send("AT+CIMI", (r) => (info.imsi = firstLine(r)), { optional: true }),
    send(command(profile, "AT+CCID", ["+CCID:", "+ICCID:"]), (r) => (info.iccid = bare(bare(firstLine(r), "+CCID:"), "+ICCID:")), {
      optional: true,
    }),
    // 27.007 §7.2 / §10.1.22: registration URCs with location, CS and EPS.
    send("AT+CREG=2"),
    send("AT+CEREG=2", undefined, { optional: true }),
    // 27.007 §7.3: operator names in long alphanumeric form for +COPS?.
    send("AT+COPS=3,0", undefined, { optional: true }),
  ];
  if (opts.voice) {
    // 27.007 §7.6 caller id, §9.3 +CRING with the call type (R85).
    steps.push(send("AT+CLIP=1"), send("AT+CRC=1"));
    // 27.007 §7.12: presentation of waiting calls only where the board handles them (R89).
    // Only <n>: <mode>=1 would activate call waiting on the network for every device of
    // the number (R58, issue 14); an accessory's boot never changes the number's settings.
    steps.push(send(opts.callWaiting ? "AT+CCWA=1" : "AT+CCWA=0", undefined, { optional: opts.callWaiting }));
    // 27.007 §8.56: the network's positioning requests (+CPOSR), so that an emergency call
    // carries this device's own position (R52). Optional: ERROR means not supported.
    steps.push(send("AT+CPOSR=1", undefined, { optional: true }));
    // 27.007 §7.30 calling name and §7.9 called line (which number was called: on a
    // shared number, the number itself or, for a device with a second number, that one).
    // Both optional: ERROR means the module or network does not offer them.
    steps.push(
      send("AT+CNAP=1", () => (info.cnap = true), { optional: true }),
      send("AT+CDIP=1", undefined, { optional: true }),
    );
    // 27.007 §7.8 makes +COLP an intermediate result of ATD: with it on, a module may keep
    // ATD's final until the far end answers (SIMCom SIM900 AT Commands Set V1.01 §2.2.3 ATD:
    // "Factory default is AT+COLP=0, this cause the TA returns OK immediately after dialing
    // was completed"; oFono's atmodem voicecall.c parses +COLP as ATD's intermediate and
    // sends AT+COLP=0 to SIMCom and Qualcomm MSM modules). One AT channel would then hold
    // the alerting +CLCC reads, SMS and an emergency dial behind a ringing call. No vendor
    // manual we found says a module answers OK first and prints +COLP later (Quectel's
    // URC summary lists +COLP beside +CSSI, another intermediate result, so it does not
    // say when), so it is off on every profile, explicitly: a module may keep +COLP=1
    // from an earlier client (AT&W). Who answered comes from a +CLCC that lists it.
    steps.push(send("AT+COLP=0", undefined, { optional: true }));
  }
  if (opts.sms === "native") {
    steps.push(
      // 27.005 §3.2.3 PDU mode; §3.2.1 service 1 = phase 2+, +CNMA needed for +CMT.
      send("AT+CMGF=0"),
      send({ cmd: "AT+CSMS=1", prefixes: ["+CSMS:"] }, undefined, { optional: true }),
      // 27.005 §3.4.1: store incoming SMS and report +CMTI; status reports stored (+CDSI).
      // The messaging layer reads, persists, then deletes, so nothing waits on a +CNMA.
      send("AT+CNMI=2,1,0,2,0"),
    );
  } else {
    // R65/R71: a board without native SMS must not have deliveries routed to it.
    steps.push(send("AT+CNMI=0,0,0,0,0", undefined, { optional: true }));
  }
  // 27.007 §8.67: report emergency numbers from the network (R53, R93).
  steps.push(send("AT+CEN=1", undefined, { optional: true }));
  // 27.007 §7.15 <n>=1: present +CUSD, so a USSD the network starts by itself is seen.
  steps.push(send("AT+CUSD=1", undefined, { optional: true }));
  return steps;
}

export const generic: ModemProfile = {
  name: "generic",
  vendor: "3GPP",
  model: "TS 27.007 / TS 27.005 modem",
  manual: "3GPP TS 27.007, TS 27.005, ITU-T V.250",
  banners: ["RDY"],
  finals: [],
  timeoutMs: 5000,
  slowCommands() {
    return [
      { prefix: "AT+COPS=", timeoutMs: 180000 },
      { prefix: "AT+CMGS", timeoutMs: 120000 },
      { prefix: "AT+CUSD", timeoutMs: 30000 },
      { prefix: "ATD", timeoutMs: 30000 },
      { prefix: "AT+CPIN", timeoutMs: 10000 },
    ];
  },
  interCommandDelayMs: 0,
  callEndUrcs: [],
  bringUp(opts, info) {
    return genericSteps(generic, opts, info);
  },
  bringUpAbortOn: ["+CPIN: SIM PIN", "+CPIN: SIM PUK"],
  bootLines: [],
  powerKeyPulseMs: 500,
  resetPulseMs: 300,
  bootTimeMs: 5000,
};
