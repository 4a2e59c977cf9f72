/**
 * `Serial` over an Espruino UART (`Serial1`, or any object with the same
 * setup/on/removeListener/write methods, which is how tests drive it).
 *
 * Espruino delivers received bytes as byte strings from its event loop, already
 * asynchronous, so they are passed straight on. `write` hands the bytes to the UART's
 * transmit buffer (Espruino blocks while that buffer is full). A UART cannot go away,
 * so `onClose` fires only on `close()`.
 */
import type { Serial, Unsubscribe } from "../types.js";
import { Emitter } from "../emitter.js";
import { byteStringError, closedError, SerialOpenError } from "../bytes.js";

export interface EspruinoSerialOptions {
  baud: number;
  /** Pin names, e.g. "D29"; omitted on boards whose UART pins are fixed. */
  rx?: string;
  tx?: string;
  /** Input pin for hardware flow control (transmission pauses while it is high). */
  cts?: string;
  /** Linux build only: a host tty to bind instead of pins (espruino-facts.md). */
  path?: string;
}

type Events = { data: string; close: string };

/**
 * On a Unicode build a string flagged as UTF-8 is sent UTF-8-encoded even when all its
 * chars are below 0x100 (espruino-facts.md), so such a string is rebuilt as plain bytes.
 */
function plainBytes(s: string): string {
  if (typeof E === "undefined" || !E.isUTF8 || !E.isUTF8(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(s.charCodeAt(i));
  return out;
}

export class EspruinoSerial implements Serial {
  private events = new Emitter<Events>();
  private closedReason: string | undefined = undefined;
  private readonly handler: (data: string) => void;

  /** Sets the UART up at `opts.baud` and starts listening. Throws SerialOpenError on a bad baud rate. */
  constructor(
    private readonly uart: EspruinoUart,
    opts: EspruinoSerialOptions,
  ) {
    if (typeof opts.baud !== "number" || !(opts.baud > 0) || Math.floor(opts.baud) !== opts.baud) {
      throw SerialOpenError("bad baud rate " + opts.baud, { spec: "uart", detail: "baud" });
    }
    const setup: EspruinoSerialSetup = {};
    if (opts.rx) setup.rx = opts.rx;
    if (opts.tx) setup.tx = opts.tx;
    if (opts.cts) setup.cts = opts.cts;
    if (opts.path) setup.path = opts.path;
    const events = this.events;
    const self = this;
    this.handler = function (data: string) {
      if (self.closedReason === undefined) events.emit("data", data);
    };
    uart.setup(opts.baud, setup);
    uart.on("data", this.handler);
  }

  write(bytes: string): Promise<void> {
    const e = this.writeNow(bytes);
    return e === undefined ? Promise.resolve() : Promise.reject(e);
  }

  /** The UART's write is synchronous (Espruino blocks while its buffer is full). */
  writeNow(bytes: string): Error | undefined {
    if (this.closedReason !== undefined) return closedError(this.closedReason);
    const bad = byteStringError(bytes);
    if (bad) return bad;
    try {
      this.uart.write(plainBytes(bytes));
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
    return undefined;
  }

  onData(handler: (chunk: string) => void): Unsubscribe {
    return this.events.on("data", handler);
  }

  onClose(handler: (reason: string) => void): Unsubscribe {
    return this.events.on("close", handler);
  }

  close(): Promise<void> {
    if (this.closedReason !== undefined) return Promise.resolve();
    this.closedReason = "closed";
    this.uart.removeListener("data", this.handler);
    if (this.uart.unsetup) this.uart.unsetup();
    this.events.emit("close", "closed");
    return Promise.resolve();
  }
}

/**
 * The board's modem UART by its Espruino name (`Serial1`, `Serial2`, ...; boards.json
 * `serial.port`); Espruino only. Throws SerialOpenError when this firmware has no such UART.
 */
export function openUart(port: string, opts: EspruinoSerialOptions): EspruinoSerial {
  const uart = (globalThis as unknown as { [name: string]: EspruinoUart | undefined })[port];
  if (!/^Serial[1-6]$/.test(port) || !uart || typeof uart.setup !== "function") {
    throw SerialOpenError("this Espruino firmware has no UART " + port, { spec: port, detail: "no such UART" });
  }
  return new EspruinoSerial(uart, opts);
}
