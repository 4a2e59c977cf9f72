/**
 * SIMCom's own MQTT client (`AT+CMQTT*`, firmware/companion/cmqtt.ts) on the simulated
 * A7670, whose MQTT sessions are real connections from the host to real brokers:
 *
 * - payloads with CR, LF and every byte value both ways (`+CMQTTRXPAYLOAD` read by count);
 * - TLS through the module (AT+CCERTDOWN, AT+CSSLCFG, AT+CMQTTACCQ server_type 1,
 *   AT+CMQTTSSLCFG) to aedes behind a TLS listener and to mosquitto's TLS listener, with
 *   a CA made at test start; a broker certificate from another CA fails with a clear error;
 * - the will SIMCom cannot retain (AT+CMQTTWILLMSG has no retain flag): the fleet backend
 *   republishes it retained, so a device that vanished reads offline on aedes and mosquitto.
 */
import test, { type ExecutionContext } from "ava";
import mqtt from "mqtt";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { systemClock } from "../../hal/node/clock.js";
import { AtChannel } from "../../drivers/at/index.js";
import { simcomA7670 } from "../../drivers/modems/simcom.js";
import { SimcomMqttPubSub, type CmqttBroker } from "../../firmware/companion/cmqtt.js";
import { PubSubError, type PubSubMessage } from "../../firmware/companion/pubsub.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { SharedNetwork } from "../../sim/network/index.js";
import { BrokerRegistry } from "../../sim/broker/registry.js";
import { FleetBackend } from "../../sim/broker/backend.js";
import { startAedesBroker } from "../../sim/broker/aedes-broker.js";
import { makeTestCa, startMosquitto, type TlsFiles } from "../../sim/broker/mosquitto.js";
import { haveTool } from "../support/tools.js";
import { backend, makeLink, MSISDN, N, startBroker, until } from "./helpers.js";

/** Every byte value, then CR LF, a line that reads OK, and JSON quotes. */
const AWKWARD = (() => {
  let s = "";
  for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
  return s + '\r\n{"a":1}\r\nOK\r\n+CMQTTRXEND: 0\r\n';
})();

interface A7670 {
  modem: SimModem;
  channel: AtChannel;
  /** AT lines the firmware wrote (no CR). */
  tx: string[];
  pubsub(broker: CmqttBroker): SimcomMqttPubSub;
}

async function a7670(t: ExecutionContext): Promise<A7670> {
  const clock = new VirtualClock();
  const modem = new SimModem({ clock, network: new NetworkStub({ clock }), identity: { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE", revision: "A7670M7_V1.11.1" }, bootBanner: ["*ATREADY: 1"] });
  const [host, line] = memorySerialPair();
  modem.connect(line);
  modem.powerOn(false);
  // The simulator's own timers run on its virtual clock; let it move while real I/O happens.
  const pump = setInterval(() => void clock.advance(20), 5);
  const channel = new AtChannel(host, systemClock, { finals: simcomA7670.finals, banners: simcomA7670.banners });
  const tx: string[] = [];
  channel.events.on("tx", (b) => tx.push(b.replace(/\r$/, "")));
  const made: SimcomMqttPubSub[] = [];
  t.teardown(() => {
    for (const p of made) p.stop();
    channel.close();
    modem.reboot();
    clearInterval(pump);
  });
  await channel.send("ATE0");
  await channel.send("AT+CMEE=1");
  await channel.send('AT+CGDCONT=1,"IP","internet"');
  return {
    modem,
    channel,
    tx,
    pubsub(broker) {
      const p = new SimcomMqttPubSub(channel, systemClock, broker, { openTimeoutMs: 15000, resultTimeoutMs: 10000 });
      made.push(p);
      return p;
    },
  };
}

const will = (id: string) => ({ topic: "t/" + id + "/will", payload: "gone" });

test.serial("a payload with CR, LF, a line reading OK and every byte value crosses the A7670's own MQTT client whole, both ways", async (t) => {
  const broker = await startBroker();
  t.teardown(() => broker.close());
  const r = await a7670(t);
  const ps = r.pubsub({ host: "127.0.0.1", port: broker.port });
  const got: PubSubMessage[] = [];
  ps.events.on("message", (m) => got.push(m));
  await ps.connect({ clientId: "bin0", password: "pw", keepaliveS: 60, will: will("bin0") });
  t.deepEqual(await ps.subscribe([{ topic: "t/in", qos: 1 }]), [1]);
  const be = await backend(broker.port, ["t/out"]);
  t.teardown(() => be.client.endAsync());
  await be.client.publishAsync("t/in", Buffer.from(AWKWARD, "latin1"), { qos: 1 });
  await until(() => got.length > 0, "the message through +CMQTTRXPAYLOAD");
  t.is(got[0].topic, "t/in");
  t.true(got[0].payload === AWKWARD, "received byte for byte (" + got[0].payload.length + " of " + AWKWARD.length + ")");
  await ps.publish("t/out", AWKWARD, 1, false);
  await until(() => be.seen.length > 0, "the publish at the broker");
  t.true(be.seen[0].payload === AWKWARD, "sent byte for byte");
});

if (haveTool("openssl", "makes the test CA for the TLS listeners", ["version"])) {
  /** A CA with a server certificate for localhost / 127.0.0.1, and an unrelated CA. */
  function pki(t: ExecutionContext): { right: TlsFiles; wrong: string } {
    const a = mkdtempSync(join(tmpdir(), "sl-cmqtt-ca-"));
    const b = mkdtempSync(join(tmpdir(), "sl-cmqtt-other-"));
    t.teardown(() => {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    });
    return { right: makeTestCa(a), wrong: makeTestCa(b).ca };
  }

  /** aedes (no authentication) behind a node:tls listener; `sessions` records each handshake's protocol. */
  async function tlsAedes(t: ExecutionContext, files: TlsFiles) {
    const broker = await startBroker();
    const sessions: string[] = [];
    const clients: string[] = [];
    broker.aedes.on("client", (c) => clients.push(c.id));
    const server = tls.createServer({ key: readFileSync(files.keyFile), cert: readFileSync(files.certFile) }, (s) => {
      sessions.push(String(s.getProtocol()));
      broker.aedes.handle(s);
    });
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    t.teardown(async () => {
      server.close();
      await broker.close();
    });
    return { broker, port: (server.address() as AddressInfo).port, sessions, clients };
  }

  test.serial("TLS through the module to aedes: the CA goes into the module once, the context checks the broker, the session is TLS 1.2", async (t) => {
    const { right } = pki(t);
    const b = await tlsAedes(t, right);
    const r = await a7670(t);
    const ps = r.pubsub({ host: "127.0.0.1", port: b.port, tls: { ca: right.ca } });
    await ps.connect({ clientId: "tls0", password: "pw", keepaliveS: 60, will: will("tls0") });
    const be = await backend(b.broker.port, ["t/tls0/out"]);
    t.teardown(() => be.client.endAsync());
    await ps.publish("t/tls0/out", '{"v":1}', 1, true);
    await until(() => be.seen.length > 0, "the publish, through TLS");
    t.deepEqual(b.sessions, ["TLSv1.2"], "one TLS session, at the module's highest version");
    t.deepEqual(
      b.clients.filter((c) => c.indexOf("backend-") !== 0),
      ["tls0"],
    );
    const ca = r.tx.filter((l) => l.indexOf("AT+CCERTDOWN=") === 0);
    t.deepEqual(ca, ['AT+CCERTDOWN="sl-broker-ca.pem",' + right.ca.length]);
    for (const l of ['AT+CSSLCFG="sslversion",0,4', 'AT+CSSLCFG="authmode",0,1', 'AT+CSSLCFG="cacert",0,"sl-broker-ca.pem"', 'AT+CSSLCFG="enableSNI",0,1', 'AT+CMQTTACCQ=0,"tls0",1', "AT+CMQTTSSLCFG=0,0"]) {
      t.true(r.tx.includes(l), l);
    }
    // The server address keeps its tcp:// form for an SSL client (A76XX manual, AT+CMQTTCONNECT).
    t.true(r.tx.some((l) => l.indexOf('AT+CMQTTCONNECT=0,"tcp://127.0.0.1:' + b.port + '",60,1,') === 0));
    // Connecting again: the CA is in the module's flash already.
    await ps.end();
    await ps.connect({ clientId: "tls0", password: "pw", keepaliveS: 60, will: will("tls0") });
    t.is(r.tx.filter((l) => l.indexOf("AT+CCERTDOWN=") === 0).length, 1);
    t.is(b.sessions.length, 2);
  });

  test.serial("TLS through the module: a broker certificate from another CA fails the connect with a clear error; the broker never sees the client", async (t) => {
    const { right, wrong } = pki(t);
    const b = await tlsAedes(t, right);
    const r = await a7670(t);
    const ps = r.pubsub({ host: "127.0.0.1", port: b.port, tls: { ca: wrong } });
    const e = await t.throwsAsync(ps.connect({ clientId: "tls1", password: "pw", keepaliveS: 60, will: will("tls1") }));
    t.true(PubSubError.is(e));
    t.regex(e!.message, /MQTT connect failed: TLS handshake failed \(is the broker's certificate signed by the CA given\?\)/);
    t.deepEqual(b.clients, []);
    // The module said so in its own words: +CMQTTCONNECT <err> 32, handshake fail.
    t.true(r.tx.includes('AT+CMQTTACCQ=0,"tls1",1'));
  });

  test.serial("the module without a CA file refuses server authentication: +CMQTTCONNECT <err> 33 (no certificate set)", async (t) => {
    const { right } = pki(t);
    const b = await tlsAedes(t, right);
    const r = await a7670(t);
    await r.channel.send("AT+CMQTTSTART");
    await r.channel.send('AT+CSSLCFG="authmode",3,1');
    await r.channel.send('AT+CMQTTACCQ=1,"raw1",1');
    await r.channel.send("AT+CMQTTSSLCFG=1,3");
    const urcs: string[] = [];
    r.channel.onUrc("+CMQTTCONNECT:", (l) => urcs.push(l));
    await r.channel.send('AT+CMQTTCONNECT=1,"tcp://127.0.0.1:' + b.port + '",60,1');
    await until(() => urcs.length > 0, "+CMQTTCONNECT");
    t.deepEqual(urcs, ["+CMQTTCONNECT: 1,33"]);
    t.deepEqual(b.sessions, []);
  });

  if (haveTool("mosquitto", "the companion link's CI broker", ["-h"])) {
    test.serial("TLS through the module to mosquitto's TLS listener (password and ACL files): the device publishes its own status", async (t) => {
      const registry = new BrokerRegistry();
      const dev = registry.issue(MSISDN, "A1");
      const m = await startMosquitto(registry);
      t.teardown(() => m.close());
      const r = await a7670(t);
      const ps = r.pubsub({ host: "127.0.0.1", port: m.port, tls: { ca: m.ca! } });
      const status = "sl/v1/" + N + "/dev/" + dev.device + "/status";
      await ps.connect({ clientId: dev.device, password: dev.password, keepaliveS: 60, will: { topic: status, payload: '{"v":1,"online":false}' } });
      await ps.publish(status, '{"v":1,"online":true}', 1, true);
      const sniff = await mqtt.connectAsync(m.url, { clientId: "sniff", username: registry.backend.username, password: registry.backend.password, ca: m.ca, reconnectPeriod: 0 });
      t.teardown(() => sniff.endAsync());
      const seen: string[] = [];
      sniff.on("message", (_topic, payload) => seen.push(payload.toString()));
      await sniff.subscribeAsync(status, { qos: 1 });
      await until(() => seen.length > 0, "the retained status from the module's TLS session");
      t.deepEqual(seen, ['{"v":1,"online":true}']);
      // A module that trusts another CA gets nowhere with mosquitto either.
      const other = mkdtempSync(join(tmpdir(), "sl-cmqtt-other-"));
      t.teardown(() => rmSync(other, { recursive: true, force: true }));
      const r2 = await a7670(t);
      const ps2 = r2.pubsub({ host: "127.0.0.1", port: m.port, tls: { ca: makeTestCa(other).ca } });
      await t.throwsAsync(ps2.connect({ clientId: dev.device, password: dev.password, keepaliveS: 60, will: { topic: status, payload: "{}" } }), { message: /TLS handshake failed/ });
    });
  }
}

/**
 * R14 presence: the A7670's link is online through the module's MQTT client, then the
 * module vanishes (powered off mid-session). Its will reaches the broker unretained; the
 * fleet backend republishes it retained, so a client that subscribes afterwards (the
 * number's other accessory) reads the device offline, with the link's last session id.
 */
async function vanishes(t: ExecutionContext, broker: { url: string; host: string; port: number; ca: string | undefined; registry: BrokerRegistry; afterIssue(): Promise<void> }): Promise<void> {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 1, 0, 0));
  const net = new SharedNetwork({ clock });
  net.createNumber(MSISDN, { multiDevice: true });
  const port = net.portFor(MSISDN, { imei: "356938035643809", friendlyName: "car", model: "bench-usb-a7670", sms: "none", callWaiting: true }, { register: true });
  // A second accessory of the number: it may read A1's status (companion-link.md §5.3).
  const peerPort = net.portFor(MSISDN, { imei: "356938035643817", friendlyName: "watch", model: "watch-bangle2-bg95", sms: "native", callWaiting: false }, { register: true });
  const fleet = new FleetBackend({ net, registry: broker.registry, url: broker.url, ca: broker.ca });
  await fleet.start();
  t.teardown(() => fleet.close());
  await broker.afterIssue();
  const dev = fleet.credential(MSISDN, port.id)!;
  const peer = fleet.credential(MSISDN, peerPort.id)!;
  const status = "sl/v1/" + N + "/dev/" + dev.device + "/status";
  const r = await a7670(t);
  const ps = r.pubsub({ host: broker.host, port: broker.port, tls: broker.ca ? { ca: broker.ca } : undefined });
  const l = makeLink(ps, dev.device, { config: { password: dev.password, policy: { reconnect: { baseMs: 600000, capMs: 600000, minMs: 0 }, escalateAfter: 99, refusedWaitMs: 3600000, random: () => 0.5 } } });
  t.teardown(() => l.link.stop());
  await l.link.start();
  await until(() => l.link.status().name === "online", "online through the module", 15000);
  // The will as the module was given it: not retained (no flag), so marked for the backend.
  const willMsg = r.tx[r.tx.findIndex((x) => x.indexOf("AT+CMQTTWILLMSG=") === 0) + 1];
  t.is(JSON.parse(willMsg).republish, true);
  const sid = JSON.parse(willMsg).sid;
  const subscriber = async () => {
    const c = await mqtt.connectAsync(broker.url, { clientId: peer.device, username: peer.device, password: peer.password, ca: broker.ca, reconnectPeriod: 0 });
    const seen: { payload: string; retain: boolean }[] = [];
    c.on("message", (_t, p, packet) => seen.push({ payload: p.toString(), retain: packet.retain }));
    await c.subscribeAsync(status, { qos: 1 });
    return { c, seen };
  };
  const watcher = await subscriber();
  // Power gone: the TCP connection dies under the broker, which publishes the will.
  r.modem.reboot();
  const copy = (m: { payload: string }) => JSON.parse(m.payload).online === false && JSON.parse(m.payload).republish === undefined;
  await until(() => watcher.seen.some((m) => JSON.parse(m.payload).republish === true), "the will, marked, from the broker", 15000);
  await until(() => watcher.seen.some(copy), "the backend's copy", 5000);
  await watcher.c.endAsync();
  // Whoever subscribes now gets the retained status: offline, the last session's id.
  const late = await subscriber();
  t.teardown(() => late.c.endAsync());
  await until(() => late.seen.length > 0, "the retained status");
  const offline = late.seen[0];
  t.true(offline.retain);
  t.like(JSON.parse(offline.payload), { v: 1, online: false, sid });
  t.is(JSON.parse(offline.payload).republish, undefined, "the backend's retained copy, not the mark");
}

test.serial("R14 a SIMCom device that vanishes reads offline on aedes: its unretained will is republished retained by the backend", async (t) => {
  const registry = new BrokerRegistry();
  const b = await startAedesBroker(registry);
  t.teardown(() => b.close());
  await vanishes(t, { url: b.url, host: b.host, port: b.port, ca: undefined, registry, afterIssue: async () => undefined });
});

if (haveTool("mosquitto", "the companion link's CI broker", ["-h"]) && haveTool("openssl", "the test CA", ["version"])) {
  test.serial("R14 a SIMCom device that vanishes reads offline on mosquitto (TLS through the module): the backend republishes its will retained", async (t) => {
    const registry = new BrokerRegistry();
    const m = await startMosquitto(registry);
    t.teardown(() => m.close());
    await vanishes(t, { url: m.url, host: m.host, port: m.port, ca: m.ca, registry, afterIssue: () => m.reload() });
  });
}
