/**
 * The RAK8212's feature set, part 3 of 5 (bench/espruino/rak8212/hal.ts says what the
 * parts are for). One module per part, so that a stage bundles only the parts it stacks.
 */
import type { AtChannel } from "../../../drivers/at/index.js";
import { defaultPolicy, ModemManager } from "../../../firmware/modem/manager.js";
import { kept, type RakHal } from "./hal.js";

/** Part 3: the modem manager (bring-up, registration, recovery), started. */
export function rakModem(h: RakHal, ch: AtChannel): ModemManager {
  const m = new ModemManager(ch, h.clock, h.pins, h.profile, h.board.capabilities, defaultPolicy(h.profile, h.pins));
  kept.modem = m;
  m.start();
  return m;
}
