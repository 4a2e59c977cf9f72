/**
 * serialport's own binding, except that a device that hangs up is reported.
 *
 * When a tty is hung up (a USB modem unplugged, a pseudo-terminal's master closed),
 * read() returns 0 bytes from then on. serialport 13's unix read treats 0 bytes as
 * "try again" and retries at once, for ever: the process spins and the link never
 * reports that it went away (serialport/bindings-cpp issue #162, fix proposed in PR
 * #164). The port opens non-blocking with VMIN=1, so "no data yet" is EAGAIN, never
 * 0, and 0 can only mean end of file: this read says so with an error, which the
 * serialport stream turns into a `close` event with a disconnect error.
 */
import fs from "node:fs";
import { promisify } from "node:util";
import { SerialPort } from "serialport";

const fsRead = promisify(fs.read);

/** The parts of a unix serialport port binding this read needs (LinuxPortBinding, DarwinPortBinding). */
export interface UnixPort {
  fd: number | null;
  readonly isOpen: boolean;
  poller: { once(event: "readable", cb: (err?: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}

type Binding = typeof SerialPort.binding;

function canceled(): Error {
  return Object.assign(new Error("Port is not open"), { canceled: true });
}

/** One read of a unix port: bytes, or an error saying the device hung up (exported for tests). */
export async function readOrHangup(port: UnixPort, buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }> {
  for (;;) {
    if (!port.isOpen || port.fd === null) throw canceled();
    try {
      const { bytesRead } = await fsRead(port.fd, buffer, offset, length, null);
      if (bytesRead === 0) throw Object.assign(new Error("the device hung up"), { disconnect: true });
      return { bytesRead, buffer };
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { disconnect?: boolean };
      if (err.code === "EAGAIN" || err.code === "EWOULDBLOCK" || err.code === "EINTR") {
        if (!port.isOpen) throw canceled();
        await new Promise<void>((resolve, reject) =>
          port.poller.once("readable", (pe) => {
            if (!pe) resolve();
            // libuv reports a hung-up tty's POLLERR as EBADF; say what it means.
            else if ((pe as { canceled?: boolean }).canceled) reject(pe);
            else reject(Object.assign(new Error(`the device hung up (poll: ${pe.message})`), { disconnect: true }));
          }),
        );
        continue;
      }
      throw err;
    }
  }
}

/** serialport's detected binding with the hang-up-aware read on Linux and macOS. */
export function hangupAwareBinding(): Binding {
  const base = SerialPort.binding;
  if (process.platform === "win32") return base;
  const wrapped = {
    list: () => base.list(),
    async open(options: Parameters<Binding["open"]>[0]) {
      const port = await base.open(options as never);
      const unix = port as unknown as UnixPort;
      if (typeof unix.fd === "number" && unix.poller) {
        unix.read = (buffer, offset, length) => readOrHangup(unix, buffer, offset, length);
      }
      return port;
    },
  };
  return wrapped as unknown as Binding;
}
