import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";
import { readTranscript, transcriptFiles, type TranscriptEntry } from "../support/transcripts.js";
import { AtCommandError, type AtCommand } from "../../drivers/at/index.js";

/**
 * Replays every gammu session from test/fixtures/gammu through our channel: each command
 * gammu sent is sent by our channel (the exact bytes must match), the recorded modem
 * bytes are fed back, and the outcome must be what those bytes say.
 */
const BARE = ["AT+CGMI", "AT+CGMM", "AT+CGMR", "AT+CGSN", "AT+CIMI", "ATI"];
const URCS = ["+CUSD:", "RING", "+CLIP:", "NO CARRIER", "+CMTI:", "+CREG:", "+CEREG:", "+CRING:", "+CCWA:"];

function commandFor(cmd: string, next: TranscriptEntry | undefined): AtCommand {
  const name = /^AT([+$^][A-Z]+)/.exec(cmd.toUpperCase());
  const prefixes = BARE.includes(cmd) || !name ? [] : [name[1] + ":"];
  if (next && next.dir === "C" && next.bytes.endsWith("\x1a")) {
    return { cmd, mode: "prompt", payload: next.bytes.slice(0, -1), prefixes };
  }
  if (/^AT\+CMG[LR]=/.test(cmd)) return { cmd, mode: "pdu-listing", prefixes };
  return { cmd, prefixes };
}

function expectedLines(modemBytes: string, c: AtCommand): { lines: string[]; final: string } {
  const lines = modemBytes.split(/\r\n|\r|\n/).filter((l) => l !== "" && l !== "> ");
  const out: string[] = [];
  let final = "";
  for (const l of lines) {
    if (l === c.cmd || (c.payload && (l === c.payload + "\x1a" || l === "> " + c.payload + "\x1a"))) continue;
    if (/^(OK|ERROR|\+CME ERROR:.*|\+CMS ERROR:.*|NO CARRIER|BUSY|NO ANSWER)$/.test(l) && !final) {
      final = l;
      continue;
    }
    if (final || URCS.some((u) => l.startsWith(u) && !(c.prefixes || []).includes(u))) continue;
    if (c.mode === "pdu-listing" && /^[0-9A-F]+$/.test(l)) continue;
    out.push(l);
  }
  return { lines: out, final };
}

for (const file of transcriptFiles()) {
  test(`gammu session ${file} replays through the channel byte for byte`, async (t) => {
    const entries = readTranscript(file);
    const { channel, modem } = channelRig({ timeoutMs: 60000 });
    const urcs: string[] = [];
    for (const u of URCS) channel.onUrc(u, (l) => urcs.push(l));
    let exchanges = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.dir !== "C" || !/^AT/i.test(e.bytes) || !e.bytes.endsWith("\r")) {
        if (e.dir === "M") await modem.rx(e.bytes); // answers to gammu's Esc/CR resets
        continue;
      }
      const c = commandFor(e.bytes.slice(0, -1), entries.slice(i + 1).find((x) => x.dir === "C"));
      const o = outcome(channel.send(c));
      await modem.tx(e.bytes);
      let answer = "";
      let j = i + 1;
      for (; j < entries.length && !(entries[j].dir === "C" && !entries[j].bytes.endsWith("\x1a")); j++) {
        if (entries[j].dir === "C") await modem.tx(entries[j].bytes); // the PDU after the prompt
        else {
          answer += entries[j].bytes;
          await modem.rx(entries[j].bytes);
        }
      }
      i = j - 1;
      const want = expectedLines(answer, c);
      t.true(o.settled, `${c.cmd} settled`);
      if (want.final === "OK") t.deepEqual(o.value!.lines.concat(o.value!.pdus.map((p) => p.header)).filter((l, k, a) => a.indexOf(l) === k), want.lines, c.cmd);
      else {
        t.true(AtCommandError.is(o.error), `${c.cmd} fails with ${want.final}`);
        t.is((o.error as { final: string }).final, want.final);
      }
      exchanges++;
    }
    t.true(exchanges > 5);
    if (file === "gammu-getussd.txt") t.true(urcs.some((u) => u.startsWith("+CUSD: 0,")));
  });
}
