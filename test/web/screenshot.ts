/**
 * The README's pictures of the live view and the management site, taken in headless
 * Chromium from a served number in a scene worth looking at: a call from an outside
 * party ringing on P, A1 and A2 while A3 is out of coverage, an SMS to the number and
 * one P sent.
 *
 *   node --import tsx test/web/screenshot.ts docs
 */
import { chromium } from "playwright-core";
import { join } from "node:path";
import { startControl } from "../../sim/serve/http-control.js";
import { startNumberServer } from "../../sim/serve/number-server.js";

const out = process.argv[2] || "docs";
const server = await startNumberServer({ accessories: 3, transport: { kind: "tcp", basePort: 0, host: "127.0.0.1" }, virtualTime: true });
const control = await startControl(server, 0);
const post = async (path: string, body: unknown) => {
  const res = await fetch(control.url + path, { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(path + ": " + (await res.text()));
};
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 980 }, deviceScaleFactor: 1, locale: "en-GB" });
  await post("/outside/+818055556666/sms", { text: "Dinner at 7?" });
  await post("/phone/sms", { to: "+818055556666", text: "Yes, see you there" });
  await post("/devices/A3/coverage", { state: "none" });
  await post("/outside/+818011112222/call", {});
  await page.goto(control.url + "/live?lang=en");
  await page.locator('.device[data-device="A1"][data-state="ringing"]').waitFor();
  await page.screenshot({ path: join(out, "live-view.png"), fullPage: true });

  await page.goto(control.url + "/?lang=ja");
  await page.fill('input[name="number"]', server.num.msisdn);
  await page.fill('input[name="pin"]', "0000");
  await page.click("button.primary");
  await page.locator("table.devices").waitFor();
  await page.screenshot({ path: join(out, "management-site.png"), fullPage: true });
} finally {
  await browser.close();
  await control.close();
  await server.close();
}
