/**
 * The soak's world: one `SharedNetwork` on a `VirtualClock`, many shared numbers, and on
 * every accessory the REAL firmware (firmware/main.ts) on a `SimModem` behind an
 * `AccessoryPort`, over an in-memory serial line, with its own power-cut flash
 * (`MemoryStorage`). The soak drives each firmware only through `fw.api`.
 *
 * An accessory can be killed and rebuilt on the same storage (a process kill), or lose
 * power at a storage write (the modem loses power too): both give a new firmware on what
 * survived, the way a restart on the device does.
 */
import type { Storage } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair, type MemorySerial } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { loadBoards, pickBoard, type Board } from "../../firmware/board.js";
import { createFirmware, type Firmware, type FirmwareOptions } from "../../firmware/main.js";
import type { CompanionLink } from "../../firmware/companion/link.js";
import type { DataStack } from "../../firmware/data/index.js";
import { SimModem } from "../../sim/modem/modem.js";
import { AccessoryPort, OutsideParty, SharedNetwork, SharedNumber, type NetworkParams } from "../../sim/network/index.js";
import boardsJson from "../../boards.json" with { type: "json" };

/** A storage a killed process can no longer touch (its writes after the kill never happen). */
class ProcessStorage implements Storage {
  dead = false;
  constructor(readonly inner: MemoryStorage) {}
  private gate<T>(f: () => Promise<T>): Promise<T> {
    if (this.dead) return new Promise<T>(() => {}); // the process is gone: nothing ever answers
    return f();
  }
  read(key: string): Promise<string | undefined> {
    return this.gate(() => this.inner.read(key));
  }
  write(key: string, value: string): Promise<void> {
    return this.gate(() => this.inner.write(key, value));
  }
  remove(key: string): Promise<void> {
    return this.gate(() => this.inner.remove(key));
  }
  list(prefix: string): Promise<string[]> {
    return this.gate(() => this.inner.list(prefix));
  }
}

/** Where a command line ends: CR/LF, or Ctrl-Z (send) / Esc (cancel) after an SMS body (27.005 §3.5.1). */
function firstLineEnd(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 13 || c === 10 || c === 0x1a || c === 0x1b) return i;
  }
  return -1;
}

/** What the soak hung on a firmware at boot: the companion link (for tests to reach), and how it dies with the process. */
export interface Attached {
  /** The firmware's own data stack and link (createFirmware composed them). */
  companion?: { data: DataStack; link: CompanionLink };
  kill(): void;
}

export interface Accessory {
  /** "n3a2": the 2nd accessory of number 3. */
  name: string;
  num: SharedNumber;
  port: AccessoryPort;
  modem: SimModem;
  board: Board;
  fw: Firmware;
  /** How many firmwares this accessory has run (1 + restarts). */
  generation: number;
  storage: ProcessStorage;
  serial: MemorySerial;
  /** Called with each command line the firmware wrote to the modem (what the modem received). */
  onCommand: ((line: string, t: number) => void) | undefined;
  /** Called with each line the modem sent (for a trace). */
  onModemLine: ((line: string, t: number) => void) | undefined;
  /** Called for every API event of the current firmware. */
  onApi: ((name: string, data: unknown) => void) | undefined;
  /** What was hung on the current firmware at boot (the companion link), and how it dies with the process. */
  attached: Attached | undefined;
}

export interface FleetOptions {
  clock: VirtualClock;
  numbers: number;
  accessories: number;
  parties: number;
  boards: string[];
  /** Called on every boot of an accessory's firmware (the first and each restart), after it started. */
  attach?: (acc: Accessory) => Attached | undefined;
  /** The firmware options of each boot (its companion link), before it is built. */
  firmwareOptions?: (acc: Accessory) => FirmwareOptions | undefined;
  /** The simulated network's parameters besides the clock (params.ts). */
  network?: Partial<NetworkParams>;
}

export class Fleet {
  readonly clock: VirtualClock;
  readonly net: SharedNetwork;
  readonly numbers: SharedNumber[] = [];
  readonly accessories: Accessory[] = [];
  readonly parties: OutsideParty[] = [];
  private readonly boards = loadBoards(boardsJson);
  /** Set once the soak is ready to hang things on the firmware (the first boots happen in the constructor). */
  attach: FleetOptions["attach"];
  firmwareOptions: FleetOptions["firmwareOptions"];

  constructor(o: FleetOptions) {
    this.attach = o.attach;
    this.firmwareOptions = o.firmwareOptions;
    if (o.accessories > o.numbers * 5) throw new RangeError("at most five accessories per number (R2): " + o.accessories + " over " + o.numbers);
    if (o.accessories < 1 || o.numbers < 1) throw new RangeError("--accessories and --numbers must be at least 1");
    this.clock = o.clock;
    this.net = new SharedNetwork({ clock: this.clock, params: o.network });
    for (let i = 0; i < o.numbers; i++) {
      this.numbers.push(this.net.createNumber("+8190" + String(10000000 + i).slice(-8), { multiDevice: true }));
    }
    for (let i = 0; i < o.parties; i++) this.parties.push(this.net.outside("+8131" + String(20000000 + i).slice(-8)));
    const perNumber: number[] = this.numbers.map(() => 0);
    for (let i = 0; i < o.accessories; i++) {
      const n = i % o.numbers;
      perNumber[n]++;
      this.accessories.push(this.build(this.numbers[n], "n" + n + "a" + perNumber[n], o.boards[i % o.boards.length], i));
    }
  }

  private build(num: SharedNumber, name: string, boardName: string, seq: number): Accessory {
    const board = pickBoard(this.boards, boardName);
    const imei = "35693803" + String(1000000 + seq).slice(-7);
    const sms = board.capabilities.sms === "relay" || board.capabilities.sms === "none" ? board.capabilities.sms : "native";
    const port = this.net.portFor(num.msisdn, { imei, friendlyName: name, model: boardName, sms, callWaiting: board.capabilities.callWaiting });
    const acc = { name, num, port, board, generation: 0, onCommand: undefined, onApi: undefined } as unknown as Accessory;
    let rest = "";
    let out = "";
    acc.modem = new SimModem({
      clock: this.clock,
      network: port,
      identity: { imei, msisdn: num.msisdn, imsi: "44010" + imei.slice(-10) },
      smsSupported: sms !== "none",
      trace: (dir, bytes) => {
        if (dir === "tx") {
          if (!acc.onModemLine) return;
          out += bytes;
          const lines = out.split(/[\r\n]+/);
          out = lines.pop() || "";
          for (const l of lines) if (l !== "") acc.onModemLine(l, this.clock.now());
          return;
        }
        rest += bytes;
        for (;;) {
          const i = firstLineEnd(rest);
          if (i < 0) break;
          const line = rest.slice(0, i);
          rest = rest.slice(i + 1);
          if (line !== "" && acc.onCommand) acc.onCommand(line, this.clock.now());
        }
        if (rest.length > 4096) rest = rest.slice(-64); // a PDU body without a line end: keep the tail only
      },
    });
    acc.modem.powerOn();
    acc.storage = new ProcessStorage(new MemoryStorage());
    this.boot(acc);
    return acc;
  }

  /** A new firmware for `acc` on a new serial line to the same modem and on `acc.storage`. */
  private boot(acc: Accessory): void {
    const [dte, dce] = memorySerialPair();
    acc.modem.connect(dce);
    acc.serial = dte;
    acc.fw = createFirmware({ serial: dte, clock: this.clock, pins: new MemoryPins(this.clock), storage: acc.storage }, acc.board, this.firmwareOptions ? this.firmwareOptions(acc) : undefined);
    acc.generation++;
    acc.fw.api.onAny((name, data) => {
      if (acc.onApi) acc.onApi(name, data);
    });
    acc.fw.start();
    acc.attached = this.attach ? this.attach(acc) : undefined;
  }

  /**
   * Kills the firmware's process (no goodbye: its storage and serial line go dead first,
   * then its timers are stopped so the dead process costs nothing) and starts a new one on
   * what the storage kept. `powerCut`: the modem lost power too (calls dropped, rebooted).
   */
  restart(acc: Accessory, powerCut: boolean): void {
    acc.storage.dead = true;
    if (acc.attached) acc.attached.kill();
    acc.attached = undefined;
    acc.modem.disconnect();
    acc.serial.close();
    acc.fw.stop();
    acc.storage = new ProcessStorage(acc.storage.inner.reboot());
    if (powerCut) acc.modem.reboot();
    this.boot(acc);
  }

  stop(): void {
    for (const a of this.accessories) {
      if (a.attached) a.attached.kill();
      a.fw.stop();
      a.modem.disconnect();
    }
  }
}
