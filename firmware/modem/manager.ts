/**
 * Runs the modem state machine (machine.ts) against a real AT channel: executes its
 * effects (bring-up scripts, timers, pin resets, status queries), turns channel events
 * and URCs into machine events, and tells the firmware what it learns.
 *
 * Every callback only posts an event; one dispatcher drains the queue, so transitions
 * never happen inside an I/O callback (STYLE §7) and the order is deterministic.
 */
import type { Clock, Pins, TimerHandle } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import { AtChannel, AtCommandError, CME_SIM_FAILURE, CME_SIM_NOT_INSERTED, CME_SIM_WRONG, startChat, type ChatResult, type ChatRun } from "../../drivers/at/index.js";
import {
  emptyInfo,
  isRegistered,
  parseCen2,
  parseCops,
  parseCsq,
  parseRegistration,
  type BringUpOptions,
  type ModemInfo,
  type ModemProfile,
  type Operator,
  type Registration,
  type Signal,
} from "../../drivers/modems/index.js";
import { readTriesLeft, sendPin, type PinResult, type SimLock } from "./pin.js";
import { serviceOf, type ServiceFacts } from "./service.js";
import { initialModemState, modemStep, type ModemEffect, type ModemEvent, type ModemPolicy, type ModemState } from "./machine.js";

export type ModemManagerEvents = {
  state: ModemState;
  identified: ModemInfo;
  registration: Registration;
  signal: Signal;
  operator: Operator;
  emergencyNumbers: string[];
  /** The SIM asks for a code (PIN, PUK), or a code was refused: for the user, who must act. */
  simLock: SimLock;
  log: string;
};

export interface ModemStatus {
  state: ModemState;
  info: ModemInfo;
  cs: Registration | undefined;
  eps: Registration | undefined;
  signal: Signal | undefined;
  operator: Operator | undefined;
  emergencyNumbers: string[];
}

/** The default escalation policy; boards may override parts of it. */
export function defaultPolicy(profile: ModemProfile, pins: Pins): ModemPolicy {
  return {
    retryMs: 2000,
    maxBackoffMs: 60000,
    resetAfter: 3,
    hardwareReset: pins.has("reset") ? "reset" : pins.has("powerKey") ? "powerKey" : "none",
    bootTimeMs: profile.bootTimeMs,
    simLockedRetryMs: 60000,
    healthCheckMs: 0,
  };
}

export class ModemManager {
  readonly events = new Emitter<ModemManagerEvents>();
  private state: ModemState = initialModemState;
  private queue: ModemEvent[] = [];
  private draining = false;
  private timers: TimerHandle[] = [];
  private runId = 0;
  private info: ModemInfo = emptyInfo();
  private cs: Registration | undefined;
  private eps: Registration | undefined;
  private signal: Signal | undefined;
  private operator: Operator | undefined;
  private emergency: string[] = [];
  /** Domains whose read answer showed our `<n>=2` since the last bring-up (the baseline): bit 1 CS, bit 2 EPS. */
  private verbose = 0;
  private healthTimer: TimerHandle | undefined;
  /** Set while the network's emergency list is coming in, one +CEN2 line per number. */
  private cenTimer: TimerHandle | undefined;
  private chat: ChatRun | undefined;
  /** The SIM state bring-up last read (`+CPIN`), "" until one was read. */
  private simStateSeen = "";
  /** The PIN to enter when the SIM asks (`--pin`); cleared once the SIM refused it. */
  private configuredPin: string | undefined;
  /** A PIN request in flight: only one at a time, so one request never becomes two tries. */
  private pinBusy: boolean | undefined;
  /** What the SIM last asked for; undefined (state "") until it asked. */
  private lock: SimLock | undefined;
  private readyWaiters: ((ok: boolean) => void)[] = [];

  constructor(
    private readonly channel: AtChannel,
    private readonly clock: Clock,
    private readonly pins: Pins,
    private readonly profile: ModemProfile,
    private readonly caps: BringUpOptions,
    private readonly policy: ModemPolicy,
  ) {
    // One function for the channel's events and every URC the manager takes, told apart
    // in heard(): on the watch a function per URC cost about six heap blocks each. A bound
    // method, not a closure: a closure made here would keep this constructor's scope.
    const heard = this.heard.bind(this);
    channel.events.on("reboot", heard);
    channel.events.on("hang", heard);
    channel.onUrc("+CREG:", heard);
    channel.onUrc("+CEREG:", heard);
    channel.onUrc("+CEN2:", heard);
    // The boot lines are claimed and ignored (see ModemProfile.bootLines).
    for (const l of profile.bootLines) channel.onUrc(l, heard);
    // 27.007 §8.67: each report is +CEN1 (reporting, MCC, MNC) then the whole list as +CEN2
    // lines, so +CEN1 starts a new list: numbers of a network left behind are not kept.
    channel.onUrc("+CEN1:", heard);
  }

  /** A channel event (`reboot`, `hang`) or, `ev` undefined, a URC line registered in the constructor. */
  private heard(x: unknown, ev: string | undefined): void {
    if (ev === "reboot") return this.post({ type: "rebooted", banner: x as string });
    if (ev === "hang") return this.post({ type: "hung" });
    const line = x as string;
    // The handlers are written out here, not as methods (heap on the watch).
    if (line.indexOf("+CREG:") === 0 || line.indexOf("+CEREG:") === 0) {
      const reg = parseRegistration(line, false);
      if (!reg) return;
      const wasRegistered = this.registered();
      this.setRegistration(reg);
      // Event-driven, not polled: on becoming registered, read the signal and the operator once.
      if (!wasRegistered && this.registered() && this.state.name === "ready") this.readRadio();
    } else if (line.indexOf("+CEN2:") === 0) {
      // One more number of the network's list (R53).
      const e = parseCen2(line);
      if (!e || this.emergency.indexOf(e.number) >= 0) return;
      this.emergency.push(e.number);
      this.emergencyChanged();
    } else if (line.indexOf("+CEN1:") === 0) {
      // A new list starts (see the constructor).
      if (this.emergency.length === 0) return;
      this.emergency = [];
      this.emergencyChanged();
    }
  }

  /**
   * The list is used at once (emergencyNumbers()), but told once it is complete: a report
   * is one +CEN1 and a +CEN2 line per number, and a line per number said "110", then
   * "110, 118", then "110, 118, 119".
   */
  private emergencyChanged(): void {
    if (this.cenTimer !== undefined) return;
    this.cenTimer = this.clock.setTimeout(() => {
      this.cenTimer = undefined;
      this.events.emit("emergencyNumbers", this.emergency.slice());
    }, 200);
  }

  start(): void {
    this.post({ type: "start" });
  }

  /** Bring-up is done and the modem takes commands (state `ready`). */
  ready(): boolean {
    return this.state.name === "ready";
  }

  /**
   * Resolves true as soon as the modem is ready, or false after `limitMs` (or when the
   * firmware stops): commands given before bring-up finished wait for it with a clear
   * limit instead of being queued behind bring-up and aborted by the boot banner.
   */
  whenReady(limitMs: number): Promise<boolean> {
    if (this.ready()) return Promise.resolve(true);
    const self = this;
    return new Promise<boolean>(function (resolve) {
      let timer: TimerHandle | undefined = undefined;
      const waiter = function (ok: boolean) {
        const i = self.readyWaiters.indexOf(waiter);
        if (i < 0) return;
        self.readyWaiters.splice(i, 1);
        if (timer !== undefined) self.clock.clearTimeout(timer);
        resolve(ok);
      };
      self.readyWaiters.push(waiter);
      timer = self.clock.setTimeout(function () {
        waiter(false);
      }, limitMs);
    });
  }

  /** Stops bring-up and every timer (the firmware is shutting down). */
  stop(): void {
    // Whatever a bring-up or a status read still has in flight is dropped when it answers.
    this.runId++;
    if (this.chat) this.chat.cancel("stopped");
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
    if (this.healthTimer !== undefined) this.clock.clearTimeout(this.healthTimer);
    this.healthTimer = undefined;
    if (this.cenTimer !== undefined) this.clock.clearTimeout(this.cenTimer);
    this.cenTimer = undefined;
    const waiters = this.readyWaiters.slice();
    for (const w of waiters) w(false);
  }

  /**
   * Reads registration and signal again. A read that shows the URC settings of bring-up
   * gone (Particle device-os#2219) starts bring-up again. Called by the board's health
   * timer when it has one (policy.healthCheckMs), and by firmware parts in doubt.
   */
  checkHealth(): void {
    if (this.state.name === "ready") this.queryStatus();
  }

  /**
   * Whether the subscription can be used: false only once the SIM was read and is not
   * ready (absent, locked). Before the first read it is assumed usable, so that an
   * emergency call is never refused for want of information (R45).
   */
  simUsable(): boolean {
    return this.simStateSeen === "" || this.simStateSeen === "READY";
  }

  /**
   * The PIN to enter once when the SIM asks for it (a board's or the user's setting).
   * Sent at most once: if the SIM refuses it, it is forgotten and the user is told, since
   * retrying a wrong PIN would use up the SIM's tries and block it behind the PUK.
   */
  configurePin(code: string): void {
    this.configuredPin = code;
  }

  /** What the SIM last asked for (state "" before it was read). */
  simLock(): SimLock {
    const l = this.lock;
    return l ? { state: l.state, triesLeft: l.triesLeft, refused: l.refused } : { state: "", triesLeft: undefined, refused: "" };
  }

  /**
   * Enters a PIN the user typed (or, when the SIM asks for its PUK, the PUK and a new
   * PIN), once. On success bring-up goes on at once. Refused when the SIM asks for
   * nothing, or while another code is being checked.
   */
  enterPin(code: string, newPin?: string): Promise<PinResult> {
    const state = this.simStateSeen;
    if (state !== "SIM PIN" && state !== "SIM PUK") {
      return Promise.resolve({ ok: false, reason: "pinNotNeeded", message: state === "" ? "the SIM state is not known yet" : "the SIM does not ask for a PIN (" + state + ")", triesLeft: undefined });
    }
    if (state === "SIM PUK" && newPin === undefined) {
      return Promise.resolve({ ok: false, reason: "pukRequired", message: "the SIM is blocked: enter the PUK and a new PIN", triesLeft: this.lock ? this.lock.triesLeft : undefined });
    }
    if (this.pinBusy) return Promise.resolve({ ok: false, reason: "busy", message: "a PIN is being checked already", triesLeft: undefined });
    this.pinBusy = true;
    return sendPin(this.channel, state, code, newPin || "").then((r) => {
      this.pinBusy = false;
      if (r.ok) {
        this.simStateSeen = "";
        this.setLock({ state: "READY", triesLeft: undefined, refused: "" });
        this.events.emit("log", "modem: " + r.message);
        this.post({ type: "simUnlocked" });
      } else {
        this.setLock({ state, triesLeft: r.triesLeft, refused: r.message });
        this.events.emit("log", "modem: " + r.message);
      }
      return r;
    });
  }

  private setLock(l: SimLock): void {
    this.lock = l;
    this.events.emit("simLock", this.simLock());
  }

  /** The SIM asks for a code: tell the user (with the tries left), and enter the configured PIN once. */
  private onSimAsks(state: string): void {
    if (this.pinBusy) return;
    if (state === "SIM PIN" && this.configuredPin) {
      const code = this.configuredPin;
      // Forgotten before it is sent: whatever the answer, it is never sent a second time.
      this.configuredPin = "";
      this.events.emit("log", "modem: the SIM asks for its PIN; entering the configured one");
      void this.enterPin(code);
      return;
    }
    readTriesLeft(this.channel, state).then((left) => {
      if (this.simStateSeen !== state) return;
      this.setLock({ state, triesLeft: left, refused: this.lock && this.lock.state === state ? this.lock.refused : "" });
    }, () => undefined);
  }

  /**
   * Whether there is a subscription profile at all: a SIM that is only locked (PIN, PUK)
   * still holds one, so emergency calls are attempted (R55 forbids them only without a
   * valid subscription); absent, failed or wrong means none.
   */
  simPresent(): boolean {
    const s = this.simStateSeen;
    return s !== "SIM NOT INSERTED" && s !== "SIM FAILURE" && s !== "SIM WRONG";
  }

  /** The SIM state last read (`AT+CPIN?`, "SIM NOT INSERTED" for +CME ERROR: 10), "" before. */
  simState(): string {
    return this.simStateSeen;
  }

  // ---- what the line asks (firmware/line/line.ts ModemView) ----

  /** The line's `simReady`: simUsable(). */
  simReady(): boolean {
    return this.simUsable();
  }

  /** Emergency numbers from the network and the SIM (R53), a copy. */
  emergencyNumbers(): string[] {
    return this.emergency.slice();
  }

  /** False when R55 forbids an emergency call (service().emergencyCalls). */
  emergencyAllowed(): boolean {
    return this.service().emergencyCalls;
  }

  /** The modem presents calling names (+CNAP on). */
  callerNames(): boolean {
    return this.info.cnap;
  }

  /** How a silent modem is power-cycled: its reset pin, its power key, or not at all (no pin). */
  hardwareReset(): "reset" | "powerKey" | "none" {
    return this.policy.hardwareReset;
  }

  status(): ModemStatus {
    return {
      state: this.state,
      info: this.info,
      cs: this.cs,
      eps: this.eps,
      signal: this.signal,
      operator: this.operator,
      emergencyNumbers: this.emergency.slice(),
    };
  }

  /**
   * Queues an event for the machine; safe from any callback. A listener that throws does
   * not stop the machine: every effect still runs, the queue drains, and the first error
   * is rethrown at the end (as the Emitter does), never leaving the dispatcher stuck.
   */
  post(event: ModemEvent): void {
    this.queue.push(event);
    if (this.draining) return;
    this.draining = true;
    let failed = false;
    let firstError: unknown = undefined;
    const note = (err: unknown) => {
      if (!failed) {
        failed = true;
        firstError = err;
      }
    };
    while (this.queue.length > 0) {
      const e = this.queue.shift()!;
      const r = modemStep(this.state, e, this.policy);
      const changed = r.state !== this.state;
      this.state = r.state;
      if (changed) {
        try {
          this.events.emit("state", this.state);
        } catch (err) {
          note(err);
        }
        if (this.state.name === "ready") {
          const waiters = this.readyWaiters.slice();
          for (const w of waiters) w(true);
        }
      }
      for (let i = 0; i < r.effects.length; i++) {
        try {
          this.run(r.effects[i]);
        } catch (err) {
          note(err);
        }
      }
    }
    this.draining = false;
    if (failed) throw firstError;
  }

  private run(effect: ModemEffect): void {
    switch (effect.type) {
      case "runBringUp":
        this.bringUp();
        break;
      case "abortCommands":
        this.channel.abortAll(effect.reason);
        break;
      case "startTimer": {
        const name = effect.name;
        const handle = this.clock.setTimeout(() => {
          // A fired timer leaves the list, which otherwise grows by one per simLocked retry.
          const i = this.timers.indexOf(handle);
          if (i >= 0) this.timers.splice(i, 1);
          this.post({ type: "timer", name });
        }, effect.ms);
        this.timers.push(handle);
        break;
      }
      case "cancelTimers":
        for (const t of this.timers) this.clock.clearTimeout(t);
        this.timers = [];
        break;
      case "resetModem":
        this.resetModem(effect.how);
        break;
      case "queryStatus":
        this.queryStatus();
        this.armHealthCheck();
        break;
      case "log":
        this.events.emit("log", effect.message);
        break;
    }
  }

  private bringUp(): void {
    const run = ++this.runId;
    // A bring-up interrupted by a reboot must not go on sending its old steps.
    if (this.chat) this.chat.cancel("bring-up restarted");
    this.verbose = 0;
    const info = emptyInfo();
    this.channel.interrupt();
    this.probe(run, 0, info);
  }

  /**
   * Is anybody there, before every bring-up script: `AT` (1 s), up to ten tries 0.5 s
   * apart (V.250: a modem mid-boot may miss the first), any final answer a yes (some
   * modules answer a bare `AT` with `ERROR`). One command at a time from a method, not a
   * one-step chat script: while a modem stays silent (off, booting, missing) the heap
   * holds that command and a timer, and neither the script nor a runner (the watch with
   * no modem: docs/espruino.md).
   */
  private probe(run: number, tries: number, info: ModemInfo): void {
    this.channel.send({ cmd: "AT", timeoutMs: 1000 }).then(
      () => this.alive(run, info),
      (e: unknown) => {
        if (run !== this.runId) return; // stopped, or a newer bring-up
        if (AtCommandError.is(e)) return this.alive(run, info);
        if (tries >= 9) return this.bringUpEnded({ status: "abort", script: this.profile.name + " bring-up", step: 0, reason: e instanceof Error ? e.message : String(e), error: e }, info);
        this.clock.setTimeout(() => {
          if (run === this.runId) this.probe(run, tries + 1, info);
        }, 500);
      },
    );
  }

  /** The modem answered the probe: the bring-up script is built and run now. */
  private alive(run: number, info: ModemInfo): void {
    if (run !== this.runId) return;
    const chat = startChat(this.channel, this.clock, {
      name: this.profile.name + " bring-up",
      steps: this.profile.bringUp(this.caps, info),
      abortOn: this.profile.bringUpAbortOn,
      timeoutMs: 120000,
    });
    this.chat = chat;
    chat.result.then((result) => {
      // A finished run is dropped: its steps, closures and answers are heap the watch
      // needs back (about 880 blocks during the Quectel bring-up, measured on Espruino).
      if (this.chat === chat) this.chat = undefined;
      if (run !== this.runId) return; // a newer bring-up replaced this one
      this.bringUpEnded(result, info);
    });
  }

  /** What a bring-up's end (the probe's failure or the script's result) means. */
  private bringUpEnded(result: ChatResult, info: ModemInfo): void {
    let sim = info.simState;
    if (sim === "" && result.status === "abort") {
      // `AT+CPIN?` answers +CME ERROR: 10/13/15 (27.007 §9.2.1) when there is no usable
      // SIM at all: that is a SIM state too, and R55 needs it known.
      const e = result.error;
      if (AtCommandError.is(e) && e.kind === "cme") {
        if (e.code === CME_SIM_NOT_INSERTED) sim = "SIM NOT INSERTED";
        else if (e.code === CME_SIM_FAILURE) sim = "SIM FAILURE";
        else if (e.code === CME_SIM_WRONG) sim = "SIM WRONG";
      }
    }
    if (sim !== "") this.simStateSeen = sim;
    if (result.status === "success") {
      this.info = info;
      this.events.emit("identified", info);
      this.post({ type: "bringUpDone" });
      return;
    }
    // A SIM that needs a person (PIN, PUK, missing, broken) is not cured by resetting the
    // modem: wait for it slowly instead of escalating (and burning power) forever.
    if (sim === "" && result.reason.indexOf("+CPIN: SIM PUK") >= 0) sim = "SIM PUK";
    else if (sim === "" && result.reason.indexOf("+CPIN: SIM PIN") >= 0) sim = "SIM PIN";
    if (sim !== "") this.simStateSeen = sim;
    const simLocked = (sim !== "" && sim !== "READY") || result.reason.indexOf("+CPIN: SIM P") >= 0;
    this.post({ type: "bringUpFailed", reason: result.reason, simLocked, noSim: !this.simPresent() });
    if (sim === "SIM PIN" || sim === "SIM PUK") this.onSimAsks(sim);
  }

  private resetModem(how: "reset" | "powerKey"): void {
    const pin = how === "reset" ? "reset" : "powerKey";
    const pulse = how === "reset" ? this.profile.resetPulseMs : this.profile.powerKeyPulseMs;
    const log = (e: unknown) => this.events.emit("log", "modem: " + pin + " pin failed: " + String(e));
    this.pins.write(pin, true).then(() => {
      this.clock.setTimeout(() => {
        this.pins.write(pin, false).then(undefined, log);
      }, pulse);
    }, log);
  }

  /** Only boards that ask for it poll: by default the AT line is silent while idle. */
  private armHealthCheck(): void {
    const ms = this.policy.healthCheckMs;
    if (!ms || this.healthTimer !== undefined) return;
    const tick = () => {
      this.healthTimer = this.clock.setTimeout(tick, ms);
      this.checkHealth();
    };
    this.healthTimer = this.clock.setTimeout(tick, ms);
  }

  /**
   * Read once after bring-up (no periodic polling): the registration, emergency-number, signal and operator reads. One at a time: queued
   * together at `ready`, five commands with their promises and reactions held about 300
   * heap blocks on the watch (a queued command is about 60), at the moment the messaging
   * sync and the line's first +CLCC queue theirs too. The channel runs them in order
   * either way; an urgent command still goes ahead of whichever waits.
   */
  private queryStatus(): void {
    this.read(0, this.runId);
  }

  /** After registration: emergency numbers, signal and operator again. */
  private readRadio(): void {
    this.read(2, this.runId);
  }

  /** Read `i` of queryStatus(), then the next, unless a new bring-up started meanwhile. */
  private read(i: number, run: number): void {
    const self = this;
    const ch = this.channel;
    let p: Promise<void>;
    if (i === 0)
      p = ch.send({ cmd: "AT+CEREG?", prefixes: ["+CEREG:"] }).then(function (r) {
        self.onRead(r.lines, run);
      });
    else if (i === 1)
      p = ch.send({ cmd: "AT+CREG?", prefixes: ["+CREG:"] }).then(function (r) {
        self.onRead(r.lines, run);
      });
    // 27.007 §8.67: +CEN1/+CEN2 URCs come only when the network sends a list; a list that
    // arrived before AT+CEN=1 (attach during bring-up) is there only in the read form (R93).
    else if (i === 2)
      p = ch.send({ cmd: "AT+CEN?", prefixes: ["+CEN1:", "+CEN2:"] }).then(function (r) {
        self.onEmergencyList(r.lines);
      });
    else if (i === 3)
      p = ch.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] }).then(function (r) {
        const s = parseCsq(r.lines[0] || "");
        if (s) {
          self.signal = s;
          self.events.emit("signal", s);
        }
      });
    else if (i === 4)
      p = ch.send({ cmd: "AT+COPS?", prefixes: ["+COPS:"] }).then(function (r) {
        const o = parseCops(r.lines[0] || "");
        if (o) {
          self.operator = o;
          self.events.emit("operator", o);
        }
      });
    else return;
    const next = function () {
      if (run === self.runId) self.read(i + 1, run);
    };
    p.then(next, next);
  }

  private onRead(lines: string[], run: number): void {
    // The answer is the last line: a URC with the same prefix (`+CEREG: <stat>,...`) may
    // come just before it, and read as an answer it would look like `<n>` gone (27.007 §10.1.22).
    const reg = parseRegistration(lines[lines.length - 1] || "", true);
    if (!reg || run !== this.runId) return;
    // Bring-up set <n>=2. Once a read has shown it, a read without it means the modem
    // forgot its settings (a silent reset). A module that never took <n>=2 (the step is
    // optional) is not "reset" over and over.
    const bit = reg.domain === "cs" ? 1 : 2;
    if (reg.n === 2) this.verbose |= bit;
    else if (this.verbose & bit) {
      this.post({ type: "verbosityLost" });
      return;
    }
    this.setRegistration(reg);
  }

  private registered(): boolean {
    return !!((this.eps && isRegistered(this.eps.stat)) || (this.cs && isRegistered(this.cs.stat)));
  }

  private setRegistration(reg: Registration): void {
    if (reg.domain === "eps") this.eps = reg;
    else this.cs = reg;
    this.events.emit("registration", reg);
  }

  /**
   * What the accessory can offer now (R18, R55, R56), as facts; firmware/activation's
   * one-number.ts turns their changes into what a person is told.
   */
  service(): ServiceFacts {
    return serviceOf(this.simUsable(), this.simPresent(), this.cs, this.eps);
  }

  /** The read form's answer: the network's whole list (R53), kept when it differs. */
  private onEmergencyList(lines: string[]): void {
    const list: string[] = [];
    for (const l of lines) {
      const e = l.indexOf("+CEN2:") === 0 ? parseCen2(l) : undefined;
      if (e && list.indexOf(e.number) < 0) list.push(e.number);
    }
    if (list.join(",") === this.emergency.join(",")) return;
    this.emergency = list;
    this.events.emit("emergencyNumbers", list.slice());
  }

}
