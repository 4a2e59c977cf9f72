/**
 * The modems' own MQTT stacks on a real broker (the embedded aedes with per-device
 * credentials): Quectel `AT+QMT*` (BG95 MQTT AN §3.3) and SIMCom `AT+CMQTT*` (A76XX MQTT
 * AN), each checked against a backend client on the same broker.
 */
import test, { ExecutionContext } from "ava";
import mqtt from "mqtt";
import net from "node:net";
import { DataRig, QUECTEL_BG95, SIMCOM_A7670, dataRig } from "./data-rig.js";
import { BrokerRegistry } from "../../sim/broker/registry.js";
import { startAedesBroker } from "../../sim/broker/aedes-broker.js";
import { deviceTopic, lineTopic } from "../../sim/broker/acl.js";

const N = "+819012345678";

async function brokerWithDevice(t: ExecutionContext) {
  const registry = new BrokerRegistry();
  const broker = await startAedesBroker(registry);
  t.teardown(() => broker.close());
  const dev = registry.issue(N, "A1");
  const seen: { topic: string; payload: string; retain: boolean }[] = [];
  const be = await mqtt.connectAsync(broker.url, { clientId: registry.backend.username, username: registry.backend.username, password: registry.backend.password, reconnectPeriod: 0 });
  t.teardown(() => be.endAsync(true));
  be.on("message", (topic, payload, packet) => seen.push({ topic, payload: payload.toString("latin1"), retain: packet.retain }));
  await be.subscribeAsync("sl/v1/#", { qos: 1 });
  return { registry, broker, dev, be, seen };
}

/** AT+QMTOPEN and AT+QMTCONN with the device's credential (or another password), waiting for each outcome. */
async function openAndConnect(r: DataRig, port: number, dev: { device: string; username: string; password: string }, password = dev.password, rc = 0): Promise<void> {
  r.mark();
  await r.cmd('AT+QMTOPEN=0,"127.0.0.1",' + port);
  await r.expect("+QMTOPEN: 0,0\r\n");
  r.mark();
  await r.cmd('AT+QMTCONN=0,"' + dev.device + '","' + dev.username + '","' + password + '"');
  await r.expect("+QMTCONN: 0,0," + rc + "\r\n");
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("timed out waiting for " + what);
}

test("Quectel +QMTOPEN/+QMTCONN/+QMTSUB/+QMTPUBEX/+QMTRECV with a will; refused credentials give the CONNACK code", async (t) => {
  const b = await brokerWithDevice(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  const status = deviceTopic(N, b.dev.device, "status");
  await r.cmd("AT+QIACT=1");
  t.is(await r.cmd('AT+QMTCFG="version",0,4;+QMTCFG="keepalive",0,240;+QMTCFG="session",0,1;+QMTCFG="recv/mode",0,0,1'), "\r\nOK\r\n");
  t.is(await r.cmd('AT+QMTCFG="will",0,1,1,1,"' + status + '","{\\22online\\22:false}"'), "\r\nOK\r\n");
  t.is(await r.cmd('AT+QMTCFG="keepalive",0'), '\r\n+QMTCFG: "keepalive",240\r\n\r\nOK\r\n');
  await openAndConnect(r, b.broker.port, b.dev, "wrong", 4);
  await r.expect("+QMTSTAT: 0,1\r\n");
  await openAndConnect(r, b.broker.port, b.dev);
  t.is(await r.cmd("AT+QMTCONN?"), "\r\n+QMTCONN: 0,3\r\n\r\nOK\r\n");
  r.mark();
  await r.cmd('AT+QMTSUB=0,1,"' + deviceTopic(N, b.dev.device, "cmd") + '",1,"sl/v1/#",1');
  t.regex(await r.expect(/\+QMTSUB: 0,1,0,1,128\r\n/), /\+QMTSUB: 0,1,0,1,128\r\n/);
  r.mark();
  const state = '{"v":1,"reg":"registered"}';
  t.is(await r.raw("AT+QMTPUBEX=0,2,1,1,\"" + deviceTopic(N, b.dev.device, "state") + '",' + state.length + "\r", "> "), "\r\n> ");
  await r.raw(state, "+QMTPUBEX: 0,2,0\r\n");
  await until(() => b.seen.some((m) => m.topic.endsWith("/state") && m.payload === state), "the state at the backend");
  r.mark();
  await b.be.publishAsync(deviceTopic(N, b.dev.device, "cmd"), '{"id":"c1","op":"ping"}', { qos: 1 });
  t.regex(await r.expect("\r\n"), /\+QMTRECV: 0,[0-9]+,"sl\/v1\/819012345678\/dev\/[a-z0-9]+\/cmd",23,"\{"id":"c1","op":"ping"\}"/);
  // A lost link (no DISCONNECT): the broker publishes the will, the module says +QMTSTAT.
  r.mark();
  b.broker.kick(b.dev.device);
  await r.expect("+QMTSTAT: 0,1\r\n");
  await until(() => b.seen.some((m) => m.topic === status && m.payload === '{"online":false}'), "the will");
  t.deepEqual(r.modem.internalErrors, []);
});

test("Quectel hex data format: payloads given and received as hex, inline +QMTPUBEX payload", async (t) => {
  const b = await brokerWithDevice(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd('AT+QIACT=1;+QMTCFG="dataformat",0,1,1;+QMTCFG="recv/mode",0,0,1');
  await openAndConnect(r, b.broker.port, b.dev);
  await r.cmd('AT+QMTSUB=0,1,"' + lineTopic(N) + '",0');
  await r.expect("+QMTSUB: 0,1,0,0");
  r.mark();
  await r.cmd("AT+QMTPUBEX=0,3,1,0,\"" + deviceTopic(N, b.dev.device, "ack") + '","00FF0D0A"');
  await r.expect("+QMTPUBEX: 0,3,0");
  await until(() => b.seen.some((m) => m.topic.endsWith("/ack") && m.payload === "\x00\xff\r\n"), "binary ack");
  r.mark();
  await b.be.publishAsync(lineTopic(N), Buffer.from([0x7b, 0x0d, 0x7d]));
  t.regex(await r.expect("\r\n+QMTRECV"), /./);
  t.regex(await r.expect('"7B0D7D"\r\n'), /\+QMTRECV: 0,0,"sl\/v1\/819012345678\/line",3,"7B0D7D"\r\n/);
});

test("SIMCom +CMQTTSTART/ACCQ/CONNECT/SUB/TOPIC/PAYLOAD/PUB and the +CMQTTRX block; +CMQTTNONET when the context goes", async (t) => {
  const b = await brokerWithDevice(t);
  const r = await dataRig(t, { identity: SIMCOM_A7670 });
  const cmdTopic = deviceTopic(N, b.dev.device, "cmd");
  r.mark();
  await r.cmd("AT+CMQTTSTART");
  await r.expect("+CMQTTSTART: 0\r\n");
  t.is(await r.cmd("AT+CMQTTSTART"), "\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n");
  t.is(await r.cmd('AT+CMQTTACCQ=0,"' + b.dev.device + '",0'), "\r\nOK\r\n");
  t.is(await r.raw("AT+CMQTTWILLTOPIC=0," + deviceTopic(N, b.dev.device, "status").length + "\r", "\r\n>"), "\r\n>");
  await r.raw(deviceTopic(N, b.dev.device, "status"), "OK\r\n");
  await r.raw("AT+CMQTTWILLMSG=0,5,1\r", ">");
  await r.raw("gone!", "OK\r\n");
  r.mark();
  await r.cmd('AT+CMQTTCONNECT=0,"tcp://127.0.0.1:' + b.broker.port + '",240,1,"' + b.dev.username + '","' + b.dev.password + '"');
  await r.expect("+CMQTTCONNECT: 0,0\r\n");
  r.mark();
  await r.raw("AT+CMQTTSUBTOPIC=0," + cmdTopic.length + ",1\r", ">");
  await r.raw(cmdTopic, "OK\r\n");
  await r.cmd("AT+CMQTTSUB=0");
  await r.expect("+CMQTTSUB: 0,0\r\n");
  const topic = deviceTopic(N, b.dev.device, "ack");
  await r.raw("AT+CMQTTTOPIC=0," + topic.length + "\r", ">");
  await r.raw(topic, "OK\r\n");
  await r.raw("AT+CMQTTPAYLOAD=0,4\r", ">");
  await r.raw("done", "OK\r\n");
  r.mark();
  await r.cmd("AT+CMQTTPUB=0,1,60");
  await r.expect("+CMQTTPUB: 0,0\r\n");
  await until(() => b.seen.some((m) => m.topic === topic && m.payload === "done"), "the ack at the backend");
  r.mark();
  await b.be.publishAsync(cmdTopic, "hi", { qos: 1 });
  t.is(
    await r.expect("+CMQTTRXEND: 0\r\n"),
    "\r\n+CMQTTRXSTART: 0," + cmdTopic.length + ",2\r\n+CMQTTRXTOPIC: 0," + cmdTopic.length + "\r\n" + cmdTopic + "\r\n+CMQTTRXPAYLOAD: 0,2\r\nhi\r\n+CMQTTRXEND: 0\r\n",
  );
  // The network deactivates the context: the session is lost and the service must start again.
  r.mark();
  r.net.pdnDeactivate(1);
  t.is(await r.expect("+CMQTTNONET\r\n"), "\r\n+CMQTTCONNLOST: 0,3\r\n\r\n+CMQTTNONET\r\n");
  await until(() => b.seen.some((m) => m.topic.endsWith("/status") && m.payload === "gone!"), "the will");
  t.deepEqual(r.modem.internalErrors, []);
});

test("Quectel +QMTUNS stops deliveries; +QMTDISC sends DISCONNECT (no will); +QMTCLOSE drops the link (the will goes out)", async (t) => {
  const b = await brokerWithDevice(t);
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  const status = deviceTopic(N, b.dev.device, "status");
  await r.cmd('AT+QIACT=1;+QMTCFG="will",0,1,1,1,"' + status + '","bye"');
  await openAndConnect(r, b.broker.port, b.dev);
  r.mark();
  await r.cmd('AT+QMTSUB=0,7,"' + lineTopic(N) + '",1');
  await r.expect("+QMTSUB: 0,7,0,1\r\n");
  r.mark();
  await r.cmd('AT+QMTUNS=0,8,"' + lineTopic(N) + '"');
  await r.expect("+QMTUNS: 0,8,0\r\n");
  await b.be.publishAsync(lineTopic(N), "after-unsubscribe", { qos: 1 });
  // The backend's own copy proves the broker handled it; the module got nothing.
  await until(() => b.seen.some((m) => m.payload === "after-unsubscribe"), "the backend's copy");
  r.mark();
  await r.cmd("AT+QMTDISC=0");
  await r.expect("+QMTDISC: 0,0\r\n");
  t.false(r.out.text.includes("after-unsubscribe"));
  t.is(await r.cmd("AT+QMTCONN?"), "\r\nOK\r\n");
  await openAndConnect(r, b.broker.port, b.dev);
  r.mark();
  await r.cmd("AT+QMTCLOSE=0");
  await r.expect("+QMTCLOSE: 0,0\r\n");
  await until(() => b.seen.filter((m) => m.topic === status && m.payload === "bye").length === 1, "the will after +QMTCLOSE only");
  t.is(await r.cmd("AT+QMTOPEN?"), "\r\nOK\r\n");
});

test("SIMCom +CMQTTUNSUB, +CMQTTDISC, +CMQTTREL and +CMQTTSTOP end the session in order; a connected client cannot be released", async (t) => {
  const b = await brokerWithDevice(t);
  const r = await dataRig(t, { identity: SIMCOM_A7670 });
  const line = lineTopic(N);
  r.mark();
  await r.cmd("AT+CMQTTSTART");
  await r.expect("+CMQTTSTART: 0");
  await r.cmd('AT+CMQTTACCQ=0,"' + b.dev.device + '"');
  t.is(await r.cmd('AT+CMQTTACCQ=0,"' + b.dev.device + '"'), "\r\n+CMQTTACCQ: 0,19\r\n\r\nERROR\r\n");
  r.mark();
  await r.cmd('AT+CMQTTCONNECT=0,"tcp://127.0.0.1:' + b.broker.port + '",60,1,"' + b.dev.username + '","' + b.dev.password + '"');
  await r.expect("+CMQTTCONNECT: 0,0\r\n");
  r.mark();
  await r.raw("AT+CMQTTSUB=0," + line.length + ",1\r", ">");
  await r.raw(line, "+CMQTTSUB: 0,0\r\n");
  r.mark();
  await r.raw("AT+CMQTTUNSUBTOPIC=0," + line.length + "\r", ">");
  await r.raw(line, "OK\r\n");
  await r.cmd("AT+CMQTTUNSUB=0");
  await r.expect("+CMQTTUNSUB: 0,0\r\n");
  t.is(await r.cmd("AT+CMQTTREL=0"), "\r\n+CMQTTREL: 0,21\r\n\r\nERROR\r\n");
  r.mark();
  await r.cmd("AT+CMQTTDISC=0,60");
  await r.expect("+CMQTTDISC: 0,0\r\n");
  t.is(await r.cmd("AT+CMQTTDISC?"), "\r\n+CMQTTDISC: 0,1\r\n+CMQTTDISC: 1,1\r\n\r\nOK\r\n");
  t.is(await r.cmd("AT+CMQTTREL=0"), "\r\nOK\r\n");
  t.is(await r.cmd('AT+CMQTTCONNECT=0,"tcp://127.0.0.1:1",60,1'), "\r\n+CMQTTCONNECT: 0,20\r\n\r\nERROR\r\n");
  r.mark();
  await r.cmd("AT+CMQTTSTOP");
  await r.expect("+CMQTTSTOP: 0\r\n");
  t.deepEqual(r.modem.internalErrors, []);
});

test("pdpdeact mid-publish: a QoS 1 publish the broker never acknowledged fails (+QMTPUBEX result 2) after +QMTSTAT 7", async (t) => {
  // A broker that accepts the connection and then never acknowledges anything.
  const server = net.createServer((s) => {
    s.once("data", () => s.write(Buffer.from([0x20, 0x02, 0x00, 0x00])));
    s.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as net.AddressInfo).port;
  const r = await dataRig(t, { identity: QUECTEL_BG95 });
  await r.cmd("AT+QIACT=1");
  await openAndConnect(r, port, { device: "d1", username: "d1", password: "p" });
  r.mark();
  await r.cmd('AT+QMTPUBEX=0,5,1,0,"sl/v1/819012345678/dev/d1/state","{}"');
  r.net.pdnDeactivate(1);
  t.regex(await r.expect("+QMTPUBEX: 0,5,2\r\n"), /\+QMTSTAT: 0,7\r\n[\s\S]*\+QMTPUBEX: 0,5,2\r\n/);
  t.deepEqual(r.modem.internalErrors, []);
});
