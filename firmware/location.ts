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
 * The fix and the wait stay in the watch's heap; answering a request is
 * position-answer.ts, a cold part of the watch's firmware (tools/bundle.ts
 * COLD_MODULES), loaded from Storage when the network asks, which is during an
 * emergency call, after its dial: nothing here runs before or for the dial.
 *
 * Portable (Espruino): Promise chains only.
 */
import type { Clock, TimerHandle } from "../hal/types.js";
import { Emitter } from "../hal/emitter.js";
import type { AtChannel } from "../drivers/at/index.js";
import { locationProblem, type LocationFix } from "../drivers/modems/positioning.js";
import { positionAnswer, positionRequest } from "./position-answer.js";

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
  /**
   * With no fresh fix, how long a request during an emergency call waits for one (a GNSS
   * switched on at the dial needs seconds to its first fix), within the request's own
   * `resp_time_seconds` less a second (ms).
   */
  maxWaitMs: number;
  /** How long `AT+CPOS` may take (ms). */
  cposMs: number;
}


/** The +CPOSR listener: position-answer.ts answers the request. */
function onRequest(loc: Location): (line: string) => void {
  return function (line) {
    positionRequest(loc, line);
  };
}

/** The device's latest fix and the network's requests for it; position-answer.ts answers them. */
export class Location {
  readonly events = new Emitter<{ report: PositionReport }>();
  /** The latest fix, fresh or not. */
  fix: LocationFix | undefined;
  /** A request waiting for a first fix: its deadline timer. */
  waiting: TimerHandle | undefined;
  /** The tuning given, absent for the defaults (position-answer.ts `defaultLocationOptions`). */
  readonly opts: LocationOptions | undefined;

  constructor(
    readonly channel: AtChannel,
    readonly clock: Clock,
    /** Whether an emergency call is being set up or is up now. */
    readonly inEmergency: () => boolean,
    options?: LocationOptions,
  ) {
    if (options) this.opts = options;
    channel.onUrc("+CPOSR:", onRequest(this));
  }

  /** Takes a new fix; returns why it is not acceptable, or undefined. */
  set(lat: number, lon: number, accuracyM: number | undefined, source: "gnss" | "app"): string | undefined {
    const problem = locationProblem(lat, lon, accuracyM);
    if (problem) return problem;
    this.fix = { lat: lat, lon: lon, accuracyM: accuracyM, atMs: this.clock.now(), source: source };
    if (this.waiting !== undefined) {
      this.clock.clearTimeout(this.waiting);
      this.waiting = undefined;
      positionAnswer(this);
    }
    return undefined;
  }

  /** Stops the wait for a fix (the firmware is shutting down). */
  stop(): void {
    if (this.waiting !== undefined) this.clock.clearTimeout(this.waiting);
    this.waiting = undefined;
  }

  /** Forgets the fix (the user turned location off). */
  clear(): void {
    this.fix = undefined;
  }
}
