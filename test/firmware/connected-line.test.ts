/**
 * The connected line of an outgoing call (27.007 §7.8 +COLP). §7.8 makes +COLP an
 * intermediate result of ATD ("manufacturer specific if this response is used when normal
 * voice call is established"): with +COLP on, a module may keep ATD's final until the far
 * end answers (SIMCom SIM900 AT manual §2.2.3 ATD says so), which would hold the one AT
 * channel (the alerting +CLCC reads, SMS, an emergency dial) behind a ringing call. No
 * vendor manual we could read says a module answers OK first and prints +COLP later, so
 * every profile turns it off at bring-up, even when the module kept it on (AT&W); who
 * answered then comes from a +CLCC that lists it, or from a stray unsolicited +COLP.
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";
import { describeEvent } from "../../firmware/api/words.js";
import type { SimModemOptions } from "../../sim/modem/modem.js";

const DIALLED = "0312345678";
const FORWARDED_TO = "+81398765432";

test("R45: every profile (generic, SIMCom, Quectel) turns +COLP off at bring-up even when the module kept it on, so a dial (emergency or not) is answered at once", async (t) => {
  const cases: [string, Partial<SimModemOptions>][] = [
    ["sim-generic", {}],
    ["bench-usb-a7670", { identity: { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE" }, bootBanner: ["*ATREADY: 1"] }],
    ["car-linux-eg91", { identity: { manufacturer: "Quectel", model: "EG91" } }],
    ["watch-bangle2-bg95", { identity: { manufacturer: "Quectel", model: "BG95-M3" } }],
  ];
  for (const [board, modem] of cases) {
    const r = await simRig({ board, modem, ready: false });
    r.modem.settings.colp = true; // left on by an earlier client (AT&W)
    await r.run(2000);
    t.is(r.fw.modem.status().state.name, "ready", board);
    t.true(r.commands.indexOf("AT+COLP=0") >= 0, board);
    t.true(r.commands.indexOf("AT+COLP=1") < 0, board);
    t.false(r.modem.settings.colp, board);
    const phases: string[] = [];
    r.fw.api.events.on("emergency", (e) => phases.push(e.phase));
    t.true((await r.act(r.fw.api.dial("119"), 100)).ok, board);
    t.deepEqual(phases, ["requested", "placed"], board);
  }
});

test("R59 R60: a +COLP printed after ATD's OK (a module that shows it unsolicited) makes the call in set-up active with who answered (answered by ...)", async (t) => {
  // setupCheckMs far away: the answer must come from +COLP, not from the next +CLCC read.
  const r = await simRig({ modem: { colpStyle: "unsolicited" }, line: { setupCheckMs: 60000, callCheckMs: 0 } });
  r.modem.settings.colp = true; // a module that prints it whatever bring-up asked
  const lines: string[] = [];
  r.fw.api.events.on("callChanged", (c) => lines.push(describeEvent("callChanged", c)));
  const d = await r.act(r.fw.api.dial(DIALLED), 50);
  t.true(d.ok, JSON.stringify(d));
  t.is(r.fw.api.snapshot().calls[0].status, "alerting");
  r.network.remoteAnswer(undefined, FORWARDED_TO);
  await r.run(50);
  const call = r.fw.api.snapshot().calls[0];
  t.is(call.status, "active", "active from +COLP, 60 s before the next +CLCC read would tell");
  t.is(call.number, DIALLED);
  t.is(call.connectedNumber, FORWARDED_TO);
  t.true(lines.indexOf("call 1 outgoing " + DIALLED + ": active (answered by " + FORWARDED_TO + ")") >= 0, lines.join(" | "));
  await r.run(1000);
  t.is(r.fw.api.snapshot().calls[0].connectedNumber, FORWARDED_TO, "+CLCC (the dialled number) does not undo it");
  t.is(r.fw.api.snapshot().calls.length, 1);
});

test("R59: on a module whose +CLCC lists an answered call with the connected number, that is who answered, and the call stays the same call", async (t) => {
  const r = await simRig({ modem: { clccShowsConnectedNumber: true }, line: { setupCheckMs: 1000 } });
  const ended: unknown[] = [];
  const adopted: unknown[] = [];
  r.fw.api.events.on("callEnded", (c) => ended.push(c));
  r.fw.api.events.on("adopted", (c) => adopted.push(c));
  t.true((await r.act(r.fw.api.dial(DIALLED))).ok);
  r.network.remoteAnswer(undefined, FORWARDED_TO);
  await r.run(1500);
  const calls = r.fw.api.snapshot().calls;
  t.is(calls.length, 1);
  t.is(calls[0].id, 1);
  t.is(calls[0].status, "active");
  t.is(calls[0].number, DIALLED, "the dialled number stays the call's");
  t.is(calls[0].connectedNumber, FORWARDED_TO);
  await r.run(35000);
  t.deepEqual(ended, [], "not taken for a new call with the old one gone");
  t.deepEqual(adopted, []);
});
