/**
 * TS.43 SubscriptionResult 1 (R8 step 4) on the management site in headless Chromium:
 * the number's contract has new terms; P's app is sent to the websheet; the user signs
 * in, sees what waits, accepts the terms; the app asks again on the network's clock and
 * the accessory gets its profile. Also SubscriptionResult 4's words in the list.
 */
import test from "ava";
import { MSISDN } from "../serve/helpers.js";
import { haveChromium, openSite, signIn, useBrowser } from "./browser.js";

if (haveChromium()) {
  const browser = useBrowser();

  test("R8 R10: SubscriptionResult 1: the user accepts the new terms on the site; P's app asks again and the accessory is registered", async (t) => {
    const site = await openSite(t, browser, { accessories: 2, unprovisioned: 1 });
    const act = site.server.activation;
    act.service.publishTerms(2, "Article 1. <b>Shared</b> numbers & you.");
    const first = act.register(MSISDN, "Accessory 2");
    t.like(first, { ok: true, subscriptionResult: 1, pending: "websheet", websheetUrl: "/manage/terms" });
    await signIn(site, MSISDN);
    await site.page.locator("section.progress").waitFor();
    t.regex(await site.page.locator("section.progress .progress-state").innerText(), /waiting for the new terms to be accepted/);
    await site.page.click("section.progress .notice a");
    await site.page.locator("section.terms blockquote").waitFor();
    t.is(await site.page.locator("section.terms blockquote").innerText(), "Article 1. <b>Shared</b> numbers & you.", "the terms stay text");
    await site.page.click('section.terms form[action="/manage/terms"] button');
    await site.page.locator(".flash.ok").waitFor();
    t.regex(await site.page.locator(".flash.ok").innerText(), /Terms accepted/);
    t.is(act.service.termsPending(MSISDN), undefined);
    const later = new Promise<{ subscriptionResult?: number; downloaded: boolean }>((res) => act.events.on("outcome", res));
    await site.server.virtual!.advance(31000);
    t.like(await later, { subscriptionResult: 2, downloaded: true });
    await site.server.virtual!.advance(5000);
    t.is(site.server.accessories[1].port.enrollment, "registered");
    await site.page.goto(site.url("/manage"));
    t.is(await site.page.locator("section.progress").count(), 0, "nothing in progress any more");
    t.is(await site.page.locator("table.devices tbody tr").count(), 2);
    t.deepEqual(site.errors, []);
  });

  test("R8 R10: SubscriptionResult 4: the list says in words that the profile is being prepared", async (t) => {
    const site = await openSite(t, browser, { accessories: 2, unprovisioned: 1 });
    site.server.activation.smdp.preparationMs = 120000;
    t.like(site.server.activation.register(MSISDN, "Accessory 2"), { subscriptionResult: 4, pending: "delayed", retryInSec: 120 });
    await signIn(site, MSISDN);
    await site.page.locator("section.progress").waitFor();
    t.is(await site.page.locator("section.progress .progress-state").innerText(), "the profile is being prepared; the smartphone asks again by itself");
    await site.page.goto(site.url("/manage?lang=ja"));
    t.is(await site.page.locator("section.progress .progress-state").innerText(), "プロファイル準備中(スマートフォンが自動で再確認します)");
  });
}
