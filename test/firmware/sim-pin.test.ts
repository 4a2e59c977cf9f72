/**
 * The SIM PIN (issue 10 §3): the firmware enters a configured PIN once when the SIM asks,
 * never a second time after the SIM refused it (three refusals block the SIM), tells the
 * tries left (+CPINR), and takes a PIN (or the PUK and a new PIN) from the user.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware } from "../../firmware/main.js";
import type { SimLock } from "../../firmware/modem/pin.js";
import { SimModem, type SimCard } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import boardsJson from "../../boards.json" with { type: "json" };

function rig(card: SimCard, pin?: string) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, sim: card });
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  modem.powerOn();
  const fw = createFirmware({ serial: dte, clock, pins: new MemoryPins(clock), storage: undefined }, pickBoard(loadBoards(boardsJson), "sim-generic"));
  const cpins: string[] = [];
  fw.channel.events.on("tx", (b) => {
    if (b.startsWith("AT+CPIN=")) cpins.push(b.trim());
  });
  const locks: SimLock[] = [];
  fw.modem.events.on("simLock", (l) => locks.push(l));
  if (pin !== undefined) fw.modem.configurePin(pin);
  fw.start();
  return { clock, modem, fw, cpins, locks, run: (ms = 3000) => clock.advance(ms) };
}

test("the configured PIN is entered once when the SIM asks, and the modem comes up at once", async (t) => {
  const r = rig({ pin: "2468" }, "2468");
  await r.run();
  t.deepEqual(r.cpins, ['AT+CPIN="2468"']);
  t.is(r.fw.modem.status().state.name, "ready");
  t.is(r.modem.simState, "READY");
  t.is(r.fw.modem.simLock().state, "READY");
});

test("a wrong configured PIN is sent once and never again: the SIM keeps two tries, the user is told", async (t) => {
  const r = rig({ pin: "2468" }, "1111");
  await r.run();
  // Many slow retries later (simLockedRetryMs is a minute), still one try used.
  await r.run(10 * 60000);
  t.deepEqual(r.cpins, ['AT+CPIN="1111"']);
  t.is(r.modem.pinTries, 2);
  t.is(r.fw.modem.status().state.name, "simLocked");
  const last = r.locks[r.locks.length - 1];
  t.like(last, { state: "SIM PIN", triesLeft: 2 });
  t.regex(last.refused, /refused the PIN \(2 tries left\)/);
});

test("without a configured PIN the firmware waits and reports the tries left (+CPINR); the user's PIN unlocks it", async (t) => {
  const r = rig({ pin: "2468", pinTries: 2 });
  await r.run();
  t.deepEqual(r.cpins, []);
  t.is(r.fw.modem.status().state.name, "simLocked");
  t.like(r.fw.modem.simLock(), { state: "SIM PIN", triesLeft: 2, refused: "" });
  const wrong = r.fw.modem.enterPin("0000");
  await r.run(500);
  t.like(await wrong, { ok: false, triesLeft: 1 });
  t.is(r.fw.modem.status().state.name, "simLocked");
  const right = r.fw.modem.enterPin("2468");
  await r.run(3000);
  t.like(await right, { ok: true, message: "PIN accepted" });
  t.is(r.fw.modem.status().state.name, "ready");
  t.deepEqual(r.cpins, ['AT+CPIN="0000"', 'AT+CPIN="2468"']);
});

test("a blocked SIM asks for the PUK: the user gives the PUK and a new PIN", async (t) => {
  const r = rig({ pin: "2468", puk: "87654321", pinTries: 0 }, "2468");
  await r.run();
  // The configured PIN is not sent to a SIM that wants its PUK.
  t.deepEqual(r.cpins, []);
  t.like(r.fw.modem.simLock(), { state: "SIM PUK", triesLeft: 10 });
  t.like(await r.fw.modem.enterPin("87654321"), { ok: false, message: "the SIM is blocked: enter the PUK and a new PIN" });
  const p = r.fw.modem.enterPin("87654321", "1357");
  await r.run(3000);
  t.like(await p, { ok: true });
  t.is(r.modem.simCard().pin, "1357");
  t.is(r.fw.modem.status().state.name, "ready");
});

test("bad codes are refused before anything is sent, and a ready SIM takes no PIN", async (t) => {
  const locked = rig({ pin: "2468" });
  await locked.run();
  t.like(await locked.fw.modem.enterPin('12"4'), { ok: false, message: "the PIN must be 4 to 8 digits" });
  t.like(await locked.fw.modem.enterPin("123"), { ok: false });
  t.deepEqual(locked.cpins, []);
  const ready = rig({});
  await ready.run();
  t.like(await ready.fw.modem.enterPin("1234"), { ok: false, message: "the SIM does not ask for a PIN (READY)" });
  t.deepEqual(ready.cpins, []);
});

test("the simulated SIM keeps its counters across reboots: a reboot never gives a wrong PIN new tries", async (t) => {
  const r = rig({ pin: "2468" }, "1111");
  await r.run();
  r.modem.reboot();
  t.is(r.modem.pinTries, 2);
  r.modem.pinTries = 0;
  r.modem.reboot();
  t.is(r.modem.simState, "SIM PUK");
});

for (const busyAnswer of ["not-ready", "busy"] as const) {
  test(`a SIM still starting after power-on (${busyAnswer === "busy" ? "+CME ERROR: 14" : "+CPIN: NOT READY"} for 3 s) is asked again: ready within seconds, never simLocked for it`, async (t) => {
    const r = rig({ startMs: 3000, busyAnswer });
    const states: string[] = [];
    r.fw.modem.events.on("state", (s) => states.push(s.name));
    await r.run(8000);
    t.is(r.fw.modem.status().state.name, "ready", states.join(" "));
    t.false(states.includes("simLocked"), states.join(" "));
  });
}
