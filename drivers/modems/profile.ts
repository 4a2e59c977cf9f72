/**
 * A modem profile: what one model of LTE module needs beyond 3GPP TS 27.007 / 27.005.
 * The generic profile is plain 27.007/27.005; vendor profiles override the parts where
 * real modules differ (boot banners, extra finals, URC names, audio, identification).
 */
import type { AtCommand, ChatStep, FinalRule } from "../at/index.js";

/** What bring-up learns about the modem and the SIM. */
export interface ModemInfo {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
  imsi: string;
  iccid: string;
  simState: string;
  /** The module presents calling names (`AT+CNAP=1` answered OK, 27.007 §7.30): +CNAP follows +CLIP. */
  cnap: boolean;
}

/** The board capabilities that change bring-up (SPEC R5). */
export interface BringUpOptions {
  callWaiting: boolean;
  sms: "native" | "relay" | "none";
  voice: boolean;
}

/** A command prefix whose commands take longer than the profile's default. */
export interface SlowCommand {
  prefix: string;
  timeoutMs: number;
}

export interface ModemProfile {
  /** The name boards.json uses. */
  name: string;
  vendor: string;
  model: string;
  /** The AT manual the dialect comes from. */
  manual: string;
  /** Lines printed when the module has (re)booted. */
  banners: string[];
  /** Extra final result codes this module prints. */
  finals: FinalRule[];
  /** Default per-command time limit (ms). */
  timeoutMs: number;
  /**
   * Time limits of slow commands, by command prefix (`AT+COPS` can take minutes): a
   * function that makes the table when asked, so that it holds no heap on the watch.
   */
  slowCommands(): SlowCommand[];
  /** Pause after a final result before the next command. */
  interCommandDelayMs: number;
  /** Vendor URCs that report a call ended (besides `NO CARRIER`), e.g. SIMCom `VOICE CALL: END`. */
  callEndUrcs: string[];
  /** Vendor URCs that report a call connected (SIMCom `VOICE CALL: BEGIN`): a second source of call progress beside +CLCC. */
  callConnectedUrcs?: string[];
  /** The bring-up script's steps; `info` is filled as answers arrive. */
  bringUp(opts: BringUpOptions, info: ModemInfo): ChatStep[];
  /** Lines that abort bring-up (a SIM that needs a PIN cannot be brought up unattended). */
  bringUpAbortOn: string[];
  /**
   * Lines the module prints on its own while it starts (`APP RDY`, `SMS DONE`, ...):
   * claimed as URCs so that they are never taken for the answer of a bare command such
   * as `AT+CGMI`, and never for a reboot.
   */
  bootLines: string[];
  /** How long a power-key pulse must be held to switch the module on or off (ms). */
  powerKeyPulseMs: number;
  /** How long the reset line must be held to reset the module (ms, from its hardware design). */
  resetPulseMs: number;
  /** How long after power-on the module needs before it answers AT (ms). */
  bootTimeMs: number;
}

/** The time limit for `cmd` under `profile`. */
export function timeoutFor(profile: ModemProfile, cmd: string): number {
  for (const s of profile.slowCommands()) if (cmd.indexOf(s.prefix) === 0) return s.timeoutMs;
  return profile.timeoutMs;
}

/** A command value with the profile's time limit. */
export function command(profile: ModemProfile, cmd: string, prefixes?: string[]): AtCommand {
  return { cmd, prefixes, timeoutMs: timeoutFor(profile, cmd) };
}

export function emptyInfo(): ModemInfo {
  return { manufacturer: "", model: "", revision: "", imei: "", imsi: "", iccid: "", simState: "", cnap: false };
}
