/**
 * Headless Chromium (Debian's, driven by playwright-core) for the web page tests: one
 * browser per test file, a fresh context (cookies, storage) per test, and a served
 * number with its control server for each test. Waits are on page conditions only.
 */
import test, { type ExecutionContext } from "ava";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { haveTool } from "../support/tools.js";
import { served, type Served } from "../serve/helpers.js";
import type { NumberServerOptions } from "../../sim/serve/number-server.js";

export const CHROMIUM = "/usr/bin/chromium";
/** Generous bound for a page condition (the machine may be busy); a pass is usually milliseconds. */
export const WAIT_MS = 30000;
export const PIN = "0000";

/** True when Chromium is installed (else the file's tests are skipped, or fail under CI). */
export function haveChromium(): boolean {
  return haveTool(CHROMIUM, "the web pages are tested in a real browser", ["--version"]);
}

let browser: Promise<Browser> | undefined;

/** Registers the file's browser: launched on first use, closed after the file's tests. */
export function useBrowser(): () => Promise<Browser> {
  test.after.always(async () => {
    if (browser) await (await browser).close();
  });
  return () => {
    if (!browser) browser = chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    return browser;
  };
}

export interface Site extends Served {
  context: BrowserContext;
  page: Page;
  /** Script errors and console errors of the page (a CSP violation shows here too). */
  errors: string[];
  /** An absolute URL of the served site. */
  url(path: string): string;
}

/** A served number (virtual time) and a fresh browser page, both closed at teardown. */
export async function openSite(t: ExecutionContext, getBrowser: () => Promise<Browser>, opts: Partial<NumberServerOptions> = {}, locale = "en-GB"): Promise<Site> {
  const s = await served(t, opts);
  const context = await (await getBrowser()).newContext({ locale });
  context.setDefaultTimeout(WAIT_MS);
  t.teardown(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return { ...s, context, page, errors, url: (path) => s.control.url + path };
}

/** Signs in to the management site with the simulated credentials. */
export async function signIn(site: Site, number: string, pin = PIN): Promise<void> {
  await site.page.goto(site.url("/?lang=en"));
  await site.page.fill('input[name="number"]', number);
  await site.page.fill('input[name="pin"]', pin);
  await site.page.click('form[action="/signin"] button');
}
