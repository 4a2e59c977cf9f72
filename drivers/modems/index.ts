/** Modem profiles by the name boards.json uses. */
import { generic } from "./generic.js";
import type { ModemProfile } from "./profile.js";
import { quectelBg95, quectelBg96, quectelEg91 } from "./quectel.js";
import { simcomA7670 } from "./simcom.js";

export const modemProfiles: { [name: string]: ModemProfile } = {
  generic: generic,
  "quectel-bg95": quectelBg95,
  "quectel-bg96": quectelBg96,
  "quectel-eg91": quectelEg91,
  "simcom-a7670": simcomA7670,
};

/** The profile called `name`, or undefined. */
export function findProfile(name: string): ModemProfile | undefined {
  return Object.prototype.hasOwnProperty.call(modemProfiles, name) ? modemProfiles[name] : undefined;
}

export type { ModemProfile, ModemInfo, BringUpOptions } from "./profile.js";
export { emptyInfo, timeoutFor, command } from "./profile.js";
export * from "./parse.js";
export { splitParams, paramsOf } from "../at/params.js";
