/**
 * The SMS priority state in words (priority.ts), in the boot code: the firmware API shows
 * it with every priority event and status, where loading the cold priority module
 * (`sl.prio`) for a sentence would cost more than the function.
 */
import type { PriorityState } from "./priority.js";

/** The state in words, as settings show it. */
export function describePriority(s: PriorityState): string {
  switch (s.holder) {
    case "smartphone":
      return "the smartphone";
    case "this":
      return "this accessory";
    case "other":
      return s.name !== "" ? "another accessory: " + s.name : "another accessory";
    case "accessory":
      return "an accessory";
    default:
      return "not known";
  }
}
