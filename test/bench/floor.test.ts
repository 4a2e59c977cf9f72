/**
 * The benchmarks' lower bounds (bench/espruino/floor.ts, bench/at-floor.ts) are only worth their
 * figures if they do the job they are timed on: every command of the benchmark's stream
 * answered with exactly the modem's lines, every URC seen, every SMS payload written after
 * its prompt. Checked here on Node, on the same stream the benchmark builds.
 */
import test from "ava";
import { floorKeys, transaction } from "../../bench/at.js";
import { hostFloor } from "../../bench/at-floor.js";
import { makeStream } from "../../bench/espruino.js";
import { bareFloor, needsFloor } from "../../bench/espruino/floor.js";
import { benchLink, stillClock } from "../../bench/espruino/link.js";
import { AtChannel } from "../../drivers/at/index.js";
import type { AtResponse } from "../../drivers/at/index.js";
import { VirtualClock } from "../../hal/memory/clock.js";

/** The stream cut into its chunks, as bench/espruino/entry.ts cuts it. */
function chunksOf(bytes: string, sizes: string): string[] {
  const out: string[] = [];
  let at = 0;
  for (const c of sizes) {
    const n = c.charCodeAt(0) - 32;
    out.push(bytes.substr(at, n));
    at += n;
  }
  return out;
}

const payloads = (tx: string[][]) => tx.filter((t) => t[1]).map((t) => t[1] + "\x1a");

test("floor answers every command of the benchmark's stream with the modem's lines", (t) => {
  const s = makeStream(400, 7);
  const written: string[] = [];
  let urcs = 0;
  const floor = bareFloor(
    (w) => written.push(w),
    () => urcs++,
  );
  const answers: string[] = [];
  let next = 0;
  for (const c of chunksOf(s.bytes, s.chunks)) {
    while (next < s.tx.length && floor.waiting() < 8) {
      floor.send(s.tx[next][0], s.tx[next][1], (lines) => answers.push(lines.join("|")));
      next++;
    }
    floor.receive(c);
  }
  t.deepEqual(answers, s.tx.map((x) => x[2]));
  t.is(urcs, s.urcs);
  t.deepEqual(written.filter((w) => w.endsWith("\x1a")), payloads(s.tx));
});

test("floor+ answers every command with the modem's lines, refuses a bad command line and fails an error final", async (t) => {
  const s = makeStream(400, 11);
  const written: string[] = [];
  const link = benchLink(written);
  let urcs = 0;
  const floor = needsFloor(link.serial, stillClock, () => urcs++);
  const sent: Promise<AtResponse>[] = [];
  let next = 0;
  for (const c of chunksOf(s.bytes, s.chunks)) {
    while (next < s.tx.length && floor.queued() < 8) {
      const [cmd, payload, , prefix] = s.tx[next++];
      const prefixes = prefix ? [prefix] : [];
      sent.push(floor.send(payload ? { cmd, prefixes, mode: "prompt", payload } : { cmd, prefixes }));
    }
    link.handler(c);
  }
  const answers = await Promise.all(sent);
  t.deepEqual(
    answers.map((a) => a.lines.join("|")),
    s.tx.map((x) => x[2]),
  );
  t.is(urcs, s.urcs);
  t.deepEqual(written.filter((w) => w.endsWith("\x1a")), payloads(s.tx));
  await t.throwsAsync(floor.send({ cmd: "AT+CSQ\r\nATD112;" }), { message: /refused command/ });
  const failing = floor.send({ cmd: "AT+CPIN?", prefixes: ["+CPIN:"] });
  link.handler("\r\n+CME ERROR: 10\r\n");
  await t.throwsAsync(failing, { message: "+CME ERROR: 10" });
});

test("the Node floor gives every command of `bench -- at`'s stream the channel's answer and sees as many URCs", async (t) => {
  const a = benchLink(undefined);
  let floorUrcs = 0;
  const floor = hostFloor(a.serial, new VirtualClock(), floorKeys(() => floorUrcs++), 5);
  const b = benchLink(undefined);
  let channelUrcs = 0;
  const channel = new AtChannel(b.serial, new VirtualClock());
  for (const p of ["+CEREG:", "RING", "+CLIP:", "+CMTI:", "+CSQ:"]) channel.onUrc(p, () => channelUrcs++);
  channel.onUrc("+CMT:", () => channelUrcs++, { pdu: true });
  for (let i = 0; i < 300; i++) {
    const tx = transaction(i);
    const bytes = tx.urcs + tx.answer.slice(0, 8) + tx.urcs + tx.answer.slice(8);
    const mine = floor.send({ cmd: tx.cmd, prefixes: tx.prefixes });
    const theirs = channel.send({ cmd: tx.cmd, prefixes: tx.prefixes });
    // Cut differently on each side: the framing must not depend on where a chunk ends.
    for (let at = 0; at < bytes.length; at += 7) a.handler(bytes.substr(at, 7));
    for (let at = 0; at < bytes.length; at += 13) b.handler(bytes.substr(at, 13));
    t.deepEqual((await mine).lines, (await theirs).lines, tx.cmd + " #" + i);
  }
  t.is(floorUrcs, channelUrcs);
  t.true(floorUrcs > 300 * 12 * 0.9);
});
