/**
 * The APN of the LTE attach (firmware/apn.ts, a car unit's config `apn`): PDP context 1
 * is read after bring-up and written only when it names another APN (27.007 §10.1.1).
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";
import { apnProblem } from "../../firmware/apn.js";

test("an APN is checked as a 23.003 §9.1 network identifier before anything reaches the modem", (t) => {
  t.is(apnProblem("spmode.ne.jp"), "");
  t.is(apnProblem("internet"), "");
  t.regex(apnProblem(""), /not empty/);
  t.regex(apnProblem("a..b"), /empty label/);
  t.regex(apnProblem('x",1'), /not "\\""/);
  t.regex(apnProblem("a".repeat(64)), /at most 63/);
});

test("after bring-up, context 1 gets the configured APN, once: an unchanged context is not written again after a reboot", async (t) => {
  const r = await simRig({ firmware: { apn: "spmode.ne.jp" } });
  const logs: string[] = [];
  r.fw.events.on("log", (l) => logs.push(l));
  await r.run(500);
  const ctx = r.modem.data.get(1);
  t.like(ctx, { cid: 1, type: "IP", apn: "spmode.ne.jp" }, "the PDP type the module had is kept");
  t.is(r.commands.filter((c) => c.startsWith("AT+CGDCONT=")).length, 1);
  t.is(r.commands.filter((c) => c === 'AT+CGDCONT=1,"IP","spmode.ne.jp"').length, 1);
  r.modem.reboot();
  await r.run(5000);
  t.is(r.fw.api.snapshot().modem, "ready");
  t.is(r.commands.filter((c) => c.startsWith("AT+CGDCONT=")).length, 1, "the module kept it: not written again");
  t.true(logs.some((l) => l === "APN spmode.ne.jp already set"), logs.join(" | "));
});

test("a firmware given an APN that is not one is refused at once", async (t) => {
  await t.throwsAsync(() => simRig({ firmware: { apn: "my apn" } }), { message: /APN "my apn": an APN holds only/ });
});
