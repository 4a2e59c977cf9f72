/**
 * The entitlement server over HTTP (GSMA TS.43 §2.2): `GET /ts43?app=ap2006&...` with the
 * request parameters in the query, or `POST /ts43` with them as a form
 * (`application/x-www-form-urlencoded`) or a flat JSON object. The answer is the
 * provisioning document (`text/vnd.wap.connectivity-xml`), 403 for failed
 * authentication, 400 for a request without `app`, 403 for a request a web page made.
 * Mounted beside the simulator's control interface by `serveEntitlement`.
 */
import type http from "node:http";
import type { Activation } from "./activation.js";

export const ENTITLEMENT_PATH = "/ts43";
const MAX_BODY = 16 * 1024;

function reply(res: http.ServerResponse, status: number, type: string, body: string, headers: { [k: string]: string } = {}): void {
  res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)), "cache-control": "no-store", ...headers });
  res.end(body);
}

function paramsOf(text: string, type: string): { [k: string]: string } | string {
  const out: { [k: string]: string } = {};
  if (text.trim() === "") return out;
  // TS.43 §2.8.1 posts the EAP relay packet as JSON of its own type.
  if (type.indexOf("application/json") === 0 || type.indexOf("application/vnd.gsma.eap-relay") === 0) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      return "body: not JSON: " + (e as Error).message;
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) return "body: expected a JSON object of parameters";
    for (const k of Object.keys(v)) {
      const x = (v as { [k: string]: unknown })[k];
      if (typeof x !== "string" && typeof x !== "number") return "body." + k + ": expected a string or a number";
      out[k] = String(x);
    }
    return out;
  }
  new URLSearchParams(text).forEach((v, k) => (out[k] = v));
  return out;
}

/**
 * Serves `req` if it is for the entitlement server (and returns true); anything else is
 * left to the caller. `settle` runs after the answer is computed and before it is sent,
 * so what the request set off (a registration, an unregistration) has reached the devices.
 */
export function serveEntitlement(activation: Activation, req: http.IncomingMessage, res: http.ServerResponse, settle: () => Promise<void> = () => Promise.resolve()): boolean {
  const url = new URL(req.url || "/", "http://entitlement");
  if (url.pathname !== ENTITLEMENT_PATH) return false;
  const method = req.method || "GET";
  // TS.43 clients are programs, and TS.43 changes state by GET too: a browser may come here
  // only from its address bar (Sec-Fetch-Site: none), never from a page elsewhere. (The web
  // site's guard in front of this refuses a browser with a foreign Host or without a token.)
  const fetchSite = req.headers["sec-fetch-site"];
  if ((fetchSite !== undefined && fetchSite !== "none") || (fetchSite === undefined && req.headers.origin !== undefined)) {
    req.resume();
    reply(res, 403, "text/plain; charset=utf-8", "the entitlement server does not take requests from web pages\n");
    return true;
  }
  if (method !== "GET" && method !== "POST") {
    reply(res, 405, "text/plain; charset=utf-8", method + " is not allowed on " + ENTITLEMENT_PATH + " (allowed: GET, POST)\n", { allow: "GET, POST" });
    return true;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooBig = false;
  req.on("data", (b: Buffer) => {
    size += b.length;
    if (size > MAX_BODY) tooBig = true;
    else chunks.push(b);
  });
  req.on("end", () => {
    if (tooBig) return reply(res, 413, "text/plain; charset=utf-8", "body too large (at most " + MAX_BODY + " bytes)\n");
    const params: { [k: string]: string } = {};
    url.searchParams.forEach((v, k) => (params[k] = v));
    const body = paramsOf(Buffer.concat(chunks).toString("utf8"), String(req.headers["content-type"] || ""));
    if (typeof body === "string") return reply(res, 400, "text/plain; charset=utf-8", body + "\n");
    Object.assign(params, body);
    let r;
    try {
      r = activation.service.handle(params);
    } catch (e) {
      return reply(res, 500, "text/plain; charset=utf-8", "internal error: " + (e instanceof Error ? e.message : String(e)) + "\n");
    }
    settle().then(
      () => reply(res, r.status, r.contentType, r.body),
      (e: unknown) => reply(res, 500, "text/plain; charset=utf-8", "internal error: " + String(e) + "\n"),
    );
  });
  return true;
}
