/**
 * One modem socket on a scripted SIMCom A7670, byte for byte (virtual clock): the service
 * opened with AT+NETOPEN after stale links are closed, counted sends after `>` with every
 * byte value, a `+CIPRXGET: 1` notice drained as hex until empty, the poll after a send,
 * `+IPCLOSE` read out before AT+CIPCLOSE, a short `+CIPSEND` count ending the socket,
 * AT+NETCLOSE before AT+NETOPEN after `+CIPEVENT`.
 */
import test from "ava";
import { simcomSockets } from "../../drivers/modems/simcom-sockets.js";
import { simcomA7670 } from "../../drivers/modems/simcom.js";
import { defaultSocketOptions, ModemSockets } from "../../firmware/data/socket.js";
import { channelRig } from "../support/fake-modem.js";

const OK = "\r\nOK\r\n";
const hex = (s: string) => Buffer.from(s, "latin1").toString("hex").toUpperCase();
const ALL = Array.from({ length: 256 }, (_v, i) => String.fromCharCode(i)).join("");

function rig() {
  const r = channelRig({ finals: simcomA7670.finals, banners: simcomA7670.banners });
  const table = new ModemSockets(r.channel, r.clock, simcomSockets, 1, Object.assign({}, defaultSocketOptions, { pollAfterSendMs: 100, idlePollMs: 0 }));
  return { r, table };
}

async function step(r: ReturnType<typeof rig>["r"], tx: string, rx: string): Promise<void> {
  await r.modem.tx(tx);
  await r.modem.rx(rx);
}

/** Opens link 0 to the broker: OK, then `+CIPOPEN: 0,0`, and the first poll. */
async function opened(r: ReturnType<typeof rig>["r"], table: ModemSockets) {
  const s = table.open("127.0.0.1", 1883);
  await step(r, 'AT+CIPOPEN=0,"TCP","127.0.0.1",1883\r', OK + "\r\n+CIPOPEN: 0,0\r\n");
  await step(r, "AT+CIPRXGET=4,0\r", "\r\n+CIPRXGET: 4,0,0\r\n" + OK);
  return s;
}

test("prepare: stale links are closed first, then AT+NETOPEN waits for +NETOPEN: 0", async (t) => {
  const { r, table } = rig();
  let ids: number[] | undefined;
  void table.prepare().then((v) => (ids = v));
  await step(r, "AT+CIPCLOSE?\r", "\r\n+CIPCLOSE: 0,0,1,0,0,0,0,0,0,0\r\n" + OK);
  await step(r, "AT+CIPCLOSE=2\r", OK);
  await step(r, "AT+NETOPEN?\r", "\r\n+NETOPEN: 0\r\n" + OK);
  await step(r, "AT+NETOPEN\r", OK);
  t.is(ids, undefined, "not ready before the result URC");
  await r.modem.rx("\r\n+NETOPEN: 0\r\n");
  t.deepEqual(ids, [2]);
});

test("prepare: a service already open is not opened again; a failed open is an error", async (t) => {
  const { r, table } = rig();
  let ok = false;
  void table.prepare().then(() => (ok = true));
  await step(r, "AT+CIPCLOSE?\r", "\r\n+CIPCLOSE: 0,0,0,0,0,0,0,0,0,0\r\n" + OK);
  await step(r, "AT+NETOPEN?\r", "\r\n+NETOPEN: 1\r\n" + OK);
  await r.modem.tx("");
  t.true(ok);
  let err: unknown;
  void table.prepare().then(undefined, (e: unknown) => (err = e));
  await step(r, "AT+CIPCLOSE?\r", "\r\n+CIPCLOSE: 0,0,0,0,0,0,0,0,0,0\r\n" + OK);
  await step(r, "AT+NETOPEN?\r", "\r\n+NETOPEN: 0\r\n" + OK);
  await step(r, "AT+NETOPEN\r", OK + "\r\n+NETOPEN: 1\r\n");
  t.regex(String(err), /not opened: \+NETOPEN: 1/);
});

test("a counted send carries every byte value after `>`; the poll follows; a notice is drained as hex until empty", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const got: string[] = [];
  s.events.on("data", (d) => got.push(d));
  const written = s.write(ALL);
  await step(r, "AT+CIPSEND=0,256\r", "\r\n>");
  await step(r, ALL, OK + "\r\n+CIPSEND: 0,256,256\r\n");
  await written;
  t.is(s.bytesOut, 256);
  await r.clock.advance(100);
  await step(r, "AT+CIPRXGET=4,0\r", "\r\n+CIPRXGET: 4,0,3\r\n" + OK);
  // <rest_len> 0 ends the drain: no extra, empty, read.
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,3,0\r\n" + hex("\r\n\x00") + "\r\n" + OK);
  // A notice later: drained the same way; rest > 0 reads on; a notice inside a read is not lost.
  await r.modem.rx("\r\n+CIPRXGET: 1,0\r\n");
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,2,1\r\n" + hex("OK") + "\r\n" + OK);
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,1,0\r\n" + hex("!") + "\r\n\r\n+CIPRXGET: 1,0\r\n" + OK);
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,1,0\r\n" + hex("?") + "\r\n" + OK);
  await r.modem.tx("");
  t.deepEqual(got, ["\r\n\x00", "OK", "!", "?"]);
});

test("writes longer than 1024 bytes go in counted chunks", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const payload = "y".repeat(1500);
  const written = s.write(payload);
  await step(r, "AT+CIPSEND=0,1024\r", "\r\n>");
  await step(r, payload.substr(0, 1024), OK);
  await step(r, "AT+CIPSEND=0,476\r", "\r\n> ");
  await step(r, payload.substr(1024), OK);
  await written;
  t.is(s.bytesOut, 1500);
});

test("+IPCLOSE: what is left is read, then the link is released with AT+CIPCLOSE", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const got: string[] = [];
  const closes: { reason: string; error: boolean }[] = [];
  s.events.on("data", (d) => got.push(d));
  s.events.on("close", (c) => closes.push(c));
  await r.modem.rx("\r\n+IPCLOSE: 0,1\r\n");
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,4,0\r\n" + hex("last") + "\r\n" + OK);
  await step(r, "AT+CIPCLOSE=0\r", OK + "\r\n+CIPCLOSE: 0,0\r\n");
  t.deepEqual(got, ["last"]);
  t.deepEqual(closes, [{ reason: "closed by the peer or the network", error: false }]);
  t.is(table.inUse(), 0);
});

test("a short +CIPSEND count (the module's buffer was full) ends the socket: a hole in a TCP stream is not mended", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const closes: { reason: string; error: boolean }[] = [];
  s.events.on("close", (c) => closes.push(c));
  void s.write("abc").then(undefined, () => undefined);
  await step(r, "AT+CIPSEND=0,3\r", "\r\n>");
  await step(r, "abc", OK + "\r\n+CIPSEND: 0,3,0\r\n");
  await step(r, "AT+CIPCLOSE=0\r", OK);
  t.is(closes.length, 1);
  t.true(closes[0].error);
  t.regex(closes[0].reason, /sent 0 of 3 bytes/);
});

test("+CIPEVENT NETWORK CLOSED UNEXPECTEDLY: every socket dies at once, without commands", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const closes: string[] = [];
  s.events.on("close", (c) => closes.push(c.reason));
  await r.modem.rx("\r\n+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY\r\n");
  await r.modem.tx("");
  t.deepEqual(closes, ["the network deactivated the context (+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY)"]);
  t.is(table.inUse(), 0);
});

test("a read whose hex does not match its announced length fails the socket instead of passing bad bytes on", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const closes: string[] = [];
  s.events.on("close", (c) => closes.push(c.reason));
  await r.modem.rx("\r\n+CIPRXGET: 1,0\r\n");
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,5,0\r\n" + hex("abc") + "\r\n" + OK);
  await step(r, "AT+CIPCLOSE=0\r", OK);
  t.regex(closes[0], /5 bytes announced, 3 received/);
});

test("after +CIPEVENT a service the module still calls open is closed (AT+NETCLOSE) before AT+NETOPEN", async (t) => {
  const { r, table } = rig();
  await opened(r, table);
  await r.modem.rx("\r\n+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY\r\n");
  let ready = false;
  void table.prepare().then(() => (ready = true));
  await step(r, "AT+CIPCLOSE?\r", "\r\n+CIPCLOSE: 0,0,0,0,0,0,0,0,0,0\r\n" + OK);
  await step(r, "AT+NETOPEN?\r", "\r\n+NETOPEN: 1\r\n" + OK);
  await step(r, "AT+NETCLOSE\r", OK + "\r\n+NETCLOSE: 0\r\n");
  await step(r, "AT+NETOPEN\r", OK + "\r\n+NETOPEN: 0\r\n");
  t.true(ready);
  // Once reopened, a later start finds it open and leaves it be.
  void table.prepare();
  await step(r, "AT+CIPCLOSE?\r", "\r\n+CIPCLOSE: 0,0,0,0,0,0,0,0,0,0\r\n" + OK);
  await step(r, "AT+NETOPEN?\r", "\r\n+NETOPEN: 1\r\n" + OK);
  await r.modem.tx("");
});

test("a notice that comes inside a read which found the buffer empty is not cancelled by that answer", async (t) => {
  const { r, table } = rig();
  const s = await opened(r, table);
  const got: string[] = [];
  s.events.on("data", (d) => got.push(d));
  await r.modem.rx("\r\n+CIPRXGET: 1,0\r\n");
  // The module took its answer before the data came, and says so in the middle of it.
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,0,0\r\n\r\n+CIPRXGET: 1,0\r\n" + OK);
  await step(r, "AT+CIPRXGET=3,0,500\r", "\r\n+CIPRXGET: 3,0,2,0\r\n" + hex("hi") + "\r\n" + OK);
  await r.modem.tx("");
  t.deepEqual(got, ["hi"]);
});
