/**
 * The watch's firmware from its device settings (hal/espruino/settings.ts), built by its
 * boot code (hal/espruino/boot.ts): the data session and the companion link (the cold
 * Storage module `sl.link`, firmware/compose-module.ts) only when the settings name an
 * APN or a broker.
 *
 * The settings file can be edited by hand after `npm run flash` checked it. A setting the
 * firmware refuses is refused before any part is built (firmware/main.ts), and the watch
 * says so in one console line and boots without what was refused, rather than not at
 * all: calls, emergency calls included, SMS, the API and the console words depend on
 * neither part, and nobody is at a terminal to see a boot that died.
 *
 * - A link setting it refuses (a broker URL it cannot parse, mqtts on a module without
 *   TLS, a number or device id that cannot be a topic level) turns off the link alone:
 *   with an `apn` setting the data session is built without it (an APN refused is
 *   refused before the link is looked at, so the APN here is good). Without one the
 *   session was on for the link only and goes with it, as when settings.ts drops the link.
 * - A bad APN turns off the data session, and the link that rides on it.
 * - An `sl.link` that did not load turns off both (they are one module). That is no
 *   setting's fault: the line is the cold loader's error (tools/bundle.ts
 *   COLD_LOADER_SOURCE: for a file missing from Storage, that and `npm run flash`),
 *   without the settings file's name.
 *
 * Portable (Espruino).
 */
import { BoardError, type Board } from "./board.js";
import { createFirmwareWith, type Firmware, type FirmwareHal, type FirmwareOptions } from "./main.js";
import type { Composer } from "./compose.js";
import { moduleMqttComposer } from "./compose-module.js";
import { SETTINGS_FILE, type DeviceSettings } from "../hal/espruino/settings.js";

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function watchFirmware(hal: FirmwareHal, board: Board, settings: DeviceSettings, log: (line: string) => void): Firmware {
  if (settings.apn !== undefined || settings.mqtt !== undefined) {
    const options: FirmwareOptions = { data: {} };
    if (settings.apn !== undefined) options.apn = settings.apn;
    if (settings.mqtt !== undefined) options.companion = { url: settings.mqtt, msisdn: settings.msisdn!, deviceId: settings.device!, password: settings.password! };
    // sl.link loaded once for both tries (a second try builds from the same copy).
    const made: { c: Composer | undefined } = { c: undefined };
    const composer = function (): Composer {
      if (!made.c) made.c = moduleMqttComposer();
      return made.c;
    };
    try {
      return createFirmwareWith(hal, board, options, composer);
    } catch (e) {
      const why = messageOf(e);
      if (!BoardError.is(e)) {
        // Not a refused setting (sl.link that did not load, whose loader names the file, why and the fix): no blame on the settings file.
        log(why + "; the data session and the companion link are off");
      } else if (e.problems.indexOf("companion") < 0) {
        log(SETTINGS_FILE + ": " + why + "; the data session and the companion link are off");
      } else if (settings.apn === undefined) {
        log(SETTINGS_FILE + ": " + why + "; the companion link is off, and so is the data session (no apn setting)");
      } else {
        options.companion = undefined;
        try {
          const fw = createFirmwareWith(hal, board, options, composer);
          log(SETTINGS_FILE + ": " + why + "; the companion link is off, the data session runs");
          return fw;
        } catch (e2) {
          log(SETTINGS_FILE + ": " + why + "; the companion link is off, and so is the data session (without the link: " + messageOf(e2) + ")");
        }
      }
    }
  }
  return createFirmwareWith(hal, board, { data: false }, moduleMqttComposer);
}
