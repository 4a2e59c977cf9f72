/**
 * One modem socket on a scripted Quectel modem, byte for byte (virtual clock): writes
 * while opening wait for the open, long writes go out in 480-byte hex chunks, SEND FAIL
 * is retried, a "recv" notice drains until `+QIRD: 0`, a poll follows each send, and a
 * "closed" notice reads what is left before `AT+QICLOSE`.
 */
import test from "ava";
import { quectelSockets } from "../../drivers/modems/sockets.js";
import { quectelEg91 } from "../../drivers/modems/quectel.js";
import { defaultSocketOptions, ModemSockets } from "../../firmware/data/socket.js";
import { channelRig } from "../support/fake-modem.js";

const OK = "\r\nOK\r\n";
const hex = (s: string) => Buffer.from(s, "latin1").toString("hex").toUpperCase();

function rig() {
  const r = channelRig({ finals: quectelEg91.finals });
  const table = new ModemSockets(r.channel, r.clock, quectelSockets, 1, Object.assign({}, defaultSocketOptions, { pollAfterSendMs: 100, idlePollMs: 0, sendFailRetryMs: 50 }));
  return { r, table };
}

async function step(r: ReturnType<typeof rig>["r"], tx: string, rx: string): Promise<void> {
  await r.modem.tx(tx);
  await r.modem.rx(rx);
}

test("open, a write queued while opening, chunking, SEND FAIL retried, the poll after the send", async (t) => {
  const { r, table } = rig();
  const s = table.open("broker.example", 1883);
  const written = s.write("\x10\x0d\r\n" + "x".repeat(600));
  await step(r, 'AT+QIOPEN=1,0,"TCP","broker.example",1883,0,0\r', OK);
  await r.modem.tx("");
  await r.modem.rx("\r\n+QIOPEN: 0,0\r\n");
  const payload = "\x10\x0d\r\n" + "x".repeat(600);
  await step(r, 'AT+QISENDEX=0,"' + hex(payload.substr(0, 480)) + '"\r', "\r\nSEND FAIL\r\n");
  await r.clock.advance(50);
  await step(r, 'AT+QISENDEX=0,"' + hex(payload.substr(0, 480)) + '"\r', "\r\nSEND OK\r\n");
  await step(r, 'AT+QISENDEX=0,"' + hex(payload.substr(480)) + '"\r', "\r\nSEND OK\r\n");
  await written;
  t.is(s.bytesOut, payload.length);
  // The open's own poll came first; the poll after the send comes 100 ms later.
  await step(r, "AT+QIRD=0,0\r", "\r\n+QIRD: 0,0,0\r\n" + OK);
  await r.clock.advance(100);
  await step(r, "AT+QIRD=0,0\r", "\r\n+QIRD: 4,0,4\r\n" + OK);
  const got: string[] = [];
  s.events.on("data", (d) => got.push(d));
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 4\r\n" + hex("\x20\x02\x00\x00") + "\r\n" + OK);
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 0\r\n" + OK);
  await r.modem.tx("");
  t.deepEqual(got, ["\x20\x02\x00\x00"]);
});

test("a \"recv\" notice drains to empty; \"closed\" reads what is left, then AT+QICLOSE", async (t) => {
  const { r, table } = rig();
  const s = table.open("10.0.0.1", 8883);
  await step(r, 'AT+QIOPEN=1,0,"TCP","10.0.0.1",8883,0,0\r', OK + "\r\n+QIOPEN: 0,0\r\n");
  await step(r, "AT+QIRD=0,0\r", "\r\n+QIRD: 0,0,0\r\n" + OK);
  const got: string[] = [];
  s.events.on("data", (d) => got.push(d));
  const closes: { reason: string; error: boolean }[] = [];
  s.events.on("close", (c) => closes.push(c));
  await r.modem.rx('\r\n+QIURC: "recv",0\r\n');
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 2\r\n0A0D\r\n" + OK);
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 1\r\n00\r\n" + OK);
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 0\r\n" + OK);
  t.deepEqual(got, ["\n\r", "\x00"]);
  await r.modem.rx('\r\n+QIURC: "closed",0\r\n');
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 3\r\n414243\r\n" + OK);
  await step(r, "AT+QIRD=0,500\r", "\r\n+QIRD: 0\r\n" + OK);
  await step(r, "AT+QICLOSE=0,1\r", OK);
  await r.modem.tx("");
  t.deepEqual(got, ["\n\r", "\x00", "ABC"]);
  t.deepEqual(closes, [{ reason: "closed by the peer or the network", error: false }]);
  t.is(table.inUse(), 0);
});

test("a failed open frees the id and says why; bad hosts are refused before anything is sent", async (t) => {
  const { r, table } = rig();
  const s = table.open("broker.example", 1883);
  const closes: { reason: string; error: boolean }[] = [];
  s.events.on("close", (c) => closes.push(c));
  await step(r, 'AT+QIOPEN=1,0,"TCP","broker.example",1883,0,0\r', OK + "\r\n+QIOPEN: 0,565\r\n");
  await step(r, "AT+QICLOSE=0,1\r", OK);
  await r.modem.tx("");
  t.deepEqual(closes, [{ reason: "open failed: error 565", error: true }]);
  t.is(table.inUse(), 0);
  t.throws(() => table.open('evil",1\rAT+CFUN=0', 1883));
  t.throws(() => table.open("ok.example", 70000));
  await r.modem.tx("");
});
