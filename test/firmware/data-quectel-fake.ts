/**
 * A small Quectel TCP/IP responder for the firmware's socket tests: it answers the
 * buffer-access commands the firmware uses (`+QICSGP`, `+QIACT`, `+QICFG="dataformat"`,
 * `+QISTATE`, `+QIOPEN`, `+QISENDEX`, `+QIRD` in hex, `+QICLOSE`) on a memory serial and
 * opens real TCP connections with node:net, so a real broker sits at the other end.
 *
 * It behaves as the AN says where drivers go wrong: one "recv" notice until the buffer
 * has been read empty (§2.3.8), "closed" leaves the socket for `AT+QICLOSE`. Fault knobs:
 * drop the next "recv" notices, deactivate the context (`pdpdeact`, optionally in the
 * middle of a send), close a socket from the network side, reboot (`RDY`, all state gone).
 */
import { connect, type Socket } from "node:net";
import type { MemorySerial } from "../../hal/memory/serial.js";

interface Sock {
  tcp: Socket;
  unread: string;
  total: number;
  read: number;
  notified: boolean;
  state: "opening" | "open" | "closing";
}

export class QuectelFake {
  active = false;
  address = "10.1.2.3";
  hexRecv = false;
  sockets: (Sock | undefined)[] = [];
  /** Every command line received, for assertions. */
  commands: string[] = [];
  /** How many coming "recv" notices are lost. */
  loseRecvNotices = 0;
  /** Deactivate the context when the next QISENDEX arrives (before answering it). */
  deactivateOnNextSend = false;
  /** Bytes over the air (TCP payload both ways). */
  airBytes = 0;
  private buf = "";

  constructor(private readonly end: MemorySerial) {
    end.onData((chunk) => this.input(chunk));
  }

  private out(s: string): void {
    this.end.write(s).then(undefined, () => undefined);
  }

  private urc(line: string): void {
    this.out("\r\n" + line + "\r\n");
  }

  private input(chunk: string): void {
    this.buf += chunk;
    for (;;) {
      const i = this.buf.indexOf("\r");
      if (i < 0) return;
      let line = this.buf.substring(0, i);
      while (line.length > 0 && "\n\x1a\x1b".indexOf(line.charAt(0)) >= 0) line = line.substring(1);
      this.buf = this.buf.substring(i + 1);
      if (line.length > 0) this.command(line);
    }
  }

  /** The network drops the PDP context: every socket is gone (+QIURC: "pdpdeact"). */
  deactivate(): void {
    this.active = false;
    for (let id = 0; id < this.sockets.length; id++) this.drop(id);
    this.urc('+QIURC: "pdpdeact",1');
  }

  /** The peer or the network closes socket `id`. */
  closeFromNetwork(id: number): void {
    const s = this.sockets[id];
    if (s) s.tcp.destroy();
  }

  /** The module reboots: all state is gone, `RDY` is printed. */
  reboot(): void {
    this.active = false;
    this.hexRecv = false;
    for (let id = 0; id < this.sockets.length; id++) this.drop(id);
    this.out("\r\nRDY\r\n");
  }

  private drop(id: number): void {
    const s = this.sockets[id];
    if (!s) return;
    this.sockets[id] = undefined;
    s.tcp.removeAllListeners();
    s.tcp.destroy();
  }

  private ok(lines?: string[]): void {
    let s = "";
    for (const l of lines || []) s += "\r\n" + l + "\r\n";
    this.out(s + "\r\nOK\r\n");
  }

  private notifyRecv(id: number): void {
    const s = this.sockets[id];
    if (!s || s.notified) return;
    s.notified = true;
    if (this.loseRecvNotices > 0) {
      this.loseRecvNotices--;
      return;
    }
    this.urc('+QIURC: "recv",' + id);
  }

  private command(line: string): void {
    this.commands.push(line);
    let m: RegExpExecArray | null;
    if (/^AT\+QICSGP=1,1,"[^"]*","","",0$/.test(line) || line === "AT+CGEREP=2,1" || line === "AT+CMEE?") return this.ok(line === "AT+CMEE?" ? ["+CMEE: 1"] : []);
    if (line === 'AT+QICFG="dataformat",0,1') {
      this.hexRecv = true;
      return this.ok();
    }
    if (line === "AT+CGATT?") return this.ok(["+CGATT: 1"]);
    if (line === "AT+QIACT?") return this.ok(this.active ? ['+QIACT: 1,1,1,"' + this.address + '"'] : []);
    if (line === "AT+QIACT=1") {
      this.active = true;
      return this.ok();
    }
    if (line === "AT+QIDEACT=1") {
      this.active = false;
      for (let id = 0; id < this.sockets.length; id++) this.drop(id);
      return this.ok();
    }
    if (line === "AT+QISTATE?") {
      const lines: string[] = [];
      this.sockets.forEach((s, id) => {
        if (s) lines.push("+QISTATE: " + id + ',"TCP","127.0.0.1",1883,0,' + (s.state === "open" ? 2 : 4) + ',1,0,0,"uart1"');
      });
      return this.ok(lines);
    }
    if ((m = /^AT\+QICLOSE=(\d+),\d+$/.exec(line))) {
      this.drop(Number(m[1]));
      return this.ok();
    }
    if ((m = /^AT\+QIOPEN=1,(\d+),"TCP","([^"]+)",(\d+),0,0$/.exec(line))) return this.open(Number(m[1]), m[2], Number(m[3]));
    if ((m = /^AT\+QISENDEX=(\d+),"([0-9A-F]+)"$/.exec(line))) return this.send(Number(m[1]), m[2]);
    if ((m = /^AT\+QIRD=(\d+),(\d+)$/.exec(line))) return this.readCmd(Number(m[1]), Number(m[2]));
    this.out("\r\nERROR\r\n");
  }

  private open(id: number, host: string, port: number): void {
    if (!this.active || this.sockets[id]) return this.out("\r\nERROR\r\n");
    const tcp = connect(port, host);
    const s: Sock = { tcp, unread: "", total: 0, read: 0, notified: false, state: "opening" };
    this.sockets[id] = s;
    this.ok();
    tcp.on("connect", () => {
      s.state = "open";
      this.urc("+QIOPEN: " + id + ",0");
    });
    tcp.on("data", (b) => {
      const bytes = b.toString("latin1");
      this.airBytes += bytes.length;
      s.unread += bytes;
      s.total += bytes.length;
      this.notifyRecv(id);
    });
    tcp.on("error", () => undefined);
    tcp.on("close", () => {
      if (this.sockets[id] !== s) return;
      if (s.state === "opening") {
        this.sockets[id] = undefined;
        this.urc("+QIOPEN: " + id + ",566");
        return;
      }
      s.state = "closing";
      this.urc('+QIURC: "closed",' + id);
    });
  }

  private send(id: number, hex: string): void {
    if (this.deactivateOnNextSend) {
      this.deactivateOnNextSend = false;
      this.deactivate();
      return this.out("\r\nERROR\r\n");
    }
    const s = this.sockets[id];
    if (!s || s.state !== "open") return this.out("\r\nERROR\r\n");
    const bytes = Buffer.from(hex, "hex");
    this.airBytes += bytes.length;
    s.tcp.write(bytes);
    this.out("\r\nSEND OK\r\n");
  }

  private readCmd(id: number, max: number): void {
    const s = this.sockets[id];
    if (!s) return this.out("\r\nERROR\r\n");
    if (max === 0) return this.ok(["+QIRD: " + s.total + "," + s.read + "," + s.unread.length]);
    const part = s.unread.substr(0, max);
    s.unread = s.unread.substr(part.length);
    s.read += part.length;
    if (part.length === 0) {
      // Read empty: the next arrival is notified again (AN §2.3.8).
      s.notified = false;
      return this.ok(["+QIRD: 0"]);
    }
    const data = this.hexRecv ? Buffer.from(part, "latin1").toString("hex").toUpperCase() : part;
    this.ok(["+QIRD: " + part.length, data]);
  }
}
