/**
 * Control-plane positioning over AT, 3GPP TS 27.007 §8.55 `+CPOS` and §8.56 `+CPOSR`, as
 * the simulated modem gives it: with `+CPOSR=1` the network's positioning requests are
 * shown as `+CPOSR: <xml>` (on one line: XML needs no line breaks); `AT+CPOS` opens the
 * `> ` prompt and takes a `<pos>` element up to Ctrl-Z (Esc cancels), which goes to the
 * network. Coordinates are 23.032 §6.2 GAD shapes (see `readShape`).
 *
 * The XML is read here with the simulator's own small reader, not the firmware's writer.
 */
import type { SimModem } from "../modem.js";
import type { PositionReport } from "../network.js";
import { Args, CommandTable } from "./types.js";
import { ok } from "../results.js";

/**
 * What the network asks (27.007 Table 8.55-2 `pos_meas`, with an RRLP positioning
 * instruction: MS-based GPS, answer within 16 s, one set of results).
 */
export const POSITION_REQUEST =
  '<pos><pos_meas><RRLP_meas><RRLP_pos_instruct><RRLP_method_type><ms_based/></RRLP_method_type><RRLP_method literal="gps"/><resp_time_seconds>16</resp_time_seconds><mult_sets literal="one"/></RRLP_pos_instruct></RRLP_meas></pos_meas></pos>';

function element(xml: string, name: string): string | undefined {
  const open = xml.indexOf("<" + name + ">");
  if (open < 0) return undefined;
  const close = xml.indexOf("</" + name + ">", open);
  if (close < 0) return undefined;
  return xml.slice(open + name.length + 2, close).trim();
}

function integer(xml: string, name: string, min: number, max: number): number | undefined {
  const v = element(xml, name);
  if (v === undefined || !/^-?[0-9]+$/.test(v)) return undefined;
  const n = parseInt(v, 10);
  return n >= min && n <= max ? n : undefined;
}

/** The midpoint of a 23.032 value's interval, kept to 1e-5 degrees (about a metre). */
function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}

/**
 * A `<pos>` element as the network reads it: an ellipsoid point (with or without its
 * uncertainty circle), 23.032 §6.2: latitude sign + N (0..2^23-1, N ≤ 2^23·|lat|/90 < N+1),
 * longitude N (-2^23..2^23-1, N ≤ 2^24·lon/360 < N+1), uncertainty r = 10·(1.1^K − 1) m.
 */
export function readPosition(xml: string): PositionReport {
  const err = /<pos_err>\s*<err_reason\s+literal="([a-z_]+)"/.exec(xml);
  if (err) return { error: err[1] };
  const shape = element(xml, "shape_data");
  if (shape === undefined) return { error: "no shape_data in " + xml.slice(0, 80) };
  const north = integer(shape, "north", 0, 1);
  const latN = integer(shape, "degrees", 0, 8388607);
  const lonN = integer(shape, "longitude", -8388608, 8388607);
  if (north === undefined || latN === undefined || lonN === undefined) return { error: "bad coordinate in " + shape.slice(0, 80) };
  const lat = (((latN + 0.5) * 90) / 8388608) * (north === 1 ? -1 : 1);
  const lon = ((lonN + 0.5) * 360) / 16777216;
  const k = integer(shape, "uncert_circle", 0, 127);
  const fix: PositionReport["fix"] = { lat: round5(lat), lon: round5(lon) };
  if (k !== undefined) fix.uncertaintyM = Math.round(10 * (Math.pow(1.1, k) - 1));
  return { fix };
}

export const positioningCommands: CommandTable = {
  "+CPOSR": {
    set: (m: SimModem, a: Args) => {
      a.atMost(1);
      m.settings.cposr = a.int(0, 0, 1, 0) === 1;
      return ok();
    },
    read: (m: SimModem) => ok("+CPOSR: " + (m.settings.cposr ? 1 : 0)),
    test: () => ok("+CPOSR: (0,1)"),
  },
  "+CPOS": {
    action: (m: SimModem) => ({
      lines: [],
      prompt: {
        onPdu: (text: string) => {
          m.network.positionReport?.(readPosition(text));
          return ok();
        },
      },
    }),
    test: () => ok(),
  },
};
