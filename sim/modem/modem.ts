/**
 * A simulated LTE modem that speaks AT (ITU-T V.250, 3GPP TS 27.007 / 27.005) on any HAL
 * `Serial`: in memory, over TCP or on a pseudo-terminal (transports.ts). It is written
 * as an independent module: its own command-line reader and SMS codec, nothing shared with
 * the firmware it is there to test.
 *
 * Behind it is a `ModemNetwork` (network.ts). Time comes from the `Clock` it is given, so
 * tests run it on a virtual clock. Fault knobs: output chunking and gaps (`output`),
 * response delay, lost and inserted bytes, reboot with a banner, a silent hang.
 */
import type { Clock, Serial, Unsubscribe } from "../../hal/types.js";
import { AtCommandLine, AtSyntaxError, splitArgs } from "./at-parser.js";
import { CallControl, CeerStyle, ColpStyle } from "./call-control.js";
import { CharsetError, toTe } from "./charset.js";
import { CommandEngine } from "./command-engine.js";
import { Args, CommandTable } from "./commands/types.js";
import { basicCommands } from "./commands/basic.js";
import { callCommands } from "./commands/calls.js";
import { cenLines, networkCommands, registrationUrcs, ussdResultLine } from "./commands/network.js";
import { smsCommands } from "./commands/sms.js";
import { simCardCommands } from "./commands/sim-card.js";
import { deviceCommands } from "./commands/device.js";
import { textCmt, textSmsCommands } from "./commands/sms-text.js";
import { uiccCommands } from "./commands/uicc.js";
import { packetCommands } from "./commands/packet.js";
import { POSITION_REQUEST, positioningCommands } from "./commands/positioning.js";
import { PacketData } from "./data/packet.js";
import { QuectelIp, quectelIpCommands } from "./data/quectel-ip.js";
import { QuectelMqtt, quectelMqttCommands } from "./data/quectel-mqtt.js";
import { SimcomIp, simcomIpCommands } from "./data/simcom-ip.js";
import { SimcomMqtt, simcomMqttCommands } from "./data/simcom-mqtt.js";
import { SimcomSsl, simcomSslCommands } from "./data/simcom-ssl.js";
import type { EmergencyNumbers, ModemNetwork, ModemNetworkListener, Registration, Signal, UssdResult } from "./network.js";
import { ModemOutput, OutputOptions } from "./output.js";
import { AtFailure, CME, CMS, Reply, ResultFormat, cme, cms, formatCode, formatInfo } from "./results.js";
import { ModemSettings, defaultSettings } from "./settings.js";
import { SmsControl } from "./sms-control.js";
import { SmsStore } from "./sms-store.js";

export interface ModemIdentity {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
  imsi: string;
  iccid: string;
  /** The subscriber number (+CNUM); for a One Number accessory, the shared number. */
  msisdn: string;
}

export const DEFAULT_IDENTITY: ModemIdentity = {
  manufacturer: "Sharedline",
  model: "SL-LTE1",
  revision: "SL1.0.0",
  imei: "356938035643809",
  imsi: "440101234567890",
  iccid: "8981100012345678901",
  msisdn: "+819012345678",
};

export interface SimModemOptions {
  clock: Clock;
  network: ModemNetwork;
  identity?: Partial<ModemIdentity>;
  /** The SIM: absent, or locked with a PIN (default: present, no PIN). */
  sim?: SimCard;
  /** Service centre address on the SIM (+CSCA). */
  smsc?: string;
  /** Lines sent after (re)boot, e.g. ["RDY"] or a vendor's ["RDY", "+CFUN: 1", "+CPIN: READY", "SMS DONE"]. */
  bootBanner?: string[];
  /** Lines sent after the banner only when the SIM is ready (`+CPIN: READY`, `SMS DONE`...): a module without a usable SIM never prints them. */
  simReadyLines?: string[];
  /** Time from power-on to the banner; input is ignored meanwhile (default 0). */
  bootMs?: number;
  /** RING repetition while an incoming call alerts (default 5000 ms). */
  ringIntervalMs?: number;
  /** How long a +CMT waits for +CNMA with +CSMS=1 (default 15000 ms, within 24.011 TR2M). */
  cnmaTimeoutMs?: number;
  /** USSD without an answer from the network ends with +CUSD: 5 after this long (default 30000 ms, SPEC R81). */
  ussdTimeoutMs?: number;
  /** Numbers this device treats as emergency calls besides the network's list (default Japan: 110, 118, 119). */
  emergencyNumbers?: string[];
  ceerStyle?: CeerStyle;
  /** Whether an incoming call released before answer shows NO CARRIER (default true). */
  unansweredReleaseShowsNoCarrier?: boolean;
  /** Where +COLP goes (call-control.ts `ColpStyle`); default 27.007's intermediate result, whatever the vendor. */
  colpStyle?: ColpStyle;
  /** +CLCC lists an answered outgoing call with its connected number, not the dialled one (default false). */
  clccShowsConnectedNumber?: boolean;
  /** Ericsson call monitoring: `*ECAV` at every call state change (call-control.ts), as phonesim prints it (default false). */
  callMonitor?: boolean;
  /** False for a module without SMS (SPEC R65: SMS commands answer +CMS ERROR: 303). */
  smsSupported?: boolean;
  /** Message memories and their sizes (default SM 30, ME 100). */
  memories?: { [name: string]: number };
  output?: OutputOptions;
  /** TP-MR of the first submitted message (default 0); it counts up from there, across reboots. */
  firstMessageRef?: number;
  /** Delay before each command line runs (fault knob, default 0). */
  responseDelayMs?: number;
  /** The eUICC's id (32 digits, GSMA SGP.02 §2.2.2) when the SIM is an eUICC: +CCHO/+CGLA reach its ISD-R even with no profile. */
  eid?: string;
  /**
   * Commands this module's firmware leaves out (`+CPMS`, `+QCCID`...), each as its name and
   * form (`"+CPMS?"` read, `"+CPMS="` set, or `"+CPMS"` every form): answered `ERROR`, as
   * modules without them do (issue 14: foreign modems).
   */
  unsupported?: string[];
  /** Sees every byte received and sent, for logs. */
  trace?: (dir: "rx" | "tx", bytes: string) => void;
  /** Vendor command set (default: from `identity.manufacturer`, see `vendorOf`). */
  vendor?: SimVendor;
}

/** `NOT READY`: the card is still starting (see `SimCard.startMs`). */
export type SimState = "READY" | "SIM PIN" | "SIM PUK" | "NOT READY" | "absent";

/**
 * The SIM card. Its retry counters live on the card (31.102 §9.4), so a reboot does not
 * give a wrong PIN three new tries: after three refusals it asks for the PUK until the
 * PUK is given.
 */
export interface SimCard {
  present?: boolean;
  pin?: string;
  puk?: string;
  /** PIN tries left (default 3). */
  pinTries?: number;
  /** PUK tries left (default 10). */
  pukTries?: number;
  /**
   * The card's own start after each power-on, in ms from the banner (default 0). Meanwhile
   * `AT+CPIN?` answers `+CPIN: NOT READY` (BG96, EG91) or, with `busyAnswer: "busy"`,
   * `+CME ERROR: 14` (27.007 §9.2.1 SIM busy); SIM and SMS commands fail SIM busy and the
   * modem stays off the network. Then the card is ready (or asks for its PIN) and the
   * modem prints `simReadyLines`. `Infinity`: a card that never finishes its start.
   */
  startMs?: number;
  busyAnswer?: "not-ready" | "busy";
}

/**
 * Whose vendor commands the modem answers besides 27.007/27.005: Quectel's (`+QI*`,
 * `+QMT*`, `+QCCID`), SIMCom's (`+NETOPEN`, `+CIP*`, `+CMQTT*`, `+CICCID`), or none.
 */
export type SimVendor = "generic" | "quectel" | "simcom";

/** The vendor a modem's identity names (+CGMI), as a client would tell it. */
export function vendorOf(identity: { manufacturer: string }): SimVendor {
  if (/quectel/i.test(identity.manufacturer)) return "quectel";
  if (/simcom/i.test(identity.manufacturer)) return "simcom";
  return "generic";
}

const COMMON_COMMANDS: CommandTable = { ...basicCommands, ...networkCommands, ...callCommands, ...smsCommands, ...simCardCommands, ...deviceCommands, ...textSmsCommands, ...uiccCommands, ...packetCommands, ...positioningCommands };
const VENDOR_COMMANDS: { [v in SimVendor]: CommandTable } = {
  generic: {},
  quectel: { ...quectelIpCommands, ...quectelMqttCommands },
  simcom: { ...simcomIpCommands, ...simcomMqttCommands, ...simcomSslCommands },
};

/** The vendor data stacks of a modem (only its vendor's are present). */
export interface DataStacks {
  quectelIp?: QuectelIp;
  quectelMqtt?: QuectelMqtt;
  simcomIp?: SimcomIp;
  simcomMqtt?: SimcomMqtt;
  simcomSsl?: SimcomSsl;
}

export class SimModem {
  readonly clock: Clock;
  readonly network: ModemNetwork;
  readonly identity: ModemIdentity;
  readonly store: SmsStore;
  readonly output: ModemOutput;
  readonly calls: CallControl;
  readonly sms: SmsControl;
  /** Packet data: contexts, attach, +CGEV (27.007 §10). */
  readonly data: PacketData;
  readonly vendor: SimVendor;
  /** The vendor's socket and MQTT stacks, on the contexts of `data`. */
  readonly stacks: DataStacks = {};
  /**
   * Fault knobs of the data path: `loseNotices` swallows that many socket data notices
   * (`+QIURC: "recv"`, `+CIPRXGET: 1`) as if the line lost them: the module still
   * considers them sent, so no other comes until the client reads the buffer (it must
   * poll, companion-link.md §2 pain point 1).
   */
  readonly dataFaults = { loseNotices: 0 };
  settings: ModemSettings = defaultSettings();
  /** +CFUN functionality level: 1 full, 0 minimum, 4 radio off. */
  cfun = 1;
  /** +COPS <mode>: 2 keeps the modem off the network. */
  copsMode = 0;
  simState: SimState;
  smsc: string;
  registration: Registration = { stat: 0, tac: 0, ci: 0, act: 7, operator: { long: "", short: "", numeric: "" } };
  signal: Signal = { rssi: 99, ber: 99, rsrq: 255, rsrp: 255 };
  networkEmergency: EmergencyNumbers | undefined = undefined;
  responseDelayMs: number;
  readonly ringIntervalMs: number;
  readonly cnmaTimeoutMs: number;
  readonly ussdTimeoutMs: number;
  readonly ceerStyle: CeerStyle;
  readonly unansweredReleaseShowsNoCarrier: boolean;
  readonly colpStyle: ColpStyle;
  readonly clccShowsConnectedNumber: boolean;
  readonly callMonitor: boolean;
  readonly smsSupported: boolean;
  readonly deviceEmergencyNumbers: string[];
  /**
   * PDP contexts defined with +CGDCONT (27.007 §10.1.1), by cid. Kept in the module's
   * non-volatile memory, as real modules do: they survive reboots. cid 1 is the context
   * of the LTE attach; its APN is empty until set (the network picks its default).
   */
  /** The call waiting service as last set with +CCWA <mode> (a network-side setting: it survives reboots). */
  callWaitingService = true;
  /** Next TP-MR the modem puts into a submitted SMS (23.040 §9.2.3.6). */
  nextMessageRef = 0;
  ussdTimer: ReturnType<Clock["setTimeout"]> | undefined = undefined;
  /** Told after anything that may change an indicator (registration, signal, calls, a command line): +CIEV, NITZ. */
  readonly watchers: (() => void)[] = [];
  /** The eUICC's id, if the SIM is one (see commands/uicc.ts). */
  readonly eid: string | undefined;
  /** Logical channels open to the UICC (27.007 §8.45); closed by a reboot. */
  uiccChannels: number[] = [];
  /** Exceptions from handlers that were not AT failures (bugs); the command answered ERROR. Tests assert this stays empty. */
  readonly internalErrors: unknown[] = [];

  private readonly opts: SimModemOptions;
  private readonly sim: SimCard;
  private readonly engine: CommandEngine;
  private readonly commands: CommandTable;
  private serial: Serial | undefined = undefined;
  private unsubs: Unsubscribe[] = [];
  private urcQueue: string[] = [];
  private attached = false;
  private netGeneration = 0;
  private booting = false;
  /** The end of the card's start (SimCard.startMs), pending. */
  private simStart: ReturnType<Clock["setTimeout"]> | undefined = undefined;
  private hungNow = false;
  private stalls: { name: string; ms: number }[] = [];
  private received = 0;
  private inputLoss: { at: number; count: number }[] = [];

  constructor(opts: SimModemOptions) {
    this.opts = opts;
    this.sim = { ...(opts.sim || {}) };
    this.clock = opts.clock;
    this.network = opts.network;
    this.identity = { ...DEFAULT_IDENTITY, ...(opts.identity || {}) };
    this.store = new SmsStore(opts.memories || { SM: 30, ME: 100 });
    this.output = new ModemOutput(opts.clock, opts.output || {});
    if (opts.trace) {
      const trace = opts.trace;
      this.output.onSent = (b) => trace("tx", b);
    }
    this.smsc = opts.smsc !== undefined ? opts.smsc : "+819000000000";
    this.responseDelayMs = opts.responseDelayMs || 0;
    this.nextMessageRef = (opts.firstMessageRef || 0) & 0xff;
    this.ringIntervalMs = opts.ringIntervalMs || 5000;
    this.cnmaTimeoutMs = opts.cnmaTimeoutMs || 15000;
    this.ussdTimeoutMs = opts.ussdTimeoutMs || 30000;
    this.ceerStyle = opts.ceerStyle || "cause-text";
    this.unansweredReleaseShowsNoCarrier = opts.unansweredReleaseShowsNoCarrier !== false;
    this.clccShowsConnectedNumber = opts.clccShowsConnectedNumber === true;
    this.callMonitor = opts.callMonitor === true;
    this.smsSupported = opts.smsSupported !== false;
    this.deviceEmergencyNumbers = opts.emergencyNumbers || ["110", "118", "119"];
    if (opts.eid !== undefined && !/^[0-9]{32}$/.test(opts.eid)) throw new Error("SimModem: eid must be 32 digits");
    this.eid = opts.eid;
    this.simState = this.lockedSimState();
    this.calls = new CallControl(this);
    this.sms = new SmsControl(this);
    this.engine = new CommandEngine(this);
    this.vendor = opts.vendor || vendorOf(this.identity);
    this.colpStyle = opts.colpStyle || "intermediate";
    this.commands = { ...COMMON_COMMANDS, ...VENDOR_COMMANDS[this.vendor] };
    this.data = new PacketData(this);
    if (this.vendor === "quectel") {
      this.stacks.quectelIp = new QuectelIp(this);
      this.stacks.quectelMqtt = new QuectelMqtt(this);
    } else if (this.vendor === "simcom") {
      this.stacks.simcomIp = new SimcomIp(this);
      this.stacks.simcomMqtt = new SimcomMqtt(this);
      this.stacks.simcomSsl = new SimcomSsl();
    }
    for (const k of Object.keys(this.stacks) as (keyof DataStacks)[]) this.data.addUser(this.stacks[k]!);
  }

  // ---- lifecycle ----

  /** Connects the modem to a line (replacing any other; the old one is not closed). */
  connect(serial: Serial): void {
    this.disconnect();
    this.serial = serial;
    this.output.setSerial(serial);
    this.unsubs.push(serial.onData((chunk) => this.receive(chunk)));
    this.unsubs.push(
      serial.onClose(() => {
        if (this.serial === serial) this.disconnect();
      }),
    );
  }

  /** Leaves the line; the modem keeps its state and its calls (a serial server losing its client). */
  disconnect(): void {
    for (const u of this.unsubs) u();
    this.unsubs = [];
    this.serial = undefined;
    this.output.setSerial(undefined);
  }

  /** Powers on: after `bootMs` the banner (unless `banner` is false) and the radio comes up. */
  powerOn(banner = true): void {
    this.boot(banner ? this.opts.bootBanner || ["RDY"] : []);
  }

  /**
   * Reboots, as after a crash or `AT+CFUN=1,1`: calls are dropped, settings go back to
   * their power-on values (echo on, +CMEE 0, URCs off), the partial command line and any
   * prompt are forgotten, and the banner comes again. Stored messages stay.
   */
  reboot(banner?: string[]): void {
    this.detachNetwork();
    this.boot(banner || this.opts.bootBanner || ["RDY"]);
  }

  private boot(banner: string[]): void {
    this.data.reset();
    this.engine.reset();
    this.output.reset();
    this.output.setSilent(false);
    this.sms.reset();
    this.calls.dropAll();
    this.stopUssdTimer();
    this.urcQueue = [];
    this.hungNow = false;
    this.settings = defaultSettings();
    this.cfun = 1;
    this.copsMode = 0;
    const start = this.sim.present === false ? 0 : this.sim.startMs || 0;
    this.simState = start > 0 ? "NOT READY" : this.lockedSimState();
    if (this.simStart !== undefined) this.clock.clearTimeout(this.simStart);
    this.simStart = undefined;
    this.uiccChannels = [];
    this.booting = true;
    const done = () => {
      this.booting = false;
      const lines = banner.length > 0 && this.simState === "READY" ? banner.concat(this.opts.simReadyLines || []) : banner;
      for (const line of lines) this.output.write(formatCode(line, this.format()));
      this.updateAttachment();
      if (start > 0 && start !== Infinity) this.simStart = this.clock.setTimeout(() => this.simStarted(banner.length > 0), start);
    };
    if ((this.opts.bootMs || 0) > 0) this.clock.setTimeout(done, this.opts.bootMs || 0);
    else done();
  }

  /**
   * Fault knob: the next `AT<name>` (e.g. `+CMGR`) stops its answer halfway through its
   * last line for `ms`, then finishes it: a module stuck mid-PDU. Not abortable (V.250
   * §5.6.1 leaves abort to each command; module manuals list only dial, +COPS, +CLCK and
   * the like as abortable): what the host writes meanwhile waits for the command to end.
   */
  stallNext(name: string, ms: number): void {
    this.stalls.push({ name: name.toUpperCase(), ms });
  }

  /** The engine asks whether `cmd` stalls (each armed stall is used once). */
  stallFor(cmd: AtCommandLine): number {
    const i = this.stalls.findIndex((s) => s.name === cmd.name);
    if (i < 0) return 0;
    return this.stalls.splice(i, 1)[0].ms;
  }

  /** Stops answering anything (input ignored, nothing sent) until `unhang` or `reboot`. */
  hang(): void {
    this.hungNow = true;
    this.output.setSilent(true);
  }

  unhang(): void {
    this.hungNow = false;
    this.output.setSilent(false);
  }

  get hung(): boolean {
    return this.hungNow;
  }

  /** Fault knob: loses `count` received bytes, starting `after` bytes from now. */
  loseInput(after = 0, count = 1): void {
    this.inputLoss.push({ at: this.received + after, count });
  }

  /** Fault knob: line noise now, between whatever the modem is sending. */
  injectGarbage(bytes: string): void {
    this.output.injectNow(bytes);
  }

  /**
   * An eSIM profile downloaded and enabled by the accessory's LPA (GSMA SGP.22 §3.2.1):
   * the eUICC now answers with the profile's ICCID, IMSI and MSISDN. Enabling a profile
   * makes the eUICC ask for a UICC reset (ETSI TS 102 223 REFRESH "UICC Reset"); the
   * modem goes through it as a restart: the banner again, the SIM read anew, then the
   * attach with the new identity.
   */
  installProfile(p: { iccid: string; imsi: string; msisdn: string }): void {
    if (!/^[0-9]{18,20}$/.test(p.iccid) || !/^[0-9]{6,15}$/.test(p.imsi)) throw new Error("installProfile: bad ICCID or IMSI");
    this.identity.iccid = p.iccid;
    this.identity.imsi = p.imsi;
    this.identity.msisdn = p.msisdn;
    this.sim.present = true;
    this.reboot();
  }

  /** The ICCID of a profile the LPA disabled (SGP.22 ES10c.DisableProfile), "" when none. */
  private disabledIccid = "";
  private refreshDue = false;

  /**
   * ES10c.DisableProfile: 0 ok (the modem loses its SIM: no profile enabled), 1 no such
   * profile, 2 not enabled.
   */
  euiccDisable(iccid: string): 0 | 1 | 2 {
    if (this.disabledIccid === iccid) return 2;
    if (this.sim.present === false || this.identity.iccid !== iccid) return 1;
    this.disabledIccid = iccid;
    this.sim.present = false;
    // The UICC reset (ETSI TS 102 223 REFRESH) comes when the LPA is done: its channel closed.
    this.refreshDue = true;
    return 0;
  }

  /** The LPA closed its logical channel: a disabled profile now takes effect (the modem restarts without it). */
  euiccChannelClosed(): void {
    if (!this.refreshDue) return;
    this.refreshDue = false;
    // After the OK of +CCHC.
    this.clock.setTimeout(() => this.reboot(), 0);
  }

  /** ES10c.DeleteProfile: 0 ok, 1 no such profile, 2 still enabled (disable it first). */
  euiccDelete(iccid: string): 0 | 1 | 2 {
    if (this.disabledIccid === iccid) {
      this.disabledIccid = "";
      this.identity.iccid = "";
      return 0;
    }
    return this.sim.present !== false && this.identity.iccid === iccid ? 2 : 1;
  }

  /** What an LPA does in one go (disable, then delete); false when the eUICC has no such profile. */
  deleteProfile(iccid: string): boolean {
    if (this.euiccDisable(iccid) !== 0) return false;
    const ok = this.euiccDelete(iccid) === 0;
    this.euiccChannelClosed();
    return ok;
  }

  /** The card finished its start (SimCard.startMs): its state, its lines, the attach. */
  private simStarted(banner: boolean): void {
    this.simStart = undefined;
    this.simState = this.lockedSimState();
    if (banner && this.simState === "READY") for (const line of this.opts.simReadyLines || []) this.output.write(formatCode(line, this.format()));
    this.updateAttachment();
  }

  private lockedSimState(): SimState {
    if (this.sim.present === false) return "absent";
    if (this.pinTries <= 0) return "SIM PUK";
    return this.sim.pin ? "SIM PIN" : "READY";
  }

  /** The SIM card's own data (its PIN changes with +CPIN in PUK state, and survives reboots). */
  simCard(): SimCard {
    return this.sim;
  }

  get pinTries(): number {
    return this.sim.pinTries === undefined ? 3 : this.sim.pinTries;
  }

  set pinTries(n: number) {
    this.sim.pinTries = n;
  }

  get pukTries(): number {
    return this.sim.pukTries === undefined ? 10 : this.sim.pukTries;
  }

  set pukTries(n: number) {
    this.sim.pukTries = n;
  }

  private receive(chunk: string): void {
    if (this.opts.trace) this.opts.trace("rx", chunk);
    let kept = "";
    for (let i = 0; i < chunk.length; i++) {
      const pos = this.received++;
      let lost = false;
      for (const l of this.inputLoss) if (pos >= l.at && pos < l.at + l.count) lost = true;
      if (!lost) kept += chunk[i];
    }
    this.inputLoss = this.inputLoss.filter((l) => l.at + l.count > this.received);
    if (this.booting || this.hungNow || kept === "") return;
    this.engine.feed(kept);
  }

  // ---- network ----

  /** Attaches or detaches to match +CFUN, +COPS and the SIM. */
  updateAttachment(): void {
    const want = !this.booting && this.cfun === 1 && this.copsMode !== 2 && this.simState === "READY";
    if (want && !this.attached) this.attachNetwork();
    else if (!want && this.attached) {
      this.detachNetwork();
      this.setRegistration({ ...this.registration, stat: 0 });
    }
  }

  private attachNetwork(): void {
    this.attached = true;
    const gen = ++this.netGeneration;
    const live = () => gen === this.netGeneration;
    const listener: ModemNetworkListener = {
      registrationChanged: (r) => live() && (this.setRegistration(r), this.changed()),
      signalChanged: (s) => {
        if (!live()) return;
        this.signal = s;
        this.changed();
      },
      incomingCall: (c) => live() && (this.calls.incoming(c), this.changed()),
      callStateChanged: (c) => live() && (this.calls.stateChanged(c), this.changed()),
      smsDelivered: (s) => live() && this.sms.deliver(s),
      ussdResult: (r) => live() && this.ussdResult(r),
      emergencyNumbers: (e) => live() && this.setEmergencyNumbers(e),
      pdnDeactivated: (cid) => live() && this.data.networkDeactivated(cid),
      positioningRequest: () => live() && this.settings.cposr && this.urc("+CPOSR: " + POSITION_REQUEST),
    };
    this.network.attach({ imei: this.identity.imei, imsi: this.identity.imsi, iccid: this.identity.iccid }, listener);
  }

  private detachNetwork(): void {
    if (!this.attached) return;
    // Radio off (+CFUN=0/4, +COPS=2): the packet contexts end first, as the network's loss.
    if (this.registered()) this.data.registrationLost();
    this.attached = false;
    this.netGeneration++;
    this.calls.dropAll();
    this.sms.reset();
    this.stopUssdTimer();
    this.signal = { rssi: 99, ber: 99, rsrq: 255, rsrp: 255 };
    this.network.detach();
  }

  get isAttached(): boolean {
    return this.attached;
  }

  /** Registered on the home network or roaming (27.007 `<stat>` 1 or 5). */
  registered(): boolean {
    return this.attached && (this.registration.stat === 1 || this.registration.stat === 5);
  }

  private setRegistration(r: Registration): void {
    const before = this.registration;
    const wasRegistered = this.registered();
    this.registration = r;
    for (const line of registrationUrcs(this, before, r)) this.urc(line);
    // Out of service (coverage lost, unregistered by the network, R15): the data goes with it.
    if (wasRegistered && !this.registered()) this.data.registrationLost();
  }

  private setEmergencyNumbers(e: EmergencyNumbers): void {
    this.networkEmergency = e;
    // 27.007 §8.67: the URCs equal the intermediate results of the read form.
    if (this.settings.cen) this.urc(...cenLines(true, e));
  }

  /** Whether `number` is an emergency number for this device (network list, then device defaults; SPEC R53). */
  isEmergency(number: string): boolean {
    if (this.networkEmergency && this.networkEmergency.numbers.some((n) => n.number === number)) return true;
    return this.deviceEmergencyNumbers.indexOf(number) >= 0;
  }

  /** The emergency numbers this device knows: the network's list, then its own defaults. */
  emergencyList(): string[] {
    const out = this.networkEmergency ? this.networkEmergency.numbers.map((n) => n.number) : [];
    for (const n of this.deviceEmergencyNumbers) if (out.indexOf(n) < 0) out.push(n);
    return out;
  }

  private ussdResult(r: UssdResult): void {
    this.stopUssdTimer();
    if (this.settings.cusd) this.urc(ussdResultLine(this, r));
  }

  stopUssdTimer(): void {
    if (this.ussdTimer !== undefined) this.clock.clearTimeout(this.ussdTimer);
    this.ussdTimer = undefined;
  }

  // ---- output ----

  format(): ResultFormat {
    const s = this.settings;
    return { verbose: s.verbose, quiet: s.quiet, cmee: s.cmee, cr: String.fromCharCode(s.s[3]), lf: String.fromCharCode(s.s[4]) };
  }

  write(bytes: string): void {
    this.output.write(bytes);
  }

  /** An unsolicited result of one or more lines; held back while a command line runs (27.007 §4.3). */
  urc(...lines: string[]): void {
    this.emitUrc(formatInfo(lines, this.format()));
  }

  /** An unsolicited result code (RING, NO CARRIER, BUSY), numeric under ATV0. */
  urcCode(text: string): void {
    if (this.settings.quiet) return;
    this.emitUrc(formatCode(text, this.format()));
  }

  private emitUrc(bytes: string): void {
    if (this.engine.busy) this.urcQueue.push(bytes);
    else this.output.write(bytes);
  }

  lineDone(): void {
    const q = this.urcQueue;
    this.urcQueue = [];
    for (const b of q) this.output.write(b);
    this.changed();
  }

  private changed(): void {
    for (const w of this.watchers) w();
  }

  /** A routed SMS-DELIVER in text mode (+CMGF=1). */
  textCmt(pdu: string): string[] | undefined {
    return textCmt(this, pdu);
  }

  /** Text in the client's character set (+CSCS). */
  te(text: string): string {
    return toTe(text, this.settings.cscs);
  }

  /**
   * Fault knob: the module closes socket `id` on its own (a network reset): Quectel
   * `+QIURC: "closed",<id>`, SIMCom `+IPCLOSE: <id>,2`. False when there is no such socket.
   */
  closeSocket(id: number): boolean {
    if (this.stacks.quectelIp) return this.stacks.quectelIp.faultClose(id);
    if (this.stacks.simcomIp) return this.stacks.simcomIp.faultClose(id);
    return false;
  }

  /** True when a data notice must be swallowed now (see `dataFaults`). */
  loseDataNotice(): boolean {
    if (this.dataFaults.loseNotices <= 0) return false;
    this.dataFaults.loseNotices--;
    return true;
  }

  // ---- commands ----

  /** Fails with the SIM error of the current SIM state, if the SIM is not ready. */
  requireSim(sms: boolean): void {
    if (this.simState === "READY") return;
    if (this.simState === "absent") throw sms ? cms(CMS.simNotInserted) : cme(CME.simNotInserted);
    if (this.simState === "SIM PIN") throw sms ? cms(CMS.simPinRequired) : cme(CME.simPinRequired);
    if (this.simState === "NOT READY") throw sms ? cms(CMS.simBusy) : cme(CME.simBusy);
    throw cme(CME.simPukRequired);
  }

  async dispatch(cmd: AtCommandLine): Promise<Reply> {
    const spec = /^S[0-9]+$/.test(cmd.name) ? this.commands["S"] : this.commands[cmd.name];
    const fn = spec ? spec[cmd.kind] : undefined;
    if (!spec || !fn) return { lines: [], final: { kind: "error" } };
    const left = this.opts.unsupported || [];
    const form = cmd.kind === "read" ? "?" : cmd.kind === "set" ? "=" : cmd.kind === "test" ? "=?" : "";
    if (left.indexOf(cmd.name) >= 0 || left.indexOf(cmd.name + form) >= 0) return { lines: [], final: { kind: "error" } };
    try {
      if (spec.needsSim) this.requireSim(!!spec.sms);
      if (spec.sms && !this.smsSupported) throw cms(CMS.notSupported);
      const args = new Args(cmd.kind === "set" && cmd.name[0] !== "S" ? splitArgs(cmd.args) : [], !!spec.sms);
      return await fn(this, args, cmd);
    } catch (e) {
      if (AtFailure.is(e)) return { lines: [], final: e.final };
      if (CharsetError.is(e)) return { lines: [], final: spec.sms ? { kind: "cms", code: CMS.invalidPduParameter } : { kind: "cme", code: CME.invalidText } };
      if (!AtSyntaxError.is(e)) this.internalErrors.push(e);
      return { lines: [], final: { kind: "error" } };
    }
  }
}
