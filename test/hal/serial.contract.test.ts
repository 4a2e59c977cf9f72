/**
 * The Serial contract, run against every implementation: the in-memory pair, TCP
 * (openNodeSerial("tcp://...") against a local server), a real pseudo-terminal
 * (openNodeSerial(<pts>) through serialport against the pty master) and the Espruino
 * UART wrapper over a fake UART.
 */
import test from "ava";
import net from "node:net";
import type { Serial } from "../../hal/types.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { openNodeSerial, socketSerial } from "../../hal/node/serial.js";
import { openPty } from "../../hal/node/pty.js";
import { EspruinoSerial } from "../../hal/espruino/serial.js";
import { allBytes, closed, record, tick, within } from "./helpers.js";

interface Pair {
  a: Serial;
  b: Serial;
  /** Whether one end learns that the other closed (a UART cannot). */
  peerSeesClose: boolean;
  cleanup(): Promise<void>;
}

/** Registers the contract tests for one implementation. */
function serialContract(name: string, makePair: () => Promise<Pair>): void {
  const both = async (run: (p: Pair) => Promise<void>) => {
    const p = await makePair();
    try {
      await run(p);
    } finally {
      await p.cleanup();
    }
  };

  test(`${name}: every byte 0x00..0xFF crosses unchanged, both ways`, (t) =>
    both(async ({ a, b }) => {
      const bytes = allBytes();
      const reversed = bytes.split("").reverse().join("");
      const atB = record(b);
      const atA = record(a);
      await a.write(bytes + reversed);
      await b.write(reversed + bytes);
      t.is(await atB.atLeast(512), bytes + reversed);
      t.is(await atA.atLeast(512), reversed + bytes);
      for (const c of atB.chunks.concat(atA.chunks)) {
        t.true(c.length > 0);
        for (let i = 0; i < c.length; i++) t.true(c.charCodeAt(i) <= 0xff);
      }
    }));

  test(`${name}: many small writes arrive in order, split anywhere`, (t) =>
    both(async ({ a, b }) => {
      const atB = record(b);
      const parts: string[] = [];
      for (let i = 0; i < 300; i++) parts.push(`AT+X=${i}\r` + String.fromCharCode(i & 0xff));
      await Promise.all(parts.map((p) => a.write(p)));
      const all = parts.join("");
      t.is(await atB.atLeast(all.length), all);
      t.is(atB.chunks.join(""), all);
    }));

  test(`${name}: 64 KiB both ways at once`, (t) =>
    both(async ({ a, b }) => {
      let big = "";
      for (let i = 0; i < 65536; i++) big += String.fromCharCode((i * 7 + (i >> 8)) & 0xff);
      const atA = record(a);
      const atB = record(b);
      await Promise.all([a.write(big), b.write(big)]);
      t.is(await atB.atLeast(big.length, 20000), big);
      t.is(await atA.atLeast(big.length, 20000), big);
    }));

  test(`${name}: a char above 0xFF is rejected and nothing of that write is sent`, (t) =>
    both(async ({ a, b }) => {
      const atB = record(b);
      const err = await t.throwsAsync(a.write("AT\u0100\r"));
      t.regex(err!.message, /not a byte string/);
      await t.throwsAsync(a.write("\u3042"));
      await t.throwsAsync(a.write("ok\uD83D\uDE00"));
      await a.write("OK");
      t.is(await atB.atLeast(2), "OK");
    }));

  test(`${name}: an unsubscribed handler hears nothing more`, (t) =>
    both(async ({ a, b }) => {
      const heard: string[] = [];
      const stop = b.onData((c) => heard.push(c));
      const atB = record(b);
      await a.write("one");
      await atB.atLeast(3);
      stop();
      stop();
      await a.write("two");
      await atB.atLeast(6);
      t.is(heard.join(""), "one");
    }));

  test(`${name}: close() is told once, resolves, and later writes reject`, (t) =>
    both(async ({ a, b, peerSeesClose }) => {
      const reasons: string[] = [];
      a.onClose((r) => reasons.push(r));
      const peerClosed = peerSeesClose ? closed(b) : undefined;
      await a.close();
      await a.close();
      t.deepEqual(reasons, ["closed"]);
      const err = await t.throwsAsync(a.write("AT\r"));
      t.regex(err!.message, /closed/);
      if (peerClosed) {
        t.true((await peerClosed).length > 0);
        await t.throwsAsync(b.write("AT\r"));
      }
    }));

  test(`${name}: the other end closing is noticed`, async (t) => {
    const p = await makePair();
    try {
      if (!p.peerSeesClose) {
        t.pass("a UART cannot see its peer go; covered by close() above");
        return;
      }
      const atA = closed(p.a);
      await p.b.close();
      t.true((await atA).length > 0);
      await t.throwsAsync(p.a.write("x"));
    } finally {
      await p.cleanup();
    }
  });
}

// --- implementations ---------------------------------------------------------------

serialContract("memory pair", async () => {
  const [a, b] = memorySerialPair();
  return { a, b, peerSeesClose: true, cleanup: async () => undefined };
});

serialContract("memory pair, 1- and 3-byte chunks", async () => {
  const [a, b] = memorySerialPair({ chunkSize: 1 }, { chunkSize: 3 });
  return { a, b, peerSeesClose: true, cleanup: async () => undefined };
});

serialContract("tcp", async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const a = await openNodeSerial(`tcp://127.0.0.1:${port}`);
  const b = socketSerial(await within(accepted, 5000, "accept"));
  return {
    a,
    b,
    peerSeesClose: true,
    cleanup: async () => {
      await Promise.all([a.close(), b.close()]);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});

serialContract("pseudo-terminal via serialport", async () => {
  const pty = await openPty();
  const a = await openNodeSerial(pty.path, { baud: 115200 });
  // From now on the master notices when serialport closes the slave.
  pty.releaseSlave();
  return {
    a,
    b: pty.serial,
    peerSeesClose: true,
    cleanup: async () => {
      await a.close();
      await pty.serial.close();
    },
  };
});

/** A fake Espruino UART: what one writes, its peer's handlers get later in odd-sized chunks. */
class FakeUart implements EspruinoUart {
  peer: FakeUart | undefined = undefined;
  handlers: ((d: string) => void)[] = [];
  setups: { baud: number; opts: EspruinoSerialSetup | undefined }[] = [];
  unsetups = 0;
  private n = 0;

  setup(baud: number, opts?: EspruinoSerialSetup): void {
    this.setups.push({ baud, opts });
  }
  on(_event: "data", handler: (data: string) => void): void {
    this.handlers.push(handler);
  }
  removeListener(_event: "data", handler: (data: string) => void): void {
    this.handlers = this.handlers.filter((h) => h !== handler);
  }
  write(data: string): void {
    const peer = this.peer;
    if (!peer) return;
    for (let i = 0; i < data.length; ) {
      const size = 1 + (this.n++ % 7);
      const chunk = data.substr(i, size);
      i += size;
      setImmediate(() => {
        for (const h of peer.handlers.slice()) h(chunk);
      });
    }
  }
  unsetup(): void {
    this.unsetups++;
  }
}

serialContract("espruino UART (fake Serial1)", async () => {
  const ua = new FakeUart();
  const ub = new FakeUart();
  ua.peer = ub;
  ub.peer = ua;
  const a = new EspruinoSerial(ua, { baud: 115200, rx: "D29", tx: "D28" });
  const b = new EspruinoSerial(ub, { baud: 115200 });
  return { a, b, peerSeesClose: false, cleanup: async () => Promise.all([a.close(), b.close()]).then(() => undefined) };
});

test("espruino UART: setup gets the baud rate and pins; close releases the listener and the UART", async (t) => {
  const u = new FakeUart();
  const s = new EspruinoSerial(u, { baud: 921600, rx: "D29", tx: "D28", cts: "D5" });
  t.deepEqual(u.setups, [{ baud: 921600, opts: { rx: "D29", tx: "D28", cts: "D5" } }]);
  t.is(u.handlers.length, 1);
  await s.close();
  t.is(u.handlers.length, 0);
  t.is(u.unsetups, 1);
  t.throws(() => new EspruinoSerial(new FakeUart(), { baud: 0 }), { message: /baud/ });
  t.throws(() => new EspruinoSerial(new FakeUart(), { baud: 9600.5 }), { message: /baud/ });
});

test("espruino UART: data after close is not delivered", async (t) => {
  const u = new FakeUart();
  const s = new EspruinoSerial(u, { baud: 9600 });
  const heard: string[] = [];
  s.onData((c) => heard.push(c));
  const handler = u.handlers[0];
  handler("a");
  await s.close();
  handler("b");
  await tick();
  t.deepEqual(heard, ["a"]);
});

test("espruino UART: writeNow hands the bytes over at once, and returns the error of a closed link or a non-byte string", async (t) => {
  const u = new FakeUart();
  const written: string[] = [];
  u.write = (d: string) => void written.push(d);
  const s = new EspruinoSerial(u, { baud: 115200 });
  t.is(s.writeNow("AT\r"), undefined);
  t.deepEqual(written, ["AT\r"], "written synchronously");
  t.regex(String(s.writeNow("\u3042")), /not a byte string/);
  await s.close();
  t.regex(String(s.writeNow("AT\r")), /closed/);
  t.deepEqual(written, ["AT\r"]);
});
