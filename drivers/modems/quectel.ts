/**
 * Quectel LTE modules. Dialect taken from Quectel's own manuals:
 * - "BG95&BG77 AT Commands Manual" (LPWA, LTE-M/NB-IoT; the watch's module),
 * - "BG96 AT Commands Manual" and "BG96 Hardware Design" (LTE-M/NB-IoT; the RAK8212's module),
 * - "EG9x AT Commands Manual" / "EC2x&EG9x&EG2x-G&EM05 Series AT Commands Manual"
 *   (LTE Cat 1/4 with VoLTE; the car unit's module).
 * Differences from the generic profile:
 * - boot banner: `RDY` when the AT interface is up. BG95 then prints `APP RDY` once its
 *   application core is ready, and `+CPIN: READY`, `+QIND: SMS DONE`, `+QIND: PB DONE`:
 *   progress of the same boot, not reboots (taking `APP RDY` for a second reboot made
 *   every power-up count as a failure);
 * - ICCID by `AT+QCCID` (`+QCCID:`);
 * - URCs go to the port named by `AT+QURCCFG="urcport",...`: a UART-attached module must
 *   route them to `uart1`, or RING/+CMTI never reach the firmware;
 * - VoLTE must be enabled with `AT+QCFG="ims",1`; digital audio (PCM to the codec) is set
 *   with `AT+QDAI`.
 */
import { send, stepCommand, type ChatStep } from "../at/index.js";
import { genericSteps, vendorIccid } from "./generic.js";
import type { BringUpOptions, ModemInfo, ModemProfile, SlowCommand } from "./profile.js";

/** What differs between Quectel models; the rest is the Quectel dialect above. */
interface QuectelModel {
  name: string;
  model: string;
  manual: string;
  /** Vendor settings run right after the error mode is set. */
  extraSteps: () => ChatStep[];
  bootLines: string[];
  powerKeyPulseMs: number;
  resetPulseMs: number;
  bootTimeMs: number;
}

/** A Quectel profile keeps its model's vendor settings for bring-up. */
type QuectelProfile = ModemProfile & { extraSteps: () => ChatStep[] };

/**
 * Bring-up of every Quectel profile (called as the profile's method): the generic steps,
 * the ICCID by AT+QCCID, and the model's vendor settings right after the error mode is
 * set (index of AT+CMEE=1, plus one). One function for all, with no closure over the
 * model: the watch's heap keeps only the profile.
 */
function quectelBringUp(this: QuectelProfile, opts: BringUpOptions, info: ModemInfo): ChatStep[] {
  const steps = genericSteps(this, opts, info);
  vendorIccid(steps, "AT+QCCID", "+QCCID:", info);
  let at = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    if (stepCommand(s) === "AT+CMEE=1") at = i + 1;
  }
  return steps.slice(0, at).concat(this.extraSteps(), steps.slice(at));
}

const quectelFinals = [
  // Quectel prints this for a command the firmware build leaves out.
  { match: "COMMAND NOT SUPPORT", prefix: false, kind: "error" as const, success: false },
  // TCP/IP AN §2.3.7/§2.3.9: the finals of a socket send. SEND OK means the module took the
  // data (not that the peer got it); SEND FAIL means its send buffer is full: retry later.
  { match: "SEND OK", prefix: false, kind: "ok" as const, success: true },
  { match: "SEND FAIL", prefix: false, kind: "error" as const, success: false },
];

/** Made when asked (only bring-up asks), not kept: on the watch the table held 45 heap blocks. */
function quectelSlow(): SlowCommand[] {
  return [
    { prefix: "AT+COPS=", timeoutMs: 180000 },
    { prefix: "AT+CMGS", timeoutMs: 120000 },
    { prefix: "AT+CUSD", timeoutMs: 120000 },
    { prefix: "ATD", timeoutMs: 30000 },
    { prefix: "AT+CPIN", timeoutMs: 5000 },
    { prefix: "AT+QCFG", timeoutMs: 5000 },
  ];
}

function quectelProfile(m: QuectelModel): ModemProfile {
  const profile: QuectelProfile = {
    name: m.name,
    vendor: "Quectel",
    model: m.model,
    manual: m.manual,
    banners: ["RDY"],
    finals: quectelFinals,
    timeoutMs: 5000,
    slowCommands: quectelSlow,
    interCommandDelayMs: 0,
    callEndUrcs: [],
    bringUp: quectelBringUp,
    bringUpAbortOn: ["+CPIN: SIM PIN", "+CPIN: SIM PUK"],
    bootLines: m.bootLines,
    powerKeyPulseMs: m.powerKeyPulseMs,
    resetPulseMs: m.resetPulseMs,
    bootTimeMs: m.bootTimeMs,
    extraSteps: m.extraSteps,
  };
  return profile;
}

export const quectelBg95 = /* @__PURE__ */ quectelProfile({
  name: "quectel-bg95",
  model: "BG95-M3",
  manual: "Quectel BG95&BG77 AT Commands Manual",
  extraSteps: () => [
    // The watch talks over the main UART: URCs must come out there.
    send('AT+QURCCFG="urcport","uart1"', undefined, { optional: true }),
    send('AT+QCFG="ims",1', undefined, { optional: true }),
  ],
  bootLines: ["APP RDY", "+QIND: SMS DONE", "+QIND: PB DONE"],
  // BG95 hardware design: PWRKEY low for 500–1000 ms switches it on.
  powerKeyPulseMs: 700,
  // The BG95/BG77 family wants RESET_N low for 2–3.8 s (BG77 hardware design).
  resetPulseMs: 2500,
  bootTimeMs: 6000,
});

export const quectelBg96 = /* @__PURE__ */ quectelProfile({
  name: "quectel-bg96",
  model: "BG96",
  manual: "Quectel BG96 AT Commands Manual",
  extraSteps: () => [
    // URCs to the main UART, as on the BG95 (BG96 AT manual, AT+QURCCFG).
    send('AT+QURCCFG="urcport","uart1"', undefined, { optional: true }),
  ],
  // BG96 prints no `APP RDY`; after `RDY` come the SIM and SMS/phonebook readiness lines.
  bootLines: ["+CFUN: 1", "+QIND: SMS DONE", "+QIND: PB DONE"],
  // BG96 hardware design: PWRKEY low for at least 500 ms switches it on (650 ms or more
  // switches a running module off, so the pulse stays below that).
  powerKeyPulseMs: 600,
  // BG96 hardware design: RESET_N low for 150–460 ms.
  resetPulseMs: 300,
  bootTimeMs: 5000,
});

export const quectelEg91 = /* @__PURE__ */ quectelProfile({
  name: "quectel-eg91",
  model: "EG91",
  manual: "Quectel EC2x&EG9x&EG2x-G&EM05 Series AT Commands Manual",
  extraSteps: () => [
    send('AT+QCFG="ims",1', undefined, { optional: true }),
    // PCM digital audio to the car's codec (QDAI: 1 = external codec interface).
    send("AT+QDAI=1", undefined, { optional: true }),
  ],
  bootLines: ["+QIND: SMS DONE", "+QIND: PB DONE"],
  powerKeyPulseMs: 600,
  // EG91 hardware design: RESET_N low for 150–460 ms.
  resetPulseMs: 300,
  bootTimeMs: 13000,
});
