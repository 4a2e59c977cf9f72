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
 * Differences from what the link asks (companion-link.md §0.1, §6.1): AT+CMQTTWILLMSG has
 * no retain flag, so the will is not retained (the backend takes presence from the
 * broker's disconnect events, §5.6); the module does not report the QoS a SUBACK granted,
 * so a successful subscribe reports the QoS asked for; and received lines are read whole,
 * so a payload with a line break in it is dropped (the link's payloads are single-line
 * JSON, §5.1).
 */
import type { Clock } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { atInt, atQuoted, type AtChannel, type AtCommand } from "../../drivers/at/index.js";
import { paramsOf } from "../../drivers/at/params.js";
import { int } from "../../drivers/modems/packet.js";
import { sendForUrc } from "../data/urc-wait.js";
import { PubSubError, type ConnectOptions, type PubSub, type PubSubEvents, type Qos } from "./pubsub.js";

export interface CmqttBroker {
  host: string;
  port: number;
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
  private readonly opts: CmqttOptions;
  private connected = false;
  /** Operations run one after another (the module holds one topic and payload per client). */
  private tail: Promise<unknown> = Promise.resolve();
  /** Fails the operation waiting on a result URC when the session dies under it. */
  private abort: ((e: Error) => void)[] = [];
  private rx: Incoming | undefined = undefined;
  private unsubs: (() => void)[];

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly broker: CmqttBroker,
    options?: Partial<CmqttOptions>,
  ) {
    this.opts = Object.assign({}, defaultCmqttOptions, options || {});
    const idx = this.opts.client;
    // The line after RXTOPIC / RXPAYLOAD is the topic / payload, unless its length is 0.
    const carries = function (line: string) {
      const p = paramsOf(line, line.substring(0, line.indexOf(":") + 1));
      return !!p && int(p[0]) === idx && int(p[1]) > 0;
    };
    this.unsubs = [
      channel.onUrc("+CMQTTRXSTART:", (l) => this.rxStart(l)),
      channel.onUrc("+CMQTTRXTOPIC:", (l, text) => this.rxPart(l, text, true), { text: carries }),
      channel.onUrc("+CMQTTRXPAYLOAD:", (l, text) => this.rxPart(l, text, false), { text: carries }),
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

  private rxPart(line: string, text: string | undefined, topic: boolean): void {
    const p = paramsOf(line, topic ? "+CMQTTRXTOPIC:" : "+CMQTTRXPAYLOAD:");
    const rx = this.rx;
    if (!p || int(p[0]) !== this.opts.client || !rx) return;
    // Long ones come in several parts, each with its own length line.
    if (topic) rx.topic += text || "";
    else rx.payload += text || "";
  }

  private rxEnd(line: string): void {
    const p = paramsOf(line, "+CMQTTRXEND:");
    const rx = this.rx;
    if (!p || int(p[0]) !== this.opts.client || !rx) return;
    this.rx = undefined;
    // A part that was not one line (a CR or LF inside) does not add up: dropped, the
    // retained state comes again on the next connect.
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
    // A client the module still holds (our restart, a lost session) is let go first:
    // DISCONNECT if it is still connected, then release the index.
    return quietly(this.result({ cmd: "AT+CMQTTDISC=" + i + ",60" }, "+CMQTTDISC:", short, true))
      .then(() => quietly(ch.send({ cmd: "AT+CMQTTREL=" + i })))
      .then(() => this.result({ cmd: "AT+CMQTTSTART" }, "+CMQTTSTART:", this.opts.openTimeoutMs, false))
      .then((err) => {
        // 23: the service was running already (it survives our restarts).
        if (err !== 0 && err !== 23) throw PubSubError("MQTT service not started: " + describe(err), { refused: undefined });
        return ch.send({ cmd: "AT+CMQTTACCQ=" + i + "," + atQuoted("client id", o.clientId, 128) + ",0" });
      })
      .then(() => ch.send(this.input("CMQTTWILLTOPIC", o.will.topic)))
      .then(() => ch.send(this.input("CMQTTWILLMSG", o.will.payload, "1")))
      .then(() => this.result(connect, "+CMQTTCONNECT:", this.opts.openTimeoutMs, true))
      .then((err) => {
        if (err >= 27 && err <= 31) throw PubSubError("MQTT connect refused (CONNACK " + (err - 26) + ")", { refused: err - 26 });
        if (err !== 0) throw PubSubError("MQTT connect failed: " + describe(err), { refused: undefined });
        this.connected = true;
      });
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
