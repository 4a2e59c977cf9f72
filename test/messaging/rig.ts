/**
 * The real firmware, with messaging attached, on the simulated modem and the network stub,
 * under a virtual clock, with a power-cuttable MemoryStorage. A device can be "rebooted"
 * on what survived: a new firmware on the same modem and the surviving storage.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import type { Storage } from "../../hal/types.js";
import { loadBoards, pickBoard, type Board, type SmsCapability } from "../../firmware/board.js";
import { createFirmware, type Firmware } from "../../firmware/main.js";
import type { InboxMessage, Messaging, MessagingOptions, OutMessage, PriorityState, QuarantinedPdu, StatusReportEvent } from "../../firmware/messaging/index.js";
import { SimModem, type SimModemOptions } from "../../sim/modem/modem.js";
import { NetworkStub, type NetworkStubOptions } from "../../sim/modem/network-stub.js";
import boardsJson from "../../boards.json" with { type: "json" };

export interface Device {
  fw: Firmware;
  messaging: Messaging;
  storage: Storage;
  /** AT command lines written, in order. */
  commands: string[];
  received: InboxMessage[];
  sent: OutMessage[];
  failed: OutMessage[];
  reports: StatusReportEvent[];
  priority: PriorityState[];
  quarantined: QuarantinedPdu[];
  evicted: InboxMessage[];
  logs: string[];
}

export interface Rig {
  clock: VirtualClock;
  network: NetworkStub;
  modem: SimModem;
  board: Board;
  dev: Device;
  run(ms?: number): Promise<void>;
  act<T>(p: Promise<T>, ms?: number): Promise<T>;
  /** Boots a new firmware on `storage` (default: a fresh one) on the same modem (powering the modem on first when asked). */
  boot(storage?: Storage, powerOn?: boolean): Device;
}

export function boardWith(sms: SmsCapability): Board {
  const b = pickBoard(loadBoards(boardsJson), "sim-generic");
  return Object.assign({}, b, { capabilities: Object.assign({}, b.capabilities, { sms }) });
}

/**
 * Boots the firmware (with messaging) on `modem`. The board's reset line is wired to the
 * simulated modem: a reset pulse from the modem manager's escalation reboots it (and
 * `onModemReset` hears of it).
 */
export function bootDevice(
  clock: VirtualClock,
  modem: SimModem,
  board: Board,
  storage: Storage,
  options?: Partial<MessagingOptions>,
  powerOn?: boolean,
  onModemReset?: () => void,
): Device {
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  if (powerOn) modem.powerOn();
  const pins = new MemoryPins(clock);
  pins.onWrite((w) => {
    if (w.pin === "reset" && w.asserted) {
      modem.reboot();
      if (onModemReset) onModemReset();
    }
  });
  const fw = createFirmware({ serial: dte, clock, pins, storage }, board, { messaging: options });
  const messaging = fw.messaging;
  const d: Device = { fw, messaging, storage, commands: [], received: [], sent: [], failed: [], reports: [], priority: [], quarantined: [], evicted: [], logs: [] };
  fw.channel.events.on("tx", (b) => {
    if (b.endsWith("\r")) d.commands.push(b.slice(0, -1));
  });
  messaging.events.on("received", (m) => d.received.push(m));
  messaging.events.on("sent", (m) => d.sent.push(JSON.parse(JSON.stringify(m))));
  messaging.events.on("sendFailed", (m) => d.failed.push(JSON.parse(JSON.stringify(m))));
  messaging.events.on("statusReport", (r) => d.reports.push(r));
  messaging.events.on("priority", (s) => d.priority.push(s));
  messaging.events.on("quarantined", (q) => d.quarantined.push(q));
  messaging.events.on("inboxEvicted", (m) => d.evicted.push(m));
  fw.events.on("log", (l) => d.logs.push(l));
  fw.start();
  return d;
}

export async function messagingRig(opts?: {
  sms?: SmsCapability;
  network?: Partial<NetworkStubOptions>;
  modem?: Partial<SimModemOptions>;
  messaging?: Partial<MessagingOptions>;
  storage?: Storage;
  /** Do not wait for the modem to come up. */
  noWait?: boolean;
}): Promise<Rig> {
  const o = opts || {};
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new NetworkStub(Object.assign({ clock }, o.network || {}));
  const modem = new SimModem(Object.assign({ clock, network }, o.modem || {}));
  const board = boardWith(o.sms || "native");
  const run = (ms = 1000) => clock.advance(ms);
  const rig: Rig = {
    clock,
    network,
    modem,
    board,
    dev: undefined as unknown as Device,
    run,
    act: async <T>(p: Promise<T>, ms = 2000): Promise<T> => {
      await run(ms);
      return p;
    },
    boot: (storage?: Storage, powerOn?: boolean) => {
      rig.dev = bootDevice(clock, modem, board, storage || new MemoryStorage(), o.messaging, powerOn);
      return rig.dev;
    },
  };
  rig.boot(o.storage, true);
  if (!o.noWait) {
    await run(3000);
    if (rig.dev.fw.modem.status().state.name !== "ready") throw new Error("the firmware did not come up: " + JSON.stringify(rig.dev.fw.modem.status().state));
  }
  return rig;
}

/**
 * What a real network does and the stub does not when a modem vanishes: deliveries that
 * never got an acknowledgement (RP-ACK / RP-ERROR) are delivered again.
 */
export function retryUnacknowledged(network: NetworkStub, done: Set<string>): void {
  const acked = new Set(network.acks.map((a) => a.deliveryId));
  for (const line of network.log.slice()) {
    const m = /^deliver (d\d+) ([0-9A-F]+)$/.exec(line);
    if (m && !acked.has(m[1]) && !done.has(m[1])) {
      done.add(m[1]);
      network.deliverPdu(m[2]);
    }
  }
}

/** Kills a device as a power cut does: its link is gone and it does nothing any more. */
export function kill(d: Device, modem: SimModem): void {
  d.messaging.stop();
  d.fw.stop();
  modem.disconnect();
}
