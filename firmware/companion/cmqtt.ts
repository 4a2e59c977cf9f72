/**
 * Adapter B of the `PubSub` port for SIMCom modules: the A76XX's own MQTT client
 * (`AT+CMQTT*`), beside the Quectel one (qmt.ts). The module sends the pings; nothing
 * crosses the UART while the link idles.
 *
 * Source: SIMCom "A76XX Series AT Command Manual" (V1.0x), chapter "MQTT(S) commands", and
 * the "A76XX Series MQTT(S) Application Note" V1.0x: AT+CMQTTSTART / STOP (the service;
 * OK, then `+CMQTTSTART: <err>`, 23 = already started), AT+CMQTTACCQ / REL (a client
 * index 0..1 with its client id), AT+CMQTTWILLTOPIC / WILLMSG, AT+CMQTTCONNECT (OK, then
 * `+CMQTTCONNECT: <client>,<err>`; <err> 27..31 are CONNACK refusals 1..5), AT+CMQTTSUBTOPIC / SUB,
 * AT+CMQTTTOPIC / PAYLOAD / PUB, AT+CMQTTDISC; the URCs `+CMQTTRXSTART`, `+CMQTTRXTOPIC`,
 * `+CMQTTRXPAYLOAD`, `+CMQTTRXEND` (one received message), `+CMQTTCONNLOST: <client>,
 * <cause>` and `+CMQTTNONET` (the context is gone; the service must be started again).
 * A readable copy in the manual's order: https://momoiot.co.kr/lte-at/cmd/mqtts (L1601
 * CMQTTSTART .. L1617 CMQTTCFG; AT+CMQTTACCQ=<client>,<clientID>[,<server_type>]).
 *
 * Topics and payloads are typed after a `>` prompt with their length given first and no
 * terminator: the AT channel's `raw` mode, so our JSON (quotes and all) needs no escaping.
 * Everything is one operation at a time: the module keeps one pending topic and payload
 * per client and reports a publish's outcome by client, not by message id.
 *
 * Received messages: `+CMQTTRXTOPIC: <client>,<sub_topic_len>` and `+CMQTTRXPAYLOAD:
 * <client>,<sub_payload_len>` are each followed by exactly that many bytes (the manual's
 * "Unsolicited result codes" of the MQTT chapter; long ones come in several such parts),
 * read by count through the channel's counted blocks (UrcOptions.bytes), so a payload with
 * CR, LF or any byte in it arrives whole.
 *
 * Differences from what the link asks (companion-link.md §0.1, §6.1): AT+CMQTTWILLMSG has
 * no retain flag (`AT+CMQTTWILLMSG=<client_index>,<req_length>,<qos>`), so the will
 * carries `willRetained:false` and the backend republishes it retained (§5.6, see
 * sim/broker/backend.ts); and the module does not report the QoS a SUBACK granted, so a
 * successful subscribe reports the QoS asked for.
 */
import type { Clock } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { atInt, atQuoted, type AtChannel, type AtCommand } from "../../drivers/at/index.js";
import { paramsOf } from "../../drivers/at/params.js";
import { int } from "../../drivers/modems/packet.js";
import { sendForUrc } from "../data/urc-wait.js";
import { PubSubError, type ConnectOptions, type PubSub, type PubSubEvents, type Qos } from "./pubsub.js";

/**
 * TLS through the module (the manual's SSL chapter): the CA is downloaded into the
 * module's flash with AT+CCERTDOWN, an SSL context checks the broker against it
 * (AT+CSSLCFG authmode 1, server authentication), and the client is acquired as an
 * SSL/TLS one (AT+CMQTTACCQ <server_type> 1) bound to that context (AT+CMQTTSSLCFG).
 */
export interface CmqttTls {
  /** The PEM CA certificate the broker's certificate must chain to. */
  ca: string;
  /** The module's SSL context (0..9; default 0). */
  context?: number;
  /** The name the CA is kept under in the module (default `sl-broker-ca.pem`). */
  file?: string;
}

export interface CmqttBroker {
  host: string;
  port: number;
  tls?: CmqttTls;
}

export interface CmqttOptions {
  /** The module's MQTT client index (0..1). */
  client: number;
  /** How long to wait for `+CMQTTSTART` / `+CMQTTCONNECT` (ms; the network decides). */
  openTimeoutMs: number;
  /** How long to wait for a publish or subscribe result (ms). */
  resultTimeoutMs: number;
}

export const defaultCmqttOptions: CmqttOptions = { client: 0, openTimeoutMs: 120000, resultTimeoutMs: 60000 };

/** `+CMQTT...` <err> codes the link reports in words (the manual's error table). */
const ERRORS: { [err: string]: string } = {
  "1": "failed",
  "3": "socket connect failed",
  "7": "network open failed",
  "11": "no connection",
  "12": "invalid parameter",
  "19": "client index used",
  "20": "client not acquired",
  "25": "DNS error",
  "26": "socket closed by server",
  "32": "TLS handshake failed (is the broker's certificate signed by the CA given?)",
  "33": "no CA certificate set for TLS",
  "34": "TLS session could not be opened",
};

function describe(err: number): string {
  return ERRORS[String(err)] || "error " + err;
}

/** A message being received: `+CMQTTRXSTART` to `+CMQTTRXEND`. */
interface Incoming {
  topicLen: number;
  payloadLen: number;
  topic: string;
  payload: string;
}

export class SimcomMqttPubSub implements PubSub {
  readonly events = new Emitter<PubSubEvents>();
  /** AT+CMQTTWILLMSG=<client_index>,<req_length>,<qos>: no retain flag. */
  readonly abilities = { willRetained: false };
  private readonly opts: CmqttOptions;
  private connected = false;
  /** Operations run one after another (the module holds one topic and payload per client). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Fails the operation waiting on a result URC when the session dies under it. */
  private abort: ((e: Error) => void)[] = [];
  private rx: Incoming | undefined = undefined;
  private unsubs: (() => void)[];
  /** The CA is in the module's flash (AT+CCERTDOWN done); downloaded again after a TLS failure. */
  private caLoaded = false;

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly broker: CmqttBroker,
    options?: Partial<CmqttOptions>,
  ) {
    this.opts = Object.assign({}, defaultCmqttOptions, options || {});
    const idx = this.opts.client;
    // RXTOPIC / RXPAYLOAD are followed by <len> bytes, whichever client they are for: the
    // channel must take them off the line either way.
    const counted = function (line: string) {
      const p = paramsOf(line, line.substring(0, line.indexOf(":") + 1));
      return p ? int(p[1]) : 0;
    };
    this.unsubs = [
      channel.onUrc("+CMQTTRXSTART:", (l) => this.rxStart(l)),
      channel.onUrc("+CMQTTRXTOPIC:", (l, bytes) => this.rxPart(l, bytes, true), { bytes: counted }),
      channel.onUrc("+CMQTTRXPAYLOAD:", (l, bytes) => this.rxPart(l, bytes, false), { bytes: counted }),
      channel.onUrc("+CMQTTRXEND:", (l) => this.rxEnd(l)),
      channel.onUrc("+CMQTTCONNLOST:", (l) => {
        // <cause> 1 closed by the server, 2 pings unanswered, 3 network closed.
        const p = paramsOf(l, "+CMQTTCONNLOST:");
        if (p && int(p[0]) === idx) this.lost(l, true);
      }),
      channel.onUrc("+CMQTTNONET", (l) => this.lost(l, true)),
    ];
  }

  private idx(): string {
    return atInt("client", this.opts.client, 0, 1);
  }

  /** Runs `op` after every operation before it, whatever became of them. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op, op);
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** Sends `cmd` and gives the <err> of its result URC `<prefix> <client>,<err>` (or `<prefix> <err>`). */
  private result(cmd: AtCommand, prefix: string, ms: number, perClient: boolean): Promise<number> {
    const idx = this.opts.client;
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      this.abort.push(fail);
      const forget = () => {
        const at = this.abort.indexOf(fail);
        if (at >= 0) this.abort.splice(at, 1);
      };
      sendForUrc(
        this.channel,
        this.clock,
        cmd,
        prefix,
        (line) => {
          const p = paramsOf(line, prefix);
          return !!p && (!perClient || int(p[0]) === idx);
        },
        ms,
      ).then(
        (line) => {
          forget();
          if (settled) return;
          settled = true;
          const p = paramsOf(line, prefix)!;
          resolve(int(perClient ? p[1] : p[0]));
        },
        (e: unknown) => {
          forget();
          fail(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** `AT+<name>=<client>,<len>[,<more>]`, then exactly the bytes after `>`. */
  private input(name: string, bytes: string, more?: string): AtCommand {
    return { cmd: "AT+" + name + "=" + this.idx() + "," + bytes.length + (more !== undefined ? "," + more : ""), mode: "raw", payload: bytes };
  }

  /** The session is gone: the operation waiting fails now, and `down` is told (when `tell`). */
  private lost(line: string, tell: boolean): void {
    const was = this.connected;
    this.connected = false;
    this.rx = undefined;
    const all = this.abort.splice(0, this.abort.length);
    for (let i = 0; i < all.length; i++) all[i](new Error("MQTT session lost (" + line + ")"));
    if (was && tell) this.events.emit("down", line);
  }

  private rxStart(line: string): void {
    const p = paramsOf(line, "+CMQTTRXSTART:");
    if (!p || int(p[0]) !== this.opts.client) return;
    this.rx = { topicLen: int(p[1]), payloadLen: int(p[2]), topic: "", payload: "" };
  }

  private rxPart(line: string, bytes: string | undefined, topic: boolean): void {
    const p = paramsOf(line, topic ? "+CMQTTRXTOPIC:" : "+CMQTTRXPAYLOAD:");
    const rx = this.rx;
    if (!p || int(p[0]) !== this.opts.client || !rx) return;
    // Long ones come in several parts, each with its own length line. A part whose bytes
    // did not all come (undefined) leaves the total short: the message is dropped at the end.
    if (topic) rx.topic += bytes || "";
    else rx.payload += bytes || "";
  }

  private rxEnd(line: string): void {
    const p = paramsOf(line, "+CMQTTRXEND:");
    const rx = this.rx;
    if (!p || int(p[0]) !== this.opts.client || !rx) return;
    this.rx = undefined;
    // Bytes lost on the line (a part given up by the channel) do not add up: dropped, the
    // retained state comes again on the next connect, a command again from the backend.
    if (rx.topic.length !== rx.topicLen || rx.payload.length !== rx.payloadLen) return;
    this.events.emit("message", { topic: rx.topic, payload: rx.payload, retain: false });
  }

  connect(o: ConnectOptions): Promise<void> {
    this.connected = false;
    return this.serial(() => this.connectNow(o));
  }

  private connectNow(o: ConnectOptions): Promise<void> {
    const ch = this.channel;
    const i = this.idx();
    const server = "tcp://" + (this.broker.host.indexOf(":") >= 0 ? "[" + this.broker.host + "]" : this.broker.host) + ":" + this.broker.port;
    let connect: AtCommand;
    try {
      connect = {
        cmd:
          "AT+CMQTTCONNECT=" +
          i +
          "," +
          atQuoted("server", server, 256) +
          "," +
          atInt("keepalive", o.keepaliveS, 1, 64800) +
          ",1," +
          atQuoted("user name", o.clientId, 256) +
          "," +
          atQuoted("password", o.password, 256),
      };
      atQuoted("client id", o.clientId, 128);
    } catch (e) {
      return Promise.reject(e);
    }
    const quietly = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        () => undefined,
      );
    const short = 10000;
    const tls = this.broker.tls;
    let ctx = "";
    let sslCommands: AtCommand[] = [];
    if (tls) {
      try {
        ctx = atInt("SSL context", tls.context || 0, 0, 9);
        sslCommands = this.sslSetup(tls, ctx);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    // A client the module still holds (our restart, a lost session) is let go first:
    // DISCONNECT if it is still connected, then release the index.
    return quietly(this.result({ cmd: "AT+CMQTTDISC=" + i + ",60" }, "+CMQTTDISC:", short, true))
      .then(() => quietly(ch.send({ cmd: "AT+CMQTTREL=" + i })))
      .then(() => this.result({ cmd: "AT+CMQTTSTART" }, "+CMQTTSTART:", this.opts.openTimeoutMs, false))
      .then((err) => {
        // 23: the service was running already (it survives our restarts).
        if (err !== 0 && err !== 23) throw PubSubError("MQTT service not started: " + describe(err), { refused: undefined });
        return this.sendAll(sslCommands);
      })
      .then(() => {
        if (tls) this.caLoaded = true;
        // <server_type> 1: SSL/TLS through the context set next with AT+CMQTTSSLCFG.
        return ch.send({ cmd: "AT+CMQTTACCQ=" + i + "," + atQuoted("client id", o.clientId, 128) + "," + (tls ? 1 : 0) });
      })
      .then(() => (tls ? ch.send({ cmd: "AT+CMQTTSSLCFG=" + i + "," + ctx }) : undefined))
      .then(() => ch.send(this.input("CMQTTWILLTOPIC", o.will.topic)))
      .then(() => ch.send(this.input("CMQTTWILLMSG", o.will.payload, "1")))
      .then(() => this.result(connect, "+CMQTTCONNECT:", this.opts.openTimeoutMs, true))
      .then((err) => {
        if (err >= 27 && err <= 31) throw PubSubError("MQTT connect refused (CONNACK " + (err - 26) + ")", { refused: err - 26 });
        // A TLS failure: the CA goes to the module again next time (its flash may have lost it).
        if (err >= 32 && err <= 34) this.caLoaded = false;
        if (err !== 0) throw PubSubError("MQTT connect failed: " + describe(err), { refused: undefined });
        this.connected = true;
      });
  }

  /**
   * The SSL context for `tls` (A76XX AT manual, AT+CSSLCFG and AT+CCERTDOWN): the CA into
   * the module's flash unless it is there from an earlier connect, then sslversion 4
   * (whatever the broker offers, TLS 1.2 at most on the module), authmode 1 (the broker's
   * certificate must chain to the CA), the CA file, and SNI on (clustered brokers behind
   * a load balancer need it, companion-link.md §4.5).
   */
  private sslSetup(tls: CmqttTls, ctx: string): AtCommand[] {
    const file = atQuoted("CA file name", tls.file || "sl-broker-ca.pem", 108);
    const cmds: AtCommand[] = [];
    if (!this.caLoaded) cmds.push({ cmd: "AT+CCERTDOWN=" + file + "," + tls.ca.length, mode: "raw", payload: tls.ca, timeoutMs: 10000 });
    cmds.push(
      { cmd: 'AT+CSSLCFG="sslversion",' + ctx + ",4" },
      { cmd: 'AT+CSSLCFG="authmode",' + ctx + ",1" },
      { cmd: 'AT+CSSLCFG="cacert",' + ctx + "," + file },
      { cmd: 'AT+CSSLCFG="enableSNI",' + ctx + ",1" },
    );
    return cmds;
  }

  private sendAll(cmds: AtCommand[]): Promise<unknown> {
    let chain: Promise<unknown> = Promise.resolve();
    for (let k = 0; k < cmds.length; k++) {
      const c = cmds[k];
      chain = chain.then(() => this.channel.send(c));
    }
    return chain;
  }

  /**
   * One SUBSCRIBE for all the filters: each typed with AT+CMQTTSUBTOPIC=<client>,<len>,<qos>,
   * then AT+CMQTTSUB=<client> sends them together (one packet over the air, one result).
   * The module does not say which QoS each was granted: success is the QoS asked for.
   */
  subscribe(filters: { topic: string; qos: Qos }[]): Promise<number[]> {
    if (filters.length === 0) return Promise.resolve([]);
    return this.serial(() => {
      const ch = this.channel;
      let chain: Promise<unknown> = Promise.resolve();
      for (let k = 0; k < filters.length; k++) {
        const f = filters[k];
        chain = chain.then(() => ch.send(this.input("CMQTTSUBTOPIC", f.topic, atInt("qos", f.qos, 0, 1))));
      }
      return chain
        .then(() => this.result({ cmd: "AT+CMQTTSUB=" + this.idx() }, "+CMQTTSUB:", this.opts.resultTimeoutMs, true))
        .then((err) => {
          const out: number[] = [];
          for (let k = 0; k < filters.length; k++) out.push(err === 0 ? filters[k].qos : 128);
          return out;
        });
    });
  }

  publish(topic: string, payload: string, qos: Qos, retain: boolean): Promise<void> {
    if (!this.connected) return Promise.reject(new Error("not connected"));
    return this.serial(() => {
      const ch = this.channel;
      const pub: AtCommand = { cmd: "AT+CMQTTPUB=" + this.idx() + "," + qos + "," + Math.ceil(this.opts.resultTimeoutMs / 1000) + "," + (retain ? 1 : 0) };
      // An empty payload (clearing a retained topic) has no AT+CMQTTPAYLOAD: the module's is empty after each publish.
      return ch
        .send(this.input("CMQTTTOPIC", topic))
        .then(() => (payload.length > 0 ? ch.send(this.input("CMQTTPAYLOAD", payload)) : undefined))
        .then(() => this.result(pub, "+CMQTTPUB:", this.opts.resultTimeoutMs + 5000, true))
        .then((err) => {
          if (err !== 0) throw new Error("publish to " + topic + " failed: " + describe(err));
        });
    });
  }

  end(): Promise<void> {
    const was = this.connected;
    this.connected = false;
    if (!was) return Promise.resolve();
    return this.serial(() => {
      const i = this.idx();
      const done = () => undefined;
      return this.result({ cmd: "AT+CMQTTDISC=" + i + ",60" }, "+CMQTTDISC:", this.opts.resultTimeoutMs, true)
        .then(done, done)
        .then(() => this.channel.send({ cmd: "AT+CMQTTREL=" + i }))
        .then(done, done);
    });
  }

  destroy(reason: string): void {
    this.lost("destroyed: " + reason, false);
    // Stopping the service closes the connection without DISCONNECT: the broker publishes the will.
    this.channel.send({ cmd: "AT+CMQTTSTOP" }).then(undefined, () => undefined);
  }

  stop(): void {
    this.lost("stopped", false);
    for (const u of this.unsubs) u();
    this.unsubs = [];
  }
}
