/**
 * Answering the network's positioning requests for an emergency call (SPEC R52,
 * location.ts): `+CPOSR` asks, `AT+CPOS` answers with the fresh fix as a 23.032 shape,
 * or `pos_err` when there is none (or no emergency call), so the network falls back to
 * the cell's position at once instead of waiting.
 *
 * Plain functions over the `Location` object, so that on the watch this is a cold part
 * (tools/bundle.ts COLD_MODULES): loaded from Storage when the network asks, which is
 * during an emergency call, and dropped again.
 *
 * Portable (Espruino): Promise chains only.
 */
import { positionErrorXml, positionRequestKind, positionXml, type LocationFix } from "../drivers/modems/positioning.js";
import type { Location, LocationOptions } from "./location.js";

/** Five minutes for a fix to stay fresh, 15 s to wait for a first one, 10 s for `AT+CPOS`. */
export const defaultLocationOptions: LocationOptions = { maxAgeMs: 300000, maxWaitMs: 15000, cposMs: 10000 };

function options(loc: Location): LocationOptions {
  return loc.opts || defaultLocationOptions;
}

/** The fix if it is fresh enough to send, else undefined. */
function freshFix(loc: Location): LocationFix | undefined {
  const f = loc.fix;
  if (!f || loc.clock.now() - f.atMs > options(loc).maxAgeMs) return undefined;
  return f;
}

/** Answers the network: the fresh fix during an emergency call, else `pos_err` with why. */
export function positionAnswer(loc: Location): void {
  const emergency = loc.inEmergency();
  const fix = emergency ? freshFix(loc) : undefined;
  const reason = !emergency ? "not in an emergency call" : loc.fix ? "the last fix is too old" : "no position known";
  const xml = fix ? positionXml(fix) : positionErrorXml(emergency ? "not_enough_gps_satellites" : "undefined_error");
  loc.channel.send({ cmd: "AT+CPOS", mode: "prompt", payload: xml, textPayload: true, timeoutMs: options(loc).cposMs }).then(
    function () {
      loc.events.emit("report", { given: fix ? "location" : "error", reason: fix ? "" : reason, fix: fix ? { lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM, atMs: fix.atMs, source: fix.source } : null });
    },
    function (e: unknown) {
      loc.events.emit("report", { given: "failed", reason: e instanceof Error ? e.message : String(e), fix: null });
    },
  );
}

/** A `+CPOSR:` report (27.007 §8.56): answered now, or once a first fix comes within the time the network gave. */
export function positionRequest(loc: Location, line: string): void {
  // An abort or assistance data needs no answer from a device that measures nothing itself.
  if (positionRequestKind(line) !== "measure") return;
  if (loc.waiting !== undefined) return; // the answer to the same question is on its way
  if (loc.inEmergency() && !freshFix(loc)) {
    // No fix yet: wait for the first one (the GNSS may just have been switched on), but
    // answer within the time the network gave (27.007 Table 8.55-2 resp_time_seconds).
    const m = /<resp_time_seconds>(\d+)<\/resp_time_seconds>/.exec(line);
    const given = m ? parseInt(m[1], 10) * 1000 - 1000 : options(loc).maxWaitMs;
    const waitMs = given < options(loc).maxWaitMs ? given : options(loc).maxWaitMs;
    if (waitMs > 0) {
      loc.waiting = loc.clock.setTimeout(function () {
        loc.waiting = undefined;
        positionAnswer(loc);
      }, waitMs);
      return;
    }
  }
  positionAnswer(loc);
}
