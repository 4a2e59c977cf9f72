/**
 * The RAK8212's feature set, part 4 of 5 (bench/espruino/rak8212/hal.ts says what the
 * parts are for). One module per part, so that a stage bundles only the parts it stacks.
 */
import type { AtChannel } from "../../../drivers/at/index.js";
import type { ModemManager } from "../../../firmware/modem/manager.js";
import { defaultLineOptions, Line } from "../../../firmware/line/line.js";
import { kept, type RakHal } from "./hal.js";

/** Part 4: the line (incoming calls, answer/decline, dial, emergency first, shared-line rules). */
export function rakLine(h: RakHal, ch: AtChannel, modem: ModemManager): Line {
  const p = h.profile;
  const lo = Object.assign({}, defaultLineOptions, { callWaiting: h.board.capabilities.callWaiting, callEndUrcs: p.callEndUrcs, callConnectedUrcs: p.callConnectedUrcs || [] });
  const line = new Line(
    ch,
    h.clock,
    {
      simReady: function () {
        return modem.simUsable();
      },
      emergencyNumbers: function () {
        return modem.status().emergencyNumbers;
      },
      emergencyAllowed: function () {
        return modem.service().emergencyCalls;
      },
      whenReady: function (ms) {
        return modem.whenReady(ms);
      },
      callerNames: function () {
        return modem.status().info.cnap;
      },
    },
    lo,
  );
  modem.events.on("state", function (st) {
    if (st.name === "ready") line.modemReady();
  });
  kept.line = line;
  return line;
}
