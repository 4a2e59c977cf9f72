/**
 * The live view of the shared line in headless Chromium: it follows the network through
 * server-sent events and drives the simulator with its buttons (R19, R22, R25, R28,
 * R46, R67, R20), and shows names and texts as text.
 */
import test from "ava";
import type { Page } from "playwright-core";
import { ALICE, MSISDN, atClient } from "../serve/helpers.js";
import { simImei } from "../../sim/serve/number-server.js";
import { haveChromium, openSite, useBrowser, type Site } from "./browser.js";

const card = (page: Page, device: string, state: string) => page.locator(`.device[data-device="${device}"][data-state="${state}"]`);

async function openLive(site: Site): Promise<void> {
  await site.page.goto(site.url("/live?lang=en"));
  await site.page.locator("#conn.live").waitFor();
}

if (haveChromium()) {
  const browser = useBrowser();

  test("R19, R22: the live view shows a call ringing on every device, then answered on A1 by its modem (ATA)", async (t) => {
    const site = await openSite(t, browser);
    const a1 = await atClient(t, site.server.accessories[0].where);
    await openLive(site);
    for (const d of ["P", "A1", "A2"]) await card(site.page, d, "idle").waitFor();
    await site.page.click('button[data-act="party-call"]');
    for (const d of ["P", "A1", "A2"]) await card(site.page, d, "ringing").waitFor();
    t.is(await site.page.locator("#line").innerText(), "alerting(P,A1,A2)");
    const call = site.page.locator("#calls .call");
    t.is(await call.count(), 1);
    t.regex(await call.locator(".parties").innerText(), new RegExp("\\" + ALICE + "\\s+→\\s+\\" + MSISDN));
    t.deepEqual(await call.locator(".chip").allInnerTexts(), ["P: incoming", "A1: incoming", "A2: incoming"]);

    await a1.rx.waitFor("RING");
    a1.send("ATA");
    await card(site.page, "A1", "in-call").waitFor();
    await card(site.page, "P", "idle").waitFor();
    await card(site.page, "A2", "idle").waitFor();
    t.is(await site.page.locator("#line").innerText(), "busy(A1)");
    t.deepEqual(await site.page.locator("#calls .call .chip").allInnerTexts(), ["A1: active"]);
    t.is(site.server.net.log.find({ kind: "answered-elsewhere" }).length, 2, "R22: P and A2 released as answered elsewhere");

    await site.page.click('button[data-act="party-hangup"]');
    await card(site.page, "A1", "idle").waitFor();
    t.is(await site.page.locator("#calls .call").count(), 0);
    t.deepEqual(site.errors, [], "no script error, no CSP violation");
  });

  test("R22, R25: P answers from the live view's button, and the caller's hang-up frees the line", async (t) => {
    const site = await openSite(t, browser);
    await openLive(site);
    await site.page.click('button[data-act="party-call"]');
    await card(site.page, "P", "ringing").waitFor();
    await site.page.click('button[data-act="phone-answer"]');
    await card(site.page, "P", "in-call").waitFor();
    await card(site.page, "A1", "idle").waitFor();
    t.is(await site.page.locator("#line").innerText(), "busy(P)");
    await site.page.click('button[data-act="party-hangup"]');
    await card(site.page, "P", "idle").waitFor();
    t.is(await site.page.locator("#line").innerText(), "idle");
  });

  test("R28: the virtual-time button lets the no-reply timer run out; a refused action shows the control API's error", async (t) => {
    const site = await openSite(t, browser);
    await openLive(site);
    await site.page.click('button[data-act="party-call"]');
    await card(site.page, "A2", "ringing").waitFor();
    await site.page.click('button[data-act="time"][data-ms="15000"]');
    for (const d of ["P", "A1", "A2"]) await card(site.page, d, "idle").waitFor();
    const party = (await site.api("GET", `/outside/${ALICE}`)).body;
    t.is(party.calls[0].cause, 19, "R28: released with no answer (#19)");
    await site.page.click('button[data-act="phone-answer"]');
    await site.page.locator("#error:not([hidden])").waitFor();
    t.regex(await site.page.locator("#error").innerText(), /no incoming\/waiting call/);
  });

  test("R4, R20: P switched off from the live view is shown off and a call rings the accessories alone", async (t) => {
    const site = await openSite(t, browser);
    await openLive(site);
    await site.page.click('button[data-act="phone-off"]');
    await card(site.page, "P", "off").waitFor();
    await site.page.click('button[data-act="party-call"]');
    await card(site.page, "A1", "ringing").waitFor();
    await card(site.page, "A2", "ringing").waitFor();
    t.is(await site.page.locator("#line").innerText(), "alerting(A1,A2)");
    t.is(await site.page.locator('.device[data-device="P"]').getAttribute("data-state"), "off");
    await site.page.click('button[data-act="phone-on"]');
    await card(site.page, "P", "idle").waitFor();
  });

  test("R8, R15: the live view unregisters an accessory through P's app and registers it again; calls follow", async (t) => {
    const site = await openSite(t, browser);
    await openLive(site);
    await site.page.click('.device[data-device="A2"] button[data-act="unregister"]');
    await card(site.page, "A2", "unregistered").waitFor();
    t.is(site.server.accessories[1].port.enrollment, "none");
    await site.page.click('.device[data-device="A2"] button[data-act="register"]');
    await card(site.page, "A2", "idle").waitFor();
    await site.page.click('button[data-act="party-call"]');
    for (const d of ["P", "A1", "A2"]) await card(site.page, d, "ringing").waitFor();
  });

  test("R46: P dials 110 from the live view and is shown in an emergency call", async (t) => {
    const site = await openSite(t, browser);
    await openLive(site);
    await site.page.fill('input[name="dial"]', "110");
    await site.page.click('button[data-act="phone-dial"]');
    await card(site.page, "P", "emergency").waitFor();
    t.regex(await site.page.locator("#calls .call.emergency .parties").innerText(), /P\s+→\s+110/);
  });

  test("R20, R67: coverage set per device from the live view; an SMS shows its text and where it was delivered", async (t) => {
    const site = await openSite(t, browser);
    await openLive(site);
    await site.page.selectOption('select[data-device="A2"]', "none");
    await card(site.page, "A2", "out-of-coverage").waitFor();
    t.is(site.server.num.device("A2")!.coverage, "none");
    const text = "<img src=x onerror=window.__o=1> see you at 6";
    await site.page.fill('input[name="text"]', text);
    await site.page.click('button[data-act="party-sms"]');
    const msg = site.page.locator("#sms .msg");
    await msg.locator('.chip[data-device="A1"][data-status="delivered"]').waitFor();
    await msg.locator('.chip[data-device="P"][data-status="delivered"]').waitFor();
    t.is(await msg.locator(".text").innerText(), text);
    t.is(await msg.locator('.chip[data-device="A2"]').count(), 0, "R20: out of coverage, A2 is not offered a copy");
    t.is(await msg.locator("img").count(), 0);
    t.is(await site.page.evaluate(() => (globalThis as { __o?: number }).__o), undefined);
  });

  test("a device name and model written as HTML are shown as text on the live view", async (t) => {
    const site = await openSite(t, browser);
    const evil = "<script>window.__o=1</script><b>watch</b>";
    const port = site.server.net.portFor(MSISDN, { imei: simImei(901), friendlyName: evil, model: "<i>m</i>", sms: "native", callWaiting: false });
    await openLive(site);
    const c = site.page.locator(`.device[data-device="${port.id}"]`);
    await c.waitFor();
    t.is(await c.locator(".name").innerText(), evil);
    t.regex(await c.locator(".sub").innerText(), /^<i>m<\/i>/);
    t.is(await c.locator("script, b, i").count(), 0);
    t.is(await site.page.evaluate(() => (globalThis as { __o?: number }).__o), undefined);
  });
}
