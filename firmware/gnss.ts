/**
 * A GNSS receiver feeding the firmware's position (R52): switched on when an emergency
 * dial is requested, so that its first fix can be on its way while the call is set up
 * (a warm start takes seconds, a cold one longer), and off again when the last emergency
 * call has ended (a GNSS receiver is the watch's biggest drain after the radio). Every
 * fix goes through the API's `setLocation`, the same door the watch's own app uses.
 *
 * The receiver is the board's (Bangle.js 2: its own GPS on Serial1, hal/espruino/boot.ts);
 * tests give a fake one. Portable (Espruino).
 */
import type { FirmwareApi } from "./api.js";

export interface GnssFix {
  lat: number;
  lon: number;
  /** Horizontal uncertainty (m), when the receiver gives one. */
  accuracyM?: number;
}

export interface GnssReceiver {
  power(on: boolean): void;
  /** Calls `fn` with every valid fix while powered. */
  onFix(fn: (fix: GnssFix) => void): void;
}

/** Wires `gnss` to `api`; returns the unsubscribe (the receiver is switched off). */
export function attachGnss(api: FirmwareApi, gnss: GnssReceiver): () => void {
  let on = false;
  const emergencyCalls: number[] = [];
  const power = function (want: boolean) {
    if (want === on) return;
    on = want;
    gnss.power(want);
  };
  gnss.onFix(function (f) {
    if (on) api.setLocation({ lat: f.lat, lon: f.lon, accuracyM: f.accuracyM, source: "gnss" });
  });
  const offEmergency = api.events.on("emergency", function (e) {
    if (e.phase === "requested" && emergencyCalls.indexOf(e.callId) < 0) emergencyCalls.push(e.callId);
    if (emergencyCalls.length > 0) power(true);
  });
  const offEnded = api.events.on("callEnded", function (c) {
    const i = emergencyCalls.indexOf(c.id);
    if (i >= 0) emergencyCalls.splice(i, 1);
    if (emergencyCalls.length === 0) power(false);
  });
  return function () {
    offEmergency();
    offEnded();
    power(false);
  };
}
