/**
 * The companion link's broker for a simulated network, as `sharedline sim` and `npm
 * start` run it: the embedded aedes broker (default, port 0) or an outside MQTT 3.1.1
 * broker given by URL (and CA), with the fleet backend (backend.ts) following the
 * network, issuing and revoking per-device credentials and publishing line, desired
 * state and commands.
 *
 *     const b = await startServedBroker(net, { kind: "embedded", port: 0 });
 *     const cred = b.backend.credential("+819012345678", "A1"); // url, username = clientId, password, topics
 *     ...
 *     await stopServedBroker(b);
 */
import type { SharedNetwork } from "../network/network.js";
import { BrokerRegistry } from "./registry.js";
import { EmbeddedBroker, startAedesBroker } from "./aedes-broker.js";
import { FleetBackend } from "./backend.js";

export type BrokerChoice =
  | { kind: "embedded"; port: number; host?: string }
  | { kind: "url"; url: string; ca?: string; username?: string; password?: string }
  | { kind: "none" };

/** The broker a simulated network publishes on, and the backend doing it. */
export interface ServedBroker {
  url: string;
  registry: BrokerRegistry;
  backend: FleetBackend;
  /** The embedded broker, when it is ours. */
  embedded: EmbeddedBroker | undefined;
  /** The PEM trust anchor given for an mqtts:// broker. */
  ca: string | undefined;
}

/** Starts the broker choice with its backend following `net`. */
export async function startServedBroker(net: SharedNetwork, choice: BrokerChoice | undefined): Promise<ServedBroker | undefined> {
  const c: BrokerChoice = choice || { kind: "embedded", port: 0 };
  if (c.kind === "none") return undefined;
  const registry = new BrokerRegistry();
  let embedded: EmbeddedBroker | undefined = undefined;
  let url: string;
  let ca: string | undefined = undefined;
  let credential: { username: string; password: string } | undefined = undefined;
  if (c.kind === "embedded") {
    try {
      embedded = await startAedesBroker(registry, { port: c.port, host: c.host });
    } catch (e) {
      throw new Error("cannot start the broker on port " + c.port + ": " + (e as Error).message);
    }
    url = embedded.url;
  } else {
    if (!/^mqtts?:\/\/[^/]+$/.test(c.url)) throw new Error("--broker needs mqtt://host:port or mqtts://host:port, got " + JSON.stringify(c.url));
    // Credentials in the URL (mqtt://user:pass@host:port) are the backend's; the URL is kept without them.
    const u = new URL(c.url);
    if (u.username !== "") credential = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    if (c.username !== undefined) credential = { username: c.username, password: c.password || "" };
    u.username = "";
    u.password = "";
    url = u.protocol + "//" + u.host;
    ca = c.ca;
  }
  const backend = new FleetBackend({ net, registry, url, ca, credential });
  try {
    await backend.start();
  } catch (e) {
    if (embedded) await embedded.close();
    throw new Error("cannot connect the backend to " + url + ": " + (e as Error).message);
  }
  return { url, registry, backend, embedded, ca };
}

export async function stopServedBroker(b: ServedBroker): Promise<void> {
  await b.backend.close();
  if (b.embedded) await b.embedded.close();
}
