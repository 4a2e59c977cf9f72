/**
 * Serving a simulated modem to programs outside the process: on a TCP port (a raw serial
 * server, like ser2net) or on a pseudo-terminal whose slave path (/dev/pts/N) a program
 * such as gammu or minicom opens as if it were a modem's serial port.
 *
 * The byte links themselves are hal/node's: `socketSerial` for a TCP client and
 * `openPty` for the pseudo-terminal (raw mode without echo, slave held open so that
 * clients may come and go; see hal/node/pty.ts for why).
 */
import net from "node:net";
import type { Serial } from "../../hal/types.js";
import { socketSerial } from "../../hal/node/serial.js";
import { openPty } from "../../hal/node/pty.js";
import type { SimModem } from "./modem.js";

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
  let current: Serial | undefined = undefined;
  const server = net.createServer((socket) => {
    if (current) {
      socket.destroy();
      return;
    }
    const serial = socketSerial(socket);
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
            if (current) void current.close();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface PtyModemServer {
  /** The slave path for the client program, e.g. /dev/pts/3. */
  path: string;
  /** The master side, as the modem sees it. */
  serial: Serial;
  /** Hangs the slave up. */
  close(): Promise<void>;
}

/**
 * Opens a pseudo-terminal in raw mode and serves `modem` on it. Needs node-pty and stty.
 * Rejects with SerialOpenError (hal/bytes) when no pseudo-terminal can be had.
 */
export async function servePty(modem: SimModem): Promise<PtyModemServer> {
  const pty = await openPty();
  modem.connect(pty.serial);
  return { path: pty.path, serial: pty.serial, close: () => pty.serial.close() };
}
