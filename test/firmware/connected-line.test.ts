/**
 * The connected line of an outgoing call (27.007 §7.8 +COLP), per modem profile
 * (drivers/modems/profile.ts `connectedLine`):
 * - Quectel (`afterOk`): bring-up turns +COLP on; ATD still answers OK at once, and the
 *   +COLP line that comes when the far end answers makes the call active with who answered.
 * - generic and SIMCom (`holdsDial`): with +COLP on, ATD's final would wait for the answer
 *   and hold the one AT channel (the alerting +CLCC reads, SMS, an emergency dial), so
 *   bring-up turns it off, even when the module kept it on; who answered then comes only
 *   from a +CLCC that lists it.
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";
import { describeEvent } from "../../firmware/api/words.js";
import type { SimModemOptions } from "../../sim/modem/modem.js";

const DIALLED = "0312345678";
const FORWARDED_TO = "+81398765432";

function quectel(board = "car-linux-eg91") {
  // setupCheckMs far away: the answer must come from +COLP, not from the next +CLCC read.
  return simRig({ board, modem: { identity: { manufacturer: "Quectel", model: "EG91" } }, line: { setupCheckMs: 60000, callCheckMs: 0 } });
}

test("R59 R60: on a Quectel module the dial returns at once and the +COLP of a forwarded call makes it active with who answered (answered by ...)", async (t) => {
  const r = await quectel();
  t.true(r.commands.indexOf("AT+COLP=1") >= 0, "bring-up turns +COLP on");
  t.true(r.modem.settings.colp);
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

test("R45: with +COLP on (Quectel), an emergency dial is placed at once: ATD's OK never waits for the answer, and +CLCC is read while it rings", async (t) => {
  const r = await simRig({ board: "watch-bangle2-bg95", modem: { identity: { manufacturer: "Quectel", model: "BG95-M3" } }, line: { setupCheckMs: 1000 } });
  t.true(r.modem.settings.colp);
  const phases: string[] = [];
  r.fw.api.events.on("emergency", (e) => phases.push(e.phase));
  const d = await r.act(r.fw.api.dial("110"), 100);
  t.true(d.ok, JSON.stringify(d));
  t.deepEqual(phases, ["requested", "placed"], "placed within 100 ms, nobody has answered");
  t.is(r.network.calls[0].state, "alerting");
  const mark = r.commands.length;
  await r.run(2500);
  t.true(r.commands.slice(mark).indexOf("AT+CLCC") >= 0, "the channel is free while the agency's phone rings");
  r.network.remoteAnswer(undefined, "110");
  await r.run(50);
  const call = r.fw.api.snapshot().calls[0];
  t.is(call.status, "active");
  t.is(call.connectedNumber, "110");
});

test("R45: generic and SIMCom profiles turn +COLP off at bring-up even when the module kept it on, so a dial (emergency or not) is answered at once", async (t) => {
  const cases: [string, Partial<SimModemOptions>][] = [
    ["sim-generic", {}],
    ["bench-usb-a7670", { identity: { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE" }, bootBanner: ["*ATREADY: 1"] }],
  ];
  for (const [board, modem] of cases) {
    const r = await simRig({ board, modem, ready: false });
    r.modem.settings.colp = true; // left on by an earlier client (AT&W)
    await r.run(2000);
    t.is(r.fw.modem.status().state.name, "ready", board);
    t.true(r.commands.indexOf("AT+COLP=0") >= 0, board);
    t.false(r.modem.settings.colp, board);
    const phases: string[] = [];
    r.fw.api.events.on("emergency", (e) => phases.push(e.phase));
    t.true((await r.act(r.fw.api.dial("119"), 100)).ok, board);
    t.deepEqual(phases, ["requested", "placed"], board);
  }
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
