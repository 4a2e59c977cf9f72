/**
 * The simulated modem's command line (V.250) and general commands (27.007 §5, §8, §9),
 * as exact bytes out for bytes in.
 */
import test from "ava";
import { harness } from "./harness.js";

test("echo is on at power-on and answers are framed by CR LF (V.250 §5.7.1)", async (t) => {
  const h = await harness();
  t.is(await h.at("AT"), "AT\r\r\nOK\r\n");
  t.is(await h.at("ATE0"), "ATE0\r\r\nOK\r\n");
  t.is(await h.at("AT"), "\r\nOK\r\n");
  // Echo applies to what arrives while it is on: the line that turns it on is not echoed.
  t.is(await h.at("ATE1"), "\r\nOK\r\n");
  t.is(await h.at("AT"), "AT\r\r\nOK\r\n");
  t.deepEqual(h.modem.internalErrors, []);
});

test("ATV0 gives numeric result codes and bare information text; ATQ1 suppresses results", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("ATV0"), "0\r");
  t.is(await h.at("AT+CGMI"), "Sharedline\r\n0\r");
  t.is(await h.at("AT+NOPE"), "4\r");
  t.is(await h.at("ATV1Q1"), "");
  t.is(await h.at("AT+CGMI"), "\r\nSharedline\r\n");
  t.is(await h.at("ATQ0"), "\r\nOK\r\n");
});

test("+CMEE 0/1/2: ERROR, +CME ERROR: <n>, or its text (27.007 §9.1)", async (t) => {
  const h = await harness({ sim: { pin: "1234" } });
  await h.at("ATE0");
  t.is(await h.at("AT+CIMI"), "\r\nERROR\r\n");
  t.is(await h.at("AT+CMEE=1"), "\r\nOK\r\n");
  t.is(await h.at("AT+CIMI"), "\r\n+CME ERROR: 11\r\n");
  t.is(await h.at("AT+CMEE=2"), "\r\nOK\r\n");
  t.is(await h.at("AT+CIMI"), "\r\n+CME ERROR: SIM PIN required\r\n");
  t.is(await h.at("AT+CMGL=4"), "\r\n+CMS ERROR: SIM PIN required\r\n");
  t.is(await h.at("AT+CMEE?"), "\r\n+CMEE: 2\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMEE=?"), "\r\n+CMEE: (0-2)\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMEE=3"), "\r\n+CME ERROR: Incorrect parameters\r\n");
  // Unknown commands are plain ERROR whatever +CMEE says, as real modules answer.
  t.is(await h.at("AT+MODE=2"), "\r\nERROR\r\n");
});

test("several commands on one line: info per command, one final result; the first error stops the line", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("AT+CGMI;+CGMM;E1"), "\r\nSharedline\r\n\r\nSL-LTE1\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CMEE=1;+CSCS=\"XYZ\";E0"), "AT+CMEE=1;+CSCS=\"XYZ\";E0\r\r\n+CME ERROR: 4\r\n");
  t.is(await h.at("AT+CMEE?"), "AT+CMEE?\r\r\n+CMEE: 1\r\n\r\nOK\r\n");
});

test("text before AT is ignored, ESC drops a partial line, backspace edits, A/ repeats", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.send("\x00\xffxyAT+CGMM\r"), "\r\nSL-LTE1\r\n\r\nOK\r\n");
  t.is(await h.send("AT+CGM\x1b\r"), "");
  t.is(await h.send("AT+CGMX\x08I\r"), "\r\nSharedline\r\n\r\nOK\r\n");
  t.is(await h.send("A/"), "\r\nSharedline\r\n\r\nOK\r\n");
  t.is(await h.send("\r"), "");
  t.is(await h.send("AT" + "+CSQ;".repeat(500) + "\r"), "\r\nERROR\r\n");
});

test("gammu's session start: ESC, a lone CR and AT echo exactly as recorded", async (t) => {
  const h = await harness();
  t.is(await h.send("\x1b\rAT\r"), "\rAT\r\r\nOK\r\n");
});

test("identification and the test forms gammu probes (27.007 §5.1-§5.4)", async (t) => {
  const h = await harness({ identity: { manufacturer: "ACME", model: "X1", revision: "1.2", imei: "356938035643809" } });
  await h.at("ATE0");
  t.is(await h.at("ATI"), "\r\nACME\r\nX1\r\nRevision: 1.2\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CGMI=?"), "\r\nOK\r\n");
  t.is(await h.at("AT+CGMR"), "\r\n1.2\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CGSN"), "\r\n356938035643809\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CGSN=1"), '\r\n+CGSN: "356938035643809"\r\n\r\nOK\r\n');
  t.is(await h.at("AT+CHUP=?"), "\r\nOK\r\n");
  t.is(await h.at("AT+CPROT=?"), "\r\nERROR\r\n");
  t.is(await h.at("AT+CGMI?"), "\r\nERROR\r\n");
  t.is(await h.at("AT+CIMI"), "\r\n440101234567890\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CCID"), "\r\n+CCID: 8981100012345678901\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CNUM"), '\r\n+CNUM: ,"+819012345678",145\r\n\r\nOK\r\n');
});

test("S-registers read as three digits; S3 changes the line terminator", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("ATS0?"), "\r\n000\r\n\r\nOK\r\n");
  t.is(await h.at("ATS0=2"), "\r\nOK\r\n");
  t.is(await h.at("ATS0?"), "\r\n002\r\n\r\nOK\r\n");
  t.is(await h.at("ATS99?"), "\r\nERROR\r\n");
  // S3=64 ('@'): '@' now ends the line and takes CR's place around results (S4 is still LF).
  t.is(await h.at("ATS3=64"), "@\nOK@\n");
  t.is(await h.send("AT@"), "@\nOK@\n");
});

test("ATZ and AT&F put every setting back (echo, +CMEE, +CSCS, URC modes)", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CMEE=2;+CSCS=\"UCS2\";+CREG=2;+CLIP=1");
  t.is(await h.at("ATZ"), "\r\nOK\r\n");
  t.is(await h.at("AT+CMEE?;+CSCS?;+CREG?;+CLIP?"), 'AT+CMEE?;+CSCS?;+CREG?;+CLIP?\r\r\n+CMEE: 0\r\n\r\n+CSCS: "IRA"\r\n\r\n+CREG: 0,1\r\n\r\n+CLIP: 0,1\r\n\r\nOK\r\n');
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT&F"), "\r\nOK\r\n");
  t.is(await h.at("AT+CMEE?"), "AT+CMEE?\r\r\n+CMEE: 0\r\n\r\nOK\r\n");
});

test("+CSCS: string parameters follow the TE character set (HEX, UCS2, GSM, IRA)", async (t) => {
  const h = await harness({ smsc: "+15550000000" });
  await h.at("ATE0");
  t.is(await h.at("AT+CSCS?"), '\r\n+CSCS: "IRA"\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSCS="HEX"'), "\r\nOK\r\n");
  t.is(await h.at("AT+CSCA?"), '\r\n+CSCA: "2B3135353530303030303030",145\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSCS="UCS2"'), "\r\nOK\r\n");
  t.is(await h.at("AT+CSCA?"), '\r\n+CSCA: "002B00310035003500350030003000300030003000300030",145\r\n\r\nOK\r\n');
  t.is(await h.at('AT+CSCA="002B0038003100390030",145'), "\r\nOK\r\n");
  t.is(h.modem.smsc, "+8190");
  t.is(await h.at('AT+CSCA="2B31"'), "\r\nERROR\r\n");
  t.is(await h.at('AT+CSCS="IRA";+CSCA?'), '\r\n+CSCA: "+8190",145\r\n\r\nOK\r\n');
});

test("+CFUN: radio off deregisters, radio on registers again", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CREG=1");
  t.is(await h.at("AT+CFUN?"), "\r\n+CFUN: 1\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CFUN=4"), "\r\nOK\r\n\r\n+CREG: 0\r\n");
  t.false(h.net.attached);
  t.is(await h.at("AT+CFUN=1", 1), "\r\nOK\r\n\r\n+CREG: 1\r\n");
  t.true(h.net.attached);
  t.is(await h.at("AT+CFUN=2"), "\r\nERROR\r\n");
  t.is(await h.at("AT+CFUN=?"), "\r\n+CFUN: (0,1,4),(0,1)\r\n\r\nOK\r\n");
});

test("+CPIN: a locked SIM keeps the modem off the network until the PIN; wrong PINs lead to PUK", async (t) => {
  const h = await harness({ sim: { pin: "1234", puk: "87654321" } });
  await h.at("ATE0;+CMEE=1");
  t.false(h.net.attached);
  t.is(await h.at("AT+CPIN?"), "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n");
  t.is(await h.at('AT+CPIN="0000"'), "\r\n+CME ERROR: 16\r\n");
  t.is(await h.at('AT+CPIN="1234"', 1), "\r\nOK\r\n");
  t.true(h.net.attached);
  t.is(await h.at("AT+CPIN?"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
  t.is(await h.at('AT+CPIN="1234"'), "\r\n+CME ERROR: 3\r\n");

  const k = await harness({ sim: { pin: "1234", puk: "87654321" } });
  await k.at("ATE0;+CMEE=1");
  for (let i = 0; i < 3; i++) await k.at('AT+CPIN="9999"');
  t.is(await k.at("AT+CPIN?"), "\r\n+CPIN: SIM PUK\r\n\r\nOK\r\n");
  t.is(await k.at('AT+CPIN="87654321","4321"'), "\r\nOK\r\n");
  t.is(k.modem.simCard().pin, "4321");
});

test("no SIM: +CPIN? and SIM commands answer SIM not inserted", async (t) => {
  const h = await harness({ sim: { present: false } });
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+CPIN?"), "\r\n+CME ERROR: 10\r\n");
  t.is(await h.at("AT+CIMI"), "\r\n+CME ERROR: 10\r\n");
  t.is(await h.at("AT+CPMS?"), "\r\n+CMS ERROR: 310\r\n");
  t.is(await h.at("AT+CREG?"), "\r\n+CREG: 0,0\r\n\r\nOK\r\n");
  t.false(h.net.attached);
});

test("a SIM still starting (startMs): +CPIN: NOT READY (or +CME ERROR: 14), SIM busy, off the network; then ready, with simReadyLines", async (t) => {
  const h = await harness({ sim: { startMs: 3000 }, simReadyLines: ["+CPIN: READY", "SMS DONE"] }, {}, true);
  await h.at("ATE0;+CMEE=1");
  t.is(await h.at("AT+CPIN?"), "\r\n+CPIN: NOT READY\r\n\r\nOK\r\n");
  t.is(await h.at("AT+CIMI"), "\r\n+CME ERROR: 14\r\n");
  t.is(await h.at("AT+CPMS?"), "\r\n+CMS ERROR: 314\r\n");
  t.is(await h.at('AT+CPIN="1234"'), "\r\n+CME ERROR: 14\r\n");
  t.false(h.net.attached);
  t.is(await h.at("AT", 3000), "\r\nOK\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n");
  t.true(h.net.attached);
  t.is(await h.at("AT+CPIN?"), "\r\n+CPIN: READY\r\n\r\nOK\r\n");
  // Each power-on starts the card again; the busy answer is the card's choice.
  const k = await harness({ sim: { startMs: Infinity, busyAnswer: "busy" } });
  await k.at("ATE0;+CMEE=1");
  t.is(await k.at("AT+CPIN?", 3600000), "\r\n+CME ERROR: 14\r\n");
  t.false(k.net.attached);
  t.deepEqual(h.modem.internalErrors, []);
});
