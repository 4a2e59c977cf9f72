/**
 * `sharedline sim --accessories` and its broker: embedded aedes by default (port 0 unless
 * given), an outside broker by URL (and CA), or none; contradictory flags are refused.
 */
import test from "ava";
import { parseServeArgs } from "../../sim/serve/serve-cli.js";
import { startServedBroker } from "../../sim/broker/served-broker.js";
import { SharedNetwork } from "../../sim/network/index.js";
import { VirtualClock } from "../../hal/memory/clock.js";

const base = ["--accessories", "1", "--tcp", "0"];

test("the embedded broker is the default; --broker-port, --broker <url>, --no-broker choose otherwise", (t) => {
  t.like(parseServeArgs(base), { broker: { kind: "embedded", port: 0, host: "127.0.0.1" } });
  t.like(parseServeArgs([...base, "--broker-port", "18830"]), { broker: { kind: "embedded", port: 18830 } });
  t.like(parseServeArgs([...base, "--broker", "mqtt://user:pw@broker.example:1883"]), { broker: { kind: "url", url: "mqtt://user:pw@broker.example:1883" } });
  t.like(parseServeArgs([...base, "--no-broker"]), { broker: { kind: "none" } });
  t.throws(() => parseServeArgs([...base, "--no-broker", "--broker", "mqtt://x:1"]), { message: /--no-broker cannot go with/ });
  t.throws(() => parseServeArgs([...base, "--broker", "mqtt://x:1", "--broker-port", "5"]), { message: /--broker-port is for the embedded broker/ });
  t.throws(() => parseServeArgs([...base, "--broker-ca", "ca.pem"]), { message: /--broker-ca goes with an mqtts:\/\/ --broker/ });
  t.throws(() => parseServeArgs([...base, "--broker", "mqtts://x:1", "--broker-ca", "/nonexistent/ca.pem"]), { message: /--broker-ca: cannot read/ });
});

test("an outside broker URL must be mqtt[s]://host:port, and one nobody answers at is a clear error", async (t) => {
  const net = new SharedNetwork({ clock: new VirtualClock() });
  await t.throwsAsync(startServedBroker(net, { kind: "url", url: "http://broker.example/" }), { message: /--broker needs mqtt:\/\/host:port or mqtts:\/\/host:port/ });
  await t.throwsAsync(startServedBroker(net, { kind: "url", url: "mqtt://127.0.0.1:1" }), { message: /^cannot connect the backend to mqtt:\/\/127\.0\.0\.1:1: / });
});
