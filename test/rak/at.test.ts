/**
 * The RAK8212's lean AT channel (firmware/rak/at.ts) against a scripted modem: this test
 * writes the modem's side by hand, so every interleaving is exact. The emergency rules
 * (SPEC R45, R46, R50) rest on its priority lane and its resynchronisation.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { RakAt, STEP_ASIDE_MS } from "../../firmware/rak/at.js";

function rig() {
  const clock = new VirtualClock(0);
  const written: { at: number; cmd: string }[] = [];
  const urcs: string[] = [];
  const at = new RakAt(
    (s) => written.push({ at: clock.now(), cmd: s.replace(/\r$/, "") }),
    clock,
    (line, pdu) => urcs.push(pdu === undefined ? line : line + " / " + pdu),
  );
  const done: string[] = [];
  const send = (cmd: string, ms?: number, urgent?: boolean) => at.send(cmd, (e, lines) => done.push(cmd + " -> " + (e || "OK") + (lines.length ? " " + lines.join(";") : "")), ms, urgent);
  return { clock, at, written, urcs, done, send, cmds: () => written.map((w) => w.cmd) };
}

test("one command at a time, answers with their lines; URCs apart, a query's own line is its own", async (t) => {
  const r = rig();
  r.send("AT+CLCC");
  r.send("AT+CREG?");
  t.deepEqual(r.cmds(), ["AT+CLCC"]);
  r.at.feed("\r\nRING\r\n+CLCC: 1,1,4,0,0,\"+8190\",145\r\n+CLIP: \"+8190\",145\r\nOK\r\n");
  t.deepEqual(r.done, ['AT+CLCC -> OK +CLCC: 1,1,4,0,0,"+8190",145']);
  t.deepEqual(r.urcs, ["RING", '+CLIP: "+8190",145']);
  t.deepEqual(r.cmds(), ["AT+CLCC", "AT+CREG?"]);
  r.at.feed("+CREG: 2,1\r\nOK\r\n+CREG: 5\r\n");
  t.deepEqual(r.done.slice(1), ["AT+CREG? -> OK +CREG: 2,1"]);
  t.deepEqual(r.urcs.slice(2), ["+CREG: 5"]);
});

test("NO CARRIER ends only a dial or an answer; otherwise it is a URC; +CMT: takes its PDU line", async (t) => {
  const r = rig();
  r.send("AT+CLCC");
  r.at.feed("NO CARRIER\r\nOK\r\n");
  t.deepEqual(r.done, ["AT+CLCC -> OK"]);
  t.deepEqual(r.urcs, ["NO CARRIER"]);
  r.send("ATD0312345678;");
  r.at.feed("BUSY\r\n+CMT: ,24\r\n0791\r\n");
  t.deepEqual(r.done.slice(1), ["ATD0312345678; -> BUSY"]);
  t.deepEqual(r.urcs.slice(1), ["+CMT: ,24 / 0791"]);
});

test("R50 right after our AT+CHUP, the first NO CARRIER is the released call's, not the emergency dial's final; the next one is the dial's", async (t) => {
  const r = rig();
  r.send("AT+CHUP", 5000, true);
  r.send("ATD110;", 10000, true);
  r.at.feed("OK\r\n");
  r.at.feed("NO CARRIER\r\n");
  t.deepEqual(r.done, ["AT+CHUP -> OK"]);
  t.deepEqual(r.urcs, ["NO CARRIER"]);
  r.send("AT+CLCC");
  r.at.feed("OK\r\n");
  t.deepEqual(r.done.slice(1), ["ATD110; -> OK"], "the dial's own OK, not the next command's");
  r.at.feed("+CLCC: 1,0,2,0,0,\"110\",129\r\nOK\r\n");
  t.deepEqual(r.done.slice(2), ['AT+CLCC -> OK +CLCC: 1,0,2,0,0,"110",129']);
  r.send("ATD119;", 10000, true);
  r.at.feed("NO CARRIER\r\n");
  t.deepEqual(r.done.slice(3), ["ATD119; -> NO CARRIER"], "with no AT+CHUP before it, NO CARRIER ends the dial");
});

test("a timeout fails the command, and its late final (before the probe's +CMEE:) is never the next command's", async (t) => {
  const r = rig();
  r.send("AT+COPS?", 1000);
  r.send("AT+CLCC");
  await r.clock.advance(1000);
  t.deepEqual(r.done, ["AT+COPS? -> timeout"]);
  t.deepEqual(r.cmds(), ["AT+COPS?", "AT+CMEE?"]);
  // The dead command's answer comes late, then the probe's.
  r.at.feed("+COPS: 0,0,\"x\",7\r\nOK\r\n+CMEE: 1\r\nOK\r\n");
  t.deepEqual(r.cmds(), ["AT+COPS?", "AT+CMEE?", "AT+CLCC"]);
  r.at.feed("ERROR\r\n");
  t.deepEqual(r.done.slice(1), ["AT+CLCC -> ERROR"], "AT+CLCC got its own final, not the late OK");
});

test("a probe nobody answers says the modem hung: after a plain AT at once, after other commands once it was written four times", async (t) => {
  const r = rig();
  r.send("AT", 1000);
  await r.clock.advance(2000);
  t.deepEqual(r.cmds(), ["AT", "AT+CMEE?"]);
  t.deepEqual(r.urcs, ["~hang"]);
  r.send("AT+CLCC", 1000);
  await r.clock.advance(4999);
  t.deepEqual(r.cmds().slice(2), ["AT+CLCC", "AT+CMEE?", "AT+CMEE?", "AT+CMEE?", "AT+CMEE?"]);
  t.deepEqual(r.urcs, ["~hang"]);
  await r.clock.advance(1);
  t.deepEqual(r.urcs, ["~hang", "~hang"]);
});

test("a slow command answered after its probe timed out: no hang, every late final and probe answer dropped, the next command gets its own", async (t) => {
  const r = rig();
  r.send("AT+CMGR=1", 10000);
  r.send("AT+CLCC");
  await r.clock.advance(10000);
  t.deepEqual(r.done, ["AT+CMGR=1 -> timeout"]);
  await r.clock.advance(1000);
  t.deepEqual(r.cmds(), ["AT+CMGR=1", "AT+CMEE?", "AT+CMEE?"]);
  // The module finishes the read 11.5 s in, then answers both probes in order.
  await r.clock.advance(500);
  r.at.feed("+CMGR: 0,,24\r\n0791\r\nOK\r\n+CMEE: 1\r\nOK\r\n");
  t.deepEqual(r.cmds().length, 3, "still waiting for the second probe's answer");
  r.at.feed("+CMEE: 1\r\nOK\r\n");
  t.deepEqual(r.cmds(), ["AT+CMGR=1", "AT+CMEE?", "AT+CMEE?", "AT+CLCC"]);
  r.at.feed('+CLCC: 1,1,0,0,0,"+8190",145\r\nOK\r\n');
  t.deepEqual(r.done.slice(1), ['AT+CLCC -> OK +CLCC: 1,1,0,0,0,"+8190",145']);
  t.deepEqual(r.urcs, []);
});

test("R45 R46 an urgent command goes ahead of the queue, behind the command in flight that answers", async (t) => {
  const r = rig();
  r.send("AT+CLCC");
  r.send("AT+CMGR=1");
  r.send("AT+CMGD=1");
  r.send("ATD110;", 30000, true);
  r.at.feed("OK\r\n");
  t.deepEqual(r.cmds(), ["AT+CLCC", "ATD110;"]);
  r.at.feed("OK\r\n");
  t.deepEqual(r.cmds(), ["AT+CLCC", "ATD110;", "AT+CMGR=1"]);
  t.deepEqual(r.done, ["AT+CLCC -> OK", "ATD110; -> OK"]);
});

test("R50 the release goes before the emergency dial, both ahead of queued commands, in the order asked", async (t) => {
  const r = rig();
  r.send("AT+CLCC");
  r.send("AT+CEER");
  r.send("AT+CHUP", 5000, true);
  r.send("ATD119;", 30000, true);
  r.at.feed("OK\r\n");
  r.at.feed("OK\r\n");
  r.at.feed("OK\r\n");
  t.deepEqual(r.cmds(), ["AT+CLCC", "AT+CHUP", "ATD119;", "AT+CEER"]);
});

test(`R45 a stuck command steps aside after ${STEP_ASIDE_MS} ms: the probe, then the dial; its late OK is dropped`, async (t) => {
  const r = rig();
  r.send("AT+CMGL=4", 20000);
  await r.clock.advance(100);
  const asked = r.clock.now();
  r.send("ATD110;", 30000, true);
  await r.clock.advance(STEP_ASIDE_MS);
  t.deepEqual(r.done, ["AT+CMGL=4 -> cut"]);
  t.deepEqual(r.cmds(), ["AT+CMGL=4", "AT+CMEE?"]);
  // The stuck command's final after all, then the probe's answer: only then the dial.
  r.at.feed("OK\r\n+CMEE: 1\r\nOK\r\n");
  const dial = r.written[2];
  t.is(dial.cmd, "ATD110;");
  t.true(dial.at - asked <= 2 * STEP_ASIDE_MS, `written ${dial.at - asked} ms after it was asked`);
  r.at.feed("NO CARRIER\r\n");
  t.deepEqual(r.done.slice(1), ["ATD110; -> NO CARRIER"], "the dial got its own final");
});

test("R45 a stuck modem that holds the probe: the dial is written when the probe times out, and the late finals still go to the dead commands", async (t) => {
  const r = rig();
  r.send("AT+CMGL=4", 20000);
  r.send("ATD110;", 30000, true);
  await r.clock.advance(2 * STEP_ASIDE_MS);
  t.deepEqual(r.cmds(), ["AT+CMGL=4", "AT+CMEE?", "ATD110;"]);
  t.is(r.written[2].at, 2 * STEP_ASIDE_MS, "the dial is written twice STEP_ASIDE_MS after it was asked");
  t.deepEqual(r.urcs, [], "no hang: the modem was busy");
  // The modem answers everything in order: the stuck one, the probe, then the dial.
  r.at.feed("OK\r\n+CMEE: 1\r\nOK\r\nOK\r\n");
  t.deepEqual(r.done, ["AT+CMGL=4 -> cut", "ATD110; -> OK"]);
});

test("RDY fails the command in flight and the queue and is heard as a URC", async (t) => {
  const r = rig();
  r.send("AT+CLCC");
  r.send("AT+CEER");
  r.at.feed("RDY\r\n");
  t.deepEqual(r.done, ["AT+CLCC -> reset", "AT+CEER -> reset"]);
  t.deepEqual(r.urcs, ["RDY"]);
});

test("RDY with a command in flight: its answer may still come after the banner, and is not taken as the next command's", async (t) => {
  const r = rig();
  r.send("AT", 1000);
  r.at.feed("\r\nRDY\r\n");
  r.send("ATE0");
  t.deepEqual(r.cmds(), ["AT", "AT+CMEE?"], "resynchronised first");
  // The module answers the AT it took just before its banner.
  r.at.feed("AT\r\r\nOK\r\n");
  t.deepEqual(r.done, ["AT -> reset"]);
  r.at.feed("\r\n+CMEE: 0\r\n\r\nOK\r\n");
  t.deepEqual(r.cmds(), ["AT", "AT+CMEE?", "ATE0"]);
  r.at.feed("ATE0\r\r\nERROR\r\n");
  t.deepEqual(r.done, ["AT -> reset", "ATE0 -> ERROR ATE0"]);
  // Nothing in flight: no probe.
  r.at.feed("\r\nRDY\r\n");
  r.send("AT");
  t.is(r.cmds()[r.cmds().length - 1], "AT");
});

test("a command with a line taker gets each line as it arrives, none held for its final; URCs still apart", async (t) => {
  const r = rig();
  const got: string[] = [];
  const done: string[] = [];
  r.at.send("AT+CMGL=4", (e, lines) => done.push((e || "OK") + " " + lines.length), 20000, false, (l) => got.push(l));
  r.at.feed("+CMGL: 1,0,,24\r\n0791AA\r\n");
  t.deepEqual(got, ["+CMGL: 1,0,,24", "0791AA"], "before the final");
  t.deepEqual(done, []);
  r.at.feed("RING\r\n+CMGL: 2,0,,24\r\n0791BB\r\nOK\r\n");
  t.deepEqual(got.slice(2), ["+CMGL: 2,0,,24", "0791BB"]);
  t.deepEqual(r.urcs, ["RING"]);
  t.deepEqual(done, ["OK 0"]);
});
