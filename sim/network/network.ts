/**
 * The simulated shared-number network (SPEC.md §13): any number of shared numbers
 * (R94), each with its smartphone, accessories and line; the outside parties that call
 * and text them; call routing between all of these; one event log (R97).
 *
 * Determinism (R95): every request is handled completely, in the order it arrives; what
 * the network tells devices is queued on the injected clock with no delay, so on a
 * `VirtualClock` two events of the same instant reach the devices in the order the
 * network decided them, and races (R23, R40) go to whoever the network heard first.
 */
import type { Clock } from "../../hal/types.js";
import { Call, Cli } from "./call.js";
import { CAUSE } from "./causes.js";
import { AccessoryInfo, NetworkError, checkAccessoryInfo } from "./device.js";
import { NumberEnd } from "./incoming.js";
import { NetworkLog } from "./log.js";
import { DEFAULT_SETTINGS, EntitlementAnswer, NumberSettings, SharedNumber } from "./number.js";
import { OutsideParty, PartyOptions } from "./outside.js";
import { NetworkParams, checkNoReplyMs, networkParams } from "./params.js";
import type { EmergencyNumbers } from "../modem/network.js";
import { Phone, PhoneOptions } from "./phone.js";
import { AccessoryPort } from "./port.js";
import { serviceNumberEnd, voicemailEnd } from "./services.js";
import type { ReportSink } from "./sms.js";
import { encodeDeliverParts } from "../pdu/concat.js";
import { SmsSubmit, encodeDeliver, joinAtPdu } from "../pdu/tpdu.js";
import type { Alphabet } from "../pdu/userdata.js";

/** A forwarding chain longer than this ends the call (#63). */
const MAX_DIVERSIONS = 5;

export interface SharedNetworkOptions {
  clock: Clock;
  params?: Partial<NetworkParams>;
  /** The service centre address in delivered PDUs. */
  smsc?: string;
}

export interface NumberOptions {
  /** The One Number contract (default true); without it no accessory can register (R2). */
  oneNumber?: boolean;
  /** The Multi-device option (default: the network's `multiDevice` parameter). */
  multiDevice?: boolean;
  settings?: Partial<NumberSettings>;
  phone?: PhoneOptions;
}

/** GSMA TS.43 ManageSubscription (R8, R15): subscribe an accessory, or unsubscribe it. */
export type ManageSubscriptionRequest = { operationType: 0; info: AccessoryInfo } | { operationType: 1; imei: string };

/**
 * International form of a dialled number: `+` numbers as they are, Japanese national
 * numbers (`0` + 9–10 digits) with +81, the `010` international prefix as `+`; short
 * codes and anything else unchanged.
 */
export function normalizeNumber(n: string): string {
  if (/^010[1-9][0-9]{6,}$/.test(n)) return "+" + n.slice(3);
  if (/^0[1-9][0-9]{8,9}$/.test(n)) return "+81" + n.slice(1);
  return n;
}

export class SharedNetwork {
  readonly clock: Clock;
  readonly params: NetworkParams;
  readonly log: NetworkLog;
  readonly smsc: string;
  private readonly numbers = new Map<string, SharedNumber>();
  private readonly parties = new Map<string, OutsideParty>();
  private readonly ports = new Map<string, AccessoryPort>();
  private seq = 0;
  private addresses = 0;

  constructor(opts: SharedNetworkOptions) {
    this.clock = opts.clock;
    this.params = networkParams(opts.params);
    this.log = new NetworkLog(() => this.clock.now(), this.params.logCapacity);
    this.smsc = opts.smsc || "+819000000000";
  }

  /** A fresh address for a PDN connection (10.128.0.0/9, unique in this network: each device's data is its own, R83). */
  dataAddress(): string {
    const n = ++this.addresses;
    return "10." + (128 + ((n >> 16) & 127)) + "." + ((n >> 8) & 255) + "." + (n & 255);
  }

  /** A fresh id: `k` calls, `n` device legs, `s` SMS deliveries, `m` messages. */
  nextId(prefix: string): string {
    return prefix + ++this.seq;
  }

  /** Runs `fn` on the next clock turn (after everything queued before it). */
  post(fn: () => void): void {
    this.clock.setTimeout(fn, 0);
  }

  // ---- numbers ----

  /** R94: hosts a new shared number (`+` and 8–15 digits) with its smartphone. */
  createNumber(msisdn: string, opts: NumberOptions = {}): SharedNumber {
    const n = normalizeNumber(msisdn);
    if (!/^\+[1-9][0-9]{7,14}$/.test(n)) throw NetworkError("not an MSISDN: " + JSON.stringify(msisdn) + " (want + and 8-15 digits)", { code: "bad-number" });
    if (this.numbers.has(n)) throw NetworkError(n + " is already hosted", { code: "exists" });
    const settings: NumberSettings = { ...DEFAULT_SETTINGS, noReplyMs: this.params.noReplyMs, ...(opts.settings || {}) };
    checkNoReplyMs(settings.noReplyMs);
    const num = new SharedNumber(this, n, {
      oneNumber: opts.oneNumber !== false,
      multiDevice: opts.oneNumber !== false && (opts.multiDevice === undefined ? this.params.multiDevice : opts.multiDevice),
      settings,
    });
    num.phone = new Phone(num, opts.phone);
    this.numbers.set(n, num);
    num.log("number-created", { detail: { oneNumber: num.oneNumber, multiDevice: num.multiDevice } });
    return num;
  }

  /** The hosted number; throws `NetworkError` (code `unknown-number`) otherwise. */
  number(msisdn: string): SharedNumber {
    const num = this.numbers.get(normalizeNumber(msisdn));
    if (!num) throw NetworkError("no shared number " + msisdn + " on this network", { code: "unknown-number" });
    return num;
  }

  hosts(msisdn: string): boolean {
    return this.numbers.has(normalizeNumber(msisdn));
  }

  get numberCount(): number {
    return this.numbers.size;
  }

  allNumbers(): IterableIterator<SharedNumber> {
    return this.numbers.values();
  }

  // ---- accessories ----

  /**
   * The radio port of an accessory of `msisdn` (one per IMEI), for a `SimModem` to be
   * built on. Unless `register` is false the accessory is also registered (R11; the
   * activation of R8 is taken as done), and `port.entitlement` holds the answer (R12).
   */
  portFor(msisdn: string, info: AccessoryInfo, opts: { register?: boolean } = {}): AccessoryPort {
    checkAccessoryInfo(info);
    const num = this.number(msisdn);
    let port = this.ports.get(info.imei);
    if (port && port.num !== num) throw NetworkError("IMEI " + info.imei + " belongs to " + port.num.msisdn, { code: "imei-taken" });
    if (!port) {
      port = new AccessoryPort(num, info);
      this.ports.set(info.imei, port);
    }
    if (opts.register !== false && port.enrollment === "none") port.entitlement = num.register(port);
    return port;
  }

  /** R8/R12/R13/R15: the entitlement server's ManageSubscription for companion devices. */
  manageSubscription(msisdn: string, req: ManageSubscriptionRequest): EntitlementAnswer {
    if (req.operationType === 0) {
      const port = this.portFor(msisdn, req.info, { register: false });
      port.entitlement = port.num.register(port);
      return port.entitlement;
    }
    const num = this.number(msisdn);
    const port = this.ports.get(req.imei);
    if (port && port.num === num && port.enrollment === "none" && num.dropReservation(req.imei)) {
      num.log("unregister", { rule: "R15", detail: { imei: req.imei, via: "manage-subscription", pending: true } });
      return { operationResult: 1, subscriptionResult: 6, message: "Subscription withdrawn before the profile was used" };
    }
    if (!port || port.num !== num || port.enrollment !== "registered") {
      return { operationResult: 102, subscriptionResult: 5, message: "No registered accessory with IMEI " + req.imei + " on " + num.msisdn };
    }
    num.unregister(port, "manage-subscription");
    return { operationResult: 1, subscriptionResult: 6, message: "Unregistered " + port.id, device: port.id };
  }

  /** Every accessory port of `msisdn` the network knows (registered or not), in the order they were made. */
  portsOf(msisdn: string): AccessoryPort[] {
    const num = this.number(msisdn);
    return Array.from(this.ports.values()).filter((p) => p.num === num);
  }

  /** The port of the accessory with this IMEI, if one was made. */
  portByImei(imei: string): AccessoryPort | undefined {
    return this.ports.get(imei);
  }

  // ---- outside parties ----

  /** The outside party with this number (made on first use; emergency agencies answer at once). */
  outside(number: string, opts?: PartyOptions): OutsideParty {
    const n = normalizeNumber(number);
    if (this.numbers.has(n)) throw NetworkError(n + " is a shared number on this network, not an outside party", { code: "hosted" });
    let p = this.parties.get(n);
    if (!p) {
      const partyDefault = this.params.partyAnswerMs === null ? {} : { autoAnswerMs: this.params.partyAnswerMs };
      p = new OutsideParty(this, n, opts || (this.isEmergencyNumber(n) ? { autoAnswerMs: 0 } : partyDefault));
      this.parties.set(n, p);
    } else if (opts && opts.autoAnswerMs !== undefined) p.autoAnswerMs = opts.autoAnswerMs;
    return p;
  }

  /**
   * R53/R93: the network changes its emergency number list (a new list from the core, a
   * roaming partner's): it decides from now on, and every attached accessory's modem gets
   * it (+CEN1/+CEN2 where reporting is on). Checked like the parameter.
   */
  setEmergencyNumbers(list: EmergencyNumbers): void {
    networkParams({ ...this.params, emergencyNumbers: list });
    this.params.emergencyNumbers = list;
    const text = list.numbers.map((n) => n.number).join(",");
    this.numbers.forEach((num) => num.log("emergency", { rule: "R53", detail: { list: text } }));
    this.ports.forEach((port) => port.emergencyNumbersChanged());
  }

  /** R53: the network's emergency number list decides. */
  isEmergencyNumber(n: string): boolean {
    for (const e of this.params.emergencyNumbers.numbers) if (e.number === n) return true;
    return false;
  }

  // ---- routing ----

  /** A call in set-up (its caller's end `a` is set by the caller). */
  newCall(cli: Cli, dialled: string): Call {
    return new Call(this.nextId("k"), cli, dialled, false);
  }

  /** Attaches the called end for `target`: a service number of `origin`, a shared number, or an outside party. */
  connect(call: Call, target: string, origin: SharedNumber | undefined): void {
    const n = normalizeNumber(target);
    if (origin) {
      const svc = serviceNumberEnd(origin, call, n);
      if (svc) return svc.start();
    }
    const num = this.numbers.get(n);
    if (num) {
      const end = new NumberEnd(num, call);
      call.b = end;
      return end.start();
    }
    this.outside(n).incoming(call);
  }

  /** R28/R29/R33/R59: the called number gives the call to voicemail or a forwarding number. */
  divert(call: Call, target: string, from: SharedNumber, reason: string): void {
    const old = call.b;
    call.divert(reason);
    if (call.hops > MAX_DIVERSIONS) {
      from.log("released", { call: call.id, cause: CAUSE.serviceUnavailable, detail: { reason: "forwarding loop" } });
      call.release(old, { cause: CAUSE.serviceUnavailable, text: "Forwarding loop" });
      return;
    }
    if (target === "voicemail") voicemailEnd(from, call).start();
    else this.connect(call, target, undefined);
  }

  /** R62: a device's SMS-SUBMIT, sent with the number `from` as originator. */
  routeSubmit(from: string, s: SmsSubmit, report: ReportSink | undefined): void {
    const to = normalizeNumber(s.to.number);
    const ud = s.userData;
    const num = this.numbers.get(to);
    if (!num) {
      this.outside(to).receiveSms(from, ud.text, ud.concat);
      if (report) this.clock.setTimeout(() => report(0), this.params.statusReportDelayMs);
      return;
    }
    const now = this.clock.now();
    const tpdu = encodeDeliver({ from, text: ud.text, alphabet: ud.alphabet, msgClass: s.msgClass, scts: { time: now, tzQuarters: 36 }, concat: ud.concat });
    num.sms.receive({
      id: this.nextId("m"),
      from,
      pdu: joinAtPdu(this.smsc, tpdu),
      receivedAt: now,
      concatKey: ud.concat ? from + "|" + ud.concat.ref + "|" + ud.concat.total : undefined,
      report,
    });
  }

  /** A text from `from` (an outside party, the voicemail system) to `to`, split into parts when long. */
  deliverText(from: string, to: string, text: string, opts: { alphabet?: Alphabet; ref?: number; report?: ReportSink; msgClass?: number; partGapMs?: number } = {}): void {
    const dest = normalizeNumber(to);
    const num = this.numbers.get(dest);
    if (!num) {
      this.outside(dest).receiveSms(from, text, undefined);
      const report = opts.report;
      if (report) this.clock.setTimeout(() => report(0), this.params.statusReportDelayMs);
      return;
    }
    const now = this.clock.now();
    const ref = opts.ref === undefined ? this.seq & 0xff : opts.ref;
    const parts = encodeDeliverParts({ from, text, alphabet: opts.alphabet, msgClass: opts.msgClass, scts: { time: now, tzQuarters: 36 } }, ref);
    const gap = opts.partGapMs || 0;
    parts.forEach((tpdu, i) => {
      const receive = () =>
        num.sms.receive({
          id: this.nextId("m"),
          from,
          pdu: joinAtPdu(this.smsc, tpdu),
          receivedAt: this.clock.now(),
          concatKey: parts.length > 1 ? from + "|" + ref + "|" + parts.length : undefined,
          report: opts.report,
        });
      // Parts of one message may reach the SMSC apart in time (R73: the set of devices stays that of the first part).
      if (i === 0 || gap === 0) receive();
      else this.clock.setTimeout(receive, i * gap);
    });
  }
}
