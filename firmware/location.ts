/**
 * The accessory's own position, for its emergency calls (SPEC R52: the call carries the
 * calling device's location, never P's).
 *
 * - Input: the latest fix, from the watch's own GNSS or a position its app has, given
 *   through the API (`setLocation`). A fix older than `maxAgeMs` is not offered: a stale
 *   position sends help to where the person was.
 * - Output: the network locates an emergency caller (23.271 §9.1) and asks the device by
 *   `+CPOSR` (27.007 §8.56, enabled at bring-up with `AT+CPOSR=1`); the firmware answers
 *   with `AT+CPOS` and the fix as a 23.032 shape, or `pos_err` when it has none, so the
 *   network falls back to the cell's position at once instead of waiting.
 * - Privacy: outside an emergency call a request is answered `pos_err` (a position is
 *   given to the network only for an emergency call; other location requests are
 *   subject to the user's consent, 23.271 §9.1.1, which this accessory does not ask for).
 *
 * Portable (Espruino): Promise chains only.
 */
import type { Clock } from "../hal/types.js";
import { Emitter } from "../hal/emitter.js";
import type { AtChannel } from "../drivers/at/index.js";
import { locationProblem, positionErrorXml, positionRequestKind, positionXml, type LocationFix } from "../drivers/modems/positioning.js";

export type { LocationFix } from "../drivers/modems/positioning.js";

/** What went to the network for one positioning request. */
export interface PositionReport {
  /** `location`: the fix was given; `error`: no fix (or not an emergency), `pos_err` sent; `failed`: the modem refused `+CPOS`. */
  given: "location" | "error" | "failed";
  /** Why no fix was given, or the modem's error. */
  reason: string;
  /** The fix given, with `location`. */
  fix: LocationFix | null;
}

export interface LocationOptions {
  /** A fix older than this is not offered (ms). */
  maxAgeMs: number;
  /** How long `AT+CPOS` may take (ms). */
  cposMs: number;
}

export const defaultLocationOptions: LocationOptions = { maxAgeMs: 5 * 60 * 1000, cposMs: 10000 };

export class Location {
  readonly events = new Emitter<{ report: PositionReport }>();
  private fix: LocationFix | undefined = undefined;
  private readonly opts: LocationOptions;

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    /** Whether an emergency call is being set up or is up now. */
    private readonly inEmergency: () => boolean,
    options?: LocationOptions,
  ) {
    this.opts = options || defaultLocationOptions;
    channel.onUrc("+CPOSR:", (l) => this.onRequest(l));
  }

  /** Takes a new fix; returns why it is not acceptable, or undefined. */
  set(lat: number, lon: number, accuracyM: number | undefined, source: "gnss" | "app"): string | undefined {
    const problem = locationProblem(lat, lon, accuracyM);
    if (problem) return problem;
    this.fix = { lat: lat, lon: lon, accuracyM: accuracyM, atMs: this.clock.now(), source: source };
    return undefined;
  }

  /** Forgets the fix (the user turned location off). */
  clear(): void {
    this.fix = undefined;
  }

  /** The fix if it is fresh enough to send, else undefined. */
  current(): LocationFix | undefined {
    const f = this.fix;
    if (!f || this.clock.now() - f.atMs > this.opts.maxAgeMs) return undefined;
    return f;
  }

  private onRequest(line: string): void {
    // An abort or assistance data needs no answer from a device that measures nothing itself.
    if (positionRequestKind(line) !== "measure") return;
    const fix = this.inEmergency() ? this.current() : undefined;
    const reason = !this.inEmergency() ? "not in an emergency call" : this.fix ? "the last fix is too old" : "no position known";
    const xml = fix ? positionXml(fix) : positionErrorXml(this.inEmergency() ? "not_enough_gps_satellites" : "undefined_error");
    this.channel.send({ cmd: "AT+CPOS", mode: "prompt", payload: xml, textPayload: true, timeoutMs: this.opts.cposMs }).then(
      () => this.events.emit("report", { given: fix ? "location" : "error", reason: fix ? "" : reason, fix: fix ? { lat: fix.lat, lon: fix.lon, accuracyM: fix.accuracyM, atMs: fix.atMs, source: fix.source } : null }),
      (e: unknown) => this.events.emit("report", { given: "failed", reason: e instanceof Error ? e.message : String(e), fix: null }),
    );
  }
}
