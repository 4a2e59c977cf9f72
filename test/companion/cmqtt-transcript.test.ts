/**
 * The SIMCom modem-MQTT adapter (`AT+CMQTT*`) on a scripted A7670, byte for byte: the
 * connect sequence with the will typed after `>` prompts, CONNACK refusals as PubSubError,
 * a publish's topic and payload as counted input, received messages in parts, and a
 * `+CMQTTCONNLOST` failing the operation that waits on it at once.
 */
import test from "ava";
import { simcomA7670 } from "../../drivers/modems/simcom.js";
import { SimcomMqttPubSub } from "../../firmware/companion/cmqtt.js";
import { PubSubError, type PubSubMessage } from "../../firmware/companion/pubsub.js";
import { channelRig, outcome } from "../support/fake-modem.js";

const OK = "\r\nOK\r\n";
const WILL = { topic: "sl/v1/819012345678/dev/d1/status", payload: '{"v":1,"online":false,"sid":"s1"}' };
const CONNECT = { clientId: "d1", password: "pw", keepaliveS: 240, will: WILL };

function rig() {
  const r = channelRig({ finals: simcomA7670.finals, banners: simcomA7670.banners });
  const ps = new SimcomMqttPubSub(r.channel, r.clock, { host: "127.0.0.1", port: 1883 });
  return { r, ps };
}

async function step(r: ReturnType<typeof rig>["r"], tx: string, rx: string): Promise<void> {
  await r.modem.tx(tx);
  await r.modem.rx(rx);
}

/** The connect sequence up to AT+CMQTTCONNECT, with the service already running (err 23). */
async function upToConnect(r: ReturnType<typeof rig>["r"]): Promise<void> {
  await step(r, "AT+CMQTTDISC=0,60\r", "\r\n+CMQTTDISC: 0,11\r\n\r\nERROR\r\n");
  await step(r, "AT+CMQTTREL=0\r", "\r\n+CMQTTREL: 0,20\r\n\r\nERROR\r\n");
  await step(r, "AT+CMQTTSTART\r", "\r\n+CMQTTSTART: 23\r\n\r\nERROR\r\n");
  await step(r, 'AT+CMQTTACCQ=0,"d1",0\r', OK);
  await step(r, "AT+CMQTTWILLTOPIC=0," + WILL.topic.length + "\r", "\r\n>");
  await step(r, WILL.topic, OK);
  await step(r, "AT+CMQTTWILLMSG=0," + WILL.payload.length + ",1\r", "\r\n>");
  await step(r, WILL.payload, OK);
}

function downsOf(ps: SimcomMqttPubSub): string[] {
  const downs: string[] = [];
  ps.events.on("down", (d) => downs.push(d));
  return downs;
}

/** A whole successful connect. */
async function connected(r: ReturnType<typeof rig>["r"], ps: SimcomMqttPubSub): Promise<void> {
  void ps.connect(CONNECT);
  await upToConnect(r);
  await step(r, 'AT+CMQTTCONNECT=0,"tcp://127.0.0.1:1883",240,1,"d1","pw"\r', OK + "\r\n+CMQTTCONNECT: 0,0\r\n");
}

test("connect: stale client let go, service started, will as counted input, CONNECT's result awaited", async (t) => {
  const { r, ps } = rig();
  const c = outcome(ps.connect(CONNECT));
  await upToConnect(r);
  await step(r, 'AT+CMQTTCONNECT=0,"tcp://127.0.0.1:1883",240,1,"d1","pw"\r', OK);
  t.false(c.settled);
  await r.modem.rx("\r\n+CMQTTCONNECT: 0,0\r\n");
  t.true(c.settled && c.error === undefined, String(c.error));
});

test("subscribe: every filter typed with AT+CMQTTSUBTOPIC, one AT+CMQTTSUB for all, one result", async (t) => {
  const { r, ps } = rig();
  await connected(r, ps);
  const s = outcome(ps.subscribe([{ topic: "a/line", qos: 1 }, { topic: "a/cmd", qos: 0 }]));
  await step(r, "AT+CMQTTSUBTOPIC=0,6,1\r", "\r\n>");
  await step(r, "a/line", OK);
  await step(r, "AT+CMQTTSUBTOPIC=0,5,0\r", "\r\n>");
  await step(r, "a/cmd", OK);
  await step(r, "AT+CMQTTSUB=0\r", OK + "\r\n+CMQTTSUB: 0,0\r\n");
  t.deepEqual(s.value, [1, 0]);
  const refused = outcome(ps.subscribe([{ topic: "b/#", qos: 1 }]));
  await step(r, "AT+CMQTTSUBTOPIC=0,3,1\r", "\r\n>");
  await step(r, "b/#", OK);
  await step(r, "AT+CMQTTSUB=0\r", OK + "\r\n+CMQTTSUB: 0,1\r\n");
  t.deepEqual(refused.value, [128]);
});

test("a CONNACK refusal (err 31 = rc 5, not authorized) is a PubSubError carrying the return code", async (t) => {
  const { r, ps } = rig();
  const c = outcome(ps.connect(CONNECT));
  await upToConnect(r);
  await step(r, 'AT+CMQTTCONNECT=0,"tcp://127.0.0.1:1883",240,1,"d1","pw"\r', OK + "\r\n+CMQTTCONNECT: 0,31\r\n");
  t.true(PubSubError.is(c.error));
  t.is(PubSubError.is(c.error) ? c.error.refused : -1, 5);
});

test("publish: topic and JSON payload typed after `>` (quotes need no escaping), then AT+CMQTTPUB's result", async (t) => {
  const { r, ps } = rig();
  await connected(r, ps);
  const body = '{"v":1,"id":"x","status":"done"}';
  const p = outcome(ps.publish("sl/v1/8190/dev/d1/ack", body, 1, false));
  // A second publish waits: the module holds one topic and payload per client.
  const q = outcome(ps.publish("sl/v1/8190/dev/d1/state", "{}", 1, true));
  await step(r, "AT+CMQTTTOPIC=0,21\r", "\r\n>");
  await step(r, "sl/v1/8190/dev/d1/ack", OK);
  await step(r, "AT+CMQTTPAYLOAD=0," + body.length + "\r", "\r\n>");
  await step(r, body, OK);
  await step(r, "AT+CMQTTPUB=0,1,60,0\r", OK);
  await r.modem.tx("");
  await r.modem.rx("\r\n+CMQTTPUB: 0,0\r\n");
  t.true(p.settled && p.error === undefined);
  await step(r, "AT+CMQTTTOPIC=0,23\r", "\r\n>");
  await step(r, "sl/v1/8190/dev/d1/state", OK);
  await step(r, "AT+CMQTTPAYLOAD=0,2\r", "\r\n>");
  await step(r, "{}", OK);
  await step(r, "AT+CMQTTPUB=0,1,60,1\r", OK + "\r\n+CMQTTPUB: 0,1\r\n");
  t.regex(String(q.error), /publish to sl\/v1\/8190\/dev\/d1\/state failed: failed/);
});

test("received messages: parts joined, a topic that reads OK is data, CR/LF and any byte in a payload arrive whole, another client's are not ours", async (t) => {
  const { r, ps } = rig();
  const got: PubSubMessage[] = [];
  ps.events.on("message", (m) => got.push(m));
  await r.modem.rx("\r\n+CMQTTRXSTART: 0,2,12\r\n+CMQTTRXTOPIC: 0,2\r\nOK\r\n+CMQTTRXPAYLOAD: 0,6\r\n{\"a\":1\r\n+CMQTTRXPAYLOAD: 0,6\r\n,\"b\":2\r\n+CMQTTRXEND: 0\r\n");
  // Bytes after RXPAYLOAD are counted, not lines: CR, LF, "OK" and NUL are payload.
  const binary = 'a\r\nb\rOK\r\n\x00\xff"';
  await r.modem.rx("\r\n+CMQTTRXSTART: 0,1," + binary.length + "\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXPAYLOAD: 0," + binary.length + "\r\n" + binary + "\r\n+CMQTTRXEND: 0\r\n");
  // Another client's message is not ours (its bytes are still taken off the line).
  await r.modem.rx("\r\n+CMQTTRXSTART: 1,1,4\r\n+CMQTTRXTOPIC: 1,1\r\nx\r\n+CMQTTRXPAYLOAD: 1,4\r\nOK\r\n\r\n+CMQTTRXEND: 1\r\n");
  t.deepEqual(got, [
    { topic: "OK", payload: '{"a":1,"b":2', retain: false },
    { topic: "t", payload: binary, retain: false },
  ]);
});

test("a message whose payload bytes stop short is dropped, and the lines after it still work", async (t) => {
  const { r, ps } = rig();
  const got: PubSubMessage[] = [];
  ps.events.on("message", (m) => got.push(m));
  await connected(r, ps);
  // 40 bytes announced, 5 came (lost on the UART); the module goes on with the next message.
  await r.modem.rx("\r\n+CMQTTRXSTART: 0,1,40\r\n+CMQTTRXTOPIC: 0,1\r\nt\r\n+CMQTTRXPAYLOAD: 0,40\r\n{\"a\":");
  await r.clock.advance(1000);
  await r.modem.rx("\r\n+CMQTTRXEND: 0\r\n\r\n+CMQTTRXSTART: 0,1,2\r\n+CMQTTRXTOPIC: 0,1\r\nu\r\n+CMQTTRXPAYLOAD: 0,2\r\n{}\r\n+CMQTTRXEND: 0\r\n");
  t.deepEqual(got, [{ topic: "u", payload: "{}", retain: false }]);
});

test("+CMQTTCONNLOST fails the publish waiting on its result at once and says the link is down", async (t) => {
  const { r, ps } = rig();
  const downs = downsOf(ps);
  await connected(r, ps);
  const p = outcome(ps.publish("t", "x", 1, false));
  await step(r, "AT+CMQTTTOPIC=0,1\r", "\r\n>");
  await step(r, "t", OK);
  await step(r, "AT+CMQTTPAYLOAD=0,1\r", "\r\n>");
  await step(r, "x", OK);
  await step(r, "AT+CMQTTPUB=0,1,60,0\r", OK);
  await r.modem.rx("\r\n+CMQTTCONNLOST: 0,1\r\n");
  t.regex(String(p.error), /session lost \(\+CMQTTCONNLOST: 0,1\)/);
  t.deepEqual(downs, ["+CMQTTCONNLOST: 0,1"]);
  // Not connected now: a publish is refused before anything is written.
  const q = outcome(ps.publish("t", "x", 0, false));
  await r.modem.tx("");
  t.regex(String(q.error), /not connected/);
});

test("destroy stops the service without DISCONNECT (the broker then publishes the will) and tells no `down`", async (t) => {
  const { r, ps } = rig();
  const downs = downsOf(ps);
  await connected(r, ps);
  ps.destroy("keepalive");
  await step(r, "AT+CMQTTSTOP\r", OK);
  t.deepEqual(downs, []);
});
