/**
 * Data on the served shared number (sharedline sim --accessories): each accessory's data
 * is its own (R83), calls on any device leave it running (R84), unregistration stops it
 * at once (R15) and the backend tells the device over MQTT; the control interface
 * deactivates PDN connections and hands out broker credentials.
 */
import test, { ExecutionContext } from "ava";
import net from "node:net";
import mqtt from "mqtt";
import { ALICE, served } from "../serve/helpers.js";
import { Collector } from "./io.js";
import { echoServer } from "./data-rig.js";

const BOARDS = ["watch-bangle2-bg95", "bench-usb-a7670"];

/** A raw AT client on a served modem's TCP port that waits for what it expects after each write. */
async function at(t: ExecutionContext, where: string) {
  const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(where)!;
  const rx = new Collector();
  const socket = net.connect(Number(m[2]), m[1]);
  socket.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  t.teardown(() => {
    socket.destroy();
  });
  const write = async (bytes: string, until: string | RegExp) => {
    const mark = rx.text.length;
    socket.write(Buffer.from(bytes, "latin1"));
    await rx.waitFor((s) => (typeof until === "string" ? s.slice(mark).indexOf(until) >= 0 : until.test(s.slice(mark))));
    return rx.text.slice(mark);
  };
  const step = (cmd: string, until: string | RegExp) => write(cmd + "\r", until);
  await step("ATE0", "OK\r\n");
  return { rx, step, write };
}

test("R83 R84: with P off and A1 in a call, A1's data carries traffic; P's call and A2's PDN loss do not touch it", async (t) => {
  const echo = await echoServer(t);
  const s = await served(t, { boards: BOARDS, broker: { kind: "none" } });
  const a1 = await at(t, s.server.accessories[0].where);
  const a2 = await at(t, s.server.accessories[1].where);
  t.is((await s.api("POST", "/phone/power", { on: false })).status, 200);
  await a1.step("AT+CGEREP=2,1;+QIACT=1", "OK\r\n");
  await a1.step('AT+QIOPEN=1,0,"TCP","127.0.0.1",' + echo.port + ",0,0", "+QIOPEN: 0,0\r\n");
  // A1 calls out and the far end answers: A1 is in a call.
  await a1.step("ATD" + ALICE + ";", "OK\r\n");
  t.is((await s.api("POST", "/outside/" + ALICE + "/answer")).status, 200);
  const roundTrip = async (text: string) => {
    await a1.step("AT+QISEND=0," + text.length, "> ");
    await a1.write(text, '+QIURC: "recv",0');
    t.regex(await a1.step("AT+QIRD=0", "OK\r\n"), new RegExp("\\+QIRD: " + text.length + "\\r\\n" + text));
  };
  await roundTrip("in-a-call");
  // A2 has its own connection; the network takes it away: A1's stays.
  await a2.step("AT+CIPRXGET=1;+NETOPEN", "+NETOPEN: 0");
  const data = (await s.api("GET", "/devices/A1/data")).body;
  const data2 = (await s.api("GET", "/devices/A2/data")).body;
  t.is(data.pdns.length, 1);
  t.not(data.pdns[0].address, data2.pdns[0].address);
  t.is((await s.api("POST", "/devices/A2/data/deactivate", {})).status, 200);
  await a2.rx.waitFor("+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY");
  t.is((await s.api("POST", "/devices/A2/data/deactivate", {})).status, 409);
  // P comes back and makes a call of its own.
  await s.api("POST", "/phone/power", { on: true });
  t.is((await s.api("POST", "/phone/dial", { number: "+818033334444" })).status, 201);
  await roundTrip("p-in-a-call-too");
  t.is((await s.api("GET", "/devices/A1/data")).body.pdns.length, 1);
  t.false(a1.rx.text.indexOf("pdpdeact") >= 0);
  t.false(a1.rx.text.indexOf("NW PDN DEACT") >= 0);
});

test("R15 R16: unregistered during a call, A1's data stops at once (the call goes on) and new activations are refused", async (t) => {
  const s = await served(t, { boards: BOARDS, broker: { kind: "none" } });
  const a1 = await at(t, s.server.accessories[0].where);
  await a1.step("AT+CMEE=1;+CGEREP=2,1;+QIACT=1", "OK\r\n");
  await a1.step("ATD" + ALICE + ";", "OK\r\n");
  await s.api("POST", "/outside/" + ALICE + "/answer");
  t.is((await s.api("DELETE", "/devices/A1")).status, 200);
  await a1.rx.waitFor('+QIURC: "pdpdeact",1');
  t.regex(a1.rx.text, /\+CGEV: NW PDN DEACT 1\r\n/);
  t.regex(await a1.step("AT+CLCC", "OK\r\n"), /\+CLCC: 1,0,0,0,0/);
  t.is(await a1.step("AT+QIACT=1", "\r\n"), "\r\n+CME ERROR: 133\r\n");
  const log = (await s.api("GET", "/log?kind=data-down,data-refused")).body.entries;
  t.true(log.some((e: { kind: string; rule?: string }) => e.kind === "data-down" && e.rule === "R15"));
});

test("coverage loss ends the data with the registration: NW PDN DEACT, NW DETACH, pdpdeact", async (t) => {
  const s = await served(t, { boards: BOARDS, broker: { kind: "none" } });
  const a1 = await at(t, s.server.accessories[0].where);
  await a1.step("AT+CGEREP=2,1;+QIACT=1", "OK\r\n");
  await s.api("POST", "/devices/A1/coverage", { state: "none" });
  await a1.rx.waitFor('+QIURC: "pdpdeact",1');
  t.regex(a1.rx.text, /\+CGEV: NW PDN DEACT 1\r\n\r\n\+QIURC: "pdpdeact",1\r\n\r\n\+CGEV: NW DETACH\r\n/);
});

test("the backend: credentials per device from the control interface; line and desired retained; unregistered over MQTT, then revoked", async (t) => {
  const s = await served(t, { boards: BOARDS });
  const b = (await s.api("GET", "/broker")).body;
  t.true(b.embedded);
  t.is(b.devices.length, 2);
  t.not(b.devices[0].device, b.devices[1].device);
  const c1 = (await s.api("GET", "/broker/credentials/A1")).body;
  t.is(c1.slot, "A1");
  t.is(c1.topics.cmd, "sl/v1/819012345678/dev/" + c1.device + "/cmd");
  t.is((await s.api("GET", "/broker/credentials/A5")).status, 404);
  const files = (await s.api("GET", "/broker/mosquitto")).body;
  t.true(files.aclFile.includes("user " + c1.device + "\ntopic read sl/v1/819012345678/line\n"));
  t.regex(files.passwordFile, new RegExp("^" + c1.device + ":\\$7\\$", "m"));
  const got: { topic: string; body: { [k: string]: unknown } }[] = [];
  const dev = await mqtt.connectAsync(b.url, { clientId: c1.clientId, username: c1.username, password: c1.password, reconnectPeriod: 0, protocolVersion: 4 });
  t.teardown(() => dev.endAsync(true));
  dev.on("message", (topic, payload) => got.push({ topic, body: payload.length ? JSON.parse(payload.toString()) : {} }));
  const closed = new Promise<void>((resolve) => dev.once("close", () => resolve()));
  await dev.subscribeAsync([c1.topics.line, c1.topics.desired, c1.topics.cmd], { qos: 1 });
  const until = async (what: string, cond: () => boolean) => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    t.true(cond(), what);
  };
  await until("retained line and desired", () => got.some((m) => m.topic === c1.topics.line) && got.some((m) => m.topic === c1.topics.desired));
  const line = got.filter((m) => m.topic === c1.topics.line).pop()!.body;
  t.deepEqual((line.devices as string[]).slice().sort(), [b.devices[0].device, b.devices[1].device].sort());
  t.deepEqual(line.smsPriority, { holder: "phone", rev: 1 });
  // R82: priority moves to A2 and back to the phone by P's code: A1 is told, without a code of its own.
  s.server.num.setPriority("A2", undefined, "R69");
  await s.api("POST", "/phone/code", { code: "*103*0#" });
  await until("smsPriorityChanged to phone", () => got.some((m) => m.topic === c1.topics.cmd && m.body.op === "smsPriorityChanged" && (m.body.args as { holder: string }).holder === "phone"));
  // R15: the site unregisters A1: the device hears it, then its credential is revoked.
  await s.api("DELETE", "/devices/A1");
  await until("unregistered command", () => got.some((m) => m.topic === c1.topics.cmd && m.body.op === "unregistered"));
  t.true(got.some((m) => m.topic === c1.topics.desired && m.body.registration === "unregistered"));
  await closed;
  const again = mqtt.connect(b.url, { clientId: c1.clientId, username: c1.username, password: c1.password, reconnectPeriod: 0 });
  const err = await new Promise<Error & { code?: number }>((resolve) => again.once("error", resolve));
  again.end(true);
  t.is(err.code, 4);
  t.is((await s.api("GET", "/broker")).body.devices.length, 1);
  // Its retained topics were cleared: a fresh backend session finds the line but nothing of A1.
  const reg = s.server.broker!.registry.backend;
  const be = await mqtt.connectAsync(b.url, { clientId: reg.username, username: reg.username, password: reg.password, reconnectPeriod: 0 });
  t.teardown(() => be.endAsync(true));
  const retained: string[] = [];
  be.on("message", (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) retained.push(topic);
  });
  await be.subscribeAsync("sl/v1/819012345678/#", { qos: 1 });
  // A publish after the subscription comes back after every retained message of it.
  const mark = "sl/v1/819012345678/dev/" + b.devices[1].device + "/cmd";
  const back = new Promise<void>((resolve) => be.on("message", (topic) => topic === mark && resolve()));
  await be.publishAsync(mark, "barrier", { qos: 1 });
  await back;
  t.true(retained.includes(c1.topics.line));
  t.deepEqual(
    retained.filter((topic) => topic.indexOf("/dev/" + c1.device + "/") >= 0),
    [],
  );
});

test("data faults through the control interface: a lost notice, a socket the module closes", async (t) => {
  const echo = await echoServer(t);
  const s = await served(t, { boards: ["bench-usb-a7670"], accessories: 1, broker: { kind: "none" } });
  const a1 = await at(t, s.server.accessories[0].where);
  await a1.step("AT+CIPRXGET=1;+NETOPEN", "+NETOPEN: 0");
  await a1.step('AT+CIPOPEN=0,"TCP","127.0.0.1",' + echo.port, "+CIPOPEN: 0,0");
  t.is((await s.api("POST", "/devices/A1/data/fault", { loseNotices: 1 })).body.loseNotices, 1);
  await a1.step("AT+CIPSEND=0,2", ">");
  await a1.write("hi", "+CIPSEND: 0,2,2");
  let got = "";
  for (let i = 0; i < 400 && got.indexOf("+CIPRXGET: 4,0,2") < 0; i++) got = await a1.step("AT+CIPRXGET=4,0", "OK\r\n");
  t.false(a1.rx.text.includes("+CIPRXGET: 1,0"));
  t.is((await s.api("POST", "/devices/A1/data/fault", { closeSocket: 0 })).status, 200);
  await a1.rx.waitFor("+IPCLOSE: 0,2");
  t.is((await s.api("POST", "/devices/A1/data/fault", { closeSocket: 0 })).status, 409);
  t.is((await s.api("POST", "/devices/A1/data/fault", { closeSocket: 12 })).status, 400);
});
