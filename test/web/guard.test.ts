/**
 * Same-origin protection of the web pages and the control API (sim/web/session.ts): a
 * page elsewhere in the user's browser cannot unregister an accessory or dial, even
 * with the user signed in; a browser request needs the session's CSRF token and our
 * own origin; a DNS name re-pointed at 127.0.0.1 gets nothing; curl is unaffected.
 */
import http from "node:http";
import test from "ava";
import type { AddressInfo } from "node:net";
import { MSISDN, served } from "../serve/helpers.js";
import { haveChromium, openSite, signIn, useBrowser } from "./browser.js";
import { rawRequest } from "../support/raw-http.js";

const request = rawRequest;

/** A session cookie and its CSRF token, as the sign-in page hands them out. */
async function session(base: string): Promise<{ cookie: string; csrf: string }> {
  const r = await request(base + "/", "GET", { accept: "text/html" });
  const cookie = String(r.headers["set-cookie"]).split(";")[0];
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(r.body)![1];
  return { cookie, csrf };
}

test("the session cookie is HttpOnly and SameSite=Strict; pages forbid framing and foreign scripts", async (t) => {
  const s = await served(t);
  const r = await request(s.control.url + "/", "GET", { accept: "text/html" });
  t.is(r.status, 200);
  t.regex(String(r.headers["set-cookie"]), /^sl_session=[A-Za-z0-9_-]{20,}; Path=\/; HttpOnly; SameSite=Strict$/);
  t.is(r.headers["x-frame-options"], "DENY");
  t.regex(String(r.headers["content-security-policy"]), /script-src 'self'.*frame-ancestors 'none'/);
});

test("the control API refuses a browser's POST without the token, from another origin, or across sites; with the token it works", async (t) => {
  const s = await served(t);
  const base = s.control.url;
  const host = base.slice("http://".length);
  const dial = JSON.stringify({ number: "0311112222" });
  const { cookie, csrf } = await session(base);
  const noToken = await request(base + "/phone/dial", "POST", { origin: base, cookie }, dial);
  t.is(noToken.status, 403);
  t.regex(JSON.parse(noToken.body).error, /missing CSRF token/);
  const wrong = await request(base + "/phone/dial", "POST", { origin: base, cookie, "x-csrf-token": csrf.slice(1) + "x" }, dial);
  t.regex(JSON.parse(wrong.body).error, /wrong CSRF token/);
  const otherOrigin = await request(base + "/phone/dial", "POST", { origin: "http://127.0.0.1:1", cookie, "x-csrf-token": csrf }, dial);
  t.regex(JSON.parse(otherOrigin.body).error, /Origin: http:\/\/127.0.0.1:1/);
  const crossSite = await request(base + "/phone/dial", "POST", { "sec-fetch-site": "cross-site", cookie, "x-csrf-token": csrf }, dial);
  t.regex(JSON.parse(crossSite.body).error, /Sec-Fetch-Site: cross-site/);
  t.is(s.server.net.log.find({ kind: "dial" }).length, 0);

  const ours = await request(base + "/phone/dial", "POST", { origin: base, host, "sec-fetch-site": "same-origin", cookie, "x-csrf-token": csrf }, dial);
  t.is(ours.status, 201);
  // curl sends no Origin, Sec-Fetch-Site or cookie: not a browser, nothing to forge.
  const curl = await request(base + "/phone/hangup", "POST", {}, "{}");
  t.is(curl.status, 200);
});

test("the TS.43 entitlement server behind the same port is guarded the same way against other pages' POSTs", async (t) => {
  const s = await served(t);
  const r = await request(s.control.url + "/ts43", "POST", { origin: "http://127.0.0.1:1", "content-type": "application/x-www-form-urlencoded" }, "app=ap2006");
  t.is(r.status, 403);
  t.regex(JSON.parse(r.body).error, /cross-origin request refused/);
  // An outside TS.43 client (no Origin, no cookie) still reaches it (and gets its answer, here: not authenticated).
  const outside = await request(s.control.url + "/ts43", "POST", { "content-type": "application/x-www-form-urlencoded" }, "app=ap2006");
  t.notRegex(outside.body, /cross-origin/);
  t.notRegex(String(outside.headers["content-type"]), /application\/json/);
});

test("a management form posted without the session's token is refused and changes nothing", async (t) => {
  const s = await served(t);
  const base = s.control.url;
  const { cookie } = await session(base);
  const form = { "content-type": "application/x-www-form-urlencoded", origin: base, cookie };
  const r = await request(base + "/signin", "POST", form, "number=%2B819012345678&pin=0000&csrf=guess");
  t.is(r.status, 403);
  t.is(r.headers["set-cookie"], undefined, "no signed-in session was made");
  const u = await request(base + "/manage/devices/A1/unregister", "POST", form, "csrf=");
  t.is(u.status, 403);
  t.is(s.server.num.device("A1")!.enrollment, "registered");
});

test("signing in replaces the session (a planted session id is worth nothing)", async (t) => {
  const s = await served(t);
  const base = s.control.url;
  const { cookie, csrf } = await session(base);
  const r = await request(base + "/signin", "POST", { "content-type": "application/x-www-form-urlencoded", origin: base, cookie }, "number=09012345678&pin=0000&csrf=" + encodeURIComponent(csrf));
  t.is(r.status, 303);
  t.is(r.headers.location, "/manage");
  const fresh = String(r.headers["set-cookie"]).split(";")[0];
  t.not(fresh, cookie);
  t.is((await request(base + "/manage", "GET", { accept: "text/html", cookie })).status, 303, "the old id is not signed in");
  t.is((await request(base + "/manage", "GET", { accept: "text/html", cookie: fresh })).status, 200);
});

test("DNS rebinding: a request for another host name gets no page and cannot drive the API", async (t) => {
  const s = await served(t);
  const base = s.control.url;
  const port = new URL(base).port;
  const page = await request(base + "/live", "GET", { host: "attacker.example:" + port, accept: "text/html" });
  t.is(page.status, 403);
  t.regex(page.body, /DNS rebinding/);
  const api = await request(base + "/phone/dial", "POST", { host: "attacker.example:" + port, origin: "http://attacker.example:" + port }, JSON.stringify({ number: "110" }));
  t.is(api.status, 403);
  t.is(s.server.net.log.find({ kind: "dial" }).length, 0);
  t.is((await request(base + "/live", "GET", { host: "localhost:" + port })).status, 200);
});

if (haveChromium()) {
  const browser = useBrowser();

  test("a page from another origin in the same browser cannot unregister an accessory or dial, though the user is signed in", async (t) => {
    const site = await openSite(t, browser);
    await signIn(site, MSISDN);
    await site.page.locator("table.devices").waitFor();
    const target = site.url("");
    // Another web server on the same machine: same site (127.0.0.1), another origin (port).
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><title>win a prize</title>
<form id="f" method="post" action="${target}/manage/devices/A1/unregister"><input name="csrf" value="guessed"></form>
<script>
fetch(${JSON.stringify(target + "/phone/dial")}, { method: "POST", mode: "no-cors", credentials: "include", body: '{"number":"110"}' })
  .catch(() => undefined)
  .then(() => document.getElementById("f").submit());
</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    t.teardown(() => new Promise<void>((resolve) => evil.close(() => resolve())));
    const answer = site.page.waitForResponse((r) => r.url().endsWith("/manage/devices/A1/unregister"));
    await site.page.goto("http://127.0.0.1:" + (evil.address() as AddressInfo).port + "/");
    t.is((await answer).status(), 403);
    await site.page.locator('section.error-page h1:text("403")').waitFor();
    t.regex(await site.page.locator("section.error-page").innerText(), /cross-origin request refused \(Sec-Fetch-Site: same-site\)/);
    t.is(site.server.num.device("A1")!.enrollment, "registered");
    t.is(site.server.net.log.find({ kind: "dial" }).length, 0, "the no-cors POST to the API was refused too");
    // The user's own page still works.
    await site.page.goto(site.url("/manage"));
    await site.page.click('tr[data-device="A1"] a.danger');
    await site.page.click("section.confirm button.danger");
    await site.page.locator(".flash.ok").waitFor();
    t.is(site.server.num.device("A1"), undefined);
  });
}
