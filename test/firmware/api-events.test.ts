/**
 * The firmware API forwards what the parts learned in issues 9 and 14 as plain events with
 * the same names everywhere (emergency progress, the R18/R55 service state, network USSD),
 * and the console's `ussd reply|end` lines reach the USSD session through it.
 */
import test from "ava";
import { runCommand } from "../../firmware/commands.js";
import { emergencyRig } from "../support/emergency-rig.js";

function record(fw: { api: { onAny(fn: (name: string, data: unknown) => void): void } }): { name: string; data: unknown }[] {
  const seen: { name: string; data: unknown }[] = [];
  fw.api.onAny((name, data) => seen.push({ name, data }));
  return seen;
}

test("R45/R46: an emergency dial's progress reaches API listeners: requested at once, placed after the boot banner", async (t) => {
  const { rig: r, start } = emergencyRig({ modem: { bootMs: 2000 } });
  const seen = record(r.fw);
  await start();
  void r.fw.api.dial("119");
  await r.run(3000);
  const phases = seen.filter((e) => e.name === "emergency").map((e) => (e.data as { phase: string }).phase);
  t.is(phases[0], "requested");
  t.true(phases.includes("placed"), "placed once the modem could take it: " + phases.join(","));
  t.true(r.dials["119"] !== undefined, "ATD119; was written");
});

test("R18/R55: the service state change reaches API listeners once, as plain data with its sentence", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  const seen = record(r.fw);
  await start();
  r.network.setRegistration("denied");
  await r.run(200);
  const service = seen.filter((e) => e.name === "service").map((e) => e.data);
  t.deepEqual(service[service.length - 1], { state: "notActive", emergencyCalls: false, message: "One Number is not active on this device", by: "network" });
  t.is(service.filter((s) => (s as { state: string }).state === "notActive").length, 1);
});

test("R91: a network-initiated USSD question is an API event; `ussd reply` answers it in its session, `ussd end` with nothing open is refused, and sends nothing", async (t) => {
  const { rig: r, start } = emergencyRig({ startAt: "ready", network: { ussd: { "1": { status: 0, text: "Roaming data is on", dcs: 15 } } } });
  const seen = record(r.fw);
  await start();
  r.network.ussdNotify({ status: 1, text: "Turn roaming data on? 1 yes, 2 no", dcs: 15 });
  await r.run(100);
  t.deepEqual(seen.filter((e) => e.name === "networkUssd").map((e) => e.data), [{ status: 1, text: "Turn roaming data on? 1 yes, 2 no", replyExpected: true }]);
  let reply: unknown;
  void runCommand(r.fw.api, "ussd reply 1").then((v) => (reply = v));
  await r.run(2000);
  t.like(reply, { ok: true, text: "Roaming data is on" });
  t.like(await runCommand(r.fw.api, "ussd"), { ok: false, reason: "usage" });
  let end: unknown;
  void runCommand(r.fw.api, "ussd end").then((v) => (end = v));
  await r.run(2000);
  t.like(end, { ok: false, message: "no USSD session is open" });
  t.false(r.commands.includes("AT+CUSD=2"), "no cancel for a session that is not open");
});
