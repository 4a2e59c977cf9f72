/** hal/node/serial.ts beyond the Serial contract: specs, open errors, links that go away. */
import test from "ava";
import fsSync from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { openNodeSerial, parseSerialSpec, SerialOpenError, socketSerial } from "../../hal/node/serial.js";
import { openPty } from "../../hal/node/pty.js";
import { readOrHangup } from "../../hal/node/hangup.js";
import type { UnixPort } from "../../hal/node/hangup.js";
import { NotByteStringError, SerialClosedError } from "../../hal/bytes.js";
import { closed, record, removeTmpDirs, tmpDir, within } from "./helpers.js";

test.after.always(removeTmpDirs);

test("specs: device paths and tcp://host:port (IPv6 in brackets)", (t) => {
  t.deepEqual(parseSerialSpec("/dev/ttyUSB2"), { kind: "device", path: "/dev/ttyUSB2" });
  t.deepEqual(parseSerialSpec("COM3"), { kind: "device", path: "COM3" });
  t.deepEqual(parseSerialSpec("tcp://127.0.0.1:7000"), { kind: "tcp", host: "127.0.0.1", port: 7000 });
  t.deepEqual(parseSerialSpec("TCP://modem.local:2000/"), { kind: "tcp", host: "modem.local", port: 2000 });
  t.deepEqual(parseSerialSpec("tcp://[::1]:7000"), { kind: "tcp", host: "::1", port: 7000 });
});

test("specs: bad ones are a SerialOpenError naming the problem", (t) => {
  for (const bad of ["", "tcp://host", "tcp://:7000", "tcp://h:0", "tcp://h:70000", "tcp://h:7000/x", "rfc2217://h:7000", "tcp://h:7000?baud=9600"]) {
    const e = t.throws(() => parseSerialSpec(bad), undefined, bad);
    t.true(SerialOpenError.is(e), bad);
  }
});

test("a refused TCP connection rejects clearly", async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const e = await t.throwsAsync(openNodeSerial(`tcp://127.0.0.1:${port}`));
  t.true(SerialOpenError.is(e));
  t.regex(e!.message, /cannot connect to tcp:\/\/127\.0\.0\.1:\d+: connection refused/);
});

test("a missing device rejects clearly", async (t) => {
  const e = await t.throwsAsync(openNodeSerial("/dev/ttyUSB-does-not-exist"));
  t.true(SerialOpenError.is(e));
  t.regex(e!.message, /cannot open \/dev\/ttyUSB-does-not-exist: no such device/);
});

test("a plain file is not a serial device", async (t) => {
  const dir = await tmpDir("serial");
  const file = path.join(dir, "not-a-tty");
  await fs.writeFile(file, "x");
  const e = await t.throwsAsync(openNodeSerial(file));
  t.true(SerialOpenError.is(e));
  t.regex(e!.message, /cannot open .*not-a-tty: not a serial device/);
});

test("bad baud rate or flow control is refused before opening", async (t) => {
  for (const baud of [0, -9600, 9600.5, NaN]) {
    const e = await t.throwsAsync(openNodeSerial("/dev/null", { baud }));
    t.regex(e!.message, /bad baud rate/);
  }
  const e = await t.throwsAsync(openNodeSerial("/dev/null", { flow: "xon" as "none" }));
  t.regex(e!.message, /bad flow control/);
});

test("any baud rate (12345) and RTS/CTS open on a pty; bytes cross", async (t) => {
  const pty = await openPty();
  try {
    const s = await openNodeSerial(pty.path, { baud: 12345, flow: "rtscts" });
    const got = record(pty.serial);
    await s.write("AT\r\x00\xff");
    t.is(await got.atLeast(5), "AT\r\x00\xff");
    await s.close();
  } finally {
    await pty.serial.close();
  }
});

test("a device that disappears is reported through onClose, and writes then reject", async (t) => {
  const pty = await openPty();
  const s = await openNodeSerial(pty.path);
  const gone = closed(s);
  await pty.serial.close(); // the "USB modem" is unplugged
  t.regex(await gone, /device disconnected/);
  const e = await t.throwsAsync(s.write("AT\r"));
  t.true(SerialClosedError.is(e));
  await s.close(); // harmless now
});

test("the pty keeps its master while programs open and close the slave (holdSlave)", async (t) => {
  const pty = await openPty();
  try {
    for (let i = 0; i < 2; i++) {
      const s = await openNodeSerial(pty.path);
      const got = record(pty.serial);
      await s.write(`ATI${i}\r`);
      t.is(await got.atLeast(5), `ATI${i}\r`);
      got.stop();
      await s.close();
    }
    const got = record(pty.serial);
    const s = await openNodeSerial(pty.path);
    await s.write("AT\r");
    t.is(await got.atLeast(3), "AT\r");
    await s.close();
  } finally {
    await pty.serial.close();
  }
});

test("a TCP peer that hangs up is reported through onClose", async (t) => {
  const server = net.createServer((sock) => sock.end("bye\r\n"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const s = await openNodeSerial(`tcp://127.0.0.1:${port}`);
    const got = record(s);
    t.is(await closed(s), "peer closed the connection");
    t.is(got.text(), "bye\r\n");
    await t.throwsAsync(s.write("x"), { message: /closed/ });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("a write with a char above 0xFF is a NotByteStringError carrying where it was", async (t) => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const s = await openNodeSerial(`tcp://127.0.0.1:${port}`);
  const peer = socketSerial(await within(accepted, 5000, "accept"));
  try {
    const e = await t.throwsAsync(s.write("AT+CMGS=\u00e9\u0101"));
    t.true(NotByteStringError.is(e));
    t.is((e as unknown as { index: number }).index, 9);
    t.is((e as unknown as { code: number }).code, 0x101);
  } finally {
    await s.close();
    await peer.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("a read that hits end of file (a hung-up tty) is a disconnect, not an endless retry", async (t) => {
  const fd = fsSync.openSync("/dev/null", "r");
  try {
    const port: UnixPort = {
      fd,
      isOpen: true,
      poller: { once: () => t.fail("must not wait for readable") },
      read: () => Promise.reject(new Error("unused")),
    };
    const e = await t.throwsAsync(readOrHangup(port, Buffer.alloc(16), 0, 16));
    t.regex(e!.message, /hung up/);
    t.true((e as unknown as { disconnect: boolean }).disconnect);
    const closedPort: UnixPort = { ...port, fd: null, isOpen: false };
    const c = await t.throwsAsync(readOrHangup(closedPort, Buffer.alloc(16), 0, 16));
    t.true((c as unknown as { canceled: boolean }).canceled);
  } finally {
    fsSync.closeSync(fd);
  }
});

test("a device another program holds is reported busy", async (t) => {
  const pty = await openPty();
  const first = await openNodeSerial(pty.path);
  try {
    const e = await t.throwsAsync(openNodeSerial(pty.path));
    t.true(SerialOpenError.is(e));
    t.regex(e!.message, /busy/);
  } finally {
    await first.close();
    await pty.serial.close();
  }
});
