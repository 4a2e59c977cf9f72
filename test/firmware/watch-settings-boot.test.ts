/**
 * The watch booting from a settings file edited by hand after `npm run flash` checked it
 * (hal/espruino/settings.ts checks only the broker's scheme): a link or data setting the
 * firmware refuses is refused before any part is built, so the watch's boot code
 * (firmware/watch-firmware.ts) says so in one line and boots without what was refused,
 * with calls (emergency calls too) and SMS working; nothing of the refused attempt is left
 * subscribed to the serial line or waiting on the clock. A refused APN takes the link
 * with it; a refused link takes only itself when there is an apn setting (the data
 * session comes up on it), and the session too when there is none.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import type { Clock, Serial } from "../../hal/types.js";
import { BoardError, loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware, createFirmwareWith, type FirmwareOptions } from "../../firmware/main.js";
import { moduleMqttComposer } from "../../firmware/compose-module.js";
import { watchFirmware } from "../../firmware/watch-firmware.js";
import { readSettings, type DeviceSettings } from "../../hal/espruino/settings.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import boardsJson from "../../boards.json" with { type: "json" };

const BOARD = "watch-bangle2-bg95";
const board = pickBoard(loadBoards(boardsJson), BOARD);
const LINK = { mqtt: "mqtt://127.0.0.1:1883", msisdn: "+819012345678", device: "w4tch001", password: "pw" };
const CALLER = "+819011112222";

/** Hand-edited settings that settingsProblems lets through and the firmware refuses, with what the refusal names. */
const REFUSED: [string, DeviceSettings, RegExp][] = [
  ["a broker without a host", Object.assign({}, LINK, { mqtt: "mqtt://" }), /not "mqtt:\/\/" \(host\)/],
  ["a host with a space", Object.assign({}, LINK, { mqtt: "mqtt://bad host" }), /not "mqtt:\/\/bad host" \(host\)/],
  ["a port over 65535", Object.assign({}, LINK, { mqtt: "mqtt://h:99999" }), /port/],
  ["mqtts on the BG95's own MQTT stack", Object.assign({}, LINK, { mqtt: "mqtts://broker.example" }), /mqtts .*not supported on Quectel/],
  ["a number that cannot be a topic level", Object.assign({}, LINK, { msisdn: "+81" }), /number "81" cannot be a topic level/],
  ["a device id that cannot be a topic level", Object.assign({}, LINK, { device: "a/b" }), /device id "a\/b" cannot be a topic level/],
  ["a bad APN", { apn: "bad..apn" }, /APN "bad\.\.apn": an APN has no empty label/],
  ["a bad APN with the link", Object.assign({ apn: "a b" }, LINK), /APN "a b"/],
];

/** The watch's serial line and clock, counting what subscribes to them. */
function countingHal(clock: VirtualClock, serial: Serial) {
  const counts = { onData: 0, timers: 0 };
  const s: Serial = Object.create(serial) as Serial;
  s.onData = function (h) {
    counts.onData++;
    return serial.onData(h);
  };
  const c: Clock = {
    now: () => clock.now(),
    setTimeout: function (fn, ms) {
      counts.timers++;
      return clock.setTimeout(fn, ms);
    },
    clearTimeout: (h) => clock.clearTimeout(h),
  };
  return { counts, hal: { serial: s, clock: c, pins: new MemoryPins(clock), storage: undefined } };
}

/** The watch firmware booted with `settings` on a simulated BG95 and network, its console lines kept. */
function bootOnSimModem(settings: DeviceSettings) {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network, identity: { manufacturer: "Quectel", model: "BG95-M3" } });
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  modem.powerOn();
  const { counts, hal } = countingHal(clock, dte);
  const printed: string[] = [];
  const fw = watchFirmware(hal, board, settings, (l) => printed.push(l));
  return { clock, network, modem, counts, printed, fw };
}

function optionsOf(s: DeviceSettings): FirmwareOptions {
  const o: FirmwareOptions = { data: {} };
  if (s.apn !== undefined) o.apn = s.apn;
  if (s.mqtt !== undefined) o.companion = { url: s.mqtt, msisdn: s.msisdn!, deviceId: s.device!, password: s.password! };
  return o;
}

test("hand-edited link settings the settings reader lets through: the firmware refuses each before it subscribes to the serial line or the clock", (t) => {
  for (const [what, settings, named] of REFUSED) {
    const problems: string[] = [];
    t.deepEqual(readSettings(() => JSON.stringify(settings), (p) => problems.push(p)), settings, what + ": the reader lets it through");
    t.deepEqual(problems, [], what);
    for (const build of ["watch", "createFirmware"]) {
      const clock = new VirtualClock(0);
      const { counts, hal } = countingHal(clock, memorySerialPair()[0]);
      const e = t.throws(() => (build === "watch" ? createFirmwareWith(hal, board, optionsOf(settings), moduleMqttComposer) : createFirmware(hal, board, optionsOf(settings))), undefined, what);
      t.true(BoardError.is(e), what + " (" + build + "): " + String(e));
      t.regex(e!.message, named, what + " (" + build + ")");
      t.deepEqual(counts, { onData: 0, timers: 0 }, what + " (" + build + "): nothing subscribed before the refusal");
    }
  }
});

test("the watch boots from hand-edited link settings the firmware refuses: one console line, no data or link, one reader of its UART, and calls (emergency too) work", async (t) => {
  for (const [what, settings, named] of REFUSED) {
    const { clock, network, counts, printed, fw } = bootOnSimModem(settings);
    t.is(printed.length, 1, what + ": " + printed.join(" | "));
    // A refused APN takes the link with it; a refused link without an apn setting takes the session it was on for.
    t.regex(printed[0], settings.apn === undefined ? /^sharedline\.json: .*; the companion link is off, and so is the data session \(no apn setting\)$/ : /^sharedline\.json: .*; the data session and the companion link are off$/, what);
    t.regex(printed[0], named, what);
    t.is(fw.data, undefined, what);
    t.is(fw.companion, undefined, what);
    t.is(counts.onData, 1, what + ": one subscription to the UART");
    fw.start();
    await clock.advance(3000);
    t.is(fw.modem.status().state.name, "ready", what);
    network.ringIn(CALLER);
    await clock.advance(500);
    const answer = fw.api.answer();
    await clock.advance(500);
    t.true((await answer).ok, what + ": an incoming call is answered");
    const hangup = fw.api.hangup();
    await clock.advance(500);
    t.true((await hangup).ok, what);
    const dial = fw.api.dial("110");
    await clock.advance(500);
    t.true((await dial).ok, what + ": an emergency call is placed");
    t.true(
      network.calls.some((c) => c.number === "110" && c.emergency),
      what + ": the network saw the emergency call",
    );
    await fw.stop();
  }
});

test("a link setting the firmware refuses turns off the link alone: with a good APN the data session runs (one reader of the UART), and the line says what is off and why", async (t) => {
  const linkRefusals = REFUSED.filter(([, s]) => s.apn === undefined && s.mqtt !== undefined);
  t.is(linkRefusals.length, 6);
  for (const [what, refused, named] of linkRefusals) {
    const settings = Object.assign({ apn: "internet" }, refused);
    const { clock, modem, counts, printed, fw } = bootOnSimModem(settings);
    t.is(printed.length, 1, what + ": " + printed.join(" | "));
    t.regex(printed[0], /^sharedline\.json: .*; the companion link is off, the data session runs$/, what);
    t.regex(printed[0], named, what);
    t.truthy(fw.data, what + ": the data session is built");
    t.is(fw.companion, undefined, what);
    t.is(counts.onData, 1, what + ": one subscription to the UART");
    fw.start();
    await clock.advance(10000);
    t.is(fw.modem.status().state.name, "ready", what);
    t.is(fw.data!.session.status().name, "up", what + ": the data session comes up");
    t.is(modem.data.get(1)?.apn, "internet", what + ": on the settings' APN");
    await fw.stop();
  }
  // Without an apn setting the data session was on for the link only: it goes with it, and the line says so.
  for (const [what, refused, named] of linkRefusals) {
    const printed: string[] = [];
    const fw = watchFirmware(countingHal(new VirtualClock(0), memorySerialPair()[0]).hal, board, refused, (l) => printed.push(l));
    t.is(printed.length, 1, what);
    t.regex(printed[0], /^sharedline\.json: .*; the companion link is off, and so is the data session \(no apn setting\)$/, what);
    t.regex(printed[0], named, what);
    t.is(fw.data, undefined, what);
    t.is(fw.companion, undefined, what);
  }
});

test("the watch with good link settings still builds data and the link, and says nothing about them", (t) => {
  const clock = new VirtualClock(0);
  const { hal } = countingHal(clock, memorySerialPair()[0]);
  const printed: string[] = [];
  const fw = watchFirmware(hal, board, Object.assign({ apn: "internet" }, LINK), (l) => printed.push(l));
  t.deepEqual(printed, []);
  t.truthy(fw.data);
  t.truthy(fw.companion);
  const none = watchFirmware(countingHal(clock, memorySerialPair()[0]).hal, board, {}, (l) => printed.push(l));
  t.is(none.data, undefined, "no APN and no broker: no data session");
  t.deepEqual(printed, []);
});
