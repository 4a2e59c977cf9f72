/**
 * The activation endpoints of `sharedline sim` over real HTTP: the TS.43 entitlement
 * server at /ts43 as an outside client meets it, and P's companion app through the
 * control interface (`POST /phone/register`, `/phone/unregister`, `GET /registrations`).
 */
import test from "ava";
import { answerChallenge, eapId, parmAt, phoneImsi, readDoc } from "../../sim/entitlement/index.js";
import { MSISDN, served } from "../serve/helpers.js";

test("R8 R11: POST /phone/register downloads the profile to a brand-new accessory, which attaches and is listed as registered", async (t) => {
  const s = await served(t, { accessories: 2, unprovisioned: 1 });
  let list = await s.api("GET", "/registrations");
  t.deepEqual(
    list.body.map((r: { device: string; friendlyName: string; state: string }) => [r.device, r.friendlyName, r.state]),
    [
      ["A1", "Accessory 1", "registered"],
      ["", "Accessory 2", "unregistered"],
    ],
  );
  const r = await s.api("POST", "/phone/register", { accessory: "Accessory 2" });
  t.is(r.status, 200);
  t.like(r.body, { ok: true, operationResult: 1, subscriptionResult: 2, downloaded: true });
  list = await s.api("GET", "/registrations");
  t.like(list.body[1], { device: "A2", friendlyName: "Accessory 2", model: "sim-generic", state: "registered", serviceStatus: 1, iccid: r.body.iccid });
  t.regex(list.body[1].registeredAt, /^\d{4}-\d\d-\d\dT/);
  t.is(s.server.accessories[1].modem.identity.iccid, r.body.iccid);
  const again = await s.api("POST", "/phone/register", { accessory: "A2" });
  t.like(again.body, { ok: true, subscriptionResult: 3, downloaded: false });
  const off = await s.api("POST", "/phone/unregister", { accessory: "A2" });
  t.like(off.body, { ok: true, serviceStatus: 3 });
  t.is((await s.api("GET", "/registrations")).body[1].state, "unregistered");
  t.is((await s.api("POST", "/phone/register", { accessory: "nobody" })).status, 404);
  t.is((await s.api("POST", "/phone/register", { accesory: "A2" })).status, 400);
});

test("R2 R12: the refused registration is a 409 carrying SubscriptionResult=5 and the limit", async (t) => {
  const s = await served(t, { accessories: 2, unprovisioned: 1, multiDevice: false });
  const r = await s.api("POST", "/phone/register", { accessory: "Accessory 2" });
  t.is(r.status, 409);
  t.like(r.body, { ok: false, operationResult: 1, subscriptionResult: 5, downloaded: false });
  t.regex(r.body.error, /Only one accessory can share \+819012345678 without the Multi-device option/);
  t.is((await s.api("GET", "/registrations")).body[1].state, "unregistered");
});

test("R8 R10: /ts43 answers a TS.43 client: a token for P's credentials, then the XML document by GET and by POST", async (t) => {
  const s = await served(t, { accessories: 1 });
  const url = s.control.url + "/ts43";
  const challenge = await fetch(url + "?" + new URLSearchParams({ app: "ap2006", terminal_id: s.server.num.phone.imei, EAP_ID: eapId(phoneImsi(MSISDN)) }).toString());
  t.is(challenge.status, 200);
  t.is(challenge.headers.get("content-type"), "application/vnd.gsma.eap-relay.v1.0+json", "TS.43 §2.8.1: EAP-AKA first");
  const packet = new Uint8Array(Buffer.from(((await challenge.json()) as { [k: string]: string })["eap-relay-packet"], "base64"));
  const answer = answerChallenge(s.server.activation.service.usimOf(MSISDN), eapId(phoneImsi(MSISDN)), packet);
  const auth = await fetch(url, { method: "POST", headers: { "content-type": "application/vnd.gsma.eap-relay.v1.0+json" }, body: JSON.stringify({ "eap-relay-packet": Buffer.from(answer.packet).toString("base64") }) });
  t.is(auth.status, 200);
  t.is(auth.headers.get("content-type"), "text/vnd.wap.connectivity-xml");
  const token = parmAt(readDoc(await auth.text()), "TOKEN", "token")!;
  t.regex(token, /^[0-9a-f]{32}$/);
  const get = await fetch(url + "?" + new URLSearchParams({ app: "ap2006", token, operation: "AcquireConfiguration" }).toString());
  const doc = readDoc(await get.text());
  t.is(parmAt(doc, "APPLICATION", "OperationResult"), "1");
  t.is(parmAt(doc, "APPLICATION|CompanionConfigurations|CompanionConfiguration", "ServiceStatus"), "1");
  t.is(parmAt(doc, "APPLICATION|CompanionConfigurations|CompanionConfiguration", "CompanionTerminalId"), s.server.accessories[0].imei);
  const post = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ app: "ap2006", token, operation: "CheckEligibility" }).toString() });
  t.is(parmAt(readDoc(await post.text()), "APPLICATION", "CompanionAppEligibility"), "1");
  t.is((await fetch(url + "?app=ap2006&token=forged&operation=CheckEligibility")).status, 403);
  t.is((await fetch(url, { method: "DELETE" })).status, 405);
  t.is((await fetch(url)).status, 400);
});

test("R8: a web page elsewhere cannot drive the entitlement server through the user's browser, by GET or POST", async (t) => {
  const s = await served(t, { accessories: 1 });
  const q = "?" + new URLSearchParams({ app: "ap2006", terminal_id: s.server.num.phone.imei, EAP_ID: eapId(phoneImsi(MSISDN)) }).toString();
  const url = s.control.url + "/ts43" + q;
  t.is((await fetch(url, { headers: { "sec-fetch-site": "cross-site" } })).status, 403);
  t.is((await fetch(url, { headers: { origin: "http://evil.example" } })).status, 403);
  t.is((await fetch(url, { method: "POST", headers: { origin: "http://evil.example", "sec-fetch-site": "cross-site" } })).status, 403);
  t.is((await fetch(url, { headers: { "sec-fetch-site": "none" } })).status, 200, "typed in the address bar");
  t.is((await fetch(url)).status, 200, "a program");
});
