/**
 * Counted blocks after a URC (UrcOptions.bytes): SIMCom's `+CMQTTRXTOPIC: <client>,<len>`
 * and `+CMQTTRXPAYLOAD: <client>,<len>` are each followed by exactly <len> bytes (A76XX AT
 * manual, MQTT(S) chapter, "Unsolicited result codes"), which may hold CR, LF, `OK` or
 * any byte. Transcript tests on the scripted modem, whole and split at every byte.
 */
import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";

/** Every byte value, CR, LF, Ctrl-Z, Esc and NUL included. */
const ALL_BYTES = (() => {
  let s = "";
  for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
  return s;
})();

/** `<client>,<len>` of a `+CMQTTRX...:` line: its <len>. */
function counted(line: string): number {
  const m = /,(\d+)$/.exec(line);
  return m ? Number(m[1]) : 0;
}

function block(payload: string): string {
  return "\r\n+CMQTTRXSTART: 0,5," + payload.length + "\r\n+CMQTTRXTOPIC: 0,5\r\na/b/c\r\n+CMQTTRXPAYLOAD: 0," + payload.length + "\r\n" + payload + "\r\n+CMQTTRXEND: 0\r\n";
}

function rig(chunkSize?: number) {
  const r = channelRig(undefined, chunkSize ? { chunkSize } : undefined);
  const got: [string, string | undefined][] = [];
  const urc = (l: string, data: string | undefined) => got.push([l, data]);
  r.channel.onUrc("+CMQTTRXSTART:", urc);
  r.channel.onUrc("+CMQTTRXTOPIC:", urc, { bytes: counted });
  r.channel.onUrc("+CMQTTRXPAYLOAD:", urc, { bytes: counted });
  r.channel.onUrc("+CMQTTRXEND:", urc);
  return Object.assign(r, { got });
}

const payloads: [string, string][] = [
  ["CR LF inside", '{"a":1,\r\n"b":"line two"}\r\n'],
  ["a lone CR and a lone LF", "one\rtwo\nthree"],
  ["OK and ERROR on lines of their own", "\r\nOK\r\nERROR\r\n+CME ERROR: 3\r\n"],
  ["another URC's text", "\r\n+CMQTTRXEND: 0\r\n+CMTI: \"SM\",1\r\n"],
  ["all 256 byte values", ALL_BYTES],
];

for (const [what, payload] of payloads) {
  for (const chunk of [0, 1, 7]) {
    test("a counted block after a URC is read by count: " + what + (chunk ? ", input in " + chunk + "-byte pieces" : ", one piece"), async (t) => {
      const r = rig(chunk || undefined);
      const unsolicited: string[] = [];
      r.channel.events.on("unsolicited", (l) => unsolicited.push(l));
      const q = outcome(r.channel.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] }));
      await r.modem.tx("AT+CSQ\r");
      await r.modem.rx(block(payload) + "\r\n+CSQ: 18,99\r\n\r\nOK\r\n");
      t.deepEqual(r.got, [
        ["+CMQTTRXSTART: 0,5," + payload.length, undefined],
        ["+CMQTTRXTOPIC: 0,5", "a/b/c"],
        ["+CMQTTRXPAYLOAD: 0," + payload.length, payload],
        ["+CMQTTRXEND: 0", undefined],
      ]);
      // Nothing of the payload leaked into the command's answer or the unclaimed lines.
      t.deepEqual(q.value!.lines, ["+CSQ: 18,99"]);
      t.is(q.value!.final, "OK");
      t.deepEqual(unsolicited, []);
    });
  }
}

test("a zero count takes no bytes: the next line is a line", async (t) => {
  const r = rig();
  await r.modem.rx("\r\n+CMQTTRXPAYLOAD: 0,0\r\n+CMQTTRXEND: 0\r\n");
  t.deepEqual(r.got, [
    ["+CMQTTRXPAYLOAD: 0,0", undefined],
    ["+CMQTTRXEND: 0", undefined],
  ]);
});

test("the URC line ending in a CR that closes the chunk: its LF in the next chunk is not taken as data", async (t) => {
  const r = rig();
  await r.modem.rx("\r\n+CMQTTRXPAYLOAD: 0,3\r");
  await r.modem.rx("\nabc\r\n+CMQTTRXEND: 0\r\n");
  t.deepEqual(r.got, [
    ["+CMQTTRXPAYLOAD: 0,3", "abc"],
    ["+CMQTTRXEND: 0", undefined],
  ]);
});

test("a block that stops short: after blockIdleMs the URC goes without data and what came is read as lines (the OK is not lost)", async (t) => {
  const r = rig();
  const q = outcome(r.channel.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] }));
  await r.modem.tx("AT+CSQ\r");
  // 50 bytes announced, 8 came; then the modem answers the command.
  await r.modem.rx("\r\n+CMQTTRXPAYLOAD: 0,50\r\nabcdefgh");
  await r.clock.advance(999);
  t.deepEqual(r.got, []);
  await r.clock.advance(1);
  t.deepEqual(r.got, [["+CMQTTRXPAYLOAD: 0,50", undefined]]);
  await r.modem.rx("\r\n+CSQ: 18,99\r\n\r\nOK\r\n");
  t.is(q.value!.final, "OK");
  t.deepEqual(q.value!.lines, ["+CSQ: 18,99"]);
});

test("a stalled block's bytes are parsed again: a final inside them answers the command", async (t) => {
  const r = rig();
  const q = outcome(r.channel.send({ cmd: "AT" }));
  await r.modem.tx("AT\r");
  // The count was garbled upward; the rest of the stream (the OK) was swallowed into the block.
  await r.modem.rx("\r\n+CMQTTRXPAYLOAD: 0,500\r\nxyz\r\n\r\nOK\r\n");
  t.false(q.settled);
  await r.clock.advance(1000);
  t.is(q.value!.final, "OK");
});

test("a count over the channel's largest block is consumed, not kept, and reported as an overflow", async (t) => {
  const r = rig();
  const overflow: number[] = [];
  r.channel.events.on("overflow", (n) => overflow.push(n));
  const big = "x".repeat(20000);
  await r.modem.rx("\r\n+CMQTTRXPAYLOAD: 0,20000\r\n" + big + "\r\n+CMQTTRXEND: 0\r\n");
  t.deepEqual(overflow, [20000]);
  t.deepEqual(r.got, [
    ["+CMQTTRXPAYLOAD: 0,20000", undefined],
    ["+CMQTTRXEND: 0", undefined],
  ]);
});
