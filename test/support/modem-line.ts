/**
 * A simulated modem on an in-memory line, driven as its client would: `await l.at("ATA")`
 * writes the command, lets virtual time pass and returns exactly the bytes the modem
 * sent back since the last read. Shared by the transcript harnesses of test/sim and
 * test/network.
 */
import type { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair, MemorySerial } from "../../hal/memory/serial.js";
import type { SimModem } from "../../sim/modem/modem.js";

export interface ModemLine {
  /** The client's end of the line. */
  host: MemorySerial;
  /** Writes `bytes` as the client, lets `ms` of virtual time pass, returns what the modem sent since the last read. */
  send(bytes: string, ms?: number): Promise<string>;
  /** `send(cmd + "\r")`. */
  at(cmd: string, ms?: number): Promise<string>;
  /** Lets time pass; returns what the modem sent since the last read. */
  wait(ms?: number): Promise<string>;
  /** What the modem sent since the last read, without letting time pass. */
  take(): string;
}

/** Connects `modem` to a new in-memory line, powers it on (with its start-up banner or not) and lets 0 ms pass. */
export async function modemLine(modem: SimModem, clock: VirtualClock, banner = false): Promise<ModemLine> {
  const [host, line] = memorySerialPair();
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
  const l: ModemLine = {
    host,
    async send(bytes, ms = 0) {
      await host.write(bytes);
      await clock.advance(ms);
      return take();
    },
    at(cmd, ms = 0) {
      return l.send(cmd + "\r", ms);
    },
    async wait(ms = 0) {
      await clock.advance(ms);
      return take();
    },
    take,
  };
  return l;
}
