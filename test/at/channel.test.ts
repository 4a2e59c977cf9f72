import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";
import { AtAbortedError, AtArgumentError, AtCommandError, AtTimeoutError } from "../../drivers/at/index.js";

test("a command is written with CR and resolves on OK with its intermediate lines", async (t) => {
  const { channel, modem } = channelRig();
  const r = outcome(channel.send("AT+CGMI"));
  await modem.tx("AT+CGMI\r");
  await modem.rx("\r\nQuectel\r\n\r\nOK\r\n");
  t.true(r.settled);
  t.deepEqual(r.value, { final: "OK", lines: ["Quectel"], pdus: [] });
});

test("echo (ATE1) is recognised and not taken as a response line", async (t) => {
  const { channel, modem } = channelRig();
  const r = outcome(channel.send("AT+CGMM"));
  await modem.tx("AT+CGMM\r");
  await modem.rx("AT+CGMM\r\r\nRM-LTE1\r\n\r\nOK\r\n");
  t.deepEqual(r.value!.lines, ["RM-LTE1"]);
});

test("one command in flight: the second is written only after the first's final result", async (t) => {
  const { channel, modem } = channelRig();
  const a = outcome(channel.send("AT+CSQ"));
  const b = outcome(channel.send("AT+CREG?"));
  t.is(channel.queued(), 1);
  await modem.tx("AT+CSQ\r");
  await modem.rx("\r\n+CSQ: 20,99\r\n");
  await modem.tx("");
  await modem.rx("\r\nOK\r\n");
  await modem.tx("AT+CREG?\r");
  await modem.rx("\r\nOK\r\n");
  t.true(a.settled && b.settled);
});

test("URCs are dispatched by prefix before, inside and after a response", async (t) => {
  const { channel, modem } = channelRig();
  const seen: string[] = [];
  channel.onUrc("+CREG:", (l) => seen.push(l));
  channel.onUrc("RING", (l) => seen.push(l));
  await modem.rx("\r\n+CREG: 1\r\n");
  const r = outcome(channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }));
  await modem.tx("AT+CLCC\r");
  await modem.rx('\r\n+CLCC: 1,1,4,0,0,"+819012345678",145\r\n\r\nRING\r\n\r\n+CREG: 5\r\n\r\nOK\r\n\r\n+CREG: 1\r\n');
  t.deepEqual(seen, ["+CREG: 1", "RING", "+CREG: 5", "+CREG: 1"]);
  t.deepEqual(r.value!.lines, ['+CLCC: 1,1,4,0,0,"+819012345678",145']);
});

test("a URC followed by a PDU line (+CMT) gets its PDU, even inside a response", async (t) => {
  const { channel, modem } = channelRig();
  const got: [string, string | undefined][] = [];
  channel.onUrc("+CMT:", (l, pdu) => got.push([l, pdu]), { pdu: true });
  const r = outcome(channel.send({ cmd: "AT+CSQ", prefixes: ["+CSQ:"] }));
  await modem.rx("\r\n+CSQ: 18,99\r\n\r\n+CMT: ,24\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n\r\nOK\r\n");
  t.deepEqual(got, [["+CMT: ,24", "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"]]);
  t.deepEqual(r.value!.lines, ["+CSQ: 18,99"]);
});

test("a PDU URC whose PDU never comes still delivers the header and the next line is classified anew", async (t) => {
  const { channel, modem } = channelRig();
  const got: [string, string | undefined][] = [];
  channel.onUrc("+CMT:", (l, pdu) => got.push([l, pdu]), { pdu: true });
  const r = outcome(channel.send("AT"));
  await modem.rx("\r\n+CMT: ,24\r\nOK\r\n");
  t.deepEqual(got, [["+CMT: ,24", undefined]]);
  t.is(r.value!.final, "OK");
});

test("pdu-listing mode pairs each +CMGL header with its PDU line", async (t) => {
  const { channel, modem } = channelRig();
  const r = outcome(channel.send({ cmd: "AT+CMGL=4", prefixes: ["+CMGL:"], mode: "pdu-listing" }));
  await modem.rx("AT+CMGL=4\r\r\n+CMGL: 1,1,,23\r\n0791AABB\r\n+CMGL: 2,0,,24\r\n0791CCDD\r\n\r\nOK\r\n");
  t.deepEqual(r.value!.pdus, [
    { header: "+CMGL: 1,1,,23", pdu: "0791AABB" },
    { header: "+CMGL: 2,0,,24", pdu: "0791CCDD" },
  ]);
});

test("the SMS prompt: payload and Ctrl-Z are written only after '> '", async (t) => {
  const { channel, modem } = channelRig();
  const pdu = "0011000B915155214365F70000FF05E8329BFD06";
  const r = outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: pdu, prefixes: ["+CMGS:"] }));
  await modem.tx("AT+CMGS=19\r");
  await modem.rx("AT+CMGS=19\r\r\n>");
  await modem.tx(""); // half a prompt is no prompt
  await modem.rx(" ");
  await modem.tx(pdu + "\x1a");
  await modem.rx(pdu + "\x1a\r\n+CMGS: 7\r\n\r\nOK\r\n");
  t.deepEqual(r.value!.lines, ["+CMGS: 7"]);
});

test("a prompt that never comes: Esc is written, the command times out, the channel stays usable", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 1000 });
  const r = outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "00AA" }));
  await modem.tx("AT+CMGS=19\r");
  await clock.advance(1000);
  // Esc cancels the prompt; the probe goes out at once, before anything else is queued.
  await modem.tx("\x1bAT+CMEE?\r");
  t.true(AtTimeoutError.is(r.error));
  const next = outcome(channel.send("AT+CSQ"));
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  await modem.tx("AT+CSQ\r");
  await modem.rx("\r\nOK\r\n");
  t.is(next.value!.final, "OK");
});

test("a late answer to a timed-out command is not taken as the next command's answer", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 500 });
  const slow = outcome(channel.send({ cmd: "AT+CCLK?", prefixes: ["+CCLK:"] }));
  await modem.tx("AT+CCLK?\r");
  await modem.rx('\r\n+CCLK: "26/11/25,10:00:00+36"\r\n');
  await clock.advance(500);
  t.true(AtTimeoutError.is(slow.error));
  t.deepEqual((slow.error as { partial: string[] }).partial, ['+CCLK: "26/11/25,10:00:00+36"']);
  const strays: string[] = [];
  channel.events.on("stray", (l) => strays.push(l));
  const dial = outcome(channel.send("ATD+819012345678;"));
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\nOK\r\n"); // the late OK of AT+CCLK? arrives first
  await modem.tx("");
  t.false(dial.settled, "ATD not written until the probe's own answer came");
  t.deepEqual(strays, ["OK"]);
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  await modem.tx("ATD+819012345678;\r");
  await modem.rx("\r\nNO CARRIER\r\n");
  t.true(AtCommandError.is(dial.error));
  t.is((dial.error as { kind: string }).kind, "no-carrier");
});

test("+CME ERROR and +CMS ERROR give typed errors with code and description; verbose text is kept", async (t) => {
  const { channel, modem } = channelRig();
  const a = outcome(channel.send("AT+CPIN?"));
  await modem.rx("\r\n+CME ERROR: 10\r\n");
  const b = outcome(channel.send("AT+CMGR=9"));
  await modem.rx("\r\n+CMS ERROR: 321\r\n");
  const c = outcome(channel.send("AT+COPS=0"));
  await modem.rx("\r\n+CME ERROR: no network service\r\n");
  const d = outcome(channel.send("AT+FOO"));
  await modem.rx("\r\nERROR\r\n");
  const ea = a.error as { kind: string; code: number; text: string };
  t.true(AtCommandError.is(a.error));
  t.deepEqual([ea.kind, ea.code, ea.text], ["cme", 10, "SIM not inserted"]);
  const eb = b.error as { kind: string; code: number; text: string };
  t.deepEqual([eb.kind, eb.code, eb.text], ["cms", 321, "invalid memory index"]);
  const ec = c.error as { kind: string; code: number | undefined; text: string };
  t.deepEqual([ec.kind, ec.code, ec.text], ["cme", undefined, "no network service"]);
  t.is((d.error as { kind: string }).kind, "error");
  t.true(a.error instanceof Error);
});

test("NO CARRIER ends a dial command but is a URC while any other command is in flight", async (t) => {
  const { channel, modem } = channelRig();
  const ended: string[] = [];
  channel.onUrc("NO CARRIER", (l) => ended.push(l));
  const clcc = outcome(channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }));
  await modem.rx("\r\nNO CARRIER\r\n\r\nOK\r\n");
  t.is(clcc.value!.final, "OK");
  t.deepEqual(ended, ["NO CARRIER"]);
  const dial = outcome(channel.send("ATD110;"));
  await modem.rx("\r\nBUSY\r\n");
  t.is((dial.error as { kind: string }).kind, "busy");
});

test("a modem reboot in mid-command fails the command and the queue, and tells the owner", async (t) => {
  const { channel, modem } = channelRig();
  const reboots: string[] = [];
  channel.events.on("reboot", (b) => reboots.push(b));
  const a = outcome(channel.send("AT+COPS?"));
  const b = outcome(channel.send("AT+CSQ"));
  await modem.tx("AT+COPS?\r");
  await modem.rx("\r\nRDY\r\n");
  t.true(AtAbortedError.is(a.error));
  t.true(AtAbortedError.is(b.error));
  t.regex((a.error as Error).message, /rebooted/);
  t.deepEqual(reboots, ["RDY"]);
  const c = outcome(channel.send("AT"));
  // AT+COPS? was in flight: the new boot may still read and answer it, so the probe goes first.
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\nOK\r\n\r\n+CMEE: 0\r\n\r\nOK\r\n");
  await modem.tx("AT\r");
  await modem.rx("AT\r\r\nOK\r\n");
  t.is(c.value!.final, "OK");
});

test("after a timeout the modem is probed at once; a probe without any answer declares the hang", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 5000, syncTimeoutMs: 1000 });
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  const a = outcome(channel.send("AT+CSQ"));
  await modem.tx("AT+CSQ\r");
  await clock.advance(5000); // a times out: the probe is written with nothing queued
  t.true(AtTimeoutError.is(a.error));
  await modem.tx("AT+CMEE?\r");
  t.deepEqual(hangs, []);
  await clock.advance(1000); // the probe gets nothing: hung, 6 s after the command was written
  t.deepEqual(hangs, [2]);
  const b = outcome(channel.send("AT+CSQ"));
  await modem.tx("AT+CSQ\r");
  await clock.advance(5000);
  t.true(AtTimeoutError.is(b.error));
  t.deepEqual(hangs, [2], "one hang per episode");
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  const c = outcome(channel.send("AT"));
  await modem.tx("AT\r");
  await modem.rx("\r\nOK\r\n");
  t.is(c.value!.final, "OK");
});

test("a probe answered by ERROR only (no +CMEE: line) proves the modem alive: no hang", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 500, syncTimeoutMs: 200 });
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  outcome(channel.send("AT+CSQ"));
  await clock.advance(500);
  await modem.tx("AT+CSQ\rAT+CMEE?\r");
  await modem.rx("\r\nERROR\r\n");
  await clock.advance(200);
  t.deepEqual(hangs, []);
});

test("R45: an urgent command goes ahead of everything queued", async (t) => {
  const { channel, modem } = channelRig();
  const first = outcome(channel.send("AT+CSQ"));
  const queued = outcome(channel.send("AT+COPS?"));
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("AT+CSQ\r");
  await modem.rx("\r\nOK\r\n");
  await modem.tx("ATD110;\r");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
  t.true(first.settled);
  t.false(queued.settled);
  await modem.tx("AT+COPS?\r");
});

test("R45: an urgent command cuts a waiting SMS prompt short with Esc; the cut command still gets its own answer", async (t) => {
  const { channel, modem } = channelRig();
  const cuts: string[] = [];
  channel.events.on("cut", (c) => cuts.push(c));
  const sms = outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "00AA", prefixes: ["+CMGS:"] }));
  await modem.tx("AT+CMGS=19\r");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("\x1bATD110;\r"); // written at once, without waiting for the prompt's outcome
  t.deepEqual(cuts, ["AT+CMGS=19"]);
  // The modem showed the prompt before the Esc reached it: Esc again, never the payload.
  await modem.rx("\r\n> ");
  await modem.tx("\x1b");
  await modem.rx("\r\nOK\r\n"); // the cancelled +CMGS ends first (27.005 §3.5.1)
  t.true(sms.settled);
  t.false(dial.settled, "the cut command's OK is not the dial's");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: a +CMGS already submitted and cut short keeps its confirmation; the dial's answer follows", async (t) => {
  const { channel, modem } = channelRig();
  const sms = outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "00AA", prefixes: ["+CMGS:"] }));
  await modem.tx("AT+CMGS=19\r");
  await modem.rx("\r\n> ");
  await modem.tx("00AA\x1a");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("\x1bATD110;\r");
  await modem.rx("\r\n+CMGS: 42\r\n\r\nOK\r\n\r\nOK\r\n");
  t.deepEqual(sms.value!.lines, ["+CMGS: 42"]);
  t.is(dial.value!.final, "OK");
});

test("a cut command that never answers times out alone; the next command is written after a probe", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 1000 });
  const long = outcome(channel.send({ cmd: 'AT+CUSD=1,"*103#",15', cuttable: true, timeoutMs: 3000 }));
  await modem.tx('AT+CUSD=1,"*103#",15\r');
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("\x1b"); // V.250 §5.6.1 abort character; the module keeps the request
  await clock.advance(200); // no final within the settle time: the dial goes anyway
  await modem.tx("ATD110;\r");
  await modem.rx("\r\nOK\r\n"); // taken by the USSD command, owed first
  t.is(long.value!.final, "OK");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
  await clock.advance(3000);
  t.is(channel.busy(), false);
});

test("R45: an urgent command cuts a stuck AT+CMGR short: Esc, the dial as soon as the read ends (aborted), and the read is rejected to be done again", async (t) => {
  const { channel, modem, clock } = channelRig();
  const read = outcome(channel.send({ cmd: "AT+CMGR=3", mode: "pdu-listing", prefixes: ["+CMGR:"], cuttable: true, timeoutMs: 30000 }));
  await modem.tx("AT+CMGR=3\r");
  await modem.rx("\r\n+CMGR: 0,,24\r\n07918190"); // stuck in the middle of the PDU
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("\x1b");
  await clock.advance(50);
  await modem.rx("\r\nOK\r\n"); // a module that aborts the read ends it at once
  t.true(AtAbortedError.is(read.error) && read.error.reason === "cut", "the cut read is not trusted: " + String(read.error));
  await modem.tx("ATD110;\r"); // written at that final, before the settle time ran out
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: a cut AT+CMGR that ends only after the dial was written still takes the first final (FIFO); the dial the second", async (t) => {
  const { channel, modem, clock } = channelRig();
  const read = outcome(channel.send({ cmd: "AT+CMGR=3", mode: "pdu-listing", prefixes: ["+CMGR:"], cuttable: true, timeoutMs: 30000 }));
  await modem.tx("AT+CMGR=3\r");
  await modem.rx("\r\n+CMGR: 0,,24\r\n0791");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("\x1b");
  await clock.advance(200);
  await modem.tx("ATD110;\r");
  await modem.rx("8190000000F0040B911808\r\n\r\nOK\r\n"); // the read finishes late (not abortable)
  t.true(AtAbortedError.is(read.error), "the read's own OK went to the read");
  t.false(dial.settled, "not to the dial");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: behind a cut +CMGS already submitted the modem is busy: a command that times out there is not a hang (no probe), and its late answer is still its own", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 1000 });
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  const sms = outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "00AA", prefixes: ["+CMGS:"], timeoutMs: 120000 }));
  await modem.tx("AT+CMGS=19\r");
  await modem.rx("\r\n> ");
  await modem.tx("00AA\x1a");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await modem.tx("\x1bATD110;\r");
  await clock.advance(10000);
  t.true(AtTimeoutError.is(dial.error), "the dial's caller hears its time-out");
  const next = outcome(channel.send("AT+CLCC"));
  await modem.tx("AT+CLCC\r"); // no probe: the modem is busy, not hung
  await clock.advance(500);
  await modem.rx("\r\n+CMGS: 7\r\n\r\nOK\r\n\r\nOK\r\n"); // the submission, then the dial it held
  t.deepEqual(sms.value!.lines, ["+CMGS: 7"]);
  t.false(next.settled, "neither OK went to the command written after them");
  await modem.rx("\r\nOK\r\n");
  t.is(next.value!.final, "OK");
  t.deepEqual(hangs, []);
});

test("R45: a submission that keeps the modem silent beyond busyGraceMs is a hang after all", async (t) => {
  const { channel, modem, clock } = channelRig({ timeoutMs: 1000, busyGraceMs: 45000 });
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "00AA", prefixes: ["+CMGS:"], timeoutMs: 120000 }));
  await modem.tx("AT+CMGS=19\r");
  await modem.rx("\r\n> ");
  await modem.tx("00AA\x1a");
  outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await modem.tx("\x1bATD110;\r");
  await clock.advance(45000);
  await modem.tx("AT+CMEE?\r"); // the submission's grace ran out: probe
  await clock.advance(1000);
  t.is(hangs.length, 1);
});

test("injection attempts are refused before a byte is written", async (t) => {
  const { channel, modem } = channelRig();
  const attempts = [
    "AT+CMGS=1\rAT+CFUN=0",
    "ATD123;+CFUN=0",
    "AT+CUSD=1,\"*103#\";+CFUN=0",
    'AT+CUSD=1,"*103#',
    "AT+CPIN=\"1234\x1a\"",
    "AT\x1b",
    "AT\n+CFUN=0",
    "+CFUN=0",
    "AT+CSCA=\"\u3042\"",
  ];
  for (const cmd of attempts) {
    const o = outcome(channel.send(cmd));
    await modem.tx("");
    t.true(AtArgumentError.is(o.error), JSON.stringify(cmd));
  }
  const bad = outcome(channel.send({ cmd: "AT+CMGS=2", mode: "prompt", payload: "00\x1aAT+CFUN=0" }));
  await modem.tx("");
  t.true(AtArgumentError.is(bad.error));
  t.is(modem.end.written, "");
});

test("an over-long line is dropped with an overflow event and the channel goes on", async (t) => {
  const { channel, modem } = channelRig({ maxLineLength: 64 });
  const sizes: number[] = [];
  channel.events.on("overflow", (n) => sizes.push(n));
  const r = outcome(channel.send("AT"));
  await modem.rx("\r\n" + "X".repeat(50));
  await modem.rx("Y".repeat(50));
  await modem.rx("Z".repeat(10) + "\r\nOK\r\n");
  t.true(sizes.length > 0);
  t.is(r.value!.final, "OK");
  t.deepEqual(r.value!.lines, []);
});

test("input split at every byte gives the same result", async (t) => {
  const { channel, modem } = channelRig({}, { chunkSize: 1 });
  const urcs: [string, string | undefined][] = [];
  channel.onUrc("+CMTI:", (l, p) => urcs.push([l, p]));
  channel.onUrc("+CDS:", (l, p) => urcs.push([l, p]), { pdu: true });
  const r = outcome(channel.send({ cmd: "AT+CMGS=19", mode: "prompt", payload: "0011AA", prefixes: ["+CMGS:"] }));
  await modem.rx("AT+CMGS=19\r\r\n> ");
  await modem.tx("AT+CMGS=19\r0011AA\x1a");
  await modem.rx('0011AA\x1a\r\n+CMTI: "SM",3\r\n+CMGS: 9\r\n+CDS: 25\r\n07911326\r\n\r\nOK\r\n');
  t.deepEqual(r.value!.lines, ["+CMGS: 9"]);
  t.deepEqual(urcs, [['+CMTI: "SM",3', undefined], ["+CDS: 25", "07911326"]]);
});

test("a bare response line is kept, but an unclaimed extended URC is not mistaken for it", async (t) => {
  const { channel, modem } = channelRig();
  const unclaimed: string[] = [];
  channel.events.on("unsolicited", (l) => unclaimed.push(l));
  const r = outcome(channel.send("AT+CGSN"));
  await modem.rx("\r\n+QIND: SMS DONE\r\n\r\n490154203237518\r\n\r\nOK\r\n");
  t.deepEqual(r.value!.lines, ["490154203237518"]);
  t.deepEqual(unclaimed, ["+QIND: SMS DONE"]);
});

test("a final result with no command in flight is dropped as stray", async (t) => {
  const { channel, modem } = channelRig();
  const strays: string[] = [];
  channel.events.on("stray", (l) => strays.push(l));
  await modem.rx("\r\nOK\r\n");
  t.deepEqual(strays, ["OK"]);
});

test("a URC handler that throws does not break dispatch; unsubscribe stops delivery", async (t) => {
  const { channel, modem } = channelRig();
  const errors: unknown[] = [];
  const seen: string[] = [];
  channel.events.on("handlerError", (e) => errors.push(e));
  channel.onUrc("RING", () => {
    throw new Error("boom");
  });
  const off = channel.onUrc("RING", (l) => seen.push(l));
  await modem.rx("\r\nRING\r\n");
  off();
  off();
  await modem.rx("\r\nRING\r\n");
  t.is(errors.length, 2);
  t.deepEqual(seen, ["RING"]);
});

test("closing the link aborts what is pending", async (t) => {
  const { channel, modem } = channelRig();
  const a = outcome(channel.send("AT"));
  await modem.end.close();
  t.true(AtAbortedError.is(a.error));
  const b = outcome(channel.send("AT"));
  await modem.tx("");
  t.true(AtAbortedError.is(b.error));
});

test("profile finals extend the table", async (t) => {
  const { channel, modem } = channelRig({ finals: [{ match: "COMMAND NOT SUPPORT", prefix: false, kind: "error", success: false }] });
  const a = outcome(channel.send("AT^FOO"));
  await modem.rx("\r\nCOMMAND NOT SUPPORT\r\n");
  t.is((a.error as { kind: string }).kind, "error");
});

test("27.007 §5: an answer carrying the command's own prefix (+CGMR: ...) belongs to a command declared without prefixes", async (t) => {
  const { channel, modem } = channelRig();
  const unclaimed: string[] = [];
  channel.events.on("unsolicited", (l) => unclaimed.push(l));
  const rev = outcome(channel.send("AT+CGMR"));
  await modem.tx("AT+CGMR\r");
  await modem.rx('\r\n+QIND: "csq",20,99\r\n\r\n+CGMR: "G24-L SW 4-0.210-000"\r\n\r\nOK\r\n');
  t.deepEqual(rev.value!.lines, ['+CGMR: "G24-L SW 4-0.210-000"']);
  const sn = outcome(channel.send("AT+CGSN=1"));
  await modem.tx("AT+CGSN=1\r");
  await modem.rx('\r\n+CGSN: "490154203237518"\r\n\r\nOK\r\n');
  t.deepEqual(sn.value!.lines, ['+CGSN: "490154203237518"']);
  t.deepEqual(unclaimed, ['+QIND: "csq",20,99'], "other extended lines are still not taken");
});
