/**
 * The companion link: the accessory's retained picture of itself on the broker, and what
 * the backend tells it (companion-link.md §5). Written once against the `PubSub` port.
 *
 * - Presence: a fresh session nonce `sid` per connect; the will is `online:false` with it,
 *   retained QoS 1; after CONNACK `online:true`. A stale will of an earlier session seen
 *   on our own status is answered by publishing `online:true` again (§5.6 self-heal).
 *   A stack that cannot retain its will (SIMCom) marks it `republish:true`: the backend
 *   publishes it again, retained, so a vanished device still reads offline.
 * - State: published retained on connect and on every change, at most one per
 *   `stateDebounceMs`, always the latest (never a backlog).
 * - From the backend: the retained `line` and `desired` converge by revision (a
 *   redelivered retained message changes nothing); commands carry ids and an expiry,
 *   are acted on once (a persisted ring of ids) and acknowledged.
 * - "unregistered" is a fast path: data stops at once (R15); the network stays
 *   authoritative (R18) and lifts it when it reports the registration again.
 * - SMS priority changed on the smartphone (R82): the accessory's setting follows with no
 *   code sent.
 */
import type { Clock, Storage, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import type { BackoffPolicy } from "../data/backoff.js";
import { Dispatcher } from "../data/dispatch.js";
import { initialLinkState, linkStep, type LinkEffect, type LinkEvent, type LinkPolicy, type LinkState } from "./link-machine.js";
import { PubSubError, type PubSub, type PubSubMessage } from "./pubsub.js";
import { CommandRing, type CommandOutcome } from "./ring.js";
import { decodePayload, encodePayload, topicsFor, type Json, type Topics } from "./topics.js";

/** The will's payload; `republish` asks the backend to retain it when the stack could not (§5.6). */
function willBody(sid: string, retained: boolean): Json {
  const body: Json = { v: 1, online: false, sid };
  if (!retained) body.republish = true;
  return body;
}

/** Who holds the SMS priority, as the link says it (`phone`, or a device id). */
export type LinkHolder = "smartphone" | "this" | "other";

/** What the link can make the firmware do (through the firmware API). */
export interface CompanionActions {
  /** The backend unregistered this accessory (R15 fast path): stop data, show it. */
  unregistered(reason: string): void;
  /** The SMS priority changed elsewhere (R82): take it over without sending a code. */
  smsPriority(holder: LinkHolder): Promise<void>;
}

/** Where the device state published on `state` comes from. */
export interface StateSource {
  /** The device state fields (§5.4 `state` without v/seq/ts). */
  snapshot(): Json;
  /** Calls `fn` whenever something in the snapshot may have changed. */
  onChange(fn: () => void): () => void;
}

/** The data session under the link (absent when the host already has IP). */
export interface LinkData {
  events: Emitter<{ up: string; down: string }>;
  status(): { name: string };
  reportLost(reason: string): void;
}

export interface LinkConfig {
  msisdn: string;
  deviceId: string;
  password: string;
  keepaliveS: number;
  /** At most one state publish per this long (ms; §5.7: 2 s). */
  stateDebounceMs: number;
  /** Online this long resets the failure run (ms). */
  healthyAfterMs: number;
  policy: LinkPolicy;
  /** True while the link must send nothing (an emergency call, companion-link.md §5.7). */
  quiet?: () => boolean;
}

export const defaultReconnect: BackoffPolicy = { baseMs: 2000, capMs: 5 * 60000, minMs: 0 };

export type CompanionEvents = {
  state: LinkState;
  online: boolean;
  /** The backend says this accessory is unregistered. */
  unregistered: string;
  /** The line as the backend shows it ("in use on the phone"). */
  line: { inUse: boolean; holder: LinkHolder | undefined };
  /** A command was handled. */
  command: { id: string; op: string; outcome: CommandOutcome | "duplicate" };
  log: string;
};

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class CompanionLink {
  readonly events = new Emitter<CompanionEvents>();
  readonly topics: Topics;
  private machine: Dispatcher<LinkState, LinkEvent, LinkEffect>;
  private timer: TimerHandle | undefined = undefined;
  private healthyTimer: TimerHandle | undefined = undefined;
  private stateTimer: TimerHandle | undefined = undefined;
  private stateDirty = false;
  private sid = "";
  private seq = 0;
  /** Bumped per connect attempt, so answers of an abandoned attempt are dropped. */
  private attempt = 0;
  private ring: CommandRing;
  /** Revisions already applied: a retained message seen again changes nothing. */
  private applied = { line: -1, desired: -1, priority: -1 };
  private inUse = false;
  private holder: LinkHolder | undefined = undefined;
  private unsubs: (() => void)[] = [];
  /** Commands are handled one after the other, so their acks keep their order. */
  private commands: Promise<void> = Promise.resolve();

  constructor(
    private readonly pubsub: PubSub,
    private readonly clock: Clock,
    storage: Storage | undefined,
    private readonly config: LinkConfig,
    private readonly source: StateSource,
    private readonly actions: CompanionActions,
    private readonly data: LinkData | undefined,
    private readonly checkRegistration: () => void,
  ) {
    this.topics = topicsFor(config.msisdn, config.deviceId);
    this.machine = new Dispatcher<LinkState, LinkEvent, LinkEffect>(
      initialLinkState,
      (st, e) => linkStep(st, e, config.policy),
      (f) => this.apply(f),
      (st) => this.events.emit("state", st),
    );
    this.ring = new CommandRing(storage, "companion.cmds", 16);
    this.seq = Math.floor(clock.now() / 1000);
  }

  /** Loads the command ring, then connects whenever data is up. */
  start(): Promise<void> {
    return this.ring.load().then((problem) => {
      if (problem) this.events.emit("log", problem);
      this.unsubs.push(
        this.pubsub.events.on("message", (m) => this.onMessage(m)),
        this.pubsub.events.on("down", (reason) => this.post({ type: "down", reason })),
        this.source.onChange(() => this.stateChanged()),
      );
      const data = this.data;
      if (data) {
        this.unsubs.push(
          data.events.on("up", () => this.post({ type: "data", up: true })),
          data.events.on("down", () => this.post({ type: "data", up: false })),
        );
      }
      this.post({ type: "data", up: !data || data.status().name === "up" });
      this.post({ type: "start" });
    });
  }

  /** Says goodbye (`online:false`, then DISCONNECT) and stops reconnecting. */
  stop(): Promise<void> {
    const wasOnline = this.machine.state.name === "online";
    const bye = wasOnline
      ? this.pubsub.publish(this.topics.status, encodePayload(this.topics.status, { v: 1, online: false, sid: this.sid, ts: this.ts() }), 1, true).then(undefined, () => undefined)
      : Promise.resolve();
    return bye.then(() => {
      this.post({ type: "stop" });
      for (const u of this.unsubs) u();
      this.unsubs = [];
    });
  }

  status(): LinkState {
    return this.machine.state;
  }

  /** Publishes the device state now (the `refreshState` command, tests). */
  publishState(): Promise<void> {
    if (this.machine.state.name !== "online") return Promise.resolve();
    const body = this.source.snapshot();
    body.v = 1;
    body.seq = this.nextSeq();
    body.ts = this.ts();
    return this.pubsub.publish(this.topics.state, encodePayload(this.topics.state, body), 1, true);
  }

  post(event: LinkEvent): void {
    this.machine.post(event);
  }

  private apply(effect: LinkEffect): void {
    switch (effect.type) {
      case "connect":
        this.connect();
        break;
      case "drop":
        this.attempt++;
        this.pubsub.destroy(effect.reason);
        break;
      case "end":
        this.attempt++;
        this.pubsub.end().then(undefined, () => undefined);
        break;
      case "startTimer":
        this.startTimer(effect.ms);
        break;
      case "cancelTimer":
        if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
        this.timer = undefined;
        break;
      case "escalate":
        if (this.data) this.data.reportLost(effect.reason);
        break;
      case "checkRegistration":
        this.checkRegistration();
        break;
      case "online":
        this.onOnline(effect.up);
        break;
      case "log":
        this.events.emit("log", effect.message);
        break;
    }
  }

  private startTimer(ms: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.post({ type: "timer" });
    }, ms);
  }

  private onOnline(up: boolean): void {
    if (this.healthyTimer !== undefined) this.clock.clearTimeout(this.healthyTimer);
    this.healthyTimer = undefined;
    if (up) {
      this.healthyTimer = this.clock.setTimeout(() => {
        this.healthyTimer = undefined;
        this.post({ type: "healthy" });
      }, this.config.healthyAfterMs);
    }
    this.events.emit("online", up);
  }

  private ts(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  private nextSeq(): number {
    const t = this.ts();
    this.seq = this.seq + 1 > t ? this.seq + 1 : t;
    return this.seq;
  }

  private newSid(): string {
    let s = "";
    const abc = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (let i = 0; i < 6; i++) s += abc.charAt(Math.floor(this.config.policy.random() * abc.length));
    return s;
  }

  /** CONNECT with the will, subscribe, announce presence, publish the state. */
  private connect(): void {
    const attempt = ++this.attempt;
    const t = this.topics;
    const ps = this.pubsub;
    this.sid = this.newSid();
    const sid = this.sid;
    const live = (): boolean => attempt === this.attempt;
    ps.connect({
      clientId: this.config.deviceId,
      password: this.config.password,
      keepaliveS: this.config.keepaliveS,
      will: { topic: t.status, payload: encodePayload(t.status, willBody(sid, !ps.abilities || ps.abilities.willRetained)) },
    })
      .then(() => {
        if (!live()) throw new Error("superseded");
        return ps.subscribe([
          { topic: t.line, qos: 1 },
          { topic: t.desired, qos: 1 },
          { topic: t.cmd, qos: 1 },
          { topic: t.status, qos: 1 },
        ]);
      })
      .then((granted) => {
        if (!live()) throw new Error("superseded");
        for (let i = 0; i < granted.length; i++) if (granted[i] === 128) throw new Error("subscription refused by the broker");
        return ps.publish(t.status, encodePayload(t.status, { v: 1, online: true, sid, ts: this.ts() }), 1, true);
      })
      .then(
        () => {
          if (!live()) return;
          this.post({ type: "connected" });
          this.publishStateSafely();
        },
        (e: unknown) => {
          if (!live()) return;
          const refused = PubSubError.is(e) ? e.refused : undefined;
          ps.destroy("connect failed");
          this.post({ type: "failed", reason: errorText(e), refused });
        },
      );
  }

  private publishStateSafely(): void {
    const quiet = this.config.quiet;
    if (quiet && quiet()) {
      // Held back, not dropped: the latest state goes out once the call is over.
      this.stateDirty = true;
      if (this.stateTimer === undefined) {
        this.stateTimer = this.clock.setTimeout(() => {
          this.stateTimer = undefined;
          if (this.stateDirty) {
            this.stateDirty = false;
            this.publishStateSafely();
          }
        }, this.config.stateDebounceMs);
      }
      return;
    }
    this.publishState().then(undefined, (e: unknown) => this.events.emit("log", "companion: state not published: " + errorText(e)));
  }

  /** Debounced: the first change goes out at once, later ones at most once per window. */
  private stateChanged(): void {
    if (this.machine.state.name !== "online") return;
    if (this.stateTimer !== undefined) {
      this.stateDirty = true;
      return;
    }
    this.publishStateSafely();
    const tick = () => {
      this.stateTimer = undefined;
      if (this.stateDirty && this.machine.state.name === "online") {
        this.stateDirty = false;
        this.publishStateSafely();
        this.stateTimer = this.clock.setTimeout(tick, this.config.stateDebounceMs);
      }
    };
    this.stateTimer = this.clock.setTimeout(tick, this.config.stateDebounceMs);
  }

  private onMessage(m: PubSubMessage): void {
    const t = this.topics;
    let o: Json;
    try {
      if (m.payload === "") return; // a cleared retained topic
      o = decodePayload(m.topic, m.payload);
    } catch (e) {
      this.events.emit("log", "companion: ignored: " + errorText(e));
      return;
    }
    if (m.topic === t.line) this.onLine(o);
    else if (m.topic === t.desired) this.onDesired(o);
    else if (m.topic === t.cmd) {
      const cmd = o;
      this.commands = this.commands.then(() => this.onCommand(cmd));
    }
    else if (m.topic === t.status) this.onOwnStatus(o);
  }

  private holderOf(v: unknown): LinkHolder | undefined {
    if (v === "phone" || v === "smartphone") return "smartphone";
    if (typeof v !== "string" || v === "") return undefined;
    return v === this.config.deviceId ? "this" : "other";
  }

  /** A priority from `line` or `desired`: applied once per revision, newest wins. */
  private applyPriority(p: unknown): void {
    if (typeof p !== "object" || p === null) return;
    const sp = p as Json;
    const rev = typeof sp.rev === "number" ? sp.rev : -1;
    const holder = this.holderOf(sp.holder);
    if (!holder || rev <= this.applied.priority) return;
    this.applied.priority = rev;
    this.holder = holder;
    this.actions.smsPriority(holder).then(
      () => this.stateChanged(),
      (e: unknown) => this.events.emit("log", "companion: SMS priority not taken over: " + errorText(e)),
    );
  }

  private onLine(o: Json): void {
    if (typeof o.seq === "number") {
      if (o.seq <= this.applied.line) return;
      this.applied.line = o.seq;
    }
    this.applyPriority(o.smsPriority);
    this.inUse = o.inUse === true;
    this.events.emit("line", { inUse: this.inUse, holder: this.holder });
  }

  private onDesired(o: Json): void {
    if (typeof o.rev === "number") {
      if (o.rev <= this.applied.desired) return;
      this.applied.desired = o.rev;
    }
    if (o.registration === "unregistered") this.unregister("desired state: unregistered");
    this.applyPriority(o.smsPriority);
  }

  private unregister(reason: string): void {
    this.actions.unregistered(reason);
    this.events.emit("unregistered", reason);
  }

  private ack(id: string, status: string, code: string): void {
    const body: Json = { v: 1, id, status, ts: this.ts() };
    if (code !== "") body.code = code;
    this.pubsub.publish(this.topics.ack, encodePayload(this.topics.ack, body), 1, false).then(undefined, (e: unknown) => {
      this.events.emit("log", "companion: ack of " + id + " not sent: " + errorText(e));
    });
  }

  /** §5.5: seen ids answer `duplicate`, expired ones `expired`; others run once. */
  private onCommand(o: Json): Promise<void> {
    const id = o.id;
    const op = typeof o.op === "string" ? o.op : "";
    if (typeof id !== "string" || id.length === 0 || id.length > 64) {
      this.events.emit("log", "companion: command without a usable id ignored");
      return Promise.resolve();
    }
    const seen = this.ring.find(id);
    if (seen) {
      this.ack(id, "duplicate", seen.status);
      this.events.emit("command", { id, op, outcome: "duplicate" });
      return Promise.resolve();
    }
    const log = (e: unknown) => this.events.emit("log", "companion: command " + id + ": " + errorText(e));
    const done = (status: CommandOutcome, code: string) => {
      this.ack(id, status, code);
      this.events.emit("command", { id, op, outcome: status });
      return this.ring.put(id, status, code).then(undefined, log);
    };
    if (typeof o.exp === "number" && o.exp * 1000 < this.clock.now()) return done("expired", "");
    // Stored as accepted before it acts: a power cut in between never runs it twice.
    return this.ring.put(id, "accepted", "").then(
      () => {
        this.ack(id, "accepted", "");
        return this.run(op, o.args).then(
          (code) => done(code === "" ? "done" : "rejected", code),
          (e: unknown) => done("rejected", errorText(e)),
        );
      },
      (e: unknown) => log("not run, its id could not be stored: " + errorText(e)),
    );
  }

  /** Runs a command; resolves "" when done, or a rejection code. */
  private run(op: string, args: unknown): Promise<string> {
    const a: Json = typeof args === "object" && args !== null ? (args as Json) : {};
    switch (op) {
      case "unregistered":
        this.unregister(typeof a.by === "string" ? "unregistered by " + a.by : "unregistered");
        return Promise.resolve("");
      case "smsPriorityChanged":
        if (a.smsPriority) this.applyPriority(a.smsPriority);
        this.stateChanged();
        return Promise.resolve("");
      case "refreshState":
        return this.publishState().then(() => "");
      case "ping":
        return Promise.resolve("");
      default:
        return Promise.resolve("unknown-op");
    }
  }

  /** §5.6: a stale will (another sid) over our live session is answered with `online:true`. */
  private onOwnStatus(o: Json): void {
    if (o.online === false && o.sid !== this.sid && this.machine.state.name === "online") {
      const t = this.topics;
      this.pubsub.publish(t.status, encodePayload(t.status, { v: 1, online: true, sid: this.sid, ts: this.ts() }), 1, true).then(undefined, () => undefined);
    }
  }
}
