/**
 * companion-link.md §4.4 on the embedded aedes broker (sim/broker/aedes-broker.ts).
 */
import test from "ava";
import { BrokerRegistry } from "../../sim/broker/registry.js";
import { startAedesBroker } from "../../sim/broker/aedes-broker.js";
import { fleet, isolationMatrix } from "./isolation.js";

test("R15 aedes: every pair of devices (same number, other number) is isolated, whatever is subscribed or published; a revoked device is cut off", async (t) => {
  const registry = new BrokerRegistry();
  const devs = fleet(registry);
  const broker = await startAedesBroker(registry);
  t.teardown(() => broker.close());
  await isolationMatrix(t, { url: broker.url, revoke: async (d) => void registry.revoke(d) }, registry, devs);
});
