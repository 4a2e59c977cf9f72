/**
 * The AT channel over a link with a synchronous write (Serial.writeNow, an Espruino UART):
 * commands go out with no promise per write, in the same turn as the final result before
 * them, and a write that fails fails its command at once and lets the queue move on.
 */
import test from "ava";
import { AtAbortedError, AtChannel } from "../../drivers/at/index.js";
import type { AtResponse } from "../../drivers/at/index.js";
import type { Serial } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";

interface Link {
  serial: Serial;
  feed: (chunk: string) => void;
  /** What writeNow was given, in order. */
  wrote: string[];
  /** Calls of the promise write (none expected). */
  promised: string[];
  /** Lines writeNow refuses, with the error it returns. */
  refuse: Map<string, Error>;
}

function link(): Link {
  let handler: (chunk: string) => void = () => undefined;
  const wrote: string[] = [];
  const promised: string[] = [];
  const refuse = new Map<string, Error>();
  const serial: Serial = {
    write: (bytes) => {
      promised.push(bytes);
      return Promise.resolve();
    },
    writeNow: (bytes) => {
      const e = refuse.get(bytes);
      if (e === undefined) wrote.push(bytes);
      return e;
    },
    onData: (h) => {
      handler = h;
      return () => undefined;
    },
    onClose: () => () => undefined,
    close: () => Promise.resolve(),
  };
  return { serial, feed: (c) => handler(c), wrote, promised, refuse };
}

test("sync write: each command is written in the turn of the final before it, with no promise write", (t) => {
  const l = link();
  const ch = new AtChannel(l.serial, new VirtualClock());
  const got: AtResponse[] = [];
  ch.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] }).then((r) => got.push(r));
  ch.send("AT+CGSN").then((r) => got.push(r));
  t.deepEqual(l.wrote, ["AT+CSQ\r"], "the first command went out inside send()");
  // One chunk holds the first answer and the second's: read in order, synchronously.
  l.feed("\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
  t.deepEqual(l.wrote, ["AT+CSQ\r", "AT+CGSN\r"], "the second went out while the first's OK was read");
  l.feed("\r\n356938035643809\r\n\r\nOK\r\n");
  t.deepEqual(l.promised, []);
  return Promise.resolve().then(() => {
    t.deepEqual(
      got.map((r) => r.lines),
      [["+CSQ: 20,99"], ["356938035643809"]],
    );
  });
});

test("sync write: the payload after `> ` goes through writeNow too", (t) => {
  const l = link();
  const ch = new AtChannel(l.serial, new VirtualClock());
  void ch.send({ cmd: "AT+CMGS=23", prefixes: ["+CMGS:"], mode: "prompt", payload: "0011000B918190214365F70000AA0AE8329BFD4697D9EC37" });
  l.feed("\r\n> ");
  t.deepEqual(l.wrote, ["AT+CMGS=23\r", "0011000B918190214365F70000AA0AE8329BFD4697D9EC37\x1a"]);
  t.deepEqual(l.promised, []);
});

test("sync write: a refused write fails its command with 'write failed' and the next command is written", async (t) => {
  const l = link();
  l.refuse.set("AT+CSQ\r", new Error("UART gone"));
  const ch = new AtChannel(l.serial, new VirtualClock());
  const a = ch.send("AT+CSQ");
  const b = ch.send("AT+CGSN");
  const err = await t.throwsAsync(a);
  t.true(AtAbortedError.is(err), String(err));
  t.is((err as unknown as { reason: string }).reason, "write failed");
  t.regex(err!.message, /UART gone/);
  t.deepEqual(l.wrote, ["AT+CGSN\r"], "the queue moved on at once");
  l.feed("\r\n356938035643809\r\n\r\nOK\r\n");
  t.deepEqual((await b).lines, ["356938035643809"]);
});
