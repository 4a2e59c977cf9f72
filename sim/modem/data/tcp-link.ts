/**
 * One TCP connection the simulated modem opens for its client (Quectel `AT+QIOPEN`,
 * SIMCom `AT+CIPOPEN`, and under the MQTT stacks): a real `node:net` connection from
 * the host, so a real server or broker is at the other end.
 *
 * It behaves as a module's socket in buffer access mode: received bytes wait in the
 * module until the client reads them (a bounded buffer; when it is full the module stops
 * reading, and TCP flow control pushes back on the peer), sent bytes go into a bounded
 * send buffer (`full` when it cannot take more: Quectel `SEND FAIL`), and the counters
 * of `AT+QISEND=<id>,0` / `AT+QIRD=<id>,0` are kept. Bytes are binary strings (one
 * character per byte, 0..255), as on the serial line.
 */
import net from "node:net";

/** Whether a connection error is a failed name lookup (vendors report it apart: Quectel 565, SIMCom 11/25). */
export function isDnsFailure(err: NodeJS.ErrnoException): boolean {
  return err.code === "ENOTFOUND" || err.code === "EAI_AGAIN";
}

export type LinkState = "opening" | "connected" | "closing" | "closed";

export interface TcpLinkEvents {
  /** The connection attempt ended: `undefined` connected, else the error. */
  opened(err: NodeJS.ErrnoException | undefined): void;
  /** New bytes arrived in the receive buffer. */
  data(): void;
  /** The peer closed or reset the connection (after `opened(undefined)`). */
  peerClosed(): void;
}

export interface TcpLinkOptions {
  /** Unread bytes the module holds before it stops reading from the network (default 64 KiB). */
  rxLimit?: number;
  /** Bytes the module's send buffer holds (default 16 KiB). */
  txLimit?: number;
}

export class TcpLink {
  state: LinkState = "opening";
  /** Unread received bytes. */
  private rx = "";
  rxTotal = 0;
  rxRead = 0;
  txTotal = 0;
  localPort = 0;
  private readonly socket: net.Socket;
  private readonly rxLimit: number;
  private readonly txLimit: number;
  private paused = false;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly cid: number,
    private readonly ev: TcpLinkEvents,
    opts: TcpLinkOptions = {},
  ) {
    this.rxLimit = opts.rxLimit || 65536;
    this.txLimit = opts.txLimit || 16384;
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.socket.on("connect", () => {
      if (this.state !== "opening") return;
      this.state = "connected";
      this.localPort = this.socket.localPort || 0;
      this.ev.opened(undefined);
    });
    this.socket.on("data", (chunk: Buffer) => {
      if (this.state === "closed") return;
      this.rx += chunk.toString("latin1");
      this.rxTotal += chunk.length;
      if (this.rx.length >= this.rxLimit && !this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      this.ev.data();
    });
    this.socket.on("error", (err: NodeJS.ErrnoException) => {
      if (this.state === "opening") {
        this.state = "closed";
        this.ev.opened(err);
      }
      // Later errors end in 'close', handled there.
    });
    this.socket.on("close", () => {
      if (this.state === "connected") {
        this.state = "closing";
        this.ev.peerClosed();
      }
    });
  }

  /** Unread bytes. */
  get unread(): number {
    return this.rx.length;
  }

  /** Bytes the network has taken from the send buffer (Quectel's <ackedbytes>: an approximation from the host's side). */
  get acked(): number {
    return this.txTotal - (this.state === "connected" ? this.socket.writableLength : 0);
  }

  /** Queues bytes to send: `full` when the send buffer cannot take them, `closed` when the connection is gone. */
  send(bytes: string): "ok" | "full" | "closed" {
    if (this.state !== "connected") return "closed";
    if (this.socket.writableLength + bytes.length > this.txLimit) return "full";
    this.socket.write(Buffer.from(bytes, "latin1"));
    this.txTotal += bytes.length;
    return "ok";
  }

  /** Takes up to `max` unread bytes. */
  read(max: number): string {
    const out = this.rx.slice(0, max);
    this.rx = this.rx.slice(out.length);
    this.rxRead += out.length;
    if (this.paused && this.rx.length < this.rxLimit / 2 && this.state === "connected") {
      this.paused = false;
      this.socket.resume();
    }
    return out;
  }

  /** The client closes the socket: FIN to the peer, unread bytes are discarded. */
  close(): void {
    if (this.state === "closed") return;
    const was = this.state;
    this.state = "closed";
    this.rx = "";
    if (was === "opening") this.socket.destroy();
    else {
      this.socket.end();
      this.socket.destroySoon();
    }
  }

  /** The bearer is gone: the connection dies at once (RST), nothing more is reported. */
  drop(): void {
    if (this.state === "closed") return;
    const was = this.state;
    this.state = "closed";
    this.rx = "";
    if (was === "opening" || this.socket.destroyed) this.socket.destroy();
    else this.socket.resetAndDestroy();
  }
}
