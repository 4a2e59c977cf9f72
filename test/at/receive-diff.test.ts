/**
 * The channel's receive path (one CR LF split per chunk, a look at each piece for a CR or
 * LF outside a pair, the prompt looked for while a line that starts with `>` grows)
 * against the rule it implements, taken one byte at a time: every CR and every LF ends a
 * line, empty lines are dropped, a remainder longer than maxLineLength after a chunk is
 * dropped with an `overflow` event together with the rest of its line (which is held, and
 * bounded the same way, until its line end), and `> ` at the start of the remainder after
 * a chunk is the prompt. The rule is the one the previous receive path (a regular
 * expression choosing between one split and a scan for each CR and LF) was written to;
 * this test passes on it too. Random streams, cut at random points.
 */
import test from "ava";
import fc from "fast-check";
import { AtChannel } from "../../drivers/at/index.js";
import type { AtChannelOptions } from "../../drivers/at/index.js";
import type { Serial } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";

/** A serial link driven synchronously: each chunk is handed to the channel at once. */
function rig(options: AtChannelOptions): { channel: AtChannel; feed: (chunk: string) => void } {
  let handler: (chunk: string) => void = () => undefined;
  const serial: Serial = {
    write: () => Promise.resolve(),
    onData: (h) => {
      handler = h;
      return () => undefined;
    },
    onClose: () => () => undefined,
    close: () => Promise.resolve(),
  };
  const channel = new AtChannel(serial, new VirtualClock(), options);
  return { channel, feed: (chunk) => handler(chunk) };
}

/** Cuts `s` into chunks of the given sizes (cycled). */
function cut(s: string, sizes: number[]): string[] {
  const out: string[] = [];
  for (let at = 0, k = 0; at < s.length; k++) {
    const n = sizes[k % sizes.length];
    out.push(s.substr(at, n));
    at += n;
  }
  return out;
}

interface Reference {
  lines: string[];
  overflows: number[];
  /** The index of the chunk after which the prompt was taken (-1: never). */
  promptAt: number;
}

/** The rule, byte by byte (see the file comment); `prompt`: a prompt command is waiting. */
function reference(chunks: string[], maxLine: number, prompt: boolean): Reference {
  const lines: string[] = [];
  const overflows: number[] = [];
  let promptAt = -1;
  let buf = "";
  let skipping = false;
  chunks.forEach((chunk, k) => {
    for (const ch of chunk) {
      if (ch === "\r" || ch === "\n") {
        if (!skipping && buf !== "") lines.push(buf);
        skipping = false;
        buf = "";
      } else buf += ch;
    }
    if (prompt && promptAt < 0 && buf.startsWith("> ")) {
      promptAt = k;
      buf = buf.substring(2);
    }
    if (buf.length > maxLine) {
      overflows.push(buf.length);
      skipping = true;
      buf = "";
    }
  });
  return { lines, overflows, promptAt };
}

// Pieces a modem sends, and pieces that stress the splitter: lone CR and LF, a CR LF
// that a cut may split, `>` with and without its space, lines that start with `>`.
const pieces = ["\r\n", "\r", "\n", "\r\r\n", "\n\r", "> ", ">", " ", "RING", "+CREG: 1", "x", "+CSQ: 20,99", "0011000B91", ">x", "AT+CSQ\r"];
const stream = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(""));
const sizes = fc.array(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 8 });

test("receive: the lines and overflows are those of the byte-at-a-time rule, however the stream is cut", (t) => {
  fc.assert(
    fc.property(stream, sizes, fc.integer({ min: 3, max: 40 }), (s, cuts, maxLine) => {
      const { channel, feed } = rig({ maxLineLength: maxLine });
      const lines: string[] = [];
      const overflows: number[] = [];
      channel.events.on("rx", (l) => lines.push(l));
      channel.events.on("overflow", (n) => overflows.push(n));
      const chunks = cut(s, cuts);
      for (const c of chunks) feed(c);
      const want = reference(chunks, maxLine, false);
      t.deepEqual(lines, want.lines, JSON.stringify(chunks));
      t.deepEqual(overflows, want.overflows, JSON.stringify(chunks));
    }),
    { numRuns: 1500 },
  );
});

test("receive: the lines seen without an rx listener are the same (the classifier's fast path)", (t) => {
  // Without an `rx` listener the channel takes another path per line: what it classifies
  // must still be every line, in order. Unclaimed lines come out as `unsolicited` or
  // `stray` (no command is in flight), so together they are all the lines.
  fc.assert(
    fc.property(stream, sizes, (s, cuts) => {
      const { channel, feed } = rig({ maxLineLength: 1024 });
      const seen: string[] = [];
      channel.events.on("unsolicited", (l) => seen.push(l));
      channel.events.on("stray", (l) => seen.push(l));
      const chunks = cut(s, cuts);
      for (const c of chunks) feed(c);
      t.deepEqual(seen, reference(chunks, 1024, false).lines);
    }),
    { numRuns: 500 },
  );
});

test("receive: the SMS prompt is taken after the chunk that completes `> ` at a line's start, and what follows it is read on", (t) => {
  fc.assert(
    fc.property(stream, stream, sizes, (before, after, cuts) => {
      // No final result in the stream: the command stays in flight throughout.
      const s = before + "\r\n> " + after;
      const { channel, feed } = rig({ maxLineLength: 1024, timeoutMs: 60000 });
      let writtenAt = -1;
      let k = 0;
      channel.events.on("tx", (bytes) => {
        if (bytes === "00AA\x1a" && writtenAt < 0) writtenAt = k;
      });
      const lines: string[] = [];
      channel.events.on("rx", (l) => lines.push(l));
      void channel.send({ cmd: "AT+CMGS=1", mode: "prompt", payload: "00AA" }).catch(() => undefined);
      const chunks = cut(s, cuts);
      for (; k < chunks.length; k++) feed(chunks[k]);
      const want = reference(chunks, 1024, true);
      t.is(writtenAt, want.promptAt, JSON.stringify(chunks));
      t.deepEqual(lines, want.lines, JSON.stringify(chunks));
      channel.close();
    }),
    { numRuns: 1500 },
  );
});
