/**
 * The endpoints of the control interface (docs/sim-control.md): the served number and
 * its devices, the smartphone P, outside parties, the management site (R14, R15, R2),
 * coverage, time and the network's event log (R97). Each handler validates its body
 * with `Fields` (400 naming the field) and names what it could not find (404).
 */
import type { Coverage, LogKind, OutsideParty, Phone } from "../network/index.js";
import type { Device } from "../network/device.js";
import { ControlError, Fields, InputError } from "./fields.js";
import type { NumberServer, ServedBroker } from "./number-server.js";
import type { AccessoryPort } from "../network/port.js";
import type { FleetDevice } from "../broker/backend.js";
import { deviceTopic, lineTopic } from "../broker/acl.js";
import { mosquittoAcl } from "../broker/mosquitto.js";
import { ACTIVATION_ROUTES } from "./activation-routes.js";
import { accessoryView, deviceView, logView, numberView, partyView, phoneLists, phoneView } from "./views.js";

export interface RouteContext {
  server: NumberServer;
  /** The path's `:name` parts, decoded, in order. */
  params: string[];
  query: URLSearchParams;
  /** The parsed JSON body (undefined for a GET or DELETE without one). */
  body: unknown;
}

export interface RouteResult {
  status?: number;
  body: unknown;
}

export interface Route {
  method: "GET" | "POST" | "DELETE";
  path: string;
  summary: string;
  /** The body's fields, for the index (`GET /`). */
  fields?: string;
  regex: RegExp;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

const DIAL = { pattern: /^[0-9+*#]{1,40}$/, form: "a dial string of digits, +, * and #" };
const NUMBER = { pattern: /^\+?[0-9]{2,15}$/, form: "a phone number (optional +, 2-15 digits)" };
const COVERAGE: Coverage[] = ["full", "limited", "none"];

function fields(ctx: RouteContext): Fields {
  return Fields.of(ctx.body === undefined ? {} : ctx.body, "body");
}

/** A request without a body (or an empty object). */
function noBody(ctx: RouteContext): void {
  if (ctx.body !== undefined) fields(ctx).done();
}

/** Reads the query; unknown parameters are a 400. */
/** Page sizes: big enough for a script's usual poll, small enough that one answer stays small. */
const LOG_PAGE = 1000;
const LOG_PAGE_MAX = 10000;
const PHONE_PAGE = 100;
const PHONE_PAGE_MAX = 1000;

function pageLimit(given: string | undefined, def: number, max: number): number {
  if (given === undefined) return def;
  const n = Number(given);
  if (!(n >= 1 && n <= max) || Math.floor(n) !== n) throw InputError("query.limit: expected a count from 1 to " + max + ", got " + JSON.stringify(given), { path: "query.limit" });
  return n;
}

function query(ctx: RouteContext, known: string[]): { [k: string]: string | undefined } {
  const out: { [k: string]: string | undefined } = {};
  for (const k of Array.from(ctx.query.keys())) {
    if (known.indexOf(k) < 0) throw InputError("query." + k + ": unknown parameter (known: " + (known.join(", ") || "none") + ")", { path: "query." + k });
  }
  for (const k of known) out[k] = ctx.query.get(k) === null ? undefined : (ctx.query.get(k) as string);
  return out;
}

function phoneCall(phone: Phone, f: Fields): string | undefined {
  const id = f.optStr("call", { pattern: /^[a-z][0-9]+$/, form: "a call id such as n3" });
  if (id !== undefined && !phone.calls.some((c) => c.id === id)) throw ControlError("the phone has no call " + id, { status: 404 });
  return id;
}

function party(ctx: RouteContext): OutsideParty {
  const n = ctx.params[0];
  if (!NUMBER.pattern.test(n)) throw InputError("path: " + JSON.stringify(n) + " is not " + NUMBER.form, { path: "path" });
  return ctx.server.net.outside(n);
}

function partyCall(p: OutsideParty, f: Fields): string | undefined {
  const id = f.optStr("call", { pattern: /^k[0-9]+$/, form: "a call id such as k3" });
  if (id !== undefined && !p.calls.some((c) => c.id === id)) throw ControlError(p.number + " has no call " + id, { status: 404 });
  return id;
}

/** A device of the served number by id (P, A1..A5), "phone", or IMEI. */
function device(ctx: RouteContext, which: string): Device {
  const num = ctx.server.num;
  if (which === "phone" || which === "P") return num.phone;
  const byId = /^A[1-5]$/.test(which) ? num.device(which) : undefined;
  if (byId) return byId;
  if (/^[0-9]{15}$/.test(which)) {
    if (which === num.phone.imei) return num.phone;
    const port = ctx.server.net.portByImei(which);
    if (port && port.num === num) return port;
  }
  throw ControlError("no device " + JSON.stringify(which) + " on " + num.msisdn + " (use P, A1..A5 or an IMEI)", { status: 404 });
}

/** An accessory's port (the network side of its modem). */
function accessoryPort(ctx: RouteContext): AccessoryPort {
  const d = device(ctx, ctx.params[0]);
  const port = d.kind === "accessory" ? ctx.server.net.portByImei(d.imei) : undefined;
  if (!port) throw ControlError("the smartphone's data is not simulated: name an accessory (A1..A5)", { status: 404 });
  return port;
}

function servedBroker(ctx: RouteContext): ServedBroker {
  if (!ctx.server.broker) throw ControlError("this server runs without a broker (--no-broker)", { status: 409 });
  return ctx.server.broker;
}

function credentialView(d: FleetDevice): { [k: string]: unknown } {
  return {
    slot: d.slot,
    device: d.device,
    username: d.username,
    password: d.password,
    clientId: d.device,
    msisdn: d.msisdn,
    topics: {
      line: lineTopic(d.msisdn),
      status: deviceTopic(d.msisdn, d.device, "status"),
      state: deviceTopic(d.msisdn, d.device, "state"),
      desired: deviceTopic(d.msisdn, d.device, "desired"),
      cmd: deviceTopic(d.msisdn, d.device, "cmd"),
      ack: deviceTopic(d.msisdn, d.device, "ack"),
    },
  };
}

function route(method: Route["method"], path: string, summary: string, fieldsDoc: string | undefined, handler: Route["handler"]): Route {
  const regex = new RegExp("^" + path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[a-z]+/g, "([^/]+)") + "$");
  return { method, path, summary, fields: fieldsDoc, regex, handler };
}

const ok = (body: unknown = { ok: true }): RouteResult => ({ body });

export const ROUTES: Route[] = [
  route("GET", "/", "this index", undefined, (ctx) =>
    ok({
      number: ctx.server.num.msisdn,
      time: ctx.server.virtual ? "virtual" : "real",
      accessories: ctx.server.accessories.map(accessoryView),
      endpoints: ROUTES.map((r) => r.method + " " + r.path + (r.fields ? " " + r.fields : "") + ": " + r.summary),
    }),
  ),
  route("GET", "/numbers", "the numbers this network hosts", undefined, (ctx) => ok(Array.from(ctx.server.net.allNumbers()).map(numberView))),
  route("GET", "/numbers/:msisdn", "one number: line (R6), settings, devices and their calls", undefined, (ctx) => {
    if (!ctx.server.net.hosts(ctx.params[0])) throw ControlError("no shared number " + ctx.params[0] + " on this network", { status: 404 });
    return ok(numberView(ctx.server.net.number(ctx.params[0])));
  }),
  route("GET", "/accessories", "the served accessories: device id, IMEI, where their modem is", undefined, (ctx) => ok(ctx.server.accessories.map(accessoryView))),
  route("POST", "/settings", "change the number's settings (R58)", "{callWaiting?, voicemail?, noReplyMs?, presentation?, forwarding?}", (ctx) => {
    const f = fields(ctx);
    const change: { [k: string]: unknown } = {};
    const cw = f.optBool("callWaiting");
    if (cw !== undefined) change.callWaiting = cw;
    const vm = f.optBool("voicemail");
    if (vm !== undefined) change.voicemail = vm;
    const nr = f.optNum("noReplyMs", { min: 0, max: 120000, integer: true, what: "R28 no-reply time" });
    if (nr !== undefined) change.noReplyMs = nr;
    const pr = f.optStr("presentation", { allowed: ["allowed", "restricted"] });
    if (pr !== undefined) change.presentation = pr;
    const fw = f.optObj("forwarding");
    if (fw) {
      const out: { [k: string]: string } = {};
      for (const k of ["unconditional", "busy", "noReply", "notReachable"]) {
        const v = fw.optStr(k, { pattern: /^(voicemail|\+?[0-9]{2,15})$/, form: "a number or voicemail" });
        if (v !== undefined) out[k] = v;
      }
      fw.done();
      change.forwarding = out;
    }
    f.done();
    ctx.server.num.changeSettings(undefined, change, "R58");
    return ok({ settings: ctx.server.num.settings });
  }),

  // ---- the smartphone P ----
  route("GET", "/phone", "the smartphone: calls, and the newest entries of its call log, inbox, status reports and USSD answers", "?limit=<n, default " + PHONE_PAGE + ">", (ctx) => {
    const q = query(ctx, ["limit"]);
    return ok(phoneView(ctx.server.num.phone, pageLimit(q.limit, PHONE_PAGE, PHONE_PAGE_MAX)));
  }),
  route("GET", "/phone/lists/:list", "one of the phone's lists (callLog, inbox, statusReports, ussd), oldest first, one page at a time", "?offset=<n>&limit=<n>", (ctx) => {
    const q = query(ctx, ["offset", "limit"]);
    const lists = phoneLists(ctx.server.num.phone);
    const name = ctx.params[0];
    if (!Object.prototype.hasOwnProperty.call(lists, name)) throw ControlError("the phone has no list " + JSON.stringify(name) + " (lists: " + Object.keys(lists).join(", ") + ")", { status: 404 });
    const list = lists[name];
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (!(offset >= 0) || Math.floor(offset) !== offset) throw InputError("query.offset: expected a count >= 0, got " + JSON.stringify(q.offset), { path: "query.offset" });
    const limit = pageLimit(q.limit, PHONE_PAGE, PHONE_PAGE_MAX);
    const items = list.slice(offset, offset + limit);
    return ok({ total: list.length, offset, items, next: offset + items.length < list.length ? offset + items.length : null });
  }),
  route("POST", "/phone/answer", "answer the incoming or waiting call (R22)", "{call?}", (ctx) => {
    const f = fields(ctx);
    const id = phoneCall(ctx.server.num.phone, f);
    f.done();
    ctx.server.num.phone.answer(id);
    return ok();
  }),
  route("POST", "/phone/decline", "decline the incoming call for every device (R26)", "{call?}", (ctx) => {
    const f = fields(ctx);
    const id = phoneCall(ctx.server.num.phone, f);
    f.done();
    ctx.server.num.phone.decline(id);
    return ok();
  }),
  route("POST", "/phone/hangup", "hang up a call (the active one by default)", "{call?}", (ctx) => {
    const f = fields(ctx);
    const id = phoneCall(ctx.server.num.phone, f);
    f.done();
    ctx.server.num.phone.hangup(id);
    return ok();
  }),
  route("POST", "/phone/hold", "hold or retrieve a call (R41)", "{call, held}", (ctx) => {
    const f = fields(ctx);
    const id = phoneCall(ctx.server.num.phone, f);
    const held = f.bool("held");
    f.done();
    if (id === undefined) throw f.fail("call", "required (the call to hold or retrieve)");
    ctx.server.num.phone.hold(id, held);
    return ok();
  }),
  route("POST", "/phone/dial", "dial a number, an emergency number or a service code (R38, R46, R80)", "{number, withhold?}", (ctx) => {
    const f = fields(ctx);
    const number = f.str("number", { ...DIAL, what: "the number to dial" });
    const withhold = f.optBool("withhold");
    f.done();
    return { status: 201, body: { call: ctx.server.num.phone.dial(number, { withhold }) } };
  }),
  route("POST", "/phone/dtmf", "send DTMF on the active call", "{tones, call?}", (ctx) => {
    const f = fields(ctx);
    const tones = f.str("tones", { pattern: /^[0-9*#A-D]{1,32}$/, form: "1-32 DTMF tones (0-9 * # A-D)" });
    const id = phoneCall(ctx.server.num.phone, f);
    f.done();
    ctx.server.num.phone.sendDtmf(tones, id);
    return ok();
  }),
  route("POST", "/phone/sms", "send an SMS from the number (R62)", "{to, text, statusReport?}", (ctx) => {
    const f = fields(ctx);
    const to = f.str("to", NUMBER);
    const text = f.str("text", { pattern: /^[\s\S]{1,1600}$/, form: "1-1600 characters" });
    const statusReport = f.optBool("statusReport");
    f.done();
    return { status: 201, body: { parts: ctx.server.num.phone.sendSms(to, text, { statusReport }) } };
  }),
  route("POST", "/phone/code", "send a service code as USSD (R77-R81); the answer lands in GET /phone", "{code}", (ctx) => {
    const f = fields(ctx);
    const code = f.str("code", { pattern: /^[0-9*#+]{2,40}$/, form: "a service code such as *103*0#" });
    f.done();
    ctx.server.num.phone.serviceCode(code);
    return ok();
  }),
  route("POST", "/phone/power", "switch the smartphone off or on (R4)", "{on}", (ctx) => {
    const f = fields(ctx);
    const on = f.bool("on");
    f.done();
    if (on) ctx.server.num.phone.powerOn();
    else ctx.server.num.phone.powerOff();
    return ok();
  }),
  route("POST", "/phone/do-not-disturb", "the phone declines calls by itself, except in the R57 window", "{on}", (ctx) => {
    const f = fields(ctx);
    ctx.server.num.phone.doNotDisturb = f.bool("on");
    f.done();
    return ok();
  }),

  // ---- outside parties ----
  route("GET", "/outside/:party", "an outside party: its calls, received messages, status reports", undefined, (ctx) => {
    noBody(ctx);
    return ok(partyView(party(ctx)));
  }),
  route("POST", "/outside/:party/call", "call the number (or `to`) from this party (R19)", "{to?, withhold?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const to = f.optStr("to", DIAL) || ctx.server.num.msisdn;
    const withhold = f.optBool("withhold");
    f.done();
    return { status: 201, body: { call: p.call(to, { withhold }).id } };
  }),
  route("POST", "/outside/:party/answer", "answer a call ringing at this party", "{call?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const id = partyCall(p, f);
    f.done();
    p.answer(id);
    return ok();
  }),
  route("POST", "/outside/:party/reject", "refuse a call ringing at this party (cause 17 by default)", "{call?, cause?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const id = partyCall(p, f);
    const cause = f.optNum("cause", { min: 1, max: 127, integer: true, what: "a 24.008 cause" });
    f.done();
    p.reject(id, cause);
    return ok();
  }),
  route("POST", "/outside/:party/hangup", "hang up (or abandon before answer, R25) this party's call", "{call?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const id = partyCall(p, f);
    f.done();
    p.hangup(id);
    return ok();
  }),
  route("POST", "/outside/:party/dtmf", "send DTMF on this party's active call", "{tones, call?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const tones = f.str("tones", { pattern: /^[0-9*#A-D]{1,32}$/, form: "1-32 DTMF tones (0-9 * # A-D)" });
    const id = partyCall(p, f);
    f.done();
    p.sendDtmf(tones, id);
    return ok();
  }),
  route("POST", "/outside/:party/sms", "send an SMS to the number (or `to`) from this party (R67)", "{to?, text, statusReport?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const to = f.optStr("to", NUMBER) || ctx.server.num.msisdn;
    const text = f.str("text", { pattern: /^[\s\S]{1,1600}$/, form: "1-1600 characters" });
    const statusReport = f.optBool("statusReport");
    f.done();
    p.sendSms(to, text, { statusReport });
    return { status: 201, body: { ok: true } };
  }),
  route("POST", "/outside/:party/settings", "busy (refuse calls with 17) and auto-answer", "{busy?, autoAnswerMs?}", (ctx) => {
    const p = party(ctx);
    const f = fields(ctx);
    const busy = f.optBool("busy");
    if (busy !== undefined) p.busy = busy;
    if (f.has("autoAnswerMs") && f.raw("autoAnswerMs") === null) p.autoAnswerMs = undefined;
    else {
      const ms = f.optNum("autoAnswerMs", { min: 0, max: 600000, integer: true, what: "ms, or null for never" });
      if (ms !== undefined) p.autoAnswerMs = ms;
    }
    f.done();
    return ok(partyView(p));
  }),

  // ---- the management site (R14, R15, R2), coverage ----
  route("GET", "/devices", "the management site's device list (R14; needs Multi-device)", undefined, (ctx) => ok(ctx.server.site.list(ctx.server.num.msisdn))),
  route("DELETE", "/devices/:device", "unregister an accessory by device id, IMEI or its last 4 digits (R15, R16)", undefined, (ctx) => {
    noBody(ctx);
    return ok({ unregistered: ctx.server.site.unregister(ctx.server.num.msisdn, ctx.params[0]) });
  }),
  route("GET", "/devices/:device", "one device as the network sees it", undefined, (ctx) => ok(deviceView(device(ctx, ctx.params[0])))),
  route("POST", "/devices/:device/coverage", "coverage of P or an accessory: full, limited (R56) or none (R20)", "{state}", (ctx) => {
    const d = device(ctx, ctx.params[0]);
    const f = fields(ctx);
    const state = f.str("state", { allowed: COVERAGE }) as Coverage;
    f.done();
    const port = d.kind === "accessory" ? ctx.server.net.portByImei(d.imei) : undefined;
    if (port) port.setCoverage(state);
    else ctx.server.num.phone.setCoverage(state);
    return ok(deviceView(d));
  }),
  // ---- packet data (R83, R84, R15) ----
  route("GET", "/devices/:device/data", "an accessory's PDN connections as the network sees them (cid, address)", undefined, (ctx) => {
    const port = accessoryPort(ctx);
    return ok({ device: port.id, pdns: Array.from(port.pdns.entries()).map(([cid, address]) => ({ cid, address })) });
  }),
  route("POST", "/devices/:device/data/deactivate", "the network deactivates a PDN connection (or all): the modem shows +CGEV: NW PDN DEACT and its vendor's pdpdeact", "{cid?}", (ctx) => {
    const port = accessoryPort(ctx);
    const f = fields(ctx);
    const cid = f.optNum("cid", { min: 1, max: 15, integer: true, what: "the context id" });
    f.done();
    if (cid !== undefined && !port.pdns.has(cid)) throw ControlError(port.id + " has no PDN connection on context " + cid, { status: 409 });
    if (port.pdns.size === 0) throw ControlError(port.id + " has no PDN connection", { status: 409 });
    port.deactivateData(cid);
    return ok({ device: port.id, pdns: Array.from(port.pdns.entries()).map(([c, address]) => ({ cid: c, address })) });
  }),

  route("POST", "/devices/:device/data/fault", "data faults on an accessory's modem: lose the next n data notices, close a socket as the module would", "{loseNotices?, closeSocket?}", (ctx) => {
    const port = accessoryPort(ctx);
    const acc = ctx.server.accessories.filter((a) => a.port === port)[0];
    if (!acc) throw ControlError(port.id + " has no served modem", { status: 404 });
    const f = fields(ctx);
    const lose = f.optNum("loseNotices", { min: 0, max: 1000, integer: true, what: "how many data notices to lose" });
    const close = f.optNum("closeSocket", { min: 0, max: 11, integer: true, what: "the socket id" });
    f.done();
    if (lose !== undefined) acc.modem.dataFaults.loseNotices = lose;
    if (close !== undefined && !acc.modem.closeSocket(close)) throw ControlError(port.id + " has no open socket " + close, { status: 409 });
    return ok({ device: port.id, loseNotices: acc.modem.dataFaults.loseNotices });
  }),

  // ---- the companion link's broker (companion-link.md §4, §5) ----
  route("GET", "/broker", "the broker URL and each registered accessory's credential and topics (the provisioning a firmware gets)", undefined, (ctx) => {
    const b = servedBroker(ctx);
    return ok({ url: b.url, embedded: b.embedded !== undefined, devices: b.backend.all().filter((d) => d.msisdn === ctx.server.num.msisdn).map(credentialView) });
  }),
  route("GET", "/broker/credentials/:device", "one accessory's broker credential (device id A1..A5)", undefined, (ctx) => {
    const b = servedBroker(ctx);
    const c = b.backend.credential(ctx.server.num.msisdn, ctx.params[0]);
    if (!c) throw ControlError("no registered accessory " + JSON.stringify(ctx.params[0]) + " with a credential on " + ctx.server.num.msisdn, { status: 404 });
    return ok({ url: b.url, ...credentialView(c) });
  }),
  route("GET", "/broker/mosquitto", "the password file and ACL file for a mosquitto serving this fleet (per-device blocks, regenerate after each registration change)", undefined, (ctx) => {
    const b = servedBroker(ctx);
    return ok({ passwordFile: b.registry.passwordFile(), aclFile: mosquittoAcl(b.registry) });
  }),
  route("GET", "/multi-device", "whether the Multi-device option is on", undefined, (ctx) => ok({ on: ctx.server.site.multiDevice(ctx.server.num.msisdn) })),
  route("POST", "/multi-device", "the Multi-device option on or off (R2)", "{on}", (ctx) => {
    const f = fields(ctx);
    const on = f.bool("on");
    f.done();
    ctx.server.site.setMultiDevice(ctx.server.num.msisdn, on);
    return ok({ on });
  }),

  // ---- time and the log ----
  route("GET", "/time", "the network's clock: mode (virtual or real) and now", undefined, (ctx) => ok(timeView(ctx.server))),
  route("POST", "/time", "advance virtual time (only with --virtual-time)", "{advanceMs}", async (ctx) => {
    const f = fields(ctx);
    const ms = f.num("advanceMs", { min: 0, max: 30 * 24 * 3600 * 1000, integer: true, what: "virtual ms to let pass" });
    f.done();
    if (!ctx.server.virtual) throw ControlError("time is real on this server: start it with --virtual-time to advance it", { status: 409 });
    await ctx.server.virtual.advanceBy(ms);
    return ok(timeView(ctx.server));
  }),
  route(
    "GET",
    "/log",
    "the network's event log (R97), oldest first, one page at a time",
    "?since=<seq>&kind=<k,k>&device=<id>&call=<id>&limit=<n, default " + LOG_PAGE + ", at most " + LOG_PAGE_MAX + ">",
    (ctx) => {
      const q = query(ctx, ["since", "kind", "device", "call", "limit"]);
      const since = q.since === undefined ? 0 : Number(q.since);
      if (!(since >= 0) || Math.floor(since) !== since) throw InputError("query.since: expected a sequence number >= 0, got " + JSON.stringify(q.since), { path: "query.since" });
      const limit = pageLimit(q.limit, LOG_PAGE, LOG_PAGE_MAX);
      const kinds = q.kind === undefined ? undefined : (q.kind.split(",") as LogKind[]);
      const log = ctx.server.net.log;
      const page = log.page(since, limit, (e) => (!kinds || kinds.indexOf(e.kind) >= 0) && (q.device === undefined || e.device === q.device) && (q.call === undefined || e.call === q.call));
      return ok({ firstSeq: log.firstSeq, lastSeq: log.lastSeq, dropped: page.dropped, next: page.next === undefined ? null : page.next, entries: page.entries.map(logView) });
    },
  ),

  // ---- activation (R8, R12, R13, R15): sim/serve/activation-routes.ts ----
  ...ACTIVATION_ROUTES,
];

function timeView(server: NumberServer) {
  const now = server.clock.now();
  return { mode: server.virtual ? "virtual" : "real", now, iso: new Date(now).toISOString() };
}
