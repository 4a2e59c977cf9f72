/**
 * Packet data and TCP sockets through the modem's own IP stack, per vendor dialect.
 *
 * Buffer access mode only, never transparent mode (companion-link.md §1.1, §1.6): the
 * module keeps received data and says so with a notice; we read it with a command. The
 * AT channel is line based, so socket data crosses it as hex text: sends with
 * `AT+QISENDEX` (hex string, binary safe), reads with the receive format set to hex
 * (`AT+QICFG="dataformat",0,1`). Twice the bytes on the UART, none more over the air,
 * and a CR, LF or NUL inside MQTT bytes can never end a line or a command early.
 *
 * Source: Quectel "BG95&BG77&BG600L Series TCP/IP Application Note" V1.1 (AN below) and
 * the "EC2x&EG9x TCP/IP Application Note" (the same command set on the EG91): §2.3.4
 * QIOPEN, §2.3.5 QICLOSE, §2.3.6 QISTATE, §2.3.8 QIRD, §2.3.9 QISENDEX, §2.3.11 QICFG,
 * §2.4 QIURC. Packet data (the context under the sockets) is packet.ts.
 */
import type { AtCommand, AtResponse } from "../at/index.js";
import { atInt, atQuoted } from "../at/index.js";
import { paramsOf } from "../at/params.js";
import { int } from "./packet.js";
import { quectelPdpDeact } from "./context-loss.js";

/** What a socket or packet-data notice says. */
export type SocketNotice =
  | { type: "opened"; id: number; error: number }
  | { type: "recv"; id: number }
  | { type: "closed"; id: number }
  /** The module could not carry what we sent (SIMCom `+CIPSEND` short count): the socket is done. */
  | { type: "failed"; id: number; reason: string }
  /** The network (or the module) dropped the PDP context: every socket on it is gone. */
  | { type: "deactivated"; ctx: number; source: string };

export interface SocketService {
  /** Asks whether the service is open already. */
  query: AtCommand;
  isOpen(r: AtResponse): boolean;
  /** Opens it: the answer is OK, the outcome a URC starting with `resultPrefix`. */
  open: AtCommand;
  resultPrefix: string;
  /** The result code of that URC (0 = open). */
  parseResult(line: string): number;
  /** How long the result may take (ms). */
  timeoutMs: number;
  /**
   * Closes a service the network broke under us but the module still calls open (SIMCom:
   * after `+CIPEVENT` the manual asks for AT+NETCLOSE before AT+NETOPEN): the command,
   * and the prefix of its result URC.
   */
  close: AtCommand;
  closePrefix: string;
}

export interface SocketDialect {
  name: string;
  /** Socket ids the module offers (0..count-1). */
  socketCount: number;
  /** Most bytes one send command carries. */
  maxSend: number;
  /** Most bytes one read command returns. */
  maxRead: number;
  /** How long the module may take to report an open (ms; AN §2.3.4: 150 s). */
  openTimeoutMs: number;
  /** Commands that set the receive mode and data format, run once per bring-up. */
  setup(ctx: number): AtCommand[];
  /**
   * A socket service to open on the active context before any socket (SIMCom
   * `AT+NETOPEN`: OK, then a result URC); absent when the context is all it takes.
   */
  service?: SocketService;
  /** Lists sockets the module still holds (stale ones are closed at start). */
  listSockets(): AtCommand;
  parseSockets(r: AtResponse): number[];
  open(ctx: number, id: number, host: string, port: number): AtCommand;
  /** Sends `bytes` (a byte string of at most `maxSend`). */
  send(id: number, bytes: string): AtCommand;
  read(id: number, max: number): AtCommand;
  /** The bytes a read returned ("" = buffer empty). Throws on a malformed answer. */
  parseRead(r: AtResponse): string;
  /**
   * How many bytes a read says are still buffered, when the dialect tells (SIMCom
   * `<rest_len>`): 0 ends the drain without one more, empty, read. Absent: read until empty.
   */
  parseRest?(r: AtResponse): number;
  /** Asks how many bytes wait unread (the poll after sends: notices get lost). */
  unread(id: number): AtCommand;
  parseUnread(r: AtResponse): number;
  close(id: number): AtCommand;
  /** URC prefixes the dialect's notices use. */
  noticePrefixes: string[];
  parseNotice(line: string): SocketNotice | undefined;
}

const HEX = "0123456789ABCDEF";

/**
 * Most bytes one read may return when data is read as hex: its data line (two characters
 * a byte) must fit the AT channel's default line limit of 1024 bytes.
 */
export const MAX_HEX_READ = 500;

/** A byte string as upper-case hex text. */
export function bytesToHexText(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i) & 0xff;
    out += HEX.charAt(c >> 4) + HEX.charAt(c & 15);
  }
  return out;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Hex text back to a byte string; throws on odd length or a non-hex digit. */
export function hexTextToBytes(hex: string): string {
  if (hex.length % 2 !== 0) throw new Error("socket data: odd number of hex digits (" + hex.length + ")");
  let out = "";
  for (let i = 0; i < hex.length; i += 2) {
    const hi = nibble(hex.charCodeAt(i));
    const lo = nibble(hex.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw new Error("socket data: " + JSON.stringify(hex.substr(i, 2)) + " is not a hex byte");
    out += String.fromCharCode(hi * 16 + lo);
  }
  return out;
}


/** A host name or address for an open command: what 27.007 strings may hold, no spaces. */
function hostParam(host: string): string {
  if (host.length === 0 || host.indexOf(" ") >= 0) throw new Error("socket: bad host " + JSON.stringify(host));
  return atQuoted("host", host, 150);
}

/** Quectel BG95 / BG96 / EG91: `AT+QI*` in buffer access mode, data as hex. */
export const quectelSockets: SocketDialect = {
  name: "quectel",
  socketCount: 12,
  // QISENDEX carries at most 512 bytes (AN §2.3.9); 480 keeps the line under 1 KB.
  maxSend: 480,
  // AN §2.3.8 allows <read_length> up to 1500, but in hex (§2.3.11 <recv_data_format> 1)
  // that is a 3000-character data line, three times the AT channel's line limit (1 KB,
  // drivers/at/channel.ts maxLineLength): it would be dropped as an overflow and the bytes
  // lost. 500 bytes are 1000 hex characters, the same bound as SIMCom's AT+CIPRXGET=3.
  maxRead: MAX_HEX_READ,
  openTimeoutMs: 150000,
  setup() {
    // AN §2.3.11: <send_data_format>=0 (text; QISENDEX is hex anyway), <recv_data_format>=1 (hex).
    return [{ cmd: 'AT+QICFG="dataformat",0,1' }];
  },
  listSockets() {
    return { cmd: "AT+QISTATE?", prefixes: ["+QISTATE:"] };
  },
  parseSockets(r) {
    const out: number[] = [];
    for (let i = 0; i < r.lines.length; i++) {
      const p = paramsOf(r.lines[i], "+QISTATE:");
      if (p && int(p[0]) >= 0) out.push(int(p[0]));
    }
    return out;
  },
  open(ctx, id, host, port) {
    // AN §2.3.4: <access_mode> 0 = buffer access; <local_port> 0 = any. The answer is
    // OK at once and `+QIOPEN: <connectID>,<err>` later.
    return {
      cmd:
        "AT+QIOPEN=" +
        atInt("context", ctx, 1, 16) +
        "," +
        atInt("socket", id, 0, 11) +
        ',"TCP",' +
        hostParam(host) +
        "," +
        atInt("port", port, 1, 65535) +
        ",0,0",
    };
  },
  send(id, bytes) {
    if (bytes.length === 0 || bytes.length > 480) throw new Error("socket: send of " + bytes.length + " bytes (1..480)");
    // AN §2.3.9: `SEND OK`, `SEND FAIL` (the module's buffer is full) or `ERROR`.
    return { cmd: "AT+QISENDEX=" + atInt("socket", id, 0, 11) + ',"' + bytesToHexText(bytes) + '"', timeoutMs: 10000 };
  },
  read(id, max) {
    return { cmd: "AT+QIRD=" + atInt("socket", id, 0, 11) + "," + atInt("length", max, 1, MAX_HEX_READ), prefixes: ["+QIRD:"], mode: "pdu-listing" };
  },
  parseRead(r) {
    // `+QIRD: <read_actual_length>` then the data line (hex), or `+QIRD: 0` when empty.
    const head = r.pdus.length > 0 ? r.pdus[0].header : r.lines[0] || "";
    const p = paramsOf(head, "+QIRD:");
    if (!p) throw new Error("socket read: no +QIRD line");
    const n = int(p[0]);
    if (n < 0) throw new Error("socket read: bad length in " + JSON.stringify(head));
    if (n === 0) return "";
    const data = r.pdus.length > 0 ? hexTextToBytes(r.pdus[0].pdu) : "";
    if (data.length !== n) throw new Error("socket read: " + n + " bytes announced, " + data.length + " received");
    return data;
  },
  unread(id) {
    return { cmd: "AT+QIRD=" + atInt("socket", id, 0, 11) + ",0", prefixes: ["+QIRD:"] };
  },
  parseUnread(r) {
    // `+QIRD: <total_receive_length>,<have_read_length>,<unread_length>`.
    const p = paramsOf(r.lines[0] || "", "+QIRD:");
    return p && p.length >= 3 ? int(p[2]) : 0;
  },
  close(id) {
    // AN §2.3.5: a short <timeout> (s) so the channel is not held while the peer's FIN is awaited.
    return { cmd: "AT+QICLOSE=" + atInt("socket", id, 0, 11) + ",1", timeoutMs: 5000 };
  },
  noticePrefixes: ["+QIURC:", "+QIOPEN:"],
  parseNotice(line) {
    let p = paramsOf(line, "+QIOPEN:");
    if (p) return p.length >= 2 ? { type: "opened", id: int(p[0]), error: int(p[1]) } : undefined;
    p = paramsOf(line, "+QIURC:");
    if (!p) return undefined;
    if (p[0] === "recv") return { type: "recv", id: int(p[1]) };
    if (p[0] === "closed") return { type: "closed", id: int(p[1]) };
    return quectelPdpDeact(p);
  },
};
