/** fast-check arbitraries shared by the SMS property tests. */
import fc from "fast-check";
import type { Scts } from "../../drivers/sms/index.js";

/** A TP-SCTS: any field value 23.040 §9.2.3.11 can carry, zones in quarter hours, days up to `maxDay`. */
export function sctsArbitrary(maxDay: number): fc.Arbitrary<Scts> {
  return fc.record({
    year: fc.integer({ min: 1990, max: 2089 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: maxDay }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    offsetMinutes: fc.integer({ min: -79, max: 79 }).map((q) => q * 15),
  });
}
