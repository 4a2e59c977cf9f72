/**
 * What the cold parts of messaging (sender.ts, priority.ts, receive.ts: Storage modules on
 * the watch, tools/bundle.ts COLD_MODULES) work on: the hot Messaging object's state, as
 * plain fields. Types only: the cold modules take it as their first argument, read and
 * change it, and keep nothing of their own between calls, so that they can be loaded for
 * a call and dropped after it.
 */
import type { AtChannel } from "../../drivers/at/index.js";
import type { Emitter } from "../../hal/emitter.js";
import type { Clock, TimerHandle } from "../../hal/types.js";
import type { Capabilities } from "../board.js";
import type { MessagingEvents, MessagingModemView, MessagingOptions } from "./index.js";
import type { OutMessage } from "./outbox.js";
import { JobQueue } from "./jobs.js";
import type { HeldPart } from "./parts.js";
import type { PriorityState } from "./priority.js";
import type { Routing } from "./receiver.js";
import type { Store } from "./store.js";
import type { Cusd } from "./ussd.js";

/** A sent or failed message as the outbox remembers it without reading its record. */
export interface HistoryEntry {
  id: number;
  key: string;
  to: string;
  mrs: (number | null)[];
}

/** The outbox in RAM (outbox.ts): pending messages and the counters persisted in `sms.meta`. */
export interface OutboxState {
  /** Pending messages, oldest first. */
  pending: OutMessage[];
  history: HistoryEntry[];
  nextId: number;
  /** The last TP-MR given to a part (23.040 §9.2.3.6). */
  lastMr: number;
  /** Concatenation references given so far; added to the device's base. */
  refCount: number;
  /** A part is being sent (sender.ts). */
  busy: boolean;
  /** The "modem numbers messages itself" warning was logged. */
  told: boolean;
}

/** A `+CUSD` (ussd.ts) or the release of a dialled code, heard while a code waits. */
export type Heard = { type: "cusd"; cusd: Cusd } | { type: "release" };

/** The service-code runner's state (ussd.ts). */
export interface UssdState {
  /** "" idle, or what a `+CUSD` / `NO CARRIER` now answers. */
  phase: "" | "ussd" | "dial";
  heard: Heard | undefined;
  waiter: ((h: Heard | undefined) => void) | undefined;
  timer: TimerHandle | undefined;
  /** One code at a time. */
  chain: Promise<unknown>;
  /** A network-initiated session waits for the user's answer (`<m>` = 1). */
  asks: boolean;
}

/** The receiver's state (receiver.ts). */
export interface RxState {
  /** One receive job at a time (jobs.ts). */
  jobs: JobQueue;
  /** The `<mem1>` (read/delete memory) as last learned or set; "" unknown. */
  mem1: string;
  /** `+CSMS` service: 1 needs `+CNMA`; -1 unknown (treated as 1, what bring-up asks for). */
  service: number;
  recovering: boolean;
  /** Synced and not reset since. */
  active: boolean;
  /** The routing in use: `opts.routing`, or `stored` on a module without +CNMA. */
  routing: Routing;
  /** The "no +CPMS" remark was logged. */
  told: boolean;
}

/** The receiver's state before its first sync; `onJobError` hears a receive job that failed. */
export function newRxState(routing: Routing, onJobError: (e: unknown) => void): RxState {
  return { jobs: new JobQueue(onJobError), mem1: "", service: -1, recovering: false, active: false, routing, told: false };
}

/** One inbox message as the index in RAM knows it (inbox.ts). */
export interface InboxEntry {
  id: number;
  key: string;
  ids: string[];
}

/** The inbox's index in RAM (inbox.ts). */
export interface InboxState {
  index: InboxEntry[];
  /** Identities of messages no longer in the inbox (duplicates, R75). */
  seen: string[];
  nextId: number;
}

/** The quarantine's keys in RAM (quarantine.ts). */
export interface QuarantineState {
  keys: string[];
  nextId: number;
}

/** The hot Messaging object as the cold parts see it. */
export interface SmsHost {
  readonly channel: AtChannel;
  readonly clock: Clock;
  readonly store: Store;
  readonly opts: MessagingOptions;
  readonly caps: Capabilities;
  readonly modem: MessagingModemView;
  readonly events: Emitter<MessagingEvents>;
  /** Settles once the records are read; everything else waits for it. */
  readonly loaded: Promise<void>;
  readonly ob: OutboxState;
  readonly us: UssdState;
  readonly rx: RxState;
  readonly ib: InboxState;
  readonly qs: QuarantineState;
  /** Received parts of messages not yet complete, in arrival order (parts.ts). */
  readonly held: HeldPart[];
  /** The last known SMS priority state (R82). */
  prio: PriorityState;
  log(line: string): void;
  /** Sends what is due (sender.ts) unless sending already runs or must wait. */
  kick(): void;
  /** Arms the timer that delivers incomplete messages whose time is up. */
  armExpiry(): void;
}
