/**
 * TextTail (hal/memory/tail.ts): the bounded transcripts of the in-memory serial ends and
 * of the simulated modem's output. The soak runs them for days of virtual time; a
 * transcript of everything was the largest part of its heap growth per device.
 */
import test from "ava";
import { TAIL_KEPT, TextTail } from "../../hal/memory/tail.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { settle, VirtualClock } from "../../hal/memory/clock.js";
import { ModemOutput } from "../../sim/modem/output.js";

test("a tail keeps everything until its bound, then the newest `kept` characters", (t) => {
  const tail = new TextTail(10);
  tail.append("abc");
  tail.append("def");
  t.is(tail.value, "abcdef");
  t.is(tail.dropped, 0);
  for (let i = 0; i < 100; i++) tail.append(String(i % 10));
  t.is(tail.value, "0123456789");
  t.is(tail.total, 106);
  t.is(tail.dropped, 96);
  tail.append("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  t.is(tail.value, "QRSTUVWXYZ", "one append longer than the bound keeps its own end");
});

test("a tail's storage stays within twice its bound however much is appended", (t) => {
  const tail = new TextTail(64);
  let longest = 0;
  for (let i = 0; i < 10000; i++) {
    tail.append("AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
    longest = Math.max(longest, (tail as unknown as { text: string }).text.length);
  }
  t.true(longest <= 2 * 64, "held at most " + longest + " characters");
  t.is(tail.value, ("AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n".repeat(3)).slice(-64));
});

test("a tail refuses a bound that is not a count", (t) => {
  t.throws(() => new TextTail(-1), { instanceOf: RangeError });
  t.throws(() => new TextTail(NaN), { instanceOf: RangeError });
  t.is(new TextTail(Infinity).kept, Infinity);
});

test("a memory serial end's `written` is bounded (the newest TAIL_KEPT bytes), and everything still crosses", async (t) => {
  const [a, b] = memorySerialPair();
  let got = 0;
  b.onData((c) => (got += c.length));
  const line = "AT+CMGL=4\r";
  const n = Math.ceil((5 * TAIL_KEPT) / line.length);
  for (let i = 0; i < n; i++) await a.write(line);
  await settle();
  t.is(got, n * line.length, "every byte arrived");
  t.is(a.written.length, TAIL_KEPT);
  t.true(a.written.endsWith(line));
  const [c] = memorySerialPair({ writtenKept: Infinity });
  for (let i = 0; i < n; i++) await c.write(line);
  t.is(c.written.length, n * line.length, "writtenKept: Infinity keeps the whole transcript");
});

test("the simulated modem's `sent` is bounded (the newest TAIL_KEPT bytes), and everything still reaches the line", async (t) => {
  const clock = new VirtualClock();
  const out = new ModemOutput(clock, {});
  const [dce, dte] = memorySerialPair();
  let got = "";
  dte.onData((c) => (got += c));
  out.setSerial(dce);
  const urc = "\r\n+CREG: 1\r\n";
  const n = Math.ceil((5 * TAIL_KEPT) / urc.length);
  for (let i = 0; i < n; i++) {
    out.write(urc);
    await settle();
  }
  t.is(got.length, n * urc.length, "every byte reached the line");
  t.is(out.sent.length, TAIL_KEPT);
  t.true(out.sent.endsWith(urc));
  t.is(new ModemOutput(clock, { sentKept: 16 }).sent, "");
});
