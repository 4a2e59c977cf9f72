/**
 * A simulated modem on an in-memory line, a network stub and a virtual clock, for
 * transcript tests: `await h.at("AT+CSQ")` returns exactly the bytes the modem sent back.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { SimModem, SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub, NetworkStubOptions } from "../../sim/modem/network-stub.js";
import { modemLine, ModemLine } from "../support/modem-line.js";

export interface Harness extends ModemLine {
  clock: VirtualClock;
  net: NetworkStub;
  modem: SimModem;
}

export async function harness(
  modemOpts: Partial<SimModemOptions> = {},
  netOpts: Partial<NetworkStubOptions> = {},
  banner = false,
): Promise<Harness> {
  const clock = new VirtualClock();
  const net = new NetworkStub({ clock, ...netOpts });
  const modem = new SimModem({ clock, network: net, ...modemOpts });
  return { clock, net, modem, ...(await modemLine(modem, clock, banner)) };
}
