/**
 * `ModemSocket`: a TCP connection through the modem's own IP stack (open, write, data,
 * close), over the vendor socket commands in buffer access mode (drivers/modems/sockets.ts).
 *
 * Lost notices are the rule, not the exception (companion-link.md §2.1: Quectel sends no
 * new "recv" until the buffer is read empty, and notices go missing — Particle #1530):
 * - every "recv" notice drains the socket until a read comes back empty;
 * - a poll (`AT+QIRD=<id>,0`) follows every send after `pollAfterSendMs`, and runs every
 *   `idlePollMs` while open, so data whose notice was lost is still read;
 * - writes made while opening are kept and sent once open (MQTT.js writes CONNECT at once).
 *
 * One operation per socket is in the AT queue at a time, each a short command: a call's
 * commands (an emergency dial above all) never wait behind a train of data commands.
 * While `quiet()` says so (an emergency call), the socket sends nothing and waits.
 *
 * `ModemSockets` owns the module's socket table: it hands out ids, routes notices by id,
 * closes stale sockets at start (Particle #1666) and kills every socket when the context
 * under them goes away.
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { AtCommandError, type AtChannel, type AtCommand } from "../../drivers/at/index.js";
import type { SocketDialect, SocketNotice } from "../../drivers/modems/sockets.js";
import { sendForUrc } from "./urc-wait.js";
import { initialSocketState, socketStep, type SocketEffect, type SocketEvent, type SocketState } from "./socket-machine.js";

export type ModemSocketEvents = {
  open: undefined;
  /** Bytes received (a byte string). */
  data: string;
  /** The socket is finished; `error` tells a failure from an orderly close. */
  close: { reason: string; error: boolean };
};

export interface SocketOptions {
  /** Poll for unread data this long after each send (ms). */
  pollAfterSendMs: number;
  /** Poll while open and idle, this often (ms; 0 = never). */
  idlePollMs: number;
  /** Pause before retrying a send the module refused with SEND FAIL (its buffer is full). */
  sendFailRetryMs: number;
  /** SEND FAIL this many times in a row is a dead path. */
  sendFailLimit: number;
  /** True while data must keep off the AT channel (an emergency call). */
  quiet: () => boolean;
}

export const defaultSocketOptions: SocketOptions = {
  pollAfterSendMs: 1000,
  // Half the default MQTT keepalive: a notice lost for a PINGRESP that came late is still
  // read before MQTT.js gives up on the session (1.5 keepalives), at one short command
  // per two minutes on the UART and nothing over the air.
  idlePollMs: 120000,
  sendFailRetryMs: 1000,
  sendFailLimit: 10,
  quiet: function () {
    return false;
  },
};

interface PendingWrite {
  bytes: string;
  resolve: () => void;
  reject: (e: Error) => void;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ModemSocket {
  readonly events = new Emitter<ModemSocketEvents>();
  private state: SocketState = initialSocketState;
  private timer: TimerHandle | undefined = undefined;
  private pollTimer: TimerHandle | undefined = undefined;
  private idleTimer: TimerHandle | undefined = undefined;
  private writes: PendingWrite[] = [];
  private busy = false;
  private wantDrain = false;
  private wantPoll = false;
  private sendFails = 0;
  /** "recv" notices so far: one that comes while a read is out is not cancelled by its answer. */
  private notices = 0;
  private releasing: boolean | undefined = undefined;
  /** Bytes in and out, for the benchmark and logs. */
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly id: number,
    private readonly table: ModemSockets,
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Where the socket is in its life. */
  status(): SocketState {
    return this.state;
  }

  /** Sends bytes (a byte string); resolves once the module has taken all of them. */
  write(bytes: string): Promise<void> {
    if (this.state.name === "closing" || this.state.name === "closed") {
      return Promise.reject(new Error("socket " + this.id + " is closed: " + this.state.reason));
    }
    return new Promise<void>((resolve, reject) => {
      this.writes.push({ bytes, resolve, reject });
      this.pump();
    });
  }

  /** Closes the socket; `close` follows once the module has released it. */
  close(): void {
    this.post({ type: "close" });
  }

  /** Kills the socket at once: the context under it is gone (nothing is sent to the module). */
  kill(reason: string): void {
    this.post({ type: "fault", reason });
  }

  /** Starts opening (called by the table). */
  start(): void {
    this.post({ type: "open" });
  }

  /** A notice for this socket (called by the table). */
  notice(n: SocketNotice): void {
    if (n.type === "opened") this.post({ type: "opened", error: n.error });
    else if (n.type === "closed") this.post({ type: "peerClosed" });
    else if (n.type === "failed") this.post({ type: "fault", reason: n.reason });
    else if (n.type === "recv") {
      this.wantDrain = true;
      this.notices++;
      this.pump();
    }
  }

  private post(e: SocketEvent): void {
    const r = socketStep(this.state, e, this.table.dialect.openTimeoutMs);
    this.state = r.state;
    for (let i = 0; i < r.effects.length; i++) this.apply(r.effects[i]);
  }

  private apply(effect: SocketEffect): void {
    const clock = this.table.clock;
    switch (effect.type) {
      case "sendOpen":
        this.sendOpen();
        break;
      case "startTimer":
        this.startTimer(effect.ms);
        break;
      case "cancelTimer":
        if (this.timer !== undefined) clock.clearTimeout(this.timer);
        this.timer = undefined;
        break;
      case "connected":
        this.events.emit("open", undefined);
        this.armIdlePoll();
        this.wantPoll = true;
        this.pump();
        break;
      case "release":
        this.releasing = effect.drainFirst;
        this.wantDrain = effect.drainFirst;
        this.pump();
        break;
      case "ended":
        this.stopTimers();
        this.failWrites(new Error("socket " + this.id + " closed: " + effect.reason));
        this.table.released(this);
        this.events.emit("close", { reason: effect.reason, error: effect.error });
        break;
    }
  }

  private sendOpen(): void {
    const t = this.table;
    t.channel.send(t.dialect.open(t.context, this.id, this.host, this.port)).then(undefined, (e: unknown) => {
      this.post({ type: "fault", reason: "open refused: " + errorText(e) });
    });
  }

  private startTimer(ms: number): void {
    this.timer = this.table.clock.setTimeout(() => {
      this.timer = undefined;
      this.post({ type: "timer" });
    }, ms);
  }

  private stopTimers(): void {
    const clock = this.table.clock;
    if (this.pollTimer !== undefined) clock.clearTimeout(this.pollTimer);
    if (this.idleTimer !== undefined) clock.clearTimeout(this.idleTimer);
    this.pollTimer = undefined;
    this.idleTimer = undefined;
  }

  private failWrites(e: Error): void {
    const all = this.writes.splice(0, this.writes.length);
    for (let i = 0; i < all.length; i++) all[i].reject(e);
  }

  private armIdlePoll(): void {
    const ms = this.table.options.idlePollMs;
    if (!ms) return;
    this.idleTimer = this.table.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.state.name !== "open") return;
      this.wantPoll = true;
      this.pump();
      this.armIdlePoll();
    }, ms);
  }

  private schedulePoll(): void {
    if (this.pollTimer !== undefined) return;
    this.pollTimer = this.table.clock.setTimeout(() => {
      this.pollTimer = undefined;
      this.wantPoll = true;
      this.pump();
    }, this.table.options.pollAfterSendMs);
  }

  /** Runs the next operation, one at a time: drain, then writes, then a poll. */
  private pump(): void {
    if (this.busy) return;
    const name = this.state.name;
    if (name === "closing") {
      if (this.wantDrain) this.op(this.drainOnce());
      else this.op(this.release());
      return;
    }
    if (name !== "open") return;
    if (this.table.options.quiet()) {
      // An emergency call holds the channel: look again shortly, send nothing now.
      this.busy = true;
      this.table.clock.setTimeout(() => {
        this.busy = false;
        this.pump();
      }, 1000);
      return;
    }
    if (this.wantDrain) this.op(this.drainOnce());
    else if (this.writes.length > 0) this.op(this.sendOnce());
    else if (this.wantPoll) this.op(this.pollOnce());
  }

  private op(p: Promise<void>): void {
    this.busy = true;
    p.then(
      () => {
        this.busy = false;
        this.pump();
      },
      (e: unknown) => {
        this.busy = false;
        // A failed read or poll is not repeated: the socket is closing now.
        this.wantDrain = false;
        this.wantPoll = false;
        this.post({ type: "fault", reason: errorText(e) });
        this.pump();
      },
    );
  }

  private drainOnce(): Promise<void> {
    const t = this.table;
    const seen = this.notices;
    return t.channel.send(t.dialect.read(this.id, t.dialect.maxRead)).then((r) => {
      const bytes = t.dialect.parseRead(r);
      const empty = bytes.length === 0 || (t.dialect.parseRest !== undefined && t.dialect.parseRest(r) === 0);
      // A notice during the read means data came after the module took its answer.
      if (empty && this.notices === seen) this.wantDrain = false;
      if (bytes.length === 0) return;
      this.bytesIn += bytes.length;
      this.events.emit("data", bytes);
    });
  }

  private pollOnce(): Promise<void> {
    const t = this.table;
    this.wantPoll = false;
    return t.channel.send(t.dialect.unread(this.id)).then((r) => {
      if (t.dialect.parseUnread(r) > 0) this.wantDrain = true;
    });
  }

  private sendOnce(): Promise<void> {
    const t = this.table;
    const w = this.writes[0];
    const chunk = w.bytes.substr(0, t.dialect.maxSend);
    return t.channel.send(t.dialect.send(this.id, chunk)).then(
      () => {
        this.sendFails = 0;
        this.bytesOut += chunk.length;
        w.bytes = w.bytes.substr(chunk.length);
        if (w.bytes.length === 0) {
          this.writes.shift();
          w.resolve();
        }
        this.schedulePoll();
      },
      (e: unknown) => {
        // AN §2.3.7: SEND FAIL = the module's send buffer is full; try again a little later.
        if (AtCommandError.is(e) && e.final === "SEND FAIL" && ++this.sendFails < t.options.sendFailLimit) {
          return new Promise<void>((resolve) => {
            t.clock.setTimeout(resolve, t.options.sendFailRetryMs);
          });
        }
        throw new Error("send failed: " + errorText(e));
      },
    );
  }

  private release(): Promise<void> {
    // Only once: `released` moves the machine to closed.
    if (this.releasing === undefined) return Promise.resolve();
    this.releasing = undefined;
    const t = this.table;
    const done = () => this.post({ type: "released" });
    if (!t.alive) {
      done();
      return Promise.resolve();
    }
    return t.channel.send(t.dialect.close(this.id)).then(done, done);
  }
}

/** The module's socket table on one PDP context. */
export class ModemSockets {
  private sockets: (ModemSocket | undefined)[] = [];
  private unsubs: (() => void)[] = [];
  /** False once the context is gone: sockets die without commands (the module already dropped them). */
  alive = true;
  /** The network broke the socket service under us: it is closed before it is opened again. */
  private serviceBroken = false;

  constructor(
    readonly channel: AtChannel,
    readonly clock: Clock,
    readonly dialect: SocketDialect,
    readonly context: number,
    readonly options: SocketOptions,
  ) {
    for (const prefix of dialect.noticePrefixes) {
      this.unsubs.push(channel.onUrc(prefix, (line) => this.onNotice(line)));
    }
  }

  /**
   * Readies the module for sockets once the context is up: stale sockets closed, then the
   * dialect's socket service opened if it has one and it is not open yet (SIMCom
   * `AT+NETOPEN`, whose outcome is the `+NETOPEN: <err>` URC); one the network broke under
   * us is closed first. Resolves with the stale ids.
   */
  prepare(): Promise<number[]> {
    const svc = this.dialect.service;
    return this.closeStale().then((ids) => {
      if (!svc) return ids;
      return this.channel
        .send(svc.query)
        .then((r) => {
          const open = svc.isOpen(r);
          if (open && !this.serviceBroken) return undefined;
          return (open ? this.awaitUrc(svc.close, svc.closePrefix, svc.timeoutMs) : Promise.resolve(""))
            .then(() => {
              this.serviceBroken = false;
              return this.awaitUrc(svc.open, svc.resultPrefix, svc.timeoutMs);
            })
            .then((line) => {
              if (svc.parseResult(line) !== 0) throw new Error("socket service not opened: " + line);
            });
        })
        .then(() => ids);
    });
  }

  private awaitUrc(cmd: AtCommand, prefix: string, ms: number): Promise<string> {
    return sendForUrc(this.channel, this.clock, cmd, prefix, () => true, ms);
  }

  /**
   * Closes every socket the module still holds from before (a crash, a reset of ours
   * while the module stayed up), so that none keeps a port and eats data (Particle #1666).
   */
  closeStale(): Promise<number[]> {
    return this.channel.send(this.dialect.listSockets()).then((r) => {
      const ids = this.dialect.parseSockets(r).filter((id) => !this.sockets[id]);
      let chain: Promise<unknown> = Promise.resolve();
      const ch = this.channel;
      const d = this.dialect;
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        chain = chain.then(function () {
          return ch.send(d.close(id)).then(undefined, function () {
            return undefined;
          });
        });
      }
      return chain.then(() => ids);
    });
  }

  /** Opens a TCP connection; the socket says `open` or `close` later. */
  open(host: string, port: number): ModemSocket {
    let id = -1;
    for (let i = 0; i < this.dialect.socketCount; i++) {
      if (!this.sockets[i]) {
        id = i;
        break;
      }
    }
    if (id < 0) throw new Error("no free modem socket (" + this.dialect.socketCount + " in use)");
    // Validate the arguments before the id is taken.
    this.dialect.open(this.context, id, host, port);
    const s = new ModemSocket(id, this, host, port);
    this.sockets[id] = s;
    this.alive = true;
    s.start();
    return s;
  }

  /** The context is gone: every socket on it is dead, and the module has already freed them. */
  dropAll(reason: string): void {
    this.alive = false;
    const all = this.sockets.slice();
    for (let i = 0; i < all.length; i++) {
      const s = all[i];
      if (s) s.kill(reason);
    }
  }

  /** How many sockets are in use. */
  inUse(): number {
    let n = 0;
    for (let i = 0; i < this.sockets.length; i++) if (this.sockets[i]) n++;
    return n;
  }

  stop(): void {
    this.dropAll("stopped");
    for (const u of this.unsubs) u();
    this.unsubs = [];
  }

  /** Called by a socket when it has ended. */
  released(s: ModemSocket): void {
    if (this.sockets[s.id] === s) this.sockets[s.id] = undefined;
  }

  private onNotice(line: string): void {
    const n = this.dialect.parseNotice(line);
    if (!n) return;
    if (n.type === "deactivated") {
      if (this.dialect.service) this.serviceBroken = true;
      if (n.ctx === this.context || n.ctx < 0) this.dropAll("the network deactivated the context (" + n.source + ")");
      return;
    }
    const s = n.id >= 0 ? this.sockets[n.id] : undefined;
    if (s) s.notice(n);
  }
}
