/**
 * The modem's transmit side, with the fault knobs that shape it: output split into small
 * chunks with gaps (a slow UART, USB packets), bytes lost or garbage inserted at chosen
 * offsets, and silence (a hung modem). Bytes leave in order, always asynchronously.
 */
import type { Clock, Serial } from "../../hal/types.js";
import { TextTail } from "../../hal/memory/tail.js";

export interface OutputOptions {
  /** Largest chunk handed to the serial link at once (default: whole writes). */
  chunkSize?: number;
  /** Time between chunks, on the modem's clock (default 0). */
  chunkGapMs?: number;
  /** Characters of `sent` kept (default TAIL_KEPT, the newest 4 KiB; Infinity keeps all). */
  sentKept?: number;
}

interface Mutation {
  /** Offset in the stream of bytes the modem produces (before faults), counted from power-on. */
  at: number;
  insert: string;
  drop: number;
}

export class ModemOutput {
  /** The newest bytes that reached the line (after faults), for logs and assertions; a modem runs for days in the soak. */
  private readonly sentTail: TextTail;
  /** Bytes the modem produced (before faults). */
  produced = 0;
  /** Sees each chunk as it goes to the line. */
  onSent: ((bytes: string) => void) | undefined = undefined;
  private serial: Serial | undefined = undefined;
  private queue: string[] = [];
  private pumping = false;
  private silent = false;
  private mutations: Mutation[] = [];

  constructor(
    private readonly clock: Clock,
    public options: OutputOptions,
  ) {
    this.sentTail = new TextTail(options.sentKept);
  }

  /** The newest bytes that reached the line (after faults): `sentKept` of them. */
  get sent(): string {
    return this.sentTail.value;
  }

  /** The line the modem talks on now; `undefined` discards output (nobody listening). */
  setSerial(serial: Serial | undefined): void {
    this.serial = serial;
  }

  /** A hung modem sends nothing: queued and new output is discarded while silent. */
  setSilent(silent: boolean): void {
    this.silent = silent;
    if (silent) this.queue = [];
  }

  /** Queues bytes (characters 0..255) for the line, through the pending losses and insertions. */
  write(bytes: string): void {
    if (this.silent || bytes === "") return;
    this.enqueue(this.mutate(bytes));
  }

  /** Sends `bytes` now, outside the modem's own stream (line noise between responses). */
  injectNow(bytes: string): void {
    if (this.silent || bytes === "") return;
    this.enqueue(bytes);
  }

  private enqueue(bytes: string): void {
    this.queue.push(bytes);
    if (!this.pumping) {
      this.pumping = true;
      Promise.resolve().then(() => this.pump());
    }
  }

  /** Inserts `bytes` into the output stream once `after` more bytes have been produced (0: before the next byte). */
  insertGarbage(bytes: string, after = 0): void {
    this.mutations.push({ at: this.produced + after, insert: bytes, drop: 0 });
  }

  /** Loses `count` bytes of output, starting `after` bytes from now. */
  loseBytes(after = 0, count = 1): void {
    this.mutations.push({ at: this.produced + after, insert: "", drop: count });
  }

  /** Forgets pending mutations and queued bytes (a reboot). */
  reset(): void {
    this.mutations = [];
    this.queue = [];
  }

  private mutate(bytes: string): string {
    const start = this.produced;
    this.produced += bytes.length;
    if (this.mutations.length === 0) return bytes;
    let out = "";
    let dropUntil = -1;
    for (let i = 0; i < bytes.length; i++) {
      const pos = start + i;
      for (let k = 0; k < this.mutations.length; k++) {
        const m = this.mutations[k];
        if (m.at !== pos) continue;
        out += m.insert;
        if (m.drop > 0) dropUntil = Math.max(dropUntil, pos + m.drop);
        this.mutations.splice(k--, 1);
      }
      if (pos >= dropUntil) out += bytes[i];
    }
    // A drop that runs past this write continues into the next one.
    if (dropUntil > this.produced) this.mutations.push({ at: this.produced, insert: "", drop: dropUntil - this.produced });
    return out;
  }

  private pump(): void {
    const serial = this.serial;
    const data = this.queue.join("");
    this.queue = [];
    if (this.silent || data === "" || !serial) {
      this.pumping = false;
      return;
    }
    const size = this.options.chunkSize && this.options.chunkSize > 0 ? this.options.chunkSize : data.length;
    const gap = this.options.chunkGapMs || 0;
    if (gap <= 0 || data.length <= size) {
      for (let i = 0; i < data.length; i += size) this.send(serial, data.substr(i, size));
      this.finish();
      return;
    }
    let pos = 0;
    const step = () => {
      if (this.silent || this.serial !== serial) {
        this.pumping = false;
        return;
      }
      this.send(serial, data.substr(pos, size));
      pos += size;
      if (pos < data.length) this.clock.setTimeout(step, gap);
      else this.finish();
    };
    step();
  }

  private finish(): void {
    if (this.queue.length > 0) Promise.resolve().then(() => this.pump());
    else this.pumping = false;
  }

  private send(serial: Serial, chunk: string): void {
    this.sentTail.append(chunk);
    if (this.onSent) this.onSent(chunk);
    serial.write(chunk).catch(() => {
      // The link went away mid-write; the transport reports the close on its own.
    });
  }
}
