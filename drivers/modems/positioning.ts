/**
 * Control-plane positioning over AT (3GPP TS 27.007 §8.55 `+CPOS`, §8.56 `+CPOSR`): the
 * network's positioning requests reach the TE as `+CPOSR: <xml>`, and the TE answers with
 * `AT+CPOS` and an XML `<pos>` element (27.007 Table 8.55-2) written at the `> ` prompt and
 * ended by Ctrl-Z. This is how a device's own GNSS fix reaches the network for an emergency
 * call (SPEC R52; 23.271 §9.1: the network locates an emergency caller).
 *
 * Coordinates travel as 23.032 §6.2 GAD shapes: latitude as a sign bit and
 * N = floor(2^23 · |lat| / 90), longitude as a 24-bit two's complement
 * N = floor(2^24 · lon / 360), the uncertainty radius as K with r = 10 · (1.1^K − 1) m
 * (§6.2, "uncertainty code").
 *
 * Portable (Espruino): strings and Math only.
 */
import { findText } from "../../hal/text.js";

/** A position fix: degrees WGS 84, how good it is, and when it was taken. */
export interface LocationFix {
  lat: number;
  lon: number;
  /** Horizontal uncertainty radius in metres (absent: unknown). */
  accuracyM?: number;
  /** When the fix was taken (clock ms). */
  atMs: number;
  /** Where it came from: the device's own GNSS, or a position the user's app gave. */
  source: "gnss" | "app";
}

/** Why a fix is not acceptable, or undefined when it is. */
export function locationProblem(lat: unknown, lon: unknown, accuracyM: unknown): string | undefined {
  if (typeof lat !== "number" || !(lat >= -90 && lat <= 90)) return "latitude must be a number of degrees from -90 to 90";
  if (typeof lon !== "number" || !(lon >= -180 && lon <= 180)) return "longitude must be a number of degrees from -180 to 180";
  if (accuracyM !== undefined && (typeof accuracyM !== "number" || !(accuracyM >= 0 && accuracyM <= 1800000))) return "accuracy must be metres from 0 to 1800000";
  return undefined;
}

/** 23.032 §6.2: the uncertainty code K (0..127) of a radius in metres (rounded up: never claims better than it is). */
export function uncertaintyCode(metres: number): number {
  if (metres <= 0) return 0;
  const k = Math.ceil(Math.log(metres / 10 + 1) / Math.log(1.1));
  return k > 127 ? 127 : k;
}

/** The `<pos>` element that reports `fix` (27.007 Table 8.55-2, `location` / `shape_data`). */
export function positionXml(fix: LocationFix): string {
  const north = fix.lat < 0 ? 1 : 0;
  let latN = Math.floor((Math.abs(fix.lat) * 8388608) / 90);
  if (latN > 8388607) latN = 8388607;
  let lonN = Math.floor((fix.lon * 16777216) / 360);
  if (lonN > 8388607) lonN = 8388607;
  if (lonN < -8388608) lonN = -8388608;
  const coordinate = "<coordinate><latitude><north>" + north + "</north><degrees>" + latN + "</degrees></latitude><longitude>" + lonN + "</longitude></coordinate>";
  const shape =
    fix.accuracyM === undefined
      ? "<ellipsoid_point>" + coordinate + "</ellipsoid_point>"
      : "<ellipsoid_point_uncert_circle>" + coordinate + "<uncert_circle>" + uncertaintyCode(fix.accuracyM) + "</uncert_circle></ellipsoid_point_uncert_circle>";
  return "<pos><location><location_parameters><shape_data>" + shape + "</shape_data></location_parameters></location></pos>";
}

/** 27.007 Table 8.55-2 `pos_err`: no position to give (`reason` one of its `err_reason` literals). */
export function positionErrorXml(reason: "undefined_error" | "not_enough_gps_satellites"): string {
  return '<pos><pos_err><err_reason literal="' + reason + '"/></pos_err></pos>';
}

/** What a `+CPOSR:` report asks: a position (`pos_meas` without `meas_abort`), to stop (`meas_abort`), or something else (assistance data). */
export function positionRequestKind(line: string): "measure" | "abort" | "other" {
  const i = findText(line, "<pos_meas>");
  if (i < 0) return "other";
  return findText(line, "<meas_abort", i) >= 0 ? "abort" : "measure";
}
