/**
 * `Serial` on Node: a serial device through `serialport`, or a raw TCP serial server
 * (`tcp://host:port`, as ser2net's raw mode or `sharedline sim --tcp` serve it).
 *
 * Bytes cross as latin1 byte strings both ways: each char is one byte, received bytes
 * 0x00..0xFF arrive unchanged, and a write holding a char above 0xFF is rejected
 * (NotByteStringError) instead of being cut to its low byte.
 */
import net from "node:net";
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";
import type { Serial, Unsubscribe } from "../types.js";
import { typedEmitter } from "./typed-emitter.js";
import { byteStringError, closedError, SerialOpenError } from "../bytes.js";
import { hangupAwareBinding } from "./hangup.js";

export { NotByteStringError, SerialClosedError, SerialOpenError } from "../bytes.js";

export interface NodeSerialOptions {
  /** Device links only: any rate the driver accepts, standard or not (default 115200). */
  baud?: number;
  /** Device links only: RTS/CTS hardware flow control (default "none"). */
  flow?: "none" | "rtscts";
  /** TCP links only: give up connecting after this many ms (default 10000). */
  connectTimeoutMs?: number;
}

export type SerialSpec = { kind: "tcp"; host: string; port: number } | { kind: "device"; path: string };

type Events = { data: (chunk: string) => void; close: (reason: string) => void };

/** Parses `tcp://host:port` (IPv6 as `tcp://[::1]:port`) or a device path. Throws SerialOpenError. */
export function parseSerialSpec(spec: string): SerialSpec {
  if (typeof spec !== "string" || spec.length === 0) throw SerialOpenError("no serial port given", { spec: String(spec), detail: "empty" });
  const scheme = spec.indexOf("://");
  if (scheme < 0) return { kind: "device", path: spec };
  if (spec.slice(0, scheme).toLowerCase() !== "tcp") {
    throw SerialOpenError(`unsupported serial port '${spec}': use a device path or tcp://host:port`, { spec, detail: "scheme" });
  }
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw SerialOpenError(`bad serial port '${spec}': expected tcp://host:port`, { spec, detail: "syntax" });
  }
  const port = Number(url.port);
  if (!url.hostname || !url.port || !(port >= 1 && port <= 65535) || (url.pathname !== "" && url.pathname !== "/") || url.search || url.username) {
    throw SerialOpenError(`bad serial port '${spec}': expected tcp://host:port`, { spec, detail: "syntax" });
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { kind: "tcp", host, port };
}

/**
 * Opens a serial link. `spec` is a device path (`/dev/ttyUSB2`, `/dev/pts/3`) or
 * `tcp://host:port`. Rejects with SerialOpenError saying what is wrong (no such device,
 * permission, busy, connection refused, unknown host, timeout).
 */
export async function openNodeSerial(spec: string, opts: NodeSerialOptions = {}): Promise<Serial> {
  const parsed = parseSerialSpec(spec);
  if (parsed.kind === "tcp") return connectTcp(spec, parsed.host, parsed.port, opts.connectTimeoutMs ?? 10000);
  const baud = opts.baud ?? 115200;
  if (!Number.isInteger(baud) || baud <= 0) throw SerialOpenError(`bad baud rate ${baud} for ${spec}`, { spec, detail: "baud" });
  const flow = opts.flow ?? "none";
  if (flow !== "none" && flow !== "rtscts") throw SerialOpenError(`bad flow control '${flow}' for ${spec}: none or rtscts`, { spec, detail: "flow" });
  // `binding` is not in SerialPort's option type, but SerialPort passes it on to the
  // stream over its default (see hangup.ts for why this one).
  const options = { path: parsed.path, baudRate: baud, rtscts: flow === "rtscts", autoOpen: false, binding: hangupAwareBinding() };
  const port = new SerialPort(options as ConstructorParameters<typeof SerialPort>[0]);
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(deviceOpenError(spec, err)) : resolve()));
  });
  return new StreamSerial(port, "device disconnected");
}

/** A `Serial` over an already-connected socket (the server side of `sim --tcp`, tests). */
export function socketSerial(socket: net.Socket): Serial {
  socket.setNoDelay(true);
  return new StreamSerial(socket, "peer closed the connection");
}

/**
 * A `Serial` over any byte stream whose `write(buf, cb)` calls back once the bytes are
 * handed to the OS and that emits `close` when it goes away (a SerialPort, a socket, a
 * pty master).
 */
export class StreamSerial implements Serial {
  private events = typedEmitter<Events>();
  /** Set once the link is gone; what onClose said. */
  private closedReason: string | undefined = undefined;
  private closeDone: Promise<void> | undefined = undefined;
  private lastError: Error | undefined = undefined;

  /** `lostReason`: what `onClose` says when the stream ends without `close()`. */
  constructor(
    private readonly stream: Duplex | SerialPort,
    private readonly lostReason: string,
  ) {
    stream.on("data", (buf: Buffer) => {
      if (this.closedReason === undefined && !this.closeDone) this.events.emit("data", buf.toString("latin1"));
    });
    // Errors are followed by `close`; keep the first one to say why the link went.
    stream.on("error", (err: Error) => {
      this.lastError = this.lastError ?? err;
    });
    // SerialPort passes its disconnect error to `close`; sockets pass a boolean.
    stream.on("close", (arg?: unknown) => {
      const err = arg instanceof Error ? arg : this.lastError;
      const lost = err ? `${this.lostReason}: ${err.message}` : this.lostReason;
      this.shut(this.closeDone ? "closed" : lost);
    });
  }

  write(bytes: string): Promise<void> {
    if (this.closeDone) return Promise.reject(closedError("closed"));
    if (this.closedReason !== undefined) return Promise.reject(closedError(this.closedReason));
    const bad = byteStringError(bytes);
    if (bad) return Promise.reject(bad);
    return new Promise<void>((resolve, reject) => {
      this.stream.write(Buffer.from(bytes, "latin1"), (err?: Error | null) => {
        if (!err) resolve();
        else reject(this.closedReason !== undefined ? closedError(this.closedReason) : err);
      });
    });
  }

  onData(handler: (chunk: string) => void): Unsubscribe {
    this.events.on("data", handler);
    return () => void this.events.off("data", handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    this.events.on("close", handler);
    return () => void this.events.off("close", handler);
  }

  close(): Promise<void> {
    if (this.closeDone) return this.closeDone;
    if (this.closedReason !== undefined) return Promise.resolve();
    this.closeDone = new Promise<void>((resolve) => {
      const s = this.stream;
      if (s instanceof SerialPort) {
        s.close(() => {
          this.shut("closed");
          resolve();
        });
        return;
      }
      s.once("close", () => resolve());
      // Flush what is queued, then drop the link even if the peer never closes its side.
      s.end(() => s.destroy());
    });
    return this.closeDone;
  }

  private shut(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.events.emit("close", reason);
  }
}

function deviceOpenError(spec: string, err: Error): Error {
  const m = err.message;
  let why = m;
  if (/No such file or directory/i.test(m)) why = "no such device (is the modem plugged in and the path right?)";
  else if (/Permission denied/i.test(m)) why = "permission denied (is this user in the dialout group?)";
  else if (/lock|busy|Resource temporarily unavailable/i.test(m)) why = "the device is busy (another program has it open)";
  else if (/Inappropriate ioctl|Not a typewriter/i.test(m)) why = "not a serial device";
  return SerialOpenError(`cannot open ${spec}: ${why}`, { spec, detail: m });
}

function connectTcp(spec: string, host: string, port: number, timeoutMs: number): Promise<Serial> {
  return new Promise<Serial>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (why: string, detail: string) => {
      socket.destroy();
      reject(SerialOpenError(`cannot connect to ${spec}: ${why}`, { spec, detail }));
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code ?? "";
      if (code === "ECONNREFUSED") fail("connection refused (is the serial server, e.g. `sharedline sim --tcp`, running?)", code);
      else if (code === "ENOTFOUND" || code === "EAI_AGAIN") fail(`unknown host '${host}'`, code);
      else if (code === "EHOSTUNREACH" || code === "ENETUNREACH") fail("host unreachable", code);
      else fail(err.message, code || err.message);
    };
    const onTimeout = () => fail(`no answer within ${timeoutMs} ms`, "timeout");
    socket.once("error", onError);
    socket.setTimeout(timeoutMs, onTimeout);
    socket.once("connect", () => {
      socket.off("error", onError);
      socket.setTimeout(0);
      socket.off("timeout", onTimeout);
      resolve(socketSerial(socket));
    });
  });
}
