/**
 * Plain JSON views of the simulated network's objects for the control interface: the
 * network's own objects hold cycles (a call knows its ends, each end its call) and
 * private state, so each view copies exactly what a client may rely on.
 */
import { describeLine } from "../network/index.js";
import type { LogEntry, OutsideParty, PartyCall, Phone, SharedNumber } from "../network/index.js";
import type { Device } from "../network/device.js";
import type { ServedAccessory } from "./number-server.js";

export interface DeviceView {
  id: string;
  kind: "phone" | "accessory";
  imei: string;
  friendlyName: string;
  model: string;
  sms: string;
  callWaiting: boolean;
  enrollment: string;
  attached: boolean;
  coverage: string;
  reachable: boolean;
  calls: { id: string; call: string; state: string; direction: "in" | "out"; emergency: boolean }[];
}

export function deviceView(d: Device): DeviceView {
  return {
    id: d.id,
    kind: d.kind,
    imei: d.imei,
    friendlyName: d.friendlyName,
    model: d.model,
    sms: d.sms,
    callWaiting: d.callWaitingCapable,
    enrollment: d.enrollment,
    attached: d.attached,
    coverage: d.coverage,
    reachable: d.reachable,
    calls: d.legs.map((l) => ({ id: l.id, call: l.call.id, state: l.state, direction: l.mt ? ("in" as const) : ("out" as const), emergency: l.emergency })),
  };
}

/** A number's contract and line as every view shows them (the HTTP API, the live page). */
export function lineView(num: SharedNumber) {
  return {
    oneNumber: num.oneNumber,
    multiDevice: num.multiDevice,
    /** R6 in words: idle, alerting(P,A1), busy(A2), with +emergency(..). */
    line: describeLine(num.line.state),
    lineOwner: num.line.owner === undefined ? null : num.line.owner,
  };
}

export function numberView(num: SharedNumber) {
  return {
    msisdn: num.msisdn,
    ...lineView(num),
    emergency: num.line.state.emergency.slice(),
    smsPriority: num.priority,
    settings: num.settings,
    voicemailMessages: num.mailbox.length,
    devices: num.devices().map(deviceView),
  };
}

/** The phone's lists that grow with use, by the names GET /phone/<list> takes. */
export function phoneLists(p: Phone): { [name: string]: unknown[] } {
  return { callLog: p.callLog, inbox: p.inbox(), statusReports: p.statusReports, ussd: p.ussdResults };
}

/**
 * The phone, with the newest `limit` entries of each growing list (oldest first) and the
 * totals, so the answer stays small however long the simulator runs; GET /phone/<list>
 * pages through a whole list. Calls are live state and always complete.
 */
export function phoneView(p: Phone, limit = Infinity) {
  const lists = phoneLists(p);
  const newest = (l: unknown[]) => (l.length > limit ? l.slice(l.length - limit) : l.slice()).map((e) => (typeof e === "object" && e !== null ? { ...e } : e));
  return {
    imei: p.imei,
    poweredOn: p.attached,
    coverage: p.coverage,
    doNotDisturb: p.doNotDisturb,
    calls: p.calls.map((c) => ({ ...c })),
    live: p.live().map((c) => c.id),
    callLog: newest(lists.callLog),
    inbox: newest(lists.inbox),
    statusReports: newest(lists.statusReports),
    ussd: newest(lists.ussd),
    totals: { callLog: lists.callLog.length, inbox: lists.inbox.length, statusReports: lists.statusReports.length, ussd: lists.ussd.length },
  };
}

export function partyCallView(c: PartyCall) {
  const v: { [k: string]: unknown } = { id: c.id, dir: c.dir, peer: c.peer, withheld: c.withheld, state: c.state, dtmf: c.dtmf };
  if (c.cause !== undefined) v.cause = c.cause;
  if (c.causeText !== undefined) v.causeText = c.causeText;
  if (c.location) v.location = c.location;
  if (c.emergencyService) v.emergencyService = c.emergencyService;
  if (c.divertedBy) v.divertedBy = c.divertedBy;
  if (c.answeredBy) v.answeredBy = c.answeredBy;
  return v;
}

export function partyView(p: OutsideParty) {
  return {
    number: p.number,
    busy: p.busy,
    autoAnswerMs: p.autoAnswerMs === undefined ? null : p.autoAnswerMs,
    calls: p.calls.map(partyCallView),
    messages: p.messages(),
    statusReports: p.statusReports.slice(),
  };
}

export function accessoryView(a: ServedAccessory) {
  return {
    index: a.index,
    device: a.device,
    friendlyName: a.friendlyName,
    imei: a.imei,
    board: a.profile.board,
    sms: a.profile.sms,
    callWaiting: a.profile.callWaiting,
    where: a.where,
    enrollment: a.port.enrollment,
    attached: a.port.attached,
    coverage: a.port.coverage,
  };
}

export function logView(e: LogEntry): LogEntry {
  return { ...e, detail: { ...e.detail } };
}
