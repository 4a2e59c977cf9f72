/**
 * The settings a client changes with AT commands, and their power-on values. ATZ, AT&F
 * and a reboot put them all back (V.250 §6.1.1, §6.1.2), which is how a client notices a
 * modem that restarted behind its back: echo is on again, +CMEE is 0, URCs are off
 * (PITFALLS.md: Particle device-os#2219).
 */
import type { Charset } from "./charset.js";

/** +CNMI (27.005 §3.4.1). */
export interface Cnmi {
  mode: number;
  mt: number;
  bm: number;
  ds: number;
  bfr: number;
}

export interface ModemSettings {
  echo: boolean;
  verbose: boolean;
  quiet: boolean;
  /** S-registers (V.250 §6.2): S3 line terminator, S4 response formatting, S5 backspace. */
  s: { [reg: number]: number };
  cmee: number;
  cscs: Charset;
  cregN: number;
  cgregN: number;
  ceregN: number;
  /** +COPS <format> for the read form: 0 long, 1 short, 2 numeric. */
  copsFormat: number;
  clip: boolean;
  /** +CNAP <n>: present the calling name after RING (27.007 §7.30). */
  cnap: boolean;
  /** +CDIP <n>: present the called number after RING (27.007 §7.9). */
  cdip: boolean;
  /** +COLP: the dial command waits for the connection and shows the connected number. */
  colp: boolean;
  clir: number;
  crc: boolean;
  /** +CCWA <n>: present +CCWA URCs. */
  ccwa: boolean;
  /** +CUSD <n>: present +CUSD results. */
  cusd: boolean;
  cen: boolean;
  /** +CPOSR <mode>: show the network's positioning requests (27.007 §8.56). */
  cposr: boolean;
  cmgf: number;
  csms: number;
  cnmi: Cnmi;
  /** +CPMS <mem1> (read, list, delete), <mem2> (write, send), <mem3> (store received). */
  cpms: [string, string, string];
}

export function defaultSettings(): ModemSettings {
  return {
    echo: true,
    verbose: true,
    quiet: false,
    s: { 0: 0, 3: 13, 4: 10, 5: 8, 6: 2, 7: 50, 8: 2, 10: 2 },
    cmee: 0,
    cscs: "IRA",
    cregN: 0,
    cgregN: 0,
    ceregN: 0,
    copsFormat: 0,
    clip: false,
    cnap: false,
    cdip: false,
    colp: false,
    clir: 0,
    crc: false,
    ccwa: false,
    cusd: false,
    cen: false,
    cposr: false,
    cmgf: 0,
    csms: 0,
    cnmi: { mode: 0, mt: 0, bm: 0, ds: 0, bfr: 0 },
    cpms: ["SM", "SM", "SM"],
  };
}
