/**
 * The companion link through adapter A: MQTT.js 5 over a `ModemSocket` on the AT channel,
 * a Quectel module answering the socket commands (test/firmware/data-quectel-fake.ts) and
 * a real aedes broker behind it. The fault tests of issue 12: lost "recv" notice,
 * `pdpdeact` in the middle of a publish, the socket closed by the modem, a modem reset.
 */
import test from "ava";
import { Socket } from "node:net";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { systemClock } from "../../hal/node/clock.js";
import { Emitter } from "../../hal/emitter.js";
import { AtChannel } from "../../drivers/at/index.js";
import type { Registration } from "../../drivers/modems/index.js";
import { quectelEg91 } from "../../drivers/modems/quectel.js";
import type { ModemState } from "../../firmware/modem/machine.js";
import { createDataStack } from "../../firmware/data/index.js";
import { modemPubSub } from "../../firmware/companion/mqttjs.node.js";
import { QuectelFake } from "../firmware/data-quectel-fake.js";
import { backend, json, makeLink, N, startBroker, until } from "./helpers.js";

const DEV = "c4rn1t01";
const base = "sl/v1/" + N + "/dev/" + DEV + "/";

function modemState(name: ModemState["name"]): ModemState {
  return { name, failures: 0, resets: 0, reboots: 0, lastError: "" };
}

const registered: Registration = { domain: "eps", stat: "home", area: undefined, cell: undefined, act: 7, n: undefined };

async function rig(t: { teardown(fn: () => unknown): void }, opts?: { before?: (fake: QuectelFake) => void; quiet?: () => boolean }) {
  const broker = await startBroker();
  const [dte, dce] = memorySerialPair({}, {});
  const fake = new QuectelFake(dce);
  if (opts && opts.before) opts.before(fake);
  const channel = new AtChannel(dte, systemClock, { finals: quectelEg91.finals, banners: quectelEg91.banners });
  const modemEvents = new Emitter<{ state: ModemState; registration: Registration }>();
  const resets: string[] = [];
  // The modem manager's part, as seen by the data stack: a reboot makes it not ready, and
  // bring-up makes it ready again.
  channel.events.on("reboot", () => {
    modemEvents.emit("state", modemState("bringingUp"));
    setTimeout(() => modemEvents.emit("state", modemState("ready")), 20);
  });
  const stack = createDataStack(
    channel,
    systemClock,
    {
      events: modemEvents,
      resetModem: (why) => {
        resets.push(why);
        fake.reboot();
      },
    },
    "quectel-eg91",
    { apn: "internet.example", context: 1, healthyAfterMs: 60000 },
    {
      policy: { reactivate: { baseMs: 30, capMs: 200, minMs: 0 }, random: () => 0.5 },
      sockets: { pollAfterSendMs: 30, idlePollMs: 300, quiet: (opts && opts.quiet) || (() => false) },
    },
  );
  const ps = modemPubSub(stack.sockets!, { host: "127.0.0.1", port: broker.port });
  const l = makeLink(ps, DEV, { data: stack });
  /** Brokers a test starts later, closed after the link has stopped. */
  const later: { close(): Promise<void> }[] = [];
  t.teardown(async () => {
    await l.link.stop();
    stack.stop();
    channel.close();
    await broker.close();
    for (const b of later) await b.close();
  });
  stack.session.start();
  modemEvents.emit("state", modemState("ready"));
  modemEvents.emit("registration", registered);
  await l.link.start();
  await until(() => l.link.status().name === "online", "link online over the modem", 10000);
  return { broker, fake, channel, stack, link: l.link, source: l.source, actions: l.actions, resets, later };
}

test("R83: the link comes up over the modem's own data: context, socket, MQTT, retained state", async (t) => {
  const r = await rig(t);
  t.is(r.stack.session.status().address, "10.1.2.3");
  const be = await backend(r.broker.port, [base + "#"]);
  await until(() => be.seen.some((m) => m.topic === base + "state"), "retained state seen by the backend");
  t.is(json(be.seen.find((m) => m.topic === base + "status")).online, true);
  // Buffer access mode, hex data, never transparent mode.
  t.true(r.fake.commands.some((c) => c.indexOf("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\"") === 0 && c.endsWith(",0,0")));
  t.true(r.fake.commands.includes('AT+QICFG="dataformat",0,1'));
  t.false(r.fake.commands.some((c) => c.indexOf("QISWTMD") >= 0 || c.indexOf("+++") >= 0));
  await be.client.endAsync();
});

test("a lost \"recv\" notice: the poll after the send still reads the answer", async (t) => {
  const r = await rig(t);
  const be = await backend(r.broker.port, [base + "ack"]);
  r.fake.loseRecvNotices = 1;
  await be.client.publishAsync(base + "cmd", JSON.stringify({ v: 1, id: "lost-1", op: "ping", exp: 4102444800 }), { qos: 1 });
  await until(() => be.seen.some((m) => json(m).status === "done"), "ack after a lost notice", 10000);
  t.is(r.fake.loseRecvNotices, 0);
  await be.client.endAsync();
});

test("pdpdeact in the middle of a publish: the context is re-activated and the link comes back", async (t) => {
  const r = await rig(t);
  const downs: string[] = [];
  r.stack.events.on("down", (why) => downs.push(why));
  r.fake.deactivateOnNextSend = true;
  r.source.set({ call: "active" });
  await until(() => downs.length > 0, "data down");
  t.regex(downs[0], /pdpdeact|deactivated|send failed/);
  await until(() => r.link.status().name === "online" && r.stack.status().name === "up", "link back", 10000);
  const be = await backend(r.broker.port, [base + "state"]);
  await until(() => be.seen.some((m) => json(m).call === "active"), "the latest state published after recovery");
  t.true(r.fake.active);
  await be.client.endAsync();
});

test("the socket closed by the modem: MQTT reconnects on a new socket", async (t) => {
  const r = await rig(t);
  const states: string[] = [];
  r.link.events.on("state", (s) => states.push(s.name));
  r.fake.closeFromNetwork(0);
  await until(() => states.includes("backoff"), "link noticed the close");
  await until(() => r.link.status().name === "online", "online again", 10000);
  // The old socket was released with AT+QICLOSE before another was opened.
  t.true(r.fake.commands.includes("AT+QICLOSE=0,1"));
});

test("modem reset: data comes back after bring-up, stale state is not reused", async (t) => {
  const r = await rig(t);
  const ups: string[] = [];
  r.stack.events.on("up", (a) => ups.push(a));
  r.fake.reboot();
  await until(() => ups.length === 1, "data up again after the reboot", 10000);
  await until(() => r.link.status().name === "online", "link online after the reboot", 10000);
  // The module lost its settings: the hex data format was set again.
  t.is(r.fake.commands.filter((c) => c === 'AT+QICFG="dataformat",0,1').length, 2);
});

test("stale sockets the module still holds are closed before the link opens its own", async (t) => {
  const r = await rig(t, {
    before: (fake) => {
      // Socket 0 left over from before a restart of ours: the module still holds it.
      fake.active = true;
      fake.sockets[0] = { tcp: new Socket(), unread: "", total: 0, read: 0, notified: false, state: "open" };
    },
  });
  const stale = r.fake.commands.indexOf("AT+QICLOSE=0,1");
  const open = r.fake.commands.findIndex((c) => c.indexOf("AT+QIOPEN=") === 0);
  t.true(stale >= 0 && stale < open, r.fake.commands.join(" | "));
  t.true(r.fake.commands.indexOf("AT+QISTATE?") < stale);
});

test("during an emergency call the socket sends nothing; what was written goes out after", async (t) => {
  let emergency = false;
  const r = await rig(t, { quiet: () => emergency });
  const be = await backend(r.broker.port, [base + "state"]);
  emergency = true;
  const mark = r.fake.commands.length;
  r.source.set({ call: "emergency" });
  await new Promise((res) => setTimeout(res, 400));
  t.deepEqual(r.fake.commands.slice(mark).filter((c) => c.indexOf("AT+QISENDEX") === 0 || c.indexOf("AT+QIRD") === 0), []);
  emergency = false;
  await until(() => be.seen.some((m) => json(m).call === "emergency"), "state after the call", 10000);
  await be.client.endAsync();
});

test("broker restart behind the modem socket: the link backs off (escalating to the context after three failures) and returns with a new session", async (t) => {
  const r = await rig(t);
  const port = r.broker.port;
  await r.broker.close();
  await until(() => r.link.status().name !== "online", "link down after the broker went away", 10000);
  const again = await startBroker(port);
  r.later.push(again);
  const be = await backend(port, [base + "status"]);
  await until(() => r.link.status().name === "online", "online on the restarted broker", 15000);
  await until(() => be.seen.some((m) => json(m).online === true), "presence on the new broker");
  await until(() => r.stack.session.status().name === "up", "data up");
  t.is(r.link.status().failures > 0, true);
  await be.client.endAsync();
});
