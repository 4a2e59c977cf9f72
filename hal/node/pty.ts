/**
 * A pseudo-terminal whose master side is a `Serial`: another program (minicom, gammu,
 * our own `openNodeSerial`) opens the slave path as if it were a modem's serial port.
 * Linux and macOS; needs node-pty.
 *
 * The slave is put in raw mode without echo at once (`stty raw -echo`): in the default
 * cooked mode the line discipline would echo every byte written on the master back to
 * it, hold input until a newline and turn "\n" into "\r\n".
 *
 * While `holdSlave` is on (the default) we keep a slave descriptor open ourselves, so
 * programs may open and close the slave again and again without the master noticing.
 * After `releaseSlave()` the master sees the link close (EIO) once the last program
 * closes the slave.
 *
 * Writes to the master do not go through its tty stream: libuv cannot reopen a pty
 * master and falls back to blocking writes for it, which spin the event loop as soon as
 * the slave's buffer is full (and the program that should drain it is us). They go
 * through `fs.write` on the non-blocking descriptor instead, waiting out EAGAIN.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import { Duplex } from "node:stream";
import tty from "node:tty";
import type { Serial } from "../types.js";
import { SerialOpenError } from "../bytes.js";
import { StreamSerial } from "./serial.js";

export interface Pty {
  /** The slave's path (e.g. /dev/pts/3), for the other program. */
  path: string;
  /** Our end, the master side. Closing it hangs the slave up. */
  serial: Serial;
  /** Stops holding the slave open (see the file comment). Harmless twice. */
  releaseSlave(): void;
}

interface NativePty {
  open(cols: number, rows: number): { master: number; slave: number; pty: string };
}

function nativePty(): NativePty {
  const req = createRequire(import.meta.url);
  let mod: { native?: NativePty | null };
  try {
    mod = req("node-pty") as { native?: NativePty | null };
  } catch (e) {
    throw SerialOpenError("pseudo-terminals need the node-pty package: " + (e as Error).message, { spec: "pty", detail: "node-pty missing" });
  }
  if (!mod.native) throw SerialOpenError("pseudo-terminals are not available on this platform", { spec: "pty", detail: "no native pty" });
  return mod.native;
}

function rawMode(path: string): Promise<void> {
  const flag = process.platform === "darwin" ? "-f" : "-F";
  return new Promise<void>((resolve, reject) => {
    execFile("stty", [flag, path, "raw", "-echo"], (err, _out, errText) => {
      if (err) reject(SerialOpenError(`cannot set ${path} to raw mode: ${errText || err.message}`, { spec: path, detail: "stty" }));
      else resolve();
    });
  });
}

/** The master side as a byte stream: reads from its tty stream, writes with fs.write. */
class PtyMaster extends Duplex {
  private readonly reader: tty.ReadStream;

  constructor(private readonly fd: number) {
    super();
    this.reader = new tty.ReadStream(fd);
    this.reader.on("data", (buf: Buffer) => this.push(buf));
    // EIO here means every program closed the slave (after releaseSlave()).
    this.reader.on("error", (err: Error) => this.destroy(err));
    this.reader.on("close", () => this.destroy());
  }

  _read(): void {
    // Data is pushed as the tty stream delivers it.
  }

  _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let off = 0;
    const next = () => {
      if (this.destroyed) return done(new Error("pseudo-terminal closed"));
      fs.write(this.fd, chunk, off, chunk.length - off, null, (err, n) => {
        if (err && (err as NodeJS.ErrnoException).code === "EAGAIN") {
          // The slave's buffer is full: try again once its reader has had a turn.
          setTimeout(next, 1);
          return;
        }
        if (err) return done(err);
        off += n;
        if (off < chunk.length) next();
        else done();
      });
    };
    next();
  }

  _final(done: (err?: Error | null) => void): void {
    done();
  }

  _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    // Closing the tty stream closes the master descriptor, which hangs the slave up.
    if (!this.reader.destroyed) this.reader.destroy();
    done(err);
  }
}

/** Opens a new pseudo-terminal in raw mode. Rejects with SerialOpenError. */
export async function openPty(): Promise<Pty> {
  // node-pty's own open() also starts reading the slave, which would steal the other
  // program's input, so its native openpty binding is used directly.
  const fds = nativePty().open(80, 24);
  let slaveFd: number | undefined = fds.slave;
  const releaseSlave = () => {
    if (slaveFd === undefined) return;
    const fd = slaveFd;
    slaveFd = undefined;
    fs.close(fd, () => undefined);
  };
  try {
    await rawMode(fds.pty);
  } catch (e) {
    releaseSlave();
    fs.close(fds.master, () => undefined);
    throw e;
  }
  const master = new PtyMaster(fds.master);
  const serial = new StreamSerial(master, "the pseudo-terminal was hung up");
  serial.onClose(releaseSlave);
  return { path: fds.pty, serial, releaseSlave };
}
