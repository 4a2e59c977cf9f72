/**
 * The SIMCom board end to end: the simulated network, A1's simulated A7670 carrying real
 * TCP, the real bench-board firmware with its data session and companion link, a real
 * aedes broker on 127.0.0.1. Both SIMCom adapters: MQTT.js over a `ModemSocket` on
 * `AT+CIPOPEN`/`AT+CIPSEND`/`AT+CIPRXGET` (the board's own, boards.json), and the
 * module's MQTT client (`AT+CMQTT*`). Faults: the network closing the socket service
 * (`+CIPEVENT`), a lost `+CIPRXGET: 1` notice, `+CMQTTCONNLOST`, a broker restart, the context taken away
 * in the middle of a publish (`+CMQTTNONET`), a modem reset.
 */
import test from "ava";
import { N, until } from "./helpers.js";
import { A1, ackStatuses, brokerRestartUnderModule, e2e, roundTrip, sendPing, sentSince, untilAck, type E2e } from "./e2e-rig.js";

const dev = "sl/v1/" + N + "/dev/" + A1 + "/";

/** Publishes a command and waits until A1 acks it `done`; gives every ack seen for that id. */
async function command(e: E2e, id: string): Promise<string[]> {
  await roundTrip(e, id);
  return ackStatuses(e.be.seen, id);
}

test.serial("R83: the A7670 board's link runs MQTT.js over a SIMCom socket: status published, a command received and acked once", async (t) => {
  const e = await e2e("bench-usb-a7670");
  t.teardown(() => e.close());
  await until(() => e.be.seen.some((m) => m.topic === dev + "status" && JSON.parse(m.payload).online === true), "A1 online");
  await until(() => e.be.seen.some((m) => m.topic === dev + "state"), "A1's state");
  const acks = await command(e, "simcom-sock-1");
  t.is(acks.filter((s) => s === "done").length, 1);
  // The socket service, buffered receive as hex, counted sends; never transparent mode.
  const tx = sentSince(e, 0);
  t.true(tx.includes("> AT+CIPRXGET=1"));
  t.true(tx.includes("> AT+NETOPEN"));
  t.true(tx.some((l) => /^> AT\+CIPOPEN=0,"TCP","127\.0\.0\.1",\d+$/.test(l)), tx.join(" | "));
  t.true(tx.some((l) => /^> AT\+CIPSEND=0,\d+$/.test(l)));
  t.true(tx.some((l) => /^> AT\+CIPRXGET=3,0,500$/.test(l)));
  t.false(tx.some((l) => l.indexOf("CIPMODE=1") >= 0));
  // The same command again (a backend resend) is not run twice.
  await sendPing(e.be.client, "simcom-sock-1");
  await untilAck(e.be.seen, "simcom-sock-1", "duplicate");
  t.is(ackStatuses(e.be.seen, "simcom-sock-1").filter((s) => s === "done").length, 1);
});

test.serial("a lost +CIPRXGET notice: the poll after the send still reads the broker's answer", async (t) => {
  const e = await e2e("bench-usb-a7670");
  t.teardown(() => e.close());
  // Quiet first (no drain still running from the retained messages of the connect).
  await roundTrip(e, "simcom-warm");
  await new Promise((r) => setTimeout(r, 300));
  const mark = e.at.length;
  e.modem.dataFaults.loseNotices = 1;
  await roundTrip(e, "simcom-lost-1");
  t.is(e.modem.dataFaults.loseNotices, 0, "the notice was swallowed");
  // With the notice gone (the module says nothing more until its buffer is read empty), only a poll could find the data.
  t.true(sentSince(e, mark).some((l) => /^> AT\+CIPRXGET=4,0$/.test(l)), "the poll found the data");
});

test.serial("+CIPEVENT network closed: the socket service is opened again and the link comes back", async (t) => {
  const e = await e2e("bench-usb-a7670");
  t.teardown(() => e.close());
  const downs: string[] = [];
  e.companion.data.events.on("down", (why) => downs.push(why));
  const mark = e.at.length;
  // The network drops A1's PDN connection: the A7670 says +CGEV: NW PDN DEACT and +CIPEVENT.
  e.port.deactivateData(undefined, "test");
  await until(() => downs.length > 0, "data down");
  await until(() => e.companion.link.status().name === "online" && e.companion.data.status().name === "up", "link back", 20000);
  const rx = e.at.slice(mark);
  t.true(rx.includes("< +CIPEVENT: NETWORK CLOSED UNEXPECTEDLY"), rx.join(" | "));
  t.true(sentSince(e, mark).includes("> AT+NETOPEN"), "the service opened again");
  await roundTrip(e, "simcom-after-cipevent");
});

test.serial("the modem resets: data and the link come back on the new boot", async (t) => {
  const e = await e2e("bench-usb-a7670");
  t.teardown(() => e.close());
  const mark = e.at.length;
  e.modem.reboot();
  await until(() => e.at.slice(mark).includes("< *ATREADY: 1"), "the module rebooted", 10000);
  await until(() => e.companion.link.status().name === "online" && e.companion.data.status().name === "up", "link back after the reset", 30000);
  // Receive mode is the module's power-on default again after a reset: it was set again.
  t.true(sentSince(e, mark).includes("> AT+CIPRXGET=1"));
  await roundTrip(e, "simcom-after-reset");
});

test.serial("R83: the module's own MQTT client (AT+CMQTT*) on the A7670: status published, a command received and acked once", async (t) => {
  const e = await e2e("bench-usb-a7670", "modem-mqtt");
  t.teardown(() => e.close());
  await until(() => e.be.seen.some((m) => m.topic === dev + "status" && JSON.parse(m.payload).online === true), "A1 online");
  const acks = await command(e, "simcom-mqtt-1");
  t.is(acks.filter((s) => s === "done").length, 1);
  const tx = sentSince(e, 0);
  t.true(tx.some((l) => /^> AT\+CMQTTCONNECT=0,"tcp:\/\/127\.0\.0\.1:\d+",240,1,"car0a1x9","pw"$/.test(l)), tx.join(" | "));
  t.true(tx.some((l) => /^> AT\+CMQTTWILLMSG=0,\d+,1$/.test(l)), "a QoS 1 will");
  t.true(tx.some((l) => /^> AT\+CMQTTPUB=0,1,60,1$/.test(l)), "retained QoS 1 publishes");
  t.is(tx.filter((l) => l === "> AT+CMQTTSUB=0").length, 1, "one SUBSCRIBE for the link's filters");
  t.false(tx.some((l) => l.indexOf("AT+CIPOPEN") === 0), "no socket of ours under the modem's MQTT");
});

test.serial("+CMQTTCONNLOST: the broker drops A1; the link connects again through the module and the will fired", async (t) => {
  const e = await e2e("bench-usb-a7670", "modem-mqtt");
  t.teardown(() => e.close());
  const mark = e.at.length;
  const states: string[] = [];
  e.companion.link.events.on("state", (s) => states.push(s.name));
  e.broker.kick(A1);
  await until(() => e.at.slice(mark).some((l) => l.indexOf("< +CMQTTCONNLOST: 0,") === 0), "the module reports the loss");
  await until(() => states.includes("backoff"), "link noticed");
  await until(() => e.companion.link.status().name === "online", "online again", 20000);
  // The will (not retained on SIMCom: AT+CMQTTWILLMSG has no retain flag) reached the backend.
  t.true(e.be.seen.some((m) => m.topic === dev + "status" && JSON.parse(m.payload).online === false));
  await roundTrip(e, "simcom-after-connlost");
});

test.serial("pdpdeact mid-publish under the module's MQTT client: +CMQTTNONET fails the ack's publish, the context and the service come back, and the command resent is not run twice", async (t) => {
  const e = await e2e("bench-usb-a7670", "modem-mqtt");
  t.teardown(() => e.close());
  await roundTrip(e, "simcom-nonet-warm");
  const downs: string[] = [];
  e.companion.data.events.on("down", (why) => downs.push(why));
  const mark = e.at.length;
  // The network takes A1's PDN connection away as the firmware hands the ack to the module.
  let pulled = false;
  e.fw.channel.events.on("tx", (b) => {
    if (pulled || b.indexOf("AT+CMQTTPUB=") !== 0) return;
    pulled = true;
    e.port.deactivateData(undefined, "test");
  });
  const id = "simcom-nonet-1";
  await sendPing(e.be.client, id);
  await until(() => pulled, "the ack's AT+CMQTTPUB");
  await until(() => downs.length > 0, "data down");
  const rx = e.at.slice(mark);
  t.true(rx.includes("< +CMQTTNONET"), rx.join(" | "));
  await until(() => e.companion.link.status().name === "online" && e.companion.data.status().name === "up", "link back", 30000);
  const tx = sentSince(e, mark);
  t.true(tx.filter((l) => l === "> AT+CMQTTSTART").length >= 1, "the service started again: " + tx.join(" | "));
  // The ack died with the context; the backend resends the command (QoS 1 from its side):
  // it is answered from the ring of ids, not run again.
  await sendPing(e.be.client, id);
  await untilAck(e.be.seen, id, "duplicate");
  const statuses = ackStatuses(e.be.seen, id);
  // The context went before the module took AT+CMQTTPUB, so that ack never reached the broker.
  t.is(statuses.filter((s) => s === "done").length, 0, "the first ack was lost with the context: " + statuses.join(","));
  await roundTrip(e, "simcom-after-nonet");
});

test.serial("broker restart under the module's MQTT client: +CMQTTCONNLOST, refused connects back off, the link returns on the restarted broker with a new session", async (t) => {
  const e = await e2e("bench-usb-a7670", "modem-mqtt");
  t.teardown(() => e.close());
  await brokerRestartUnderModule(t, e, "+CMQTTCONNLOST: 0,", "AT+CMQTTCONNECT=0,");
});

test.serial("the modem resets under the module's MQTT client: the service, client and session are set up again", async (t) => {
  const e = await e2e("bench-usb-a7670", "modem-mqtt");
  t.teardown(() => e.close());
  const mark = e.at.length;
  e.modem.reboot();
  await until(() => e.at.slice(mark).includes("< *ATREADY: 1"), "the module rebooted", 10000);
  await until(() => e.companion.link.status().name !== "online", "link noticed", 10000);
  await until(() => e.companion.link.status().name === "online", "online again after the reset", 30000);
  const tx = sentSince(e, mark);
  t.true(tx.includes("> AT+CMQTTSTART") && tx.some((l) => l.indexOf("> AT+CMQTTACCQ=0,") === 0), tx.join(" | "));
  await roundTrip(e, "simcom-mqtt-after-reset");
});
