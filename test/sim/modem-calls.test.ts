/**
 * Voice calls on the simulated modem as SPEC.md §12 fixes them (R85-R89, R92) and
 * 27.007 shows them (§6.3 D, §6.10 +CEER, §7.12 +CCWA, §7.13 +CHLD, §7.18 +CLCC).
 */
import test from "ava";
import { harness } from "./harness.js";

test("R85: an incoming call shows RING and +CLIP, repeats, and lists as +CLCC state 4", async (t) => {
  const h = await harness({ ringIntervalMs: 5000 });
  await h.at("ATE0;+CLIP=1");
  h.net.ringIn("+819012345678");
  t.is(await h.wait(0), '\r\nRING\r\n\r\n+CLIP: "+819012345678",145\r\n');
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,4,0,0,"+819012345678",145\r\n\r\nOK\r\n');
  t.is(await h.wait(4999), "");
  t.is(await h.wait(1), '\r\nRING\r\n\r\n+CLIP: "+819012345678",145\r\n');
});

test("R85: with +CRC=1 the ring is +CRING: VOICE; a withheld number shows CLI validity 1", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CRC=1;+CLIP=1");
  h.net.ringIn("");
  t.is(await h.wait(0), '\r\n+CRING: VOICE\r\n\r\n+CLIP: "",128,,,,1\r\n');
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,4,0,0,"",128\r\n\r\nOK\r\n');
});

test("ATA answers (OK once connected), the call becomes active, the far end's hang-up shows NO CARRIER", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  const id = h.net.ringIn("+819012345678");
  await h.wait(0);
  t.is(await h.at("ATA", 1), "\r\nOK\r\n");
  t.is(h.net.calls[0].state, "active");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+819012345678",145\r\n\r\nOK\r\n');
  t.is(await h.wait(20000), "", "no RING once answered");
  h.net.remoteHangup(id, 16);
  t.is(await h.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await h.at("AT+CLCC;+CEER"), '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
  t.is(await h.at("ATA"), "\r\nNO CARRIER\r\n");
});

test("R86: a call answered elsewhere disappears with NO CARRIER and +CEER cause 26", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  const id = h.net.ringIn("+819012345678");
  await h.wait(0);
  h.net.remoteHangup(id, 26, "Call completed elsewhere");
  t.is(await h.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await h.at("AT+CLCC;+CEER"), '\r\n+CEER: 26,"Call completed elsewhere"\r\n\r\nOK\r\n');
  t.is(await h.wait(10000), "", "RING stops");
});

test("R86: on a modem that prints nothing for an unanswered call, RING just stops; ATA racing the release gets NO CARRIER", async (t) => {
  const h = await harness({ unansweredReleaseShowsNoCarrier: false });
  await h.at("ATE0");
  const id = h.net.ringIn("+819012345678");
  await h.wait(0);
  // Answer and release cross: the network released first (R23), so ATA fails.
  h.net.remoteHangup(id, 26);
  t.is(await h.at("ATA", 1), "\r\nNO CARRIER\r\n");
  t.is(await h.at("AT+CEER"), '\r\n+CEER: 26,"Non-selected user clearing"\r\n\r\nOK\r\n');
  const id2 = h.net.ringIn("+819012345678");
  await h.wait(0);
  h.net.remoteHangup(id2, 21);
  t.is(await h.wait(6000), "");
  t.is(await h.at("AT+CEER"), '\r\n+CEER: 21,"Call rejected"\r\n\r\nOK\r\n');
});

test("R87: an active call pre-empted by an emergency call ends with NO CARRIER and +CEER cause 25", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("ATD+819087654321;"), "\r\nOK\r\n");
  t.is(await h.at("AT+CLCC", 1), '\r\n+CLCC: 1,0,3,0,0,"+819087654321",145\r\n\r\nOK\r\n');
  h.net.remoteAnswer();
  await h.wait(0);
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"+819087654321",145\r\n\r\nOK\r\n');
  h.net.remoteHangup(undefined, 25, "preemption");
  t.is(await h.wait(0), "\r\nNO CARRIER\r\n");
  t.is(await h.at("AT+CEER"), '\r\n+CEER: 25,"preemption"\r\n\r\nOK\r\n');
});

test("R88: dialling while the line is in use elsewhere fails with NO CARRIER and +CEER cause 34; a busy callee gives BUSY", async (t) => {
  const h = await harness({}, { outgoing: "line-in-use" });
  await h.at("ATE0");
  t.is(await h.at("ATD0312345678;", 1), "\r\nOK\r\n\r\nNO CARRIER\r\n");
  t.is(await h.at("AT+CEER"), '\r\n+CEER: 34,"Line in use on another device"\r\n\r\nOK\r\n');
  h.net.outgoing = "busy";
  t.is(await h.at("ATD0312345678;", 1), "\r\nOK\r\n\r\nBUSY\r\n");
  t.is(await h.at("AT+CEER;+CLCC"), '\r\n+CEER: 17,"User busy"\r\n\r\nOK\r\n');
  t.is(h.net.calls[0].number, "0312345678");
});

test("R89: a second call while in a call is waiting: +CCWA and +CLCC state 5; +CHLD=2 holds and takes it", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CCWA=1,1");
  t.true(h.net.callWaiting);
  const first = h.net.ringIn("+819011111111");
  await h.wait(0);
  await h.at("ATA", 1);
  h.net.ringIn("+819022222222");
  t.is(await h.wait(0), '\r\n+CCWA: "+819022222222",145,1\r\n');
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+819011111111",145\r\n+CLCC: 2,1,5,0,0,"+819022222222",145\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CHLD=2", 1), "\r\nOK\r\n");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,1,0,0,"+819011111111",145\r\n+CLCC: 2,1,0,0,0,"+819022222222",145\r\n\r\nOK\r\n');
  t.is(h.net.calls.find((c) => c.callId === first)!.state, "held");
  // Swap back, then release call 2 by index.
  t.is(await h.at("AT+CHLD=2"), "\r\nOK\r\n");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+819011111111",145\r\n+CLCC: 2,1,1,0,0,"+819022222222",145\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CHLD=12"), "\r\nOK\r\n");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,1,0,0,0,"+819011111111",145\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CHLD=?"), "\r\n+CHLD: (0,1,1x,2,2x)\r\n\r\nOK\r\n");
});

test("R89: +CHLD=0 rejects the waiting call as user busy (#17); +CHLD=1 ends the active call and takes the waiting one", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CCWA=1");
  h.net.ringIn("+819011111111");
  await h.wait(0);
  await h.at("ATA", 1);
  const w1 = h.net.ringIn("+819022222222");
  await h.wait(0);
  t.is(await h.at("AT+CHLD=0"), "\r\nOK\r\n");
  t.is(h.net.calls.find((c) => c.callId === w1)!.cause, 17);
  const w2 = h.net.ringIn("+819033333333");
  await h.wait(0);
  t.is(await h.at("AT+CHLD=1", 1), "\r\nOK\r\n");
  t.is(h.net.calls[0].cause, 16);
  t.is(h.net.calls.find((c) => c.callId === w2)!.state, "active");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 2,1,0,0,0,"+819033333333",145\r\n\r\nOK\r\n');
});

test("R89: when the active call ends, the waiting call alerts on this device (SPEC R36)", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CCWA=1");
  const a = h.net.ringIn("+819011111111");
  await h.wait(0);
  await h.at("ATA", 1);
  h.net.ringIn("+819022222222");
  await h.wait(0);
  h.net.remoteHangup(a);
  t.is(await h.wait(0), "\r\nNO CARRIER\r\n\r\nRING\r\n");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 2,1,4,0,0,"+819022222222",145\r\n\r\nOK\r\n');
});

test("with call waiting off, the second caller gets busy and the modem shows nothing", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CCWA=1,0");
  t.false(h.net.callWaiting);
  t.is(await h.at("AT+CCWA=1,2"), "\r\n+CCWA: 0,1\r\n\r\nOK\r\n");
  h.net.ringIn("+819011111111");
  await h.wait(0);
  await h.at("ATA", 1);
  const second = h.net.ringIn("+819022222222");
  t.is(await h.wait(0), "");
  t.is(h.net.calls.find((c) => c.callId === second)!.cause, 17);
});

test("R92: ATH and +CHUP: declining an incoming call sends user busy (#17), hanging up an active one normal clearing (#16)", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  const incoming = h.net.ringIn("+819011111111");
  await h.wait(0);
  t.is(await h.at("AT+CHUP"), "\r\nOK\r\n");
  t.is(h.net.calls.find((c) => c.callId === incoming)!.cause, 17);
  t.is(await h.at("AT+CEER"), '\r\n+CEER: 17,"User busy"\r\n\r\nOK\r\n');
  await h.at("ATD+819011111111;");
  h.net.remoteAnswer();
  await h.wait(0);
  t.is(await h.at("ATH"), "\r\nOK\r\n");
  t.is(h.net.calls[1].cause, 16);
  t.is(await h.at("AT+CEER;+CLCC"), '\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
});

test("R48 R50: an emergency dial lets a call only ringing here go with normal clearing (#16), not user busy: nobody declined it", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  const id = h.net.ringIn("+818011112222");
  await h.wait(0);
  t.is(await h.at("ATD110;"), "\r\nOK\r\n");
  const ringing = h.net.calls.filter((c) => c.callId === id)[0];
  t.is(ringing.cause, 16);
});

test("emergency dial: 110 works without registration and releases this device's own calls first (SPEC R50)", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  await h.at("ATD+819011111111;");
  h.net.remoteAnswer();
  await h.wait(0);
  h.net.setRegistration("denied");
  await h.wait(0);
  t.is(await h.at("ATD0312345678;"), "\r\n+CME ERROR: 30\r\n");
  t.is(await h.at("ATD110;"), "\r\nOK\r\n");
  t.is(h.net.calls[0].cause, 16);
  t.deepEqual(
    h.net.liveCalls().map((c) => [c.number, c.emergency]),
    [["110", true]],
  );
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,3,0,0,"110",129\r\n\r\nOK\r\n');
});

test("dial strings: modifiers ignored, I hides the number, bad characters and data calls refused", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("ATDT0312345678I;"), "\r\nOK\r\n");
  t.is(h.net.calls[0].hideNumber, true);
  t.is(h.net.calls[0].number, "0312345678");
  await h.at("ATH");
  t.is(await h.at("ATD03X;"), "\r\n+CME ERROR: 27\r\n");
  t.is(await h.at("ATD" + "1".repeat(41) + ";"), "\r\n+CME ERROR: 26\r\n");
  t.is(await h.at("ATD*99#"), "\r\nNO CARRIER\r\n");
  t.is(await h.at("ATD*103*1#;"), "\r\nOK\r\n");
  t.is(h.net.calls[1].number, "*103*1#");
});

test("R58: a 22.030 control string with an international number (**21*+81...#) is a valid dial string; '+' elsewhere is not", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("ATD**21*+818099990009#;"), "\r\nOK\r\n");
  t.is(h.net.calls[0].number, "**21*+818099990009#");
  await h.at("ATH");
  t.is(await h.at("ATD0312+345;"), "\r\n+CME ERROR: 27\r\n");
  t.is(await h.at("ATD**21#+81;"), "\r\n+CME ERROR: 27\r\n");
});

test("+VTS sends DTMF on the active call only", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+VTS=1"), "\r\n+CME ERROR: 3\r\n");
  await h.at("ATD0312345678;");
  h.net.remoteAnswer();
  await h.wait(0);
  t.is(await h.at('AT+VTS=1;+VTS="#";+VTS=9'), "\r\nOK\r\n");
  t.is(h.net.calls[0].dtmf, "1#9");
  t.is(await h.at("AT+VTS=x"), "\r\n+CME ERROR: 50\r\n");
});

test("+CEER wording is a parameter: text only, or location and cause numbers", async (t) => {
  const a = await harness({ ceerStyle: "text" });
  await a.at("ATE0");
  t.is(await a.at("AT+CEER"), '\r\n+CEER: "No cause information available"\r\n\r\nOK\r\n');
  const b = await harness({ ceerStyle: "location-cause" }, { outgoing: "line-in-use" });
  await b.at("ATE0");
  await b.at("ATD0312345678;", 1);
  t.is(await b.at("AT+CEER"), "\r\n+CEER: 8,34,0\r\n\r\nOK\r\n");
});

test("in V0 mode RING and NO CARRIER are numeric result codes", async (t) => {
  const h = await harness();
  await h.at("ATE0V0");
  const id = h.net.ringIn("+819012345678");
  t.is(await h.wait(0), "2\r");
  h.net.remoteHangup(id);
  t.is(await h.wait(0), "3\r");
});

test("+COLP=1: the dial command ends when the far end answers (+COLP, OK) or with BUSY / NO ANSWER / NO CARRIER", async (t) => {
  const h = await harness();
  await h.at("ATE0;+COLP=1");
  t.is(await h.at("AT+COLP?"), "\r\n+COLP: 1,1\r\n\r\nOK\r\n");
  t.is(await h.at("ATD+819087654321;", 1000), "", "still dialling: the far end rings");
  h.net.remoteAnswer();
  t.is(await h.wait(0), '\r\n+COLP: "+819087654321",145\r\n\r\nOK\r\n');
  await h.at("ATH");
  for (const [cause, code] of [
    [17, "BUSY"],
    [19, "NO ANSWER"],
    [34, "NO CARRIER"],
  ] as const) {
    t.is(await h.at("ATD0312345678;"), "");
    h.net.remoteHangup(undefined, cause);
    t.is(await h.wait(0), "\r\n" + code + "\r\n");
  }
  // Without +COLP, OK comes at once and the answer shows only in +CLCC.
  await h.at("AT+COLP=0");
  t.is(await h.at("ATD0312345678;"), "\r\nOK\r\n");
  h.net.remoteAnswer();
  t.is(await h.wait(0), "");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"0312345678",129\r\n\r\nOK\r\n');
});

test("R59 R60 +COLP (27.007 §7.8): a forwarded call shows the number that answered, not the one dialled; \"\" when the network has none", async (t) => {
  const h = await harness();
  await h.at("ATE0;+COLP=1");
  t.is(await h.at("ATD+819087654321;"), "");
  h.net.remoteAnswer(undefined, "+818055556666");
  t.is(await h.wait(0), '\r\n+COLP: "+818055556666",145\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"+819087654321",145\r\n\r\nOK\r\n', "+CLCC keeps the dialled number on this module");
  await h.at("ATH");
  t.is(await h.at("ATD1417;"), "");
  h.net.remoteAnswer(undefined, "");
  t.is(await h.wait(0), '\r\n+COLP: "",128\r\n\r\nOK\r\n');
});

test("+COLP=1 on a Quectel module is 27.007's intermediate result too: no vendor manual says it comes after ATD's OK", async (t) => {
  const h = await harness({ identity: { manufacturer: "Quectel" } });
  await h.at("ATE0;+COLP=1");
  t.is(await h.at("ATD+819087654321;", 1000), "", "the dial waits for the answer");
  h.net.remoteAnswer(undefined, "+818055556666");
  t.is(await h.wait(0), '\r\n+COLP: "+818055556666",145\r\n\r\nOK\r\n');
});

test("+COLP printed unsolicited (colpStyle, a test double): ATD answers OK at once and +COLP comes when the far end answers; nothing when it fails", async (t) => {
  const h = await harness({ colpStyle: "unsolicited" });
  await h.at("ATE0;+COLP=1");
  t.is(await h.at("ATD+819087654321;"), "\r\nOK\r\n", "the dial does not wait for the answer");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,3,0,0,"+819087654321",145\r\n\r\nOK\r\n', "the line stays usable while it rings");
  h.net.remoteAnswer(undefined, "+818055556666");
  t.is(await h.wait(0), '\r\n+COLP: "+818055556666",145\r\n');
  await h.at("ATH");
  t.is(await h.at("ATD110;"), "\r\nOK\r\n", "an emergency dial never waits either");
  h.net.remoteHangup(undefined, 17);
  t.is(await h.wait(0), "\r\nBUSY\r\n");
});

test("+CLCC on a module that updates an answered call's number: the connected number replaces the dialled one", async (t) => {
  const h = await harness({ clccShowsConnectedNumber: true });
  await h.at("ATE0");
  t.is(await h.at("ATD+819087654321;"), "\r\nOK\r\n");
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,3,0,0,"+819087654321",145\r\n\r\nOK\r\n');
  h.net.remoteAnswer(undefined, "+818055556666");
  await h.wait(0);
  t.is(await h.at("AT+CLCC"), '\r\n+CLCC: 1,0,0,0,0,"+818055556666",145\r\n\r\nOK\r\n');
});

test("call monitoring (*ECAV, Ericsson AT*ECAM, as phonesim prints it): every state change of a call, with its id, until idle", async (t) => {
  const h = await harness({ callMonitor: true });
  await h.at("ATE0");
  // The modem keeps unsolicited lines until the command's final result.
  t.is(await h.at("ATD+819087654321;"), '\r\nOK\r\n\r\n*ECAV: 1,1,1,,,"+819087654321",145\r\n');
  h.net.remoteAnswer();
  t.is(await h.wait(0), '\r\n*ECAV: 1,3,1,,,"+819087654321",145\r\n');
  const id = h.net.ringIn("+818055556666");
  t.regex(await h.wait(0), /^\r\n\*ECAV: 2,5,1,,,"\+818055556666",145\r\n/);
  t.is(await h.at("AT+CHLD=2"), '\r\nOK\r\n\r\n*ECAV: 1,4,1,,,"+819087654321",145\r\n\r\n*ECAV: 2,3,1,,,"+818055556666",145\r\n');
  h.net.remoteHangup(id, 16);
  t.regex(await h.wait(0), /^\r\n\*ECAV: 2,0,1\r\n/);
  await h.at("ATH");
  h.net.ringIn("");
  t.regex(await h.wait(0), /^\r\n\*ECAV: 1,6,1\r\n\r\nRING\r\n/);
});

test("without call monitoring nothing *ECAV is printed", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("ATD+819087654321;"), "\r\nOK\r\n");
  h.net.remoteAnswer();
  t.is(await h.wait(0), "");
});
