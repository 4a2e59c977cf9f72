/**
 * The faults of issue 12 on the Quectel module's own MQTT client (`AT+QMT*`, adapter B):
 * the EG91 car board with its link set to `modem-mqtt`, end to end (simulated network and
 * modem with real TCP, the real firmware, a real aedes broker). The module reports a lost
 * session with `+QMTSTAT: <client>,<err>` (Quectel MQTT Application Note §3.4; 1 the peer
 * closed, 2 PINGREQ unanswered, ...) and a publish the broker never acknowledged with
 * `+QMTPUBEX: <client>,<msgid>,2`.
 */
import test from "ava";
import { N, until } from "./helpers.js";
import { A1, ackStatuses, brokerRestartUnderModule, e2e, roundTrip, sendPing, sentSince, untilAck } from "./e2e-rig.js";

const dev = "sl/v1/" + N + "/dev/" + A1 + "/";

test.serial("broker restart under the Quectel module's MQTT client: +QMTSTAT, failing opens back off, back online on the restarted broker", async (t) => {
  const e = await e2e("car-linux-eg91", "modem-mqtt");
  t.teardown(() => e.close());
  await brokerRestartUnderModule(t, e, "+QMTSTAT: 0,", "AT+QMTOPEN=0,");
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
  await sendPing(e.be.client, id);
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
  await sendPing(e.be.client, id);
  await untilAck(e.be.seen, id, "duplicate");
  const statuses = ackStatuses(e.be.seen, id);
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
  const tx = sentSince(e, mark);
  t.true(tx.some((l) => l.indexOf("> AT+QMTOPEN=0,") === 0) && tx.some((l) => l.indexOf("> AT+QMTCONN=0,") === 0), tx.join(" | "));
  await roundTrip(e, "qmt-after-reset");
});
