/**
 * What the network does with service codes and service numbers (SPEC.md §7, §10):
 *
 * - SMS priority codes (R69–R71): `*103*0#` only from P, `*103*1#` only from the
 *   accessory that is to become the priority device, neither from an `sms=relay|none`
 *   device; `*#103#` reports the state. Answers start with the state token `103*7*0#`
 *   or `103*7*1#`, then name the device (R80); a refusal is `NG: <reason>` (R81).
 * - 22.030 procedures for forwarding and call waiting (R58): any registered device
 *   changes the number's settings, for every device.
 * - By USSD the answer is one `+CUSD: 0,"<text>",<dcs>`; an unknown code `+CUSD: 4`.
 *   By dialing (R79–R80) the network answers the call, applies the code, and releases
 *   with #16 after a short announcement; the announcement's text rides in the release
 *   (+CEER shows it), so an AT-only client still learns the state token.
 * - docomo's voicemail service numbers (R61, [S5]): 1411 start, 1410 stop, 1417 listen,
 *   1419 set the ring time (DTMF seconds then `#`, 0–120).
 */
import { appendBounded } from "./bounded.js";
import type { TimerHandle } from "../../hal/types.js";
import type { Call, CallEnd } from "./call.js";
import { CAUSE, NORMAL, Release, notAvailable } from "./causes.js";
import type { UssdResult } from "../modem/network.js";
import type { ServiceCode, SsService } from "./codes.js";
import type { Device, Leg } from "./device.js";
import type { Forwarding, SharedNumber } from "./number.js";
import { isGsm7 } from "../pdu/gsm7.js";

/** R61: one voicemail message. */
export interface VoiceMessage {
  /** The caller as presented ("" withheld). */
  from: string;
  at: number;
  durationMs: number;
  heard: boolean;
}

/** The longest voicemail message; the box hangs up after it. */
export const VOICEMAIL_MAX_MS = 180000;
/** How long 1419 waits for the ring time digits. */
const DTMF_WAIT_MS = 30000;

export interface CodeOutcome {
  /** 27.007 §7.15 `<m>`: 0 done, 4 not supported. */
  status: number;
  text?: string;
}

/** R80: the state token, then the device that has priority, seen from `asking`. */
export function priorityText(num: SharedNumber, asking: Device): string {
  if (num.priority === "P") return "103*7*0# smartphone";
  if (num.priority === asking.id) return "103*7*1# this accessory";
  const d = num.device(num.priority);
  return "103*7*1# another accessory: " + (d ? d.friendlyName : num.priority);
}

function applyPriority(num: SharedNumber, device: Device, op: "phone" | "accessory" | "query"): CodeOutcome {
  // R71: a relay or no-SMS device never receives SMS from the network, so it cannot be the priority device.
  if (device.sms !== "native") return { status: 0, text: "NG: this device does not receive SMS from the network (sms=" + device.sms + ")" };
  if (op === "phone") {
    if (device.kind !== "phone") return { status: 0, text: "NG: *103*0# must be sent from the smartphone" };
    num.setPriority("P", device, "R69");
  } else if (op === "accessory") {
    if (device.kind !== "accessory") return { status: 0, text: "NG: *103*1# must be sent from the accessory that is to receive" };
    num.setPriority(device.id, device, num.priority !== "P" && num.priority !== device.id ? "R70" : "R69");
  }
  return { status: 0, text: priorityText(num, device) };
}

const FORWARD_KEYS: { [s in SsService]?: (keyof Forwarding)[] } = {
  cfu: ["unconditional"],
  cfb: ["busy"],
  cfnry: ["noReply"],
  cfnrc: ["notReachable"],
  cfall: ["unconditional", "busy", "noReply", "notReachable"],
};

const FORWARD_NAMES: { [k in keyof Forwarding]: string } = { unconditional: "unconditional", busy: "busy", noReply: "no reply", notReachable: "not reachable" };

function applySs(num: SharedNumber, device: Device, code: Extract<ServiceCode, { kind: "ss" }>): CodeOutcome {
  if (code.service === "cw") {
    if (code.proc !== "interrogate") num.changeSettings(device, { callWaiting: code.proc === "activate" || code.proc === "register" }, "R58");
    return { status: 0, text: "call waiting: " + (num.settings.callWaiting ? "on" : "off") };
  }
  const keys = FORWARD_KEYS[code.service] || [];
  const fwd: Forwarding = { ...num.settings.forwarding };
  if (code.proc === "register" || code.proc === "activate") {
    for (const k of keys) {
      const target = code.number || num.forwardingRegistered[k];
      if (!target) return { status: 0, text: "NG: no forwarding number registered for " + FORWARD_NAMES[k] };
      fwd[k] = target;
      num.forwardingRegistered[k] = target;
    }
  } else if (code.proc === "deactivate" || code.proc === "erase") {
    for (const k of keys) {
      delete fwd[k];
      if (code.proc === "erase") delete num.forwardingRegistered[k];
    }
  }
  if (code.proc !== "interrogate") {
    const change: { forwarding: Forwarding; noReplyMs?: number } = { forwarding: fwd };
    if (code.seconds !== undefined) change.noReplyMs = code.seconds * 1000;
    num.changeSettings(device, change, "R58");
  }
  const f = num.settings.forwarding;
  return { status: 0, text: keys.map((k) => "forwarding " + FORWARD_NAMES[k] + ": " + (f[k] ? f[k] : "off")).join("; ") };
}

/** Applies a code for `device` and says what the answer is. */
export function applyCode(num: SharedNumber, device: Device, code: ServiceCode): CodeOutcome {
  let out: CodeOutcome;
  if (code.kind === "priority") out = applyPriority(num, device, code.op);
  else if (code.kind === "ss") out = applySs(num, device, code);
  // A string the network has no service for: +CUSD: 4, or the configured answer (27.007 §7.15 <m> 0).
  else out = num.net.params.ussdAnswer === null ? { status: 4 } : { status: 0, text: num.net.params.ussdAnswer };
  num.log("service-code", {
    device: device.id,
    rule: code.kind === "priority" ? (out.text && out.text.indexOf("NG:") === 0 ? "R81" : "R80") : code.kind === "ss" ? "R58" : "R81",
    detail: { code: code.text, status: out.status, answer: out.text },
  });
  return out;
}

/**
 * R80/R81: a USSD string from a device; the answer comes back as one +CUSD. Also returned
 * (undefined when the network stays silent), for a console that says what it was.
 */
export function handleUssd(num: SharedNumber, device: Device, text: string, code: ServiceCode): UssdResult | undefined {
  if (num.faults.ussdSilent) {
    num.log("ussd", { device: device.id, rule: "R81", detail: { text, answered: false } });
    return undefined;
  }
  if (num.faults.ussdUnsupported) {
    num.log("ussd", { device: device.id, rule: "R79", detail: { text, supported: false } });
    device.deliverUssd({ status: 4 });
    return { status: 4 };
  }
  const out = applyCode(num, device, code);
  const r: UssdResult = out.text === undefined ? { status: out.status } : { status: out.status, text: out.text, dcs: isGsm7(out.text) ? 15 : 72 };
  device.deliverUssd(r);
  return r;
}

/** A called end the network itself plays: it answers, may take DTMF, and releases after a while or when the caller hangs up. */
export class ServiceEnd implements CallEnd {
  private timer: TimerHandle | undefined = undefined;
  /** When the network answered (a voicemail message's length counts from here). */
  answeredAt = 0;

  constructor(
    readonly num: SharedNumber,
    readonly call: Call,
    readonly label: string,
    private readonly opts: { releaseAfterMs?: number; releaseText?: string; onDtmf?: (tones: string, end: ServiceEnd) => void; onReleased?: (end: ServiceEnd) => void },
  ) {}

  start(): void {
    this.call.b = this;
    this.answeredAt = this.num.net.clock.now();
    this.call.answered(this);
    if (this.opts.releaseAfterMs !== undefined) this.releaseIn(this.opts.releaseAfterMs, this.opts.releaseText);
  }

  releaseIn(ms: number, text?: string): void {
    if (this.timer !== undefined) this.num.net.clock.clearTimeout(this.timer);
    this.timer = this.num.net.clock.setTimeout(() => this.finish(text), ms);
  }

  finish(text?: string): void {
    if (this.timer !== undefined) this.num.net.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.call.released) return;
    const r: Release = text === undefined ? NORMAL : { cause: CAUSE.normal, text };
    this.call.release(this, r);
    if (this.opts.onReleased) this.opts.onReleased(this);
  }

  peerAlerting(): void {}

  peerAnswered(): void {}

  peerReleased(): void {
    if (this.timer !== undefined) this.num.net.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.opts.onReleased) this.opts.onReleased(this);
  }

  peerDtmf(_call: Call, tones: string): void {
    if (this.opts.onDtmf) this.opts.onDtmf(tones, this);
  }
}

/** R80: a service code dialed as a call: answered, applied, released with #16 after the announcement. */
export function dialServiceCode(num: SharedNumber, device: Device, leg: Leg, code: ServiceCode): void {
  if (code.kind === "unknown") {
    const r = notAvailable("Unknown service code");
    leg.state = "released";
    device.deliverCallState(leg, "released", r);
    num.log("refused", { device: device.id, call: leg.call.id, cause: r.cause, rule: "R81", detail: { to: code.text } });
    return;
  }
  const out = applyCode(num, device, code);
  leg.service = true;
  device.legs.push(leg);
  new ServiceEnd(num, leg.call, "service code", { releaseAfterMs: num.net.params.announcementMs, releaseText: out.text }).start();
}

/** R61: the number's voicemail box takes a diverted call; the message and a notification SMS follow the caller's hang-up. */
export function voicemailEnd(num: SharedNumber, call: Call): ServiceEnd {
  let stored = false;
  return new ServiceEnd(num, call, "voicemail", {
    releaseAfterMs: VOICEMAIL_MAX_MS,
    onReleased: (end) => {
      if (stored) return;
      stored = true;
      const msg: VoiceMessage = { from: call.cli.number, at: end.answeredAt, durationMs: num.net.clock.now() - end.answeredAt, heard: false };
      appendBounded(num.mailbox, msg, num.net.params.historyKept);
      num.log("voicemail", { call: call.id, rule: "R61", detail: { stored: true, from: msg.from || "withheld", durationMs: msg.durationMs } });
      const waiting = num.mailbox.filter((m) => !m.heard).length;
      num.net.deliverText("1417", num.msisdn, "Voicemail: " + waiting + " new message(s). Call 1417 to listen.");
    },
  });
}

/** R61: docomo's voicemail service numbers, called from a device of `num`; undefined for any other number. */
export function serviceNumberEnd(num: SharedNumber, call: Call, number: string): ServiceEnd | undefined {
  const announce = (text: string) => new ServiceEnd(num, call, "voicemail service", { releaseAfterMs: num.net.params.announcementMs, releaseText: text });
  const device = call.a.label;
  if (number === "1411" || number === "1410") {
    num.changeSettings(num.device(device), { voicemail: number === "1411" }, "R61");
    return announce("voicemail: " + (number === "1411" ? "on" : "off"));
  }
  if (number === "1417") {
    const unheard = num.mailbox.filter((m) => !m.heard).length;
    for (const m of num.mailbox) m.heard = true;
    num.log("voicemail", { call: call.id, device, rule: "R61", detail: { played: num.mailbox.length, unheard } });
    return new ServiceEnd(num, call, "voicemail box", {});
  }
  if (number === "1419") {
    let digits = "";
    return new ServiceEnd(num, call, "voicemail ring time", {
      releaseAfterMs: DTMF_WAIT_MS,
      onDtmf: (tones, end) => {
        digits += tones;
        const hash = digits.indexOf("#");
        if (hash < 0) return;
        const sec = Number(digits.slice(0, hash));
        if (digits.slice(0, hash) === "" || !(sec >= 0 && sec <= 120) || Math.floor(sec) !== sec) {
          end.releaseIn(num.net.params.announcementMs, "NG: ring time must be 0-120 s");
          return;
        }
        num.changeSettings(num.device(device), { noReplyMs: sec * 1000 }, "R28");
        end.releaseIn(num.net.params.announcementMs, "ring time: " + sec + " s");
      },
    });
  }
  return undefined;
}
