/**
 * The watch's firmware from its device settings (hal/espruino/settings.ts), built by its
 * boot code (hal/espruino/boot.ts): the data session and the companion link (the cold
 * Storage module `sl.link`, firmware/compose-module.ts) only when the settings name an
 * APN or a broker.
 *
 * The settings file can be edited by hand after `npm run flash` checked it. A link or
 * data setting the firmware refuses (a broker URL it cannot parse, mqtts on a module
 * without TLS, a number that cannot be a topic level, a bad APN) is refused before any
 * part is built (firmware/main.ts), and so is an `sl.link` that did not load: the watch
 * then says so in one console line and boots without data and the link, rather than not
 * at all. Calls, emergency calls included, SMS, the API and the console words do not
 * depend on them, and nobody is at a terminal to see a boot that died.
 *
 * Portable (Espruino).
 */
import type { Board } from "./board.js";
import { createFirmwareWith, type Firmware, type FirmwareHal, type FirmwareOptions } from "./main.js";
import { moduleMqttComposer } from "./compose-module.js";
import { SETTINGS_FILE, type DeviceSettings } from "../hal/espruino/settings.js";

export function watchFirmware(hal: FirmwareHal, board: Board, settings: DeviceSettings, log: (line: string) => void): Firmware {
  if (settings.apn !== undefined || settings.mqtt !== undefined) {
    const options: FirmwareOptions = { data: {} };
    if (settings.apn !== undefined) options.apn = settings.apn;
    if (settings.mqtt !== undefined) options.companion = { url: settings.mqtt, msisdn: settings.msisdn!, deviceId: settings.device!, password: settings.password! };
    try {
      return createFirmwareWith(hal, board, options, moduleMqttComposer);
    } catch (e) {
      log(SETTINGS_FILE + ": " + (e instanceof Error ? e.message : String(e)) + "; the data session and the companion link are off");
    }
  }
  return createFirmwareWith(hal, board, { data: false }, moduleMqttComposer);
}
