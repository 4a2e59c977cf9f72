/**
 * What the live view shows, as one JSON snapshot of a served number: every device with
 * a state a person reads at a glance, the calls on the line with their parties, the SMS
 * in flight and where each went, the priority device (R68), the line (R6) and the last
 * lines of the network's event log (R97). The page re-renders from each snapshot, so a
 * missed event can never leave it showing a stale state.
 */
import { formatEntry } from "../network/index.js";
import type { LogEntry, SharedNumber } from "../network/index.js";
import type { Call } from "../network/call.js";
import type { Device, Leg } from "../network/device.js";
import { decodeDeliver, splitAtPdu } from "../pdu/tpdu.js";
import type { NumberServer } from "../serve/number-server.js";
import { lineView } from "../serve/views.js";

/** The states of SPEC's live view, in the order they win when several apply. */
export type DeviceState = "emergency" | "in-call" | "ringing" | "unregistered" | "off" | "out-of-coverage" | "idle";

export interface DeviceSnapshot {
  id: string;
  kind: "phone" | "accessory";
  name: string;
  model: string;
  imei: string;
  imeiLast4: string;
  state: DeviceState;
  /** What qualifies the state: "on hold", "call waiting", "limited service (emergency only)", "unregistering after the call". */
  detail: string[];
  coverage: string;
  smsPriority: boolean;
  sms: string;
}

export interface CallSnapshot {
  id: string;
  direction: "in" | "out";
  from: string;
  to: string;
  state: string;
  emergency: boolean;
  /** How each device of the number sees the call. */
  legs: { device: string; state: string }[];
}

export type DeliveryStatus = "sending" | "delivered" | "stored" | "retrying" | "failed" | "expired" | "submitted";

export interface SmsSnapshot {
  id: string;
  /** To the number (delivered to its devices), or sent by one of its devices. */
  direction: "in" | "out";
  from: string;
  to: string;
  text: string | null;
  at: number;
  rule: string;
  deliveries: { device: string; status: DeliveryStatus }[];
}

export interface LiveSnapshot {
  number: string;
  oneNumber: boolean;
  multiDevice: boolean;
  line: string;
  lineOwner: string | null;
  priority: string;
  time: { mode: "virtual" | "real"; now: number; iso: string };
  devices: DeviceSnapshot[];
  calls: CallSnapshot[];
  sms: SmsSnapshot[];
  log: { seq: number; kind: string; text: string }[];
  lastSeq: number;
}

const LOG_LINES = 14;
const SMS_KEPT = 8;

function liveLegs(d: Device): Leg[] {
  return d.legs.filter((l) => l.state !== "released");
}

export function deviceState(d: Device): { state: DeviceState; detail: string[] } {
  const legs = liveLegs(d);
  const detail: string[] = [];
  if (legs.some((l) => l.state === "held")) detail.push("on hold");
  if (legs.some((l) => l.state === "waiting")) detail.push("call waiting");
  if (legs.some((l) => l.state === "dialing" || l.state === "alerting")) detail.push("dialling");
  if (d.enrollment === "unregistering") detail.push("unregistering after the call");
  if (d.coverage === "limited") detail.push("limited service (emergency only)");
  let state: DeviceState;
  if (legs.some((l) => l.emergency)) state = "emergency";
  else if (legs.some((l) => l.state !== "incoming" && l.state !== "waiting")) state = "in-call";
  else if (legs.some((l) => l.state === "incoming")) state = "ringing";
  else if (d.kind === "accessory" && d.enrollment === "none") state = "unregistered";
  else if (!d.attached) state = "off";
  else if (d.coverage !== "full") state = "out-of-coverage";
  else state = "idle";
  return { state, detail };
}

function deviceSnapshot(num: SharedNumber, d: Device, id: string): DeviceSnapshot {
  const s = deviceState(d);
  return {
    id,
    kind: d.kind,
    name: d.kind === "phone" ? "Smartphone" : d.friendlyName,
    model: d.model,
    imei: d.imei,
    imeiLast4: d.imei.slice(-4),
    state: s.state,
    detail: s.detail,
    coverage: d.coverage,
    smsPriority: d.enrollment === "registered" && num.priority === d.id,
    sms: d.sms,
  };
}

function callSnapshot(num: SharedNumber, call: Call, legs: Leg[]): CallSnapshot {
  const mt = legs.some((l) => l.mt);
  const caller = legs.find((l) => !l.mt);
  return {
    id: call.id,
    direction: mt ? "in" : "out",
    from: mt ? (call.cli.withheld ? "withheld" : call.cli.number) : caller ? caller.device.id : num.msisdn,
    to: mt ? num.msisdn : call.dialled,
    state: call.state,
    emergency: call.emergency,
    legs: legs.map((l) => ({ device: l.device.id, state: l.state })),
  };
}

/**
 * SMS to the number followed through the event log (sms-delivered, -acked, -stored,
 * -failed, -expired: SPEC §8), with the text read from the PDU while the network still
 * holds the message; and SMS its devices send (sms-submitted, R62), with the text as
 * an outside recipient got it.
 */
export class SmsTracker {
  private readonly items: SmsSnapshot[] = [];

  constructor(private readonly num: SharedNumber) {}

  private find(id: unknown): SmsSnapshot | undefined {
    return typeof id === "string" ? this.items.find((m) => m.id === id) : undefined;
  }

  private set(m: SmsSnapshot, device: string, status: DeliveryStatus): void {
    const d = m.deliveries.find((x) => x.device === device);
    if (d) d.status = status;
    else m.deliveries.push({ device, status });
  }

  /** Takes one log entry of the number. */
  take(e: LogEntry): void {
    if (e.number !== this.num.msisdn) return;
    const msg = e.detail.msg;
    if (e.kind === "sms-delivered" && e.device === undefined && typeof msg === "string") {
      const devices = String(e.detail.devices || "").split(",").filter((x) => x !== "");
      const m = this.add(e, msg, String(e.detail.from || ""), devices);
      // The network stores the copies right after it logs the decision: read the text then.
      queueMicrotask(() => this.readText(m, devices));
      return;
    }
    if (e.kind === "sms-rejected" && typeof msg === "string") {
      this.add(e, msg, String(e.detail.from || ""), []);
      return;
    }
    if (e.kind === "sms-submitted" && e.device !== undefined) {
      const to = String(e.detail.to || "");
      const m = this.add(e, "o" + e.seq, e.device, []);
      m.direction = "out";
      m.to = to;
      m.deliveries.push({ device: to, status: "submitted" });
      // The network routes the message right after it logs the submission.
      queueMicrotask(() => this.readSentText(m, to, e.detail.part));
      return;
    }
    const m = this.find(msg);
    if (!m || e.device === undefined) return;
    if (e.kind === "sms-delivered") this.set(m, e.device, "sending");
    else if (e.kind === "sms-acked") this.set(m, e.device, "delivered");
    else if (e.kind === "sms-stored") this.set(m, e.device, "stored");
    else if (e.kind === "sms-failed") this.set(m, e.device, e.detail.retry === true ? "retrying" : "failed");
    else if (e.kind === "sms-expired") this.set(m, e.device, "expired");
  }

  private add(e: LogEntry, id: string, from: string, devices: string[]): SmsSnapshot {
    const m: SmsSnapshot = { id, direction: "in", from, to: this.num.msisdn, text: null, at: e.t, rule: e.rule || "", deliveries: devices.map((device) => ({ device, status: "sending" as const })) };
    this.items.unshift(m);
    this.items.splice(SMS_KEPT);
    return m;
  }

  /** The text an outside recipient got (a single-part message; a part of a long one has only its part). */
  private readSentText(m: SmsSnapshot, to: string, part: unknown): void {
    const net = this.num.net;
    if (net.hosts(to) || part !== undefined) return;
    const got = net.outside(to).messages();
    const last = got[got.length - 1];
    if (last && last.peer === this.num.msisdn) {
      m.text = last.text;
      m.deliveries[0].status = "delivered";
    }
  }

  private readText(m: SmsSnapshot, devices: string[]): void {
    for (const id of devices) {
      const part = this.num.sms.pendingFor(id).find((p) => p.id === m.id);
      if (!part) continue;
      try {
        m.text = decodeDeliver(splitAtPdu(part.pdu).tpdu).userData.text;
      } catch {
        m.text = null;
      }
      return;
    }
  }

  list(): SmsSnapshot[] {
    return this.items.map((m) => ({ ...m, deliveries: m.deliveries.map((d) => ({ ...d })) }));
  }
}

/** The last LOG_LINES entries of the number (or of the network as a whole), oldest first, read from the end. */
function lastLines(entries: readonly LogEntry[], msisdn: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = entries.length - 1; i >= 0 && out.length < LOG_LINES; i--) {
    if (entries[i].number === msisdn || entries[i].number === "") out.push(entries[i]);
  }
  return out.reverse();
}

/** The snapshot of the served number now. */
export function liveSnapshot(server: NumberServer, sms: SmsTracker, t0: number): LiveSnapshot {
  const num = server.num;
  const enrolled = num.devices();
  const devices = enrolled.map((d) => deviceSnapshot(num, d, d.id));
  // Accessories the number knows that are not (or no longer) on it: unregistered, or activating (R8 step 5).
  const known = server.activation.registrations(num.msisdn);
  server.net.portsOf(num.msisdn).forEach((p, i) => {
    if (enrolled.indexOf(p) >= 0) return;
    const d = deviceSnapshot(num, p, p.id || "#" + (i + 1));
    const r = known.find((k) => k.imei === p.imei);
    if (r && r.state === "activating") d.detail.push("activating");
    devices.push(d);
  });
  const byCall = new Map<Call, Leg[]>();
  for (const d of enrolled) {
    for (const l of liveLegs(d)) {
      const list = byCall.get(l.call) || [];
      list.push(l);
      byCall.set(l.call, list);
    }
  }
  const calls: CallSnapshot[] = [];
  byCall.forEach((legs, call) => {
    if (!call.released || legs.length > 0) calls.push(callSnapshot(num, call, legs));
  });
  const log = server.net.log;
  const now = server.clock.now();
  return {
    number: num.msisdn,
    ...lineView(num),
    priority: num.priority,
    time: { mode: server.virtual ? "virtual" : "real", now, iso: new Date(now).toISOString() },
    devices,
    calls,
    sms: sms.list(),
    log: lastLines(log.entries, num.msisdn).map((e) => ({ seq: e.seq, kind: e.kind, text: formatEntry(e, t0).replace(/ \+[0-9]{8,15} /, " ") })),
    lastSeq: log.lastSeq,
  };
}
