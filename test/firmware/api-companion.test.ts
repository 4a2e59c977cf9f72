/**
 * The API commands the companion link acts through (docs/api.md): the management's
 * "unregistered" fast path (R15, R18) and "SMS priority changed elsewhere" (R82), with
 * their events and console lines, on the real firmware and a simulated modem.
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";
import { runCommand } from "../../firmware/commands.js";
import type { DataInfo } from "../../firmware/api.js";

test("R15 R18: managementUnregistered stops the accessory's own data at once and says so; only the network's report decides the rest", async (t) => {
  const r = await simRig();
  await r.run(3000);
  t.is(r.fw.api.snapshot().data, "up", "the data session came up with the firmware (R83)");
  const st = await r.fw.api.status();
  t.like(st, { ok: true, data: { state: "up" } });
  const seen: DataInfo[] = [];
  r.fw.api.events.on("data", (d) => seen.push(d));
  const reply = await r.fw.api.managementUnregistered("by the management site");
  t.like(reply, { ok: true, data: { state: "barred", address: "" } });
  if (reply.ok) t.regex(reply.data!.reason, /management: by the management site/);
  await r.run(1000);
  t.is(seen[seen.length - 1].state, "barred");
  t.true(r.commands.some((c) => /^AT\+CGACT=0,1$/.test(c)), "the context is deactivated: " + r.commands.slice(-5).join(" | "));
  // The network still says registered: the fast path does not lift itself.
  await r.run(30000);
  t.is(r.fw.api.snapshot().data, "barred");
  t.is(r.fw.api.snapshot().registration, "home");
});

test("R82: priorityChangedElsewhere makes the setting follow the smartphone with no code sent", async (t) => {
  const r = await simRig();
  const before = r.commands.length;
  const events: string[] = [];
  r.fw.api.events.on("priority", (p) => events.push(p.priority.holder + " " + p.priority.source));
  const reply = await r.act(r.fw.api.priorityChangedElsewhere("smartphone"));
  t.like(reply, { ok: true, priority: { holder: "smartphone", source: "companion" }, text: "the smartphone" });
  t.deepEqual(events, ["smartphone companion"]);
  t.deepEqual(
    r.commands.slice(before).filter((c) => /CUSD|ATD/.test(c)),
    [],
    "no *103# code and no dial",
  );
  t.like(await r.fw.api.priority(), { ok: true, priority: { holder: "smartphone" } });
  t.like(await r.fw.api.priorityChangedElsewhere("nobody" as never), { ok: false, reason: "usage" });
});

test("the console lines: priority elsewhere <holder> [name] and unregistered [reason]", async (t) => {
  const r = await simRig();
  t.like(await r.act(runCommand(r.fw.api, "priority elsewhere other Car unit")), { ok: true, priority: { holder: "other", name: "Car unit" } });
  t.like(await runCommand(r.fw.api, "priority elsewhere"), { ok: false, reason: "usage" });
  t.like(await runCommand(r.fw.api, "priority elsewhere phone"), { ok: false, reason: "usage" });
  await r.run(3000);
  const u = await runCommand(r.fw.api, "unregistered site says so");
  t.like(u, { ok: true, data: { state: "barred" } });
});

test("a firmware built without the data session says so: data null in the snapshot, status and the unregistered reply", async (t) => {
  const r = await simRig({ firmware: { data: false } });
  t.is(r.fw.api.snapshot().data, null);
  t.like(await r.fw.api.status(), { ok: true, data: null, companion: null });
  t.like(await r.fw.api.managementUnregistered(), { ok: true, data: null });
});
