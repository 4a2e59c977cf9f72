/**
 * Adapter B, the module's own MQTT stack (`AT+QMT*`), on the simulated Quectel modem
 * (sim/modem: an independent model whose MQTT sessions are real TCP connections) with a
 * real aedes broker behind it; the data session under it activates the context first.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { systemClock } from "../../hal/node/clock.js";
import { Emitter } from "../../hal/emitter.js";
import { AtChannel } from "../../drivers/at/index.js";
import type { Registration } from "../../drivers/modems/index.js";
import { quectelBg95 } from "../../drivers/modems/quectel.js";
import type { ModemState } from "../../firmware/modem/machine.js";
import { createDataStack } from "../../firmware/data/index.js";
import { QuectelMqttPubSub } from "../../firmware/companion/qmt.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { backend, json, makeLink, N, startBroker, until } from "./helpers.js";

const DEV = "w4tch001";
const base = "sl/v1/" + N + "/dev/" + DEV + "/";

test("the watch's link on the module's MQTT stack: presence, state, a command acked once, the will on loss", async (t) => {
  const broker = await startBroker();
  const clock = new VirtualClock();
  const modem = new SimModem({ clock, network: new NetworkStub({ clock }), identity: { manufacturer: "Quectel", model: "BG95-M3", revision: "BG95M3LAR02A03" } });
  const [host, line] = memorySerialPair();
  modem.connect(line);
  modem.powerOn(false);
  // The simulator's own timers run on its virtual clock; let it move while real I/O happens.
  const pump = setInterval(() => void clock.advance(20), 5);
  const channel = new AtChannel(host, systemClock, { finals: quectelBg95.finals, banners: quectelBg95.banners });
  await channel.send("ATE0");
  await channel.send("AT+CMEE=1");
  const modemEvents = new Emitter<{ state: ModemState; registration: Registration }>();
  const stack = createDataStack(channel, systemClock, { events: modemEvents, resetModem: () => undefined }, "quectel-bg95", { apn: "internet", context: 1, healthyAfterMs: 60000 });
  const ps = new QuectelMqttPubSub(channel, systemClock, { host: "127.0.0.1", port: broker.port });
  const l = makeLink(ps, DEV, { data: stack });
  t.teardown(async () => {
    await l.link.stop();
    ps.stop();
    stack.stop();
    channel.close();
    modem.reboot();
    clearInterval(pump);
    await broker.close();
  });
  const be = await backend(broker.port, [base + "#"]);
  stack.session.start();
  modemEvents.emit("state", { name: "ready", failures: 0, resets: 0, reboots: 0, lastError: "" });
  modemEvents.emit("registration", { domain: "eps", stat: "home", area: undefined, cell: undefined, act: 7, n: undefined });
  await l.link.start();
  await until(() => l.link.status().name === "online", "online on the module's MQTT stack", 10000);
  await until(() => be.seen.some((m) => m.topic === base + "state"), "state");
  t.is(json(be.seen.find((m) => m.topic === base + "status")).online, true);
  t.is(json(be.seen.find((m) => m.topic === base + "state")).reg, "registered");
  const cmd = JSON.stringify({ v: 1, id: "q1", op: "ping", exp: 4102444800 });
  await be.client.publishAsync(base + "cmd", cmd, { qos: 1 });
  await be.client.publishAsync(base + "cmd", cmd, { qos: 1 });
  await until(() => be.seen.filter((m) => m.topic === base + "ack").length >= 3, "acks");
  t.deepEqual(
    be.seen.filter((m) => m.topic === base + "ack").map((m) => json(m).status),
    ["accepted", "done", "duplicate"],
  );
  // The module's link dies without DISCONNECT: the broker publishes the retained will.
  broker.kick(DEV);
  await until(() => be.seen.some((m) => m.topic === base + "status" && json(m).online === false), "will");
  await until(() => l.link.status().name === "online" && be.seen.filter((m) => m.topic === base + "status" && json(m).online === true).length >= 2, "back online", 10000);
  await be.client.endAsync();
});
