/**
 * An emergency dial while a data-session or MQTT command is in flight (SPEC R45/R46).
 *
 * The soak (data sessions and the companion link on every accessory) found an `ATD110;`
 * written seconds after the request: line noise had eaten the final result of the data
 * command in flight (`+QIRD`, `+QISENDEX`, `+QIACT`...), and the dial waited out that
 * command's whole time limit (10 s for a send, 150 s for an activation) because only SMS
 * prompts and `cuttable` commands stepped aside. The same wait happens with a healthy
 * module that holds its OK until the network answers (`AT+QIACT`, `AT+CGACT`: "maximum
 * response time 150 s, determined by network").
 *
 * Each command here is the one the drivers really build (the dialect objects), on the
 * scripted modem under the virtual clock, and the bound is the soak's: `ATD` written
 * within 1000 ms of the request (tools/soak/soak.ts emergencyBoundMs).
 *
 * After such a command steps aside the channel cannot tell whose the next final is (a
 * lost final and a late one look the same), so it writes the probe `AT+CMEE?` before
 * the urgent command: finals before the probe's `+CMEE:` line are the stepped-aside
 * command's; `+CMEE:` with that command still owed means its answer was lost (the
 * modem answers in order). The 72 h soak (seed 15, n19a2 at +21.728 h) found the
 * alternative's failure: a normal ATD's final lost to line noise, `AT+CHUP`'s OK taken
 * as that ATD's, and ATD119 written 5.5 s after the request.
 */
import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";
import { AtTimeoutError, type AtChannel, type AtCommand } from "../../drivers/at/index.js";
import type { VirtualClock } from "../../hal/memory/clock.js";
import { genericPacket, quectelPacket } from "../../drivers/modems/packet.js";
import { quectelSockets } from "../../drivers/modems/sockets.js";
import { simcomSockets } from "../../drivers/modems/simcom-sockets.js";

/** The soak's bound on writing an emergency ATD after the request (ms). */
const BOUND_MS = 1000;

const quectel: [string, AtCommand][] = [
  ["+QIACT (activation, 150 s)", quectelPacket.activate(1)],
  ["+QIDEACT", quectelPacket.deactivate(1)],
  ["+QIOPEN", quectelSockets.open(1, 0, "broker.example.net", 1883)],
  ["+QISENDEX", quectelSockets.send(0, "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c")],
  ["+QIRD (read, PDU listing)", quectelSockets.read(0, quectelSockets.maxRead)],
  ["+QIRD=<id>,0 (unread count)", quectelSockets.unread(0)],
  ["+QICLOSE", quectelSockets.close(0)],
  ["+QISTATE?", quectelSockets.listSockets()],
  // firmware/companion/qmt.ts: OK at once on a healthy module, the outcome in a URC.
  ["+QMTOPEN", { cmd: 'AT+QMTOPEN=0,"broker.example.net",1883' }],
  ["+QMTCONN", { cmd: 'AT+QMTCONN=0,"n43a1"' }],
  ["+QMTSUB", { cmd: 'AT+QMTSUB=0,1,"sl/n43a1/cmd",1' }],
  ["+QMTPUBEX", { cmd: 'AT+QMTPUBEX=0,2,1,0,"sl/n43a1/state","7B7D"' }],
];

const simcom: [string, AtCommand][] = [
  ["+CGACT (activation, 150 s)", genericPacket.activate(1)],
  ["+CGATT=1", { cmd: "AT+CGATT=1", timeoutMs: 75000 }],
  ["+NETOPEN", simcomSockets.service!.open],
  ["+CIPOPEN", simcomSockets.open(1, 0, "broker.example.net", 1883)],
  ["+CIPRXGET (read)", simcomSockets.read(0, 500)],
  ["+CIPCLOSE", simcomSockets.close(0)],
  ["+CMQTTSTART", { cmd: "AT+CMQTTSTART" }],
  ["+CMQTTCONNECT", { cmd: 'AT+CMQTTCONNECT=0,"tcp://broker.example.net:1883",60,1' }],
];

/** When each command line was written (virtual ms), by its text. */
function writes(channel: AtChannel, clock: VirtualClock): Map<string, number> {
  const at = new Map<string, number>();
  channel.events.on("tx", (bytes) => {
    if (bytes.endsWith("\r")) at.set(bytes.slice(0, -1), clock.now());
  });
  return at;
}

/** The modem's time to answer a local query such as AT+CMEE? (ms). */
const ANSWER_MS = 20;

for (const [board, cases] of [["Quectel", quectel], ["SIMCom", simcom]] as const) {
  for (const [name, cmd] of cases) {
    test(`R45: ${board} ${name} in flight with its answer lost: the probe finds it lost, ATD110 is written within ${BOUND_MS} ms and gets its own OK`, async (t) => {
      const { channel, modem, clock } = channelRig();
      const at = writes(channel, clock);
      const hangs: number[] = [];
      channel.events.on("hang", (n) => hangs.push(n));
      const data = outcome(channel.send(cmd));
      await modem.tx(cmd.cmd + "\r");
      await clock.advance(300); // the data command runs; its final never shows (line noise)
      const asked = clock.now();
      const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
      await clock.advance(500);
      // Whose would the next final be? The probe goes first and tells.
      await modem.tx("AT+CMEE?\r");
      await clock.advance(ANSWER_MS);
      await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
      t.true(AtTimeoutError.is(data.error), "the data command's answer was lost: its caller hears it now, not at its own limit");
      t.regex(String((data.error as Error).message), /answer was lost/);
      await modem.tx("ATD110;\r");
      t.is(at.get("ATD110;")! - asked, 500 + ANSWER_MS);
      t.true(at.get("ATD110;")! - asked <= BOUND_MS);
      await modem.rx("\r\nOK\r\n");
      t.is(dial.value!.final, "OK", "the dial's OK is its own");
      t.deepEqual(hangs, []);
    });
  }
}

test("R45: a data command whose late answer comes before the probe's keeps it (FIFO), then the probe's answer lets the dial go", async (t) => {
  const { channel, modem, clock } = channelRig();
  const open = outcome(channel.send(quectelSockets.open(1, 0, "broker.example.net", 1883)));
  await modem.tx('AT+QIOPEN=1,0,"TCP","broker.example.net",1883,0,0\r');
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\nOK\r\n"); // the open's own answer, late
  t.is(open.value!.final, "OK");
  await modem.tx(""); // still the probe's turn: nothing written yet
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  await modem.tx("ATD110;\r");
  t.false(dial.settled);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: a data command that answers at once keeps its place: the dial goes right after its final, nothing written early", async (t) => {
  const { channel, modem } = channelRig();
  const data = outcome(channel.send(quectelSockets.unread(0)));
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("AT+QIRD=0,0\r");
  await modem.rx("\r\n+QIRD: 10,10,0\r\n\r\nOK\r\n");
  t.deepEqual(data.value!.lines, ["+QIRD: 10,10,0"]);
  await modem.tx("ATD110;\r"); // no probe: nothing stepped aside
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: a +QIRD stepped aside for the dial still gets its data line (the socket bytes are not lost)", async (t) => {
  const { channel, modem, clock } = channelRig();
  const read = outcome(channel.send(quectelSockets.read(0, quectelSockets.maxRead)));
  await modem.tx("AT+QIRD=0," + quectelSockets.maxRead + "\r");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\n+QIRD: 4\r\n41424344\r\n\r\nOK\r\n");
  t.is(quectelSockets.parseRead(read.value!), "ABCD");
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  await modem.tx("ATD110;\r");
  t.false(dial.settled);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: behind a +QIACT that waits 30 s for the network the modem is busy, not hung: the probe's time-out lets the dial go at 1000 ms, no hang, each late answer is its own", async (t) => {
  const { channel, modem, clock } = channelRig();
  const at = writes(channel, clock);
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  const act = outcome(channel.send(quectelPacket.activate(1)));
  await modem.tx("AT+QIACT=1\r");
  const asked = clock.now();
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r"); // held in the modem's input with the activation running
  await clock.advance(499);
  await modem.tx("");
  await clock.advance(1);
  await modem.tx("ATD110;\r"); // the probe's limit (min(syncTimeoutMs, urgentWaitMs)) ran out
  t.is(at.get("ATD110;")! - asked, 1000);
  await clock.advance(10000);
  t.true(dial.settled && AtTimeoutError.is(dial.error), "the dial's caller hears its time-out (the emergency dial then looks at +CLCC)");
  await clock.advance(19000);
  await modem.tx(""); // no further probe: the modem is busy with the activation
  // The activation, the probe and the dial it held, in order.
  await modem.rx("\r\nOK\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n\r\nOK\r\n");
  t.is(act.value!.final, "OK");
  const next = outcome(channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }));
  await modem.tx("AT+CLCC\r");
  await modem.rx('\r\n+CLCC: 1,0,2,0,0,"110",129\r\n\r\nOK\r\n');
  t.deepEqual(next.value!.lines, ['+CLCC: 1,0,2,0,0,"110",129']);
  t.deepEqual(hangs, []);
});

test("R45: a +QIACT that ends while the probe waits: the modem answers it then the probe, and the dial goes on the probe's answer", async (t) => {
  const { channel, modem, clock } = channelRig();
  const at = writes(channel, clock);
  const act = outcome(channel.send(quectelPacket.activate(1)));
  await modem.tx("AT+QIACT=1\r");
  const asked = clock.now();
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r");
  await clock.advance(200);
  await modem.rx("\r\nOK\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n");
  t.is(act.value!.final, "OK");
  await modem.tx("ATD110;\r");
  t.is(at.get("ATD110;")! - asked, 700);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: behind a busy +QIACT, a probe whose +CMEE: line is lost still takes its own OK: the dial's OK is the dial's", async (t) => {
  const { channel, modem, clock } = channelRig();
  const act = outcome(channel.send(quectelPacket.activate(1)));
  await modem.tx("AT+QIACT=1\r");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(1000);
  await modem.tx("AT+CMEE?\rATD110;\r");
  await clock.advance(2000);
  await modem.rx("\r\nOK\r\n\r\nOK\r\n"); // the activation's, the probe's (its +CMEE: line lost to noise)
  t.is(act.value!.final, "OK");
  t.false(dial.settled);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R50: the soak's sequence: a normal ATD whose final was lost, then AT+CHUP and ATD119 in the priority lane: CHUP gets its own OK and ATD119 goes within the bound", async (t) => {
  const { channel, modem, clock } = channelRig();
  const at = writes(channel, clock);
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  const normal = outcome(channel.send({ cmd: "ATD+813120000044;", timeoutMs: 30000 }));
  await modem.tx("ATD+813120000044;\r");
  await clock.advance(8500); // its OK was lost to line noise
  const asked = clock.now();
  const chup = outcome(channel.send({ cmd: "AT+CHUP", urgent: true }));
  const dial = outcome(channel.send({ cmd: "ATD119;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r");
  await clock.advance(ANSWER_MS);
  await modem.rx("\r\n+CMEE: 1\r\n\r\nOK\r\n");
  t.true(AtTimeoutError.is(normal.error), "the normal dial's answer was lost");
  await modem.tx("AT+CHUP\r");
  await clock.advance(ANSWER_MS);
  await modem.rx("\r\nOK\r\n");
  t.is(chup.value!.final, "OK", "CHUP's OK is CHUP's, not the lost dial's");
  await modem.tx("ATD119;\r");
  t.is(at.get("ATD119;")! - asked, 500 + 2 * ANSWER_MS);
  t.true(at.get("ATD119;")! - asked <= BOUND_MS);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
  t.deepEqual(hangs, []);
});

test("R50: the soak's sequence with the normal ATD's final only late: it is its own, CHUP's OK is CHUP's, ATD119 follows", async (t) => {
  const { channel, modem, clock } = channelRig();
  const normal = outcome(channel.send({ cmd: "ATD+813120000044;", timeoutMs: 30000 }));
  await modem.tx("ATD+813120000044;\r");
  await clock.advance(8500);
  const chup = outcome(channel.send({ cmd: "AT+CHUP", urgent: true }));
  const dial = outcome(channel.send({ cmd: "ATD119;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r");
  await modem.rx("\r\nNO CARRIER\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n");
  t.is((normal.error as { final?: string }).final, "NO CARRIER");
  await modem.tx("AT+CHUP\r");
  await modem.rx("\r\nOK\r\n");
  t.is(chup.value!.final, "OK");
  await modem.tx("ATD119;\r");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: a command held by a busy modem that reaches its own limit behind the probe: its late final is dropped, the probe's and the dial's answers stay their own", async (t) => {
  const { channel, modem, clock } = channelRig();
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  const deact = outcome(channel.send({ cmd: "AT+QIDEACT=1", timeoutMs: 2000 }));
  await modem.tx("AT+QIDEACT=1\r");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r");
  await clock.advance(500);
  await modem.tx("ATD110;\r");
  await clock.advance(1000);
  t.true(AtTimeoutError.is(deact.error), "the deactivation ran out of its own 2 s");
  await clock.advance(1000);
  await modem.tx(""); // the probe is still out (held): no second probe
  await modem.rx("\r\nOK\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n"); // the deactivation's late OK, then the probe's answer
  t.false(dial.settled, "neither OK was the dial's");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
  t.deepEqual(hangs, []);
});
