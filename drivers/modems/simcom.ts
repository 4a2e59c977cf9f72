/**
 * SIMCom A7670 (A76XX series, LTE Cat 1 with VoLTE). Dialect from SIMCom's
 * "A76XX Series AT Command Manual":
 * - boot: `*ATREADY: 1` when the AT interface is up, then `+CPIN: READY`, `SMS DONE`,
 *   `PB DONE` (no `RDY`);
 * - call progress URCs `VOICE CALL: BEGIN` and `VOICE CALL: END: <duration>` besides
 *   `NO CARRIER`;
 * - ICCID by `AT+CICCID` (`+ICCID:`);
 * - audio path by `AT+CSDVC` (1 = handset, 3 = speaker phone).
 */
import { send } from "../at/index.js";
import { genericSteps, vendorIccid } from "./generic.js";
import type { ModemProfile } from "./profile.js";

export const simcomA7670: ModemProfile = {
  name: "simcom-a7670",
  vendor: "SIMCom",
  model: "A7670",
  manual: "SIMCom A76XX Series AT Command Manual",
  banners: ["*ATREADY: 1"],
  finals: [],
  timeoutMs: 5000,
  slowCommands() {
    return [
      { prefix: "AT+COPS=", timeoutMs: 180000 },
      { prefix: "AT+CMGS", timeoutMs: 120000 },
      { prefix: "AT+CUSD", timeoutMs: 60000 },
      { prefix: "ATD", timeoutMs: 30000 },
      { prefix: "AT+CPIN", timeoutMs: 5000 },
    ];
  },
  // The A76XX manual asks for a short pause between commands on the UART.
  interCommandDelayMs: 10,
  callEndUrcs: ["VOICE CALL: END"],
  callConnectedUrcs: ["VOICE CALL: BEGIN"],
  bringUp(opts, info) {
    const steps = genericSteps(simcomA7670, opts, info);
    vendorIccid(steps, "AT+CICCID", "+ICCID:", info);
    // Handset audio path for a bench board with a headset.
    steps.push(send("AT+CSDVC=1", undefined, { optional: true }));
    return steps;
  },
  bringUpAbortOn: ["+CPIN: SIM PIN", "+CPIN: SIM PUK"],
  // Printed after *ATREADY: 1 while the module finishes starting.
  bootLines: ["SMS DONE", "PB DONE"],
  powerKeyPulseMs: 100,
  // Not from a datasheet read here: the generic value; check the board's hardware design.
  resetPulseMs: 300,
  bootTimeMs: 10000,
};
