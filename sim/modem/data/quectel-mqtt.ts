/**
 * Quectel's MQTT command set (`AT+QMT*`) of the simulated BG95/EG91. Syntax, results and
 * URCs from Quectel "BG95&BG77&BG600L Series MQTT Application Note" V1.1 (each command as it describes it) and
 * "EC2x&EG2x&EG9x&EM05 Series MQTT Application Note" V1.3 (`AT+QMTPUBEX`). The client
 * inside is mqtt-link.ts: a real MQTT 3.1/3.1.1 session to a real broker.
 *
 * Each command answers OK at once and reports its outcome in a URC with the same name
 * (`+QMTOPEN: <client_idx>,<result>`, ...); a connection lost afterwards is `+QMTSTAT:
 * <client_idx>,<err_code>` (the AN's table: 1 closed or reset by peer, 2 PINGREQ timed out, 5
 * DISCONNECT sent... ). Received messages are pushed in `+QMTRECV` (recv/mode
 * <msg_recv_mode> 0; with <msg_len_enable> 1 the length comes before the payload).
 */
import type { SimModem } from "../modem.js";
import type { Args, CommandTable } from "../commands/types.js";
import { CME, cme, ok, perSlot } from "../results.js";
import type { DataUser, EndedBy } from "./packet.js";
import { MqttLink, MqttWill } from "./mqtt-link.js";
import { isDnsFailure } from "./tcp-link.js";
import { fromHexText, toHex } from "./hex-text.js";

/** <client_idx> 0..5. */
const CLIENTS = 6;
/** <msglen> at most 1548 on BG95 (RAK RUI bg77::qmtpub reference; 4096 on EG91 firmware, the smaller is kept). */
const MAX_MSG = 1548;

interface QmtConfig {
  version: 3 | 4;
  keepalive: number;
  clean: boolean;
  will: MqttWill | undefined;
  cid: number;
  /** "timeout": <pkt_timeout> seconds, <retry_times>, <timeout_notice>. */
  pktTimeout: number;
  retries: number;
  /** "recv/mode": payload length before the payload in +QMTRECV. */
  recvLength: boolean;
  /** "dataformat",<send_mode>,<recv_mode>: payloads (and the will message) given, and shown in +QMTRECV, as hex. */
  sendHex: boolean;
  recvHex: boolean;
}

function defaultConfig(): QmtConfig {
  return { version: 4, keepalive: 120, clean: false, will: undefined, cid: 1, pktTimeout: 5, retries: 3, recvLength: false, sendHex: false, recvHex: false };
}

interface QmtClient {
  cfg: QmtConfig;
  link: MqttLink | undefined;
}

/** +QMTSTAT <err_code> (the MQTT AN's table, companion-link.md §1.3). */
const STAT = { peerClosed: 1, pingFailed: 2, disconnected: 5, linkDead: 7 };

export class QuectelMqtt implements DataUser {
  private readonly clients: QmtClient[] = [];

  constructor(private readonly m: SimModem) {
    this.reset();
  }

  client(idx: number): QmtClient {
    return this.clients[idx];
  }

  open(idx: number, host: string, port: number): void {
    const c = this.clients[idx];
    const report = (result: number) => this.m.urc("+QMTOPEN: " + idx + "," + result);
    // <result>: -1 failed to open network, 0 opened, 1 wrong parameter, 2 identifier occupied, 3 failed to activate PDP, 4 DNS failed.
    if (c.link) return report(2);
    const ctx = this.m.data.get(c.cfg.cid);
    if (!ctx || !ctx.active) return report(3);
    const link: MqttLink = new MqttLink(host, port, c.cfg.cid, {
      opened: (err) => {
        if (c.link !== link) return;
        if (!err) return report(0);
        c.link = undefined;
        report(isDnsFailure(err) ? 4 : -1);
      },
      lost: (reason) => {
        if (c.link !== link) return;
        c.link = undefined;
        this.m.urc("+QMTSTAT: " + idx + "," + (reason === "ping" ? STAT.pingFailed : STAT.peerClosed));
      },
      message: (topic, payload, _qos, _retain, messageId) => {
        if (c.link !== link) return;
        // +QMTRECV: <client_idx>,<msgID>,<topic>[,<payload_len>],<payload> (<payload_len> in bytes, hex form included).
        const len = c.cfg.recvLength ? payload.length + "," : "";
        this.m.urc("+QMTRECV: " + idx + "," + messageId + ',"' + topic + '",' + len + '"' + (c.cfg.recvHex ? toHex(payload) : payload) + '"');
      },
    });
    c.link = link;
  }

  /** The network or the client ended the context this client runs on. */
  contextEnded(cid: number, by: EndedBy): void {
    for (let i = 0; i < CLIENTS; i++) {
      const c = this.clients[i];
      if (!c.link || c.link.cid !== cid) continue;
      c.link.drop();
      c.link = undefined;
      if (by === "nw") this.m.urc("+QMTSTAT: " + i + "," + STAT.linkDead);
    }
  }

  reset(): void {
    for (const c of this.clients) if (c.link) c.link.drop();
    this.clients.length = 0;
    for (let i = 0; i < CLIENTS; i++) this.clients.push({ cfg: defaultConfig(), link: undefined });
  }
}

function qmt(m: SimModem): QuectelMqtt {
  return m.stacks.quectelMqtt!;
}

function clientArg(a: Args, i: number): number {
  return a.int(i, 0, CLIENTS - 1);
}

/** The client's connected link, or `+CME ERROR: 3` (not connected: the command cannot run). */
function connectedLink(m: SimModem, idx: number): MqttLink {
  const link = qmt(m).client(idx).link;
  if (!link || link.state !== "connected") throw cme(CME.notAllowed);
  return link;
}

function qos(a: Args, i: number): 0 | 1 | 2 {
  return a.int(i, 0, 2) as 0 | 1 | 2;
}

/** AT+QMTCFG="<what>",<client_idx>[,...]: without values it reads the setting back. */
function configure(m: SimModem, a: Args): ReturnType<typeof ok> {
  const what = a.str(0).toLowerCase();
  const idx = clientArg(a, 1);
  const cfg = qmt(m).client(idx).cfg;
  const read = a.count === 2;
  const line = (...v: (string | number)[]) => ok('+QMTCFG: "' + what + '",' + v.join(","));
  switch (what) {
    case "version":
      if (read) return line(cfg.version);
      a.atMost(3);
      cfg.version = a.int(2, 3, 4) as 3 | 4;
      return ok();
    case "pdpcid":
      if (read) return line(cfg.cid);
      a.atMost(3);
      cfg.cid = a.int(2, 1, 15);
      return ok();
    case "keepalive":
      if (read) return line(cfg.keepalive);
      a.atMost(3);
      cfg.keepalive = a.int(2, 0, 3600);
      return ok();
    case "session":
      if (read) return line(cfg.clean ? 1 : 0);
      a.atMost(3);
      cfg.clean = a.int(2, 0, 1) === 1;
      return ok();
    case "timeout":
      if (read) return line(cfg.pktTimeout, cfg.retries, 0);
      a.atMost(5);
      cfg.pktTimeout = a.int(2, 1, 60);
      cfg.retries = a.int(3, 0, 10, 3);
      a.int(4, 0, 1, 0);
      return ok();
    case "will": {
      // AT+QMTCFG="will",<client_idx>[,<will_fg>[,<will_qos>,<will_retain>,"<will_topic>","<will_msg>"]]
      if (read) {
        const w = cfg.will;
        return w ? line(1, w.qos, w.retain ? 1 : 0, '"' + w.topic + '"', '"' + w.payload + '"') : line(0);
      }
      a.atMost(7);
      if (a.int(2, 0, 1) === 0) {
        cfg.will = undefined;
        return ok();
      }
      const topic = a.str(5);
      if (topic === "" || /[+#]/.test(topic)) throw cme(CME.incorrectParameters);
      cfg.will = { qos: qos(a, 3), retain: a.int(4, 0, 1) === 1, topic, payload: payloadText(cfg, a.str(6, "")) };
      return ok();
    }
    case "dataformat":
      // EC2x MQTT AN: AT+QMTCFG="dataformat",<client_idx>[,<send_mode>,<recv_mode>], 0 text, 1 hex.
      if (read) return line(cfg.sendHex ? 1 : 0, cfg.recvHex ? 1 : 0);
      a.atMost(4);
      cfg.sendHex = a.int(2, 0, 1) === 1;
      cfg.recvHex = a.int(3, 0, 1) === 1;
      return ok();
    case "recv/mode":
      // <msg_recv_mode> 0: the message is in the URC (buffer mode 1 is not offered); <msg_len_enable>.
      if (read) return line(0, cfg.recvLength ? 1 : 0);
      a.atMost(4);
      if (a.int(2, 0, 1) !== 0) throw cme(CME.notSupported);
      cfg.recvLength = a.int(3, 0, 1, 0) === 1;
      return ok();
    case "ssl":
      // Modem TLS needs certificates uploaded with AT+QFUPL, which the simulator does not keep: only "off".
      if (read) return line(0);
      if (a.int(2, 0, 1) !== 0) throw cme(CME.notSupported);
      return ok();
    default:
      throw cme(CME.incorrectParameters);
  }
}

/** A payload given on the command line: hex digits in hex send mode. */
function payloadText(cfg: QmtConfig, given: string): string {
  if (!cfg.sendHex) return given;
  const bytes = fromHexText(given);
  if (bytes === undefined) throw cme(CME.incorrectParameters);
  return bytes;
}

/** Runs an MQTT request and reports its outcome in `<name>: <client_idx>,<msgID>,<result>[,<value>]` (0 done, 2 failed). */
function ackUrc(m: SimModem, name: string, idx: number, msgId: number, run: Promise<string | undefined>): void {
  run.then(
    (value) => m.urc(name + ": " + idx + "," + msgId + ",0" + (value !== undefined ? "," + value : "")),
    () => m.urc(name + ": " + idx + "," + msgId + ",2"),
  );
}

/**
 * AT+QMTPUB / AT+QMTPUBEX =<client_idx>,<msgID>,<qos>,<retain>,"<topic>"[,<msglen>]: `> `,
 * then the message; or with the message itself as a quoted last parameter (EC2x MQTT AN
 * AT+QMTPUBEX), in hex under "dataformat" send mode 1.
 */
function publishCommand(name: string): CommandTable[string] {
  return {
    set: (m, a) => {
      a.atMost(6);
      const idx = clientArg(a, 0);
      const q = qos(a, 2);
      // AT+QMTPUB: <msgID> is 0 for QoS 0, 1..65535 otherwise.
      const msgId = a.int(1, q === 0 ? 0 : 1, q === 0 ? 0 : 65535);
      const retain = a.int(3, 0, 1) === 1;
      const topic = a.str(4);
      if (topic === "" || /[+#]/.test(topic)) throw cme(CME.incorrectParameters);
      const link = connectedLink(m, idx);
      const send = (payload: string) => {
        ackUrc(m, name, idx, msgId, link.publish(topic, payload, q, retain).then(() => undefined));
        return ok();
      };
      if (a.has(5) && a.list[5].quoted) {
        const payload = payloadText(qmt(m).client(idx).cfg, a.str(5));
        if (payload.length > MAX_MSG) throw cme(CME.textTooLong);
        return send(payload);
      }
      if (a.has(5)) {
        const length = a.int(5, 1, MAX_MSG);
        if (!qmt(m).client(idx).cfg.sendHex) return { lines: [], prompt: { length, onPdu: send } };
        return { lines: [], prompt: { length: length * 2, onPdu: (hex) => send(payloadText(qmt(m).client(idx).cfg, hex)) } };
      }
      // Without <msglen> the message ends at Ctrl-Z (text only).
      return {
        lines: [],
        prompt: {
          onPdu: (text) => {
            if (text.length > MAX_MSG) throw cme(CME.textTooLong);
            return send(text);
          },
        },
      };
    },
    test: () => ok("+" + name.slice(1) + ": (0-5),<msgid>,(0-2),(0,1),<topic>,(1-" + MAX_MSG + ")"),
  };
}

export const quectelMqttCommands: CommandTable = {
  "+QMTCFG": { set: configure, test: () => ok('+QMTCFG: "version","pdpcid","keepalive","session","timeout","will","recv/mode","dataformat","ssl"') },
  // AT+QMTOPEN=<client_idx>,"<host_name>",<port>: OK, then +QMTOPEN: <client_idx>,<result>.
  "+QMTOPEN": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(3);
      const idx = clientArg(a, 0);
      const host = a.str(1);
      const port = a.int(2, 1, 65535);
      if (host === "") throw cme(CME.incorrectParameters);
      qmt(m).open(idx, host, port);
      return ok();
    },
    read: (m) =>
      perSlot(CLIENTS, (i) => {
        const l = qmt(m).client(i).link;
        return l ? "+QMTOPEN: " + i + ',"' + l.host + '",' + l.port : undefined;
      }),
    test: () => ok('+QMTOPEN: (0-5),"<host_name>",(1-65535)'),
  },
  // AT+QMTCLOSE=<client_idx>: the network connection closes (no DISCONNECT: the broker sends the will).
  "+QMTCLOSE": {
    set: (m, a) => {
      a.atMost(1);
      const idx = clientArg(a, 0);
      const c = qmt(m).client(idx);
      const had = c.link !== undefined;
      if (c.link) c.link.close();
      c.link = undefined;
      m.urc("+QMTCLOSE: " + idx + "," + (had ? 0 : -1));
      return ok();
    },
    test: () => ok("+QMTCLOSE: (0-5)"),
  },
  // AT+QMTCONN=<client_idx>,"<clientID>"[,"<username>"[,"<password>"]]
  // OK, then +QMTCONN: <client_idx>,<result>[,<ret_code>] (<ret_code>: the CONNACK return code).
  "+QMTCONN": {
    set: (m, a) => {
      a.atMost(4);
      const idx = clientArg(a, 0);
      const clientId = a.str(1);
      const user = a.has(2) ? a.str(2) : undefined;
      const pass = a.has(3) ? a.str(3) : undefined;
      const c = qmt(m).client(idx);
      if (!c.link || c.link.state !== "opened") throw cme(CME.notAllowed);
      if (clientId === "" || clientId.length > 128) throw cme(CME.incorrectParameters);
      const cfg = c.cfg;
      c.link
        .connect({ version: cfg.version, keepalive: cfg.keepalive, clean: cfg.clean, will: cfg.will, timeoutMs: cfg.pktTimeout * 1000 * (cfg.retries + 1) }, clientId, user, pass)
        .then(
          (rc) => m.urc("+QMTCONN: " + idx + ",0," + rc),
          () => m.urc("+QMTCONN: " + idx + ",2"),
        );
      return ok();
    },
    // +QMTCONN: <client_idx>,<state>: 1 initializing, 2 connecting, 3 connected, 4 disconnecting.
    read: (m) =>
      perSlot(CLIENTS, (i) => {
        const l = qmt(m).client(i).link;
        return l ? "+QMTCONN: " + i + "," + (l.state === "connected" ? 3 : l.state === "connecting" ? 2 : 1) : undefined;
      }),
    test: () => ok('+QMTCONN: (0-5),"<clientID>","<username>","<password>"'),
  },
  // AT+QMTDISC=<client_idx>: DISCONNECT, then +QMTDISC: <client_idx>,<result> (0 done, -1 failed).
  "+QMTDISC": {
    set: (m, a) => {
      a.atMost(1);
      const idx = clientArg(a, 0);
      const c = qmt(m).client(idx);
      const link = c.link;
      if (!link) {
        m.urc("+QMTDISC: " + idx + ",-1");
        return ok();
      }
      c.link = undefined;
      link.disconnect().then(() => m.urc("+QMTDISC: " + idx + ",0"));
      return ok();
    },
    test: () => ok("+QMTDISC: (0-5)"),
  },
  // AT+QMTSUB=<client_idx>,<msgID>,"<topic1>",<qos1>[,"<topic2>",<qos2>...]
  // +QMTSUB: <client_idx>,<msgID>,<result>[,<value>]: the granted QoS of each filter, 128 refused.
  "+QMTSUB": {
    set: (m, a) => {
      const idx = clientArg(a, 0);
      const msgId = a.int(1, 1, 65535);
      if (a.count < 4 || a.count % 2 !== 0) throw a.bad();
      const filters: { topic: string; qos: 0 | 1 | 2 }[] = [];
      for (let i = 2; i < a.count; i += 2) {
        const topic = a.str(i);
        if (topic === "") throw a.bad();
        filters.push({ topic, qos: qos(a, i + 1) });
      }
      const link = connectedLink(m, idx);
      ackUrc(m, "+QMTSUB", idx, msgId, link.subscribe(filters).then((granted) => granted.join(",")));
      return ok();
    },
    test: () => ok('+QMTSUB: (0-5),(1-65535),"<topic>",(0-2)'),
  },
  // AT+QMTUNS=<client_idx>,<msgID>,"<topic1>"[,"<topic2>"...]
  "+QMTUNS": {
    set: (m, a) => {
      const idx = clientArg(a, 0);
      const msgId = a.int(1, 1, 65535);
      if (a.count < 3) throw a.bad();
      const topics: string[] = [];
      for (let i = 2; i < a.count; i++) topics.push(a.str(i));
      const link = connectedLink(m, idx);
      ackUrc(m, "+QMTUNS", idx, msgId, link.unsubscribe(topics).then(() => undefined));
      return ok();
    },
    test: () => ok('+QMTUNS: (0-5),(1-65535),"<topic>"'),
  },
  "+QMTPUB": publishCommand("+QMTPUB"),
  "+QMTPUBEX": publishCommand("+QMTPUBEX"),
};
