/**
 * The shared-number network at scale: one process hosts 10,000 numbers with six devices
 * each (the smartphone P and five accessories, Multi-device on), and runs incoming call
 * set-ups through the network alone: an outside party calls, the network forks to all
 * six devices, one accessory answers, the five others are released as answered
 * elsewhere, the caller hangs up. Not a test: nothing here asserts a speed.
 *
 *   node --expose-gc --import tsx -e 'import("./bench/network.ts").then((m) => m.bench())'
 *
 * Figures:
 * - heap per device with lightweight accessories: `AccessoryPort`s attached with a
 *   listener that only counts events (what the network itself costs per device);
 * - call set-ups per second through those ports, on a plain synchronous clock (the
 *   `VirtualClock` of the tests lets promise callbacks run between timers, which costs
 *   more than the network does);
 * - the same two figures beside it with full `SimModem` accessories on in-memory lines,
 *   driven by AT (`ATA`) on a `VirtualClock`, at a smaller scale: the price of the
 *   complete AT path per device and per call.
 *
 * The event log is off (capacity 0) at scale; with it on, every entry is kept.
 */
import type { Clock, TimerHandle } from "../hal/types.js";
import { VirtualClock } from "../hal/memory/clock.js";
import { memorySerialPair } from "../hal/memory/serial.js";
import { SimModem } from "../sim/modem/modem.js";
import type { ModemNetworkListener } from "../sim/modem/network.js";
import { AccessoryPort, SharedNetwork } from "../sim/network/index.js";

const NUMBERS = 10000;
const ACCESSORIES = 5;
const MODEM_NUMBERS = 100;

interface Timer {
  at: number;
  seq: number;
  id: number;
  fn: () => void;
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A synchronous clock: `run()` fires every due timer, in time then creation order (a binary heap). */
class BenchClock implements Clock {
  private time = Date.UTC(2026, 0, 1);
  private heap: Timer[] = [];
  private cancelled = new Set<number>();
  private seq = 0;

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: Timer = { at: this.time + Math.max(0, ms), seq: this.seq++, id: this.seq, fn };
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (earlier(h[p], t)) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = t;
    return t.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.cancelled.add(handle as number);
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && earlier(h[l], m === i ? last : h[m])) m = l;
        if (r < h.length && earlier(h[r], m === i ? last : h[m])) m = r;
        if (m === i) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  /** Fires the timers due up to `now + ms`. */
  run(ms = 0): void {
    const end = this.time + ms;
    for (;;) {
      const h = this.heap;
      if (h.length === 0 || h[0].at > end) break;
      const t = this.pop()!;
      if (this.cancelled.delete(t.id)) continue;
      this.time = t.at;
      t.fn();
    }
    this.time = end;
  }
}

function heapUsed(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
  return process.memoryUsage().heapUsed;
}

function msisdn(i: number): string {
  return "+8190" + String(10000000 + i);
}

function imei(i: number, k: number): string {
  return "35" + String(i).padStart(8, "0") + String(k).padStart(5, "0");
}

/**
 * A "modem" that only counts what reaches it (and answers when told to). A class, not an
 * object of arrow functions: under tsx every named closure carries its own property
 * store, which would be measured as the network's memory.
 */
class CountingListener implements ModemNetworkListener {
  constructor(
    private readonly port: AccessoryPort,
    private readonly counts: { events: number },
    private readonly answers: boolean,
  ) {}
  registrationChanged(): void {
    this.counts.events++;
  }
  signalChanged(): void {
    this.counts.events++;
  }
  emergencyNumbers(): void {
    this.counts.events++;
  }
  incomingCall(c: { callId: string }): void {
    this.counts.events++;
    if (this.answers) this.port.answer(c.callId);
  }
  callStateChanged(): void {
    this.counts.events++;
  }
  smsDelivered(s: { deliveryId: string }): void {
    this.counts.events++;
    this.port.ackSms(s.deliveryId, "ack");
  }
  ussdResult(): void {
    this.counts.events++;
  }
}

async function lightweight(): Promise<void> {
  const before = heapUsed();
  const clock = new BenchClock();
  const net = new SharedNetwork({ clock, params: { multiDevice: true, logCapacity: 0 } });
  const counts = { events: 0 };
  for (let i = 0; i < NUMBERS; i++) {
    const num = net.createNumber(msisdn(i));
    for (let k = 0; k < ACCESSORIES; k++) {
      net.portFor(num.msisdn, { imei: imei(i, k), friendlyName: "Acc " + k, model: "Bench", sms: "native", callWaiting: true });
    }
  }
  for (let i = 0; i < NUMBERS; i++) {
    for (let k = 0; k < ACCESSORIES; k++) {
      const port = net.portByImei(imei(i, k))!;
      port.attach({ imei: port.imei, imsi: "44010" + imei(i, k).slice(5), iccid: "8981" + imei(i, k) }, new CountingListener(port, counts, k === 2));
    }
  }
  clock.run();
  const after = heapUsed();
  const devices = NUMBERS * (1 + ACCESSORIES);
  console.log(`lightweight ports: ${NUMBERS} numbers, ${devices} devices, ${((after - before) / 1024 / 1024).toFixed(1)} MiB heap`);
  console.log(`  heap per device ${((after - before) / devices).toFixed(0)} B, per number ${((after - before) / NUMBERS).toFixed(0)} B`);

  const caller = net.outside("+818011112222");
  const rounds = 3;
  const calls = NUMBERS * rounds;
  const start = process.hrtime.bigint();
  const eventsBefore = counts.events;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < NUMBERS; i++) {
      const pc = caller.call(msisdn(i));
      clock.run(); // fork reaches the six devices; A3 answers; the others are released
      if (pc.state !== "active") throw new Error("call " + i + " not answered: " + pc.state);
      caller.hangup(pc.id);
      clock.run();
    }
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`  ${calls} call set-ups (fork to 6, answer, 5 released elsewhere, hang-up) in ${s.toFixed(2)} s: ${(calls / s).toFixed(0)} /s`);
  console.log(`  ${((counts.events - eventsBefore) / calls).toFixed(1)} modem events per call`);
}

async function fullModems(): Promise<void> {
  const before = heapUsed();
  const clock = new VirtualClock();
  const net = new SharedNetwork({ clock, params: { multiDevice: true, logCapacity: 0 } });
  const answerers: { write: (s: string) => Promise<void> }[] = [];
  for (let i = 0; i < MODEM_NUMBERS; i++) {
    const num = net.createNumber(msisdn(i));
    for (let k = 0; k < ACCESSORIES; k++) {
      const info = { imei: imei(i, k), friendlyName: "Acc " + k, model: "Bench", sms: "native" as const, callWaiting: true };
      const port = net.portFor(num.msisdn, info);
      const [host, line] = memorySerialPair();
      const modem = new SimModem({ clock, network: port, identity: { imei: info.imei, msisdn: num.msisdn } });
      modem.connect(line);
      host.onData(() => undefined);
      modem.powerOn(false);
      if (k === 2) answerers.push(host);
    }
  }
  await clock.advance(0);
  const after = heapUsed();
  const devices = MODEM_NUMBERS * (1 + ACCESSORIES);
  console.log(`full SimModems: ${MODEM_NUMBERS} numbers, ${devices} devices (${MODEM_NUMBERS * ACCESSORIES} modems)`);
  console.log(`  heap per device ${((after - before) / devices).toFixed(0)} B, per number ${((after - before) / MODEM_NUMBERS).toFixed(0)} B`);
  const caller = net.outside("+818011112222");
  const rounds = 3;
  const start = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < MODEM_NUMBERS; i++) {
      const pc = caller.call(msisdn(i));
      await clock.advance(0);
      await answerers[i].write("ATA\r");
      await clock.advance(1);
      if (pc.state !== "active") throw new Error("call " + i + " not answered: " + pc.state);
      caller.hangup(pc.id);
      await clock.advance(0);
    }
  }
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const calls = MODEM_NUMBERS * rounds;
  console.log(`  ${calls} call set-ups through AT (RING on 5 modems, ATA, NO CARRIER on 4) in ${s.toFixed(2)} s: ${(calls / s).toFixed(0)} /s`);
}

export async function bench(): Promise<void> {
  if (!(globalThis as { gc?: () => void }).gc) console.log("(run node with --expose-gc for heap figures after garbage collection)");
  await lightweight();
  await fullModems();
}
