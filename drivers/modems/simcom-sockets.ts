/**
 * SIMCom A76XX (A7670) TCP sockets: `AT+CIP*` in manual receive mode, never transparent.
 *
 * Source: SIMCom "A76XX Series AT Command Manual" (V1.0x), chapter "TCP/IP related
 * commands": AT+NETOPEN (start the socket service on the context defined with +CGDCONT;
 * OK, then `+NETOPEN: <err>`), AT+CIPOPEN (OK, then `+CIPOPEN: <link_num>,<err>`),
 * AT+CIPSEND=<link_num>,<length> (`>`, exactly <length> bytes with no terminator, OK,
 * then `+CIPSEND: <link_num>,<reqSendLength>,<cnfSendLength>`), AT+CIPRXGET (mode 1:
 * the module keeps what arrives and says `+CIPRXGET: 1,<link_num>` once until the link's
 * buffer is read empty; mode 3 reads it as hex; mode 4 tells how much is left),
 * AT+CIPCLOSE; and "Information elements related to TCP/IP": `+IPCLOSE: <link_num>,
 * <close_reason>` (0 local, 1 remote, 2 send timeout) and `+CIPEVENT: NETWORK CLOSED
 * UNEXPECTEDLY` (every socket is gone; the service must be opened again). The "A76XX
 * Series TCPIP Application Note" V1.01 gives the same flow. A readable copy of those
 * command pages, in the manual's order: https://momoiot.co.kr/lte-at/cmd/tcp-ip (L1101
 * NETOPEN: a second AT+NETOPEN answers `+IP ERROR: Network is already opened`, hence the
 * `AT+NETOPEN?` first; L1102 NETCLOSE; L1103 CIPOPEN; L1104 CIPCLOSE; L1105 CIPSEND;
 * L1106 CIPRXGET) and https://momoiot.co.kr/lte-at/cmd/tcpudp-info-error-code.
 *
 * Data out goes through the AT channel's `raw` mode (the counted bytes, binary-safe);
 * data in is read as hex (`AT+CIPRXGET=3`), so received bytes can never end a line or
 * look like a result code. Reads of 500 bytes keep the hex line (1000 characters) within
 * the channel's line limit.
 */
import type { AtResponse } from "../at/index.js";
import { atInt, atQuoted } from "../at/index.js";
import { paramsOf } from "../at/params.js";
import { int } from "./packet.js";
import { simcomNetworkClosed } from "./context-loss.js";
import { hexTextToBytes, MAX_HEX_READ, type SocketDialect } from "./sockets.js";

const LINKS = 10;
const MAX_SEND = 1024;
const MAX_READ = MAX_HEX_READ;

function link(id: number): string {
  return atInt("link", id, 0, LINKS - 1);
}

/** The answer line of `AT+CIPRXGET=<mode>,...` (`+CIPRXGET: <mode>,<link>,...`), never the mode-1 notice. */
function rxgetLine(r: AtResponse, mode: number): string[] | undefined {
  const all = r.pdus.length > 0 ? [r.pdus[0].header].concat(r.lines) : r.lines;
  for (let i = 0; i < all.length; i++) {
    const p = paramsOf(all[i], "+CIPRXGET:");
    if (p && int(p[0]) === mode) return p;
  }
  return undefined;
}

export const simcomSockets: SocketDialect = {
  name: "simcom",
  socketCount: LINKS,
  maxSend: MAX_SEND,
  maxRead: MAX_READ,
  // AT+CIPTIMEOUT's <cipopen_timeout> is 120 s by default: a little more before we give up.
  openTimeoutMs: 130000,
  setup() {
    // Non-transparent mode, and received data kept in the module until read (AT+CIPRXGET=1;
    // the manual asks for it before AT+NETOPEN, which runs later, once the context is up).
    return [{ cmd: "AT+CIPMODE=0" }, { cmd: "AT+CIPRXGET=1" }];
  },
  service: {
    // `+NETOPEN: 1` when the service is already open (our restart while the module stayed up).
    query: { cmd: "AT+NETOPEN?", prefixes: ["+NETOPEN:"] },
    isOpen(r) {
      const p = paramsOf(r.lines[0] || "", "+NETOPEN:");
      return !!p && p[0] === "1";
    },
    open: { cmd: "AT+NETOPEN", timeoutMs: 10000 },
    resultPrefix: "+NETOPEN:",
    parseResult(line) {
      const p = paramsOf(line, "+NETOPEN:");
      return p ? int(p[0]) : -1;
    },
    timeoutMs: 120000,
    // "Information elements related to TCP/IP", +CIPEVENT: close the sockets, then
    // AT+NETCLOSE if AT+NETOPEN? still says open. OK, then `+NETCLOSE: <err>`.
    close: { cmd: "AT+NETCLOSE", timeoutMs: 10000 },
    closePrefix: "+NETCLOSE:",
  },
  listSockets() {
    // The read form: one 0/1 per link, 1 = in use.
    return { cmd: "AT+CIPCLOSE?", prefixes: ["+CIPCLOSE:"] };
  },
  parseSockets(r) {
    const out: number[] = [];
    const p = paramsOf(r.lines[0] || "", "+CIPCLOSE:");
    if (!p) return out;
    for (let i = 0; i < p.length && i < LINKS; i++) if (p[i] === "1") out.push(i);
    return out;
  },
  open(_ctx, id, host, port) {
    if (host.length === 0 || host.indexOf(" ") >= 0) throw new Error("socket: bad host " + JSON.stringify(host));
    return { cmd: "AT+CIPOPEN=" + link(id) + ',"TCP",' + atQuoted("host", host, 150) + "," + atInt("port", port, 1, 65535) };
  },
  send(id, bytes) {
    if (bytes.length === 0 || bytes.length > MAX_SEND) throw new Error("socket: send of " + bytes.length + " bytes (1.." + MAX_SEND + ")");
    // The counted bytes after `>`; OK once taken (the module's confirmation is +CIPSEND, a notice).
    return { cmd: "AT+CIPSEND=" + link(id) + "," + bytes.length, mode: "raw", payload: bytes, timeoutMs: 10000 };
  },
  read(id, max) {
    // `+CIPRXGET: 3,<link>,<read_len>,<rest_len>` then the hex line (none when read_len is 0).
    return { cmd: "AT+CIPRXGET=3," + link(id) + "," + atInt("length", max, 1, MAX_READ), prefixes: ["+CIPRXGET: 3,"], mode: "pdu-listing" };
  },
  parseRead(r) {
    const p = rxgetLine(r, 3);
    if (!p) throw new Error("socket read: no +CIPRXGET: 3 line");
    const n = int(p[2]);
    if (n < 0) throw new Error("socket read: bad length in +CIPRXGET: " + p.join(","));
    if (n === 0) return "";
    const data = r.pdus.length > 0 ? hexTextToBytes(r.pdus[0].pdu) : "";
    if (data.length !== n) throw new Error("socket read: " + n + " bytes announced, " + data.length + " received");
    return data;
  },
  parseRest(r) {
    // `+CIPRXGET: 3,<link>,<read_len>,<rest_len>`: the module notifies again once read empty.
    const p = rxgetLine(r, 3);
    return p && p.length >= 4 ? int(p[3]) : -1;
  },
  unread(id) {
    return { cmd: "AT+CIPRXGET=4," + link(id), prefixes: ["+CIPRXGET: 4,"] };
  },
  parseUnread(r) {
    // `+CIPRXGET: 4,<link>,<rest_len>`.
    const p = rxgetLine(r, 4);
    return p && p.length >= 3 ? int(p[2]) : 0;
  },
  close(id) {
    // OK, then `+CIPCLOSE: <link>,<err>` (not waited for: the link is ours to forget).
    return { cmd: "AT+CIPCLOSE=" + link(id), timeoutMs: 5000 };
  },
  // The mode-1 notice only: `+CIPRXGET: 3,` / `4,` lines are answers of our own reads.
  noticePrefixes: ["+CIPOPEN:", "+CIPRXGET: 1,", "+IPCLOSE:", "+CIPSEND:", "+CIPEVENT:"],
  parseNotice(line) {
    let p = paramsOf(line, "+CIPOPEN:");
    if (p) return p.length >= 2 ? { type: "opened", id: int(p[0]), error: int(p[1]) } : undefined;
    p = paramsOf(line, "+CIPRXGET:");
    if (p) return p[0] === "1" && p.length >= 2 ? { type: "recv", id: int(p[1]) } : undefined;
    p = paramsOf(line, "+IPCLOSE:");
    if (p) return { type: "closed", id: int(p[0]) };
    p = paramsOf(line, "+CIPSEND:");
    if (p) {
      // <cnfSendLength> short of <reqSendLength>: the bytes did not all go (0: buffer full,
      // -1: the link is gone). A hole in a TCP stream cannot be mended: the socket is done.
      if (p.length < 3 || int(p[2]) === int(p[1])) return undefined;
      return { type: "failed", id: int(p[0]), reason: "the module sent " + p[2] + " of " + p[1] + " bytes (+CIPSEND)" };
    }
    return simcomNetworkClosed(line);
  },
};
