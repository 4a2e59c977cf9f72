/**
 * The line's cost, beside a +CLCC-polling design (how oFono and ModemManager follow
 * calls on modems without call-status URCs), on the same scenarios in the same run:
 *
 * - latency from the last byte of RING/+CLIP on the serial line to the incoming-call
 *   event: CPU time for ours (the event comes from the URC), virtual time for the poller
 *   (it learns at its next poll);
 * - AT bytes exchanged (both directions) per handled call: incoming answered, outgoing,
 *   waiting; and per idle hour.
 *
 * Both run the real AT channel on the simulated modem and network stub, under a
 * virtual clock; the poller answers and hangs up with the same commands as ours.
 */
import { AtChannel } from "../drivers/at/index.js";
import { VirtualClock } from "../hal/memory/clock.js";
import { memorySerialPair } from "../hal/memory/serial.js";
import { Line, defaultLineOptions } from "../firmware/line/line.js";
import { SimModem } from "../sim/modem/modem.js";
import { NetworkStub } from "../sim/modem/network-stub.js";

const POLL_MS = 500;

interface Rig {
  clock: VirtualClock;
  network: NetworkStub;
  modem: SimModem;
  channel: AtChannel;
  bytes: () => number;
}

async function rig(): Promise<Rig> {
  const clock = new VirtualClock(0);
  const network = new NetworkStub({ clock });
  let count = 0;
  const modem = new SimModem({ clock, network, trace: (_d, b) => (count += b.length) });
  const [dte, dce] = memorySerialPair();
  modem.connect(dce);
  modem.powerOn(false);
  const channel = new AtChannel(dte, clock, {});
  for (const c of ["ATE0", "AT+CMEE=1", "AT+CLIP=1", "AT+CRC=1", "AT+CCWA=1,1"]) {
    const p = channel.send(c);
    await clock.advance(10);
    await p;
  }
  count = 0;
  return { clock, network, modem, channel, bytes: () => count };
}

/** The peer: learns about calls only by reading +CLCC every POLL_MS while it runs. */
class PollingLine {
  known = new Set<number>();
  onIncoming: (() => void) | undefined = undefined;
  private timer: number | object | undefined;
  constructor(private readonly r: Rig) {
    const tick = () => {
      this.timer = r.clock.setTimeout(tick, POLL_MS);
      r.channel.send({ cmd: "AT+CLCC", prefixes: ["+CLCC:"] }).then(
        (res) => {
          const now = new Set<number>();
          for (const l of res.lines) {
            const idx = parseInt(l.slice(6), 10);
            now.add(idx);
            if (!this.known.has(idx) && /^\+CLCC: \d+,1,[45],/.test(l) && this.onIncoming) this.onIncoming();
          }
          this.known = now;
        },
        () => undefined,
      );
    };
    this.timer = r.clock.setTimeout(tick, POLL_MS);
  }
  stop(): void {
    if (this.timer !== undefined) this.r.clock.clearTimeout(this.timer);
  }
}

type Design = "urc" | "poll";

async function scenario(design: Design, kind: "incoming" | "outgoing" | "waiting" | "idle-hour"): Promise<{ bytes: number; latencyMs: number }> {
  const r = await rig();
  let latency = 0;
  let eventAt = -1;
  const ringAt = () => r.clock.now();
  let line: Line | undefined;
  let poller: PollingLine | undefined;
  if (design === "urc") {
    line = new Line(r.channel, r.clock, { simReady: () => true, emergencyNumbers: () => [], emergencyAllowed: () => true, whenReady: () => Promise.resolve(true) }, defaultLineOptions);
    line.events.on("incoming", () => (eventAt = r.clock.now()));
  } else {
    poller = new PollingLine(r);
    poller.onIncoming = () => (eventAt = r.clock.now());
  }
  const act = async (p: Promise<unknown>) => {
    await r.clock.advance(50);
    await p;
  };
  const answer = () => (line ? line.answer() : r.channel.send("ATA"));
  const hangup = () => (line ? line.hangup() : r.channel.send("AT+CHUP"));
  if (kind === "incoming" || kind === "waiting") {
    const t0 = ringAt();
    r.network.ringIn("+819011112222");
    await r.clock.advance(2000);
    latency = eventAt - t0;
    await act(answer());
    await r.clock.advance(30000); // half a minute of talk
    if (kind === "waiting") {
      r.network.ringIn("+819033334444");
      await r.clock.advance(2000);
      await act(line ? line.reject() : r.channel.send("AT+CHLD=0"));
      await r.clock.advance(5000);
    }
    r.network.remoteHangup(undefined, 16);
    await r.clock.advance(2000);
  } else if (kind === "outgoing") {
    r.network.outgoing = "ring";
    await act(line ? line.dial("0312345678") : r.channel.send("ATD0312345678;"));
    await r.clock.advance(4000);
    r.network.remoteAnswer();
    await r.clock.advance(30000);
    await act(hangup());
    await r.clock.advance(2000);
  } else {
    await r.clock.advance(3600 * 1000);
  }
  if (poller) poller.stop();
  return { bytes: r.bytes(), latencyMs: latency };
}

/** CPU time from pushing the RING/+CLIP bytes to the incoming event, ours, in microseconds. */
async function cpuLatency(iterations: number): Promise<number> {
  const clock = new VirtualClock(0);
  const [dte, dce] = memorySerialPair();
  dce.onData(() => undefined);
  const channel = new AtChannel(dte, clock, {});
  const line = new Line(channel, clock, { simReady: () => true, emergencyNumbers: () => [], emergencyAllowed: () => true, whenReady: () => Promise.resolve(true) }, defaultLineOptions);
  let fired = 0n;
  line.events.on("incoming", () => (fired = process.hrtime.bigint()));
  // Deliver straight into the channel's serial handler, as a UART driver would.
  const deliver = (bytes: string) => (dte as unknown as { events: { emit: (e: string, p: string) => void } }).events.emit("data", bytes);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    deliver('\r\nRING\r\n\r\n+CLIP: "+8190' + String(10000000 + i) + '",145,"",0,"",0\r\n');
    samples.push(Number(fired - start) / 1000);
    // End the call so the next RING is a new one.
    (line as unknown as { onModemReset: () => void }).onModemReset();
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

export async function bench(): Promise<void> {
  const us = await cpuLatency(20000);
  console.log(`incoming-call latency, last byte of RING/+CLIP to the event (median of 20000): ours ${us.toFixed(1)} µs of CPU`);
  console.log(`AT bytes exchanged per handled call, and virtual-time latency (same scenario, simulated modem):`);
  console.log("scenario            ours (URC + CLCC when in doubt)   +CLCC polling every " + POLL_MS + " ms   ratio (poll / ours)");
  for (const kind of ["incoming", "outgoing", "waiting", "idle-hour"] as const) {
    const a = await scenario("urc", kind);
    const b = await scenario("poll", kind);
    const lat = kind === "incoming" ? `, latency ${a.latencyMs} ms vs ${b.latencyMs} ms` : "";
    console.log(
      kind.padEnd(18) + String(a.bytes + " bytes").padStart(20) + String(b.bytes + " bytes").padStart(32) + ("   " + (a.bytes ? (b.bytes / a.bytes).toFixed(1) + "x" : "∞ (ours: 0)")) + lat,
    );
  }
}
