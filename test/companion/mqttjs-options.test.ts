/**
 * What MQTT.js is made to do on a cellular link (companion-link.md §0.3, issue 12 §3),
 * seen on the wire rather than in an options object: the CONNECT a real broker receives
 * says MQTT 3.1.1, clean session, the board's keepalive, a retained QoS 1 will; a server
 * that never answers CONNECT is waited for 90 s; MQTT.js never re-dials by itself (the
 * link's supervisor does, with jittered back-off): it would arm its re-dial on close by
 * going `reconnecting` and emitting `offline`, which a control client shows.
 */
import test from "ava";
import { createServer, type Socket } from "node:net";
import { mock } from "node:test";
import type { ConnectPacket } from "aedes";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { MqttJsPubSub, urlPubSub } from "../../firmware/companion/mqttjs.node.js";
import { makeLink, N, startBroker, until } from "./helpers.js";

test.serial("a broker that accepts TCP but never answers CONNECT is waited for 90 s (a socket opened through a modem can take 150 s), then the connect fails", async (t) => {
  const sockets: Socket[] = [];
  let received = 0;
  const server = createServer((s) => {
    sockets.push(s);
    s.on("data", (d) => (received += d.length));
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const ps = urlPubSub("mqtt://127.0.0.1:" + (server.address() as { port: number }).port);
  // MQTT.js arms its CONNACK timer with setTimeout when the stream is set up. Serial: the
  // other tests here poll with real timers, which must not be mocked under it.
  mock.timers.enable({ apis: ["setTimeout"] });
  t.teardown(() => mock.timers.reset());
  let failed: Error | undefined = undefined;
  const pending = ps.connect({ clientId: "slowack1", password: "pw", keepaliveS: 240, will: { topic: "sl/v1/" + N + "/dev/slowack1/status", payload: "{}" } }).then(
    () => undefined,
    (e: Error) => {
      failed = e;
    },
  );
  while (received === 0) await new Promise((resolve) => setImmediate(resolve));
  mock.timers.tick(89_999);
  await new Promise((resolve) => setImmediate(resolve));
  t.is(failed, undefined, "still waiting at 89.999 s");
  mock.timers.tick(1);
  await pending;
  t.truthy(failed);
  t.regex(String(failed), /connack timeout/i);
});

test("the link's CONNECT: MQTT 3.1.1, clean session, keepalive 240 s, client id = user name, a retained QoS 1 will", async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  const connects: ConnectPacket[] = [];
  broker.aedes.preConnect = (_client, packet, done) => {
    connects.push(packet);
    done(null, true);
  };
  const ps = urlPubSub("mqtt://127.0.0.1:" + broker.port);
  // linkConfig's keepalive is the board's data.keepaliveS, 240 on every shipped board (data-board.test.ts).
  const { link } = makeLink(ps, "k240dev1");
  await link.start();
  await until(() => connects.length === 1, "CONNECT");
  const c = connects[0];
  t.is(c.protocolId, "MQTT");
  t.is(c.protocolVersion, 4);
  t.is(c.keepalive, 240);
  t.true(c.clean);
  t.is(c.clientId, "k240dev1");
  t.is(c.username, "k240dev1");
  t.is(c.will?.topic, "sl/v1/" + N + "/dev/k240dev1/status");
  t.is(c.will?.qos, 1);
  t.true(c.will?.retain);
  t.is(JSON.parse(String(c.will?.payload)).online, false);
  await link.stop();
});

/** Drops a connected client from the broker side; whether MQTT.js then armed a re-dial. */
async function armsRedial(t: import("ava").ExecutionContext, override: Partial<IClientOptions>): Promise<boolean> {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  let client: MqttClient | undefined = undefined;
  const ps = new MqttJsPubSub((o) => (client = mqtt.connect("mqtt://127.0.0.1:" + broker.port, { ...o, ...override })));
  let downs = 0;
  ps.events.on("down", () => downs++);
  await ps.connect({ clientId: "redial01", password: "pw", keepaliveS: 240, will: { topic: "sl/v1/" + N + "/dev/redial01/status", payload: "{}" } });
  const c = client as unknown as MqttClient;
  let offline = false;
  c.on("offline", () => (offline = true));
  broker.kick("redial01");
  await until(() => downs === 1, "down");
  const armed = offline || c.reconnecting;
  c.end(true);
  return armed;
}

test("MQTT.js never re-dials by itself (reconnectPeriod 0); with its own reconnect on, this test would see it", async (t) => {
  t.false(await armsRedial(t, {}));
  t.true(await armsRedial(t, { reconnectPeriod: 30_000 }), "the control: MQTT.js's own reconnect is seen by this test");
});
