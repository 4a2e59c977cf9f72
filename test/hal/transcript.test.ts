/**
 * The AT transcript format `--record` writes (hal/node/transcript.ts) is the one the
 * recorded gammu sessions use: what a recording holds is read back byte for byte by the
 * reader the replay tests use.
 */
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatEntry, parseTranscript, recordedSerial, TranscriptWriter, unescapeBytes } from "../../hal/node/transcript.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { settle, VirtualClock } from "../../hal/memory/clock.js";
import { gammuFile, transcriptFiles } from "../support/transcripts.js";

function tmpFile(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-transcript-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, "at.txt");
}

test("every byte value survives a format and parse round trip", (t) => {
  let all = "";
  for (let c = 0; c < 256; c++) all += String.fromCharCode(c);
  const tricky = "\\r is not CR, <SUB> is not Ctrl-Z, \\x41 is not A";
  for (const bytes of [all, tricky, "AT+CMGS=23\r", "0011000B91\x1a", "\x1b\r\r\n> "]) {
    const [e] = parseTranscript(formatEntry({ dir: "C", bytes, at: 12.5 }));
    t.deepEqual(e, { dir: "C", bytes, at: 12.5 });
  }
});

test("the recorded gammu sessions are read by the same parser: each file re-formats to its own entries", (t) => {
  const files = transcriptFiles();
  t.true(files.length >= 10);
  for (const f of files) {
    const entries = parseTranscript(fs.readFileSync(gammuFile(f), "latin1"));
    t.true(entries.length > 0, f);
    const again = parseTranscript(entries.map(formatEntry).join("\n"));
    t.deepEqual(again, entries, f);
  }
  t.is(unescapeBytes("AT\\r<SUB><ESC>\\x7F"), "AT\r\x1a\x1b\x7f");
});

test("a recorded serial link writes both directions with their time, in order, and keeps working", async (t) => {
  const file = tmpFile(t);
  const clock = new VirtualClock();
  const [host, modem] = memorySerialPair();
  const rec = new TranscriptWriter(file, clock, "probe of tcp://127.0.0.1:7001");
  const serial = recordedSerial(host, rec);
  const got: string[] = [];
  serial.onData((c) => got.push(c));
  modem.onData((c) => {
    if (c === "ATI\r") void modem.write("ATI\r\r\nSL-LTE1\r\n\r\nOK\r\n");
  });
  await serial.write("ATI\r");
  await settle();
  await clock.advance(1500);
  await serial.write("AT+CPIN?\r");
  await settle();
  await serial.close();
  const entries = parseTranscript(fs.readFileSync(file, "latin1"));
  t.deepEqual(entries, [
    { dir: "C", bytes: "ATI\r", at: 0 },
    { dir: "M", bytes: "ATI\r\r\nSL-LTE1\r\n\r\nOK\r\n", at: 0 },
    { dir: "C", bytes: "AT+CPIN?\r", at: 1.5 },
  ]);
  t.is(got.join(""), "ATI\r\r\nSL-LTE1\r\n\r\nOK\r\n");
  t.true(fs.readFileSync(file, "utf8").startsWith("# probe of tcp://127.0.0.1:7001\n"));
});
