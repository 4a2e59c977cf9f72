/**
 * SIMCom's TCP/IP command set of the simulated A7670, from "A76XX Series TCPIP
 * Application Note" V1.01 and the "A7600 Series AT Command Manual" V1.01 (chapter
 * "TCPIP commands"): `AT+NETOPEN` activates the packet context (cid 1, as defined with
 * +CGDCONT), `AT+CIPOPEN` opens a link (0..9) as a real TCP connection from the host,
 * `AT+CIPSEND=<link>,<len>` sends after a `>` prompt, and received data is either pushed
 * (`AT+CIPRXGET=0`, the power-on mode: `+RECEIVE,<link>,<len>` followed by the bytes) or
 * kept for the client (`AT+CIPRXGET=1`: one `+CIPRXGET: 1,<link>` until the link's buffer
 * has been read empty, then `AT+CIPRXGET=2|3|4`).
 *
 * Failures of these commands carry a text line, `+IP ERROR: <text>`, before `ERROR`.
 * Transparent mode (`AT+CIPMODE=1`) is not offered.
 */
import type { SimModem } from "../modem.js";
import type { Args, CommandTable } from "../commands/types.js";
import { Reply, ok, perSlot } from "../results.js";
import type { DataUser, EndedBy } from "./packet.js";
import { TcpLink, isDnsFailure } from "./tcp-link.js";
import { toHex } from "./hex-text.js";

/** <link_num> 0..9. */
const LINKS = 10;
/** AT+CIPSEND and AT+CIPRXGET=2 move at most 1500 bytes (hex form 750). */
const MAX_SEND = 1500;
const MAX_READ = 1500;
/** The context NETOPEN activates. */
const NET_CID = 1;
const PROMPT = "\r\n>";

/** +CIPOPEN <err> (AN §"Summary of error codes"): 0 ok, 1 network failure, 2 network not opened, 4 not supported, 11 DNS. */
const ERR = { ok: 0, networkFailure: 1, networkNotOpened: 2, notSupported: 4, dns: 11 };

interface Link {
  id: number;
  link: TcpLink;
  notified: boolean;
  /** The peer closed it (`+IPCLOSE` sent); its unread bytes can still be taken. */
  ended: boolean;
}

export class SimcomIp implements DataUser {
  netOpen = false;
  /** AT+CIPRXGET <mode>: 0 push, 1 the client reads. */
  rxMode = 0;
  timeouts = { netopen: 120000, cipopen: 120000, cipsend: 120000 };
  private readonly links: (Link | undefined)[] = [];

  constructor(private readonly m: SimModem) {}

  get(id: number): Link | undefined {
    return this.links[id];
  }

  all(): Link[] {
    return this.links.filter((l): l is Link => l !== undefined);
  }

  open(id: number, host: string, port: number): void {
    const report = (err: number) => this.m.urc("+CIPOPEN: " + id + "," + err);
    const old = this.links[id];
    if (old && !old.ended) return report(ERR.notSupported);
    if (!this.netOpen) return report(ERR.networkNotOpened);
    const l: Link = {
      id,
      notified: false,
      ended: false,
      link: new TcpLink(host, port, NET_CID, {
        opened: (err) => {
          if (this.links[id] !== l) return;
          if (!err) return report(ERR.ok);
          this.links[id] = undefined;
          report(isDnsFailure(err) ? ERR.dns : ERR.networkFailure);
        },
        data: () => {
          if (this.links[id] !== l) return;
          if (this.rxMode === 0) {
            const bytes = l.link.read(l.link.unread);
            this.m.urc("+RECEIVE," + id + "," + bytes.length, bytes);
            return;
          }
          if (l.notified) return;
          l.notified = true;
          if (!this.m.loseDataNotice()) this.m.urc("+CIPRXGET: 1," + id);
        },
        peerClosed: () => {
          if (this.links[id] !== l) return;
          l.ended = true;
          // <close_reason> 1: closed by the remote side.
          this.m.urc("+IPCLOSE: " + id + ",1");
        },
      }),
    };
    this.links[id] = l;
  }

  /** Fault: the module loses the link by itself (<close_reason> 2: the module's own timeout). */
  faultClose(id: number): boolean {
    const l = this.links[id];
    if (!l || l.ended) return false;
    l.ended = true;
    l.link.drop();
    this.m.urc("+IPCLOSE: " + id + ",2");
    return true;
  }

  close(id: number): boolean {
    const l = this.links[id];
    if (!l) return false;
    this.links[id] = undefined;
    l.link.close();
    return true;
  }

  contextEnded(cid: number, by: EndedBy): void {
    if (cid !== NET_CID || !this.netOpen) return;
    this.netOpen = false;
    for (const l of this.all()) l.link.drop();
    this.links.length = 0;
    // The network dropped the context under an open network: the client must AT+NETCLOSE / AT+NETOPEN.
    if (by === "nw") this.m.urc("+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY");
  }

  reset(): void {
    for (const l of this.all()) l.link.drop();
    this.links.length = 0;
    this.netOpen = false;
    this.rxMode = 0;
  }
}

function sip(m: SimModem): SimcomIp {
  return m.stacks.simcomIp!;
}

/** `+IP ERROR: <text>` then ERROR. */
function ipError(text: string): Reply {
  return { lines: ["+IP ERROR: " + text], final: { kind: "error" } };
}

function linkArg(a: Args, i: number): number {
  return a.int(i, 0, LINKS - 1);
}


export const simcomIpCommands: CommandTable = {
  // AT+NETOPEN: OK, then +NETOPEN: <err> (0 opened, 1 failed).
  "+NETOPEN": {
    needsSim: true,
    action: (m) => {
      const s = sip(m);
      if (s.netOpen) return ipError("Network is already opened");
      let err = 0;
      try {
        m.data.activate(NET_CID);
        s.netOpen = true;
      } catch {
        err = 1;
      }
      m.urc("+NETOPEN: " + err);
      return ok();
    },
    read: (m) => ok("+NETOPEN: " + (sip(m).netOpen ? 1 : 0)),
    test: () => ok(),
  },
  // AT+NETCLOSE: every link closes, the context ends; OK, then +NETCLOSE: <err> (2: the network was not open).
  "+NETCLOSE": {
    action: (m) => {
      const s = sip(m);
      if (!s.netOpen) {
        m.urc("+NETCLOSE: 2");
        return ok();
      }
      for (const l of s.all()) s.close(l.id);
      m.data.deactivate(NET_CID);
      s.netOpen = false;
      m.urc("+NETCLOSE: 0");
      return ok();
    },
    test: () => ok(),
  },
  "+IPADDR": {
    action: (m) => {
      const c = m.data.get(NET_CID);
      if (!sip(m).netOpen || !c || !c.active) return ipError("Network not opened");
      return ok("+IPADDR: " + c.address);
    },
    test: () => ok(),
  },
  // AT+CIPMODE=<mode>: 0 non-transparent only.
  "+CIPMODE": {
    set: (_m, a) => {
      a.atMost(1);
      if (a.int(0, 0, 1) !== 0) return ipError("Operation not supported");
      return ok();
    },
    read: () => ok("+CIPMODE: 0"),
    test: () => ok("+CIPMODE: (0-1)"),
  },
  // AT+CIPTIMEOUT=<netopen_timeout>,<cipopen_timeout>,<cipsend_timeout> (ms).
  "+CIPTIMEOUT": {
    set: (m, a) => {
      a.atMost(3);
      const t = sip(m).timeouts;
      t.netopen = a.int(0, 0, 120000, t.netopen);
      t.cipopen = a.int(1, 0, 120000, t.cipopen);
      t.cipsend = a.int(2, 0, 120000, t.cipsend);
      return ok();
    },
    read: (m) => {
      const t = sip(m).timeouts;
      return ok("+CIPTIMEOUT: " + t.netopen + "," + t.cipopen + "," + t.cipsend);
    },
    test: () => ok("+CIPTIMEOUT: 120000,120000,120000"),
  },
  // AT+CIPCCFG=<NmRetry>,<DelayTm>,<Ack>,<errMode>,<HeaderType>,<AsyncMode>,<TimeoutVal>: accepted (TCP retries are the host's).
  "+CIPCCFG": {
    set: (_m, a) => {
      a.atMost(7);
      a.int(0, 0, 10, 10);
      return ok();
    },
    read: () => ok("+CIPCCFG: 10,0,0,0,1,0,75000"),
    test: () => ok("+CIPCCFG: (0-10),(0-1000),(0-1),(0-1),(0-1),(0-1),(500-120000)"),
  },
  // AT+CIPRXGET=<mode>[,<link_num>[,<len>]]: 0/1 choose push or manual; 2 read, 3 read as hex, 4 unread count.
  "+CIPRXGET": {
    set: (m, a) => {
      a.atMost(3);
      const mode = a.int(0, 0, 4);
      const s = sip(m);
      if (mode <= 1) {
        s.rxMode = mode;
        return ok();
      }
      const id = linkArg(a, 1);
      const l = s.get(id);
      if (!l) return ipError("No data");
      if (mode === 4) return ok("+CIPRXGET: 4," + id + "," + l.link.unread);
      const want = a.int(2, 1, mode === 3 ? MAX_READ / 2 : MAX_READ, mode === 3 ? MAX_READ / 2 : MAX_READ);
      const bytes = l.link.read(want);
      if (l.link.unread === 0) l.notified = false;
      // +CIPRXGET: <mode>,<link_num>,<read_len>,<rest_len>, then the data.
      const head = "+CIPRXGET: " + mode + "," + id + "," + bytes.length + "," + l.link.unread;
      if (bytes.length === 0) return ok(head);
      return ok(head, mode === 3 ? toHex(bytes) : bytes);
    },
    read: (m) => ok("+CIPRXGET: " + sip(m).rxMode),
    test: () => ok("+CIPRXGET: (0-4),(0-9),(1-1500)"),
  },
  // AT+CIPOPEN=<link_num>,"TCP","<serverIP>",<serverPort>[,<localPort>]: OK, then +CIPOPEN: <link_num>,<err>.
  "+CIPOPEN": {
    needsSim: true,
    set: (m, a) => {
      a.atMost(5);
      const id = linkArg(a, 0);
      const type = a.str(1).toUpperCase();
      const host = a.str(2);
      const port = a.int(3, 1, 65535);
      a.int(4, 0, 65535, 0);
      if (type !== "TCP") return ipError("Operation not supported");
      if (host === "") return ipError("Invalid parameter");
      sip(m).open(id, host, port);
      return ok();
    },
    read: (m) =>
      perSlot(LINKS, (i) => {
        const l = sip(m).get(i);
        return l && !l.ended ? "+CIPOPEN: " + i + ',"TCP","' + l.link.host + '",' + l.link.port + ",-1" : "+CIPOPEN: " + i;
      }),
    test: () => ok('+CIPOPEN: (0-9),("TCP","UDP")'),
  },
  // AT+CIPSEND=<link_num>,<length>: `>`, the bytes, OK, then +CIPSEND: <link_num>,<reqSendLength>,<cnfSendLength>
  // (<cnfSendLength> 0: the send buffer is full; -1: the link is gone).
  "+CIPSEND": {
    set: (m, a) => {
      a.atMost(2);
      const id = linkArg(a, 0);
      const length = a.int(1, 1, MAX_SEND);
      const l = sip(m).get(id);
      if (!l || l.ended || l.link.state !== "connected") return ipError("Connection is not established");
      return {
        lines: [],
        prompt: {
          length,
          text: PROMPT,
          onPdu: (bytes) => {
            const r = l.link.send(bytes);
            m.urc("+CIPSEND: " + id + "," + length + "," + (r === "ok" ? length : r === "full" ? 0 : -1));
            return ok();
          },
        },
      };
    },
    test: () => ok("+CIPSEND: (0-9),(1-1500)"),
  },
  // AT+CIPCLOSE=<link_num>: OK, then +CIPCLOSE: <link_num>,<err>; the read form lists which links are open.
  "+CIPCLOSE": {
    set: (m, a) => {
      a.atMost(1);
      const id = linkArg(a, 0);
      if (!sip(m).close(id)) return ipError("Operation not allowed");
      m.urc("+CIPCLOSE: " + id + ",0");
      return ok();
    },
    read: (m) => {
      const states: number[] = [];
      for (let i = 0; i < LINKS; i++) {
        const l = sip(m).get(i);
        states.push(l && !l.ended ? 1 : 0);
      }
      return ok("+CIPCLOSE: " + states.join(","));
    },
    test: () => ok("+CIPCLOSE: (0-9)"),
  },
  // SIMCom's ICCID read (the firmware's SIMCom profile uses it instead of +CCID).
  "+CICCID": { needsSim: true, action: (m) => ok("+ICCID: " + m.identity.iccid), test: () => ok() },
};
