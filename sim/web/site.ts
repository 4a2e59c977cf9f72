/**
 * The web pages of a served number, mounted in front of the JSON control interface
 * (http-control.ts): the management site (`/`, `/manage`, SPEC R14), the live view
 * (`/live`, its server-sent events at `/live/events`) and their assets. It also guards
 * the JSON interface against other pages in the user's browser: a state-changing
 * request that a browser sends must be same-origin and carry the session's CSRF token
 * (session.ts); programs such as curl, which send no Origin, Sec-Fetch-Site or cookie,
 * are not affected.
 *
 * Sign-in uses simulated credentials: every number's network PIN is `pin` (default
 * 0000). A number the network hosts with One Number gets the site; any other number is
 * a customer without the contract and gets the error page (R14, R17).
 */
import { readFileSync } from "node:fs";
import type http from "node:http";
import { ManageError, normalizeNumber } from "../network/index.js";
import type { NumberServer } from "../serve/number-server.js";
import { Html, html } from "./html.js";
import { Lang, fromAcceptLanguage, t } from "./i18n.js";
import { page } from "./layout.js";
import { livePage } from "./live-page.js";
import { SmsTracker } from "./live-state.js";
import { LiveStreams } from "./live-stream.js";
import { confirmPage, listPage, noContractPage, signInPage, siteRows, termsPage } from "./manage-pages.js";
import { MAX_PIN_FAILURES, Session, Sessions, checkHost, checkSameOrigin, checkToken, fromBrowser } from "./session.js";

export interface WebSiteOptions {
  /** The simulated network PIN of every number (4 digits; default 0000). */
  pin?: string;
  /** The outside party the live view's controls start with. */
  party?: string;
}

export interface WebSite {
  /** Answers a request of the web pages (true), refuses a forbidden one (true), or leaves it to the JSON interface (false). */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Ends the live streams. */
  close(): void;
}

const MAX_FORM = 16 * 1024;

/** The simulated network PIN of every number, unless `WebSiteOptions.pin` says otherwise. */
export const DEFAULT_PIN = "0000";

const ASSETS: { [name: string]: { type: string; file: string } } = {
  "site.css": { type: "text/css; charset=utf-8", file: "site.css" },
  "live.js": { type: "text/javascript; charset=utf-8", file: "live.js" },
  "favicon.svg": { type: "image/svg+xml", file: "favicon.svg" },
};

/** What every page answer carries: no caching, no framing, only our own scripts and styles. */
const PAGE_HEADERS = {
  "cache-control": "no-store",
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  return new Promise<URLSearchParams>((resolve, reject) => {
    const type = (req.headers["content-type"] || "").split(";")[0].trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      reject(new Refused(415, "expected a form (application/x-www-form-urlencoded), got " + JSON.stringify(type)));
      req.resume();
      return;
    }
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      text += chunk;
      if (text.length > MAX_FORM) {
        reject(new Refused(413, "form too large"));
        req.destroy();
      }
    });
    req.on("end", () => resolve(new URLSearchParams(text)));
    req.on("error", reject);
  });
}

function sendHtml(res: http.ServerResponse, status: number, body: Html): void {
  const text = body.text;
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...PAGE_HEADERS });
  res.end(text);
}

function redirect(res: http.ServerResponse, to: string): void {
  res.writeHead(303, { location: to, "cache-control": "no-store", "content-length": "0" });
  res.end();
}

function refuseJson(res: http.ServerResponse, status: number, message: string): void {
  const text = JSON.stringify({ error: message }, null, 2) + "\n";
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

const STATE_CHANGING = (m: string | undefined) => m !== "GET" && m !== "HEAD";

/** The accessory named in `/manage/devices/<id>/unregister`, decoded. */
function deviceIn(path: string): string | undefined {
  const m = /^\/manage\/devices\/([^/]+)\/unregister$/.exec(path);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    throw new Refused(400, "bad %-escape in the path");
  }
}

export function createWebSite(server: NumberServer, o: WebSiteOptions = {}): WebSite {
  const pin = o.pin || DEFAULT_PIN;
  if (!/^[0-9]{4}$/.test(pin)) throw new Error("the network PIN must be 4 digits");
  const sessions = new Sessions();
  const sms = new SmsTracker(server.num);
  for (const e of server.net.log.entries) sms.take(e);
  const stopSms = server.net.log.on((e) => sms.take(e));
  const streams = new LiveStreams(server, sms);
  const assets: { [name: string]: Buffer } = {};
  for (const name of Object.keys(ASSETS)) assets[name] = readFileSync(new URL("./assets/" + ASSETS[name].file, import.meta.url));

  const langOf = (req: http.IncomingMessage, s: Session, q: URLSearchParams): Lang => {
    const asked = q.get("lang");
    if (asked === "ja" || asked === "en") s.lang = asked;
    return s.lang || fromAcceptLanguage(req.headers["accept-language"]) || "ja";
  };

  /** Same origin and the session's token, for a form of ours. */
  const checkForm = (req: http.IncomingMessage, s: Session | undefined, form: URLSearchParams): void => {
    const why = checkSameOrigin(req) || checkToken(s, form.get("csrf") || undefined);
    if (why) throw new Refused(403, why);
  };

  /** A form of the management site: sign in or out, the Multi-device option, unregistering (R15, R2). */
  const managePost = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, q: URLSearchParams): Promise<void> => {
    const s = sessions.find(req);
    const form = await readForm(req);
    checkForm(req, s, form);
    const session = s as Session;
    const lang = langOf(req, session, q);
    if (path === "/signin") return signIn(res, session, lang, form);
    if (path === "/signout") {
      sessions.drop(session, res);
      return redirect(res, "/");
    }
    if (!session.msisdn) return redirect(res, "/");
    const msisdn = session.msisdn;
    try {
      if (path === "/manage/terms") {
        // The websheet of TS.43 SubscriptionResult 1: P's app asks again and gets its profile.
        const version = Number(form.get("version"));
        try {
          server.activation.service.acceptTerms(msisdn, version);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          throw new Refused(409, e.message);
        }
        session.flash = { kind: "ok", text: t(lang, "termsAccepted") };
      } else if (path === "/manage/multi-device") {
        const on = form.get("on") === "1";
        server.site.setMultiDevice(msisdn, on);
        session.flash = { kind: "ok", text: t(lang, on ? "optionOn" : "optionOff") };
      } else {
        const which = deviceIn(path);
        if (which === undefined) throw new Refused(404, "no such page");
        const row = server.site.unregister(msisdn, which);
        session.flash = { kind: "ok", text: t(lang, "unregistered") + ": " + row.friendlyName };
      }
      await server.settle();
    } catch (e) {
      if (!ManageError.is(e)) throw e;
      if (e.code === "no-contract" || e.code === "unknown-number") return sendHtml(res, 403, noContractPage(lang, session, msisdn));
      session.flash = { kind: "error", text: e.code === "too-many" ? t(lang, "tooMany") : e.code === "unknown-device" ? t(lang, "unknownDevice") : e.message };
    }
    redirect(res, "/manage");
  };

  /** A page of the management site: sign-in, the list (R14), a confirmation, or the error page (R14, R17). */
  const manageGet = (req: http.IncomingMessage, res: http.ServerResponse, path: string, q: URLSearchParams): void => {
    const s = sessions.get(req, res);
    const lang = langOf(req, s, q);
    if (path === "/") return s.msisdn ? redirect(res, "/manage") : sendHtml(res, 200, signInPage(lang, s, { pin }));
    if (!s.msisdn) return redirect(res, "/");
    const msisdn = s.msisdn;
    let multi: boolean;
    try {
      multi = server.site.multiDevice(msisdn);
    } catch (e) {
      if (ManageError.is(e)) return sendHtml(res, 403, noContractPage(lang, s, msisdn));
      throw e;
    }
    const all = server.activation.registrations(msisdn);
    const devices = multi ? siteRows(all) : undefined;
    const terms = server.activation.service.termsPending(msisdn);
    if (path === "/manage") return sendHtml(res, 200, listPage(lang, s, msisdn, devices, multi, all.filter((r) => r.pending !== ""), terms !== undefined));
    if (path === "/manage/terms") return sendHtml(res, 200, termsPage(lang, s, terms));
    const which = deviceIn(path);
    const row = which !== undefined && devices ? devices.find((d) => d.device === which) : undefined;
    if (!row) {
      s.flash = { kind: "error", text: t(lang, "unknownDevice") };
      return redirect(res, "/manage");
    }
    sendHtml(res, 200, confirmPage(lang, s, row));
  };

  const manage = (req: http.IncomingMessage, res: http.ServerResponse, path: string, q: URLSearchParams): Promise<void> | void =>
    STATE_CHANGING(req.method) ? managePost(req, res, path, q) : manageGet(req, res, path, q);

  const signIn = (res: http.ServerResponse, s: Session, lang: Lang, form: URLSearchParams): void => {
    const typed = (form.get("number") || "").replace(/[\s-]/g, "");
    const msisdn = normalizeNumber(typed);
    const again = (status: number, error: string) => sendHtml(res, status, signInPage(lang, s, { error, number: typed, pin }));
    if (s.pinFailures >= MAX_PIN_FAILURES) return again(429, t(lang, "locked"));
    if (!/^\+[1-9][0-9]{7,14}$/.test(msisdn)) return again(400, t(lang, "badNumber"));
    if (form.get("pin") !== pin) {
      s.pinFailures++;
      return again(401, t(lang, "badPin"));
    }
    const fresh = sessions.create(res, { lang: s.lang }, s);
    fresh.msisdn = msisdn;
    redirect(res, "/manage");
  };

  const live = (req: http.IncomingMessage, res: http.ServerResponse, q: URLSearchParams): void => {
    const s = sessions.get(req, res);
    const lang = langOf(req, s, q);
    sendHtml(res, 200, livePage(lang, s, { virtual: server.virtual !== undefined, party: o.party || "+818011112222" }));
  };

  const asset = (res: http.ServerResponse, name: string): void => {
    const a = ASSETS[name];
    if (!a) throw new Refused(404, "no such asset");
    res.writeHead(200, { "content-type": a.type, "content-length": String(assets[name].length), "cache-control": "no-cache", "x-content-type-options": "nosniff" });
    res.end(assets[name]);
  };

  /** The page for this request, or undefined to leave it to the JSON interface. */
  const pageFor = (req: http.IncomingMessage, path: string, q: URLSearchParams): ((res: http.ServerResponse) => Promise<void> | void) | undefined => {
    const method = req.method || "GET";
    const wantsHtml = /\btext\/html\b/.test(req.headers.accept || "");
    if (path === "/" && method === "GET" && !wantsHtml) return undefined;
    if (path === "/" || path === "/signin" || path === "/signout" || path === "/manage" || path.startsWith("/manage/")) return (res) => manage(req, res, path, q);
    const ours = path === "/live" || path.startsWith("/live/") || path.startsWith("/assets/") || path === "/favicon.ico";
    if (!ours) return undefined;
    if (method !== "GET") return () => {
      req.resume();
      throw new Refused(405, method + " is not allowed on " + path);
    };
    if (path === "/live") return (res) => live(req, res, q);
    if (path === "/live/events") return (res) => streams.open(req, res);
    if (path === "/favicon.ico") return (res) => asset(res, "favicon.svg");
    if (path.startsWith("/assets/")) return (res) => asset(res, path.slice("/assets/".length));
    return () => {
      throw new Refused(404, "no such page");
    };
  };

  const fail = (req: http.IncomingMessage, res: http.ServerResponse, e: unknown): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const status = e instanceof Refused ? e.status : 500;
    const message = e instanceof Error ? e.message : String(e);
    const s = sessions.find(req);
    const lang = (s && s.lang) || fromAcceptLanguage(req.headers["accept-language"]) || "ja";
    const body = html`<section class="card error-page"><h1>${status}</h1><p class="error">${status === 403 && /token|session/.test(message) ? t(lang, "expired") : ""}</p><p class="muted">${status === 500 ? "internal error: " + message : message}</p><p><a href="/">${t(lang, "siteName")}</a></p></section>`;
    const frame = s || { id: "", csrf: "", pinFailures: 0, seen: 0 };
    sendHtml(res, status, page({ lang, session: frame, title: String(status), path: "/", current: "manage", body }));
  };

  return {
    handle(req, res) {
      const url = new URL(req.url || "/", "http://site");
      const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
      const hostProblem = checkHost(req);
      const answer = pageFor(req, path, url.searchParams);
      if (answer) {
        if (hostProblem) fail(req, res, new Refused(403, hostProblem));
        else {
          new Promise<void>((resolve) => resolve(answer(res))).catch((e) => fail(req, res, e));
        }
        return true;
      }
      // The JSON interface: a browser may drive it only from our own pages.
      if (fromBrowser(req) && (hostProblem || STATE_CHANGING(req.method))) {
        const why = hostProblem || checkSameOrigin(req) || checkToken(sessions.find(req), (req.headers["x-csrf-token"] as string | undefined) || undefined);
        if (why) {
          req.resume();
          refuseJson(res, 403, why);
          return true;
        }
      }
      // What the JSON interface does may change what the live view shows (time moved, say).
      res.on("finish", () => streams.poke());
      return false;
    },
    close() {
      stopSms();
      streams.close();
    },
  };
}
