/**
 * The soak: many accessories with the real firmware over many shared numbers, days of
 * virtual time, a seeded random workload and faults, and invariants checked all along
 * (issue 15). `runSoak` returns the report; tools/soak/main.ts is `npm run soak`.
 *
 * The workload is a table (`ACTIONS`): each row has a name, a kind (event or fault), a
 * weight and a `run` that either acts (through `fw.api` on the accessory side, through the
 * network's phone/party objects on the network side) or says it does not apply now. New
 * kinds of traffic (data sessions, MQTT commands) are one more row each.
 */
import { VirtualClock } from "../../hal/memory/clock.js";
import type { OutsideParty, PartyCall } from "../../sim/network/index.js";
import { Fleet, type Accessory, type Attached } from "./fleet.js";
import { InvariantBook, INVARIANTS, type Failure, type InvariantName } from "./invariants.js";
import { Rng } from "./rng.js";
import { MessageAssembler, SmsLedger, type Followed } from "./ledger.js";
import { Backend, SoakAuthority, SoakBroker, type SentCommand } from "./mqtt.js";
import { heapSlope, type HeapSample, type HeapSlope } from "./heap.js";
import type { FirmwareOptions } from "../../firmware/main.js";
import type { PubSub } from "../../firmware/companion/pubsub.js";
import { MqttJsPubSub } from "../../firmware/companion/mqttjs.node.js";
import { defaultReconnect } from "../../firmware/companion/link.js";
import { defaultDataPolicy } from "../../firmware/data/session.js";

export { completedMessages } from "./ledger.js";

export interface SoakOptions {
  seed: number;
  /** Virtual hours of workload (a drain follows). */
  hours: number;
  numbers: number;
  accessories: number;
  /** Outside parties that call and text (default: as many as numbers, at least 4). */
  parties?: number;
  /** Mean virtual time between workload actions of one accessory (default 4 min). */
  meanGapMs?: number;
  /** Share of actions that are faults (default 0.15). */
  faultShare?: number;
  /** Share of the accessories (of boards with data) that run the companion link (default 1: all). */
  companions?: number;
  /** Boards of boards.json, given in turn to the accessories (default sim-generic). */
  boards?: string[];
  /** How long the line views may disagree after the last change (default 10 s). */
  lineBoundMs?: number;
  /** Emergency: ATD written within this of the request or of the modem answering again (default 1000 ms). */
  emergencyBoundMs?: number;
  /** Bytes of API-visible state (inbox, outbox, call log) one accessory may hold (default 256 KiB). */
  memoryBoundBytes?: number;
  /** Heap after GC per device may grow at most this many bytes per virtual hour over the last half of the run (default HEAP_SLOPE_BOUND; heap.ts). */
  heapSlopeBoundBytes?: number;
  /**
   * Hourly heap samples the last half must hold for the slope to be judged (default 24:
   * runs of 48 virtual hours or more). The firmware's bounded inbox and sent history of a
   * 100-accessory run fill for about the first day (seed 15: 612 KiB per device at 12 h,
   * 662 at 24 h, then 684 at 48 h and 704 at 72 h), so a 24-hour run's last half is still
   * filling and says nothing about a leak.
   */
  heapMinSamples?: number;
  /** A test hook: measures the heap instead of a full GC (node --expose-gc) and process.memoryUsage(). */
  measureHeap?: () => { bytes: number; afterGc: boolean };
  /** Prints everything about this accessory ("n3a1") to stderr: actions, AT lines both ways, API events. */
  trace?: string;
  /** Called every virtual hour with the hours done (main.ts prints it with --progress). */
  onHour?: (hours: number, checks: number, failures: number) => void;
  /** A test hook: called at every checkpoint with the world (to inject a violation). */
  onCheckpoint?: (w: { fleet: Fleet; now: number }) => void;
}

export interface SoakReport {
  seed: number;
  virtualHours: number;
  numbers: number;
  accessories: number;
  events: { [name: string]: number };
  faults: { [name: string]: number };
  skipped: { [name: string]: number };
  checks: { [k in InvariantName]: number };
  totalChecks: number;
  failureCounts: { [k in InvariantName]: number };
  failures: Failure[];
  sms: { inSent: number; outAccepted: number; outRefused: number; outFailed: number };
  emergency: { requested: number; placed: number; worstMs: number };
  /** Backend commands: sent, publishes (resends included), acknowledged, duplicate acks, sent already expired, never reachable (device offline to the expiry); links, broker restarts. */
  mqtt: { links: number; commands: { sent: number; publishes: number; acked: number; duplicates: number; expiredSent: number; unreachable: number }; brokerRestarts: number; connections: number };
  /** Messages checked, and the worst send-to-arrival time seen (the ledger's horizon must be far above it). */
  smsLedger: { followed: number; worstLatencyMs: number; horizonMs: number };
  /** `hourly`: the heap after a full GC per device every virtual hour of the workload; `slope`: the memoryBounded check on it (heap.ts). */
  memory: { perDeviceMaxBytes: { min: number; avg: number; max: number }; heapUsedBytes: number; heapPerDeviceBytes: number; timeline: MemorySample[]; hourly: HeapSample[]; slope: HeapSlope };
  cpu: { totalMs: number; perVirtualHourMs: number; wallMs: number };
}

/** Memory at one virtual time: the heap (after a full GC when node runs with --expose-gc) and the API-visible state per device. */
export interface MemorySample {
  virtualHours: number;
  heapUsedBytes: number;
  heapPerDeviceBytes: number;
  /** Whether a full GC ran just before (node --expose-gc): otherwise the heap includes garbage. */
  afterGc: boolean;
  /** Bytes of inbox, outbox and call log as the API returns them: mean and max over the devices. */
  apiStateAvgBytes: number;
  apiStateMaxBytes: number;
}

/** An accessory's companion link (the data session and MQTT) on its current firmware. */
interface LinkRig {
  companion: NonNullable<Attached["companion"]>;
  /** Since when the link has been online, undefined while it is not. */
  onlineSince: number | undefined;
}

interface MqttWorld {
  broker: SoakBroker;
  backend: Backend;
  links: Map<Accessory, LinkRig>;
  byName: Map<string, Accessory>;
  /** The broker is up since (undefined while down). */
  brokerUpSince: number | undefined;
  commands: { sent: number; publishes: number; acked: number; duplicates: number; expiredSent: number; unreachable: number };
}

interface Ctx {
  rng: Rng;
  fleet: Fleet;
  clock: VirtualClock;
  soak: SoakState;
  mqtt: MqttWorld;
}

type ActionKind = "event" | "fault";

interface Action {
  name: string;
  kind: ActionKind;
  weight: number;
  /** Acts on `acc` (or its number); false when the action does not apply now. */
  run(c: Ctx, acc: Accessory): boolean;
}

const EMERGENCY = ["110", "119", "118"];
const FILLER = "The quick brown fox jumps over the lazy dog; ";

function smsText(tag: string, rng: Rng, multi: boolean): string {
  const len = multi ? rng.int(170, 420) : rng.int(20, 150);
  let t = tag + " ";
  while (t.length < len) t += FILLER;
  return t.slice(0, len);
}

/** The tag a soak SMS starts with ("[s12]"), or undefined. */
function tagOf(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /\[s\d+\]/.exec(text);
  return m ? m[0] : undefined;
}

function after(c: Ctx, ms: number, fn: () => void): void {
  c.clock.setTimeout(() => {
    try {
      fn();
    } catch (e) {
      c.soak.count("skipped", "followUp:" + ((e as Error).name || "Error"));
    }
  }, ms);
}

function idleParty(c: Ctx): OutsideParty | undefined {
  const free = c.fleet.parties.filter((p) => p.calls.every((x) => x.state === "released"));
  return free.length > 0 ? c.rng.pick(free) : undefined;
}

/** Ends a party's call after `ms` unless it is over already. */
function endLater(c: Ctx, party: OutsideParty, pc: PartyCall, ms: number): void {
  after(c, ms, () => {
    if (pc.state !== "released") party.hangup(pc.id);
  });
}

/** Hangs up `acc`'s call through the API; a user presses again when the first press fails. */
function hangupLater(c: Ctx, acc: Accessory, ms: number, emergency: boolean, tries = 3): void {
  after(c, ms, () => {
    const gen = acc.generation;
    const call = acc.fw.api.snapshot().calls.find((x) => x.emergency === emergency);
    if (!call) return;
    if (emergency) c.soak.emergencyCancelled(acc);
    acc.fw.api.hangup(call.id).then((r) => {
      if (!r.ok && tries > 1 && acc.generation === gen) {
        c.soak.count("skipped", "hangupRetry");
        hangupLater(c, acc, 30000, emergency, tries - 1);
      }
    });
  });
}

/** An outside party texts the accessory's number (one part, or several). */
function smsIn(name: string, weight: number, multi: boolean): Action {
  return {
    name,
    kind: "event",
    weight,
    run(c, acc) {
      const party = c.rng.pick(c.fleet.parties);
      const tag = c.soak.newTag();
      party.sendSms(acc.num.msisdn, smsText(tag, c.rng, multi));
      c.soak.smsIn(tag, acc);
      return true;
    },
  };
}

const ACTIONS: Action[] = [
  {
    name: "callIn",
    kind: "event",
    weight: 10,
    run(c, acc) {
      const party = idleParty(c);
      if (!party) return false;
      const pc = party.call(acc.num.msisdn);
      // Someone responds, or nobody does (the network's no-reply time ends it).
      after(c, c.rng.int(2000, 40000), () => {
        if (pc.state === "released" || pc.state === "active") return;
        const ringing = c.fleet.accessories.filter((a) => a.num === acc.num && a.fw.api.snapshot().line === "ringingHere");
        const r = c.rng.next();
        if (r < 0.45 && ringing.length > 0) {
          c.soak.count("events", "answer");
          void c.rng.pick(ringing).fw.api.answer();
        } else if (r < 0.6 && ringing.length > 0) {
          c.soak.count("events", "decline");
          void c.rng.pick(ringing).fw.api.reject();
        } else if (r < 0.75) {
          const live = acc.num.phone.live();
          if (live.length > 0) {
            c.soak.count("events", "phoneAnswer");
            acc.num.phone.answer(live[0].id);
          }
        } else if (r < 0.85) {
          c.soak.count("events", "callerGivesUp");
          party.hangup(pc.id);
        }
      });
      endLater(c, party, pc, c.rng.int(60000, 600000));
      return true;
    },
  },
  {
    name: "callOut",
    kind: "event",
    weight: 8,
    run(c, acc) {
      if (acc.fw.api.snapshot().calls.length > 0) return false;
      const party = idleParty(c);
      if (!party) return false;
      void acc.fw.api.dial(party.number);
      after(c, c.rng.int(2000, 25000), () => {
        const pc = party.calls.find((x) => x.state === "ringing");
        if (!pc) return;
        if (c.rng.chance(0.8)) {
          party.answer(pc.id);
          if (c.rng.chance(0.5)) endLater(c, party, pc, c.rng.int(5000, 600000));
          else hangupLater(c, acc, c.rng.int(5000, 600000), false);
        } else party.reject(pc.id);
      });
      after(c, 660000, () => {
        for (const pc of party.calls) if (pc.state !== "released") party.hangup(pc.id);
      });
      // Nobody waits for ever: a call still up (a number that never answers) is hung up here.
      hangupLater(c, acc, 700000, false);
      return true;
    },
  },
  {
    name: "waitingCall",
    kind: "event",
    weight: 3,
    run(c, acc) {
      if (acc.fw.api.snapshot().line !== "inCallHere") return false;
      const party = idleParty(c);
      if (!party) return false;
      const pc = party.call(acc.num.msisdn);
      after(c, c.rng.int(3000, 15000), () => {
        const waiting = acc.fw.api.snapshot().calls.some((x) => x.status === "waiting");
        if (!waiting || pc.state === "released") return;
        c.soak.count("events", "acceptWaiting");
        void acc.fw.api.acceptWaiting(c.rng.chance(0.5) ? "hold" : "release");
      });
      endLater(c, party, pc, c.rng.int(30000, 300000));
      return true;
    },
  },
  {
    name: "emergency",
    kind: "event",
    weight: 1,
    run(c, acc) {
      if (acc.fw.api.snapshot().calls.some((x) => x.emergency)) return false;
      c.soak.emergencyRequested(acc);
      void acc.fw.api.dial(c.rng.pick(EMERGENCY));
      hangupLater(c, acc, c.rng.int(10000, 90000), true);
      return true;
    },
  },
  smsIn("smsIn", 6, false),
  smsIn("smsInMultipart", 3, true),
  {
    name: "smsOut",
    kind: "event",
    weight: 6,
    run(c, acc) {
      if (acc.board.capabilities.sms === "none") return false;
      const party = c.rng.pick(c.fleet.parties);
      const tag = c.soak.newTag();
      const text = smsText(tag, c.rng, c.rng.chance(0.3));
      const gen = acc.generation;
      acc.fw.api.sendSms(party.number, text).then((r) => c.soak.smsOutAnswered(tag, party, r.ok, gen, acc));
      return true;
    },
  },
  {
    name: "priority",
    kind: "event",
    weight: 2,
    run(_c, acc) {
      void acc.fw.api.prioritySet();
      return true;
    },
  },
  {
    name: "phoneCall",
    kind: "event",
    weight: 3,
    run(c, acc) {
      const party = idleParty(c);
      if (!party || acc.num.phone.live().length > 0) return false;
      acc.num.phone.dial(party.number);
      after(c, c.rng.int(2000, 10000), () => {
        const pc = party.calls.find((x) => x.state === "ringing");
        if (pc) {
          party.answer(pc.id);
          endLater(c, party, pc, c.rng.int(10000, 300000));
        }
      });
      after(c, 400000, () => {
        for (const pc of party.calls) if (pc.state !== "released") party.hangup(pc.id);
      });
      return true;
    },
  },
  {
    name: "mqttCommand",
    kind: "event",
    weight: 4,
    run(c, acc) {
      const rig = c.mqtt.links.get(acc);
      if (!rig) return false;
      const now = c.clock.now();
      // One in ten is already past its expiry when sent: the device must answer `expired` and not act.
      const expired = c.rng.chance(0.1);
      const exp = expired ? now - c.rng.int(1000, 600000) : now + c.rng.int(5, 30) * 60000;
      const op = c.rng.pick(["ping", "refreshState", "ping", "noSuchOp"]);
      c.mqtt.backend.send(acc.name, rig.companion.link.topics.cmd, op, exp);
      c.mqtt.commands.sent++;
      if (expired) c.mqtt.commands.expiredSent++;
      return true;
    },
  },
  {
    name: "pdpDeact",
    kind: "fault",
    weight: 2,
    run(c, acc) {
      const rig = c.mqtt.links.get(acc);
      if (!rig || rig.companion.data.status().name !== "up") return false;
      // The network ends the PDN connection (+CGEV: NW PDN DEACT): the session and the link must come back.
      acc.port.deactivateData(undefined, "soak");
      c.soak.faultWindow(acc, 0);
      return true;
    },
  },
  {
    name: "brokerRestart",
    kind: "fault",
    weight: 0.05,
    run(c) {
      const m = c.mqtt;
      if (!m.broker.up) return false;
      const downMs = c.rng.int(1000, 120000);
      m.brokerUpSince = undefined;
      void m.broker.stop().then(() => {
        c.clock.setTimeout(() => {
          void m.broker.start().then(() => {
            m.brokerUpSince = c.clock.now();
          });
        }, downMs);
      });
      return true;
    },
  },
  {
    name: "coverageLoss",
    kind: "fault",
    weight: 3,
    run(c, acc) {
      const ms = c.rng.int(10000, 600000);
      const rig = c.mqtt.links.get(acc);
      if (rig && rig.companion.data.status().name === "up") c.soak.count("faults", "coverageLossDuringData");
      acc.port.setCoverage("none");
      c.soak.faultWindow(acc, ms);
      after(c, ms, () => acc.port.setCoverage("full"));
      return true;
    },
  },
  {
    name: "modemReboot",
    kind: "fault",
    weight: 2,
    run(c, acc) {
      if (acc.modem.hung) return false;
      acc.modem.reboot();
      c.soak.faultWindow(acc, 0);
      c.soak.modemBack(acc);
      return true;
    },
  },
  {
    name: "modemHang",
    kind: "fault",
    weight: 2,
    run(c, acc) {
      if (acc.modem.hung) return false;
      const ms = c.rng.int(5000, 120000);
      acc.modem.hang();
      c.soak.faultWindow(acc, ms);
      after(c, ms, () => {
        // A hung module comes back as after a watchdog reset (the firmware may have reset it already).
        if (acc.modem.hung) acc.modem.reboot();
        c.soak.modemBack(acc);
      });
      return true;
    },
  },
  {
    name: "lineGarbage",
    kind: "fault",
    weight: 3,
    run(c, acc) {
      let g = "";
      const n = c.rng.int(1, 24);
      for (let i = 0; i < n; i++) g += String.fromCharCode(c.rng.chance(0.2) ? c.rng.pick([13, 10, 0, 255]) : c.rng.int(0, 255));
      acc.modem.injectGarbage(g);
      c.soak.faultWindow(acc, 0);
      return true;
    },
  },
  {
    name: "lostBytes",
    kind: "fault",
    weight: 2,
    run(c, acc) {
      acc.modem.loseInput(0, c.rng.int(1, 3));
      // The loss strikes the next command line, whenever the firmware writes one.
      c.soak.lossArmed.add(acc);
      return true;
    },
  },
  {
    name: "powerCut",
    kind: "fault",
    weight: 1,
    run(c, acc) {
      if (c.soak.powerCutArmed.has(acc)) return false;
      acc.storage.inner.cutPowerAfter(c.rng.int(0, 400));
      c.soak.powerCutArmed.add(acc);
      return true;
    },
  },
  {
    name: "processKill",
    kind: "fault",
    weight: 1,
    run(c, acc) {
      c.soak.forgetAccessoryState(acc);
      c.fleet.restart(acc, false);
      c.soak.faultWindow(acc, 0);
      return true;
    },
  },
];

/** What the soak tracks between checkpoints (exported for its unit tests). */
export class SoakState {
  readonly counts: { events: { [k: string]: number }; faults: { [k: string]: number }; skipped: { [k: string]: number } } = { events: {}, faults: {}, skipped: {} };
  readonly powerCutArmed = new Set<Accessory>();
  /** Bytes will be lost from the next command: its window starts when it is written. */
  readonly lossArmed = new Set<Accessory>();
  /** A command lost bytes and the modem has not answered since. */
  readonly deaf = new Set<Accessory>();
  /** When the firmware's line view last changed, per accessory. */
  readonly fwLineChanged = new Map<Accessory, number>();
  private tagSeq = 0;
  /** Incoming SMS (a party to a number), followed until SMS_HORIZON_MS after sending. */
  readonly inbound = new SmsLedger(SMS_HORIZON_MS);
  /** Outgoing SMS (an accessory to a party), likewise. */
  readonly outbound = new SmsLedger(SMS_HORIZON_MS);
  sms = { inSent: 0, outAccepted: 0, outRefused: 0, outFailed: 0 };
  /** Emergency requests not yet seen on the line: deadline undefined while the modem cannot answer. */
  readonly emergencyPending = new Map<Accessory, { at: number; deadline: number | undefined; from: number }>();
  emergency = { requested: 0, placed: 0, worstMs: 0 };
  /** Until when an accessory is in (or settling after) a fault: line checks wait. */
  readonly settledAt = new Map<Accessory, number>();
  /** Calls seen per accessory: "gen/id" -> first seen. */
  readonly callSeen = new Map<Accessory, Map<string, number>>();
  /** Last command the firmware wrote (time). */
  readonly lastCommand = new Map<Accessory, number>();
  readonly memoryMax = new Map<Accessory, number>();
  /** The latest API-visible state size per device. */
  readonly memoryLast = new Map<Accessory, number>();

  constructor(
    readonly clock: VirtualClock,
    readonly book: InvariantBook,
    readonly opts: Required<Omit<SoakOptions, "onCheckpoint" | "parties" | "trace" | "onHour" | "measureHeap">>,
  ) {}

  count(kind: "events" | "faults" | "skipped", name: string): void {
    this.counts[kind][name] = (this.counts[kind][name] || 0) + 1;
  }

  newTag(): string {
    return "[s" + ++this.tagSeq + "]";
  }

  smsIn(tag: string, acc: Accessory): void {
    this.sms.inSent++;
    this.inbound.follow(tag, acc.num.msisdn, this.clock.now()).accepted = true;
  }

  smsOutAnswered(tag: string, party: OutsideParty, ok: boolean, _gen: number, acc: Accessory): void {
    if (!ok) {
      this.sms.outRefused++;
      return;
    }
    this.sms.outAccepted++;
    const f = this.outbound.follow(tag, acc.name, this.clock.now());
    f.accepted = true;
    f.to = party.number;
  }

  /** A message (put together) reached `where`: each receiver gets each message once. */
  arrived(ledger: SmsLedger, text: string, where: string, subject: string): void {
    const tag = tagOf(text);
    if (!tag) return;
    const n = ledger.arrive(tag, where, this.clock.now(), subject);
    if (n === undefined) this.book.fail("smsOnce", where, "SMS " + tag + " arrived more than " + ledger.horizonMs / 3600000 + " h after it was sent (its record was retired: a late repeat)");
    else this.book.check("smsOnce", n === 1, where, () => "SMS " + tag + " delivered to " + where + " " + n + " times");
  }

  /** Checks and forgets the messages sent before `before` (all of them with Infinity). */
  retireSms(before: number): void {
    const t0 = this.book.t0;
    this.inbound.retire(before, (f: Followed) => {
      let n = 0;
      for (const c of f.got.values()) n += c;
      this.book.check("smsNotLost", n >= 1, f.subject, () => "SMS " + f.tag + " sent at +" + Math.round((f.sentAt - t0) / 1000) + " s reached no device of " + f.subject);
    });
    this.outbound.retire(before, (f: Followed) => {
      if (!f.accepted || f.failed) return;
      const n = f.got.get(f.to) || 0;
      this.book.check("smsNotLost", n === 1, f.subject, () => "SMS " + f.tag + " accepted by the API, never reported failed, received " + n + " times by " + f.to);
    });
  }

  faultWindow(acc: Accessory, ms: number): void {
    const until = this.clock.now() + ms + 60000;
    this.settledAt.set(acc, Math.max(this.settledAt.get(acc) || 0, until));
  }

  emergencyRequested(acc: Accessory): void {
    this.emergency.requested++;
    const now = this.clock.now();
    const live = !acc.modem.hung && !this.deaf.has(acc);
    this.emergencyPending.set(acc, { at: now, from: now, deadline: live ? now + this.opts.emergencyBoundMs : undefined });
  }

  /** The modem answers again (reboot done, hang over): a pending emergency's bound starts now. */
  modemBack(acc: Accessory): void {
    const p = this.emergencyPending.get(acc);
    if (p && p.deadline === undefined) {
      p.from = this.clock.now();
      p.deadline = p.from + this.opts.emergencyBoundMs;
    }
  }

  /**
   * The user hangs up an emergency call before its ATD went out (the modem was hung or
   * rebooting all along, so no bound ran): the request is withdrawn, and no ATD is owed
   * when the modem answers again. Found by seed 15: a request during a modemHang, hung
   * up 17 s later, was then failed 3.7 s after the modem came back for an ATD the
   * firmware rightly never wrote. A request whose bound has already run out stays for
   * the check to fail.
   */
  emergencyCancelled(acc: Accessory): void {
    const p = this.emergencyPending.get(acc);
    if (!p || (p.deadline !== undefined && this.clock.now() > p.deadline)) return;
    this.emergencyPending.delete(acc);
    this.count("skipped", "emergencyHungUpBeforeDial");
  }

  /** A killed process forgets what it was asked: its pending emergency request dies with it. */
  forgetAccessoryState(acc: Accessory): void {
    if (this.emergencyPending.delete(acc)) this.count("skipped", "emergencyLostToKill");
  }

  command(acc: Accessory, line: string, t: number): void {
    this.lastCommand.set(acc, t);
    // A command that lost bytes gets no answer: the firmware learns it at that command's
    // timeout (ATD 30 s, +CMGS 120 s, +COPS= 180 s), and what queued behind it waits as long.
    if (this.lossArmed.delete(acc)) {
      this.faultWindow(acc, 180000);
      // Until the modem says something again, it is not answering (the emergency bound waits for it).
      this.deaf.add(acc);
    }
    const p = this.emergencyPending.get(acc);
    if (p && /^ATD(110|118|119)\b/i.test(line)) {
      this.emergencyPending.delete(acc);
      const late = p.deadline === undefined ? 0 : t - p.from;
      this.emergency.placed++;
      this.emergency.worstMs = Math.max(this.emergency.worstMs, late);
      this.book.check("emergencyInTime", p.deadline === undefined || t <= p.deadline, acc.name, () => "ATD written " + (t - p.from) + " ms after the request/modem back (bound " + this.opts.emergencyBoundMs + " ms)");
    }
  }

  /** A line from the modem: it answers again. */
  modemLine(acc: Accessory): void {
    if (this.deaf.delete(acc)) this.modemBack(acc);
  }

  apiEvent(acc: Accessory, name: string, data: unknown): void {
    if (name === "lineState") this.fwLineChanged.set(acc, this.clock.now());
    if (name === "smsReceived") {
      const text = (data as { text?: unknown }).text;
      if (typeof text === "string") this.arrived(this.inbound, text, acc.name, acc.num.msisdn);
    } else if (name === "smsFailed") {
      const tag = tagOf((data as { text?: unknown }).text);
      const o = tag ? this.outbound.get(tag) : undefined;
      if (o && !o.failed) {
        o.failed = true;
        this.sms.outFailed++;
      }
    }
  }
}

function lineExpectation(acc: Accessory): string[] {
  const s = acc.num.line.state;
  const id = acc.port.id;
  if (s.emergency.indexOf(id) >= 0) return ["emergency"];
  const m = s.mode;
  if (m.kind === "busy" && m.owner === id) return ["inCallHere"];
  if (m.kind === "alerting" && m.devices.indexOf(id) >= 0) return ["ringingHere"];
  return ["idle", "inUseElsewhere"];
}

function describe(acc: Accessory): string {
  const s = acc.num.line.state;
  const m = s.mode;
  return (m.kind === "idle" ? "idle" : m.kind === "alerting" ? "alerting(" + m.devices.join(",") + ")" : "busy(" + m.owner + ")") + (s.emergency.length ? " +emergency(" + s.emergency.join(",") + ")" : "");
}

const CHECK_MS = 5000;
/**
 * After every fault has cleared (coverage, modem, process, broker, no emergency call), the
 * data session is up and the link online again within this: the session's longest
 * reactivation pause plus the link's longest reconnect pause plus a minute to connect.
 */
const DATA_BOUND_MS = defaultDataPolicy.reactivate.capMs + defaultReconnect.capMs + 60000;
/** A command is "reachable" once its device's link was online this long before its expiry (the backend resends every 30 s). */
const REACHABLE_MS = 90000;
const BACKEND = "soak-backend";
/** A message is followed this long after it was sent, then checked and forgotten (ledger.ts); the report gives the worst latency seen. */
const SMS_HORIZON_MS = 12 * 3600000;
const STUCK_CALL_MS = 20 * 60000;
/**
 * The heap per device may grow at most this many bytes per virtual hour over the last half
 * of a run (heap.ts says why a slope, and why this way). A 72-hour run of 100 accessories
 * measured ~27 KiB per device per hour before the transcripts and the decoded texts were
 * bounded and flattened; after, see the README's soak figures. 2 KiB per hour is 144 KiB
 * per device over 72 hours: far below any leak per event (hundreds of events per device
 * per day), above what the bounded stores still move once full.
 */
const HEAP_SLOPE_BOUND = 2048;
const WEDGE_MS = 120000;
/**
 * Entries each of the simulator's histories keeps (the network's `historyKept`): the soak
 * follows every message and call by the events (ledger.ts, the invariants), never by these
 * lists, so they only need to hold what a reader of a trace looks at. At the default (1000,
 * up to 2000 before a trim) the smartphones' and parties' histories of a 100-accessory run
 * are still filling after 72 hours, which a heap slope cannot tell from a leak.
 */
const SOAK_HISTORY_KEPT = 50;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const o = {
    seed: options.seed,
    hours: options.hours,
    numbers: options.numbers,
    accessories: options.accessories,
    meanGapMs: options.meanGapMs || 4 * 60000,
    faultShare: options.faultShare === undefined ? 0.15 : options.faultShare,
    boards: options.boards || ["sim-generic"],
    lineBoundMs: options.lineBoundMs || 10000,
    emergencyBoundMs: options.emergencyBoundMs || 1000,
    memoryBoundBytes: options.memoryBoundBytes || 256 * 1024,
    heapSlopeBoundBytes: options.heapSlopeBoundBytes === undefined ? HEAP_SLOPE_BOUND : options.heapSlopeBoundBytes,
    heapMinSamples: options.heapMinSamples || 24,
    companions: options.companions === undefined ? 1 : options.companions,
  };
  const cpu0 = process.cpuUsage();
  const wall0 = Date.now();
  const clock = new VirtualClock(Date.UTC(2026, 11, 1, 0, 0, 0));
  const t0 = clock.now();
  const rng = new Rng(o.seed);
  const authority = new SoakAuthority();
  authority.add(BACKEND, "backend-pw", { role: "backend", name: BACKEND });
  const broker = new SoakBroker(authority);
  await broker.start();
  const linkRng = new Rng((o.seed ^ 0x2545f491) >>> 0);
  const links = new Map<Accessory, LinkRig>();
  const wantsLink = new Map<string, boolean>();
  /** Each boot's link to the soak broker, by accessory (the pubsub the firmware was handed). */
  const pubsubs = new Map<Accessory, PubSub>();
  const firmwareOptions = (acc: Accessory): FirmwareOptions | undefined => {
    let wants = wantsLink.get(acc.name);
    if (wants === undefined) wantsLink.set(acc.name, (wants = acc.board.capabilities.data === true && !!acc.board.data.apn && linkRng.next() < o.companions));
    const dataPolicy = { policy: { random: () => linkRng.next() } };
    if (!wants) return { data: dataPolicy };
    authority.add(acc.name, "pw-" + acc.name, { role: "device", device: acc.name, msisdn: acc.num.msisdn });
    const pubsub = new MqttJsPubSub((options) => broker.client(clock, options));
    pubsubs.set(acc, pubsub);
    // The soak's in-process broker stands in for whatever adapter the board names.
    const same = () => pubsub;
    return {
      data: dataPolicy,
      companion: {
        url: "mqtt://soak-broker",
        msisdn: acc.num.msisdn,
        deviceId: acc.name,
        password: "pw-" + acc.name,
        keepaliveS: acc.board.data.keepaliveS,
        fw: "soak",
        adapters: { url: same, socket: same, module: same },
        link: { policy: { reconnect: defaultReconnect, escalateAfter: 3, refusedWaitMs: 3600000, random: () => linkRng.next() } },
      },
    };
  };
  const attach = (acc: Accessory): Attached | undefined => {
    const pubsub = pubsubs.get(acc);
    if (!acc.fw.companion || !acc.fw.data || !pubsub) return undefined;
    const companion = { data: acc.fw.data, link: acc.fw.companion };
    const rig: LinkRig = { companion, onlineSince: undefined };
    companion.link.events.on("online", (up) => {
      rig.onlineSince = up ? clock.now() : undefined;
    });
    companion.link.events.on("command", (e) => {
      const cmd = backend.open.get(e.id);
      if (cmd && e.outcome !== "duplicate" && e.outcome !== "accepted") cmd.handled++;
    });
    links.set(acc, rig);
    return {
      companion,
      kill() {
        // No goodbye from a killed process: the broker publishes its will.
        pubsub.destroy("process killed");
        companion.link.post({ type: "stop" });
        companion.data.stop();
        rig.onlineSince = undefined;
        if (links.get(acc) === rig) links.delete(acc);
      },
    };
  };
  // eslint-disable-next-line prefer-const
  let backend: Backend;
  const fleet = new Fleet({ clock, numbers: o.numbers, accessories: o.accessories, parties: options.parties || Math.max(4, o.numbers), boards: o.boards, attach, firmwareOptions, network: { historyKept: SOAK_HISTORY_KEPT } });
  const book = new InvariantBook(o.seed, t0, () => clock.now());
  const soak = new SoakState(clock, book, o);
  const mqtt: MqttWorld = {
    broker,
    backend: undefined as unknown as Backend,
    links,
    byName: new Map(fleet.accessories.map((a) => [a.name, a])),
    brokerUpSince: clock.now(),
    commands: { sent: 0, publishes: 0, acked: 0, duplicates: 0, expiredSent: 0, unreachable: 0 },
  };
  backend = new Backend(broker, clock, BACKEND, "backend-pw", (cmd: SentCommand) => {
    book.check("mqttCommandOnce", cmd.firstAcks <= 1 && cmd.handled <= 1, cmd.device, () => "command " + cmd.id + " handled " + cmd.handled + " times, first-handling acks " + cmd.firstAcks, cmd.id);
  });
  mqtt.backend = backend;
  backend.start();
  const ctx: Ctx = { rng, fleet, clock, soak, mqtt };
  /** Per accessory: since when everything the data session needs has held (coverage, modem, process, broker). */
  const dataQuietSince = new Map<Accessory, number>();
  const traced = fleet.accessories.find((a) => a.name === options.trace);
  const say = (what: string) => process.stderr.write("+" + ((clock.now() - t0) / 1000).toFixed(3) + " s " + what + "\n");
  for (const a of fleet.accessories) {
    const tr = a === traced;
    a.onCommand = (line, t) => {
      if (tr) say("fw> " + line);
      soak.command(a, line, t);
    };
    a.onApi = (name, data) => {
      if (tr && name !== "signal") say("api " + name + " " + JSON.stringify(data));
      soak.apiEvent(a, name, data);
    };
    a.onModemLine = (line) => {
      if (tr) say("<modem " + JSON.stringify(line));
      soak.modemLine(a);
    };
  }
  // Every message part the smartphones and the parties receive, as it arrives (their own histories are bounded).
  const assemblers: MessageAssembler[] = [];
  for (const num of fleet.numbers) {
    const a = new MessageAssembler((text) => soak.arrived(soak.inbound, text, "phone of " + num.msisdn, num.msisdn));
    assemblers.push(a);
    num.phone.events.on("sms", (m) => a.part({ peer: m.from, text: m.text, concat: m.concat ? { ref: m.concat.ref, total: m.concat.total, seq: m.concat.seq, bits: 8 } : undefined }, clock.now()));
  }
  for (const p of fleet.parties) {
    const a = new MessageAssembler((text) => soak.arrived(soak.outbound, text, p.number, p.number));
    assemblers.push(a);
    p.events.on("sms", (part) => a.part(part, clock.now()));
  }
  // Bring-up: every accessory ready and registered before the workload starts.
  for (let i = 0; i < 120 && fleet.accessories.some((a) => !a.fw.api.snapshot().ready || a.fw.api.snapshot().registration !== "home"); i++) await clock.advance(500);
  const down = fleet.accessories.filter((a) => !a.fw.api.snapshot().ready);
  if (down.length > 0) throw new Error("bring-up failed on " + down.map((a) => a.name).join(", "));

  const events = ACTIONS.filter((a) => a.kind === "event");
  const faults = ACTIONS.filter((a) => a.kind === "fault");
  const pickWeighted = (list: Action[]) => {
    let total = 0;
    for (const a of list) total += a.weight;
    let r = rng.next() * total;
    for (const a of list) {
      r -= a.weight;
      if (r < 0) return a;
    }
    return list[list.length - 1];
  };
  const end = t0 + o.hours * 3600000;
  let running = true;
  const gap = o.meanGapMs / fleet.accessories.length;
  const next = () => {
    if (!running) return;
    clock.setTimeout(() => {
      if (!running || clock.now() >= end) return;
      const acc = rng.pick(fleet.accessories);
      const action = pickWeighted(rng.chance(o.faultShare) ? faults : events);
      let done = false;
      try {
        done = action.run(ctx, acc);
      } catch (e) {
        soak.count("skipped", action.name + ":" + ((e as Error).name || "Error"));
      }
      if (acc === traced) say("soak " + action.kind + " " + action.name + (done ? "" : " (not applicable)"));
      if (done) soak.count(action.kind === "event" ? "events" : "faults", action.name);
      else soak.count("skipped", action.name);
      next();
    }, rng.exp(gap));
  };
  next();

  /** When each number's line last changed (for the line-agreement bound). */
  const lineChanged = new Map<string, { text: string; at: number }>();
  const checkpoint = (final: boolean) => {
    const now = clock.now();
    if (options.onCheckpoint) options.onCheckpoint({ fleet, now });
    for (const num of fleet.numbers) {
      const text = JSON.stringify(num.line.state);
      const prev = lineChanged.get(num.msisdn);
      if (!prev || prev.text !== text) lineChanged.set(num.msisdn, { text, at: now });
    }
    for (const acc of fleet.accessories) {
      // A power cut armed earlier has struck: the device restarts on what the flash kept.
      if (acc.storage.inner.flash.isDead) {
        soak.powerCutArmed.delete(acc);
        soak.count("faults", "powerCutStruck");
        soak.forgetAccessoryState(acc);
        fleet.restart(acc, true);
        soak.faultWindow(acc, 0);
        continue;
      }
      const snap = acc.fw.api.snapshot();
      const settled = now >= (soak.settledAt.get(acc) || 0) && !acc.modem.hung && acc.port.coverage === "full" && snap.ready;
      // The line view agrees with the network once both have been still for the bound.
      const lc = lineChanged.get(acc.num.msisdn);
      // The bound runs from the last event on either side (the network's line, the firmware's view).
      const quietSince = Math.max(lc ? lc.at : now, soak.fwLineChanged.get(acc) || 0);
      if (settled && lc && now - quietSince >= o.lineBoundMs) {
        const want = lineExpectation(acc);
        book.check("lineAgrees", want.indexOf(snap.line) >= 0, acc.name, () => "firmware says " + snap.line + ", network line " + describe(acc) + " (device " + acc.port.id + "), both still for " + (now - quietSince) + " ms", "line@" + quietSince);
      }
      // No call outlives every plan for it.
      let seen = soak.callSeen.get(acc);
      if (!seen) soak.callSeen.set(acc, (seen = new Map()));
      const live = new Set<string>();
      for (const call of snap.calls) {
        const key = acc.generation + "/" + call.id;
        live.add(key);
        if (!seen.has(key)) seen.set(key, now);
        const age = now - (seen.get(key) || now);
        book.check("callNotStuck", age <= STUCK_CALL_MS, acc.name, () => "call " + JSON.stringify(call) + " on the firmware for " + Math.round(age / 1000) + " s; network line " + describe(acc), key);
      }
      for (const k of Array.from(seen.keys())) if (!live.has(k)) seen.delete(k);
      // No AT channel wedged: a command in flight gets an answer or a timeout.
      if (!acc.modem.hung && acc.fw.channel.busy()) {
        const last = soak.lastCommand.get(acc) || now;
        book.check("channelNotWedged", now - last <= WEDGE_MS, acc.name, () => "a command in flight and nothing written for " + (now - last) + " ms (queued " + acc.fw.channel.queued() + ")");
      } else book.check("channelNotWedged", acc.fw.channel.queued() <= 64, acc.name, () => acc.fw.channel.queued() + " commands queued", "queue");
      // The data session and the link come back within their bound once every fault has cleared.
      const rig = links.get(acc);
      if (rig) {
        const fine = settled && snap.registration === "home" && snap.line !== "emergency" && mqtt.brokerUpSince !== undefined;
        if (!fine || !dataQuietSince.has(acc)) dataQuietSince.set(acc, now);
        const since = dataQuietSince.get(acc)!;
        if (fine && now - since >= DATA_BOUND_MS) {
          const d = rig.companion.data.status().name;
          const l = rig.companion.link.status().name;
          book.check("dataRecovers", d === "up" && l === "online", acc.name, () => "every fault cleared " + Math.round((now - since) / 1000) + " s ago, data session " + d + ", link " + l, "data@" + since);
        }
      } else dataQuietSince.delete(acc);
      // An emergency whose deadline passed without ATD is a failure now.
      const p = soak.emergencyPending.get(acc);
      if (p && p.deadline !== undefined && now > p.deadline) {
        soak.emergencyPending.delete(acc);
        book.check("emergencyInTime", false, acc.name, () => "no ATD for the emergency request " + (now - p.from) + " ms after the request/modem back");
      }
    }
    // Commands: reachable once their device's link has been online long enough before the expiry.
    for (const cmd of backend.open.values()) {
      if (cmd.reachable || cmd.acks > 0 || now >= cmd.expMs) continue;
      const acc = mqtt.byName.get(cmd.device);
      const rig = acc ? links.get(acc) : undefined;
      if (rig && rig.onlineSince !== undefined && now - rig.onlineSince >= REACHABLE_MS) cmd.reachable = true;
    }
    if (final || (now - t0) % 600000 < CHECK_MS) {
      backend.retire(final ? Infinity : now - 10 * 60000, (cmd) => {
        mqtt.commands.publishes += cmd.publishes;
        mqtt.commands.duplicates += cmd.duplicates;
        if (cmd.acks > 0) mqtt.commands.acked++;
        else if (!cmd.reachable) mqtt.commands.unreachable++;
        book.check("mqttCommandAcked", !cmd.reachable || cmd.acks > 0, cmd.device, () => "command " + cmd.id + " (" + cmd.body + ") sent " + cmd.publishes + " times while its device was online, never acknowledged");
      });
      soak.retireSms(now - SMS_HORIZON_MS);
      for (const a of assemblers) a.prune(now - SMS_HORIZON_MS);
      for (const acc of fleet.accessories) {
        const api = acc.fw.api;
        void Promise.all([api.inbox(), api.outbox(), api.log()]).then(([i, ob, l]) => {
          const bytes = JSON.stringify(i).length + JSON.stringify(ob).length + JSON.stringify(l).length;
          soak.memoryMax.set(acc, Math.max(soak.memoryMax.get(acc) || 0, bytes));
          soak.memoryLast.set(acc, bytes);
          book.check("memoryBounded", bytes <= o.memoryBoundBytes, acc.name, () => "API-visible state " + bytes + " bytes (bound " + o.memoryBoundBytes + ")");
        });
      }
    }
  };

  // Memory over time: the heap after a full GC every virtual hour of the workload (the
  // slope check, heap.ts), and for the report a sample after bring-up, every
  // `sampleEveryMs` (a whole number of hours) and after the drain.
  const timeline: MemorySample[] = [];
  const hourly: HeapSample[] = [];
  let heapAfterGc = true;
  const sampleEveryMs = Math.max(1, Math.ceil(o.hours / 12)) * 3600000;
  const measureHeap =
    options.measureHeap ||
    (() => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) gc();
      return { bytes: process.memoryUsage().heapUsed, afterGc: gc !== undefined };
    });
  const sampleMemory = (toTimeline: boolean, toHourly: boolean) => {
    const heap = measureHeap();
    const hours = (clock.now() - t0) / 3600000;
    heapAfterGc = heapAfterGc && heap.afterGc;
    if (toHourly) hourly.push({ hours: Math.round(hours * 1000) / 1000, bytesPerDevice: Math.round(heap.bytes / fleet.accessories.length) });
    if (!toTimeline) return;
    const last = Array.from(soak.memoryLast.values());
    timeline.push({
      virtualHours: Math.round(hours * 100) / 100,
      heapUsedBytes: heap.bytes,
      heapPerDeviceBytes: Math.round(heap.bytes / fleet.accessories.length),
      afterGc: heap.afterGc,
      apiStateAvgBytes: last.length ? Math.round(last.reduce((a, b) => a + b, 0) / last.length) : 0,
      apiStateMaxBytes: last.length ? Math.max(...last) : 0,
    });
  };
  checkpoint(true);
  await clock.advance(CHECK_MS);
  sampleMemory(true, true);
  while (clock.now() < end) {
    await clock.advance(CHECK_MS);
    checkpoint(false);
    const sinceStart = clock.now() - t0;
    const onTheHour = sinceStart % 3600000 < CHECK_MS;
    if (options.onHour && onTheHour) options.onHour(Math.round(sinceStart / 3600000), book.totalChecks(), book.totalFailures());
    if (onTheHour) sampleMemory(sinceStart % sampleEveryMs < CHECK_MS, true);
  }
  running = false;
  // The heap per device over the last half of the workload (before the drain changes it).
  const slope = heapSlope(hourly, o.hours, heapAfterGc, o.heapSlopeBoundBytes, o.heapMinSamples);
  if (slope.checked) {
    book.check("memoryBounded", slope.bytesPerDeviceHour <= slope.boundBytesPerDeviceHour, "heap per device", () =>
      "the heap after a full GC grew " + slope.bytesPerDeviceHour + " B per device per virtual hour from +" + slope.fromHours + " h to +" + slope.toHours + " h (Theil-Sen over " + slope.samples + " hourly samples; bound " + slope.boundBytesPerDeviceHour + ")",
    );
  }

  // Drain: faults healed, calls ended, SMS retries given their time; then the end state.
  if (!broker.up) {
    await broker.start();
    mqtt.brokerUpSince = clock.now();
  }
  for (const acc of fleet.accessories) {
    if (acc.modem.hung) {
      acc.modem.reboot();
      soak.modemBack(acc);
    }
    acc.port.setCoverage("full");
    acc.storage.inner.flash.cutPowerAfter(1e12);
  }
  await clock.advance(60000);
  for (const p of fleet.parties) for (const pc of p.calls) if (pc.state !== "released") p.hangup(pc.id);
  for (const num of fleet.numbers) for (const pc of num.phone.live()) num.phone.hangup(pc.id);
  for (const acc of fleet.accessories) for (const call of acc.fw.api.snapshot().calls) void acc.fw.api.hangup(call.id);
  for (let i = 0; i < 20 * 60000; i += CHECK_MS) {
    await clock.advance(CHECK_MS);
    checkpoint(false);
  }
  checkpoint(true);
  await clock.advance(CHECK_MS);

  for (const acc of fleet.accessories) {
    const snap = acc.fw.api.snapshot();
    book.check("endsIdle", snap.calls.length === 0 && snap.line !== "inCallHere" && snap.line !== "ringingHere" && snap.line !== "emergency", acc.name, () => "after the drain the firmware has " + JSON.stringify(snap.calls) + " and says " + snap.line);
  }
  for (const num of fleet.numbers) {
    const s = num.line.state;
    book.check("endsIdle", s.mode.kind === "idle" && s.emergency.length === 0, num.msisdn, () => "after the drain the network line is " + JSON.stringify(s));
  }
  // SMS: every message still followed is checked now (the rest were as their horizon passed).
  soak.retireSms(Infinity);

  sampleMemory(true, false);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const mem = Array.from(soak.memoryMax.values());
  const heap = timeline[timeline.length - 1].heapUsedBytes;
  fleet.stop();
  backend.stop();
  await broker.stop();
  return {
    seed: o.seed,
    virtualHours: o.hours,
    numbers: o.numbers,
    accessories: o.accessories,
    events: soak.counts.events,
    faults: soak.counts.faults,
    skipped: soak.counts.skipped,
    checks: book.checks,
    totalChecks: book.totalChecks(),
    failureCounts: book.failureCounts,
    failures: book.failures,
    sms: soak.sms,
    emergency: soak.emergency,
    mqtt: { links: Array.from(wantsLink.values()).filter((x) => x).length, commands: mqtt.commands, brokerRestarts: broker.restarts - 1, connections: broker.connections },
    smsLedger: { followed: soak.inbound.retired + soak.outbound.retired, worstLatencyMs: Math.max(soak.inbound.worstLatencyMs, soak.outbound.worstLatencyMs), horizonMs: SMS_HORIZON_MS },
    memory: {
      perDeviceMaxBytes: { min: mem.length ? Math.min(...mem) : 0, avg: mem.length ? Math.round(mem.reduce((a, b) => a + b, 0) / mem.length) : 0, max: mem.length ? Math.max(...mem) : 0 },
      heapUsedBytes: heap,
      heapPerDeviceBytes: Math.round(heap / fleet.accessories.length),
      timeline,
      hourly,
      slope,
    },
    cpu: { totalMs: Math.round(cpuMs), perVirtualHourMs: Math.round(cpuMs / Math.max(o.hours, 1e-9)), wallMs: Date.now() - wall0 },
  };
}

function sum(m: { [k: string]: number }): number {
  let n = 0;
  for (const k of Object.keys(m)) n += m[k];
  return n;
}

export function formatReport(r: SoakReport): string {
  const out: string[] = [];
  const kv = (m: { [k: string]: number }) => Object.keys(m).sort().map((k) => "  " + k.padEnd(22) + String(m[k]).padStart(8)).join("\n");
  out.push("soak: seed " + r.seed + ", " + r.virtualHours + " virtual h, " + r.accessories + " accessories over " + r.numbers + " numbers");
  out.push("events (" + sum(r.events) + "):\n" + kv(r.events));
  out.push("faults (" + sum(r.faults) + "):\n" + kv(r.faults));
  out.push("not applicable when drawn (" + sum(r.skipped) + "):\n" + kv(r.skipped));
  out.push("invariant checks (" + r.totalChecks + "):\n" + INVARIANTS.map((k) => "  " + k.padEnd(22) + String(r.checks[k]).padStart(8) + "  failures " + r.failureCounts[k]).join("\n"));
  out.push("sms: " + r.sms.inSent + " in, " + r.sms.outAccepted + " out accepted (" + r.sms.outRefused + " refused, " + r.sms.outFailed + " reported failed)");
  const mc = r.mqtt.commands;
  out.push("mqtt: " + r.mqtt.links + " accessories with the companion link, " + r.mqtt.connections + " connections, " + r.mqtt.brokerRestarts + " broker restarts; commands " + mc.sent + " sent (" + mc.expiredSent + " already expired), " + mc.publishes + " publishes with resends, " + mc.acked + " acknowledged, " + mc.duplicates + " duplicate acks, " + mc.unreachable + " never reachable before expiry");
  out.push("sms ledger: " + r.smsLedger.followed + " messages followed; worst send-to-arrival " + Math.round(r.smsLedger.worstLatencyMs / 1000) + " s (each followed for " + r.smsLedger.horizonMs / 3600000 + " h)");
  out.push("emergency: " + r.emergency.requested + " requested, " + r.emergency.placed + " placed, worst " + r.emergency.worstMs + " ms");
  out.push("memory: API-visible state per device max " + r.memory.perDeviceMaxBytes.max + " B (avg " + r.memory.perDeviceMaxBytes.avg + ", min " + r.memory.perDeviceMaxBytes.min + "); heap " + Math.round(r.memory.heapUsedBytes / 1024) + " KiB (" + Math.round(r.memory.heapPerDeviceBytes / 1024) + " KiB per device)");
  out.push(
    "memory over time (heap" + (r.memory.timeline.some((m) => m.afterGc) ? " after a full GC" : ", garbage included: run node with --expose-gc") + "; API-visible state per device):\n" +
      "  virtual h   heap KiB  KiB/device  state avg B  state max B\n" +
      r.memory.timeline
        .map((m) => "  " + String(m.virtualHours).padStart(9) + String(Math.round(m.heapUsedBytes / 1024)).padStart(11) + String(Math.round(m.heapPerDeviceBytes / 1024)).padStart(12) + String(m.apiStateAvgBytes).padStart(13) + String(m.apiStateMaxBytes).padStart(13))
        .join("\n"),
  );
  const sl = r.memory.slope;
  out.push(
    "memory growth over the last half (+" + sl.fromHours + " h to +" + sl.toHours + " h): " +
      (sl.checked ? sl.bytesPerDeviceHour + " B per device per virtual hour (Theil-Sen over " + sl.samples + " hourly samples after a full GC; bound " + sl.boundBytesPerDeviceHour + ")" : "not judged: " + sl.why),
  );
  out.push("cpu: " + r.cpu.totalMs + " ms (" + r.cpu.perVirtualHourMs + " ms per virtual hour), wall " + r.cpu.wallMs + " ms");
  const total = r.failures.length;
  out.push("failures: " + INVARIANTS.reduce((n, k) => n + r.failureCounts[k], 0) + (total ? "" : " (none)"));
  for (const f of r.failures) out.push("  " + f.invariant + " " + f.subject + " at +" + (f.atMs / 3600000).toFixed(3) + " h (" + f.at + ", --seed " + f.seed + "): " + f.detail);
  return out.join("\n");
}
