/**
 * The rig for emergency-call paths: the real firmware (with messaging on a MemoryStorage)
 * on the simulated modem and the network stub, under a virtual clock, with the board's
 * reset line wired to the modem (the manager's escalation reboots it). It records when
 * each `ATD<number>;` was written and when the modem last said something final, which is
 * what the emergency bounds are measured against.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware, type Firmware, type FirmwareOptions } from "../../firmware/main.js";
import { SimModem, type SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub, type NetworkStubOptions } from "../../sim/modem/network-stub.js";
import type { SmsSubmitResult } from "../../sim/modem/network.js";
import boardsJson from "../../boards.json" with { type: "json" };

/** A service centre that takes `delayMs` to answer a submission (a TR1M-long wait). */
export class SlowSmsNetwork extends NetworkStub {
  delayMs = 0;
  constructor(
    opts: NetworkStubOptions,
    private readonly timer: VirtualClock,
  ) {
    super(opts);
  }
  override sendSms(smsc: string, tpdu: string): Promise<SmsSubmitResult> {
    if (this.delayMs <= 0) return super.sendSms(smsc, tpdu);
    return new Promise((resolve) => this.timer.setTimeout(() => resolve(super.sendSms(smsc, tpdu)), this.delayMs));
  }
}

export interface EmergencyRig {
  clock: VirtualClock;
  network: SlowSmsNetwork;
  modem: SimModem;
  fw: Firmware;
  /** Virtual times at which `ATD<n>;` was written, by number. */
  dials: { [n: string]: number[] };
  /** Virtual times of every final result or banner the firmware received. */
  answers: number[];
  /** Virtual times of the modem manager's states. */
  states: { name: string; at: number }[];
  commands: string[];
  run(ms: number): Promise<void>;
  /** The first answer from the modem at or after `t`. */
  answerAfter(t: number): number | undefined;
}

export function emergencyRig(opts?: { modem?: Partial<SimModemOptions>; network?: Partial<NetworkStubOptions>; firmware?: FirmwareOptions; startAt?: "powerOn" | "ready" }): {
  rig: EmergencyRig;
  start(): Promise<void>;
} {
  const o = opts || {};
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new SlowSmsNetwork(Object.assign({ clock }, o.network || {}), clock);
  const modem = new SimModem(Object.assign({ clock, network }, o.modem || {}));
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  const pins = new MemoryPins(clock);
  pins.onWrite((w) => {
    if (w.pin === "reset" && w.asserted) modem.reboot();
  });
  const board = pickBoard(loadBoards(boardsJson), "sim-generic");
  const fw = createFirmware({ serial: dte, clock, pins, storage: new MemoryStorage() }, board, o.firmware);
  const dials: { [n: string]: number[] } = {};
  const answers: number[] = [];
  const states: { name: string; at: number }[] = [];
  const commands: string[] = [];
  fw.channel.events.on("tx", (b) => {
    if (!b.endsWith("\r")) return;
    commands.push(b.slice(0, -1));
    const m = /^ATD(\d+);\r$/.exec(b);
    if (m) (dials[m[1]] = dials[m[1]] || []).push(clock.now());
  });
  fw.channel.events.on("answered", () => answers.push(clock.now()));
  fw.modem.events.on("state", (s) => states.push({ name: s.name, at: clock.now() }));
  const rig: EmergencyRig = {
    clock,
    network,
    modem,
    fw,
    dials,
    answers,
    states,
    commands,
    run: (ms) => clock.advance(ms),
    answerAfter: (t) => answers.find((a) => a >= t),
  };
  return {
    rig,
    async start() {
      modem.powerOn();
      fw.start();
      if (o.startAt === "ready") {
        await clock.advance(2000);
        if (!fw.modem.ready()) throw new Error("the firmware did not come up");
      }
    },
  };
}
