/**
 * The RAK8212's firmware (firmware/rak/phone.ts) on the simulated modem and network
 * stub, under a virtual clock, its Storage a MemoryFlash (Espruino's flash rules, power
 * cuts): bring-up, a call rung in and answered through the API, the emergency rules
 * (SPEC R45, R46, R50, R53), and SMS receive with reassembly and a power cut between
 * the Storage write and the deletion from the SIM.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryFlash } from "../../hal/memory/storage.js";
import { quectelBg96 } from "../../drivers/modems/quectel.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { BG96_BOOT_MS, BG96_PULSE_MS, startRak, type RakApi, type RakCallReply } from "../../firmware/rak/phone.js";
import type { ApiEvents } from "../../firmware/api/types.js";
import { INBOX_PAGE } from "../../firmware/rak/pdu.js";

const CALLER = "+819011112222";

/**
 * The emergency phases the shared event type names: a Record over the type's union, so
 * this list is the type's (tsc refuses a missing or an extra key). Every phase the RAK
 * firmware emits in any test here must be one of them (test.after below): an app written
 * against ApiEvents would otherwise miss it.
 */
const TYPED_PHASES: Record<ApiEvents["emergency"]["phase"], true> = { requested: true, placed: true, retrying: true, ended: true, waiting: true, failed: true };
/** Every emergency phase emitted in this file's tests, with the test's rig. */
const emittedPhases = new Set<string>();

function rig(opts?: {
  flash?: MemoryFlash;
  clock?: VirtualClock;
  modem?: SimModem;
  network?: NetworkStub;
  quiet?: boolean;
  bootMs?: number;
  /** Sees each line written to the modem, after it went. */
  onWrite?: (s: string) => void;
  powerKey?: (ms: number) => void;
}) {
  const o = opts || {};
  const clock = o.clock || new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = o.network || new NetworkStub({ clock });
  const modem = o.modem || new SimModem({ clock, network, bootMs: o.bootMs });
  const flash = o.flash || new MemoryFlash();
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  const written: { at: number; cmd: string }[] = [];
  const printed: string[] = [];
  const pulses: number[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- event payloads of every kind
  const events: { name: string; data: any }[] = [];
  const api: RakApi = startRak({
    write: (s) => {
      written.push({ at: clock.now(), cmd: s.replace(/\r$/, "") });
      void dte.write(s);
      if (o.onWrite) o.onWrite(s);
    },
    clock,
    flash,
    print: (l) => printed.push(l),
    quiet: o.quiet,
    powerKey: (ms) => {
      pulses.push(clock.now());
      if (o.powerKey) o.powerKey(ms);
    },
    pulseMs: BG96_PULSE_MS,
    bootMs: BG96_BOOT_MS,
  });
  dte.onData((d) => api.feed(d));
  api.onAny((data, name) => {
    events.push({ name, data });
    if (name === "emergency") emittedPhases.add(String(data.phase));
  });
  const cmds = () => written.map((w) => w.cmd);
  return { clock, network, modem, flash, api, written, printed, events, cmds, pulses, run: (ms: number) => clock.advance(ms) };
}

async function up(r: ReturnType<typeof rig>, powerOn = true) {
  if (powerOn) r.modem.powerOn();
  await r.run(3000);
  if (r.api.snapshot().modem !== "ready") throw new Error("not ready: " + r.printed.join("\n"));
}

async function settle<T>(r: ReturnType<typeof rig>, p: Promise<T>, ms: number): Promise<T | undefined> {
  let out: T | undefined = undefined;
  void p.then((v) => (out = v));
  await r.run(ms);
  return out;
}

test("the BG96's power-key pulse and boot time are its profile's (drivers/modems/quectel.ts)", (t) => {
  t.is(BG96_PULSE_MS, quectelBg96.powerKeyPulseMs);
  t.is(BG96_BOOT_MS, quectelBg96.bootTimeMs);
});

test("bring-up: AT until the modem answers, echo off, CMEE, the SIM, registration URCs, caller id, PDU mode, +CMTI, +CEN; one line per event", async (t) => {
  const r = rig({ bootMs: 2500 });
  r.modem.powerOn();
  await r.run(2200);
  t.true(r.cmds().filter((c) => c === "AT").length >= 2, "AT retried while the modem boots: " + r.cmds().join(" "));
  t.is(r.api.snapshot().modem, "bringingUp");
  await up(r, false);
  const c = r.cmds();
  for (const cmd of ["ATE0", "AT+CMEE=1", 'AT+QURCCFG="urcport","uart1"', "AT+CPIN?", "AT+CREG=2", "AT+CEREG=2", "AT+CLIP=1", "AT+CRC=1", "AT+CMGF=0", "AT+CNMI=2,1,0,0,0", "AT+CEN=1"]) {
    t.true(c.indexOf(cmd) >= 0, cmd + " was sent");
  }
  t.true(c.indexOf("ATE0") < c.indexOf("AT+CPIN?") && c.indexOf("AT+CPIN?") < c.indexOf("AT+CNMI=2,1,0,0,0"));
  t.true(r.printed.includes("modem: ready"), r.printed.join("\n"));
  t.true(r.events.some((e) => e.name === "ready"));
  const s = await r.api.status();
  t.true(s.ok && s.ready);
  t.true(s.emergencyNumbers.indexOf("110") >= 0 && s.emergencyNumbers.indexOf("119") >= 0);
});

test("a SIM still starting (+CPIN: NOT READY) is asked again until READY; bring-up goes on only then", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: { startMs: 4000 } });
  const r = rig({ clock, network, modem });
  const t0 = clock.now();
  modem.powerOn();
  await r.run(8000);
  t.is(r.api.snapshot().modem, "ready", r.printed.join("\n"));
  const cpin = r.written.filter((w) => w.cmd === "AT+CPIN?");
  t.true(cpin.length >= 2, "asked again: " + cpin.length);
  const clip = r.written.find((w) => w.cmd === "AT+CLIP=1");
  t.true(!!clip && clip.at - t0 >= 4000, "AT+CLIP=1 only once the SIM was ready (at " + (clip ? clip.at - t0 : -1) + " ms)");
  t.true(r.printed.some((l) => /SIM.*not ready/i.test(l)), r.printed.join("\n"));
});

test("a SIM busy (+CME ERROR: 14) is asked again the same way", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: { startMs: 4000, busyAnswer: "busy" } });
  const r = rig({ clock, network, modem });
  modem.powerOn();
  await r.run(8000);
  t.is(r.api.snapshot().modem, "ready", r.printed.join("\n"));
  t.true(r.written.filter((w) => w.cmd === "AT+CPIN?").length >= 2);
});

test("R55 a SIM that stays NOT READY: bring-up stops at the SIM with a clear report, asks again a minute later, and goes on once the SIM is ready", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: { startMs: 45000 } });
  const r = rig({ clock, network, modem });
  modem.powerOn();
  await r.run(30000);
  t.is(r.api.snapshot().modem, "simLocked", r.printed.join("\n"));
  t.false(r.cmds().includes("AT+CNMI=2,1,0,0,0"), "bring-up did not go on past the SIM");
  const state = r.events.filter((e) => e.name === "modemState" && e.data.name === "simLocked");
  t.is(state.length, 1);
  t.regex(state[0].data.lastError, /NOT READY/);
  t.regex(state[0].data.lastError, /emergency calls are unavailable/);
  t.true(r.printed.some((l) => /^modem: simLocked \(.*NOT READY/.test(l)), r.printed.join("\n"));
  await r.run(60000);
  t.is(r.api.snapshot().modem, "ready", r.printed.join("\n"));
  t.true(r.cmds().includes("AT+CNMI=2,1,0,0,0"));
});

test("R55 a SIM asking for its PIN: simLocked at once, saying so (no PIN entry on this board), not asked again every second", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: { pin: "1234" } });
  const r = rig({ clock, network, modem });
  modem.powerOn();
  await r.run(3000);
  t.is(r.api.snapshot().modem, "simLocked");
  t.true(r.printed.some((l) => /SIM asks for SIM PIN; emergency calls are unavailable/.test(l)), r.printed.join("\n"));
  await r.run(120000);
  t.is(r.cmds().filter((c) => c === "AT+CPIN?").length, 1, r.cmds().join(" "));
});

test("quiet: no console line per event", async (t) => {
  const r = rig({ quiet: true });
  await up(r);
  t.deepEqual(r.printed, []);
});

test("a call rings with the caller's number, is answered through the API, and ends when the caller hangs up", async (t) => {
  const r = rig();
  await up(r);
  r.network.ringIn(CALLER);
  await r.run(2000);
  const inc = r.events.find((e) => e.name === "incoming");
  t.truthy(inc, "incoming event");
  t.is(inc!.data.number, CALLER);
  t.is(inc!.data.status, "incoming");
  t.true(r.printed.includes("incoming call from " + CALLER));
  const ans = await settle(r, r.api.answer(), 2000);
  t.true(!!ans && ans.ok, JSON.stringify(ans));
  t.is(ans && ans.ok && ans.call && ans.call.status, "active");
  t.is(r.network.liveCalls()[0].state, "active");
  r.network.remoteHangup();
  await r.run(3000);
  const end = r.events.find((e) => e.name === "callEnded");
  t.is(end && end.data.end.reason, "remoteHungUp");
  t.deepEqual(r.api.snapshot().calls, []);
});

test("reject declines the ringing call (AT+CHUP, SPEC R26); answer with nothing ringing says so", async (t) => {
  const r = rig();
  await up(r);
  const none = await r.api.answer();
  t.false(none.ok);
  r.network.ringIn(CALLER);
  await r.run(2000);
  const rej = await settle(r, r.api.reject(), 2000);
  t.true(!!rej && rej.ok);
  await r.run(2000);
  t.deepEqual(r.network.liveCalls(), []);
  t.is(r.events.find((e) => e.name === "callEnded")!.data.end.reason, "declinedHere");
});

test("dial places an ordinary call; a second one while in a call is refused here", async (t) => {
  const r = rig();
  await up(r);
  const d = await settle(r, r.api.dial("0312345678"), 2000);
  t.true(!!d && d.ok, JSON.stringify(d));
  t.true(r.cmds().includes("ATD0312345678;"));
  const again = await r.api.dial("0398765432");
  t.false(again.ok);
  const h = await settle(r, r.api.hangup(), 2000);
  t.true(!!h && h.ok);
  await r.run(2000);
  t.deepEqual(r.network.liveCalls(), []);
});

test("R50 110 dialled during a call: AT+CHUP first, then ATD110; on the priority lane; the caller is released and the emergency call connects", async (t) => {
  const r = rig();
  await up(r);
  r.network.ringIn(CALLER);
  await r.run(2000);
  await settle(r, r.api.answer(), 2000);
  const asked = r.clock.now();
  const res = (await settle(r, r.api.dial("110"), 3000)) as RakCallReply | undefined;
  t.true(!!res && res.ok, JSON.stringify(res));
  const after = r.written.filter((w) => w.at >= asked).map((w) => w.cmd);
  t.true(after.indexOf("AT+CHUP") >= 0 && after.indexOf("AT+CHUP") < after.indexOf("ATD110;"), after.join(" "));
  const atd = r.written.find((w) => w.cmd === "ATD110;")!;
  t.true(atd.at - asked <= 1000, `ATD110; written ${atd.at - asked} ms after the request`);
  const calls = r.network.calls;
  t.true(calls.some((c) => c.number === "110" && c.emergency), "the network saw an emergency call");
  t.false(r.network.liveCalls().some((c) => c.number === CALLER), "the caller's call was released");
  r.network.remoteAnswer(calls.find((c) => c.number === "110")!.callId);
  await r.run(2000);
  const here = r.api.snapshot().calls;
  t.is(here.length, 1);
  t.true(here[0].emergency);
  t.is(here[0].status, "active");
  t.true(r.events.some((e) => e.name === "emergency"));
});

test("R50 R49 a NO CARRIER from the released call before ATD110's OK: the 110 call is kept, not hung up by a retry", async (t) => {
  let inject = false;
  const r = rig({
    onWrite: (s) => {
      // The released caller's NO CARRIER reaches the UART just after ATD110; went out.
      if (inject && s === "ATD110;\r") {
        inject = false;
        r.api.feed("\r\nNO CARRIER\r\n");
      }
    },
  });
  await up(r);
  r.network.ringIn(CALLER);
  await r.run(2000);
  await settle(r, r.api.answer(), 2000);
  const mark = r.written.length;
  inject = true;
  const res = (await settle(r, r.api.dial("110"), 6000)) as RakCallReply | undefined;
  const after = r.written.slice(mark).map((w) => w.cmd);
  t.true(!!res && res.ok && !!res.call && res.call.number === "110", JSON.stringify(res));
  t.is(after.filter((c) => c === "ATD110;").length, 1, after.join(" "));
  t.is(after.filter((c) => c === "AT+CHUP").length, 1, after.join(" "));
  t.true(
    r.network.liveCalls().some((c) => c.number === "110"),
    "the emergency call is up: " + r.network.calls.map((c) => c.number + " " + c.state).join("; "),
  );
});

test("R50 110 right after an ordinary dial, before AT+CLCC lists it: AT+CHUP first, ATD110 once and accepted", async (t) => {
  const r = rig();
  await up(r);
  const mark = r.written.length;
  void r.api.dial("0312345678");
  const res = (await settle(r, r.api.dial("110"), 3000)) as RakCallReply | undefined;
  const after = r.written.slice(mark).map((w) => w.cmd);
  t.true(!!res && res.ok && !!res.call && res.call.number === "110", JSON.stringify(res));
  t.true(after.indexOf("AT+CHUP") > after.indexOf("ATD0312345678;") && after.indexOf("AT+CHUP") < after.indexOf("ATD110;"), after.join(" "));
  t.is(after.filter((c) => c === "ATD110;").length, 1, after.join(" "));
  t.false(r.network.liveCalls().some((c) => c.number === "0312345678"));
});

test("R45 R56 119 dialled while the modem is off: its power-on is not held up, and the dial goes as soon as it answers", async (t) => {
  let keyAt = -1;
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network });
  const r = rig({
    clock,
    network,
    modem,
    powerKey: () => {
      keyAt = clock.now();
      clock.setTimeout(() => modem.reboot(), 3000);
    },
  });
  const t0 = clock.now();
  modem.hang();
  await r.run(2000);
  const p = r.api.dial("119");
  const res = (await settle(r, p, 40000)) as RakCallReply | undefined;
  t.true(keyAt >= 0 && keyAt - t0 <= 25000, `power key pulsed at ${keyAt - t0} ms`);
  t.true(!!res && res.ok && !!res.call && res.call.number === "119", JSON.stringify(res));
  const atd = r.written.filter((w) => w.cmd === "ATD119;");
  t.is(atd.length, 1, "dialled once, when the modem answered");
  t.true(atd[0].at >= keyAt, "not before the modem was woken");
  t.true(network.calls.some((c) => c.number === "119" && c.emergency));
  t.true(r.events.some((e) => e.name === "emergency" && e.data.phase === "waiting"));
});

test("R45 an emergency dial and a modem that never answers: pulsed at 15 s and 30 s, reported failed at 45 s (phase failed, modemSilent), not dialled when the modem comes back", async (t) => {
  const r = rig();
  r.modem.hang();
  await r.run(2000);
  const t0 = r.clock.now();
  const before = r.pulses.length;
  let res: RakCallReply | undefined = undefined;
  void r.api.dial("110").then((v) => (res = v));
  await r.run(44000);
  t.is(res, undefined, "still waiting at 44 s");
  await r.run(2000);
  t.truthy(res, "answered by 46 s");
  const got = res as RakCallReply | undefined;
  t.true(!!got && !got.ok && got.reason === "modemSilent", JSON.stringify(got));
  t.regex(got && !got.ok ? got.message : "", /did not answer for 4\d s, 2 power cycles.*110 was not placed/);
  const fail = r.events.find((e) => e.name === "emergency" && e.data.phase === "failed");
  t.truthy(fail);
  t.is(fail!.data.reason, "modemSilent");
  t.true(r.printed.some((l) => /^emergency call failed: /.test(l)));
  const pulses = r.pulses.slice(before).map((p) => p - t0);
  t.log("pulses at " + pulses.join(", ") + " ms");
  t.true(pulses.length >= 2 && pulses.length <= 3, "pulses at " + pulses.join(", "));
  for (let i = 1; i < pulses.length; i++) t.true(pulses[i] - pulses[i - 1] >= 15000, "pulses at " + pulses.join(", "));
  r.modem.reboot();
  await r.run(20000);
  t.is(r.api.snapshot().modem, "ready");
  t.false(r.cmds().includes("ATD110;"), "not dialled unasked once the modem came back");
});

test("R45 an emergency dial and a hung modem (on, silent): the first pulse turns it off, the second on, and 110 is dialled within 45 s", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network });
  let on = true;
  const r = rig({
    clock,
    network,
    modem,
    powerKey: () => {
      // The BG96's power key toggles: a hung module goes off, an off one boots (3 s).
      on = !on;
      if (on) clock.setTimeout(() => modem.reboot(), 3000);
    },
  });
  await up(r);
  modem.hang();
  const t0 = clock.now();
  const res = (await settle(r, r.api.dial("110"), 45000)) as RakCallReply | undefined;
  t.true(!!res && res.ok && !!res.call && res.call.number === "110", JSON.stringify(res) + "\n" + r.printed.join("\n"));
  const atd = r.written.filter((w) => w.cmd === "ATD110;" && w.at >= t0 && !modem.hung);
  t.true(atd.length >= 1);
  t.true(r.pulses.filter((p) => p >= t0).length >= 2);
  t.true(network.calls.some((c) => c.number === "110" && c.emergency));
  t.log(`pulses at ${r.pulses.filter((p) => p >= t0).map((p) => p - t0).join(", ")} ms, dialled at ${atd[atd.length - 1].at - t0} ms`);
});

test("R45 an emergency dial waiting for a silent modem is called off by hangup, and is not dialled when the modem wakes", async (t) => {
  const r = rig();
  r.modem.hang();
  await r.run(2000);
  const p = r.api.dial("110");
  await r.run(1000);
  const h = await settle(r, r.api.hangup(), 100);
  t.true(!!h && h.ok);
  const res = (await settle(r, p, 10)) as RakCallReply | undefined;
  t.true(!!res && !res.ok, JSON.stringify(res));
  r.modem.reboot();
  await r.run(10000);
  t.is(r.api.snapshot().modem, "ready");
  t.false(r.cmds().includes("ATD110;"), r.cmds().join(" "));
});

test("R45 R46 110 dialled while the modem is still in bring-up goes ahead of the bring-up script", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  // 40 ms a command: the bring-up script takes about 600 ms.
  const r = rig({ clock, network, modem: new SimModem({ clock, network, responseDelayMs: 40 }) });
  r.modem.powerOn();
  await r.run(150);
  const asked = r.clock.now();
  const p = r.api.dial("110");
  await r.run(1000);
  const atd = r.written.find((w) => w.cmd === "ATD110;");
  t.truthy(atd, "dialled");
  t.true(atd!.at - asked <= 1000, `written ${atd!.at - asked} ms after the request`);
  t.true(r.cmds().indexOf("ATD110;") < r.cmds().indexOf("AT+CNMI=2,1,0,0,0"), "before the end of the bring-up script");
  const res = await settle(r, p, 2000);
  t.true(!!res && res.ok, JSON.stringify(res));
  t.true(r.network.calls.some((c) => c.number === "110" && c.emergency));
});

test("R53 a number from the network's emergency list (+CEN2) is dialled as an emergency call", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock, emergencyNumbers: { mcc: 440, mnc: 10, numbers: [{ categories: 1, number: "110" }, { categories: 4, number: "171" }] } });
  const r = rig({ clock, network });
  await up(r);
  await r.run(2000);
  const s = await r.api.status();
  t.true(s.emergencyNumbers.indexOf("171") >= 0, s.emergencyNumbers.join(","));
  r.network.ringIn(CALLER);
  await r.run(2000);
  await settle(r, r.api.answer(), 2000);
  await settle(r, r.api.dial("171"), 3000);
  const c = r.cmds();
  t.true(c.lastIndexOf("AT+CHUP") < c.indexOf("ATD171;") && c.lastIndexOf("AT+CHUP") >= 0, "released first, as for 110");
});

test("R54 112 is an ordinary number here: when its call fails, the end names 110, 118 and 119", async (t) => {
  const r = rig();
  await up(r);
  r.network.outgoing = "busy";
  const d = await settle(r, r.api.dial("112"), 3000);
  t.false(r.network.calls.some((c) => c.emergency), "not dialled as an emergency call");
  // The modem says BUSY as the dial's final (a failed reply), or after its OK: as the
  // call's end when a +CLCC listed it, else as a log line.
  const end = r.events.find((e) => e.name === "callEnded");
  const log = r.events.find((e) => e.name === "log");
  const said = d && !d.ok ? d.message : end ? end.data.end.message : log ? log.data.text : "";
  t.regex(said, /112;?: BUSY.*110, 118 or 119/);
  t.true(r.printed.some((l) => /110, 118 or 119/.test(l)));
});

const LONG = "\u3042".repeat(150) + " end";

test("R73 R75 a three-part SMS is stored part by part, deleted from the SIM after, and reported once, whole", async (t) => {
  const r = rig();
  await up(r);
  r.network.deliverSms({ from: CALLER, text: LONG });
  await r.run(5000);
  const got = r.events.filter((e) => e.name === "smsReceived");
  t.is(got.length, 1);
  t.is(got[0].data.text, LONG);
  t.is(got[0].data.parts, 3);
  t.deepEqual(got[0].data.missing, []);
  t.true(r.printed.some((l) => l.indexOf("SMS from " + CALLER) === 0 && l.indexOf("3 parts") > 0));
  const inbox = await r.api.inbox();
  t.true(inbox.ok && inbox.messages.length === 1 && inbox.messages[0].text === LONG);
  t.is(r.modem.store.mem("SM")!.used() + r.modem.store.mem("ME")!.used(), 0, "the SIM holds nothing");
  t.is(r.cmds().filter((c) => /^AT\+CMGD=/.test(c)).length, 3);
  // Written before deleted: each part's Storage file exists before its AT+CMGD.
  t.is(r.flash.list().filter((f) => f.indexOf("sm") === 0).length, 3);
  const del = await r.api.inboxDelete(inbox.ok ? inbox.messages[0].id : -1);
  t.true(del.ok);
  t.deepEqual(r.flash.list().filter((f) => f.indexOf("sm") === 0), []);
});

test("a power cut between the Storage write and the deletion from the SIM: after the restart the message is whole, once, and the SIM empty", async (t) => {
  const flash = new MemoryFlash();
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network });
  const a = rig({ flash, clock, network, modem });
  await up(a);
  // Let the first part's file be written whole, then cut in the middle of the second's.
  const before = flash.unitsUsed;
  flash.cutPowerAfter(500);
  a.network.deliverSms({ from: CALLER, text: LONG });
  await a.run(5000);
  t.true(flash.isDead, "the power went off during the writes");
  t.true(flash.unitsUsed > before);
  const onSim = modem.store.mem("SM")!.used() + modem.store.mem("ME")!.used();
  t.true(onSim >= 2, `the parts not whole in Storage are still on the SIM (${onSim})`);
  t.deepEqual(a.events.filter((e) => e.name === "smsReceived"), []);
  // Power back: what the flash kept, the modem rebooted with its SIM.
  const kept = flash.reboot();
  const b = rig({ flash: kept, clock, network, modem });
  modem.reboot();
  await up(b, false);
  await b.run(5000);
  const inbox = await b.api.inbox();
  t.true(inbox.ok);
  if (!inbox.ok) return;
  t.is(inbox.messages.length, 1, JSON.stringify(inbox.messages.map((m) => [m.parts, m.missing])));
  t.is(inbox.messages[0].text, LONG);
  t.is(modem.store.mem("SM")!.used() + modem.store.mem("ME")!.used(), 0, "the SIM is empty");
  t.is(b.events.filter((e) => e.name === "smsReceived").length, 1);
});

test("R75 a SIM holding 20 messages at boot: each stored as its line of the AT+CMGL=4 listing arrives (never the whole listing held), deleted after, each reported once", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  // 64 bytes every 2 ms: the listing (about 20 x 200 bytes) takes over 100 ms to come.
  const modem = new SimModem({ clock, network, output: { chunkSize: 64, chunkGapMs: 2 } });
  modem.powerOn();
  await clock.advance(1000);
  for (let i = 0; i < 20; i++) network.deliverSms({ from: CALLER, text: "message " + i + " " + "x".repeat(100) });
  await clock.advance(5000);
  // Restarted (the indications it buffered are gone): the messages are only on the SIM.
  modem.reboot();
  await clock.advance(1000);
  t.is(modem.store.mem("SM")!.used() + modem.store.mem("ME")!.used(), 20, "on the SIM before the firmware starts");
  const r = rig({ clock, network, modem });
  const at: number[] = [];
  r.api.events.on("smsReceived", () => at.push(clock.now()));
  await r.run(20000);
  t.is(r.api.snapshot().modem, "ready");
  t.is(at.length, 20, r.printed.join("\n"));
  // The inbox a page at a time (the whole of it does not fit the device's heap): each once, in order.
  const texts: string[] = [];
  let from: number | null = 0;
  let pages = 0;
  while (from !== null && pages++ < 10) {
    const page = await r.api.inbox(from ? { from } : undefined);
    if (!page.ok) return t.fail(page.message);
    t.is(page.total, 20);
    t.true(page.messages.length <= INBOX_PAGE);
    for (const m of page.messages) texts.push(m.text);
    from = page.next;
  }
  t.is(pages, Math.ceil(20 / INBOX_PAGE));
  t.deepEqual(
    texts,
    Array.from({ length: 20 }, (_, i) => "message " + i + " " + "x".repeat(100)),
  );
  const big = await r.api.inbox({ from: 0, count: 100 });
  t.true(big.ok && big.messages.length === INBOX_PAGE && big.next !== null, "a larger count is held to a page");
  const bad = await r.api.inbox({ count: 0 });
  t.true(!bad.ok && bad.reason === "badPage");
  t.is(modem.store.mem("SM")!.used() + modem.store.mem("ME")!.used(), 0, "the SIM is empty");
  t.is(r.cmds().filter((c) => c.indexOf("AT+CMGD=") === 0).length, 20);
  // As the listing arrives: the first message is reported well before the last one's line came.
  t.true(at[19] - at[0] >= 50, `reported over ${at[19] - at[0]} ms of the listing`);
  // Deleted one at a time, after the listing: a CMGD is written only once the one before it answered.
  const list = r.written.find((w) => w.cmd === "AT+CMGL=4")!;
  const dels = r.written.filter((w) => w.cmd.indexOf("AT+CMGD=") === 0);
  t.true(dels[0].at >= at[19] && dels[0].at > list.at, `listed at ${list.at - at[0]}, reported ${at[0] - at[0]}..${at[19] - at[0]}, deleted from ${dels[0].at - at[0]}: ` + r.written.filter((w) => w.at >= list.at).slice(0, 4).map((w) => w.at - at[0] + " " + w.cmd).join("; "));
});

test("R75 a burst of 20 +CMTI (indications the modem buffered until AT+CNMI): read one at a time, each deleted before the next read, all reported once", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network });
  modem.powerOn();
  await clock.advance(1000);
  for (let i = 0; i < 20; i++) network.deliverSms({ from: CALLER, text: "burst " + i });
  await clock.advance(5000);
  const r = rig({ clock, network, modem });
  await r.run(20000);
  t.is(r.events.filter((e) => e.name === "smsReceived").length, 20, r.printed.join("\n"));
  t.is(modem.store.mem("SM")!.used() + modem.store.mem("ME")!.used(), 0, "the SIM is empty");
  // One read queued at a time (a queued command holds heap): each read's deletion is
  // written before the next read (bring-up's listing, running meanwhile, deletes too).
  const sms = r.cmds().filter((c) => /^AT\+CMG[RD]=/.test(c));
  const reads = sms.filter((c) => c.indexOf("AT+CMGR=") === 0);
  t.is(reads.length, 20, sms.join(" "));
  for (let k = 1; k < reads.length; k++) {
    const prev = sms.indexOf(reads[k - 1]);
    t.true(sms.indexOf("AT+CMGD=" + reads[k - 1].slice(8), prev) < sms.indexOf(reads[k]), sms.join(" "));
  }
});

for (const style of ["cause-text", "text", "location-cause"] as const) {
  test(`R86 R92 a ringing call taken elsewhere ends as answeredElsewhere, from AT+CEER in the ${style} form`, async (t) => {
    const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
    const network = new NetworkStub({ clock });
    const modem = new SimModem({ clock, network, ceerStyle: style });
    const r = rig({ clock, network, modem });
    await up(r);
    r.network.ringIn(CALLER);
    await r.run(2000);
    r.network.remoteHangup(undefined, 26, "Call completed elsewhere");
    await r.run(3000);
    const end = r.events.find((e) => e.name === "callEnded");
    t.is(end && end.data.end.reason, "answeredElsewhere", JSON.stringify(end && end.data.end));
    t.is(end && end.data.end.cause, style === "text" ? null : 26);
  });
}

test("R55 without a usable SIM the firmware says emergency calls are unavailable", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: { present: false } });
  const r = rig({ clock, network, modem });
  modem.powerOn();
  await r.run(30000);
  t.is(r.api.snapshot().modem, "simLocked");
  t.true(r.printed.some((l) => /emergency calls are unavailable/.test(l)), r.printed.join("\n"));
});

test("a modem reboot (RDY) during a call: the call ends as modem reset, one bring-up runs, the line works again", async (t) => {
  const r = rig();
  await up(r);
  r.network.ringIn(CALLER);
  await r.run(2000);
  await settle(r, r.api.answer(), 2000);
  const mark = r.written.length;
  r.modem.reboot();
  await r.run(5000);
  t.is(r.api.snapshot().modem, "ready");
  t.is(r.written.slice(mark).filter((w) => w.cmd === "ATE0").length, 1, "one bring-up");
  t.deepEqual(r.api.snapshot().calls, []);
  t.is(r.events.find((e) => e.name === "callEnded")!.data.end.reason, "modemReset");
  r.network.ringIn(CALLER);
  await r.run(2000);
  t.is(r.api.snapshot().calls[0].status, "incoming");
});

test("a silent modem for 10 minutes: one bring-up at a time, its power-key pulses no closer than the designed backoff", async (t) => {
  const r = rig();
  r.modem.hang();
  await r.run(600000);
  // One run: ten `AT` tries (1 s limit each, 500 ms apart), the pulse, the boot time, again.
  // Runs that multiplied (a `~hang` outside "ready" starting another) pulsed ever faster.
  t.true(r.pulses.length >= 10, "pulses: " + r.pulses.length);
  for (let i = 1; i < r.pulses.length; i++) {
    t.true(r.pulses[i] - r.pulses[i - 1] >= BG96_BOOT_MS + 10 * 1000, "pulse " + i + " only " + (r.pulses[i] - r.pulses[i - 1]) + " ms after the last");
    const ats = r.written.filter((w) => w.cmd === "AT" && w.at > r.pulses[i - 1] && w.at <= r.pulses[i]).length;
    t.is(ats, 10, "AT tries between pulses " + i + " and " + (i + 1));
  }
  t.is(r.events.filter((e) => e.name === "ready").length, 0);
});

test("a slow SMS read (12 s, over its 10 s limit) during a call: the call goes on, no callEnded, no second bring-up", async (t) => {
  const r = rig();
  await up(r);
  r.network.ringIn(CALLER);
  await r.run(2000);
  await settle(r, r.api.answer(), 2000);
  t.is(r.api.snapshot().calls[0].status, "active");
  const mark = r.written.length;
  r.modem.stallNext("+CMGR", 12000);
  r.network.deliverSms({ from: "+819011112222", text: "hello" });
  await r.run(30000);
  t.true(r.written.slice(mark).some((w) => w.cmd.indexOf("AT+CMGR=") === 0), "the read was sent");
  t.false(r.events.some((e) => e.name === "callEnded"), "no call ended");
  t.is(r.written.slice(mark).filter((w) => w.cmd === "ATE0").length, 0, "no bring-up");
  t.is(r.events.filter((e) => e.name === "ready").length, 1);
  t.is(r.api.snapshot().calls[0].status, "active");
  t.is(r.network.liveCalls().length, 1);
});

test("R45 an SMS whose read was cut short by an emergency dial is read again soon after, not at the next bring-up; the SIM is emptied", async (t) => {
  const r = rig();
  await up(r);
  r.modem.stallNext("+CMGR", 2000);
  r.network.deliverSms({ from: CALLER, text: "read me later" });
  await r.run(100);
  void r.api.dial("110");
  await r.run(3000);
  r.network.remoteAnswer();
  await r.run(10000);
  void r.api.hangup();
  await r.run(60000);
  const got = r.events.filter((e) => e.name === "smsReceived");
  t.is(got.length, 1, r.printed.join("\n"));
  t.is(got[0].data.text, "read me later");
  t.is(r.modem.store.mem("SM")!.used() + r.modem.store.mem("ME")!.used(), 0, "deleted from the SIM");
  t.true(r.cmds().filter((c) => c === "AT+CMGL=4").length >= 2, "listed again after the cut read");
});

test("R75 a message whose deletion from the SIM fails is deleted again at the next sweep, and still reported once", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 11, 7, 9, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, unsupported: ["+CMGD"] });
  const r = rig({ clock, network, modem });
  await up(r);
  r.network.deliverSms({ from: CALLER, text: "delete me twice" });
  await r.run(70000);
  t.is(r.events.filter((e) => e.name === "smsReceived").length, 1, "reported once");
  t.true(r.cmds().filter((c) => c.indexOf("AT+CMGD=") === 0).length >= 2, "the deletion was tried again: " + r.cmds().filter((c) => /CMG[DL]/.test(c)).join(" "));
});

test.after("every emergency phase the RAK firmware emitted in these tests is one the shared ApiEvents type names", (t) => {
  const emitted = [...emittedPhases].sort();
  t.deepEqual(
    emitted.filter((p) => !(p in TYPED_PHASES)),
    [],
    "emitted: " + emitted.join(", "),
  );
  // The tests above reach the RAK-only phases: without them this check would prove nothing.
  for (const p of ["requested", "waiting", "failed"]) t.true(emittedPhases.has(p), p + " emitted: " + emitted.join(", "));
});
