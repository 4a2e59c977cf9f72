/**
 * A simulated modem on an in-memory line, a network stub and a virtual clock, for
 * transcript tests: `await h.at("AT+CSQ")` returns exactly the bytes the modem sent back.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair, MemorySerial } from "../../hal/memory/serial.js";
import { SimModem, SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub, NetworkStubOptions } from "../../sim/modem/network-stub.js";

export interface Harness {
  clock: VirtualClock;
  net: NetworkStub;
  modem: SimModem;
  /** The client's end of the line. */
  host: MemorySerial;
  /** Writes `bytes` as the client, lets `ms` of virtual time pass, returns what the modem sent since the last call. */
  send(bytes: string, ms?: number): Promise<string>;
  /** `send(cmd + "\r")`. */
  at(cmd: string, ms?: number): Promise<string>;
  /** Lets time pass and returns what the modem sent since the last call. */
  wait(ms: number): Promise<string>;
}

export async function harness(
  modemOpts: Partial<SimModemOptions> = {},
  netOpts: Partial<NetworkStubOptions> = {},
  banner = false,
): Promise<Harness> {
  const clock = new VirtualClock();
  const net = new NetworkStub({ clock, ...netOpts });
  const [host, line] = memorySerialPair();
  const modem = new SimModem({ clock, network: net, ...modemOpts });
  modem.connect(line);
  let received = "";
  host.onData((c) => (received += c));
  let mark = 0;
  const take = () => {
    const out = received.slice(mark);
    mark = received.length;
    return out;
  };
  modem.powerOn(banner);
  await clock.advance(0);
  const h: Harness = {
    clock,
    net,
    modem,
    host,
    async send(bytes, ms = 0) {
      await host.write(bytes);
      await clock.advance(ms);
      return take();
    },
    at(cmd, ms = 0) {
      return h.send(cmd + "\r", ms);
    },
    async wait(ms) {
      await clock.advance(ms);
      return take();
    },
  };
  return h;
}
