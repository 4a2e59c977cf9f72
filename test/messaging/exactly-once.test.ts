/**
 * SMS exactly once across a killed process (issue 9 §3; 23.040 §9.2.3.6 TP-MR, §9.2.3.25
 * TP-RD, §9.2.3.22 TP-FCS 0xC5).
 *
 * A 3-part message is sent; the firmware is killed (SIGKILL: nothing more from it, its
 * storage as it was at that instant) at step k, for every step of the send: before and
 * after every storage write, right after every AT command line is written, and right
 * after the first line of every answer. A new firmware then starts on what survived, on
 * the same modem (it kept running: the process died, not the module), or on a modem that
 * restarted too (the whole device lost power). Every part must reach the recipient
 * exactly once, and the message must end up sent.
 */
import test from "ava";
import { MemoryStorage } from "../../hal/memory/storage.js";
import type { Storage } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { SimModem } from "../../sim/modem/modem.js";
import { NetworkStub } from "../../sim/modem/network-stub.js";
import { boardWith, bootDevice, kill, type Device } from "./rig.js";

const TEXT = "Exactly once: each part carries its own TP-MR, stored before it is written; a repeat goes with TP-RD. ".repeat(4); // 3 parts
const TO = "+819055550000";

class Killer {
  count = 0;
  fired = false;
  armed = false;
  kinds: { [k: string]: number } = {};
  constructor(readonly target: number) {}
  /** Counts one step; true when the process dies at it. */
  step(kind: string): boolean {
    if (!this.armed || this.fired) return false;
    this.kinds[kind] = (this.kinds[kind] || 0) + 1;
    if (this.count++ === this.target) this.fired = true;
    return this.fired;
  }
}

/** Storage that dies with the process: a write after the kill never happens. */
class KillableStorage implements Storage {
  dead = false;
  constructor(
    readonly inner: MemoryStorage,
    private readonly killer: Killer | undefined,
    private readonly die: () => void,
  ) {}
  read(key: string) {
    return this.inner.read(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  async write(key: string, value: string) {
    if (this.dead || (this.killer && this.killer.step("before storage write"))) return this.stop();
    await this.inner.write(key, value);
    if (this.killer && this.killer.step("after storage write")) this.stop();
  }
  async remove(key: string) {
    if (this.dead || (this.killer && this.killer.step("before storage removal"))) return this.stop();
    await this.inner.remove(key);
  }
  private stop(): Promise<never> {
    this.dead = true;
    this.die();
    // A killed process never sees its write complete.
    return new Promise<never>(() => undefined);
  }
}

async function run(target: number, modemRestarts: boolean): Promise<{ fired: boolean; problems: string[]; kinds: { [k: string]: number } }> {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network });
  const board = boardWith("native");
  const killer = new Killer(target);
  let dev: Device | undefined = undefined;
  const die = () => {
    if (dev) kill(dev, modem);
  };
  let storage = new KillableStorage(new MemoryStorage(), killer, die);
  dev = bootDevice(clock, modem, board, storage, { routing: "direct" }, true);
  const first = dev;
  let dieOnRx = false;
  first.fw.channel.events.on("tx", (b) => {
    if (!b.endsWith("\r") && !b.endsWith("\x1a")) return;
    if (killer.step("AT line written")) die();
    else if (killer.armed && !killer.fired) dieOnRx = true;
  });
  first.fw.channel.events.on("rx", () => {
    if (!dieOnRx) return;
    dieOnRx = false;
    if (killer.step("first answer line")) die();
  });
  await clock.advance(3000);
  killer.armed = true;
  first.messaging.send(TO, TEXT).then(
    () => undefined,
    () => undefined,
  );
  for (let ms = 0; ms < 60000 && !killer.fired; ms += 500) await clock.advance(500);
  killer.armed = false;
  if (killer.fired) {
    await clock.advance(500);
    if (modemRestarts) modem.reboot();
    storage = new KillableStorage(storage.inner.reboot(), undefined, die);
    dev = bootDevice(clock, modem, board, storage, { routing: "direct" }, false);
    await clock.advance(10 * 60000);
  }
  const problems: string[] = [];
  const accepted = (await storage.inner.list("sms.o.")).length + (await storage.inner.list("sms.h.")).length > 0;
  for (const seq of [1, 2, 3]) {
    const n = network.sent.filter((s) => s.to === TO && s.concat && s.concat.seq === seq).length;
    if (accepted && n !== 1) problems.push(`part ${seq} reached the recipient ${n} times`);
    if (!accepted && n !== 0) problems.push(`part ${seq} went out though the message was never stored`);
  }
  if (accepted) {
    const h = await dev.messaging.sentHistory();
    if (h.length !== 1 || h[0].state !== "sent") problems.push(`not sent: history ${JSON.stringify(h.map((m) => [m.state, m.error]))}`);
  }
  if (modem.internalErrors.length > 0) problems.push("simulator errors: " + modem.internalErrors.map(String).join("; "));
  return { fired: killer.fired, problems, kinds: killer.kinds };
}

async function everyStep(modemRestarts: boolean): Promise<{ steps: number; kinds: string; failures: string[]; duplicatesRefused: number }> {
  const failures: string[] = [];
  for (let k = 0; ; k++) {
    const o = await run(k, modemRestarts);
    if (o.problems.length > 0) failures.push(`${o.fired ? "killed at step " + k : "no kill"}: ${o.problems.join("; ")}`);
    if (!o.fired) {
      const kinds = Object.keys(o.kinds)
        .map((kind) => o.kinds[kind] + " " + kind)
        .join(", ");
      return { steps: k, kinds, failures, duplicatesRefused: 0 };
    }
  }
}

test("SIGKILL at every step of a 3-part send, the modem staying up: every part reaches the recipient exactly once (TP-MR kept, TP-RD on the repeat)", async (t) => {
  t.timeout(10 * 60000);
  const r = await everyStep(false);
  t.log(`${r.steps} kill points (${r.kinds}), then one run without a kill`);
  t.true(r.steps > 30, "the send has steps to kill at");
  t.deepEqual(r.failures, []);
});

test("SIGKILL at every step of a 3-part send, the modem restarting too: every part reaches the recipient exactly once", async (t) => {
  t.timeout(10 * 60000);
  const r = await everyStep(true);
  t.log(`${r.steps} kill points (${r.kinds}), then one run without a kill`);
  t.deepEqual(r.failures, []);
});

test("23.040 §9.2.3.25: the service centre refuses a repeat with TP-RD and the same TP-MR (0xC5), and the firmware takes it as delivered", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const network = new NetworkStub({ clock });
  const modem = new SimModem({ clock, network });
  const board = boardWith("native");
  let storage = new MemoryStorage();
  const dev = bootDevice(clock, modem, board, storage, {}, true);
  await clock.advance(3000);
  dev.messaging.send(TO, "one part");
  // Killed right after the PDU went to the modem: the part reaches the SC, +CMGS never read.
  let written = false;
  dev.fw.channel.events.on("tx", (b) => {
    if (b.endsWith("\x1a")) written = true;
  });
  dev.fw.channel.events.on("rx", () => {
    if (written) kill(dev, modem);
  });
  await clock.advance(2000);
  t.is(network.sent.length, 1);
  storage = storage.reboot();
  const again = bootDevice(clock, modem, board, storage, {}, false);
  await clock.advance(10000);
  t.is(network.sent.length, 1, "the repeat did not reach the recipient");
  t.is(network.duplicates.length, 1, "it was refused as a duplicate");
  t.is(network.duplicates[0].messageRef, network.sent[0].messageRef, "same TP-MR");
  t.true((parseInt(network.duplicates[0].tpdu.slice(0, 2), 16) & 0x04) !== 0, "TP-RD set on the repeat");
  const h = await again.messaging.sentHistory();
  t.is(h[0].state, "sent");
  t.true(again.logs.some((l) => /already reached the service centre/.test(l)));
});
