/**
 * Adapter B of the `PubSub` port: the Quectel module's own MQTT client (`AT+QMT*`), for
 * Espruino, where no JS MQTT client over AT sockets is worth running (companion-link.md
 * §0.2: no will, no QoS 1 retransmission in Espruino's module; the RAK8212 author found
 * the socket variant "too unstable"). The module sends the pings; nothing crosses the
 * UART while the link idles.
 *
 * Payloads cross the line-based AT channel as hex (`AT+QMTCFG="dataformat",0,1,1`): our
 * JSON is full of `"`, which a quoted command parameter cannot carry, and the length form
 * of `+QMTRECV` (`"recv/mode",0,0,1`) frames what arrives.
 *
 * Source: Quectel "EC2x&EG2x&EG9x&EM05 Series MQTT Application Note" V1.3 and "BG95&BG77
 * Series MQTT Application Note" V1.1: §3.3.1 QMTCFG (version, session, keepalive, will,
 * recv/mode, dataformat), §3.3.2 QMTOPEN, §3.3.3 QMTCLOSE, §3.3.4 QMTCONN, §3.3.5 QMTDISC,
 * §3.3.6 QMTSUB, §3.3.10 QMTPUBEX, §3.4 QMTRECV / QMTSTAT.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { atInt, atQuoted, type AtChannel, type AtCommand } from "../../drivers/at/index.js";
import { paramsOf } from "../../drivers/at/params.js";
import { bytesToHexText, hexTextToBytes } from "../../drivers/modems/sockets.js";
import { PubSubError, type ConnectOptions, type PubSub, type PubSubEvents, type Qos } from "./pubsub.js";

export interface QmtBroker {
  host: string;
  port: number;
}

export interface QmtOptions {
  /** The module's MQTT client index (0..5). */
  client: number;
  /** The PDP context the client runs on. */
  context: number;
  /** How long to wait for `+QMTOPEN` / `+QMTCONN` (ms; the network decides). */
  openTimeoutMs: number;
  /** How long to wait for a publish or subscribe result (ms). */
  resultTimeoutMs: number;
}

export const defaultQmtOptions: QmtOptions = { client: 0, context: 1, openTimeoutMs: 120000, resultTimeoutMs: 60000 };

interface Waiter {
  resolve: (params: string[]) => void;
  reject: (e: Error) => void;
  timer: TimerHandle;
}

function int(s: string | undefined): number {
  const n = parseInt(s || "", 10);
  return n === n ? n : -1;
}

/** `+QMTOPEN` results (§3.3.2). */
const OPEN_RESULTS: { [r: string]: string } = {
  "-1": "failed to open the network connection",
  "1": "wrong parameter",
  "2": "MQTT identifier occupied",
  "3": "failed to activate PDP",
  "4": "failed to parse the domain name",
  "5": "network connection error",
};

export class QuectelMqttPubSub implements PubSub {
  readonly events = new Emitter<PubSubEvents>();
  private readonly opts: QmtOptions;
  private waiters: { [key: string]: Waiter } = {};
  private msgId = 0;
  private connected = false;
  private unsubs: (() => void)[];

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly broker: QmtBroker,
    options?: Partial<QmtOptions>,
  ) {
    this.opts = Object.assign({}, defaultQmtOptions, options || {});
    const self = this;
    const urc = function (prefix: string) {
      return channel.onUrc(prefix, function (line) {
        self.onUrc(prefix, line);
      });
    };
    this.unsubs = [urc("+QMTOPEN:"), urc("+QMTCONN:"), urc("+QMTSUB:"), urc("+QMTPUBEX:"), urc("+QMTDISC:"), urc("+QMTRECV:"), urc("+QMTSTAT:"), urc("+QMTCLOSE:")];
  }

  private idx(): string {
    return atInt("client", this.opts.client, 0, 5);
  }

  private cfg(rest: string): AtCommand {
    return { cmd: "AT+QMTCFG=" + rest };
  }

  /** Waits for the result URC `key` (e.g. `+QMTOPEN:` or `+QMTSUB:7`). */
  private wait(key: string, ms: number): Promise<string[]> {
    const old = this.waiters[key];
    if (old) {
      this.clock.clearTimeout(old.timer);
      old.reject(new Error(key + " superseded"));
    }
    const p = new Promise<string[]>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        delete this.waiters[key];
        reject(new Error("no " + key + " result within " + Math.round(ms / 1000) + " s"));
      }, ms);
      this.waiters[key] = { resolve, reject, timer };
    });
    // The command that precedes the result may fail first; the waiter must not then be an
    // unhandled rejection of its own.
    p.then(undefined, function () {
      return undefined;
    });
    return p;
  }

  private settle(key: string, params: string[]): void {
    const w = this.waiters[key];
    if (!w) return;
    delete this.waiters[key];
    this.clock.clearTimeout(w.timer);
    w.resolve(params);
  }

  private failAll(reason: string): void {
    const keys = Object.keys(this.waiters);
    for (let i = 0; i < keys.length; i++) {
      const w = this.waiters[keys[i]];
      delete this.waiters[keys[i]];
      this.clock.clearTimeout(w.timer);
      w.reject(new Error(reason));
    }
  }

  private onUrc(prefix: string, line: string): void {
    const p = paramsOf(line, prefix);
    if (!p || int(p[0]) !== this.opts.client) return;
    if (prefix === "+QMTRECV:") {
      // `+QMTRECV: <client_idx>,<msgID>,"<topic>",<payload_len>,"<payload hex>"`.
      try {
        const payload = hexTextToBytes(p[p.length - 1]);
        this.events.emit("message", { topic: p[2], payload, retain: false });
      } catch (e) {
        // A payload we cannot read is dropped; the retained state comes again on reconnect.
      }
      return;
    }
    if (prefix === "+QMTSTAT:") {
      // §3.4: the link is gone (1 closed by peer, 2 ping failed, 3/4 connect failed, 6 send failures, 7 link dead).
      const was = this.connected;
      this.connected = false;
      this.failAll("MQTT link lost (+QMTSTAT: " + p[1] + ")");
      if (was) this.events.emit("down", "+QMTSTAT: " + p[1]);
      return;
    }
    if (prefix === "+QMTSUB:" || prefix === "+QMTPUBEX:") this.settle(prefix + p[1], p);
    else this.settle(prefix, p);
  }

  private nextId(): number {
    this.msgId = this.msgId >= 65535 ? 1 : this.msgId + 1;
    return this.msgId;
  }

  connect(o: ConnectOptions): Promise<void> {
    const ch = this.channel;
    const i = this.idx();
    const optional = function (c: AtCommand) {
      return ch.send(c).then(undefined, function () {
        return undefined;
      });
    };
    this.connected = false;
    let cmds: AtCommand[];
    try {
      cmds = [
        this.cfg('"pdpcid",' + i + "," + atInt("context", this.opts.context, 1, 16)),
        this.cfg('"version",' + i + ",4"),
        this.cfg('"session",' + i + ",1"),
        this.cfg('"keepalive",' + i + "," + atInt("keepalive", o.keepaliveS, 0, 3600)),
        this.cfg('"recv/mode",' + i + ",0,1"),
        this.cfg('"dataformat",' + i + ",1,1"),
        this.cfg('"will",' + i + ",1,1,1," + atQuoted("will topic", o.will.topic, 256) + ',"' + bytesToHexText(o.will.payload) + '"'),
      ];
    } catch (e) {
      return Promise.reject(e);
    }
    // A client the module still holds (our restart, its session) is closed first.
    let chain: Promise<unknown> = optional({ cmd: "AT+QMTCLOSE=" + i });
    for (let k = 0; k < cmds.length; k++) {
      const c = cmds[k];
      chain = chain.then(function () {
        return ch.send(c);
      });
    }
    return chain
      .then(() => {
        const opened = this.wait("+QMTOPEN:", this.opts.openTimeoutMs);
        return ch.send({ cmd: "AT+QMTOPEN=" + i + "," + atQuoted("host", this.broker.host, 150) + "," + atInt("port", this.broker.port, 1, 65535) }).then(() => opened);
      })
      .then((p) => {
        if (p[1] !== "0") throw PubSubError("MQTT open failed: " + (OPEN_RESULTS[p[1]] || "result " + p[1]), { refused: undefined });
        const conn = this.wait("+QMTCONN:", this.opts.openTimeoutMs);
        const cmd = "AT+QMTCONN=" + i + "," + atQuoted("client id", o.clientId, 128) + "," + atQuoted("user name", o.clientId, 128) + "," + atQuoted("password", o.password, 128);
        return ch.send({ cmd }).then(() => conn);
      })
      .then((p) => {
        // §3.3.4 `+QMTCONN: <client_idx>,<result>[,<ret_code>]`: ret_code is the CONNACK return code.
        const rc = p.length > 2 ? int(p[2]) : undefined;
        if (p[1] !== "0" || (rc !== undefined && rc !== 0)) {
          throw PubSubError("MQTT connect refused (result " + p[1] + (rc !== undefined ? ", CONNACK " + rc : "") + ")", { refused: rc });
        }
        this.connected = true;
      });
  }

  subscribe(filters: { topic: string; qos: Qos }[]): Promise<number[]> {
    const out: number[] = [];
    const ch = this.channel;
    let chain: Promise<unknown> = Promise.resolve();
    for (let k = 0; k < filters.length; k++) {
      const f = filters[k];
      chain = chain.then(() => {
        const id = this.nextId();
        const done = this.wait("+QMTSUB:" + id, this.opts.resultTimeoutMs);
        return ch
          .send({ cmd: "AT+QMTSUB=" + this.idx() + "," + id + "," + atQuoted("topic filter", f.topic, 256) + "," + atInt("qos", f.qos, 0, 1) })
          .then(() => done)
          .then((p) => {
            // `+QMTSUB: <client_idx>,<msgID>,<result>[,<value>]`: value = granted QoS, 128 refused.
            out.push(p[2] === "0" ? int(p[3]) : 128);
          });
      });
    }
    return chain.then(() => out);
  }

  publish(topic: string, payload: string, qos: Qos, retain: boolean): Promise<void> {
    if (!this.connected) return Promise.reject(new Error("not connected"));
    const id = qos === 0 ? 0 : this.nextId();
    let cmd: string;
    try {
      cmd = "AT+QMTPUBEX=" + this.idx() + "," + id + "," + qos + "," + (retain ? 1 : 0) + "," + atQuoted("topic", topic, 256) + ',"' + bytesToHexText(payload) + '"';
    } catch (e) {
      return Promise.reject(e);
    }
    if (qos === 0) return this.channel.send({ cmd }).then(() => undefined);
    const done = this.wait("+QMTPUBEX:" + id, this.opts.resultTimeoutMs);
    return this.channel
      .send({ cmd })
      .then(() => done)
      .then((p) => {
        // `+QMTPUBEX: <client_idx>,<msgID>,<result>`: 0 acknowledged, 1 retransmitting, 2 failed.
        if (p[2] === "2") throw new Error("publish to " + topic + " failed");
      });
  }

  end(): Promise<void> {
    const was = this.connected;
    this.connected = false;
    if (!was) return Promise.resolve();
    const done = this.wait("+QMTDISC:", this.opts.resultTimeoutMs);
    return this.channel
      .send({ cmd: "AT+QMTDISC=" + this.idx() })
      .then(() => done)
      .then(
        () => undefined,
        () => undefined,
      );
  }

  destroy(_reason: string): void {
    this.connected = false;
    this.failAll("destroyed");
    // Closing the network connection without DISCONNECT: the broker publishes the will.
    this.channel.send({ cmd: "AT+QMTCLOSE=" + this.idx() }).then(undefined, () => undefined);
  }

  stop(): void {
    this.failAll("stopped");
    for (const u of this.unsubs) u();
    this.unsubs = [];
  }
}
