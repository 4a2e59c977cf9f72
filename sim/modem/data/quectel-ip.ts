/**
 * Quectel's TCP/IP command set, as the BG95 and EG91 profiles of the simulated modem
 * answer it. Syntax and behaviour from Quectel "BG95&BG77&BG600L Series TCP/IP
 * Application Note" V1.1 (section numbers below are its §2.3 command descriptions, as
 * companion-link.md §1.1 quotes them; the rest are named by command) and "BG96 TCP/IP AT
 * Commands Manual" V1.0; the
 * EG91's "LTE Standard TCP/IP Application Note" uses the same set.
 *
 * Only buffer access mode (<access_mode> 0) is offered: the module keeps received data
 * and says `+QIURC: "recv",<connectID>` once, then nothing more for that socket until the
 * client has read the buffer empty with `AT+QIRD` (§2.3.8, §2.4.2: the trap drivers fall
 * into). Direct push and transparent mode answer `+CME ERROR: 555` (operation not
 * supported). Sockets are real TCP connections (tcp-link.ts).
 */
import type { SimModem } from "../modem.js";
import type { Args, CommandTable } from "../commands/types.js";
import { Reply, cme, ok } from "../results.js";
import type { DataUser, EndedBy, PdpType } from "./packet.js";
import { TcpLink, isDnsFailure } from "./tcp-link.js";
import { fromHexText, toHex } from "./hex-text.js";

/** Quectel TCP/IP result codes (BG95 TCP/IP AN, "Summary of error codes"). */
export const QI_ERR = {
  ok: 0,
  unknown: 550,
  invalidParameters: 552,
  notSupported: 555,
  openPdpFailed: 561,
  socketIdInUse: 563,
  dnsParseFailed: 565,
  connectFailed: 566,
  socketClosed: 567,
  pdpBrokenDown: 570,
  notAllowed: 572,
};

const QI_TEXT: { [code: number]: string } = {
  0: "operation success",
  550: "unknown error",
  552: "invalid parameters",
  555: "operation not supported",
  561: "open PDP context failed",
  563: "socket identity has been used",
  565: "DNS parse failed",
  566: "socket connect failed",
  567: "socket has been closed",
  570: "PDP context broken down",
  572: "operation not allowed",
};

/** connectID 0..11 (§2.3.4). */
const SOCKETS = 12;
/** <send_length> at most 1460 (§2.3.7); one `AT+QIRD` returns at most 1500 (§2.3.8). */
const MAX_SEND = 1460;
const MAX_READ = 1500;

interface QSocket {
  id: number;
  cid: number;
  link: TcpLink;
  /** `+QIURC: "recv"` was sent and the buffer has not been read empty since. */
  notified: boolean;
  /** The connection ended (peer close, PDP loss) and the client has not yet `AT+QICLOSE`d it: <socket_state> 4. */
  ended: boolean;
}

/** <context_type> of +QICSGP/+QIACT: 1 IPv4, 2 IPv6, 3 IPv4v6. */
const CONTEXT_TYPES: PdpType[] = ["IP", "IPV6", "IPV4V6"];

export class QuectelIp implements DataUser {
  private readonly sockets: (QSocket | undefined)[] = [];
  /** The result of the last TCP/IP command, for `AT+QIGETERROR` (BG95 TCP/IP AN, AT+QIGETERROR). */
  lastError = 0;
  /** AT+QICFG="dataformat",<send_data_format>,<recv_data_format>: hex (true) or text for data typed after `> ` and data read by `AT+QIRD`. */
  sendHex = false;
  recvHex = false;

  constructor(private readonly m: SimModem) {}

  socket(id: number): QSocket | undefined {
    return this.sockets[id];
  }

  open(cid: number, id: number, host: string, port: number): void {
    const urc = (err: number) => {
      this.lastError = err;
      this.m.urc("+QIOPEN: " + id + "," + err);
    };
    if (this.sockets[id]) return urc(QI_ERR.socketIdInUse);
    const ctx = this.m.data.get(cid);
    if (!ctx || !ctx.active) return urc(QI_ERR.openPdpFailed);
    const s: QSocket = {
      id,
      cid,
      notified: false,
      ended: false,
      link: new TcpLink(host, port, cid, {
        opened: (err) => {
          if (this.sockets[id] !== s) return;
          if (!err) return urc(QI_ERR.ok);
          // A failed open leaves no socket behind (§2.3.4: the client closes it; nothing to close here).
          this.sockets[id] = undefined;
          urc(isDnsFailure(err) ? QI_ERR.dnsParseFailed : QI_ERR.connectFailed);
        },
        data: () => {
          if (this.sockets[id] !== s || s.notified) return;
          s.notified = true;
          if (!this.m.loseDataNotice()) this.m.urc('+QIURC: "recv",' + id);
        },
        peerClosed: () => {
          if (this.sockets[id] !== s) return;
          s.ended = true;
          this.m.urc('+QIURC: "closed",' + id);
        },
      }),
    };
    this.sockets[id] = s;
  }

  /** Fault: the module loses the connection by itself; unread data stays readable, as after a peer close. */
  faultClose(id: number): boolean {
    const s = this.sockets[id];
    if (!s || s.ended) return false;
    s.ended = true;
    s.link.drop();
    this.m.urc('+QIURC: "closed",' + id);
    return true;
  }

  close(id: number): void {
    const s = this.sockets[id];
    if (!s) return;
    this.sockets[id] = undefined;
    s.link.close();
  }

  /** <socket_state> of +QISTATE: 1 opening, 2 connected, 4 closing. */
  private state(s: QSocket): number {
    if (s.ended || s.link.state === "closed" || s.link.state === "closing") return 4;
    return s.link.state === "opening" ? 1 : 2;
  }

  stateLine(s: QSocket): string {
    // +QISTATE: <connectID>,<service_type>,<IP_address>,<remote_port>,<local_port>,<socket_state>,<contextID>,<serverID>,<access_mode>,<AT_port>
    return "+QISTATE: " + [s.id, '"TCP"', '"' + s.link.host + '"', s.link.port, s.link.localPort, this.state(s), s.cid, 0, 0, '"uart1"'].join(",");
  }

  all(): QSocket[] {
    return this.sockets.filter((s): s is QSocket => s !== undefined);
  }

  contextEnded(cid: number, by: EndedBy): void {
    for (const s of this.all()) {
      if (s.cid !== cid) continue;
      s.link.drop();
      // AT+QIDEACT closes the context's sockets; a network deactivation leaves them for the client to close.
      if (by === "me") this.sockets[s.id] = undefined;
      else s.ended = true;
    }
    // +QIURC: "pdpdeact" (BG95 TCP/IP AN, the URCs of the TCP/IP application): the network deactivated the context; the client must AT+QIDEACT it and close its sockets.
    if (by === "nw") this.m.urc('+QIURC: "pdpdeact",' + cid);
  }

  reset(): void {
    for (const s of this.all()) s.link.drop();
    this.sockets.length = 0;
    this.lastError = 0;
    this.sendHex = false;
    this.recvHex = false;
  }
}

function ip(m: SimModem): QuectelIp {
  return m.stacks.quectelIp!;
}

/** A failed TCP/IP command: `+CME ERROR: <err>` with Quectel's code, remembered for +QIGETERROR. */
function qiError(m: SimModem, code: number): Error {
  ip(m).lastError = code;
  return cme(code);
}

function socketArg(a: Args, i: number): number {
  return a.int(i, 0, SOCKETS - 1);
}

/** Ends a send prompt: the bytes go to the socket's send buffer. */
function sendBytes(m: SimModem, id: number, bytes: string): Reply {
  const s = ip(m).socket(id);
  if (!s || s.ended) throw qiError(m, QI_ERR.socketClosed);
  const r = s.link.send(bytes);
  if (r === "closed") throw qiError(m, QI_ERR.socketClosed);
  // §2.3.7: SEND OK means the module took the data, not that the peer has it; SEND FAIL: its send buffer is full.
  return { lines: [], final: { kind: "text", text: r === "ok" ? "SEND OK" : "SEND FAIL" } };
}

export const quectelIpCommands: CommandTable = {
  // AT+QICSGP=<contextID>[,<context_type>,<APN>[,<username>,<password>[,<authentication>]]]
  "+QICSGP": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(6);
      const cid = a.int(0, 1, 15);
      if (a.count === 1) {
        const c = m.data.get(cid);
        const type = c ? CONTEXT_TYPES.indexOf(c.type) + 1 : 1;
        return ok("+QICSGP: " + type + ',"' + (c ? c.apn : "") + '","' + (c ? c.user : "") + '","' + (c ? c.password : "") + '",' + (c ? c.auth : 0));
      }
      const type = CONTEXT_TYPES[a.int(1, 1, 3) - 1];
      const apn = a.str(2, "");
      const user = a.str(3, "");
      const password = a.str(4, "");
      const auth = a.int(5, 0, 3, 0);
      m.data.define(cid, type, apn, { user, password, auth });
      return ok();
    },
    test: () => ok('+QICSGP: (1-15),(1-3),"APN","USERNAME","PASSWORD",(0-3)'),
  },
  // AT+QIACT=<contextID>: activation waits for the network (up to 150 s on a real module).
  "+QIACT": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(1);
      m.data.activate(a.int(0, 1, 15));
      return ok();
    },
    // +QIACT: <contextID>,<context_state>,<context_type>[,<IP_address>] for each active context.
    read: (m) => ok(...m.data.list().filter((c) => c.active).map((c) => "+QIACT: " + c.cid + ",1," + (CONTEXT_TYPES.indexOf(c.type) + 1) + ',"' + c.address + '"')),
    test: () => ok("+QIACT: (1-15)"),
  },
  // §2.3.3 AT+QIDEACT=<contextID>: closes every socket of the context.
  "+QIDEACT": {
    set: (m, a) => {
      a.atMost(1);
      m.data.deactivate(a.int(0, 1, 15));
      return ok();
    },
    test: () => ok("+QIDEACT: (1-15)"),
  },
  // §2.3.4 AT+QIOPEN=<contextID>,<connectID>,<service_type>,<IP_address>/<domain_name>,<remote_port>[,<local_port>[,<access_mode>]]
  // OK at once, then +QIOPEN: <connectID>,<err> when the connection is up or has failed.
  "+QIOPEN": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(7);
      const cid = a.int(0, 1, 15);
      const id = socketArg(a, 1);
      const service = a.str(2).toUpperCase();
      const host = a.str(3);
      const port = a.int(4, 1, 65535);
      a.int(5, 0, 65535, 0);
      const mode = a.int(6, 0, 2, 0);
      if (host === "") throw qiError(m, QI_ERR.invalidParameters);
      if (service !== "TCP" || mode !== 0) throw qiError(m, QI_ERR.notSupported);
      ip(m).open(cid, id, host, port);
      return ok();
    },
    test: () => ok('+QIOPEN: (1-15),(0-11),"TCP/UDP/TCP LISTENER/UDP SERVICE","<IP_address>/<domain_name>",<remote_port>,<local_port>,(0-2)'),
  },
  // AT+QICLOSE=<connectID>[,<timeout>]: the socket is gone when OK comes.
  "+QICLOSE": {
    set: (m, a) => {
      a.atMost(2);
      const id = socketArg(a, 0);
      a.int(1, 0, 65535, 10);
      ip(m).close(id);
      return ok();
    },
    test: () => ok("+QICLOSE: (0-11),(0-65535)"),
  },
  // AT+QISTATE? / AT+QISTATE=<query_type>,<contextID|connectID>
  "+QISTATE": {
    read: (m) => ok(...ip(m).all().map((s) => ip(m).stateLine(s))),
    set: (m, a) => {
      a.atMost(2);
      const kind = a.int(0, 0, 1);
      const n = kind === 0 ? a.int(1, 1, 15) : socketArg(a, 1);
      const hits = ip(m)
        .all()
        .filter((s) => (kind === 0 ? s.cid === n : s.id === n));
      return ok(...hits.map((s) => ip(m).stateLine(s)));
    },
    test: () => ok(),
  },
  // §2.3.7 AT+QISEND=<connectID>[,<send_length>]: `> `, then the bytes; =<connectID>,0 queries the counters.
  "+QISEND": {
    set: (m, a) => {
      a.atMost(2);
      const id = socketArg(a, 0);
      const s = ip(m).socket(id);
      if (a.has(1) && a.int(1, 0, MAX_SEND) === 0) {
        if (!s) throw qiError(m, QI_ERR.socketClosed);
        // +QISEND: <total_send_length>,<ackedbytes>,<unackedbytes>
        return ok("+QISEND: " + s.link.txTotal + "," + s.link.acked + "," + (s.link.txTotal - s.link.acked));
      }
      if (!s || s.ended || s.link.state !== "connected") throw qiError(m, QI_ERR.socketClosed);
      if (a.has(1)) {
        const length = a.int(1, 1, MAX_SEND);
        // In hex send format <send_length> counts bytes and twice as many digits are typed.
        if (ip(m).sendHex) {
          return {
            lines: [],
            prompt: {
              length: length * 2,
              onPdu: (hex) => {
                const bytes = fromHexText(hex);
                if (bytes === undefined) throw qiError(m, QI_ERR.invalidParameters);
                return sendBytes(m, id, bytes);
              },
            },
          };
        }
        return { lines: [], prompt: { length, onPdu: (bytes) => sendBytes(m, id, bytes) } };
      }
      // Variable length: up to Ctrl-Z (ESC cancels), so not binary-safe.
      return {
        lines: [],
        prompt: {
          onPdu: (text) => {
            if (text.length > MAX_SEND) throw qiError(m, QI_ERR.invalidParameters);
            return sendBytes(m, id, text);
          },
        },
      };
    },
    test: () => ok("+QISEND: (0-11),(0-1460)"),
  },
  // §2.3.8 AT+QIRD=<connectID>[,<read_length>]; <read_length> 0 queries the counters.
  "+QIRD": {
    set: (m, a) => {
      a.atMost(2);
      const id = socketArg(a, 0);
      const s = ip(m).socket(id);
      if (!s) throw qiError(m, QI_ERR.socketClosed);
      const want = a.int(1, 0, MAX_READ, MAX_READ);
      // +QIRD: <total_receive_length>,<have_read_length>,<unread_length>
      if (want === 0) return ok("+QIRD: " + s.link.rxTotal + "," + s.link.rxRead + "," + s.link.unread);
      const data = s.link.read(want);
      // Drained: the next arrival is announced again.
      if (s.link.unread === 0) s.notified = false;
      if (data.length === 0) return ok("+QIRD: 0");
      return ok("+QIRD: " + data.length, ip(m).recvHex ? toHex(data) : data);
    },
    test: () => ok("+QIRD: (0-11),(0-1500)"),
  },
  // AT+QISENDEX=<connectID>,"<hex_string>": up to 512 bytes given as hex digits, binary-safe on a line-based channel.
  "+QISENDEX": {
    set: (m, a) => {
      a.atMost(2);
      const id = socketArg(a, 0);
      const bytes = fromHexText(a.str(1));
      if (bytes === undefined || bytes.length === 0 || bytes.length > 512) throw qiError(m, QI_ERR.invalidParameters);
      const s = ip(m).socket(id);
      if (!s || s.ended || s.link.state !== "connected") throw qiError(m, QI_ERR.socketClosed);
      return sendBytes(m, id, bytes);
    },
    test: () => ok('+QISENDEX: (0-11),"<hex_string>"'),
  },
  // AT+QICFG="dataformat"[,<send_data_format>,<recv_data_format>]: 0 text, 1 hex.
  "+QICFG": {
    set: (m, a) => {
      const what = a.str(0).toLowerCase();
      if (what !== "dataformat") throw qiError(m, QI_ERR.notSupported);
      a.atMost(3);
      const q = ip(m);
      if (a.count === 1) return ok('+QICFG: "dataformat",' + (q.sendHex ? 1 : 0) + "," + (q.recvHex ? 1 : 0));
      q.sendHex = a.int(1, 0, 1) === 1;
      q.recvHex = a.int(2, 0, 1) === 1;
      return ok();
    },
    test: () => ok('+QICFG: "dataformat",(0,1),(0,1)'),
  },
  // AT+QIGETERROR: the result of the last TCP/IP command.
  "+QIGETERROR": {
    action: (m) => {
      const e = ip(m).lastError;
      return ok("+QIGETERROR: " + e + "," + (QI_TEXT[e] || "unknown error"));
    },
  },
  // Quectel's ICCID read (the firmware's Quectel profile uses it instead of +CCID).
  "+QCCID": { needsSim: true, action: (m) => ok("+QCCID: " + m.identity.iccid), test: () => ok() },
};
