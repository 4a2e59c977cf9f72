/**
 * Sessions and the same-origin rules of the web pages (OWASP CSRF cheat sheet: a
 * synchronizer token tied to the session, checked with the request's Origin and the
 * browser's Fetch Metadata).
 *
 * - A session is a random id in an HttpOnly, SameSite=Strict cookie; it holds a random
 *   CSRF token, the number signed in (if any) and the language. Signing in issues a new
 *   id and a new token (no session fixation).
 * - A state-changing request (anything but GET/HEAD) from a browser must be same-origin
 *   by `Sec-Fetch-Site` and `Origin` when the browser sends them, and carry the session's
 *   token (form field `csrf` or header `x-csrf-token`). A page elsewhere in the user's
 *   browser can send a POST but can neither read the token nor pass these checks.
 * - The `Host` must be an IP literal or localhost: a DNS name that an attacker points at
 *   127.0.0.1 (DNS rebinding) would otherwise make their page same-origin with us.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type http from "node:http";
import { isIP } from "node:net";
import type { Lang } from "./i18n.js";

export const SESSION_COOKIE = "sl_session";
/** Sessions kept at most; the least recently seen goes first. */
const MAX_SESSIONS = 500;
/** A session unused this long is forgotten (real time: the network's clock may be virtual). */
const IDLE_MS = 8 * 3600 * 1000;
/** Wrong PINs before a session may no longer sign in. */
export const MAX_PIN_FAILURES = 5;

export interface Session {
  id: string;
  csrf: string;
  /** The number signed in to the management site. */
  msisdn?: string;
  lang?: Lang;
  /** A message for the next page (after a redirect). */
  flash?: { text: string; kind: "ok" | "error" };
  pinFailures: number;
  seen: number;
}

const token = () => randomBytes(24).toString("base64url");

export function parseCookies(header: string | undefined): { [k: string]: string } {
  const out: { [k: string]: string } = {};
  for (const part of (header || "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    if (!(k in out)) out[k] = part.slice(eq + 1).trim();
  }
  return out;
}

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The request's session, if its cookie names a live one. */
  find(req: http.IncomingMessage): Session | undefined {
    const id = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    if (this.now() - s.seen > IDLE_MS) {
      this.byId.delete(id);
      return undefined;
    }
    s.seen = this.now();
    // Map order is the eviction order: most recently seen last.
    this.byId.delete(id);
    this.byId.set(id, s);
    return s;
  }

  /** The request's session, or a new one whose cookie is set on `res`. */
  get(req: http.IncomingMessage, res: http.ServerResponse): Session {
    return this.find(req) || this.create(res, {});
  }

  /** A new session (replacing `old`, whose id stops working), its cookie set on `res`. */
  create(res: http.ServerResponse, keep: { lang?: Lang }, old?: Session): Session {
    if (old) this.byId.delete(old.id);
    while (this.byId.size >= MAX_SESSIONS) this.byId.delete(this.byId.keys().next().value as string);
    const s: Session = { id: token(), csrf: token(), lang: keep.lang, pinFailures: 0, seen: this.now() };
    this.byId.set(s.id, s);
    res.setHeader("set-cookie", SESSION_COOKIE + "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict");
    return s;
  }

  drop(s: Session, res: http.ServerResponse): void {
    this.byId.delete(s.id);
    res.setHeader("set-cookie", SESSION_COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  }
}

/** Why a request is refused (403), or undefined when it may go on. */
export type Refusal = string | undefined;

/** DNS rebinding: only hosts that cannot be re-pointed by someone else's DNS. */
export function checkHost(req: http.IncomingMessage): Refusal {
  const host = req.headers.host;
  if (!host) return "no Host header";
  let name: string;
  try {
    name = new URL("http://" + host).hostname;
  } catch {
    return "bad Host header " + JSON.stringify(host);
  }
  const bare = name.replace(/^\[|\]$/g, "");
  if (isIP(bare) !== 0 || name === "localhost" || name.endsWith(".localhost")) return undefined;
  return "Host " + JSON.stringify(host) + " is not an IP address or localhost (DNS rebinding guard)";
}

/** Whether a browser sent this (browsers add Origin to POSTs and Sec-Fetch-* to everything). */
export function fromBrowser(req: http.IncomingMessage): boolean {
  return req.headers.origin !== undefined || req.headers["sec-fetch-site"] !== undefined || req.headers.cookie !== undefined;
}

/** Same-origin by the browser's own word: Sec-Fetch-Site and Origin, when present. */
export function checkSameOrigin(req: http.IncomingMessage): Refusal {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return "cross-origin request refused (Sec-Fetch-Site: " + site + ")";
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "http://" + req.headers.host) return "cross-origin request refused (Origin: " + origin + ")";
  return undefined;
}

/** The CSRF token check: `given` must be the session's token. */
export function checkToken(s: Session | undefined, given: string | undefined): Refusal {
  if (!s) return "no session: load the page first";
  if (!given) return "missing CSRF token";
  const a = Buffer.from(s.csrf);
  const b = Buffer.from(given);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return "wrong CSRF token";
  return undefined;
}
