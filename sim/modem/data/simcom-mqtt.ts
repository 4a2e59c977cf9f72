/**
 * SIMCom's MQTT command set (`AT+CMQTT*`) of the simulated A7670, from "A76XX Series
 * MQTT(S) Application Note" and the "SIM7500_SIM7600 Series MQTT AT Command Set" V1.01
 * (the A76xx keeps its syntax): `AT+CMQTTSTART` starts the service (activating the packet
 * context), `AT+CMQTTACCQ` acquires client 0 or 1 with its client id, will, topics and
 * payloads are typed after `>` prompts with their length given first, and every action
 * answers OK at once and its outcome later in a URC of the same name (`+CMQTTCONNECT:
 * <client_index>,<err>`). Received messages come as one block: `+CMQTTRXSTART`,
 * `+CMQTTRXTOPIC` + topic, `+CMQTTRXPAYLOAD` + payload, `+CMQTTRXEND`.
 *
 * <err> codes (the manual's table): 0 ok, 1 failed, 3 socket connect failed, 7 network
 * open failed, 11 no connection, 12 invalid parameter, 13 not supported, 18 topic empty,
 * 19 client used, 20 client not acquired, 22 length out of range, 23 network already
 * opened, 25 DNS error, 26 socket closed by server, 27..31 CONNACK refusals 1..5.
 * 32 TLS handshake failed, 33 no certificate set, 34 SSL session open failed.
 * `+CMQTTCONNLOST: <client_index>,<cause>`: 1 closed by the server, 2 reset (pings
 * unanswered), 3 network closed; `+CMQTTNONET`: the packet context is gone and the
 * service must be started again.
 *
 * TLS (the manual's MQTT(S) chapter, and its SSL chapter, simcom-ssl.ts): a client
 * acquired with <server_type> 1 connects through the SSL context set with
 * `AT+CMQTTSSLCFG=<session_id>,<ssl_ctx_index>`; the server address keeps its `tcp://`
 * form (the module's own `AT+CMQTTCONNECT?` shows "tcp://host:8883" for such a client).
 * Received topics and payloads follow their `+CMQTTRXTOPIC`/`+CMQTTRXPAYLOAD` line as
 * exactly <len> bytes, whatever they hold (CR and LF included).
 */
import type { SimModem } from "../modem.js";
import type { Args, CommandSpec, CommandTable } from "../commands/types.js";
import { PromptRequest, Reply, ok, perSlot } from "../results.js";
import type { DataUser, EndedBy } from "./packet.js";
import { MqttLink, MqttWill, type MqttLinkTls } from "./mqtt-link.js";
import { isDnsFailure } from "./tcp-link.js";

const CLIENTS = 2;
const CID = 1;
const PROMPT = "\r\n>";
const MAX_TOPIC = 1024;
const MAX_PAYLOAD = 10240;

const E = { ok: 0, failed: 1, connectFailed: 3, netOpenFailed: 7, noConnection: 11, badParam: 12, notSupported: 13, topicEmpty: 18, clientUsed: 19, notAcquired: 20, netOpened: 23, dns: 25, handshake: 32, noCertificate: 33 };
/** SSL contexts 0..9 (simcom-ssl.ts). */
const SSL_CONTEXTS = 10;

interface CmqttClient {
  clientId: string;
  version: 3 | 4;
  /** <server_type>: TLS through the client's SSL context. */
  ssl: boolean;
  willTopic: string;
  willMsg: string;
  willQos: 0 | 1 | 2;
  pubTopic: string;
  payload: string;
  subTopics: { topic: string; qos: 0 | 1 | 2 }[];
  unsubTopics: string[];
  link: MqttLink | undefined;
  server: string;
  keepalive: number;
  clean: boolean;
}

export class SimcomMqtt implements DataUser {
  started = false;
  private readonly clients: (CmqttClient | undefined)[] = [];
  /** AT+CMQTTSSLCFG: the SSL context of each client index (default 0). */
  readonly sslContext: number[] = [0, 0];

  constructor(private readonly m: SimModem) {}

  client(idx: number): CmqttClient | undefined {
    return this.clients[idx];
  }

  acquire(idx: number, clientId: string, version: 3 | 4, ssl: boolean): boolean {
    if (this.clients[idx]) return false;
    this.clients[idx] = {
      clientId,
      version,
      ssl,
      willTopic: "",
      willMsg: "",
      willQos: 0,
      pubTopic: "",
      payload: "",
      subTopics: [],
      unsubTopics: [],
      link: undefined,
      server: "",
      keepalive: 60,
      clean: true,
    };
    return true;
  }

  release(idx: number): void {
    const c = this.clients[idx];
    if (c && c.link) c.link.drop();
    this.clients[idx] = undefined;
  }

  /** AT+CMQTTCONNECT: the TCP connection, then CONNECT; `+CMQTTCONNECT: <idx>,<err>` tells how it went. */
  connect(idx: number, host: string, port: number, user: string | undefined, pass: string | undefined): void {
    const c = this.clients[idx]!;
    const report = (err: number) => this.m.urc("+CMQTTCONNECT: " + idx + "," + err);
    const will: MqttWill | undefined = c.willTopic !== "" ? { topic: c.willTopic, payload: c.willMsg, qos: c.willQos, retain: false } : undefined;
    let secure: MqttLinkTls | undefined = undefined;
    if (c.ssl) {
      const setup = this.m.stacks.simcomSsl!.tlsFor(this.sslContext[idx], host);
      // Server authentication without a CA file to check against: <err> 33, "not set certificate".
      if (!setup.ok) return void Promise.resolve().then(() => report(E.noCertificate));
      secure = setup.options;
    }
    const link: MqttLink = new MqttLink(
      host,
      port,
      CID,
      {
        opened: (err, handshake) => {
          if (c.link !== link) return;
          if (err) {
            c.link = undefined;
            return report(handshake ? E.handshake : isDnsFailure(err) ? E.dns : E.connectFailed);
          }
          link.connect({ version: c.version, keepalive: c.keepalive, clean: c.clean, will, timeoutMs: 30000 }, c.clientId, user, pass).then(
            (rc) => {
              if (rc !== 0) c.link = undefined;
              // CONNACK return codes 1..5 are <err> 27..31.
              report(rc === 0 ? E.ok : 26 + rc);
            },
            () => {
              c.link = undefined;
              report(E.failed);
            },
          );
      },
      lost: (reason) => {
        if (c.link !== link) return;
        c.link = undefined;
        this.m.urc("+CMQTTCONNLOST: " + idx + "," + (reason === "ping" ? 2 : 1));
      },
      message: (topic, payload) => {
        if (c.link !== link) return;
        this.m.urc(
          "+CMQTTRXSTART: " + idx + "," + topic.length + "," + payload.length,
          "+CMQTTRXTOPIC: " + idx + "," + topic.length,
          topic,
          "+CMQTTRXPAYLOAD: " + idx + "," + payload.length,
          payload,
          "+CMQTTRXEND: " + idx,
        );
      },
      },
      secure,
    );
    c.link = link;
  }

  contextEnded(cid: number, by: EndedBy): void {
    if (cid !== CID) return;
    let had = false;
    for (let i = 0; i < CLIENTS; i++) {
      const c = this.clients[i];
      if (!c || !c.link) continue;
      had = true;
      c.link.drop();
      c.link = undefined;
      if (by === "nw") this.m.urc("+CMQTTCONNLOST: " + i + ",3");
    }
    if (this.started && by === "nw") this.m.urc("+CMQTTNONET");
    if (had || this.started) this.started = false;
  }

  reset(): void {
    for (let i = 0; i < CLIENTS; i++) this.release(i);
    this.started = false;
  }
}

function cm(m: SimModem): SimcomMqtt {
  return m.stacks.simcomMqtt!;
}

/** `+<NAME>: <client_index>,<err>` then ERROR: how a CMQTT command refuses at once. */
function refuse(name: string, idx: number, err: number): Reply {
  return { lines: [name + ": " + idx + "," + err], final: { kind: "error" } };
}

function clientArg(a: Args, i: number): number {
  return a.int(i, 0, CLIENTS - 1);
}

/** A `>` prompt for exactly `length` bytes, handed to `take`. */
function input(length: number, take: (bytes: string) => void): { lines: string[]; prompt: PromptRequest } {
  return {
    lines: [],
    prompt: {
      length,
      text: PROMPT,
      onPdu: (bytes) => {
        take(bytes);
        return ok();
      },
    },
  };
}

/** An acquired client, or the refusal `+<name>: <idx>,20` (client not acquired). */
function acquired(m: SimModem, name: string, idx: number): CmqttClient | Reply {
  const c = cm(m).client(idx);
  return c || refuse(name, idx, E.notAcquired);
}

function isReply(x: CmqttClient | Reply): x is Reply {
  return (x as Reply).lines !== undefined;
}

/** Outcome of a request on a connected client in `<name>: <idx>,<err>`. */
function later(m: SimModem, name: string, idx: number, run: Promise<unknown>): void {
  run.then(
    () => m.urc(name + ": " + idx + ",0"),
    () => m.urc(name + ": " + idx + "," + E.failed),
  );
}

/** AT+<name>=<client_index>,<req_length>: `>`, then that many bytes for the acquired client. */
function clientInput(name: string, max: number, take: (c: CmqttClient, bytes: string) => void): CommandSpec {
  return {
    set: (m, a) => {
      a.atMost(2);
      const idx = clientArg(a, 0);
      const c = acquired(m, name, idx);
      if (isReply(c)) return c;
      return input(a.int(1, 1, max), (bytes) => take(c, bytes));
    },
  };
}

function connectedLink(c: CmqttClient): MqttLink | undefined {
  return c.link && c.link.state === "connected" ? c.link : undefined;
}

function qos(a: Args, i: number): 0 | 1 | 2 {
  return a.int(i, 0, 2) as 0 | 1 | 2;
}

export const simcomMqttCommands: CommandTable = {
  // AT+CMQTTSTART: OK, then +CMQTTSTART: <err> (23: already started, with ERROR at once).
  "+CMQTTSTART": {
    needsSim: true,
    action: (m) => {
      const s = cm(m);
      if (s.started) return { lines: ["+CMQTTSTART: " + E.netOpened], final: { kind: "error" } };
      let err = E.ok;
      try {
        m.data.activate(CID);
        s.started = true;
      } catch {
        err = E.netOpenFailed;
      }
      m.urc("+CMQTTSTART: " + err);
      return ok();
    },
    test: () => ok(),
  },
  // AT+CMQTTSTOP: every client disconnects; OK, then +CMQTTSTOP: <err>.
  "+CMQTTSTOP": {
    action: (m) => {
      const s = cm(m);
      if (!s.started) {
        m.urc("+CMQTTSTOP: " + E.failed);
        return ok();
      }
      for (let i = 0; i < CLIENTS; i++) {
        const c = s.client(i);
        if (c && c.link) {
          c.link.close();
          c.link = undefined;
        }
      }
      s.started = false;
      m.urc("+CMQTTSTOP: 0");
      return ok();
    },
    test: () => ok(),
  },
  // AT+CMQTTACCQ=<client_index>,"<clientID>"[,<server_type>[,<version>]] (server_type 0 TCP, 1 SSL/TLS).
  "+CMQTTACCQ": {
    set: (m, a) => {
      a.atMost(4);
      const idx = clientArg(a, 0);
      const id = a.str(1);
      const type = a.int(2, 0, 1, 0);
      const version = a.int(3, 3, 4, 4) as 3 | 4;
      if (id === "" || id.length > 128) return refuse("+CMQTTACCQ", idx, E.badParam);
      if (!cm(m).acquire(idx, id, version, type === 1)) return refuse("+CMQTTACCQ", idx, E.clientUsed);
      return ok();
    },
    read: (m) =>
      perSlot(CLIENTS, (i) => {
        const c = cm(m).client(i);
        return "+CMQTTACCQ: " + i + ',"' + (c ? c.clientId : "") + '",' + (c && c.ssl ? 1 : 0);
      }),
    test: () => ok("+CMQTTACCQ: (0-1),(1-128),(0-1),(3-4)"),
  },
  // AT+CMQTTSSLCFG=<session_id>,<ssl_ctx_index>: the SSL context a TLS client (server_type 1) connects through.
  "+CMQTTSSLCFG": {
    set: (m, a) => {
      a.atMost(2);
      const idx = clientArg(a, 0);
      cm(m).sslContext[idx] = a.int(1, 0, SSL_CONTEXTS - 1);
      return ok();
    },
    read: (m) => perSlot(CLIENTS, (i) => "+CMQTTSSLCFG: " + i + "," + cm(m).sslContext[i]),
    test: () => ok("+CMQTTSSLCFG: (0-1),(0-9)"),
  },
  "+CMQTTREL": {
    set: (m, a) => {
      a.atMost(1);
      const idx = clientArg(a, 0);
      const c = cm(m).client(idx);
      if (!c) return refuse("+CMQTTREL", idx, E.notAcquired);
      if (c.link) return refuse("+CMQTTREL", idx, 21);
      cm(m).release(idx);
      return ok();
    },
    test: () => ok("+CMQTTREL: (0-1)"),
  },
  // AT+CMQTTWILLTOPIC=<client_index>,<req_length>, then the topic after `>`.
  "+CMQTTWILLTOPIC": clientInput("+CMQTTWILLTOPIC", MAX_TOPIC, (c, t) => (c.willTopic = t)),
  // AT+CMQTTWILLMSG=<client_index>,<req_length>,<qos>, then the message after `>` (no retain flag in this command).
  "+CMQTTWILLMSG": {
    set: (m, a) => {
      a.atMost(3);
      const idx = clientArg(a, 0);
      const c = acquired(m, "+CMQTTWILLMSG", idx);
      if (isReply(c)) return c;
      const length = a.int(1, 1, MAX_TOPIC);
      const q = qos(a, 2);
      return input(length, (msg) => {
        c.willMsg = msg;
        c.willQos = q;
      });
    },
  },
  // AT+CMQTTCONNECT=<client_index>,"<server_addr>",<keepalive_time>,<clean_session>[,"<user_name>"[,"<pass_word>"]]
  "+CMQTTCONNECT": {
    set: (m, a) => {
      a.atMost(6);
      const idx = clientArg(a, 0);
      const c = acquired(m, "+CMQTTCONNECT", idx);
      if (isReply(c)) return c;
      const server = a.str(1);
      const keepalive = a.int(2, 1, 64800);
      const clean = a.int(3, 0, 1) === 1;
      const user = a.has(4) ? a.str(4) : undefined;
      const pass = a.has(5) ? a.str(5) : undefined;
      const addr = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):([0-9]{1,5})$/.exec(server);
      if (!addr || Number(addr[2]) < 1 || Number(addr[2]) > 65535) return refuse("+CMQTTCONNECT", idx, E.badParam);
      if (!cm(m).started) return refuse("+CMQTTCONNECT", idx, E.noConnection);
      if (c.link) return refuse("+CMQTTCONNECT", idx, E.clientUsed);
      c.server = server;
      c.keepalive = keepalive;
      c.clean = clean;
      cm(m).connect(idx, addr[1].replace(/^\[|\]$/g, ""), Number(addr[2]), user, pass);
      return ok();
    },
    read: (m) =>
      perSlot(CLIENTS, (i) => {
        const c = cm(m).client(i);
        return c && c.link && c.link.state === "connected" ? "+CMQTTCONNECT: " + i + ',"' + c.server + '",' + c.keepalive + "," + (c.clean ? 1 : 0) : "+CMQTTCONNECT: " + i;
      }),
  },
  // AT+CMQTTDISC=<client_index>,<timeout>: OK, then +CMQTTDISC: <client_index>,<err>; the read form: 0 connected, 1 not.
  "+CMQTTDISC": {
    set: (m, a) => {
      a.atMost(2);
      const idx = clientArg(a, 0);
      a.int(1, 0, 180, 0);
      const c = acquired(m, "+CMQTTDISC", idx);
      if (isReply(c)) return c;
      const link = c.link;
      if (!link) return refuse("+CMQTTDISC", idx, E.noConnection);
      c.link = undefined;
      later(m, "+CMQTTDISC", idx, link.disconnect());
      return ok();
    },
    read: (m) =>
      perSlot(CLIENTS, (i) => {
        const c = cm(m).client(i);
        return "+CMQTTDISC: " + i + "," + (c && c.link && c.link.state === "connected" ? 0 : 1);
      }),
  },
  // AT+CMQTTSUBTOPIC=<client_index>,<req_length>,<qos>: adds a filter (after `>`) for the next AT+CMQTTSUB.
  "+CMQTTSUBTOPIC": {
    set: (m, a) => {
      a.atMost(3);
      const idx = clientArg(a, 0);
      const c = acquired(m, "+CMQTTSUBTOPIC", idx);
      if (isReply(c)) return c;
      const length = a.int(1, 1, MAX_TOPIC);
      const q = qos(a, 2);
      return input(length, (topic) => c.subTopics.push({ topic, qos: q }));
    },
  },
  // AT+CMQTTSUB=<client_index>: subscribes what +CMQTTSUBTOPIC gave; =<client_index>,<reqLength>,<qos>[,<dup>]: one filter after `>`.
  "+CMQTTSUB": {
    set: (m, a) => {
      a.atMost(4);
      const idx = clientArg(a, 0);
      const c = acquired(m, "+CMQTTSUB", idx);
      if (isReply(c)) return c;
      const link = connectedLink(c);
      if (!link) return refuse("+CMQTTSUB", idx, E.noConnection);
      const run = (filters: { topic: string; qos: 0 | 1 | 2 }[]) =>
        later(
          m,
          "+CMQTTSUB",
          idx,
          link.subscribe(filters).then((granted) => {
            // A SUBACK refusal (0x80) is a failed subscription.
            if (granted.some((g) => g === 128)) throw new Error("refused");
          }),
        );
      if (!a.has(1)) {
        const filters = c.subTopics;
        c.subTopics = [];
        if (filters.length === 0) return refuse("+CMQTTSUB", idx, E.topicEmpty);
        run(filters);
        return ok();
      }
      const length = a.int(1, 1, MAX_TOPIC);
      const q = qos(a, 2);
      a.int(3, 0, 1, 0);
      return input(length, (topic) => run([{ topic, qos: q }]));
    },
  },
  // AT+CMQTTUNSUBTOPIC=<client_index>,<req_length> and AT+CMQTTUNSUB=<client_index>,<reqLength>,<dup> / =<client_index>.
  "+CMQTTUNSUBTOPIC": clientInput("+CMQTTUNSUBTOPIC", MAX_TOPIC, (c, t) => c.unsubTopics.push(t)),
  "+CMQTTUNSUB": {
    set: (m, a) => {
      a.atMost(3);
      const idx = clientArg(a, 0);
      const c = acquired(m, "+CMQTTUNSUB", idx);
      if (isReply(c)) return c;
      const link = connectedLink(c);
      if (!link) return refuse("+CMQTTUNSUB", idx, E.noConnection);
      if (!a.has(1)) {
        const topics = c.unsubTopics;
        c.unsubTopics = [];
        if (topics.length === 0) return refuse("+CMQTTUNSUB", idx, E.topicEmpty);
        later(m, "+CMQTTUNSUB", idx, link.unsubscribe(topics));
        return ok();
      }
      return input(a.int(1, 1, MAX_TOPIC), (t) => later(m, "+CMQTTUNSUB", idx, link.unsubscribe([t])));
    },
  },
  // AT+CMQTTTOPIC=<client_index>,<req_length> and AT+CMQTTPAYLOAD=<client_index>,<req_length>: the next publish's topic and payload.
  "+CMQTTTOPIC": clientInput("+CMQTTTOPIC", MAX_TOPIC, (c, t) => (c.pubTopic = t)),
  "+CMQTTPAYLOAD": clientInput("+CMQTTPAYLOAD", MAX_PAYLOAD, (c, p) => (c.payload = p)),
  // AT+CMQTTPUB=<client_index>,<qos>,<pub_timeout>[,<retained>[,<dup>]]: OK, then +CMQTTPUB: <client_index>,<err>.
  "+CMQTTPUB": {
    set: (m, a) => {
      a.atMost(5);
      const idx = clientArg(a, 0);
      const q = qos(a, 1);
      a.int(2, 1, 180);
      const retain = a.int(3, 0, 1, 0) === 1;
      a.int(4, 0, 1, 0);
      const c = acquired(m, "+CMQTTPUB", idx);
      if (isReply(c)) return c;
      if (c.pubTopic === "") return refuse("+CMQTTPUB", idx, E.topicEmpty);
      const link = connectedLink(c);
      if (!link) return refuse("+CMQTTPUB", idx, E.noConnection);
      const topic = c.pubTopic;
      const payload = c.payload;
      // The topic and payload are used once.
      c.pubTopic = "";
      c.payload = "";
      later(m, "+CMQTTPUB", idx, link.publish(topic, payload, q, retain));
      return ok();
    },
  },
};
