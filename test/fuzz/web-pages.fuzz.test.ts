/**
 * Fuzzing the simulator's web pages (sim/web, issue 15): requests with random methods,
 * paths (the site's own and made-up ones, %-escapes, markup), query strings, form bodies
 * (the site's fields with random values, random text, the wrong content type), headers
 * (Accept, Origin, Sec-Fetch-Site, Content-Type, a cookie that is ours, foreign or
 * garbage) and CSRF tokens (the session's, a wrong one, none), signed in or not; and
 * friendly names of any text shown on the management pages.
 *
 * Properties: never a 500; nothing the fuzzer wrote comes back as markup (every string
 * carries a `<x-fz` marker that must only ever appear escaped); the site's state (the
 * Multi-device option, which accessories are registered) changes only on a request that
 * is same-origin and carries the session's token.
 */
import test from "ava";
import fc from "fast-check";
import { MSISDN, served } from "../serve/helpers.js";
import { rawRequest } from "../support/raw-http.js";


const request = rawRequest;

const MARK = "<x-fz";
const fuzzText = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => s + MARK + ">"),
  fc.constantFrom(MARK + ' onload="alert(1)">', '"><' + "x-fz>", "'" + MARK + "/>", MARK + ">\u0000\u202e😀", "%3Cx-fz%3E", "%", "%E0%A4%A", "..%2F..", "090-1234-5678", "0000", "1", "0", "ja", "en"),
  fc.string({ unit: "grapheme", maxLength: 10 }),
);

/** The site's state a forged request must not change. */
function state(s: Awaited<ReturnType<typeof served>>): string {
  return JSON.stringify({ multi: s.server.site.multiDevice(MSISDN), devices: s.server.num.devices().map((d) => d.id) });
}

test("fuzz: web page requests (paths, queries, forms, headers, tokens) never answer 500, never echo markup, and change state only same-origin with the session's token", async (t) => {
  const s = await served(t);
  const base = s.control.url;
  const host = base.slice("http://".length);
  // A signed-in session: its cookie and token (sign-in makes a fresh session).
  const first = await request(base + "/", "GET", { accept: "text/html" });
  const cookie0 = String(first.headers["set-cookie"]).split(";")[0];
  const csrf0 = /name="csrf-token" content="([^"]+)"/.exec(first.body)![1];
  const signed = await request(base + "/signin", "POST", { origin: base, cookie: cookie0, "content-type": "application/x-www-form-urlencoded" }, new URLSearchParams({ csrf: csrf0, number: MSISDN, pin: "0000" }).toString());
  t.is(signed.status, 303);
  const cookie = String(signed.headers["set-cookie"]).split(";")[0];
  const manage = await request(base + "/manage", "GET", { accept: "text/html", cookie });
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(manage.body)![1];

  const pathArb = fc.oneof(
    fc.constantFrom("/", "/signin", "/manage", "/manage/multi-device", "/manage/devices/A1/unregister", "/manage/devices/A2", "/live", "/live/nothing", "/assets/site.css", "/favicon.ico", "/manage/", "//manage"),
    fuzzText.map((x) => "/manage/devices/" + encodeURIComponent(x) + "/unregister"),
    fuzzText.map((x) => "/manage/devices/" + x.replace(/[?#\s]/g, "")),
    fuzzText.map((x) => "/assets/" + encodeURIComponent(x)),
    fuzzText.map((x) => "/" + encodeURIComponent(x)),
  );
  const rqArb = fc.record({
    method: fc.oneof({ arbitrary: fc.constantFrom("GET", "POST"), weight: 6 }, { arbitrary: fc.constantFrom("HEAD", "PUT", "DELETE", "PATCH"), weight: 1 }),
    path: pathArb,
    query: fc.option(fc.dictionary(fc.constantFrom("lang", "x", "next", "device"), fuzzText, { maxKeys: 3 }), { nil: undefined }),
    accept: fc.constantFrom("text/html", "*/*", "application/json", undefined),
    origin: fc.constantFrom("same", "other", "null", undefined),
    fetchSite: fc.constantFrom("same-origin", "cross-site", "same-site", "none", undefined),
    cookie: fc.constantFrom("ours", "none", "garbage", "foreign"),
    token: fc.constantFrom("right", "wrong", "none"),
    contentType: fc.oneof({ arbitrary: fc.constant("application/x-www-form-urlencoded"), weight: 5 }, { arbitrary: fc.constantFrom("text/plain", "application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded; charset=utf-8"), weight: 1 }),
    form: fc.dictionary(fc.constantFrom("on", "number", "pin", "lang", "device", "x"), fuzzText, { maxKeys: 4 }),
    rawBody: fc.option(fuzzText, { nil: undefined }),
  });

  let cases = 0;
  let changed = 0;
  const statuses: { [k: number]: number } = {};
  await fc.assert(
    fc.asyncProperty(rqArb, async (rq) => {
      cases++;
      const headers: { [k: string]: string } = { host };
      if (rq.accept) headers.accept = rq.accept;
      if (rq.origin === "same") headers.origin = base;
      else if (rq.origin === "other") headers.origin = "http://evil.example";
      else if (rq.origin === "null") headers.origin = "null";
      if (rq.fetchSite) headers["sec-fetch-site"] = rq.fetchSite;
      if (rq.cookie === "ours") headers.cookie = cookie;
      else if (rq.cookie === "garbage") headers.cookie = "sl_session=" + MARK + ">; x=%";
      else if (rq.cookie === "foreign") headers.cookie = "other=1";
      let body: string | undefined;
      if (rq.method !== "GET" && rq.method !== "HEAD") {
        headers["content-type"] = rq.contentType;
        const form = new URLSearchParams(rq.form);
        if (rq.token === "right") form.set("csrf", csrf);
        else if (rq.token === "wrong") form.set("csrf", csrf.slice(1) + "A");
        body = rq.rawBody !== undefined ? rq.rawBody : form.toString();
        if (rq.token === "right") headers["x-csrf-token"] = csrf;
      }
      let path = rq.path;
      if (rq.query) path += "?" + new URLSearchParams(rq.query).toString();
      const before = state(s);
      const res = await request(base + path, rq.method, headers, body);
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      const what = rq.method + " " + path + " " + JSON.stringify(headers) + " " + String(body);
      if (res.status >= 500) throw new Error(what + " -> " + res.status + " " + res.body.slice(0, 300));
      if (res.body.indexOf(MARK) >= 0) throw new Error(what + " -> markup from the request came back: " + res.body.slice(Math.max(0, res.body.indexOf(MARK) - 80), res.body.indexOf(MARK) + 40));
      const after = state(s);
      if (after !== before) {
        changed++;
        const legit = rq.cookie === "ours" && rq.token === "right" && rq.rawBody === undefined && (rq.origin === "same" || rq.origin === undefined) && (rq.fetchSite === "same-origin" || rq.fetchSite === undefined);
        if (!legit) throw new Error(what + " changed the site's state without same-origin and the token: " + before + " -> " + after);
      }
    }),
    { numRuns: 250, seed: 1516, includeErrorInReport: true },
  );
  t.log("sent " + cases + " random web requests (methods, site and made-up paths, queries, forms, Origin/Sec-Fetch-Site/cookie/token combinations); statuses " + JSON.stringify(statuses) + "; " + changed + " changed the state, each same-origin with the token; fast-check seed 1516");
  t.true(Object.keys(statuses).length >= 4);
  // The state check can see a change: the unregister form, same-origin with the token, unregisters A2 (R15).
  const before = state(s);
  const legit = await request(base + "/manage/devices/A2/unregister", "POST", { host, origin: base, cookie, "content-type": "application/x-www-form-urlencoded" }, new URLSearchParams({ csrf }).toString());
  t.is(legit.status, 303);
  t.not(state(s), before, "a same-origin form with the token changes the registrations");
});

test("fuzz: friendly names of any text are shown escaped on the management list and the confirmation page", async (t) => {
  const s = await served(t);
  const base = s.control.url;
  const first = await request(base + "/", "GET", { accept: "text/html" });
  const cookie0 = String(first.headers["set-cookie"]).split(";")[0];
  const csrf0 = /name="csrf-token" content="([^"]+)"/.exec(first.body)![1];
  const signed = await request(base + "/signin", "POST", { origin: base, cookie: cookie0, "content-type": "application/x-www-form-urlencoded" }, new URLSearchParams({ csrf: csrf0, number: MSISDN, pin: "0000" }).toString());
  const cookie = String(signed.headers["set-cookie"]).split(";")[0];
  // The name an accessory registered with (R14 lists it); set behind the registration's back.
  const info = (s.server.accessories[0].port as unknown as { info: { friendlyName: string } }).info;
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(fuzzText, async (name) => {
      cases++;
      info.friendlyName = name;
      for (const path of ["/manage", "/manage/devices/A1/unregister"]) {
        const r = await request(base + path, "GET", { accept: "text/html", cookie });
        if (r.status !== 200) throw new Error(path + " with name " + JSON.stringify(name) + " -> " + r.status);
        if (r.body.indexOf(MARK) >= 0) throw new Error(path + ": the name came back as markup: " + JSON.stringify(name));
      }
    }),
    { numRuns: 100, seed: 1517, includeErrorInReport: true },
  );
  t.log("showed " + cases + " random friendly names (markup, quotes, controls, bidi, emoji, graphemes) on /manage and the confirmation page; fast-check seed 1517");
  t.pass();
});
