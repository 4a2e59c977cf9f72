/**
 * A served number in this process for the control-interface tests: the number server
 * and its HTTP control on 127.0.0.1 with free ports, a JSON client on fetch, and waits
 * that end as soon as the awaited thing happened (with a generous bound, never a
 * guessed sleep).
 */
import type { ExecutionContext } from "ava";
import net from "node:net";
import type { Clock, TimerHandle } from "../../hal/types.js";
import { systemClock } from "../../hal/node/clock.js";
import { startControl, type ControlServer } from "../../sim/serve/http-control.js";
import { startNumberServer, type NumberServer, type NumberServerOptions } from "../../sim/serve/number-server.js";
import { Collector } from "../sim/io.js";

export const MSISDN = "+819012345678";
export const ALICE = "+818011112222";

// Answers are JSON of many shapes; tests read the fields they check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Served {
  server: NumberServer;
  control: ControlServer;
  /** A request to the control interface; the body is parsed JSON. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json; headers: Headers }>;
}

export async function served(t: ExecutionContext, opts: Partial<NumberServerOptions> = {}): Promise<Served> {
  const server = await startNumberServer({
    accessories: 2,
    transport: { kind: "tcp", basePort: 0, host: "127.0.0.1" },
    virtualTime: true,
    ...opts,
  });
  const control = await startControl(server, 0);
  t.teardown(async () => {
    await control.close();
    await server.close();
  });
  return {
    server,
    control,
    async api(method, path, body) {
      const init: RequestInit = { method };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      const res = await fetch(control.url + path, init);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(method + " " + path + ": answer is not JSON: " + JSON.stringify(text));
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

/** A raw AT client on a served modem's TCP port. */
export async function atClient(t: ExecutionContext, where: string): Promise<{ rx: Collector; send(cmd: string): void }> {
  const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(where);
  if (!m) throw new Error("not a tcp address: " + where);
  const rx = new Collector();
  const socket = net.connect(Number(m[2]), m[1]);
  socket.on("data", (b: Buffer) => rx.push(b.toString("latin1")));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  t.teardown(() => {
    socket.destroy();
  });
  return { rx, send: (cmd) => socket.write(cmd + "\r") };
}

/** Resolves when `check` holds, looking each time `subscribe` reports a change; rejects after `ms`. */
export function when<T>(what: string, subscribe: (changed: () => void) => () => void, check: () => T | undefined, ms = 15000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let unsubscribe: () => void = () => undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error("timed out waiting for " + what));
    }, ms);
    const look = () => {
      const v = check();
      if (v === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(v);
    };
    unsubscribe = subscribe(look);
    look();
  });
}

/**
 * The real clock for a firmware under test, with every timer it still holds cleared at
 * teardown (a firmware keeps timers such as "in use elsewhere" for a minute, which would
 * keep the test process alive).
 */
export function realClock(t: ExecutionContext): Clock {
  const live = new Set<TimerHandle>();
  t.teardown(() => {
    for (const h of live) systemClock.clearTimeout(h);
    live.clear();
  });
  return {
    now: () => systemClock.now(),
    setTimeout(fn, ms) {
      const h: TimerHandle = systemClock.setTimeout(() => {
        live.delete(h);
        fn();
      }, ms);
      live.add(h);
      return h;
    },
    clearTimeout(h) {
      live.delete(h);
      systemClock.clearTimeout(h);
    },
  };
}
