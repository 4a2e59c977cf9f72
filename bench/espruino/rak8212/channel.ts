/**
 * The RAK8212's feature set, part 2 of 5 (bench/espruino/rak8212/hal.ts says what the
 * parts are for). One module per part, so that a stage bundles only the parts it stacks.
 */
import { AtChannel } from "../../../drivers/at/index.js";
import { openUart } from "../../../hal/espruino/serial.js";
import { kept, type RakHal } from "./hal.js";

/** Part 2: the board's UART and the AT channel on it. */
export function rakChannel(h: RakHal): AtChannel {
  const s = h.board.serial;
  const p = h.profile;
  const serial = openUart(s.port, { baud: s.baud, rx: s.rx, tx: s.tx, cts: s.cts, path: h.path });
  const ch = new AtChannel(serial, h.clock, { timeoutMs: p.timeoutMs, finals: p.finals, banners: p.banners, interCommandDelayMs: p.interCommandDelayMs });
  kept.channel = ch;
  return ch;
}
