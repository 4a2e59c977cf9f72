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
 */
import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";
import type { AtCommand } from "../../drivers/at/index.js";
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

for (const [board, cases] of [["Quectel", quectel], ["SIMCom", simcom]] as const) {
  for (const [name, cmd] of cases) {
    test(`R45: ${board} ${name} in flight with its answer lost: ATD110 is written within ${BOUND_MS} ms, and each answer still goes to its own command`, async (t) => {
      const { channel, modem, clock } = channelRig();
      const hangs: number[] = [];
      channel.events.on("hang", (n) => hangs.push(n));
      const data = outcome(channel.send(cmd));
      await modem.tx(cmd.cmd + "\r");
      await clock.advance(300); // the data command runs; its final never shows (line noise, or the network's long wait)
      const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
      await clock.advance(BOUND_MS);
      await modem.tx("ATD110;\r");
      // A late answer for the data command comes first (the module answers in order), then the dial's.
      await modem.rx("\r\nOK\r\n");
      t.true(data.settled, "the first OK is the data command's");
      t.false(dial.settled, "not the dial's");
      await modem.rx("\r\nOK\r\n");
      t.is(dial.value!.final, "OK");
      t.deepEqual(hangs, []);
    });
  }
}

test("R45: a data command that answers at once keeps its place: the dial goes right after its final, nothing written early", async (t) => {
  const { channel, modem } = channelRig();
  const data = outcome(channel.send(quectelSockets.unread(0)));
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await modem.tx("AT+QIRD=0,0\r");
  await modem.rx("\r\n+QIRD: 10,10,0\r\n\r\nOK\r\n");
  t.deepEqual(data.value!.lines, ["+QIRD: 10,10,0"]);
  await modem.tx("ATD110;\r");
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: a +QIRD stepped aside for the dial still gets its data line (the socket bytes are not lost)", async (t) => {
  const { channel, modem, clock } = channelRig();
  const read = outcome(channel.send(quectelSockets.read(0, quectelSockets.maxRead)));
  await modem.tx("AT+QIRD=0," + quectelSockets.maxRead + "\r");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true }));
  await clock.advance(BOUND_MS);
  await modem.tx("ATD110;\r");
  await modem.rx("\r\n+QIRD: 4\r\n41424344\r\n\r\nOK\r\n");
  t.is(quectelSockets.parseRead(read.value!), "ABCD");
  t.false(dial.settled);
  await modem.rx("\r\nOK\r\n");
  t.is(dial.value!.final, "OK");
});

test("R45: behind a +QIACT that waits 30 s for the network the modem is busy, not hung: the dial's caller hears its time-out, no probe, each late answer is its own", async (t) => {
  const { channel, modem, clock } = channelRig();
  const hangs: number[] = [];
  channel.events.on("hang", (n) => hangs.push(n));
  const act = outcome(channel.send(quectelPacket.activate(1)));
  await modem.tx("AT+QIACT=1\r");
  const dial = outcome(channel.send({ cmd: "ATD110;", urgent: true, timeoutMs: 10000 }));
  await clock.advance(BOUND_MS);
  await modem.tx("ATD110;\r");
  await clock.advance(10000);
  t.true(dial.settled && !!dial.error, "the dial's caller hears its time-out (the emergency dial then looks at +CLCC)");
  await clock.advance(19000);
  await modem.tx(""); // no probe: the modem is busy with the activation
  await modem.rx("\r\nOK\r\n\r\nOK\r\n"); // the activation, then the dial it held
  t.is(act.value!.final, "OK");
  const next = outcome(channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }));
  await modem.tx("AT+CLCC\r");
  await modem.rx('\r\n+CLCC: 1,0,2,0,0,"110",129\r\n\r\nOK\r\n');
  t.deepEqual(next.value!.lines, ['+CLCC: 1,0,2,0,0,"110",129']);
  t.deepEqual(hangs, []);
});
