/**
 * Declarative chat scripts: bring-up and other fixed sequences written as data.
 *
 * A script is a list of steps, each either a command to send (with what to do with its
 * answer) or a line to wait for (a URC such as `+CPIN: READY`). The runner stops at the
 * first failing step, at a line listed in `abortOn`, or when the whole-script time limit
 * runs out, and says which of those happened and at which step.
 */
import type { Clock, TimerHandle, Unsubscribe } from "../../hal/types.js";
import type { AtChannel } from "./channel.js";
import type { AtCommand, AtResponse } from "./types.js";
import { AtCommandError } from "./errors.js";

export interface SendStep {
  command: AtCommand | string;
  /** Reads the answer; a throw fails the step with that error. */
  onResponse?: (r: AtResponse) => void;
  /** An error answer does not stop the script (e.g. an optional vendor command). */
  optional?: boolean;
  /**
   * Tried when the command answers an error: the standard command a vendor one replaces
   * (`AT+QCCID` → `AT+CCID`). Its answer goes to the same `onResponse`.
   */
  fallback?: AtCommand | string;
  /**
   * Any final result is a success, `ERROR` included: for the first probe of bring-up,
   * which only asks "is anybody there" (some modules answer a bare `AT` with `ERROR`).
   */
  anyFinal?: boolean;
  /** Tries again after this pause when the answer is an error (SIM busy during boot...) or `notYet`. */
  retries?: number;
  /**
   * An answer line that means "not yet" (`+CPIN: NOT READY` while the SIM starts): asked
   * again like an error while `retries` last; the last such answer goes to `onResponse`.
   */
  notYet?: string;
  retryDelayMs?: number;
}

export interface ExpectStep {
  /** Prefix of the line to wait for (registered as a URC while waiting). */
  prefix: string;
  timeoutMs: number;
  onLine?: (line: string) => void;
  /** The line may already have passed (e.g. `RDY` of a modem that was on): time-out is fine. */
  optional?: boolean;
}

/**
 * A step: a bare command line (sent, an error fails the script), a send step with its
 * reader and options, or a wait for a line. Bring-up builds its whole script at once and
 * it is the watch's heap peak (about 800 blocks on Espruino for a Quectel's 38 steps with
 * a `{kind, command: {cmd}}` object each), so a plain command stays a string and neither
 * kind of step carries a tag: an expect step is the one with a `prefix`.
 */
export type ChatStep = string | SendStep | ExpectStep;

/** The command line a send step writes, or undefined for an expect step. */
export function stepCommand(step: ChatStep): string | undefined {
  if (typeof step === "string") return step;
  if ("prefix" in step) return undefined;
  return typeof step.command === "string" ? step.command : step.command.cmd;
}

export interface ChatScript {
  name: string;
  steps: ChatStep[];
  /** Lines that end the script at once, whichever step runs (e.g. `+CPIN: SIM PIN`). */
  abortOn?: string[];
  /** Time limit for the whole script (ms). */
  timeoutMs: number;
}

export type ChatResult =
  | { status: "success"; script: string }
  | { status: "abort"; script: string; step: number; reason: string; error: unknown }
  | { status: "timeout"; script: string; step: number; reason: string };

/** A send step; a command line with no reader and no options is the bare string. */
export function send(cmd: string | AtCommand, onResponse?: (r: AtResponse) => void, opts?: Partial<SendStep>): ChatStep {
  if (typeof cmd === "string" && !onResponse && !opts) return cmd;
  const step: SendStep = { command: cmd };
  if (onResponse) step.onResponse = onResponse;
  if (opts) Object.assign(step, opts);
  return step;
}

/** A wait-for-line step. */
export function expect(prefix: string, timeoutMs: number, onLine?: (line: string) => void, optional?: boolean): ExpectStep {
  return { prefix, timeoutMs, onLine, optional: !!optional };
}

function runSend(
  channel: AtChannel,
  clock: Clock,
  step: SendStep,
  attempt: number,
  proceed: () => void,
  failStep: (reason: string, error: unknown) => void,
  isDone: () => boolean,
): void {
  const again = function (): void {
    clock.setTimeout(function () {
      if (!isDone()) runSend(channel, clock, step, attempt + 1, proceed, failStep, isDone);
    }, step.retryDelayMs || 1000);
  };
  channel.send(step.command).then(
    function (r) {
      if (isDone()) return;
      if (step.notYet && r.lines.indexOf(step.notYet) >= 0 && attempt < (step.retries || 0)) return again();
      try {
        if (step.onResponse) step.onResponse(r);
      } catch (e) {
        failStep(stepCommand(step) + ": " + (e instanceof Error ? e.message : String(e)), e);
        return;
      }
      proceed();
    },
    function (e: unknown) {
      if (isDone()) return;
      if (step.anyFinal && AtCommandError.is(e)) {
        proceed();
        return;
      }
      if (step.fallback && AtCommandError.is(e)) {
        const other: SendStep = { command: step.fallback, onResponse: step.onResponse, optional: step.optional };
        runSend(channel, clock, other, 0, proceed, failStep, isDone);
        return;
      }
      if (attempt < (step.retries || 0)) return again();
      if (step.optional) proceed();
      else failStep(e instanceof Error ? e.message : String(e), e);
    },
  );
}

function runExpect(
  channel: AtChannel,
  clock: Clock,
  step: ExpectStep,
  proceed: () => void,
  failStep: (reason: string, error: unknown) => void,
  cleanups: Unsubscribe[],
): void {
  let settled = false;
  let timer: TimerHandle | undefined = undefined;
  const unsub = channel.onUrc(step.prefix, function (line) {
    if (settled) return;
    settled = true;
    unsub();
    if (timer !== undefined) clock.clearTimeout(timer);
    try {
      if (step.onLine) step.onLine(line);
    } catch (e) {
      failStep("after " + JSON.stringify(line) + ": " + (e instanceof Error ? e.message : String(e)), e);
      return;
    }
    proceed();
  });
  cleanups.push(unsub);
  timer = clock.setTimeout(function () {
    if (settled) return;
    settled = true;
    unsub();
    if (step.optional) proceed();
    else failStep("no " + JSON.stringify(step.prefix) + " within " + step.timeoutMs + " ms", undefined);
  }, step.timeoutMs);
}

/** A script being run: its result, and a way to stop it (no further command is sent). */
export interface ChatRun {
  result: Promise<ChatResult>;
  cancel(reason: string): void;
}

/**
 * Starts `script` and returns a handle. Cancelling ends the script with `abort` at once;
 * a command already written still completes in the channel, but nothing after it is sent.
 */
export function startChat(channel: AtChannel, clock: Clock, script: ChatScript): ChatRun {
  let cancelWith: ((reason: string) => void) | undefined = undefined;
  const result = new Promise<ChatResult>(function (resolve) {
    let done = false;
    let index = 0;
    const cleanups: Unsubscribe[] = [];
    let deadline: TimerHandle | undefined = undefined;

    const end = function (r: ChatResult) {
      if (done) return;
      done = true;
      if (deadline !== undefined) clock.clearTimeout(deadline);
      for (const c of cleanups) c();
      resolve(r);
    };
    deadline = clock.setTimeout(function () {
      end({ status: "timeout", script: script.name, step: index, reason: "script time limit of " + script.timeoutMs + " ms" });
    }, script.timeoutMs);
    cancelWith = function (reason: string) {
      end({ status: "abort", script: script.name, step: index, reason: "cancelled: " + reason, error: undefined });
    };
    const aborts = script.abortOn || [];
    for (const a of aborts) {
      const prefix = a;
      cleanups.push(
        channel.onUrc(prefix, function (line) {
          end({ status: "abort", script: script.name, step: index, reason: "modem said " + JSON.stringify(line), error: undefined });
        }),
      );
    }

    const next = function (): void {
      if (done) return;
      if (index >= script.steps.length) {
        end({ status: "success", script: script.name });
        return;
      }
      const step = script.steps[index];
      const proceed = function () {
        index++;
        next();
      };
      const failStep = function (reason: string, error: unknown) {
        end({ status: "abort", script: script.name, step: index, reason, error });
      };
      if (typeof step !== "string" && "prefix" in step) runExpect(channel, clock, step, proceed, failStep, cleanups);
      else
        runSend(channel, clock, typeof step === "string" ? { command: step } : step, 0, proceed, failStep, function () {
          return done;
        });
    };
    next();
  });
  return {
    result,
    cancel(reason: string) {
      if (cancelWith) cancelWith(reason);
    },
  };
}

/** Runs `script` on `channel`; never rejects. */
export function runChat(channel: AtChannel, clock: Clock, script: ChatScript): Promise<ChatResult> {
  return startChat(channel, clock, script).result;
}
