/**
 * Issue 12 "Done when", end to end: the simulated network, A1's simulated Quectel modem
 * carrying real TCP, the real car-unit firmware with its data session and companion link
 * (MQTT.js over the modem socket), a real aedes broker and a backend fed by the network.
 */
import test from "ava";
import { until } from "./helpers.js";
import { e2e, roundTrip } from "./e2e-rig.js";

test.serial("R83 R84: with P off and A1 in a call, A1's data carries traffic; a call on P afterwards does not suspend it", async (t) => {
  const e = await e2e();
  t.teardown(() => e.close());
  const downs: string[] = [];
  e.companion.data.events.on("down", (why) => downs.push(why));
  e.num.phone.powerOff();
  const alice = e.network.outside("+818011112222");
  alice.call("+819012345678");
  await until(() => e.fw.line.lineState() === "ringingHere", "A1 rings", 10000);
  const answered = await e.fw.line.answer();
  t.true(answered.ok);
  await until(() => e.fw.line.lineState() === "inCallHere", "A1 in the call", 10000);
  // R83: A1's own data, during its own call, with P off.
  await roundTrip(e, "in-call-1");
  await until(() => e.be.seen.some((m) => m.topic.endsWith("/state") && JSON.parse(m.payload).call === "active"), "state shows the call");
  await e.fw.line.hangup();
  await until(() => e.fw.line.lineState() === "idle", "A1's call ended", 10000);
  // R84: P comes back and makes a call; A1's data is not suspended.
  e.num.phone.powerOn();
  const bob = e.network.outside("+818033334444");
  e.num.phone.dial("+818033334444");
  await until(() => bob.calls.length > 0, "P's call reaches bob", 10000);
  bob.answer();
  await until(() => e.num.phone.live().some((c) => c.state === "active"), "P in a call", 10000);
  await roundTrip(e, "during-p-call");
  t.deepEqual(downs, [], "A1's data never went down");
  t.is(e.network.log.find({ kind: "data-down" as never }).length, 0);
  t.is(e.companion.data.session.status().name, "up");
});

test.serial("R82: P makes itself the priority device; A1 (a watch, on the module's MQTT stack) shows \"smartphone\" with no code sent", async (t) => {
  const e = await e2e("watch-bangle2-bg95");
  t.teardown(() => e.close());
  // A1 holds the priority first (its own *103*1#).
  const set = await e.fw.messaging.setPriority("accessory");
  t.true(set.ok, set.ok ? "" : set.message);
  t.is(e.fw.messaging.priorityState().holder, "this");
  const mark = e.at.length;
  e.num.phone.serviceCode("*103*0#");
  await until(() => e.fw.messaging.priorityState().holder === "smartphone", "A1's setting follows P", 10000);
  t.is(e.fw.messaging.priorityState().source, "companion");
  const since = e.at.slice(mark).filter((l) => l.indexOf("> ") === 0);
  t.false(since.some((l) => l.indexOf("CUSD") >= 0 || l.indexOf("*103") >= 0 || l.indexOf("ATD") >= 0), "no code was sent: " + since.join(" | "));
  // The state A1 publishes says where it learned it.
  await until(() => e.be.seen.some((m) => m.topic.endsWith("/state") && JSON.parse(m.payload).smsPriority.holder === "phone"), "state with the new holder");
});

test.serial("R15 R18: A1 unregistered on the site hears it over MQTT before the registration report and stops its data", async (t) => {
  const e = await e2e();
  t.teardown(() => e.close());
  const order: string[] = [];
  e.companion.data.session.events.on("state", (s) => {
    if (s.name === "barred") order.push("data stopped: " + s.reason);
  });
  e.fw.channel.events.on("rx", (l) => {
    if (l.indexOf("+CEREG: 3") === 0 || l.indexOf("+CEREG: 0") === 0) order.push("registration report: " + l);
  });
  const heard: string[] = [];
  e.companion.link.events.on("unregistered", (why) => heard.push(why));
  await e.unregisterFromSite();
  await until(() => order.some((o) => o.indexOf("registration report") === 0), "the network's report", 10000);
  t.true(heard.length >= 1);
  t.regex(order[0], /^data stopped: unregistered \(management: companion link/);
  // The network saw A1's data end at the unregistration (R15), and the modem has no context.
  await until(() => e.network.log.find({ kind: "data-down" as never }).length > 0 || e.port.pdns.size === 0, "data gone on the network side");
  t.is(e.port.pdns.size, 0);
  t.is(e.companion.data.session.status().name, "barred");
});
