/**
 * A simulated modem whose data goes over real TCP (sockets, MQTT) while its own timers run
 * on a virtual clock: commands are written on the in-memory line and the test waits for
 * the bytes it expects (a final result, a URC) instead of advancing time, because the
 * answers come from real I/O. Plus a TCP echo server on 127.0.0.1:0.
 */
import net from "node:net";
import type { ExecutionContext } from "ava";
import { harness, Harness } from "./harness.js";
import { Collector } from "./io.js";
import type { SimModemOptions } from "../../sim/modem/modem.js";
import type { NetworkStubOptions } from "../../sim/modem/network-stub.js";

export const QUECTEL_BG95 = { manufacturer: "Quectel", model: "BG95-M3", revision: "BG95M3LAR02A03" };
export const SIMCOM_A7670 = { manufacturer: "SIMCOM INCORPORATED", model: "A7670E-LASE", revision: "A7670M7_V1.11.1" };

const FINAL = /\r\n(OK|ERROR|SEND OK|SEND FAIL|\+CME ERROR: [^\r]*)\r\n/;

export interface DataRig extends Harness {
  out: Collector;
  /** Sends a command line and waits for its final result; returns what came since it was sent. */
  cmd(line: string): Promise<string>;
  /** Writes raw bytes (a command, data after a prompt) and waits until the output since then matches `until`. */
  raw(bytes: string, until: RegExp | string): Promise<string>;
  /** Waits until the output since the last `mark()` matches; returns that output. */
  expect(what: RegExp | string): Promise<string>;
  /** Starts a new window for `expect`. */
  mark(): void;
}

export async function dataRig(t: ExecutionContext, modem: Partial<SimModemOptions> = {}, net: Partial<NetworkStubOptions> = {}): Promise<DataRig> {
  const h = await harness(modem, net);
  // A reboot drops every connection the modem holds.
  t.teardown(() => h.modem.reboot());
  const out = new Collector();
  h.host.onData((c) => out.push(c));
  let from = 0;
  const since = (start: number) => out.text.slice(start);
  const waitAfter = async (start: number, what: RegExp | string) => {
    await out.waitFor((s) => {
      const t = s.slice(start);
      return typeof what === "string" ? t.indexOf(what) >= 0 : what.test(t);
    });
    return since(start);
  };
  const rig: DataRig = {
    ...h,
    out,
    async raw(bytes, until) {
      const start = out.text.length;
      await h.host.write(bytes);
      await h.clock.advance(0);
      return waitAfter(start, until);
    },
    async cmd(line) {
      // Up to the first final result: URCs that follow it are left for `expect`.
      const text = await rig.raw(line + "\r", FINAL);
      const m = FINAL.exec(text)!;
      return text.slice(0, m.index + m[0].length);
    },
    expect(what) {
      return waitAfter(from, what);
    },
    mark() {
      from = out.text.length;
    },
  };
  await rig.cmd("ATE0");
  return rig;
}

/** A TCP server on 127.0.0.1:0 that sends back what it receives; `clients` are its live connections. */
export async function echoServer(t: ExecutionContext): Promise<{ port: number; clients: net.Socket[]; received: () => string }> {
  const clients: net.Socket[] = [];
  let got = "";
  const server = net.createServer((s) => {
    clients.push(s);
    s.on("data", (d) => {
      got += d.toString("latin1");
      s.write(d);
    });
    s.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => {
    for (const c of clients) c.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, clients, received: () => got };
}

/** A port on 127.0.0.1 that nobody listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
