/**
 * The control interface of a served number: HTTP with JSON bodies on node:http (no
 * framework), documented in docs/sim-control.md. Routes are in control-routes.ts.
 *
 * - Every answer is JSON. Errors are `{ "error": "<what is wrong>" }` with 400 (bad
 *   body or query: the message names the field), 404 (unknown path, number, device,
 *   party or call), 405 (known path, other method; `Allow` says which), 409 (the request
 *   does not fit the current state: nothing to answer, time is real, Multi-device off),
 *   413 (body over 64 KiB), 500 (a bug: the message says what broke).
 * - Before a request is answered, every event it caused at the current instant has
 *   reached the devices (in virtual time exactly; on the real clock the zero-delay
 *   hand-offs are waited for), so a `GET` right after a `POST` sees the effect.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ManageError, NetworkError, NetworkParamError } from "../network/index.js";
import { ControlError, InputError } from "./fields.js";
import type { NumberServer } from "./number-server.js";
import { ROUTES, Route, RouteContext } from "./control-routes.js";
import { serveEntitlement } from "../entitlement/http.js";
import { createWebSite, type WebSiteOptions } from "../web/site.js";

const MAX_BODY = 64 * 1024;

export interface ControlServer {
  host: string;
  port: number;
  /** http://host:port */
  url: string;
  close(): Promise<void>;
}

function statusOf(e: unknown): number {
  if (ControlError.is(e)) return e.status;
  if (InputError.is(e) || NetworkParamError.is(e)) return 400;
  if (NetworkError.is(e)) {
    if (e.code === "unknown-number") return 404;
    // Requests that do not fit the state now: nothing to answer, too many accessories, ...
    if (["no-call", "too-many", "no-contract", "phone", "imei-taken", "exists"].indexOf(e.code) >= 0) return 409;
    return 400;
  }
  if (ManageError.is(e)) {
    if (e.code === "unknown-device" || e.code === "unknown-number") return 404;
    if (e.code === "ambiguous-device") return 400;
    return 409;
  }
  return 500;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (b: Buffer) => {
      size += b.length;
      if (size > MAX_BODY) {
        reject(ControlError("body too large (at most " + MAX_BODY + " bytes)", { status: 413 }));
        req.resume();
        return;
      }
      chunks.push(b);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text: string, method: string): unknown {
  if (text.trim() === "") return method === "GET" || method === "DELETE" ? undefined : {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw InputError("body: not JSON: " + (e as Error).message, { path: "body" });
  }
}

/** The route for `path`, and its parameters; `allowed` lists the methods of a path that matched another method. */
function match(method: string, path: string): { route: Route; params: string[] } | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const r of ROUTES) {
    const m = r.regex.exec(path);
    if (!m) continue;
    if (r.method === method) {
      const params: string[] = [];
      for (const p of m.slice(1)) {
        try {
          params.push(decodeURIComponent(p));
        } catch {
          throw InputError("path: bad %-escape in " + JSON.stringify(p), { path: "path" });
        }
      }
      return { route: r, params };
    }
    allowed.push(r.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: { [k: string]: string } = {}): void {
  const text = JSON.stringify(body, null, 2) + "\n";
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

async function handle(server: NumberServer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url || "/", "http://control");
  const method = req.method || "GET";
  try {
    const text = await readBody(req);
    const found = match(method, url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname);
    if (!found) throw ControlError("no such endpoint: " + method + " " + url.pathname + " (GET / lists them)", { status: 404 });
    if ("allowed" in found) {
      send(res, 405, { error: method + " is not allowed on " + url.pathname + " (allowed: " + found.allowed.join(", ") + ")" }, { allow: found.allowed.join(", ") });
      return;
    }
    const ctx: RouteContext = { server, params: found.params, query: url.searchParams, body: parseBody(text, method) };
    const out = await found.route.handler(ctx);
    // Whatever the request set off at this instant reaches the devices before the answer.
    await server.settle();
    send(res, out.status || 200, out.body);
  } catch (e) {
    const status = statusOf(e);
    const message = e instanceof Error ? e.message : String(e);
    send(res, status, status === 500 ? { error: "internal error: " + message } : { error: message });
  }
}

/** Starts the control interface on `host:port` (0: a free port), with the web pages (sim/web) in front of it. */
export function startControl(server: NumberServer, port: number, host = "127.0.0.1", web: WebSiteOptions = {}): Promise<ControlServer> {
  const site = createWebSite(server, web);
  const http_ = http.createServer((req, res) => {
    // The web pages first: their same-origin guard covers every state-changing request a browser sends.
    if (site.handle(req, res)) return;
    if (serveEntitlement(server.activation, req, res, () => server.settle())) return;
    void handle(server, req, res);
  });
  return new Promise<ControlServer>((resolve, reject) => {
    http_.once("error", reject);
    http_.listen(port, host, () => {
      const a = http_.address() as AddressInfo;
      const h = host.indexOf(":") >= 0 ? "[" + host + "]" : host;
      resolve({
        host,
        port: a.port,
        url: "http://" + h + ":" + a.port,
        close: () =>
          new Promise<void>((done) => {
            site.close();
            http_.closeAllConnections();
            http_.close(() => done());
          }),
      });
    });
  });
}
