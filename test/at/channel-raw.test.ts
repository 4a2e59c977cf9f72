/**
 * The AT channel's fixed-length data prompt (`raw` mode): SIMCom `AT+CIPSEND=<link>,<len>`
 * and `AT+CMQTTTOPIC/PAYLOAD=<client>,<len>` print `>` and then count exactly <len> bytes,
 * with no Ctrl-Z. Transcript tests on the scripted modem: the exact bytes on the wire.
 */
import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";
import { AtArgumentError, AtTimeoutError } from "../../drivers/at/index.js";

/** Every byte value, CR, LF, Ctrl-Z, Esc and NUL included. */
const ALL_BYTES = (() => {
  let s = "";
  for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
  return s;
})();

test("raw mode waits for `>`, writes exactly the payload with no Ctrl-Z, and resolves on the final", async (t) => {
  const { channel, modem } = channelRig();
  const r = outcome(channel.send({ cmd: "AT+CIPSEND=0,5", mode: "raw", payload: "hello" }));
  await modem.tx("AT+CIPSEND=0,5\r");
  await modem.rx("\r\n>");
  await modem.tx("hello");
  t.false(r.settled);
  await modem.rx("\r\nOK\r\n");
  t.is(r.value!.final, "OK");
  t.deepEqual(r.value!.lines, []);
});

test("raw mode is binary-safe: all 256 byte values go out as they are, the prompt may carry a space", async (t) => {
  const { channel, modem } = channelRig();
  const r = outcome(channel.send({ cmd: "AT+CIPSEND=1,256", mode: "raw", payload: ALL_BYTES }));
  await modem.tx("AT+CIPSEND=1,256\r");
  await modem.rx("\r\n> ");
  await modem.tx(ALL_BYTES);
  await modem.rx("\r\nOK\r\n");
  t.is(r.value!.final, "OK");
});

test("raw mode: the prompt split across reads, a URC before it, and the answer lines are kept", async (t) => {
  const { channel, modem } = channelRig(undefined, { chunkSize: 1 });
  const urcs: string[] = [];
  channel.onUrc("+CIPRXGET:", (l) => urcs.push(l));
  const r = outcome(channel.send({ cmd: "AT+CMQTTTOPIC=0,3", mode: "raw", payload: "a/b", prefixes: ["+CMQTTTOPIC:"] }));
  await modem.tx("AT+CMQTTTOPIC=0,3\r");
  await modem.rx("\r\n+CIPRXGET: 1,0\r\n");
  await modem.tx("");
  await modem.rx("\r\n>");
  await modem.tx("a/b");
  await modem.rx("\r\nOK\r\n");
  t.is(r.value!.final, "OK");
  t.deepEqual(urcs, ["+CIPRXGET: 1,0"]);
});

test("raw mode: an error instead of the prompt fails the command and writes nothing more", async (t) => {
  const { channel, modem } = channelRig();
  const r = outcome(channel.send({ cmd: "AT+CIPSEND=3,4", mode: "raw", payload: "abcd" }));
  await modem.tx("AT+CIPSEND=3,4\r");
  await modem.rx("\r\n+IP ERROR: Connection is not established\r\n\r\nERROR\r\n");
  await modem.tx("");
  t.true(r.settled);
  t.truthy(r.error);
  // The next command runs normally.
  const next = outcome(channel.send("AT"));
  await modem.tx("AT\r");
  await modem.rx("\r\nOK\r\n");
  t.true(next.settled);
});

test("raw mode: no prompt in time is a timeout, nothing is written (no Esc: the modem counts bytes), and the probe follows", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 1000 });
  const r = outcome(channel.send({ cmd: "AT+CIPSEND=0,2", mode: "raw", payload: "hi" }));
  await modem.tx("AT+CIPSEND=0,2\r");
  await clock.advance(1000);
  t.true(AtTimeoutError.is(r.error));
  await modem.tx("AT+CMEE?\r");
});

test("raw mode refuses an empty payload, a non-byte character and one over 10240 bytes before writing", async (t) => {
  const { channel, modem } = channelRig();
  for (const payload of ["", "\u3042", "x".repeat(10241)]) {
    const o = outcome(channel.send({ cmd: "AT+CIPSEND=0,1", mode: "raw", payload }));
    await modem.tx("");
    t.true(AtArgumentError.is(o.error), JSON.stringify(payload.slice(0, 8)));
  }
});

test("R45: an urgent dial during a raw send is not cut: the counted bytes finish at once, then the dial goes out", async (t) => {
  const { channel, modem } = channelRig();
  const cuts: string[] = [];
  channel.events.on("cut", (c) => cuts.push(c));
  const payload = "\x1b\x1a" + "x".repeat(1498);
  const send = outcome(channel.send({ cmd: "AT+CIPSEND=0,1500", mode: "raw", payload, cuttable: true }));
  await modem.tx("AT+CIPSEND=0,1500\r");
  // The dial arrives while the modem is about to prompt: no Esc (it would be data), nothing written yet.
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("");
  t.deepEqual(cuts, []);
  await modem.rx("\r\n>");
  // The payload in one write, the dial not mixed into it.
  await modem.tx(payload);
  await modem.rx("\r\nOK\r\n");
  t.is(send.value!.final, "OK");
  await modem.tx("ATD110;\r");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: an urgent dial queued behind a raw send goes ahead of the other queued data commands", async (t) => {
  const { channel, modem } = channelRig();
  const send = outcome(channel.send({ cmd: "AT+CIPSEND=0,3", mode: "raw", payload: "abc" }));
  const read = outcome(channel.send({ cmd: "AT+CIPRXGET=4,0", prefixes: ["+CIPRXGET: 4,"] }));
  await modem.tx("AT+CIPSEND=0,3\r");
  await modem.rx("\r\n>");
  await modem.tx("abc");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.rx("\r\nOK\r\n");
  await modem.tx("ATD110;\r");
  await modem.rx("\r\nOK\r\n");
  t.true(send.settled && dial.settled);
  t.false(read.settled);
  await modem.tx("AT+CIPRXGET=4,0\r");
});

test("a URC with a text line after it (`text` option) gets that line, whatever it holds, even OK", async (t) => {
  const { channel, modem } = channelRig();
  const got: [string, string | undefined][] = [];
  const withText = (l: string) => !/,0$/.test(l);
  channel.onUrc("+CMQTTRXTOPIC:", (l, text) => got.push([l, text]), { text: withText });
  channel.onUrc("+CMQTTRXPAYLOAD:", (l, text) => got.push([l, text]), { text: withText });
  const r = outcome(channel.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] }));
  await modem.rx('\r\n+CSQ: 18,99\r\n+CMQTTRXTOPIC: 0,2\r\nOK\r\n+CMQTTRXPAYLOAD: 0,9\r\n{"a":"b"}\r\n+CMQTTRXPAYLOAD: 0,0\r\n\r\nOK\r\n');
  t.deepEqual(got, [
    ["+CMQTTRXTOPIC: 0,2", "OK"],
    ["+CMQTTRXPAYLOAD: 0,9", '{"a":"b"}'],
    ["+CMQTTRXPAYLOAD: 0,0", undefined],
  ]);
  t.deepEqual(r.value!.lines, ["+CSQ: 18,99"]);
});

test("R45: a raw send whose prompt never comes holds an urgent dial only the cut grace, not its own limit", async (t) => {
  const { channel, modem, clock } = channelRig({ cutGraceMs: 2000 });
  const start = clock.now();
  const send = outcome(channel.send({ cmd: "AT+CIPSEND=0,3", mode: "raw", payload: "abc", timeoutMs: 10000 }));
  await modem.tx("AT+CIPSEND=0,3\r");
  await clock.advance(500);
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await clock.advance(1999);
  await modem.tx("");
  await clock.advance(1);
  t.true(AtTimeoutError.is(send.error));
  // The probe first (a late answer must not be taken as the dial's), then the dial: 2.5 s, not 10.
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  await modem.tx("ATD110;\r");
  t.is(clock.now() - start, 2500);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});
