/**
 * 64 KB each way through a modem socket: the firmware's `ModemSocket` on the simulated
 * Quectel EG91 (`AT+QISENDEX` / `AT+QIRD` in hex) and SIMCom A7670 (`AT+CIPSEND` raw /
 * `AT+CIPRXGET=3` hex), to a real TCP peer on 127.0.0.1 that answers with 64 KB of its
 * own (every byte value, CR and LF included). Every read asks for the dialect's maximum,
 * and no answer line may exceed the AT channel's line limit (a `+QIRD` of 1500 bytes in
 * hex is 3000 characters: dropped as an overflow, the bytes lost).
 */
import test, { type ExecutionContext } from "ava";
import net from "node:net";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { systemClock } from "../../hal/node/clock.js";
import { Emitter } from "../../hal/emitter.js";
import { AtChannel } from "../../drivers/at/index.js";
import type { ModemProfile, Registration } from "../../drivers/modems/index.js";
import { quectelEg91 } from "../../drivers/modems/quectel.js";
import { simcomA7670 } from "../../drivers/modems/simcom.js";
import { socketDialectFor } from "../../drivers/modems/socket-dialects.js";
import type { ModemState } from "../../firmware/modem/machine.js";
import { createDataStack } from "../../firmware/data/index.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { until } from "./helpers.js";

const SIZE = 65536;

/** `SIZE` bytes cycling through every byte value, offset by `seed` so the two directions differ. */
function pattern(seed: number): string {
  let s = "";
  for (let i = 0; i < SIZE; i++) s += String.fromCharCode((i * 7 + seed) & 0xff);
  return s;
}

interface Case {
  title: string;
  profileName: string;
  profile: ModemProfile;
  identity: { manufacturer: string; model: string; revision: string };
  banner: string[] | undefined;
  /** A read command and its data answer's header, giving the announced length. */
  readCmd: RegExp;
  answer: RegExp;
}

const cases: Case[] = [
  {
    title: "Quectel EG91 (AT+QISENDEX, AT+QIRD in hex)",
    profileName: "quectel-eg91",
    profile: quectelEg91,
    identity: { manufacturer: "Quectel", model: "EG91", revision: "EG91EFBR06A07M4G" },
    banner: undefined,
    readCmd: /^AT\+QIRD=\d+,(\d+)\r$/,
    answer: /^\+QIRD: (\d+)$/,
  },
  {
    title: "SIMCom A7670 (AT+CIPSEND, AT+CIPRXGET=3)",
    profileName: "simcom-a7670",
    profile: simcomA7670,
    identity: { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE", revision: "A7670M7_V1.11.1" },
    banner: ["*ATREADY: 1"],
    readCmd: /^AT\+CIPRXGET=3,\d+,(\d+)\r$/,
    answer: /^\+CIPRXGET: 3,\d+,(\d+),\d+$/,
  },
];

async function run(t: ExecutionContext, c: Case): Promise<void> {
  const up = pattern(1);
  const down = pattern(100);
  let received = "";
  const server = net.createServer((s) => {
    s.on("data", (d) => {
      received += d.toString("latin1");
      // The whole upload is in: answer with our own 64 KB.
      if (received.length === SIZE) s.write(Buffer.from(down, "latin1"));
    });
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as net.AddressInfo).port;

  const clock = new VirtualClock();
  const modem = new SimModem({ clock, network: new NetworkStub({ clock }), identity: c.identity, bootBanner: c.banner });
  const [host, line] = memorySerialPair();
  modem.connect(line);
  modem.powerOn(false);
  const pump = setInterval(() => void clock.advance(20), 5);
  const channel = new AtChannel(host, systemClock, { finals: c.profile.finals, banners: c.profile.banners });
  const overflows: number[] = [];
  channel.events.on("overflow", (n) => overflows.push(n));
  const reads: number[] = [];
  const answers: number[] = [];
  const longest = { line: 0 };
  channel.events.on("tx", (b) => {
    const m = c.readCmd.exec(b);
    // (`AT+QIRD=<id>,0` is the unread-count poll, not a read.)
    if (m && Number(m[1]) > 0) reads.push(Number(m[1]));
  });
  channel.events.on("rx", (l) => {
    longest.line = Math.max(longest.line, l.length);
    const m = c.answer.exec(l);
    if (m && Number(m[1]) > 0) answers.push(Number(m[1]));
  });
  await channel.send("ATE0");
  await channel.send("AT+CMEE=1");
  const modemEvents = new Emitter<{ state: ModemState; registration: Registration }>();
  const stack = createDataStack(channel, systemClock, { events: modemEvents, resetModem: () => undefined }, c.profileName, { apn: "internet", context: 1, healthyAfterMs: 60000 }, { sockets: { pollAfterSendMs: 50, idlePollMs: 500 } });
  t.teardown(() => {
    stack.stop();
    channel.close();
    modem.reboot();
    clearInterval(pump);
    server.close();
  });
  const ready = new Promise<void>((r) => stack.events.on("up", () => r()));
  stack.session.start();
  modemEvents.emit("state", { name: "ready", failures: 0, resets: 0, reboots: 0, lastError: "" });
  modemEvents.emit("registration", { domain: "eps", stat: "home", area: undefined, cell: undefined, act: 7, n: undefined });
  await ready;

  const sock = stack.sockets!.open("127.0.0.1", port);
  let got = "";
  sock.events.on("data", (d) => (got += d));
  await new Promise<void>((r) => sock.events.on("open", () => r()));
  await sock.write(up);
  await until(() => received.length >= SIZE, "the peer has the 64 KB upload", 60000);
  await until(() => got.length >= SIZE, "the 64 KB answer read through the module", 60000);
  t.is(received.length, SIZE);
  t.true(received === up, "the upload arrived intact");
  t.is(got.length, SIZE);
  t.true(got === down, "the download arrived intact, CR, LF and NUL included");

  const max = socketDialectFor(c.profileName)!.maxRead;
  t.true(reads.length > 0);
  t.true(
    reads.every((n) => n === max),
    "every read asks for the maximum (" + max + ")",
  );
  t.true(
    answers.every((n) => n <= max),
    "no read returns more than asked",
  );
  t.true(
    answers.filter((n) => n === max).length >= SIZE / max / 2,
    "most reads come back full: " + answers.length + " reads, " + answers.filter((n) => n === max).length + " full",
  );
  t.deepEqual(overflows, [], "no line over the channel's limit");
  t.true(longest.line <= 1024, "longest line " + longest.line);
  sock.close();
}

for (const c of cases) test.serial("64 KB both ways through a " + c.title + " socket, every read at its maximum, no line over the limit", (t) => run(t, c));

test("no dialect's read can exceed the AT channel's line limit in hex", (t) => {
  for (const name of ["quectel-eg91", "quectel-bg95", "simcom-a7670"]) {
    const d = socketDialectFor(name)!;
    // Two hex characters a byte, on a line of at most 1024 (the channel's default maxLineLength).
    t.true(d.maxRead * 2 <= 1024, name + ": " + d.maxRead);
    t.throws(() => d.read(0, d.maxRead + 1), undefined, name + " refuses a longer read");
  }
});
