/**
 * The world a scenario runs in: one `SharedNetwork` on a `VirtualClock`, the numbers of
 * `given` with their smartphones, and for every accessory a `SimModem` on its own
 * `AccessoryPort` with the accessory's firmware on the other end of an in-memory serial
 * line. The firmware is not imported here (the simulator must not depend on it): the
 * caller passes an `AgentFactory` (cli/scenario.ts builds the real firmware), so the
 * runner drives any firmware through the small `AccessoryAgent` surface.
 *
 * Everything observable is recorded with its virtual time: the lines each modem sent
 * (what the firmware saw, R85–R93) and received (what the firmware sent), the
 * firmware's events, the phone's events; the network keeps its own log (R97).
 */
import type { Clock, Serial } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { SimModem } from "../modem/modem.js";
import { AccessoryPort, ManagementSite, OutsideParty, Phone, SharedNetwork, SharedNumber } from "../network/index.js";
import type { LogEntry, NumberSettings } from "../network/index.js";
import { boardProfile, capabilitiesOf, modemBootOf, modemIdentity, simImei } from "./number-server.js";
import { Activation, modemLpa } from "../entitlement/index.js";
import type { DeviceSpec, Given, SmsRouting } from "./scenario-format.js";
import { startServedBroker, stopServedBroker, type ServedBroker } from "../broker/served-broker.js";

/** What an action of the firmware gives back (the firmware's ActionResult, as plain data). */
export type AgentResult = { [k: string]: unknown };

/** The surface of an accessory's firmware that scenarios drive and observe. */
export interface AccessoryAgent {
  /** Bring-up is done (the modem is configured). */
  ready(): boolean;
  /** The registration state the firmware last learnt ("home", "denied", "searching", ...), if any. */
  registration(): string | undefined;
  /** The firmware's One Number activation state (noProfile, checking, active, notActive), if it has one. */
  activation?(): string | undefined;
  /** The firmware's view of the shared line (idle, ringingHere, inCallHere, inUseElsewhere, emergency). */
  lineState(): string;
  /** The firmware's live calls, as plain objects. */
  calls(): AgentResult[];
  dial(number: string): Promise<AgentResult>;
  answer(): Promise<AgentResult>;
  reject(): Promise<AgentResult>;
  hangup(): Promise<AgentResult>;
  acceptWaiting(how: "hold" | "release"): Promise<AgentResult>;
  holdOrSwap(): Promise<AgentResult>;
  dtmf(tones: string): Promise<AgentResult>;
  /** Accepts an SMS for sending (the firmware's `{ok, id}` or why not). */
  sendSms(to: string, text: string, statusReport?: boolean): Promise<AgentResult>;
  /** A service code as the user types it (`*103*1#`, `*#103#`). */
  serviceCode(code: string): Promise<AgentResult>;
  /** A position from the device's GNSS or app (R52), in degrees; `accuracyM` the radius. */
  setLocation?(lat: number, lon: number, accuracyM?: number): Promise<AgentResult>;
  /**
   * The firmware's stored messages as last read through its API (R63): the inbox
   * (`{from, text, ...}`) and the sent history (`{to, text, ...}`), oldest first.
   */
  messages?(): { inbox: AgentResult[]; sent: AgentResult[] };
  /** Subscribes to every firmware event: its name and a plain copy of its payload. */
  onEvent(fn: (name: string, payload: unknown) => void): void;
  /** Stops the firmware; a promise when it says goodbye on the broker first. */
  stop(): void | Promise<void>;
}

/** The companion link's broker and this accessory's credential (issued by the backend at registration). */
export interface AgentLink {
  url: string;
  msisdn: string;
  /** Device id and MQTT user name. */
  deviceId: string;
  password: string;
}

/** What a scenario sets in an accessory's firmware besides its board. */
export interface AgentOptions {
  smsRouting: SmsRouting;
}

/** Builds the firmware of `board` on `serial` (the accessory's end of the modem's line), with its link when the world has a broker. */
export type AgentFactory = (board: string, serial: Serial, clock: Clock, link?: AgentLink, options?: AgentOptions) => AccessoryAgent;

/** A message the broker carried, with the virtual time it was seen. */
export interface BrokerRecord {
  t: number;
  topic: string;
  payload: string;
}

export interface Recorded {
  t: number;
  name: string;
  payload: unknown;
}

export interface WorldAccessory {
  spec: DeviceSpec;
  num: SharedNumber;
  port: AccessoryPort;
  modem: SimModem;
  agent: AccessoryAgent;
  /** Lines the modem sent (responses and URCs), with their time. */
  atLines: { t: number; line: string }[];
  /** Lines the modem received (the firmware's commands). */
  sentLines: { t: number; line: string }[];
  events: Recorded[];
}

export interface WorldPhone {
  name: string;
  num: SharedNumber;
  phone: Phone;
  events: Recorded[];
}

/** How far every record went: what a step looks at starts here. */
export interface Mark {
  t: number;
  logSeq: number;
  at: { [name: string]: number };
  sent: { [name: string]: number };
  events: { [name: string]: number };
  callLog: { [name: string]: number };
  broker: number;
}

const CTRL_Z = String.fromCharCode(26);

/** Splits a byte stream into lines (CR, LF or both end one; so does the Ctrl-Z after a prompt's payload), keeping the unfinished rest. */
function lineSplitter(out: { t: number; line: string }[], clock: Clock): (bytes: string) => void {
  let rest = "";
  return (bytes) => {
    rest += bytes;
    for (;;) {
      let i = rest.search(/[\r\n]/);
      const z = rest.indexOf(CTRL_Z);
      if (z >= 0 && (i < 0 || z < i)) i = z;
      if (i < 0) break;
      const line = rest.slice(0, i);
      rest = rest.slice(i + 1);
      if (line.trim() !== "") out.push({ t: clock.now(), line });
    }
    // The SMS prompt "> " has no line end; keep it as a line of its own.
    if (rest === "> ") {
      out.push({ t: clock.now(), line: "> " });
      rest = "";
    }
  };
}

export class World {
  readonly clock: VirtualClock;
  readonly net: SharedNetwork;
  readonly site: ManagementSite;
  /** The entitlement server, its SM-DP+ and the phones' companion apps (R8): `phone register`. */
  readonly activation: Activation;
  readonly numbers: { [name: string]: SharedNumber } = {};
  readonly accessories: { [name: string]: WorldAccessory } = {};
  readonly phones: { [name: string]: WorldPhone } = {};
  readonly parties: { [name: string]: OutsideParty } = {};
  /** Results of labelled accessory actions, once settled. */
  readonly results: { [label: string]: { settled: boolean; value?: AgentResult } } = {};
  /** The companion link's broker and backend (`given.broker`). */
  broker: ServedBroker | undefined = undefined;
  /** Every message the broker carried, in order. */
  readonly brokerLog: BrokerRecord[] = [];
  /** Accessories whose firmware start() builds (after the broker, which issues their credentials). */
  private readonly unbuilt: { acc: WorldAccessory; dte: Serial }[] = [];
  private readonly factory: AgentFactory;

  constructor(
    readonly given: Given,
    factory: AgentFactory,
  ) {
    this.factory = factory;
    this.clock = new VirtualClock(given.start);
    this.net = new SharedNetwork({ clock: this.clock, params: given.params });
    this.site = new ManagementSite(this.net);
    this.activation = new Activation(this.net, { capabilities: capabilitiesOf });
    let imeiSeq = 0;
    for (const spec of given.numbers) {
      const num = this.net.createNumber(spec.msisdn, {
        oneNumber: spec.oneNumber,
        multiDevice: spec.multiDevice === undefined ? spec.devices.length > 1 : spec.multiDevice,
        phone: { location: spec.phone.location },
      });
      num.phone.doNotDisturb = spec.phone.doNotDisturb;
      this.numbers[spec.name] = num;
      const wp: WorldPhone = { name: spec.phone.name, num, phone: num.phone, events: [] };
      for (const ev of ["incoming", "call", "sms", "ussd"] as const) {
        num.phone.events.on(ev, (p: unknown) => wp.events.push({ t: this.clock.now(), name: ev, payload: JSON.parse(JSON.stringify(p)) }));
      }
      this.phones[spec.phone.name] = wp;
      for (const d of spec.devices) this.addAccessory(d, num, simImei(200 + imeiSeq++));
    }
    for (const name of Object.keys(given.parties)) {
      this.parties[name] = this.net.outside(given.parties[name]);
      if (given.partyNames[name]) this.parties[name].name = given.partyNames[name];
    }
  }

  private addAccessory(spec: DeviceSpec, num: SharedNumber, imei: string): void {
    const profile = boardProfile(spec.board);
    const info = { imei: spec.imei || imei, friendlyName: spec.name, model: spec.board, sms: profile.sms, callWaiting: profile.callWaiting, location: spec.location, eid: spec.eid };
    const port = this.net.portFor(num.msisdn, info, { register: spec.register });
    port.lostSmsAcks = spec.modem.lostSmsAcks;
    const atLines: { t: number; line: string }[] = [];
    const sentLines: { t: number; line: string }[] = [];
    const tx = lineSplitter(atLines, this.clock);
    const rx = lineSplitter(sentLines, this.clock);
    const modem = new SimModem({
      clock: this.clock,
      network: port,
      identity: { ...modemIdentity(profile), imei: info.imei, msisdn: num.msisdn, imsi: "44010" + info.imei.slice(-10) },
      // The board's own banner, so a reboot in a scenario is one its firmware recognises (*ATREADY: 1 on the A7670).
      ...modemBootOf(profile.modem),
      smsSupported: profile.sms !== "none",
      sim: spec.profile ? undefined : { present: false },
      eid: spec.eid,
      unsupported: spec.modem.unsupported,
      unansweredReleaseShowsNoCarrier: spec.modem.noCarrierOnUnanswered,
      clccShowsConnectedNumber: spec.modem.clccShowsConnectedNumber,
      trace: (dir, bytes) => (dir === "tx" ? tx(bytes) : rx(bytes)),
    });
    this.activation.pair(modemLpa(modem, port));
    const [dte, dce] = memorySerialPair();
    modem.connect(dce);
    modem.powerOn();
    const acc: WorldAccessory = { spec, num, port, modem, agent: undefined as unknown as AccessoryAgent, atLines, sentLines, events: [] };
    this.accessories[spec.name] = acc;
    this.unbuilt.push({ acc, dte });
  }

  /** Starts the broker and its backend, and records what it carries. */
  private async startBroker(): Promise<void> {
    const b = await startServedBroker(this.net, { kind: "embedded", port: 0, host: "127.0.0.1" });
    if (!b || !b.embedded) throw new Error("given: the embedded broker did not start");
    this.broker = b;
    b.embedded.aedes.on("publish", (packet) => {
      if (packet.topic.indexOf("sl/v1/") !== 0) return;
      this.brokerLog.push({ t: this.clock.now(), topic: packet.topic, payload: packet.payload.toString() });
    });
  }

  /** Builds each accessory's firmware, with its link's credential when there is a broker. */
  private buildAgents(): void {
    for (const { acc, dte } of this.unbuilt.splice(0)) {
      const cred = this.broker ? this.broker.backend.credential(acc.num.msisdn, acc.port.id) : undefined;
      const link = cred ? { url: this.broker!.url, msisdn: acc.num.msisdn, deviceId: cred.username, password: cred.password } : undefined;
      acc.agent = this.factory(acc.spec.board, dte, this.clock, link, { smsRouting: acc.spec.smsRouting });
      acc.agent.onEvent((name, payload) => acc.events.push({ t: this.clock.now(), name, payload }));
    }
  }

  /** The broker's topic of an accessory ("state", "ack", ...), once the backend knows it. */
  deviceTopic(name: string, leaf: string): string | undefined {
    const a = this.accessories[name];
    const cred = this.broker ? this.broker.backend.all().filter((d) => d.msisdn === a.num.msisdn && d.slot === a.port.id)[0] : undefined;
    return cred ? "sl/v1/" + a.num.msisdn.replace(/^\+/, "") + "/dev/" + cred.device + "/" + leaf : undefined;
  }

  /**
   * A count that moves whenever something happens on a real connection: AT lines in and
   * out of every modem (a socket's data arrives as a notice), messages on the broker.
   */
  private activity(): number {
    let n = this.brokerLog.length;
    for (const k of Object.keys(this.accessories)) n += this.accessories[k].atLines.length + this.accessories[k].sentLines.length;
    return n;
  }

  /**
   * With a broker, real TCP runs beside virtual time: before time moves on, wait (in real
   * time, virtual time standing still) until nothing has moved on any connection for a
   * few polls, so that what the broker delivers lands at the same virtual instant on
   * every run instead of whenever the host gets to it. No sleeps stand in for events:
   * the wait ends as soon as the traffic does.
   */
  private async quiesce(): Promise<void> {
    let last = this.activity();
    let still = 0;
    for (let i = 0; i < 500 && still < 3; i++) {
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      await this.clock.advance(0);
      const now = this.activity();
      if (now === last) still++;
      else {
        still = 0;
        last = now;
      }
    }
  }

  /** Moves virtual time on by `ms`; with a broker, in steps of `tickMs` that each wait for the traffic. */
  async advance(ms: number, tickMs = 50): Promise<void> {
    if (!this.broker) return this.clock.advance(ms);
    const end = this.clock.now() + ms;
    for (;;) {
      await this.quiesce();
      const left = end - this.clock.now();
      if (left <= 0) break;
      await this.clock.advance(Math.min(tickMs, left));
    }
  }

  /** Boots every accessory's firmware and waits (in virtual time) until each is up; then applies `given` settings and coverage. */
  async start(limitMs = 60000): Promise<void> {
    if (this.given.broker) await this.startBroker();
    this.buildAgents();
    const t0 = this.clock.now();
    // A brand-new accessory is up once its firmware says it has no profile (R7); the others once bring-up is done.
    const up = (a: WorldAccessory) =>
      a.spec.profile ? a.agent.ready() && (!a.spec.register || a.agent.registration() === "home") : !a.agent.activation || a.agent.activation() === "noProfile";
    for (;;) {
      const waiting = Object.keys(this.accessories).filter((n) => !up(this.accessories[n]));
      if (waiting.length === 0) break;
      if (this.clock.now() - t0 >= limitMs) {
        throw new Error("given: " + waiting.map((n) => n + " (" + this.accessories[n].spec.board + ", registration " + (this.accessories[n].agent.registration() || "unknown") + ")").join(", ") + " did not come up within " + limitMs + " ms");
      }
      await this.advance(100);
    }
    for (const spec of this.given.numbers) {
      if (spec.settings) this.numbers[spec.name].changeSettings(undefined, spec.settings as Partial<NumberSettings>, "R58");
      for (const d of spec.devices) if (d.coverage !== "full") this.accessories[d.name].port.setCoverage(d.coverage);
    }
    await this.advance(100);
  }

  async stop(): Promise<void> {
    const stops: Promise<void>[] = [];
    for (const n of Object.keys(this.accessories)) {
      const a = this.accessories[n];
      if (a.agent) stops.push(Promise.resolve(a.agent.stop()));
    }
    // Links say goodbye on the broker (bounded by the firmware's own virtual limit).
    if (this.broker) await this.advance(3000);
    await Promise.all(stops);
    for (const n of Object.keys(this.accessories)) this.accessories[n].modem.disconnect();
    if (this.broker) await stopServedBroker(this.broker);
  }

  mark(): Mark {
    const m: Mark = { t: this.clock.now(), logSeq: this.net.log.lastSeq, at: {}, sent: {}, events: {}, callLog: {}, broker: this.brokerLog.length };
    for (const n of Object.keys(this.accessories)) {
      const a = this.accessories[n];
      m.at[n] = a.atLines.length;
      m.sent[n] = a.sentLines.length;
      m.events[n] = a.events.length;
    }
    for (const n of Object.keys(this.phones)) {
      m.events[n] = this.phones[n].events.length;
      m.callLog[n] = this.phones[n].phone.callLog.length;
    }
    return m;
  }

  /** The number an action means by `to`: a number's MSISDN, a party's number, or the dial string itself. */
  resolve(to: string): string {
    if (this.numbers[to]) return this.numbers[to].msisdn;
    if (this.parties[to]) return this.parties[to].number;
    return to;
  }

  /** The scenario's name for a device id ("P", "A1") of the number `msisdn`. */
  deviceName(msisdn: string, id: string | undefined): string | undefined {
    if (id === undefined) return undefined;
    for (const n of Object.keys(this.phones)) if (this.phones[n].num.msisdn === msisdn && id === "P") return n;
    for (const n of Object.keys(this.accessories)) {
      const a = this.accessories[n];
      if (a.num.msisdn === msisdn && a.port.id === id) return n;
    }
    return id;
  }

  /** A log entry with device ids ("P", "A1", also in `detail`) replaced by the scenario's names. */
  namedEntry(e: LogEntry): LogEntry {
    const name = (v: unknown) => {
      if (typeof v !== "string") return v;
      if (/^(P|A[1-5])$/.test(v)) return this.deviceName(e.number, v);
      // A set of devices written as one string (an SMS's "P,A1,A2").
      if (/^(P|A[1-5])(,(P|A[1-5]))+$/.test(v)) return v.split(",").map((id) => this.deviceName(e.number, id) || id).join(",");
      // A line in words (busy(A1), alerting(P,A2) +emergency(A1)): its device ids too.
      if (/^(idle|alerting\(|busy\()/.test(v)) return v.replace(/\b(P|A[1-5])\b/g, (id) => this.deviceName(e.number, id) || id);
      return v;
    };
    const detail: LogEntry["detail"] = {};
    for (const k of Object.keys(e.detail)) {
      const v = e.detail[k];
      detail[k] = (Array.isArray(v) ? v.map(name) : name(v)) as LogEntry["detail"][string];
    }
    return { ...e, device: this.deviceName(e.number, e.device), detail };
  }

  /** R6 in the scenario's names: idle, alerting(phone,watch), busy(car), with +emergency(watch). */
  lineText(numberName: string): string {
    const num = this.numbers[numberName];
    const s = num.line.state;
    const name = (id: string) => this.deviceName(num.msisdn, id) || id;
    const m = s.mode;
    const base = m.kind === "idle" ? "idle" : m.kind === "alerting" ? "alerting(" + m.devices.map(name).join(",") + ")" : "busy(" + name(m.owner) + ")";
    return s.emergency.length > 0 ? base + " +emergency(" + s.emergency.map(name).join(",") + ")" : base;
  }
}
