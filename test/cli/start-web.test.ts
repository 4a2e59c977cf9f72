/**
 * `npm start` as a new user meets it (issue 13): the car unit on the simulator, started
 * the real way (`npm start -- --first-boot --web 0`), with its web site on a free port.
 * The accessory starts with no profile; the user registers it from the live view in
 * Chromium (P's One Number app, TS.43 with EAP-AKA, the profile downloaded to the
 * simulated modem); the firmware says One Number is active; then a call from the live
 * view's outside party rings it.
 */
import test from "ava";
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";
import { ROOT } from "../support/cli-process.js";
import { CHROMIUM, WAIT_MS, haveChromium } from "../web/browser.js";

interface Line {
  event?: string;
  data?: { [k: string]: unknown } | null;
  text?: string;
}

if (haveChromium()) {
  test("R7 R8 R11: npm start --first-boot --web 0: registered from the web page in Chromium, the firmware says it is active, and a call rings it", async (t) => {
    const child = spawn("npm", ["start", "--silent", "--", "--first-boot", "--web", "0", "--json", "--no-broker"], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    t.teardown(() => {
      if (child.exitCode === null) child.kill("SIGKILL");
    });
    const lines: Line[] = [];
    const waiters: { test: (l: Line) => boolean; done: (l: Line) => void }[] = [];
    let buf = "";
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString("utf8")));
    child.stdout.on("data", (b: Buffer) => {
      buf += b.toString("utf8");
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let l: Line;
        try {
          l = JSON.parse(text) as Line;
        } catch {
          continue;
        }
        lines.push(l);
        for (const w of waiters.slice()) {
          if (w.test(l)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done(l);
          }
        }
      }
    });
    const next = (what: string, test: (l: Line) => boolean): Promise<Line> => {
      const seen = lines.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no " + what + " within " + WAIT_MS + " ms; stderr: " + err)), WAIT_MS);
        waiters.push({
          test,
          done: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
      });
    };

    const web = await next("web line", (l) => l.event === "web" && !!l.data);
    const url = String((web.data as { url: string }).url);
    t.regex(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    // First boot: the firmware says how to register (the activation event's words).
    const howTo = await next("first-boot sentence", (l) => l.event === "activation" && !!l.data && (l.data as { state: string }).state === "noProfile" && !!(l.data as { said: string }).said);
    t.regex(String((howTo.data as { said: string }).said), /register this accessory with IMEI 356938035643809/);

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    t.teardown(() => browser.close());
    const page = await browser.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url + "/live?lang=en");
    await page.locator("#conn.live").waitFor();
    await page.click('.device button[data-act="register"]');
    await next("One Number active", (l) => l.event === "service" && !!l.data && (l.data as { state: string }).state === "active");
    t.is(lines.filter((l) => l.event === "service" && (l.data as { message: string }).message === "One Number is active on this device").length, 1, "said once");
    await page.locator('.device button[data-act="unregister"]').waitFor();

    await page.click('button[data-act="party-call"]');
    const ring = await next("incoming call", (l) => l.event === "incoming");
    t.truthy(ring.data);
    t.deepEqual(errors, []);
    child.stdin.end("quit\n");
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on("exit", resolve)));
    t.is(code, 0, err);
  });
}
