/**
 * `sharedline sim --tcp/--pty` out of the box (issue 14 §2): one accessory of the
 * shared-number network, with defaults every client works with: a default USSD answer,
 * an outside party that answers an outgoing call after a short delay (so `ATD` with
 * +COLP=1 completes), and release by the no-reply time when it does not answer. The
 * network itself keeps none of these (scenarios and tests decide).
 */
import test, { type ExecutionContext } from "ava";
import { DEFAULT_USSD_ANSWER, parseSimArgs, startSim, type SimOptions } from "../../cli/sim.js";
import { SharedNetwork } from "../../sim/network/index.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { atClient } from "../serve/helpers.js";

async function served(t: ExecutionContext, args: string[] = []) {
  const sim = await startSim(parseSimArgs(["--tcp", "0", "--quiet", ...args]) as SimOptions, () => undefined);
  t.teardown(() => sim.close());
  const at = await atClient(t, sim.where);
  // Registration comes a moment after power-on, as on a real network: +CREG=1 tells when.
  at.send("ATE0;+CMEE=1;+CREG=1;+CREG?");
  const first = await at.rx.waitFor("OK\r\n");
  if (!/\+CREG: 1,1/.test(first)) await at.rx.waitFor(/\+CREG: 1\r\n/);
  at.rx.clear();
  return { sim, at };
}

test("the served modem is an accessory of the shared number: registered, its calls fork to the smartphone", async (t) => {
  const { sim, at } = await served(t);
  at.send("AT+CREG?;+CNUM");
  t.regex(await at.rx.waitFor("OK\r\n"), /\+CREG: 1,1\r\n[\s\S]*\+CNUM: ,"\+819012345678",145/);
  at.rx.clear();
  at.send("AT+CLIP=1");
  await at.rx.waitFor("OK\r\n");
  sim.world.command("ring", [], "");
  t.regex(await at.rx.waitFor("145\r\n"), /RING\r\n\r\n\+CLIP: "\+81311112222",145/);
  t.is(sim.server.num.phone.calls[0].state, "incoming", "the smartphone rings too (R19)");
});

test("USSD: a code the network has no service for gets the default answer; --ussd-answer changes it, none gives +CUSD: 4", async (t) => {
  const { at } = await served(t);
  at.send('AT+CUSD=1,"*100#",15');
  t.is(await at.rx.waitFor(/\+CUSD: .*\r\n/), '\r\nOK\r\n\r\n+CUSD: 0,"' + DEFAULT_USSD_ANSWER + '",15\r\n');
  const other = await served(t, ["--ussd-answer", "Balance: 1,234 yen"]);
  other.at.send('AT+CUSD=1,"*100#",15');
  t.regex(await other.at.rx.waitFor(/\+CUSD: .*\r\n/), /\+CUSD: 0,"Balance: 1,234 yen",15/);
  const none = await served(t, ["--ussd-answer", "none"]);
  none.at.send('AT+CUSD=1,"*100#",15');
  t.regex(await none.at.rx.waitFor(/\+CUSD: .*\r\n/), /\+CUSD: 4\r\n/);
});

test("ATD with +COLP=1: the outside party answers after --answer-after, +COLP shows its number and OK ends the dial", async (t) => {
  const { sim, at } = await served(t, ["--answer-after", "300"]);
  at.send("AT+COLP=1;D+81311112222;");
  t.is(await at.rx.waitFor("OK\r\n", 10000), '\r\n+COLP: "+81311112222",145\r\n\r\nOK\r\n');
  at.rx.clear();
  at.send("AT+CLCC");
  t.regex(await at.rx.waitFor("OK\r\n"), /\+CLCC: 1,0,0,0,0,"\+81311112222",145/);
  t.is(sim.server.net.outside("+81311112222").calls[0].state, "active");
});

test("--answer-after never: an unanswered call is released with #19 at the no-reply time instead of alerting forever", async (t) => {
  const { at } = await served(t, ["--answer-after", "never", "--param", "noReplyMs=1000"]);
  const t0 = Date.now();
  at.send("ATD+81355556666;");
  // Cause 19 after alerting shows as NO ANSWER (V.250 §6.3.1, 27.007 §6.3).
  t.is(await at.rx.waitFor("NO ANSWER\r\n", 10000), "\r\nOK\r\n\r\nNO ANSWER\r\n");
  t.true(Date.now() - t0 >= 900, "released by the timer, not at once");
  at.rx.clear();
  at.send("AT+CEER");
  t.regex(await at.rx.waitFor("OK\r\n"), /\+CEER: 19,/);
});

test("the network's own defaults keep these off: no auto answer, no party release, +CUSD: 4 (scenarios decide)", (t) => {
  const net = new SharedNetwork({ clock: new VirtualClock() });
  t.is(net.params.partyAnswerMs, null);
  t.false(net.params.partyNoReply);
  t.is(net.params.ussdAnswer, null);
  t.is(net.outside("+81311112222").autoAnswerMs, undefined);
  t.is(net.outside("110").autoAnswerMs, 0, "emergency agencies still answer at once");
});
