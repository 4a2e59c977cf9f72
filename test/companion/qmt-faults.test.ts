/**
 * The faults of issue 12 on the Quectel module's own MQTT client (`AT+QMT*`, adapter B):
 * the EG91 car board with its link set to `modem-mqtt`, end to end (simulated network and
 * modem with real TCP, the real firmware, a real aedes broker). The module reports a lost
 * session with `+QMTSTAT: <client>,<err>` (Quectel MQTT Application Note §3.4; 1 the peer
 * closed, 2 PINGREQ unanswered, ...) and a publish the broker never acknowledged with
 * `+QMTPUBEX: <client>,<msgid>,2`.
 */
import test from "ava";
import { backend, N, startBroker, until, type Broker } from "./helpers.js";
import { A1, e2e, roundTrip, type E2e } from "./e2e-rig.js";

const dev = "sl/v1/" + N + "/dev/" + A1 + "/";

function sent(e: E2e, from: number): string[] {
  return e.at.slice(from).filter((l) => l.indexOf("> ") === 0);
}

test.serial("broker restart under the Quectel module's MQTT client: +QMTSTAT, failing opens back off, back online on the restarted broker", async (t) => {
  const e = await e2e("car-linux-eg91", "modem-mqtt");
  const port = e.broker.port;
  const later: Broker[] = [];
  t.teardown(async () => {
    await e.close();
    for (const b of later) await b.close();
  });
  const mark = e.at.length;
  await e.broker.close();
  await until(() => e.companion.link.status().name !== "online", "link down after the broker went away", 10000);
  t.true(e.at.slice(mark).some((l) => l.indexOf("< +QMTSTAT: 0,") === 0), "the module reported the loss");
  await until(() => e.companion.link.status().failures >= 2, "opens failing while the broker is away", 30000);
  const again = await startBroker(port);
  later.push(again);
  const be = await backend(port, [dev + "#"]);
  await until(() => e.companion.link.status().name === "online", "online on the restarted broker", 60000);
  await until(() => be.seen.some((m) => m.topic === dev + "status" && JSON.parse(m.payload).online === true), "presence on the new broker");
  t.true(sent(e, mark).filter((l) => l.indexOf("> AT+QMTOPEN=0,") === 0).length >= 2, "opened again through the module");
  await be.client.publishAsync(dev + "cmd", JSON.stringify({ v: 1, id: "qmt-restart-1", op: "ping", ts: 0, exp: 4102444800 }), { qos: 1 });
  await until(() => be.seen.some((m) => m.topic === dev + "ack" && JSON.parse(m.payload).id === "qmt-restart-1" && JSON.parse(m.payload).status === "done"), "ack on the new broker", 15000);
  await be.client.endAsync();
});

test.serial("pdpdeact mid-publish under the Quectel module's MQTT client: the ack's publish fails, the context and the session come back, the resent command is not run twice", async (t) => {
  const e = await e2e("car-linux-eg91", "modem-mqtt");
  t.teardown(() => e.close());
  await roundTrip(e, "qmt-pdp-warm");
  const downs: string[] = [];
  e.companion.data.events.on("down", (why) => downs.push(why));
  const mark = e.at.length;
  // Mid-publish: the acks' PUBLISHes reach the broker, which holds their PUBACKs back
  // while the network takes A1's PDN connection away; then it drops those messages.
  let pulled = false;
  e.broker.aedes.authorizePublish = (_client, packet, done) => {
    if (packet.topic !== dev + "ack" || downs.length > 0) return done(null);
    if (!pulled) e.port.deactivateData(undefined, "test");
    pulled = true;
    void until(() => downs.length > 0, "data down").then(() => done(new Error("the connection is gone")));
  };
  const id = "qmt-pdp-1";
  await e.be.client.publishAsync(dev + "cmd", JSON.stringify({ v: 1, id, op: "ping", ts: 0, exp: 4102444800 }), { qos: 1 });
  await until(() => pulled, "the ack's PUBLISH at the broker");
  await until(() => downs.length > 0, "data down");
  const rx = e.at.slice(mark);
  t.true(rx.includes('< +QIURC: "pdpdeact",1'), rx.join(" | "));
  // The module never reports that ack's publish as sent (+QMTPUBEX result 0).
  const ackPub = rx.find((l) => l.indexOf("> AT+QMTPUBEX=0,") === 0 && l.indexOf('/ack"') > 0);
  t.truthy(ackPub);
  const msgId = ackPub!.split(",")[1];
  t.false(rx.includes("< +QMTPUBEX: 0," + msgId + ",0"), rx.join(" | "));
  await until(() => e.companion.link.status().name === "online" && e.companion.data.status().name === "up", "link back", 30000);
  await e.be.client.publishAsync(dev + "cmd", JSON.stringify({ v: 1, id, op: "ping", ts: 0, exp: 4102444800 }), { qos: 1 });
  await until(() => e.be.seen.some((m) => m.topic === dev + "ack" && JSON.parse(m.payload).id === id && JSON.parse(m.payload).status === "duplicate"), "the resend answered duplicate", 15000);
  const statuses = e.be.seen.filter((m) => m.topic === dev + "ack" && JSON.parse(m.payload).id === id).map((m) => JSON.parse(m.payload).status as string);
  t.is(statuses.filter((s) => s === "done").length, 0, "the first ack was lost with the context: " + statuses.join(","));
  await roundTrip(e, "qmt-after-pdp");
});

test.serial("the Quectel module resets under its MQTT client: context, session and subscriptions are set up again", async (t) => {
  const e = await e2e("car-linux-eg91", "modem-mqtt");
  t.teardown(() => e.close());
  const mark = e.at.length;
  e.modem.reboot();
  await until(() => e.companion.link.status().name !== "online", "link noticed", 10000);
  await until(() => e.companion.link.status().name === "online", "online again after the reset", 30000);
  const tx = sent(e, mark);
  t.true(tx.some((l) => l.indexOf("> AT+QMTOPEN=0,") === 0) && tx.some((l) => l.indexOf("> AT+QMTCONN=0,") === 0), tx.join(" | "));
  await roundTrip(e, "qmt-after-reset");
});
