/**
 * The management site (ワンナンバーサービス管理サイト) in headless Chromium: sign in,
 * the accessory list (R14), unregistering with a confirmation (R15) after which a call
 * no longer rings the accessory (R11, R20), the Multi-device option (R2), the error page
 * without a One Number contract (R14, R17), the language switch, and escaping.
 */
import test from "ava";
import { ALICE, MSISDN, atClient } from "../serve/helpers.js";
import { simImei } from "../../sim/serve/number-server.js";
import { haveChromium, openSite, signIn, useBrowser } from "./browser.js";

if (haveChromium()) {
  const browser = useBrowser();

  test("R14: signed in, the site lists each accessory with name, model, last 4 IMEI digits, registration time and state", async (t) => {
    const site = await openSite(t, browser);
    await site.api("POST", "/devices/A2/coverage", { state: "none" });
    await signIn(site, "090-1234-5678");
    const rows = site.page.locator("table.devices tbody tr");
    await rows.first().waitFor();
    t.is(await rows.count(), 2);
    const cells = async (device: string) => site.page.locator(`tr[data-device="${device}"] td`).allInnerTexts();
    const a1 = await cells("A1");
    t.is(a1[0].trim(), "Accessory 1");
    t.is(a1[1], "sim-generic");
    t.is(a1[2], site.server.accessories[0].imei.slice(-4));
    t.regex(a1[3], /JST$/);
    t.is(a1[4], "registered");
    const a2 = await cells("A2");
    t.is(a2[4], "not reachable", "R14: an accessory out of coverage is listed as not reachable");
    const iso = await site.page.locator('tr[data-device="A1"] time').getAttribute("datetime");
    t.is(iso, new Date(site.server.num.device("A1")!.registeredAt).toISOString());
    t.is(await site.page.locator('[data-testid="multi-device-state"]').innerText(), "on");
    t.deepEqual(site.errors, [], "no script error, no CSP violation");
  });

  test("R15, R18: unregistering an accessory asks for confirmation; its modem is told (+CEREG: 3); a call then rings P and A1 but not A2", async (t) => {
    const site = await openSite(t, browser);
    const a2 = await atClient(t, site.server.accessories[1].where);
    a2.send("AT+CEREG=1");
    await a2.rx.waitFor("OK");
    await signIn(site, MSISDN);
    await site.page.click('tr[data-device="A2"] a.danger');
    await site.page.locator("section.confirm").waitFor();
    t.is((await site.page.locator("section.confirm dd.name").innerText()).trim(), "Accessory 2");
    // Cancel leaves it registered.
    await site.page.click("section.confirm a.secondary");
    await site.page.locator('tr[data-device="A2"]').waitFor();
    await site.page.click('tr[data-device="A2"] a.danger');
    await site.page.click("section.confirm button.danger");
    await site.page.locator(".flash.ok").waitFor();
    t.regex(await site.page.locator(".flash.ok").innerText(), /Unregistered: Accessory 2/);
    t.is(await site.page.locator("table.devices tbody tr").count(), 1);
    t.is(site.server.num.device("A2"), undefined);
    t.is(site.server.accessories[1].port.enrollment, "none");
    await a2.rx.waitFor("+CEREG: 3");

    await site.api("POST", `/outside/${ALICE}/call`);
    const alerting = site.server.net.log.find({ kind: "alerting" });
    t.is(alerting.length, 1);
    t.deepEqual(alerting[0].detail.devices, ["P", "A1"]);
    // The live view agrees: A2 is unregistered and silent.
    await site.page.goto(site.url("/live"));
    await site.page.locator('.device[data-device="A1"][data-state="ringing"]').waitFor();
    t.is(await site.page.locator('.device[data-device="A2"]').getAttribute("data-state"), "unregistered");
    t.is(await site.page.locator('.device[data-device="P"]').getAttribute("data-state"), "ringing");
  });

  test("R2: the Multi-device option cannot be turned off with two accessories; with one it turns off and on", async (t) => {
    const site = await openSite(t, browser);
    await signIn(site, MSISDN);
    await site.page.click('form[action="/manage/multi-device"] button');
    await site.page.locator(".flash.error").waitFor();
    t.regex(await site.page.locator(".flash.error").innerText(), /at most one accessory/);
    t.true(site.server.num.multiDevice);
    await site.page.click('tr[data-device="A2"] a.danger');
    await site.page.click("section.confirm button.danger");
    await site.page.locator(".flash.ok").waitFor();
    await site.page.click('form[action="/manage/multi-device"] button');
    await site.page.locator('[data-testid="multi-device-state"]:text("off")').waitFor();
    t.false(site.server.num.multiDevice);
    t.is(await site.page.locator("table.devices").count(), 0, "the list comes with the option");
    await site.page.click('form[action="/manage/multi-device"] button');
    await site.page.locator('[data-testid="multi-device-state"]:text("on")').waitFor();
    t.true(site.server.num.multiDevice);
    t.is(await site.page.locator("table.devices tbody tr").count(), 1);
  });

  test("R14: a customer without a One Number contract gets the error page", async (t) => {
    const site = await openSite(t, browser);
    await signIn(site, "08011112222");
    await site.page.locator("section.error-page").waitFor();
    t.regex(await site.page.locator("section.error-page").innerText(), /no One Number contract/);
    t.is(await site.page.locator("table.devices").count(), 0);
    const res = await site.page.goto(site.url("/manage"));
    t.is(res!.status(), 403);
  });

  test("R17: after One Number ends, the signed-in owner gets the error page instead of the list", async (t) => {
    const site = await openSite(t, browser);
    await signIn(site, MSISDN);
    await site.page.locator("table.devices").waitFor();
    site.server.site.endOneNumber(MSISDN);
    await site.server.settle();
    const res = await site.page.goto(site.url("/manage"));
    t.is(res!.status(), 403);
    t.regex(await site.page.locator("section.error-page").innerText(), /no One Number contract/);
  });

  test("a wrong network PIN is refused, and five wrong PINs stop sign-in for the session", async (t) => {
    const site = await openSite(t, browser);
    await signIn(site, MSISDN, "1111");
    await site.page.locator("p.error").waitFor();
    t.regex(await site.page.locator("p.error").innerText(), /PIN is wrong/);
    t.is(await site.page.locator("table.devices").count(), 0);
    for (let i = 0; i < 4; i++) {
      await site.page.fill('input[name="pin"]', "1111");
      await site.page.click('form[action="/signin"] button');
      await site.page.locator("p.error").waitFor();
    }
    await site.page.fill('input[name="pin"]', "0000");
    await site.page.click('form[action="/signin"] button');
    await site.page.locator("p.error").waitFor();
    t.regex(await site.page.locator("p.error").innerText(), /Too many wrong PINs/);
  });

  test("the site speaks Japanese by default for a Japanese browser and switches language both ways", async (t) => {
    const site = await openSite(t, browser, {}, "ja-JP");
    await site.page.goto(site.url("/"));
    t.is(await site.page.locator("h1").innerText(), "ログイン");
    t.is(await site.page.getAttribute("html", "lang"), "ja");
    await site.page.click("a.lang");
    await site.page.locator('h1:text("Sign in")').waitFor();
    await site.page.fill('input[name="number"]', MSISDN);
    await site.page.fill('input[name="pin"]', "0000");
    await site.page.click('form[action="/signin"] button');
    await site.page.locator('th:text("IMEI (last 4)")').waitFor();
    await site.page.click("a.lang");
    await site.page.locator('th:text("IMEI(下4桁)")').waitFor();
    t.is(await site.page.locator('tr[data-device="A1"] td span.state').innerText(), "登録済み");
  });

  test("R14: a friendly name and model written as HTML are shown as text on the list and the confirmation page", async (t) => {
    const site = await openSite(t, browser);
    const evil = "<script>window.__o=1</script><img src=x onerror=window.__o=2>";
    site.server.net.portFor(MSISDN, { imei: simImei(900), friendlyName: evil, model: "<b>bold</b>", sms: "native", callWaiting: false });
    await signIn(site, MSISDN);
    const row = site.page.locator('tr[data-device="A3"]');
    await row.waitFor();
    t.is((await row.locator("td.name").innerText()).trim(), evil);
    t.is(await row.locator("td").nth(1).innerText(), "<b>bold</b>");
    t.is(await row.locator("script, img, b").count(), 0);
    await row.locator("a.danger").click();
    t.is((await site.page.locator("section.confirm dd.name").innerText()).trim(), evil);
    t.is(await site.page.evaluate(() => (globalThis as { __o?: number }).__o), undefined);
  });
}
