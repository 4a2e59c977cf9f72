/**
 * Fault knobs of the simulated modem: how its output is cut and delayed, bytes lost or
 * garbage added on the line, a reboot with its banner, and a silent hang.
 */
import test from "ava";
import { harness } from "./harness.js";

test("output chunk size: a response arrives in pieces of at most N bytes, in order", async (t) => {
  const h = await harness({ output: { chunkSize: 3 } });
  const chunks: string[] = [];
  h.host.onData((c) => chunks.push(c));
  t.is(await h.at("AT+CGMI"), "AT+CGMI\r\r\nSharedline\r\n\r\nOK\r\n");
  t.true(chunks.length >= 10);
  t.true(chunks.every((c) => c.length <= 3));
});

test("chunk gaps run on the modem's clock: the rest of a response comes only as time passes", async (t) => {
  const h = await harness({ output: { chunkSize: 4, chunkGapMs: 10 } });
  await h.at("ATE0");
  await h.wait(1000);
  t.is(await h.at("AT+CGMM"), "\r\nSL");
  t.is(await h.wait(10), "-LTE");
  t.is(await h.wait(30), "1\r\n\r\nOK\r\n");
});

test("response delay: the answer comes the set time after the line ends (echo at once)", async (t) => {
  const h = await harness({ responseDelayMs: 250 });
  t.is(await h.at("AT"), "AT\r");
  t.is(await h.wait(249), "");
  t.is(await h.wait(1), "\r\nOK\r\n");
  h.modem.responseDelayMs = 0;
  t.is(await h.at("AT"), "AT\r\r\nOK\r\n");
});

test("garbage: injected now between answers, or inserted inside the next answer", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  h.modem.injectGarbage("\x00\xff~");
  t.is(await h.wait(0), "\x00\xff~");
  h.modem.output.insertGarbage("\xfe\xfe", 4);
  t.is(await h.at("AT+CGMI"), "\r\nSh\xfe\xfearedline\r\n\r\nOK\r\n");
  t.is(await h.at("AT"), "\r\nOK\r\n");
});

test("a lost byte: one byte of output, or of input, never arrives", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  h.modem.output.loseBytes(2);
  t.is(await h.at("AT+CGMI"), "\r\nharedline\r\n\r\nOK\r\n");
  h.modem.output.loseBytes(0, 3);
  t.is(await h.at("AT"), "K\r\n");
  // Losing the CR of a command line joins it to the next one: "ATAT" is A (answer: nothing to answer) and T.
  h.modem.loseInput(2);
  t.is(await h.at("AT"), "");
  t.is(await h.at("AT"), "\r\nNO CARRIER\r\n");
  t.is(await h.at("AT"), "\r\nOK\r\n");
});

test("reboot: the banner, echo back on, +CMEE 0, URC modes off, calls dropped, storage kept", async (t) => {
  const h = await harness({ bootMs: 2000 });
  t.is(await h.at("AT"), "", "input is ignored while booting");
  await h.wait(2000);
  await h.at("ATE0;+CMEE=2;+CREG=2;+CLIP=1;+CNMI=2,1");
  h.net.deliverSms({ from: "+81901", text: "kept" });
  await h.wait(0);
  h.net.ringIn("+819011111111");
  await h.wait(0);
  await h.at("ATA", 1);
  t.is(h.net.liveCalls().length, 1);
  h.modem.reboot();
  t.is(h.net.liveCalls().length, 0, "the network sees the calls go");
  t.false(h.net.attached);
  t.is(await h.at("AT"), "", "input is ignored while booting");
  t.is(await h.wait(2000), "\r\nRDY\r\n");
  t.true(h.net.attached);
  t.is(await h.at("AT+CMEE?;+CREG?;+CLIP?;+CNMI?;+CLCC"), "AT+CMEE?;+CREG?;+CLIP?;+CNMI?;+CLCC\r\r\n+CMEE: 0\r\n\r\n+CREG: 0,1\r\n\r\n+CLIP: 0,1\r\n\r\n+CNMI: 0,0,0,0,0\r\n\r\nOK\r\n");
  t.regex(await h.at("AT+CMGL=4"), /\+CMGL: 1,0,,/);
});

test("reboot with a vendor banner, and AT+CFUN=1,1 reboots after its OK", async (t) => {
  const h = await harness({ bootBanner: ["RDY", "+CFUN: 1", "+CPIN: READY", "SMS DONE"] }, {}, true);
  t.is(await h.wait(0), "\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n");
  t.is(await h.at("ATE0;+CFUN=1,1", 1), "ATE0;+CFUN=1,1\r\r\nOK\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nSMS DONE\r\n");
  t.is(await h.at("AT"), "AT\r\r\nOK\r\n");
  h.modem.reboot(["POWERED DOWN", "RDY"]);
  t.is(await h.wait(0), "\r\nPOWERED DOWN\r\n\r\nRDY\r\n");
});

test("a reboot in the middle of a prompt or a partial line forgets it", async (t) => {
  const h = await harness();
  await h.at("ATE0");
  t.is(await h.at("AT+CMGS=20"), "\r\n> ");
  await h.send("0011000B91");
  h.modem.reboot();
  t.is(await h.wait(0), "\r\nRDY\r\n");
  await h.send("AT+CG");
  h.modem.reboot();
  t.is(await h.send("MI\r"), "\r\nRDY\r\nMI\r");
  t.is(await h.at("AT"), "AT\r\r\nOK\r\n");
  t.is(h.net.sent.length, 0);
});

test("hang: the modem stops answering (no echo, no results, no URCs) until unhung or rebooted", async (t) => {
  const h = await harness();
  await h.at("ATE0;+CREG=1");
  h.modem.hang();
  t.true(h.modem.hung);
  t.is(await h.at("AT"), "");
  h.net.setRegistration("roaming");
  t.is(await h.wait(60000), "");
  h.modem.unhang();
  t.is(await h.at("AT"), "\r\nOK\r\n");
  h.modem.hang();
  h.modem.reboot();
  t.false(h.modem.hung);
  t.is(await h.at("AT"), "\r\nRDY\r\nAT\r\r\nOK\r\n");
});
