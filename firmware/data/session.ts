/**
 * Runs the data session machine (session-machine.ts) on the AT channel: attach,
 * activate, read the address; watch for the context going away (27.007 `+CGEV`, the
 * vendor's `pdpdeact`, sockets that fail) and recover in tiers.
 *
 * Calls keep priority on the AT channel: every command here is one short exchange
 * queued behind whatever call control has queued, never a held channel; nothing waits
 * for data inside a command (the socket's reads are separate short commands).
 *
 * Every callback only posts an event; one dispatcher drains the queue (STYLE §7).
 */
import type { Clock, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import type { AtChannel, AtCommand } from "../../drivers/at/index.js";
import { isRegistered, type Registration } from "../../drivers/modems/index.js";
import { parseCgatt, parseCgevLoss, type PacketDialect } from "../../drivers/modems/packet.js";
import type { ContextNotices } from "../../drivers/modems/context-loss.js";
import type { ModemState } from "../modem/machine.js";
import { Dispatcher } from "./dispatch.js";
import { ensureApn } from "../apn.js";
import { dataStep, initialDataState, type DataEffect, type DataEvent, type DataPolicy, type DataState } from "./session-machine.js";

export type DataSessionEvents = {
  state: DataState;
  /** The context is active with this address: sockets may open. */
  up: string;
  /** The context is gone (or data was stopped): every socket on it is dead. */
  down: string;
  log: string;
};

/** What the session needs to know about the modem (the modem manager). */
export interface DataModemView {
  events: Emitter<{ state: ModemState; registration: Registration }>;
  /** Resets the module (tier 3), through the modem manager's own escalation. */
  resetModem(reason: string): void;
}

export interface DataSettings {
  /** The access point name (boards.json `data.apn`, or the user's setting). */
  apn: string;
  /** The PDP context id the sockets use. */
  context: number;
  /** Up this long without trouble ends a failure run (ms). */
  healthyAfterMs: number;
}

export const defaultDataPolicy: DataPolicy = {
  reactivate: { baseMs: 2000, capMs: 15 * 60000, minMs: 0 },
  resetAfter: 3,
  resetGapMs: 10 * 60000,
  random: Math.random,
};

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class DataSession {
  readonly events = new Emitter<DataSessionEvents>();
  private machine: Dispatcher<DataState, DataEvent, DataEffect>;
  private timer: TimerHandle | undefined = undefined;
  private healthyTimer: TimerHandle | undefined = undefined;
  /** Bumped on every activation start, so a stale script's answer is dropped. */
  private run = 0;
  private unsubs: (() => void)[] = [];

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly modem: DataModemView,
    private readonly packet: PacketDialect,
    private readonly sockets: ContextNotices | undefined,
    private readonly settings: DataSettings,
    policy: DataPolicy,
  ) {
    this.machine = new Dispatcher<DataState, DataEvent, DataEffect>(
      initialDataState,
      (st, e) => dataStep(st, e, policy, clock.now()),
      (f) => this.apply(f),
      (st) => {
        // Leaving `activating` (a loss, the modem going away) abandons a script still running.
        if (st.name !== "activating" && st.name !== "up") this.run++;
        this.events.emit("state", st);
      },
    );
    this.unsubs.push(
      modem.events.on("state", (s) => this.post({ type: "modem", ready: s.name === "ready" })),
      modem.events.on("registration", (r) => this.onRegistration(r)),
      channel.onUrc("+CGEV:", (line) => this.onCgev(line)),
    );
    if (sockets) {
      for (const prefix of sockets.noticePrefixes) {
        this.unsubs.push(
          channel.onUrc(prefix, (line) => {
            const n = sockets.parseNotice(line);
            if (n && n.type === "deactivated" && (n.ctx === settings.context || n.ctx < 0)) this.post({ type: "lost", reason: n.source });
          }),
        );
      }
    }
  }

  /** Wants data: activates as soon as the modem is ready and registered. */
  start(): void {
    this.post({ type: "enable" });
  }

  /** No more data: deactivates and stops every timer. */
  stop(): void {
    this.post({ type: "disable" });
    for (const u of this.unsubs) u();
    this.unsubs = [];
  }

  status(): DataState {
    return this.machine.state;
  }

  /** Sockets on the context keep failing: re-activate it (tier 2). */
  reportLost(reason: string): void {
    this.post({ type: "lost", reason });
  }

  /** The backend says this accessory was unregistered (the companion link's fast path, R15). */
  unregistered(source: string): void {
    this.post({ type: "unregistered", source });
  }

  post(event: DataEvent): void {
    this.machine.post(event);
  }

  private apply(effect: DataEffect): void {
    switch (effect.type) {
      case "activate":
        this.activate(effect.fresh);
        break;
      case "deactivate":
        this.run++;
        this.send(this.packet.deactivate(this.settings.context)).then(undefined, () => undefined);
        break;
      case "startTimer":
        this.startTimer(effect.ms);
        break;
      case "cancelTimer":
        this.clearTimer();
        break;
      case "resetModem":
        this.run++;
        this.modem.resetModem("data: " + effect.reason);
        break;
      case "up":
        this.armHealthy();
        this.events.emit("up", effect.address);
        break;
      case "down":
        this.disarmHealthy();
        this.events.emit("down", effect.reason);
        break;
      case "log":
        this.events.emit("log", effect.message);
        break;
    }
  }

  private startTimer(ms: number): void {
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.post({ type: "timer" });
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private armHealthy(): void {
    this.disarmHealthy();
    this.healthyTimer = this.clock.setTimeout(() => {
      this.healthyTimer = undefined;
      this.post({ type: "healthy" });
    }, this.settings.healthyAfterMs);
  }

  private disarmHealthy(): void {
    if (this.healthyTimer !== undefined) this.clock.clearTimeout(this.healthyTimer);
    this.healthyTimer = undefined;
  }

  private send(c: AtCommand) {
    return this.channel.send(c);
  }

  /**
   * The activation script: receive settings, (after a loss) deactivate the old context,
   * define it with the APN when it names another (ensureApn: the one writer of the APN),
   * report packet events, attach, activate, read the address.
   * A context already active (it survives a warm reset, Zephyr PR #31325) is taken as is.
   */
  private activate(fresh: boolean): void {
    const run = ++this.run;
    const ctx = this.settings.context;
    const p = this.packet;
    const self = this;
    const optional = function (c: AtCommand) {
      return self.send(c).then(undefined, function () {
        return undefined;
      });
    };
    const live = () => {
      if (run !== this.run) throw new Error("superseded");
    };
    const setup: AtCommand[] = this.sockets ? this.sockets.setup(ctx) : [];
    let chain: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < setup.length; i++) {
      const c = setup[i];
      chain = chain.then(() => optional(c));
    }
    // 27.007 §10.1.19: buffer packet-domain events and report them (`+CGEV`).
    chain = chain.then(() => optional({ cmd: "AT+CGEREP=2,1" }));
    if (!fresh) chain = chain.then(() => optional(p.deactivate(ctx)));
    chain
      .then(() => {
        live();
        return ensureApn(this.channel, p, ctx, this.settings.apn);
      })
      .then((what) => {
        live();
        this.events.emit("log", what);
        return this.send({ cmd: "AT+CGATT?", prefixes: ["+CGATT:"] });
      })
      .then((r) => {
        live();
        // §10.1.9: attach when the module is not attached yet (it usually is, on LTE).
        if (!parseCgatt(r)) return this.send({ cmd: "AT+CGATT=1", timeoutMs: 75000 }).then(() => undefined);
        return undefined;
      })
      .then(() => {
        live();
        return this.send(p.queryAddress(ctx));
      })
      .then((r) => {
        live();
        const address = p.parseAddress(r, ctx);
        if (address !== "") return address;
        return this.send(p.activate(ctx))
          .then(() => {
            live();
            return this.send(p.queryAddress(ctx));
          })
          .then((r2) => {
            const a = p.parseAddress(r2, ctx);
            if (a === "") throw new Error("context " + ctx + " has no address after activation");
            return a;
          });
      })
      .then(
        (address) => {
          if (run === this.run) this.post({ type: "activated", address });
        },
        (e: unknown) => {
          if (run === this.run) this.post({ type: "activationFailed", reason: errorText(e) });
        },
      );
  }

  private onRegistration(r: Registration): void {
    // EPS carries the data; a CS-only report says nothing about it.
    if (r.domain !== "eps") return;
    if (r.stat === "denied") this.post({ type: "unregistered", source: "network: registration denied" });
    else this.post({ type: "registration", registered: isRegistered(r.stat) });
  }

  private onCgev(line: string): void {
    const loss = parseCgevLoss(line);
    if (loss && (loss.ctx === this.settings.context || loss.ctx < 0)) this.post({ type: "lost", reason: line });
  }
}
