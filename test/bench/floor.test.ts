/**
 * The Espruino benchmark's lower bounds (bench/espruino/floor.ts) are only worth their
 * figures if they do the job they are timed on: every command of the benchmark's stream
 * answered with exactly the modem's lines, every URC seen, every SMS payload written after
 * its prompt. Checked here on Node, on the same stream the benchmark builds.
 */
import test from "ava";
import { makeStream } from "../../bench/espruino.js";
import { bareFloor, needsFloor } from "../../bench/espruino/floor.js";
import { benchLink, stillClock } from "../../bench/espruino/link.js";
import type { AtResponse } from "../../drivers/at/index.js";

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
