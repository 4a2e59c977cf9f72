import type { Clock, Serial, Unsubscribe } from "../types.js";
import { Emitter } from "../emitter.js";
import { TextTail } from "./tail.js";

export interface MemorySerialOptions {
  /** Deliver what the other end writes in chunks of at most this many bytes (default: whole writes). */
  chunkSize?: number;
  /** Deliver each chunk this many ms after it was written, on `clock` (default 0: at once, asynchronously). */
  delayMs?: number;
  clock?: Clock;
  /** Characters of `written` this end keeps (default TAIL_KEPT, the newest 4 KiB; Infinity keeps all). */
  writtenKept?: number;
}

type SerialEvents = { data: string; close: string };

/**
 * One end of an in-memory serial link. Writes on one end arrive at the other end, in
 * order, asynchronously (never inside the writer's call stack, as with a real UART),
 * split into chunks when asked.
 */
export class MemorySerial implements Serial {
  peer: MemorySerial | undefined = undefined;
  private readonly writtenTail: TextTail;
  private events = new Emitter<SerialEvents>();
  private closed = false;
  private queue: string[] = [];
  private pumping = false;

  constructor(private readonly opts: MemorySerialOptions) {
    this.writtenTail = new TextTail(opts.writtenKept);
  }

  /** The newest bytes this end wrote (`writtenKept` of them), for transcript assertions. */
  get written(): string {
    return this.writtenTail.value;
  }

  write(bytes: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error("serial link is closed"));
    for (let i = 0; i < bytes.length; i++) {
      if (bytes.charCodeAt(i) > 0xff) {
        return Promise.reject(new Error("not a byte string: char " + bytes.charCodeAt(i) + " at " + i));
      }
    }
    this.writtenTail.append(bytes);
    const peer = this.peer;
    if (peer) peer.receive(bytes, this.opts);
    return Promise.resolve();
  }

  onData(handler: (chunk: string) => void): Unsubscribe {
    return this.events.on("data", handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return this.events.on("close", handler);
  }

  close(): Promise<void> {
    this.shut("closed");
    if (this.peer) this.peer.shut("peer closed");
    return Promise.resolve();
  }

  /** Bytes pushed into this end as if the other side had sent them (fault injection). */
  inject(bytes: string): void {
    this.receive(bytes, this.opts);
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit("close", reason);
  }

  private receive(bytes: string, senderOpts: MemorySerialOptions): void {
    const size = senderOpts.chunkSize && senderOpts.chunkSize > 0 ? senderOpts.chunkSize : bytes.length;
    for (let i = 0; i < bytes.length; i += size) this.queue.push(bytes.substr(i, size));
    const delay = senderOpts.delayMs || 0;
    if (delay > 0 && senderOpts.clock) {
      const chunks = this.queue.splice(0, this.queue.length);
      senderOpts.clock.setTimeout(() => this.deliver(chunks), delay);
      return;
    }
    if (!this.pumping) {
      this.pumping = true;
      Promise.resolve().then(() => this.pump());
    }
  }

  private pump(): void {
    this.pumping = false;
    const chunks = this.queue.splice(0, this.queue.length);
    this.deliver(chunks);
  }

  private deliver(chunks: string[]): void {
    for (const c of chunks) {
      if (this.closed) return;
      this.events.emit("data", c);
    }
  }
}

/**
 * A connected pair of in-memory serial ends: what `a` writes, `b` receives, and back.
 * `aOpts` shapes what `a` sends (chunking, delay), `bOpts` what `b` sends.
 */
export function memorySerialPair(aOpts?: MemorySerialOptions, bOpts?: MemorySerialOptions): [MemorySerial, MemorySerial] {
  const a = new MemorySerial(aOpts || {});
  const b = new MemorySerial(bOpts || {});
  a.peer = b;
  b.peer = a;
  return [a, b];
}
