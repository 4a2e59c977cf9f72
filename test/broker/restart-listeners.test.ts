/**
 * A broker that closes leaves nothing on its registry. The soak restarts its broker on
 * one credential registry many times over days of virtual time; each start used to add
 * a revoke listener that was never removed (holding the closed broker's client table).
 */
import test from "ava";
import { isolatingAedes, type BrokerAuthority } from "../../sim/broker/aedes-broker.js";
import { BrokerRegistry } from "../../sim/broker/registry.js";

/** An authority that knows nobody and counts who listens for revocations. */
function countingAuthority(): BrokerAuthority & { listeners: Set<(username: string) => void> } {
  const listeners = new Set<(username: string) => void>();
  return {
    listeners,
    verify: () => undefined,
    principal: () => undefined,
    onRevoke(l) {
      listeners.add(l);
      return () => {
        listeners.delete(l);
      };
    },
  };
}

test("ten broker starts and closes on one registry leave no revoke listener behind; a live broker has one", async (t) => {
  const auth = countingAuthority();
  for (let i = 0; i < 10; i++) {
    const b = await isolatingAedes(auth);
    t.is(auth.listeners.size, 1, "start " + (i + 1) + ": the live broker listens");
    await new Promise<void>((resolve) => b.aedes.close(() => resolve()));
  }
  t.is(auth.listeners.size, 0);
});

test("BrokerRegistry.onRevoke gives a stop: a stopped listener hears no later revocation", async (t) => {
  const registry = new BrokerRegistry();
  const heard: string[] = [];
  const stop = registry.onRevoke((u) => heard.push("a:" + u));
  registry.onRevoke((u) => heard.push("b:" + u));
  const one = registry.issue("+819010000001", "A1");
  const two = registry.issue("+819010000001", "A2");
  registry.revoke(one.device);
  stop();
  stop();
  registry.revoke(two.device);
  t.deepEqual(heard, ["a:" + one.device, "b:" + one.device, "b:" + two.device]);
});
