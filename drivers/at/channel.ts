/**
 * The AT channel: one per serial link to a modem.
 *
 * - One command in flight, a FIFO queue behind it; the queue advances only on a final
 *   result, a timeout or an abort (so a late answer never becomes the next command's).
 * - Incoming lines are classified in a fixed order: a pending PDU line, echo, boot
 *   banner, final result, the in-flight command's prefixes, the URC registry, a bare
 *   response line, and otherwise an `unsolicited` event. URCs are dispatched by prefix
 *   whenever they arrive: before, inside or after a response.
 * - The SMS `> ` prompt (27.005 §3.5.1, no line end) is an engine mode: the payload and
 *   Ctrl-Z are written only after it, Esc cancels on timeout, and nothing outlives the
 *   command.
 * - A fixed-length data prompt (`raw` mode: SIMCom `AT+CIPSEND=<link>,<len>`,
 *   `AT+CMQTTPAYLOAD=<client>,<len>`) waits for `>` and writes exactly the announced
 *   bytes, binary-safe, with no Ctrl-Z: the modem counts them, and the command ends on its
 *   final result as any other.
 * - Input may be split at any byte; the line buffer is bounded and an over-long line is
 *   dropped with an `overflow` event, so memory stays bounded under any input.
 * - A counted block after a URC (`bytes` option: SIMCom `+CMQTTRXPAYLOAD: <client>,<len>`
 *   then exactly <len> bytes): those bytes are taken by count, not split into lines, so
 *   a payload holding CR, LF or anything else arrives whole. If they stop coming for
 *   blockIdleMs, the URC is delivered without them and what came is read as lines again
 *   (a final result among it is not lost).
 * - A boot banner (`RDY` and the profile's others) means the modem rebooted: the command
 *   in flight and the queue fail with AtAbortedError and `reboot` is emitted so the owner
 *   runs bring-up again.
 * - After a timeout the channel probes the modem at once with `AT+CMEE?` (short limit) and
 *   drops every final result that comes before the probe's own `+CMEE:` line, so the dead
 *   command's late answer is never taken as the next command's (ModemManager's Librem 5
 *   `+CCLK`/`ATD` mix-up). A probe that gets no final result at all declares `hang` then
 *   and there: a hung modem is known one probe after its first timeout, not minutes later.
 * - The priority lane (an emergency dial, SPEC R45/R46): an `urgent` command goes to the
 *   head of the queue, and a long command in flight (the SMS prompt, a `cuttable` one) is
 *   cut short: Esc for the prompt (27.005 §3.5.1), and the command moves aside, still owed
 *   its final result. A `raw` command is never cut: once `>` came the modem takes the next
 *   <len> bytes as data whatever they are (Esc included), so an urgent command written then
 *   would be sent over the air instead of executed; its bytes go in one write as soon as
 *   the prompt comes and its final follows at once, so the urgent command goes right after
 *   it (the few milliseconds of a 1.5 KB write at 115200 baud), and a modem that stalls
 *   gets no longer than a cut command would. Owed finals are matched first-in first-out
 *   before the urgent command's own (the modem answers in the order it was asked), so a cut
 *   command's late answer is still its own and never the urgent command's. Any other
 *   command in flight (a data-session or MQTT command, a query) gets urgentWaitMs to
 *   answer, then steps aside without Esc, owed its answer until its own limit: its final
 *   may have been lost to line noise, and the dial must not wait 150 s for an `AT+QIACT`.
 *   Stepped aside, its late final and a lost one look alike, so the probe goes before the
 *   urgent command: finals before the probe's `+CMEE:` line are owed commands' (FIFO);
 *   `+CMEE:` with commands still owed means their finals were lost (V.250 §5.7.1: one
 *   command line answered at a time, in order), so they fail then and the final after it
 *   is the probe's. A modem busy with the command holds the probe (Telit LE910Cx §2.2.5):
 *   the probe times out without a hang, stays owed (known by its `+CMEE:` line) and the
 *   urgent command goes after it. Found by the 72 h soak (seed 15): `AT+CHUP`'s `OK`
 *   taken as a normal `ATD`'s lost one put the emergency dial 5.5 s late.
 *
 * Portable (Espruino): byte strings, native indexOf/substring on a short buffer.
 */
import type { Clock, Serial, TimerHandle, Unsubscribe } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { checkCommandLine, checkHexPayload, checkRawPayload, checkTextPayload, PLAIN_LINE } from "./args.js";
import { AtAbortedError, AtTimeoutError } from "./errors.js";
import { callProgressFinal, decodeFinal, isCallCommand, standardFinals } from "./finals.js";
import type { AtCommand, AtResponse, FinalRule, UrcHandler, UrcOptions } from "./types.js";

export interface AtChannelOptions {
  /** Default per-command time limit (ms). */
  timeoutMs?: number;
  /** Extra final result rules from the modem profile, checked before the standard ones. */
  finals?: FinalRule[];
  /** Lines that mean the modem has just booted (default `RDY`). */
  banners?: string[];
  /** Longest line kept (bytes); longer ones are dropped with an `overflow` event. */
  maxLineLength?: number;
  /** Consecutive timeouts after which `hang` is emitted (default 3). */
  hangAfterTimeouts?: number;
  /** Pause after a final result before the next command, for modems that need one (u-blox: 20 ms). */
  interCommandDelayMs?: number;
  /** Time limit of the resynchronising `AT` after a timeout (ms). */
  syncTimeoutMs?: number;
  /**
   * How long a command cut short for an urgent one may still take to answer (ms, default
   * 5000). A modem that says nothing by then is taken as hung, so that an emergency dial
   * never waits out an SMS submission's two-minute limit.
   */
  cutGraceMs?: number;
  /**
   * After Esc is written to abandon a cut command that is not a prompt, how long the
   * urgent command waits for that command's final result before it is written anyway
   * (ms, default 200): a module that aborts (V.250 §5.6.1) answers within it, so the
   * aborting character and the urgent line never run together.
   */
  abortSettleMs?: number;
  /**
   * How long a cut `+CMGS` whose PDU was already written may keep the modem busy (ms,
   * default 45000: the network answers a submission within 24.011 TR1M, 35–45 s; Quectel
   * EC25 gives +CMGS 120 s "determined by network"). Meanwhile the modem holds what we
   * write in its input (Telit LE910Cx §2.2.5: no command before the previous result
   * code), so a command that times out behind it is not a hang: it stays owed its answer
   * and no probe runs. Silence beyond this limit is a hang.
   */
  busyGraceMs?: number;
  /**
   * How long an urgent command waits for the final result of a plain command in flight
   * (one neither `cuttable`, a prompt nor `raw`) before it is written anyway (ms, default
   * 500). That command is not aborted: it moves aside still owed its answer, and the modem
   * is taken as busy with it until its own time limit; the probe `AT+CMEE?` (limit at most
   * this long) then runs before the urgent command (see stepAsideLater()).
   */
  urgentWaitMs?: number;
  /**
   * How long a counted block after a URC (UrcOptions.bytes) may pause before it is given
   * up (ms, default 1000): the module sends it in one burst, so a pause means bytes were lost.
   */
  blockIdleMs?: number;
}

/** What the channel reports to its owner and to loggers. */
export type AtChannelEvents = {
  /** Bytes written (for logs and byte counts). */
  tx: string;
  /** A complete non-empty line received. */
  rx: string;
  /** A line nobody claimed (no command prefix, no URC handler). */
  unsolicited: string;
  /** A final result that arrived with no command in flight (dropped). */
  stray: string;
  /** A line longer than maxLineLength was dropped; the payload is how many bytes. */
  overflow: number;
  /** A boot banner was seen: the modem restarted and needs bring-up. */
  reboot: string;
  /** A command timed out and the probe after it got no answer: the modem is hung. */
  hang: number;
  /** The modem said something final (a result code or a boot banner): it is alive. */
  answered: string;
  /** A long command was cut short for an urgent one; its final result is still owed. */
  cut: string;
  /** A URC handler threw; the channel carried on. */
  handlerError: unknown;
};

interface Pending {
  command: AtCommand;
  resolve: (r: AtResponse) => void;
  reject: (e: Error) => void;
  lines: string[];
  pdus: { header: string; pdu: string }[];
  // The fields below are absent until set (false, 0 or none): on Espruino each member of
  // an object literal costs about as much as a statement, and one is built per command.
  timer?: TimerHandle;
  /** When its time limit runs out (clock ms; set when it is written). */
  deadline?: number;
  /** That limit's length, for the time-out's message (the command's own, or hurry()'s grace). */
  limitMs?: number;
  prompted?: boolean;
  internal?: boolean;
  /** Cut short for an urgent command: a read's answer may be incomplete (see final()). */
  cut?: boolean;
  /** Cut after its payload went: the modem is busy with it until it answers (busyGraceMs). */
  busy?: boolean;
  /**
   * The probe only: a command written before it died unanswered, so a final before its
   * `+CMEE:` line may be that command's late one and is dropped (a probe in flight always is).
   */
  strict?: boolean;
}

/** `opts` only where the URC takes what follows it: each member is heap on Espruino, and most URCs take nothing. */
interface UrcEntry {
  prefix: string;
  handler: UrcHandler;
  opts?: UrcOptions;
}

/** A counted block being read after its URC line (UrcOptions.bytes). */
interface Block {
  header: string;
  entries: UrcEntry[];
  need: number;
  got: string;
  /** More than RAW_MAX: counted and dropped, not kept. */
  keep: boolean;
  /** Where, in what loose() was cutting, the line that opened the block ended (unset when receive() cut it). */
  at?: number;
  /** The block's URC line ended in a CR that closed the chunk: its LF may open the next. */
  skipLf?: boolean;
  /** blockIdleMs after its last bytes: the block stalled (blockStalled()). */
  timer?: TimerHandle;
}

/**
 * What a line whose first few characters (the channel's gate key) are these may be, in
 * the order they are tried: boot banners (strings), final result rules (table order),
 * then the URC handlers (registration order). An array, not an object with a member per
 * kind: it costs a block per item on Espruino, and most keys hold one item.
 */
type Bucket = (string | FinalRule | UrcEntry)[];

/** The longest gate key: enough to tell `+CME ERROR:` from `+CMTI:` and `+CSQ:`. */
const GATE_MAX = 4;

/**
 * The executor of every command's promise, defined once: Espruino copies a function's
 * source each time a closure is created, so the channel creates none per command.
 */
let capturedResolve: ((r: AtResponse) => void) | undefined = undefined;
let capturedReject: ((e: Error) => void) | undefined = undefined;
function capture(resolve: (r: AtResponse) => void, reject: (e: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

function ignore(): void {}

/** The start of the reason commands are aborted with when a boot banner comes (callers tell a reboot from other aborts by it). */
export const REBOOTED = "modem rebooted";

const CTRL_Z = "\x1a";
const ESC = "\x1b";
/** Longest `raw` payload: SIMCom's largest counted input (`AT+CMQTTPAYLOAD`, 10240 bytes). */
const RAW_MAX = 10240;

/**
 * Whether the line starts with one of the prefixes. Loops to the first missing item, not to
 * `length`: on Espruino an array's length is looked up like a method, at the cost of a call.
 */
function hasPrefix(prefixes: string[] | undefined, line: string): boolean {
  if (prefixes === undefined) return false;
  for (let i = 0; prefixes[i] !== undefined; i++) if (line.startsWith(prefixes[i])) return true;
  return false;
}

/** A character that is no hex digit. */
const NOT_HEX = /[^0-9A-Fa-f]/;

/** The first characters of extended-syntax names (`+CREG`, `^SYSSTART`, ...). */
const EXTENDED = "+^*$%#";

export class AtChannel {
  // The members, most used first (Espruino finds a member by walking the object's list;
  // the order measured under 1% of bench/espruino.ts). Each is a block or two of heap per
  // channel, more for a name over 8 characters, so the settings stay in the options object (`o`).
  private buf = "";
  /** The first character of `buf` ("" when empty). */
  private lead = "";
  private current: Pending | undefined = undefined;
  /** Commands cut short for an urgent one, oldest first: their final results come first. */
  private owed: Pending[] = [];
  /** Lines by their first `gateLen` characters: what each may be (see Bucket). */
  private gate: { [key: string]: Bucket } = {};
  private gateLen = GATE_MAX;
  private pduFor: { kind: "urc"; header: string; entries: UrcEntry[]; text: boolean } | { kind: "listing"; header: string; p: Pending } | undefined =
    undefined;
  readonly events = new Emitter<AtChannelEvents>();
  /** The `rx` listeners (live): no emit per line while nobody listens. */
  private readonly rxOn = this.events.listeners("rx");
  private block: Block | undefined = undefined;
  private skipping = false;
  private queue: Pending[] = [];
  /** The in-flight command whose time limit is running (one timer callback for all of them). */
  private armed: Pending | undefined = undefined;
  private closed = false;
  private gapTimer: TimerHandle | undefined = undefined;
  private needSync = false;
  private readonly ansOn = this.events.listeners("answered");
  private readonly txOn = this.events.listeners("tx");
  private timeouts = 0;
  private hangSaid = false;
  /** A final result arrived while the resync probe was out (the modem talks; not hung). */
  private heard = false;
  private readonly o: AtChannelOptions;
  private readonly expire: () => void;
  private urcs: UrcEntry[] = [];
  private finals: FinalRule[];
  private banners: string[];
  /** The next probe's time limit: syncTimeoutMs, or shorter when an urgent command waits behind it. */
  private syncMs: number;
  /** The queue waits for a cut command's final result (or abortSettleMs) before the urgent one. */
  private settling = false;
  private unsubs: Unsubscribe[];
  /** The link's synchronous write (Serial.writeNow), bound; else writes go through the promise. */
  private readonly writeNow: ((bytes: string) => Error | undefined) | undefined;

  constructor(
    private readonly serial: Serial,
    private readonly clock: Clock,
    options?: AtChannelOptions,
  ) {
    const o = options || {};
    this.o = o;
    // The standard table itself when the profile adds none (addFinals() makes a new array).
    this.finals = o.finals ? o.finals.concat(standardFinals) : standardFinals;
    this.banners = o.banners || ["RDY"];
    this.syncMs = o.syncTimeoutMs || 1000;
    this.indexGate();
    this.writeNow = serial.writeNow !== undefined ? serial.writeNow.bind(serial) : undefined;
    const self = this;
    this.expire = function () {
      const p = self.armed;
      self.armed = undefined;
      if (p) self.onTimeout(p, p.limitMs!);
    };
    this.unsubs = [
      // bind, not a closure: native on Espruino, one call less per chunk.
      serial.onData(this.receive.bind(this)),
      serial.onClose((reason) => this.shutdown("serial link closed: " + reason)),
    ];
  }

  /**
   * Queues a command and resolves with its response, or rejects with AtCommandError,
   * AtTimeoutError, AtAbortedError or (before anything is written) AtArgumentError.
   */
  send(command: AtCommand | string): Promise<AtResponse> {
    const c: AtCommand = typeof command === "string" ? { cmd: command } : command;
    // The common command, a plain line with no payload or with a PDU, passes
    // checkCommandLine() and checkHexPayload() in their first native tests: run here, they
    // cost Espruino no call and none of those functions' text. Anything else is checked in full.
    if (
      !(c.cmd.length <= 1024 && PLAIN_LINE.test(c.cmd)) ||
      (c.mode !== undefined && !(c.mode === "prompt" && !c.textPayload && c.payload && c.payload.length % 2 === 0 && !NOT_HEX.test(c.payload)))
    ) {
      try {
        checkCommandLine(c.cmd);
        // The payload of a `prompt` or `raw` command.
        if (c.mode === "prompt") (c.textPayload ? checkTextPayload : checkHexPayload)(c.payload || "");
        else if (c.mode === "raw") checkRawPayload(c.payload || "", RAW_MAX);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.closed ? Promise.reject(AtAbortedError(c.cmd + ": channel closed", { cmd: c.cmd, reason: "closed" })) : this.enqueue(c, false);
  }

  /**
   * Registers a URC handler for lines starting with `prefix` (e.g. `+CMTI:`, `RING`).
   * With `{ pdu: true }` the following line is passed as the PDU (`+CMT`, `+CDS`); with
   * `{ text }`, the following line whatever it holds, when `text(line)` says one follows.
   * Returns the unsubscribe function.
   */
  onUrc(prefix: string, handler: UrcHandler, options?: UrcOptions): Unsubscribe {
    const entry: UrcEntry = { prefix, handler };
    if (options && (options.pdu || options.text || options.bytes)) entry.opts = options;
    this.urcs.push(entry);
    this.indexGate();
    // bind, not a closure: native on Espruino, no scope kept per registration.
    return this.offUrc.bind(this, entry);
  }

  private offUrc(entry: UrcEntry): void {
    const i = this.urcs.indexOf(entry);
    if (i >= 0) {
      this.urcs.splice(i, 1);
      this.indexGate();
    }
  }

  /** Adds final result rules (a modem profile's dialect) ahead of the standard ones. */
  addFinals(rules: FinalRule[]): void {
    this.finals = rules.concat(this.finals);
    this.indexGate();
  }

  /**
   * Writes Esc when nothing is in flight: a modem left waiting for an SMS body after
   * `AT+CMGS=` (the firmware died between command and PDU, or rebooted) would otherwise
   * take the next command as message text (27.005 §3.5.1: Esc cancels). gammu does the
   * same before each session. A final result it provokes arrives idle and is dropped.
   */
  interrupt(): void {
    if (this.closed || this.current) return;
    this.events.emit("tx", ESC);
    this.serial.write(ESC).then(undefined, ignore);
  }

  /** Commands waiting behind the one in flight. */
  queued(): number {
    return this.queue.length;
  }

  /** Whether a command is in flight (or cut short and still owed its answer). */
  busy(): boolean {
    return this.current !== undefined || this.owed.length > 0;
  }

  /** Fails the command in flight and everything queued with AtAbortedError(reason). */
  abortAll(reason: string): void {
    const all = this.owed.splice(0, this.owed.length).concat(this.queue.splice(0, this.queue.length));
    if (this.current) all.unshift(this.current);
    this.current = undefined;
    this.armed = undefined;
    this.pduFor = undefined;
    for (const p of all) this.fail(p, AtAbortedError(p.command.cmd + ": " + reason, { cmd: p.command.cmd, reason }));
  }

  /** Stops the channel: everything pending is aborted and the serial handlers are removed. */
  close(): void {
    this.shutdown("channel closed");
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubs) u();
    if (this.gapTimer !== undefined) this.clock.clearTimeout(this.gapTimer);
    if (this.block !== undefined && this.block.timer !== undefined) this.clock.clearTimeout(this.block.timer);
    this.abortAll(reason);
  }

  private enqueue(command: AtCommand, internal: boolean): Promise<AtResponse> {
    const promise = new Promise<AtResponse>(capture);
    const p: Pending = { command, resolve: capturedResolve!, reject: capturedReject!, lines: [], pdus: [] };
    // Not kept here past this command: the last command's promise, and every reaction its
    // caller attached to it, would otherwise stay in the heap until the next command.
    capturedResolve = undefined;
    capturedReject = undefined;
    if (internal || command.urgent) this.ahead(p, internal);
    else this.queue.push(p);
    // Behind a command in flight it waits (no call to find that out).
    if (this.current === undefined) this.pump();
    return promise;
  }

  /** The probe goes first; an urgent command behind it and other urgent ones (the priority lane). */
  private ahead(p: Pending, internal: boolean): void {
    if (internal) {
      p.internal = true;
      this.queue.unshift(p);
      return;
    }
    // Behind the probe and other urgent commands, ahead of the rest.
    const q = this.queue;
    let i = 0;
    while (i < q.length && (q[i].internal || q[i].command.urgent)) i++;
    q.splice(i, 0, p);
    const c = this.current;
    if (c && !c.internal && !c.command.urgent && c.command.mode === "raw") this.hurry(c);
    else if (c && !c.internal && !c.command.urgent && (c.command.mode === "prompt" || c.command.cuttable)) this.cutShort(c);
    else if (c && !c.internal && !c.command.urgent) this.stepAsideLater(c);
  }

  /**
   * Moves the long command in flight aside for an urgent one. 27.005 §3.5.1: Esc cancels
   * the message being edited (before or after the prompt); after Ctrl-Z it is the V.250
   * §5.6.1 character that aborts a command still running, or is ignored. Either way the
   * command's final result is still owed and goes to it, not to the urgent command.
   * Any other cut command (a read, a USSD request) gets Esc too: the abort character of
   * V.250 §5.6.1 for a module that can abort it, and a character outside any command
   * line for one that cannot (it waits in the module's input and is dropped). The
   * urgent command then waits up to abortSettleMs for the cut one's final, so a
   * module that aborts never takes the urgent line's first byte as its abort character.
   */
  private cutShort(p: Pending): void {
    this.events.emit("tx", ESC);
    this.serial.write(ESC).then(undefined, ignore);
    p.cut = true;
    const settle = this.o.abortSettleMs !== undefined ? this.o.abortSettleMs : 200;
    if (p.command.mode !== "prompt" && settle > 0 && this.gapTimer === undefined) {
      this.settling = true;
      this.gapTimer = this.clock.setTimeout(() => this.settled(), settle);
    }
    this.current = undefined;
    if (this.pduFor && this.pduFor.kind === "listing") this.pduFor = undefined;
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    if (this.armed === p) this.armed = undefined;
    p.busy = p.command.mode === "prompt" && p.prompted;
    this.owe(p, p.busy ? this.o.busyGraceMs || 45000 : this.o.cutGraceMs || 5000);
    this.events.emit("cut", p.command.cmd);
  }

  /**
   * A plain command in flight (a data-session or MQTT command, a query) when an urgent one
   * arrives: it gets urgentWaitMs to answer as usual, then moves aside so the urgent
   * command is written. Nothing is aborted (no Esc: a module may be unable to abort
   * `AT+QIACT`, and an aborted `AT+QIRD` would lose socket bytes); it stays owed its final
   * result, matched first as the modem answers in order, until its own time limit. Why:
   * its final may never come (line noise ate it, bytes of the line were lost) and then an
   * emergency dial waited out that limit, 150 s for an activation; and a module that holds
   * its OK until the network answers (Quectel AT+QIACT, 27.007 +CGACT: "determined by
   * network") holds the dial in its input until then anyway (Telit LE910Cx §2.2.5), so
   * writing it now loses nothing and gains everything when the answer was lost. Meanwhile
   * the modem counts as busy (busyWithSubmission): a time-out behind it is not a hang.
   *
   * The probe goes first (lostBeforeProbe()), with a limit of at most urgentWaitMs: a
   * modem that is free answers `AT+CMEE?` (no network involved) within tens of ms, and a
   * probe that times out costs nothing but that wait, since it stays owed and its
   * `+CMEE:` line still names it. So the urgent command is written at most 2 *
   * urgentWaitMs after it was asked for (1 s by default, the soak's bound), and a modem
   * holding its input executes it no later than it would have: right after the probe.
   */
  private stepAsideLater(c: Pending): void {
    const wait = this.o.urgentWaitMs !== undefined ? this.o.urgentWaitMs : 500;
    this.clock.setTimeout(() => {
      if (this.current !== c || this.closed || !this.urgentQueued()) return;
      this.current = undefined;
      c.busy = true;
      // It keeps its own limit; the shared expire() now belongs to the urgent command.
      if (c.timer !== undefined) this.clock.clearTimeout(c.timer);
      if (this.armed === c) this.armed = undefined;
      const ms = c.limitMs!;
      c.timer = this.clock.setTimeout(() => this.onTimeout(c, ms), Math.max(0, c.deadline! - this.clock.now()));
      this.owed.push(c);
      this.events.emit("cut", c.command.cmd);
      // Resynchronise before the urgent command (see lostBeforeProbe()).
      this.needSync = true;
      this.syncMs = Math.min(this.o.syncTimeoutMs || 1000, wait) || this.o.syncTimeoutMs || 1000;
      this.pump();
    }, wait);
  }

  /**
   * The probe's `+CMEE:` line while commands moved aside are still owed their final: the
   * modem executes one command line at a time and answers it before reading the next
   * (V.250 §5.2.1, §5.7.1; Telit LE910Cx §2.2.5 holds what comes meanwhile), so an answer
   * to the probe means every command written before it has had its final, and the finals
   * not seen were lost (line noise, dropped bytes). Those commands fail now with
   * AtTimeoutError (the outcome is unknown, as after a time-out), and the final that
   * follows is the probe's, not theirs. Without this, FIFO matching gave the next final
   * (`AT+CHUP`'s `OK`) to the dead command and the emergency dial waited out limits.
   */
  private lostBeforeProbe(line: string, owed: Pending): boolean {
    if (line.indexOf("+CMEE:") !== 0 || hasPrefix(owed.command.prefixes, line)) return false;
    const probe = this.probeFrom(0);
    if (probe === undefined) return false;
    const at = this.owed.indexOf(probe);
    const lost = this.owed.splice(0, at < 0 ? this.owed.length : at);
    for (let i = 0; i < lost.length; i++) {
      const p = lost[i];
      const ms = this.clock.now() - (p.deadline! - p.limitMs!);
      this.fail(p, AtTimeoutError(p.command.cmd + ": its answer was lost (no final result before the answer to the AT+CMEE? written after it, " + ms + " ms on)", { cmd: p.command.cmd, timeoutMs: ms, partial: p.lines }));
    }
    probe.lines.push(line);
    if (this.owed.length === 0) this.settled();
    return true;
  }

  /** The probe written after owed[from] (owed behind it, or in flight), if any. */
  private probeFrom(from: number): Pending | undefined {
    for (let i = from; i < this.owed.length; i++) if (this.owed[i].internal) return this.owed[i];
    const c = this.current;
    return c !== undefined && c.internal ? c : undefined;
  }

  private urgentQueued(): boolean {
    for (let i = 0; i < this.queue.length; i++) if (this.queue[i].command.urgent) return true;
    return false;
  }

  /** `p` leaves the line but is still owed its final result, for at most `grace` ms. */
  private owe(p: Pending, grace: number): void {
    p.timer = this.clock.setTimeout(() => this.onTimeout(p, grace), grace);
    this.owed.push(p);
  }

  /** Whether the modem is busy with a command moved aside for an urgent one (it answers nothing else meanwhile). */
  busyWithSubmission(): boolean {
    for (let i = 0; i < this.owed.length; i++) if (this.owed[i].busy) return true;
    return false;
  }

  /** The cut command answered, or abortSettleMs passed: the urgent command may go. */
  private settled(): void {
    if (!this.settling) return;
    this.settling = false;
    if (this.gapTimer !== undefined) this.clock.clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    this.pump();
  }

  /**
   * A raw send cannot be cut (see above): an urgent command arriving during one gives it
   * at most `cutGraceMs` more, as a cut command gets, so a modem that never prompts or
   * never answers holds the dial for seconds, not for the send's whole limit.
   */
  private hurry(p: Pending): void {
    const grace = this.o.cutGraceMs || 5000;
    if (p.timer === undefined || p.deadline! - this.clock.now() <= grace) return;
    // p is the command in flight, so still the armed one: expire() times it out.
    this.clock.clearTimeout(p.timer);
    p.limitMs = grace;
    p.timer = this.clock.setTimeout(this.expire, grace);
    p.deadline = this.clock.now() + grace;
  }

  private pump(): void {
    if (this.current !== undefined || this.closed || this.gapTimer !== undefined) return;
    if (this.needSync) this.probe();
    else if (this.queue[0] !== undefined) {
      // The next command goes in flight with its time limit running.
      const p = this.queue.shift()!;
      this.current = p;
      this.armed = p;
      p.limitMs = p.command.timeoutMs || this.o.timeoutMs || 5000;
      p.timer = this.clock.setTimeout(this.expire, p.limitMs);
      p.deadline = this.clock.now() + p.limitMs;
      this.write(p.command.cmd + "\r", p);
    }
  }

  /** The resynchronising probe, ahead of the queue (see the file comment). */
  private probe(): void {
    this.needSync = false;
    this.heard = false;
    // `+CMEE: <n>` is an answer only this probe can get: finals before it are the late
    // answer of the timed-out command and are dropped (see line()).
    const ms = this.syncMs;
    this.syncMs = this.o.syncTimeoutMs || 1000;
    this.enqueue({ cmd: "AT+CMEE?", prefixes: ["+CMEE:"], timeoutMs: ms }, true).then(ignore, ignore);
  }

  /**
   * Writes a command line or payload. Through the link's synchronous write where it has one
   * (an Espruino UART): no promise and no reaction per command, and a failure is known
   * before the next line is read.
   */
  private write(bytes: string, p: Pending): void {
    if (this.txOn[0] !== undefined) this.events.emit("tx", bytes);
    const now = this.writeNow;
    if (now !== undefined) {
      const e = now(bytes);
      if (e !== undefined) this.writeFailed(p, e);
    }
    // bind, not a closure: native on Espruino, no copy of the handler's source per write.
    else this.serial.write(bytes).then(undefined, this.writeFailed.bind(this, p));
  }

  private writeFailed(p: Pending, err: unknown): void {
    if (this.current !== p) return;
    this.finish(p);
    this.fail(p, AtAbortedError(p.command.cmd + ": write failed: " + String(err), { cmd: p.command.cmd, reason: "write failed" }));
  }

  private onTimeout(p: Pending, ms: number): void {
    const owedAt = this.owed.indexOf(p);
    if (owedAt >= 0) {
      // A cut command never answered: whatever it says later is not the next command's.
      this.owed.splice(owedAt, 1);
      p.timer = undefined;
      // A probe already written after it tells its late answer apart; else the next one will.
      const probe = this.probeFrom(owedAt);
      if (probe !== undefined) probe.strict = true;
      else this.needSync = true;
      this.fail(p, AtTimeoutError(p.command.cmd + ": no answer within " + ms + " ms", { cmd: p.command.cmd, timeoutMs: ms, partial: p.lines }));
      this.pump();
      return;
    }
    if (this.current !== p) return;
    p.timer = undefined;
    if (this.busyWithSubmission()) {
      // The modem holds this line until the submission ahead of it ends: not a hang. Its
      // caller hears the time-out; its answer, when it comes, is still its own (FIFO).
      this.current = undefined;
      if (this.pduFor && this.pduFor.kind === "listing") this.pduFor = undefined;
      this.fail(p, AtTimeoutError(p.command.cmd + ": no answer within " + ms + " ms (the modem is busy with an earlier command)", { cmd: p.command.cmd, timeoutMs: ms, partial: p.lines }));
      this.owe(p, this.o.busyGraceMs || 45000);
      this.pump();
      return;
    }
    // 27.005 §3.5.1: Esc cancels an SMS being edited after the prompt; harmless otherwise.
    if (p.command.mode === "prompt") {
      this.events.emit("tx", ESC);
      this.serial.write(ESC).then(undefined, ignore);
    }
    this.timeouts++;
    // A probe that timed out is not probed again: the next command runs and fails on its own.
    // Any other timeout is followed by the probe at once (pump() runs it even with an empty
    // queue), so a hung modem is found within one probe's limit of the first timeout.
    if (!p.internal) this.needSync = true;
    this.finish(p);
    this.fail(p, AtTimeoutError(p.command.cmd + ": no answer within " + ms + " ms", { cmd: p.command.cmd, timeoutMs: ms, partial: p.lines }));
    const probeFailed = p.internal && !this.heard;
    if (!this.hangSaid && (probeFailed || this.timeouts >= (this.o.hangAfterTimeouts || 3))) {
      this.hangSaid = true;
      this.events.emit("hang", this.timeouts);
    }
  }

  /** Ends the in-flight command's life in the channel and lets the queue move on. */
  private finish(p: Pending): void {
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.timer = undefined;
    if (this.armed === p) this.armed = undefined;
    if (this.current === p) this.current = undefined;
    if (this.pduFor !== undefined && this.pduFor.kind === "listing") this.pduFor = undefined;
    // Without a gap the next command goes out at once, in the same turn as this final
    // result: no microtask between them, so a stream can drive the channel synchronously
    // (a chunk holding one final and the next command's answer is read in order), as the
    // Espruino benchmark does (bench/espruino.ts).
    if (this.o.interCommandDelayMs! > 0 && !this.closed) this.gap();
    else this.pump();
  }

  /** The modem's pause between commands (interCommandDelayMs), then the next one. */
  private gap(): void {
    this.gapTimer = this.clock.setTimeout(() => {
      this.gapTimer = undefined;
      this.pump();
    }, this.o.interCommandDelayMs!);
  }

  private fail(p: Pending, e: Error): void {
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.timer = undefined;
    p.reject(e);
  }

  /**
   * Splits the input into lines at CR or LF. The cost is per chunk and per line, never
   * per byte (on Espruino a JavaScript statement costs about a microsecond, a native call
   * some more): a chunk without a line end is appended (tail()); otherwise a native
   * indexOf finds each CR LF (V.250 §5.7.1 framing), and only a line that still holds a
   * CR or LF (an echoed command line ends in CR alone, a CR LF cut between two chunks) is
   * cut again at each of them (loose()). No split: V8 flattens the buffer and builds an array for it, which
   * cost more than the whole classification on chunks of a few bytes. Kept short: every
   * chunk runs it, and Espruino reads a called function's whole text each time, so what
   * the common chunk does not need lives in tail(), loose() and blockFrom().
   */
  private receive(chunk: string): void {
    if (this.block !== undefined) return this.feedBlock(chunk);
    if (chunk.indexOf("\n") < 0 && chunk.indexOf("\r") < 0) return this.tail(this.buf + chunk, 0, chunk);
    let buf = this.buf + chunk;
    // The rest of an over-long line, up to its terminator, is dropped too.
    if (this.skipping) buf = this.skipRest(buf);
    let pos = 0;
    let end = buf.indexOf("\r\n");
    // Espruino 2v29's indexOf finds a needle whose first part ends the string ("OK\r"
    // gives 2 for "\r\n", whatever the start): a CR LF can only begin before the last char.
    const last = buf.length - 1;
    while (end >= 0 && end < last) {
      // Empty: the blank line between responses.
      if (end > pos) {
        const s = buf.substring(pos, end);
        // A line with a lone CR or LF is cut again; its own CR LF ends it (the CR added).
        if (s.indexOf("\r") < 0 && s.indexOf("\n") < 0) this.line(s);
        else this.loose(s + "\r");
        // A URC line that opened a counted block: what follows it is its bytes.
        if (this.block !== undefined) return this.blockFrom(buf, pos, end);
      }
      pos = end + 2;
      end = buf.indexOf("\r\n", pos);
    }
    // Most chunks end with a line end: nothing left to look at.
    if (pos < buf.length) return this.tail(buf, pos, undefined);
    this.lead = "";
    this.buf = "";
  }

  /**
   * What is left for the next chunk. After the chunk's last CR LF (`chunk` undefined):
   * `buf` from `pos`, not empty, a line cut by the chunk's end, the `> ` prompt, or lines
   * ended by a lone CR or LF. Or all of `buf` when `chunk` had no line end. The prompt has
   * no line end (see prompt()): a line that starts with `>` is looked at as it grows. Its
   * first character is kept aside (`lead`), because reading it from a line built up
   * chunk by chunk would copy the line each time (V8 flattens a concatenated string to
   * read it). A line longer than maxLineLength is dropped, and the rest of it after it.
   */
  private tail(buf: string, pos: number, chunk: string | undefined): void {
    if (chunk === undefined) {
      buf = buf.substring(pos);
      if (buf.indexOf("\r") >= 0 || buf.indexOf("\n") >= 0) {
        const whole = buf;
        buf = this.loose(buf);
        if (this.block !== undefined) return this.blockFrom(whole, 0, 0);
      }
      this.lead = buf.charAt(0);
    } else if (this.buf === "") this.lead = chunk.charAt(0);
    if (this.lead === ">") buf = this.prompt(buf);
    if (buf.length > (this.o.maxLineLength || 1024)) {
      this.events.emit("overflow", buf.length);
      this.skipping = true;
      buf = "";
      this.lead = "";
    }
    this.buf = buf;
  }

  /**
   * The counted block opened by a line cut from `buf` at [pos, end) (by line()), or by
   * loose() from there at `block.at`: its terminator (its CR LF's CR, or a lone CR or LF)
   * is at `end` or `pos + at`, and what follows is the block's bytes.
   */
  private blockFrom(buf: string, pos: number, end: number): void {
    const at = this.block!.at;
    if (at !== undefined) end = pos + at;
    this.buf = "";
    this.lead = "";
    let start = end + 1;
    if (buf.charAt(end) === "\r") {
      if (start === buf.length) this.block!.skipLf = true;
      else if (buf.charAt(start) === "\n") start++;
    }
    if (start < buf.length) this.feedBlock(buf.substring(start));
  }

  /** Takes the counted block's bytes from `input`; what follows it is read on (receive()). */
  private feedBlock(input: string): void {
    const b = this.block!;
    if (b.skipLf) {
      b.skipLf = false;
      if (input.charAt(0) === "\n") input = input.substring(1);
    }
    const want = b.need - (b.keep ? b.got.length : 0);
    const part = input.length <= want ? input : input.substring(0, want);
    if (b.keep) b.got += part;
    else b.need -= part.length;
    if (b.timer !== undefined) this.clock.clearTimeout(b.timer);
    b.timer = undefined;
    if (part.length < want) {
      b.timer = this.clock.setTimeout(() => this.blockStalled(), this.o.blockIdleMs || 1000);
      return;
    }
    this.block = undefined;
    this.dispatch(b.entries, b.header, b.keep ? b.got : undefined);
    if (input.length > part.length) this.receive(input.substring(part.length));
  }

  /**
   * The block stopped short (bytes were lost on the line): its URC goes without them, and
   * what came is read as lines after all, so a final result or URC among it is not lost.
   */
  private blockStalled(): void {
    const b = this.block;
    if (!b) return;
    this.block = undefined;
    this.dispatch(b.entries, b.header, undefined);
    if (b.got !== "") this.receive(b.got);
  }

  /**
   * Cuts `s` at each CR and LF (each ends a line), classifying the non-empty lines; returns
   * what follows the last. Stops at a line that opens a counted block (`blockAt`: where its end is).
   */
  private loose(s: string): string {
    let pos = 0;
    let cr = s.indexOf("\r");
    let lf = s.indexOf("\n");
    while (cr >= 0 || lf >= 0) {
      const end = cr < 0 || (lf >= 0 && lf < cr) ? lf : cr;
      if (end > pos) {
        this.line(s.substring(pos, end));
        if (this.block !== undefined) {
          this.block.at = end;
          return "";
        }
      }
      pos = end + 1;
      if (cr >= 0 && cr < pos) cr = s.indexOf("\r", pos);
      if (lf >= 0 && lf < pos) lf = s.indexOf("\n", pos);
    }
    return s.substring(pos);
  }

  /** The rest of an over-long line, up to its terminator, is dropped too. */
  private skipRest(buf: string): string {
    this.skipping = false;
    const cr = buf.indexOf("\r");
    const lf = buf.indexOf("\n");
    return buf.substring((cr < 0 || (lf >= 0 && lf < cr) ? lf : cr) + 1);
  }

  /**
   * The prompt has no line end: recognise `> ` in the unterminated remainder (whose first
   * character is `>`); returns the remainder after it, keeping `lead` up to date. A
   * fixed-length data prompt (`raw`): SIMCom prints `>` (some firmware `> `), then counts
   * the announced bytes with no terminator (A76XX AT manual, AT+CIPSEND and
   * AT+CMQTTTOPIC/PAYLOAD); the payload goes in one write, byte for byte.
   */
  private prompt(rest: string): string {
    const o = this.owed.length > 0 ? this.owed[0] : undefined;
    const p = this.current;
    const two = rest.length >= 2 && rest.charAt(1) === " ";
    let at = 0;
    if (o && o.command.mode === "prompt" && !o.prompted && two) {
      // The prompt of a command cut short before it came: cancel it again (the first Esc
      // may have arrived before the modem was editing), never write its payload.
      o.prompted = true;
      this.events.emit("tx", ESC);
      this.serial.write(ESC).then(undefined, ignore);
      at = 2;
    } else if (p && p.command.mode === "raw" && !p.prompted) {
      p.prompted = true;
      this.write(p.command.payload || "", p);
      at = two ? 2 : 1;
    } else if (p && p.command.mode === "prompt" && !p.prompted && two) {
      p.prompted = true;
      this.write((p.command.payload || "") + CTRL_Z, p);
      at = 2;
    } else return rest;
    rest = rest.substring(at);
    this.lead = rest.charAt(0);
    return rest;
  }

  /**
   * Classifies one line. Kept short on purpose: Espruino interprets a function from its
   * source text on every call, tokens of branches not taken included, so each rare case
   * lives in a method of its own, and the common lines (a final, a prefixed answer, a
   * URC) cost one gate lookup and the few tests it leaves (bench/espruino.ts measures it).
   * The order: the rare states (unusual()), a boot banner, a final result, the answer's
   * prefix, the echo, a URC, and otherwise a bare answer or `unsolicited` (otherLine()).
   */
  private line(line: string): void {
    const owed: Pending | undefined = this.owed[0];
    if ((owed !== undefined || this.pduFor !== undefined || this.rxOn[0] !== undefined) && this.unusual(line, owed)) return;
    // What the modem says now answers the oldest command still owed an answer.
    const p = owed || this.current;
    const b: Bucket | undefined = this.gate[line.substr(0, this.gateLen)];
    // An inherited member (Espruino's `on`, `emit`) is a function: no item 0, as no bucket.
    const x = b !== undefined ? (b[0] as { handler?: UrcHandler; success?: boolean; match?: string; prefix?: string; opts?: UrcOptions }) : undefined;
    if (x === undefined || x.handler !== undefined) {
      // No banner or final starts so: the answer, the echo, a URC, or otherLine().
      if (p !== undefined && hasPrefix(p.command.prefixes, line)) this.answer(line, p);
      // The common URC: its key's only handler, taking nothing after it, and no echo to tell apart.
      else if (x !== undefined && b![1] === undefined && x.opts === undefined && line.startsWith(x.prefix!) && (p === undefined || !(p.prompted || line === p.command.cmd))) {
        try {
          x.handler!(line, undefined);
        } catch (e) {
          this.events.emit("handlerError", e);
        }
      } else if (!this.isEcho(line, this.current) && (x === undefined || !this.urc(line, b!, 0))) this.otherLine(line, p, undefined);
      return;
    }
    // The first rule of its key is the first in the table: `OK` and its like end here.
    if (x.success && line === x.match) {
      if (p !== undefined && owed === undefined && !p.internal && !p.cut) return this.done(p, line);
      return this.final(x as unknown as FinalRule, line, p, owed);
    }
    this.gated(line, b!, p, owed);
  }

  /** line() for a line whose key a banner or final shares: the whole order of line(). */
  private gated(line: string, b: Bucket, p: Pending | undefined, owed: Pending | undefined): void {
    let i = 0;
    let rule: FinalRule | undefined = undefined;
    for (; i < b.length; i++) {
      const x = b[i];
      if (typeof x === "string") {
        if (x === line) return this.rebooted(line);
      } else if ((x as UrcEntry).handler !== undefined) break;
      else if (rule === undefined && ((x as FinalRule).prefix ? line.startsWith((x as FinalRule).match) : line === (x as FinalRule).match)) rule = x as FinalRule;
    }
    // A call-progress report (NO CARRIER...) is final only for a call command; else it is a URC.
    if (rule !== undefined && (rule.success || !callProgressFinal(rule.kind) || (p !== undefined && isCallCommand(p.command.cmd)))) this.final(rule, line, p, owed);
    else if (p !== undefined && hasPrefix(p.command.prefixes, line)) this.answer(line, p);
    else if (!this.isEcho(line, this.current) && (i >= b.length || !this.urc(line, b, i))) this.otherLine(line, p, rule);
  }

  /** A line carrying one of the command's response prefixes. */
  private answer(line: string, p: Pending): void {
    p.lines.push(line);
    if (p.command.mode === "pdu-listing") this.pduFor = { kind: "listing", header: line, p };
  }

  /**
   * The rare states, in the classification order: the `rx` event, a pending PDU line, the
   * echo of a command cut short and still owed its answer, the probe's answer (lostBeforeProbe()). True when the line is consumed.
   */
  private unusual(line: string, owed: Pending | undefined): boolean {
    if (this.rxOn[0] !== undefined) this.events.emit("rx", line);
    if (this.pduFor !== undefined && this.pduLine(line)) return true;
    return owed !== undefined && (this.isEcho(line, owed) || this.lostBeforeProbe(line, owed));
  }

  /** The line after a PDU header: true when it was the PDU (consumed). */
  private pduLine(line: string): boolean {
    const waiting = this.pduFor!;
    this.pduFor = undefined;
    // One native test: a loop over a PDU's hundreds of digits costs Espruino milliseconds.
    if ((line.length > 0 && !NOT_HEX.test(line)) || (waiting.kind === "urc" && waiting.text)) {
      if (waiting.kind === "urc") this.dispatch(waiting.entries, waiting.header, line);
      else waiting.p.pdus.push({ header: waiting.header, pdu: line });
      return true;
    }
    // The PDU never came: the header is still worth delivering; this line is classified anew.
    if (waiting.kind === "urc") this.dispatch(waiting.entries, waiting.header, undefined);
    return false;
  }

  private rebooted(line: string): void {
    this.timeouts = 0;
    // A command written around the reboot may still be read and answered by the new
    // boot: probe before the next command, so that answer is not taken as its own.
    this.needSync = this.current !== undefined || this.owed.length > 0;
    this.hangSaid = false;
    this.abortAll(REBOOTED + " (" + line + ")");
    this.events.emit("answered", line);
    this.events.emit("reboot", line);
  }

  /** A final result: it ends the command it answers (`p`), or is stray. */
  private final(rule: FinalRule, line: string, p: Pending | undefined, owed: Pending | undefined): void {
    this.heard = true;
    this.hangSaid = false;
    if (this.ansOn[0] !== undefined) this.events.emit("answered", line);
    if (p === undefined || p === owed || p.internal || p.cut) return this.finalOther(rule, line, p, owed);
    this.timeouts = 0;
    this.finish(p);
    if (rule.success) p.resolve({ final: line, lines: p.lines, pdus: p.pdus });
    else p.reject(decodeFinal(rule, line, p.command.cmd, p.lines));
  }

  /**
   * final() for a success final of the command in flight (neither owed, the probe nor cut):
   * the common final, in one call instead of final(), finish() and their tests. It
   * repeats finish()'s few lines on purpose: calling finish() from here measured 2.666 M
   * instructions a command on the Espruino bench against 2.597 M (BENCH_CALLGRIND=1). No
   * PDU line is due here (line() has just read it or dropped the wait), so none is cleared.
   */
  private done(p: Pending, line: string): void {
    this.heard = true;
    this.hangSaid = false;
    this.timeouts = 0;
    if (this.ansOn[0] !== undefined) this.events.emit("answered", line);
    if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
    p.timer = undefined;
    // In flight, so the armed one too (stepping aside makes a command owed, not current).
    this.armed = undefined;
    this.current = undefined;
    if (this.o.interCommandDelayMs! > 0 && !this.closed) this.gap();
    else this.pump();
    p.resolve({ final: line, lines: p.lines, pdus: p.pdus });
  }

  /** The final of an owed, probing or cut command, or of none (stray). */
  private finalOther(rule: FinalRule, line: string, p: Pending | undefined, owed: Pending | undefined): void {
    // A final before the probe's `+CMEE:` answers a command that timed out (dropped); a
    // probe that timed out itself and is owed (the modem was busy) is answered in turn.
    if (!p || (p.internal && (p !== owed || p.strict) && p.lines.length === 0)) {
      this.events.emit("stray", line);
      return;
    }
    this.timeouts = 0;
    if (p === owed) {
      this.owed.shift();
      if (p.timer !== undefined) this.clock.clearTimeout(p.timer);
      p.timer = undefined;
      if (this.owed.length === 0) this.settled();
    } else this.finish(p);
    if (p.cut && p.command.mode === "pdu-listing") {
      // The listing lost its PDU lines when it was cut (and an aborted one may end early):
      // the caller reads again; the modem keeps the messages until they are deleted.
      p.reject(AtAbortedError(p.command.cmd + ": cut short for an urgent command; read again", { cmd: p.command.cmd, reason: "cut" }));
      return;
    }
    if (rule.success) p.resolve({ final: line, lines: p.lines, pdus: p.pdus });
    else p.reject(decodeFinal(rule, line, p.command.cmd, p.lines));
  }

  /**
   * The URC handlers from `b[i]` on whose prefix starts the line: true when there was one.
   * One plain handler is called at once. Otherwise the first that takes a counted block
   * (`bytes`), or else that takes a PDU or says (`text`) that a text line follows, holds
   * the URC for what follows, and the others with it; or each is called now.
   */
  private urc(line: string, b: Bucket, i: number): boolean {
    let u: UrcEntry | undefined = undefined;
    let all: UrcEntry[] | undefined = undefined;
    for (; i < b.length; i++) {
      const x = b[i] as UrcEntry;
      if (line.startsWith(x.prefix)) {
        if (u === undefined) u = x;
        else if (all === undefined) all = [u, x];
        else all.push(x);
      }
    }
    if (u === undefined) return false;
    if (all === undefined && u.opts === undefined) {
      try {
        u.handler(line, undefined);
      } catch (e) {
        this.events.emit("handlerError", e);
      }
      return true;
    }
    const entries = all || [u];
    let hold = false;
    let text = false;
    let counted: UrcEntry | undefined = undefined;
    for (i = 0; i < entries.length; i++) {
      const o = entries[i].opts;
      if (o === undefined) continue;
      if (o.bytes && counted === undefined) counted = entries[i];
      if (!hold && (o.pdu || (o.text && o.text(line)))) {
        hold = true;
        text = !o.pdu;
      }
    }
    // A counted block starts (none: the URC is delivered as it is).
    const n = counted !== undefined ? counted.opts!.bytes!(line) : 0;
    if (n > 0) {
      const keep = n <= RAW_MAX;
      if (!keep) this.events.emit("overflow", n);
      this.block = { header: line, entries, need: n, got: "", keep };
    } else if (hold && counted === undefined) this.pduFor = { kind: "urc", header: line, entries, text };
    else this.dispatch(entries, line, undefined);
    return true;
  }

  /**
   * Neither final, prefixed answer nor registered URC: a bare answer line, or unsolicited.
   * `rule`: the line is a call-progress report outside a call (never an answer).
   */
  private otherLine(line: string, p: Pending | undefined, rule: FinalRule | undefined): void {
    if (p && (!p.command.prefixes || p.command.prefixes.length === 0) && rule === undefined) {
      // A bare line is the answer. An extended-syntax report such as `+CREG: 1` or
      // `^SYSSTART:` is not (commands whose answer has a prefix declare it, so an unclaimed
      // URC cannot slip into the answer of `AT+CGSN`), unless it carries the command's own
      // prefix, which some modules print for identification (`+CGMR: <revision>`, `+CGSN:
      // <sn>`; 27.007 §4.1 answers start with the command's name).
      const colon = EXTENDED.indexOf(line.charAt(0)) < 0 ? -1 : line.indexOf(":");
      if (!(colon > 1 && colon < 24)) {
        p.lines.push(line);
        return;
      }
      const cmd = p.command.cmd;
      if (cmd.length >= 4 && EXTENDED.indexOf(cmd.charAt(2)) >= 0) {
        let end = 3;
        while (end < cmd.length && "=?;".indexOf(cmd.charAt(end)) < 0) end++;
        if (line.startsWith(cmd.substring(2, end).toUpperCase() + ":")) {
          p.lines.push(line);
          return;
        }
      }
    }
    this.events.emit("unsolicited", line);
  }

  /** Echo (V.250 E1) repeats the command line, or in prompt mode the payload with Ctrl-Z. */
  private isEcho(line: string, p: Pending | undefined): boolean {
    if (p === undefined) return false;
    if (line === p.command.cmd) return true;
    if (p.command.mode === "prompt" && p.prompted) {
      const payload = p.command.payload || "";
      if (line === payload + CTRL_Z || line === payload || line === "> " + payload + CTRL_Z) return true;
    }
    return false;
  }

  /**
   * Rebuilds the gate: the key length is the shortest prefix that must match (a prefix
   * final or a URC prefix; GATE_MAX at most), so every line a rule could match shares its
   * key with that rule. An empty prefix makes the key "" and every line goes the long way.
   * Each bucket holds the banners, then the finals (table order), then the URC handlers.
   */
  private indexGate(): void {
    let len = GATE_MAX;
    for (let i = 0; i < this.finals.length; i++) if (this.finals[i].prefix && this.finals[i].match.length < len) len = this.finals[i].match.length;
    for (let i = 0; i < this.urcs.length; i++) if (this.urcs[i].prefix.length < len) len = this.urcs[i].prefix.length;
    const gate: { [key: string]: Bucket } = {};
    const items = (this.banners as Bucket).concat(this.finals, this.urcs);
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      const k = (typeof x === "string" ? x : (x as UrcEntry).handler !== undefined ? (x as UrcEntry).prefix : (x as FinalRule).match).substr(0, len);
      if (Object.prototype.hasOwnProperty.call(gate, k)) gate[k].push(x);
      else gate[k] = [x];
    }
    this.gate = gate;
    this.gateLen = len;
  }

  private dispatch(entries: UrcEntry[], line: string, pdu: string | undefined): void {
    for (let i = 0; i < entries.length; i++) {
      try {
        entries[i].handler(line, pdu);
      } catch (e) {
        this.events.emit("handlerError", e);
      }
    }
  }
}

