/**
 * Serving a simulated modem to programs outside the process: on a TCP port (a raw serial
 * server, like ser2net) or on a pseudo-terminal whose slave path (/dev/pts/N) a program
 * such as gammu or minicom opens as if it were a modem's serial port.
 *
 * Both wrap their byte stream in a HAL `Serial` (latin1 byte strings both ways).
 *
 * Pseudo-terminal facts this relies on (Linux): the slave starts in cooked mode, which
 * would echo what we write back to us, turn CR into LF and hold input until a line end,
 * so it is switched to raw mode without echo (`stty raw -echo`) before anyone opens it.
 * We hold a slave descriptor ourselves (never reading it) so that the master does not
 * see EIO each time the client closes the slave. Writes go through `fs.write` on the
 * master descriptor, retrying on EAGAIN, since a tty stream on a pty master may block.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import net from "node:net";
import tty from "node:tty";
import type { Serial, Unsubscribe } from "../../hal/types.js";
import { Emitter } from "../../hal/emitter.js";
import type { SimModem } from "./modem.js";

type Events = { data: string; close: string };

function toBuffer(bytes: string): Buffer {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes.charCodeAt(i) > 0xff) throw new Error("not a byte string: char " + bytes.charCodeAt(i) + " at " + i);
  }
  return Buffer.from(bytes, "latin1");
}

/** A `Serial` over a connected TCP socket. */
export class SocketSerial implements Serial {
  private events = new Emitter<Events>();
  private closed = false;

  constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on("data", (b: Buffer) => this.events.emit("data", b.toString("latin1")));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.shut("socket closed"));
  }

  write(bytes: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error("socket is closed"));
    let buf: Buffer;
    try {
      buf = toBuffer(bytes);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => this.socket.write(buf, (err) => (err ? reject(err) : resolve())));
  }

  onData(handler: (chunk: string) => void): Unsubscribe {
    return this.events.on("data", handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return this.events.on("close", handler);
  }

  close(): Promise<void> {
    this.socket.destroy();
    this.shut("closed");
    return Promise.resolve();
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit("close", reason);
  }
}

export interface TcpModemServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `modem` on a TCP port (0 picks a free one). One client at a time, as a serial
 * server does: a second connection is closed at once. The modem keeps its state between
 * clients.
 */
export function serveTcp(modem: SimModem, port: number, host = "127.0.0.1"): Promise<TcpModemServer> {
  let current: SocketSerial | undefined = undefined;
  const server = net.createServer((socket) => {
    if (current) {
      socket.destroy();
      return;
    }
    const serial = new SocketSerial(socket);
    current = serial;
    serial.onClose(() => {
      if (current === serial) current = undefined;
    });
    modem.connect(serial);
  });
  return new Promise<TcpModemServer>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address() as net.AddressInfo;
      resolve({
        host,
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            if (current) current.close();
            server.close(() => done());
          }),
      });
    });
  });
}

interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
}

/** A `Serial` on the master side of a pseudo-terminal. */
export class PtyMasterSerial implements Serial {
  private events = new Emitter<Events>();
  private closed = false;
  private reader: tty.ReadStream;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly masterFd: number,
    private readonly slaveFd: number,
  ) {
    this.reader = new tty.ReadStream(masterFd);
    this.reader.on("data", (b: Buffer) => this.events.emit("data", b.toString("latin1")));
    this.reader.on("error", () => this.shut("pseudo-terminal error"));
    this.reader.on("close", () => this.shut("pseudo-terminal closed"));
  }

  write(bytes: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error("pseudo-terminal is closed"));
    let buf: Buffer;
    try {
      buf = toBuffer(bytes);
    } catch (e) {
      return Promise.reject(e);
    }
    // Writes are chained so that bytes leave in order even when one waits out EAGAIN.
    const next = this.writing.then(() => this.writeAll(buf));
    this.writing = next.catch(() => undefined);
    return next;
  }

  private writeAll(buf: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let off = 0;
      const step = () => {
        if (this.closed) return reject(new Error("pseudo-terminal is closed"));
        fs.write(this.masterFd, buf, off, buf.length - off, null, (err, n) => {
          if (err && (err as NodeJS.ErrnoException).code === "EAGAIN") {
            setTimeout(step, 2); // the client has not read its buffer yet
            return;
          }
          if (err) return reject(err);
          off += n;
          if (off < buf.length) step();
          else resolve();
        });
      };
      step();
    });
  }

  onData(handler: (chunk: string) => void): Unsubscribe {
    return this.events.on("data", handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return this.events.on("close", handler);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.reader.destroy(); // closes the master descriptor: the slave is hung up
      try {
        fs.closeSync(this.slaveFd);
      } catch {
        // already closed
      }
    }
    this.shut("closed");
    return Promise.resolve();
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit("close", reason);
  }
}

export interface PtyModemServer {
  /** The slave path for the client program, e.g. /dev/pts/3. */
  path: string;
  serial: PtyMasterSerial;
  close(): Promise<void>;
}

/** Opens a pseudo-terminal in raw mode and serves `modem` on it. Needs node-pty and stty (Linux). */
export function servePty(modem: SimModem): PtyModemServer {
  const req = createRequire(import.meta.url);
  const mod = req("node-pty") as { native?: NativePty | null };
  if (!mod.native) throw new Error("pseudo-terminals are not available on this platform");
  // node-pty's open() would also read the slave (stealing the client's input): use the native openpty.
  const fds = mod.native.open(80, 24);
  try {
    execFileSync("stty", ["-F", fds.pty, "raw", "-echo"], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    fs.closeSync(fds.master);
    fs.closeSync(fds.slave);
    throw new Error("cannot put " + fds.pty + " in raw mode: " + (e as Error).message);
  }
  const serial = new PtyMasterSerial(fds.master, fds.slave);
  modem.connect(serial);
  return { path: fds.pty, serial, close: () => serial.close() };
}
