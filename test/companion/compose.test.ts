/**
 * The composition createFirmware does (firmware/compose.ts, firmware/companion/attach.ts):
 * the broker URL read without Node's URL (portable), the adapter chosen by the board's
 * `data.link`, and every way it cannot work refused before anything runs.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { loadBoards, pickBoard } from "../../firmware/board.js";
import { createFirmware, createFirmwareWithoutData } from "../../firmware/main.js";
import { brokerTarget } from "../../firmware/companion/attach.js";
import { nodeAdapters } from "../../firmware/companion/mqttjs.node.js";
import boardsJson from "../../boards.json" with { type: "json" };

test("a broker URL: scheme, host (a name, an address, [IPv6]), the default port of each scheme; nothing else", (t) => {
  t.deepEqual(brokerTarget("mqtt://broker.example"), { url: "mqtt://broker.example", host: "broker.example", port: 1883, tls: false });
  t.like(brokerTarget("mqtts://10.0.0.2"), { host: "10.0.0.2", port: 8883, tls: true });
  t.like(brokerTarget("mqtt://127.0.0.1:41000/"), { host: "127.0.0.1", port: 41000 });
  t.like(brokerTarget("mqtts://[2001:db8::1]:8884"), { host: "2001:db8::1", port: 8884, tls: true });
  for (const bad of ["http://x", "mqtt://", "mqtt://u:p@host", "mqtt://host/path", "mqtt://host:0", "mqtt://host:99999", "mqtt://ho st"]) {
    t.throws(() => brokerTarget(bad), { message: /companion link: / }, bad);
  }
});

function build(boardName: string, companion: Parameters<typeof createFirmware>[2]) {
  const clock = new VirtualClock(0);
  const [dte] = memorySerialPair();
  return createFirmware({ serial: dte, clock, pins: new MemoryPins(clock), storage: undefined }, pickBoard(loadBoards(boardsJson), boardName), companion);
}

const creds = { msisdn: "+819012345678", deviceId: "d7kq3m2x", password: "pw" };

test("each board gets the adapter its data.link names, and what cannot work is refused at once", (t) => {
  // The watch: the module's own MQTT client (portable, built in); Quectel's module TLS is not done, so mqtts is refused with or without a CA.
  const watch = build("watch-bangle2-bg95", { companion: { url: "mqtt://127.0.0.1:1883", ...creds } });
  t.truthy(watch.companion);
  t.truthy(watch.data && watch.data.sockets, "the watch's module has sockets too");
  t.throws(() => build("watch-bangle2-bg95", { companion: { url: "mqtts://127.0.0.1", ...creds } }), { message: /not supported on Quectel yet/ });
  t.throws(() => build("watch-bangle2-bg95", { companion: { url: "mqtts://127.0.0.1", ...creds, ca: "-----BEGIN CERTIFICATE-----" } }), { message: /not supported on Quectel yet/ });
  // The car: MQTT.js over a modem socket, handed in by the host; without it, said so.
  t.throws(() => build("car-linux-eg91", { companion: { url: "mqtt://127.0.0.1", ...creds } }), { message: /no MQTT client over modem sockets/ });
  t.truthy(build("car-linux-eg91", { companion: { url: "mqtts://127.0.0.1", ...creds, adapters: nodeAdapters() } }).companion);
  // A url board without a host client; a modem board without data.
  t.throws(() => build("sim-generic", { companion: { url: "mqtt://127.0.0.1", ...creds } }), { message: /no MQTT client for a broker URL/ });
  // The SIMCom bench board: MQTT.js over its AT+CIP* sockets, like the car.
  t.throws(() => build("bench-usb-a7670", { companion: { url: "mqtt://127.0.0.1", ...creds } }), { message: /no MQTT client over modem sockets/ });
  t.truthy(build("bench-usb-a7670", { companion: { url: "mqtt://127.0.0.1", ...creds, adapters: nodeAdapters() } }).companion);
  t.throws(() => build("car-linux-eg91", { data: false, companion: { url: "mqtt://127.0.0.1", ...creds, adapters: nodeAdapters() } }), { message: /rides on the data session/ });
  t.throws(() => build("car-linux-eg91", { companion: { url: "ftp://x", ...creds, adapters: nodeAdapters() } }), { message: /mqtt:\/\/host/ });
  // A socket board whose modem has no socket dialect: refused before the data stack is built.
  const car = pickBoard(loadBoards(boardsJson), "car-linux-eg91");
  const clock = new VirtualClock(0);
  const [dte] = memorySerialPair();
  let subscribed = 0;
  const serial = Object.assign(Object.create(dte) as typeof dte, {
    onData(h: (c: string) => void) {
      subscribed++;
      return dte.onData(h);
    },
  });
  const generic = { ...car, modem: "generic" };
  t.throws(() => createFirmware({ serial, clock, pins: new MemoryPins(clock), storage: undefined }, generic, { companion: { url: "mqtt://127.0.0.1", ...creds, adapters: nodeAdapters() } }), {
    message: /modem generic has no socket dialect/,
  });
  t.is(subscribed, 0, "nothing subscribed to the serial line before the refusal");
});

test("the firmware without the data session has neither part and refuses settings only they could use", (t) => {
  const clock = new VirtualClock(0);
  const [dte] = memorySerialPair();
  const board = pickBoard(loadBoards(boardsJson), "watch-bangle2-bg95");
  const hal = { serial: dte, clock, pins: new MemoryPins(clock), storage: undefined };
  const fw = createFirmwareWithoutData(hal, board);
  t.is(fw.data, undefined);
  t.is(fw.companion, undefined);
  t.throws(() => createFirmwareWithoutData(hal, board, { apn: "spmode.ne.jp" }), { message: /no data session/ });
  t.throws(() => createFirmwareWithoutData(hal, board, { companion: { url: "mqtt://127.0.0.1", ...creds } }), { message: /no companion link/ });
});
