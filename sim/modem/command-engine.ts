/**
 * The receive side of the simulated modem: assembling command lines from bytes (V.250
 * §5.2.1: echo, S3 terminator, S5 backspace, text before `AT` ignored, `A/` repeats the
 * last line), running them one command at a time (V.250 §5.2.3: execution stops at the
 * first error), and the SMS prompt (27.005 §3.5.1: `\r\n> `, text up to Ctrl-Z, Esc
 * cancels).
 *
 * Bytes that arrive while a line runs wait and are handled after its final result, as a
 * module that reads its UART into a buffer would. This is the documented behaviour for a
 * command written before the previous one's result code (Telit LE910Cx AT reference
 * §2.2.5: "a new command must not be issued before the module has finished ... the
 * response result code"; Quectel BC95 §1.3: OK or ERROR says the processor is "ready to
 * accept a new command"), and what an `ATD` written during a `+CMGS` that waits for the
 * network (Quectel EC25: up to 120 s, "determined by network") meets: it runs when the
 * submission ends. A module that refused instead (`+CME ERROR`) would tell the firmware
 * the same thing sooner; the firmware handles both (drivers/at/channel.ts busyGraceMs,
 * firmware/line/emergency-dial.ts retries a refusal).
 */
import type { Clock } from "../../hal/types.js";
import { AtCommandLine, AtSyntaxError, parseCommandLine } from "./at-parser.js";
import { AtFailure, Final, PromptRequest, Reply, ResultFormat, formatFinal, formatInfo } from "./results.js";
import type { ModemSettings } from "./settings.js";

const CTRL_Z = "\x1a";
const ESC = "\x1b";
/** Longest command line accepted; longer ones answer ERROR (V.250 requires at least 40). */
const MAX_LINE = 2048;

export interface EngineHost {
  readonly settings: ModemSettings;
  readonly clock: Clock;
  /** Delay between a line's terminator and its execution (fault knob). */
  readonly responseDelayMs: number;
  format(): ResultFormat;
  write(bytes: string): void;
  /** Runs one command; never rejects (failures come back as a final result). */
  dispatch(cmd: AtCommandLine): Promise<Reply>;
  /** Called when a command line has ended (final result sent): buffered URCs may go out. */
  lineDone(): void;
  /**
   * Fault knob: how long this command's information text stops halfway (ms, 0: not at
   * all). Input meanwhile waits, as it does for any running command.
   */
  stallFor?(cmd: AtCommandLine): number;
}

export class CommandEngine {
  private buf = "";
  private lastBody = "";
  private running = false;
  private pending = "";
  private prompt: PromptRequest | undefined = undefined;
  private pdu = "";
  /** Bumped by `reset` so that a line still running when the modem reboots cannot answer. */
  private generation = 0;

  constructor(private readonly host: EngineHost) {}

  /** True while a command line runs or the SMS prompt waits for its text. */
  get busy(): boolean {
    return this.running || this.prompt !== undefined;
  }

  /** Forgets the partial line, the prompt and queued input (reboot). */
  reset(): void {
    this.generation++;
    this.buf = "";
    this.pending = "";
    this.prompt = undefined;
    this.pdu = "";
    this.running = false;
  }

  feed(chunk: string): void {
    if (this.running) {
      this.pending += chunk;
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      if (this.running) {
        this.pending += chunk.slice(i);
        return;
      }
      if (this.prompt) this.promptByte(chunk[i]);
      else this.commandByte(chunk[i]);
    }
  }

  private echo(ch: string): void {
    if (this.host.settings.echo) this.host.write(ch);
  }

  private commandByte(ch: string): void {
    const s = this.host.settings.s;
    if (ch === ESC) {
      // Not echoed; drops the partial line (what gammu's ESC before each session relies on).
      this.buf = "";
      return;
    }
    this.echo(ch);
    if (ch.charCodeAt(0) === s[3]) {
      const line = this.buf;
      this.buf = "";
      this.startLine(line);
      return;
    }
    if (ch.charCodeAt(0) === s[5]) {
      this.buf = this.buf.slice(0, -1);
      return;
    }
    if (ch === "\n" && this.buf === "") return;
    if (this.buf.length <= MAX_LINE) this.buf += ch;
    if (this.buf.length === 2 && this.buf.toUpperCase() === "A/") {
      this.buf = "";
      this.run(this.lastBody);
    }
  }

  private startLine(line: string): void {
    if (line.length > MAX_LINE) {
      this.finish({ kind: "error" }, this.generation);
      return;
    }
    // V.250 §5.2.1: everything before the "AT" prefix is ignored; a line without one is not a command.
    const at = line.toUpperCase().indexOf("AT");
    if (at < 0) return;
    const body = line.slice(at + 2);
    this.lastBody = body;
    this.run(body);
  }

  private run(body: string): void {
    this.running = true;
    const gen = this.generation;
    const delay = this.host.responseDelayMs;
    const go = () => {
      this.execute(body, gen).catch(() => this.finish({ kind: "error" }, gen));
    };
    if (delay > 0) this.host.clock.setTimeout(go, delay);
    else go();
  }

  private async execute(body: string, gen: number): Promise<void> {
    let cmds: AtCommandLine[];
    try {
      cmds = parseCommandLine(body);
    } catch (e) {
      if (!AtSyntaxError.is(e)) throw e;
      this.finish({ kind: "error" }, gen);
      return;
    }
    for (const cmd of cmds) {
      const reply = await this.host.dispatch(cmd);
      if (gen !== this.generation) return;
      const info = formatInfo(reply.lines, this.host.format());
      const stall = this.host.stallFor ? this.host.stallFor(cmd) : 0;
      if (stall > 0 && info.length > 1) {
        // Output stops in the middle of the last line (mid-PDU for +CMGR) and goes on later.
        const cut = info.length - Math.ceil(reply.lines[reply.lines.length - 1].length / 2) - 2;
        this.host.write(info.slice(0, cut));
        await new Promise<void>((resolve) => this.host.clock.setTimeout(resolve, stall));
        if (gen !== this.generation) return;
        this.host.write(info.slice(cut));
      } else this.host.write(info);
      if (reply.prompt) {
        // 27.005 §3.5.1: the prompt is exactly CR LF '>' space; the rest of the line is dropped.
        this.prompt = reply.prompt;
        this.pdu = "";
        this.running = false;
        this.host.write(reply.prompt.text !== undefined ? reply.prompt.text : "\r\n> ");
        this.drainPending();
        return;
      }
      if (reply.final && reply.final.kind !== "ok") {
        this.finish(reply.final, gen);
        return;
      }
    }
    this.finish({ kind: "ok" }, gen);
  }

  private finish(final: Final, gen: number): void {
    if (gen !== this.generation) return;
    this.host.write(formatFinal(final, this.host.format()));
    this.running = false;
    this.host.lineDone();
    this.drainPending();
  }

  private drainPending(): void {
    if (this.pending === "") return;
    const p = this.pending;
    this.pending = "";
    this.feed(p);
  }

  private promptByte(ch: string): void {
    const want = this.prompt!.length;
    if (want !== undefined) {
      // A data prompt takes exactly <length> bytes, whatever they are (binary-safe).
      this.pdu += ch;
      if (this.pdu.length >= want) this.submitPrompt();
      return;
    }
    if (ch === ESC) {
      // Cancelled: nothing is sent; the command ends with OK (27.005 §3.5.1).
      this.prompt = undefined;
      this.finish({ kind: "ok" }, this.generation);
      return;
    }
    this.echo(ch);
    if (ch === CTRL_Z) {
      this.submitPrompt();
      return;
    }
    if (ch.charCodeAt(0) === this.host.settings.s[5]) {
      this.pdu = this.pdu.slice(0, -1);
      return;
    }
    // Line ends inside the PDU carry no data.
    if (ch === "\r" || ch === "\n") return;
    if (this.pdu.length < MAX_LINE) this.pdu += ch;
  }

  /** Hands what was typed at the prompt to its command; its reply ends the command line. */
  private submitPrompt(): void {
    const prompt = this.prompt!;
    const text = this.pdu;
    this.prompt = undefined;
    this.pdu = "";
    this.running = true;
    const gen = this.generation;
    Promise.resolve()
      .then(() => prompt.onPdu(text))
      .then((reply) => {
        if (gen !== this.generation) return;
        this.host.write(formatInfo(reply.lines, this.host.format()));
        this.finish(reply.final || { kind: "ok" }, gen);
      })
      .catch((e) => this.finish(AtFailure.is(e) ? e.final : { kind: "error" }, gen));
  }
}
