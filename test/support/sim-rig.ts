/**
 * The real firmware on a simulated modem hanging on the network stub, under a virtual
 * clock: the rig for firmware tests that need a modem that behaves like one.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { loadBoards, pickBoard, type Board } from "../../firmware/board.js";
import { createFirmware, type Firmware, type FirmwareOptions } from "../../firmware/main.js";
import type { LineOptions } from "../../firmware/line/line.js";
import { SimModem, type SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub, type NetworkStubOptions } from "../../sim/modem/network-stub.js";
import boardsJson from "../../boards.json" with { type: "json" };

export interface SimRig {
  clock: VirtualClock;
  network: NetworkStub;
  modem: SimModem;
  fw: Firmware;
  /** AT lines the firmware wrote, in order. */
  commands: string[];
  /** Moves virtual time on (default: enough for a few exchanges). */
  run(ms?: number): Promise<void>;
  /** Lets virtual time run while an action completes, then gives its result. */
  act<T>(p: Promise<T>, ms?: number): Promise<T>;
}

export async function simRig(opts?: {
  /** A board of boards.json by name, or a board as given (default sim-generic). */
  board?: string | Board;
  network?: Partial<NetworkStubOptions>;
  modem?: Partial<SimModemOptions>;
  line?: Partial<LineOptions>;
  api?: FirmwareOptions["api"];
  /** More firmware options (merged over line and api). */
  firmware?: FirmwareOptions;
  /** false: hand the rig over at once, before bring-up (default: once the firmware is ready). */
  ready?: boolean;
}): Promise<SimRig> {
  const o = opts || {};
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new NetworkStub(Object.assign({ clock }, o.network || {}));
  const modem = new SimModem(Object.assign({ clock, network }, o.modem || {}));
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  modem.powerOn();
  const board = typeof o.board === "object" ? o.board : pickBoard(loadBoards(boardsJson), o.board || "sim-generic");
  const fw = createFirmware({ serial: dte, clock, pins: new MemoryPins(clock), storage: undefined }, board, Object.assign({ line: o.line, api: o.api }, o.firmware || {}));
  const commands: string[] = [];
  fw.channel.events.on("tx", (b) => {
    if (b.endsWith("\r")) commands.push(b.slice(0, -1));
  });
  fw.start();
  const run = (ms = 1000) => clock.advance(ms);
  const act = async <T>(p: Promise<T>, ms = 500): Promise<T> => {
    await run(ms);
    return p;
  };
  if (o.ready === false) return { clock, network, modem, fw, commands, run, act };
  await run(2000);
  if (fw.modem.status().state.name !== "ready") throw new Error("the firmware did not come up: " + JSON.stringify(fw.modem.status().state));
  return { clock, network, modem, fw, commands, run, act };
}
