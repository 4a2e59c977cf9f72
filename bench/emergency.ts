/**
 * Emergency calls first (issue 9): for each path, the virtual time from the request
 * (`line.dial("110")`) to `ATD110;` on the wire, and to the `ATD110;` that placed the
 * call, with the CPU time of the whole run; ours (the channel's priority lane) beside a
 * naive FIFO channel (the same firmware with `urgent`/`cuttable` stripped from every
 * command: the dial waits its turn), in the same run. Then the hang-detection time:
 * virtual time from the first command written to a hung modem to the reset.
 *
 *   npm run bench -- emergency
 *
 * The real firmware, the simulated modem and the network stub, under a virtual clock
 * (test/support/emergency-rig.ts). Nothing here asserts a speed.
 */
import type { AtCommand } from "../drivers/at/index.js";
import { emergencyRig, type EmergencyRig } from "../test/support/emergency-rig.js";

type Design = "lane" | "fifo";

interface Outcome {
  /** Request to the first `ATD110;` written (virtual ms). */
  firstMs: number;
  /** Request to the `ATD110;` that placed the call (virtual ms), or -1 if never placed. */
  placedMs: number;
  cpuMs: number;
}

/** The peer: every command goes to the back of the queue and nothing is cut short. */
function fifo(r: EmergencyRig): void {
  const ch = r.fw.channel;
  const send = ch.send.bind(ch);
  ch.send = (c: AtCommand | string) => send(typeof c === "string" ? c : Object.assign({}, c, { urgent: false, cuttable: false }));
}

const PATHS: { name: string; setup: (design: Design) => Promise<{ r: EmergencyRig; go: () => Promise<void> }> }[] = [
  {
    name: "before bring-up (boot 3 s)",
    async setup(design) {
      const { rig: r, start } = emergencyRig({ modem: { bootMs: 3000 } });
      if (design === "fifo") fifo(r);
      await start();
      return { r, go: async () => undefined };
    },
  },
  {
    name: "during a USSD wait",
    async setup(design) {
      const { rig: r, start } = emergencyRig({ network: { ussd: { "*#103#": null } }, startAt: "ready" });
      if (design === "fifo") fifo(r);
      await start();
      return {
        r,
        go: async () => {
          r.fw.messaging.queryPriority();
          await r.run(500);
        },
      };
    },
  },
  {
    name: "during an SMS send (SC answers in 20 s)",
    async setup(design) {
      const { rig: r, start } = emergencyRig({ startAt: "ready" });
      if (design === "fifo") fifo(r);
      await start();
      r.network.delayMs = 20000;
      return {
        r,
        go: async () => {
          r.fw.messaging.send("+819011112222", "on my way");
          await r.run(1000);
        },
      };
    },
  },
  {
    name: "modem hung during an SMS send",
    async setup(design) {
      const { rig: r, start } = emergencyRig({ startAt: "ready" });
      if (design === "fifo") fifo(r);
      await start();
      return {
        r,
        go: async () => {
          r.modem.hang();
          r.fw.messaging.send("+819011112222", "hello");
          await r.run(2000);
        },
      };
    },
  },
  {
    name: "modem rebooting (boot 1.5 s)",
    async setup(design) {
      const { rig: r, start } = emergencyRig({ modem: { bootMs: 1500 }, startAt: "ready" });
      if (design === "fifo") fifo(r);
      await start();
      await r.run(3000);
      return {
        r,
        go: async () => {
          r.modem.reboot();
          await r.run(100);
        },
      };
    },
  },
  {
    // The 72 h soak's seed 15 at +21.728 h: a normal ATD loses its first bytes (the modem
    // never answers it); 110 is dialled 8.5 s later, so AT+CHUP goes first (R50).
    name: "in a call, its ATD's answer lost (R50)",
    async setup(design) {
      const { rig: r, start } = emergencyRig({ startAt: "ready" });
      if (design === "fifo") fifo(r);
      await start();
      return {
        r,
        go: async () => {
          r.modem.loseInput(0, 2);
          r.fw.line.dial("+819011112222");
          await r.run(8500);
        },
      };
    },
  },
];

async function measure(path: (typeof PATHS)[number], design: Design): Promise<Outcome> {
  const cpu0 = process.cpuUsage();
  const { r, go } = await path.setup(design);
  await go();
  const asked = r.clock.now();
  let placedAt = -1;
  r.fw.line.events.on("emergency", (e) => {
    if (e.phase === "placed") placedAt = r.clock.now();
  });
  r.fw.line.dial("110");
  for (let i = 0; i < 600 && placedAt < 0; i++) await r.run(500);
  const dials = (r.dials["110"] || []).filter((d) => d >= asked);
  const placing = dials.filter((d) => placedAt >= 0 && d <= placedAt);
  const cpu = process.cpuUsage(cpu0);
  r.fw.stop();
  return {
    firstMs: dials.length > 0 ? dials[0] - asked : -1,
    placedMs: placing.length > 0 ? placing[placing.length - 1] - asked : -1,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/**
 * Virtual ms from the first command written to a hung modem to the modem manager's reset:
 * a registration read (the health check; the profile's 5 s limit), or a dial (30 s).
 */
async function hangDetection(what: "read" | "dial"): Promise<{ detectMs: number; backMs: number }> {
  const { rig: r, start } = emergencyRig({ startAt: "ready" });
  await start();
  r.modem.hang();
  const from = r.clock.now();
  if (what === "read") r.fw.modem.checkHealth();
  else r.fw.line.dial("+819055556666");
  let resetAt = -1;
  let readyAt = -1;
  r.fw.modem.events.on("state", (s) => {
    if (s.name === "resetting" && resetAt < 0) resetAt = r.clock.now();
    if (s.name === "ready" && resetAt >= 0 && readyAt < 0) readyAt = r.clock.now();
  });
  for (let i = 0; i < 600 && readyAt < 0; i++) await r.run(500);
  r.fw.stop();
  return { detectMs: resetAt - from, backMs: readyAt - from };
}

function ms(v: number): string {
  return v < 0 ? "never" : v + " ms";
}

function ratio(peer: number, ours: number): string {
  if (ours < 0 || peer < 0) return "-";
  if (ours === 0) return peer === 0 ? "1.0x" : "∞ (ours 0)";
  return (peer / ours).toFixed(1) + "x";
}

export async function bench(): Promise<void> {
  await measure(PATHS[0], "lane"); // warm-up: the first run pays for loading and JIT
  console.log("request to ATD110; written (virtual time), first ATD / the ATD that placed the call; CPU of the whole run");
  console.log("path".padEnd(42) + "priority lane (ours)".padEnd(34) + "naive FIFO channel".padEnd(34) + "ratio FIFO/ours (placing ATD)");
  for (const path of PATHS) {
    const a = await measure(path, "lane");
    const b = await measure(path, "fifo");
    console.log(
      path.name.padEnd(42) +
        `${ms(a.firstMs)} / ${ms(a.placedMs)}, ${a.cpuMs.toFixed(0)} ms CPU`.padEnd(34) +
        `${ms(b.firstMs)} / ${ms(b.placedMs)}, ${b.cpuMs.toFixed(0)} ms CPU`.padEnd(34) +
        ratio(b.placedMs, a.placedMs),
    );
  }
  for (const what of ["read", "dial"] as const) {
    const h = await hangDetection(what);
    console.log(
      `hang detection (${what === "read" ? "registration read, 5 s limit" : "ATD, 30 s limit"}): modem hung, command written at t=0: ` +
        `reset started at ${ms(h.detectMs)}, ready again at ${ms(h.backMs)} (virtual; the reset line reboots the simulated modem)`,
    );
  }
}
