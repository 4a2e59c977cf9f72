/**
 * Serving the simulated modem over TCP and on a pseudo-terminal: bytes pass unchanged
 * both ways (no CR/LF translation, no echo from the line discipline), and the modem
 * keeps its state across clients.
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import tty from "node:tty";
import { VirtualClock } from "../../hal/memory/clock.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { servePty, serveTcp } from "../../sim/modem/transports.js";
import { Collector } from "./io.js";

async function modem(): Promise<{ modem: SimModem; clock: VirtualClock; net: NetworkStub }> {
  const clock = new VirtualClock();
  const net = new NetworkStub({ clock });
  const m = new SimModem({ clock, network: net });
  m.powerOn(false);
  await clock.advance(0);
  return { modem: m, clock, net };
}

function connect(port: number): Promise<{ socket: net.Socket; rx: Collector; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const rx = new Collector();
    const socket = net.connect(port, "127.0.0.1");
    const closed = new Promise<void>((done) => socket.on("close", () => done()));
    socket.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
    socket.once("error", reject);
    socket.once("connect", () => resolve({ socket, rx, closed }));
  });
}

test("TCP: port 0 picks a free port; AT round trip; all byte values pass unchanged", async (t) => {
  const { modem: m } = await modem();
  const server = await serveTcp(m, 0);
  t.true(server.port > 0);
  const c = await connect(server.port);
  c.socket.write(Buffer.from("AT\r", "latin1"));
  t.is(await c.rx.waitFor("OK\r\n"), "AT\r\r\nOK\r\n");
  c.rx.clear();
  let all = "";
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  m.injectGarbage(all);
  t.is(await c.rx.waitFor((s) => s.length >= 256), all);
  c.socket.destroy();
  await server.close();
});

test("TCP: one client at a time; the modem keeps its settings for the next client", async (t) => {
  const { modem: m } = await modem();
  const server = await serveTcp(m, 0);
  const a = await connect(server.port);
  a.socket.write("ATE0\r");
  await a.rx.waitFor("OK\r\n");
  const b = await connect(server.port);
  await b.closed;
  t.is(b.rx.text, "", "a second client is turned away");
  a.socket.end();
  await a.closed;
  const c = await connect(server.port);
  c.socket.write("AT+CGMI\r");
  t.is(await c.rx.waitFor("OK\r\n"), "\r\nSharedline\r\n\r\nOK\r\n", "echo is still off");
  c.socket.destroy();
  await server.close();
});

test("pty: raw mode on the slave, CR stays CR both ways, no line-discipline echo, clients may come and go", async (t) => {
  const { modem: m } = await modem();
  const served = await servePty(m);
  t.regex(served.path, /^\/dev\/pts\/\d+$/);
  const flags = execFileSync("stty", ["-F", served.path, "-a"]).toString();
  for (const f of ["-icrnl", "-opost", "-echo", "-icanon", "-isig"]) t.true(flags.split(/\s+/).indexOf(f) >= 0, f);

  for (let round = 0; round < 2; round++) {
    const fd = fs.openSync(served.path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
    const reader = new tty.ReadStream(fd);
    const rx = new Collector();
    reader.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
    fs.writeSync(fd, Buffer.from("\x1b\rAT+CGMM\r", "latin1"));
    t.is(await rx.waitFor("OK\r\n"), "\rAT+CGMM\r\r\nSL-LTE1\r\n\r\nOK\r\n");
    reader.destroy();
  }
  // A byte-string line: 0x80..0xFF arrive as they were sent.
  const fd = fs.openSync(served.path, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
  const reader = new tty.ReadStream(fd);
  const rx = new Collector();
  reader.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
  m.injectGarbage("\x80\xfe\xff\n\r");
  t.is(await rx.waitFor("\n\r"), "\x80\xfe\xff\n\r");
  reader.destroy();
  await served.close();
});
