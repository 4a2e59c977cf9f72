/**
 * The companion link through adapter C (an mqtt:// URL) against a real aedes broker:
 * presence with the will, retained state, convergence of `desired` and `line`, commands
 * acted on once and acknowledged, reconnection after a broker restart.
 */
import test from "ava";
import { urlPubSub } from "../../firmware/companion/mqttjs.node.js";
import { backend, json, makeLink, N, startBroker, until } from "./helpers.js";

const DEV = "d7kq3m2x";
const base = "sl/v1/" + N + "/dev/" + DEV + "/";

test("presence, retained state, and the will when the link dies uncleanly", async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  const be = await backend(broker.port, ["sl/v1/" + N + "/#"]);
  const ps = urlPubSub("mqtt://127.0.0.1:" + broker.port);
  const { link, source } = makeLink(ps, DEV);
  await link.start();
  await until(() => be.seen.some((m) => m.topic === base + "state"), "state");
  const online = be.seen.filter((m) => m.topic === base + "status").map(json);
  t.is(online[0].online, true);
  const sid = online[0].sid as string;
  t.is(json(be.seen.find((m) => m.topic === base + "state")).reg, "registered");
  // A change goes out (debounced, the latest only).
  source.set({ call: "active" });
  source.set({ call: "held" });
  await until(() => be.seen.filter((m) => m.topic === base + "state").some((m) => json(m).call === "held"), "latest state");
  // The link dies without DISCONNECT: the broker publishes the will, with this session's sid.
  ps.destroy("test");
  await until(() => be.seen.some((m) => m.topic === base + "status" && json(m).online === false), "will");
  const will = json(be.seen.filter((m) => m.topic === base + "status").pop());
  t.is(will.sid, sid);
  await be.client.endAsync();
  await link.stop();
});

test("R82: a priority changed on the smartphone is taken over once per revision, without a code", async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  const be = await backend(broker.port, []);
  const line = JSON.stringify({ v: 1, seq: 42, ts: 1, smsPriority: { holder: "phone", rev: 7 }, inUse: true });
  await be.client.publishAsync("sl/v1/" + N + "/line", line, { qos: 1, retain: true });
  const ps = urlPubSub("mqtt://127.0.0.1:" + broker.port);
  const { link, actions } = makeLink(ps, DEV);
  const lines: boolean[] = [];
  link.events.on("line", (l) => lines.push(l.inUse));
  await link.start();
  await until(() => actions.priorities.length === 1, "priority taken over");
  t.deepEqual(actions.priorities, ["smartphone"]);
  t.deepEqual(lines, [true]);
  // The same retained revision again (a reconnect) changes nothing; a newer one does.
  broker.kick(DEV);
  await until(() => link.status().name === "online" && link.status().failures === 1, "reconnected", 5000);
  await be.client.publishAsync("sl/v1/" + N + "/dev/" + DEV + "/desired", JSON.stringify({ v: 1, rev: 5, registration: "registered", smsPriority: { holder: DEV, rev: 8 } }), { qos: 1, retain: true });
  await until(() => actions.priorities.length === 2, "newer revision");
  t.deepEqual(actions.priorities, ["smartphone", "this"]);
  await be.client.endAsync();
  await link.stop();
});

test("QoS 1 commands run once: a redelivered id is answered duplicate, across a restart too", async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  const be = await backend(broker.port, [base + "ack"]);
  const ps = urlPubSub("mqtt://127.0.0.1:" + broker.port);
  const first = makeLink(ps, DEV);
  await first.link.start();
  await until(() => first.link.status().name === "online", "online");
  const cmd = JSON.stringify({ v: 1, id: "01JD3Z8Q0K", op: "unregistered", args: { by: "management-site" }, ts: 1, exp: 4102444800 });
  await be.client.publishAsync(base + "cmd", cmd, { qos: 1 });
  await be.client.publishAsync(base + "cmd", cmd, { qos: 1 });
  await until(() => be.seen.length >= 3, "acks");
  t.deepEqual(
    be.seen.map((m) => json(m).status),
    ["accepted", "done", "duplicate"],
  );
  t.is(first.actions.unregisteredCalls.length, 1);
  await first.link.stop();
  // A new firmware run on the same storage still knows the id.
  const ps2 = urlPubSub("mqtt://127.0.0.1:" + broker.port);
  const second = makeLink(ps2, DEV, { storage: first.storage });
  await second.link.start();
  await until(() => second.link.status().name === "online", "online again");
  await be.client.publishAsync(base + "cmd", cmd, { qos: 1 });
  await until(() => be.seen.length >= 4, "ack after restart");
  t.is(json(be.seen[3]).status, "duplicate");
  t.is(second.actions.unregisteredCalls.length, 0);
  // An expired command is not run.
  await be.client.publishAsync(base + "cmd", JSON.stringify({ v: 1, id: "old1", op: "unregistered", exp: 1 }), { qos: 1 });
  await until(() => be.seen.length >= 5, "expired ack");
  t.is(json(be.seen[4]).status, "expired");
  t.is(second.actions.unregisteredCalls.length, 0);
  await be.client.endAsync();
  await second.link.stop();
});

test("broker restart: the link backs off and comes back with a new session", async (t) => {
  let broker = await startBroker();
  const port = broker.port;
  t.teardown(() => broker.close());
  const ps = urlPubSub("mqtt://127.0.0.1:" + port);
  const { link } = makeLink(ps, DEV);
  const online: boolean[] = [];
  link.events.on("online", (u) => online.push(u));
  await link.start();
  await until(() => link.status().name === "online", "online");
  await broker.close();
  await until(() => link.status().name === "backoff" || link.status().name === "connecting", "down");
  broker = await startBroker(port);
  const be = await backend(port, [base + "status"]);
  await until(() => link.status().name === "online", "online after restart", 10000);
  await until(() => be.seen.some((m) => json(m).online === true), "presence republished");
  t.deepEqual(online.slice(0, 3), [true, false, true]);
  await be.client.endAsync();
  await link.stop();
});
