/**
 * The embedded broker of `sharedline sim` and `npm start`: aedes 1.x on a TCP port
 * (0: a free one), with per-device isolation in its hooks (companion-link.md §4.2):
 *
 * - `authenticate`: the username and password must be in the registry, and the client id
 *   must equal the username (no one takes over another device's session);
 * - `preConnect`: a will may only be the device's own status topic;
 * - `authorizeSubscribe`: only the filters of acl.ts (`cb(null, null)`: SUBACK 0x80);
 * - `authorizePublish`: only the device's own writable topics (an error closes the
 *   connection: 3.1.1 has no negative PUBACK);
 * - `authorizeForward`: a second line of defence at delivery, retained messages included.
 *
 * Revoking a credential (unregistration, R15) closes that device's live connection.
 */
import net from "node:net";
import { Aedes, AuthenticateError, Client } from "aedes";
import { Principal, canPublish, canRead, canSubscribe, willAllowed } from "./acl.js";
import type { BrokerRegistry } from "./registry.js";

export interface EmbeddedBroker {
  host: string;
  port: number;
  /** `mqtt://host:port`. */
  url: string;
  aedes: Aedes;
  /** Closes a client's connection as if the network dropped it (its will is published). */
  kick(clientId: string): void;
  close(): Promise<void>;
}

function refused(code: 4 | 5, message: string): AuthenticateError {
  const e = new Error(message) as AuthenticateError;
  e.returnCode = code;
  return e;
}

/** What the isolating hooks ask of a registry (BrokerRegistry, or the soak's own table). */
export type BrokerAuthority = Pick<BrokerRegistry, "verify" | "principal" | "onRevoke">;

/** aedes with the per-device isolation hooks, on no transport yet: `aedes.handle(stream)` takes any duplex. */
export interface IsolatingAedes {
  aedes: Aedes;
  /** Live clients by id. */
  live: Map<string, Client>;
}

export async function isolatingAedes(registry: BrokerAuthority): Promise<IsolatingAedes> {
  const principals = new WeakMap<Client, Principal>();
  const who = (c: Client | null): Principal | undefined => (c ? principals.get(c) : undefined);
  const aedes = await Aedes.createBroker({
    preConnect: (_client, packet, cb) => {
      const will = packet.will;
      if (!will) return cb(null, true);
      const p = registry.principal(packet.username || "");
      cb(null, p !== undefined && willAllowed(p, will.topic));
    },
    authenticate: (client, username, password, cb) => {
      const p = registry.verify(username, password);
      if (!p) return cb(refused(4, "bad user name or password"), false);
      if (client.id !== username) return cb(refused(5, "the client id must be the username"), false);
      principals.set(client, p);
      cb(null, true);
    },
    authorizeSubscribe: (client, sub, cb) => {
      const p = who(client);
      cb(null, p && canSubscribe(p, sub.topic) ? sub : null);
    },
    authorizePublish: (client, packet, cb) => {
      if (client === null) {
        // A will left from before a broker restart: only a status topic of a device still registered.
        const m = /^sl\/v1\/[0-9]+\/dev\/([^/]+)\/status$/.exec(packet.topic);
        const p = m ? registry.principal(m[1]) : undefined;
        return cb(p && willAllowed(p, packet.topic) ? null : new Error("not authorized"));
      }
      const p = who(client);
      cb(p && canPublish(p, packet.topic) ? null : new Error("not authorized"));
    },
    authorizeForward: (client, packet) => {
      const p = who(client);
      return p && canRead(p, packet.topic) ? packet : null;
    },
  });
  // Live clients by id (aedes 1.x keeps its own table untyped).
  const live = new Map<string, Client>();
  aedes.on("client", (c: Client) => live.set(c.id, c));
  aedes.on("clientDisconnect", (c: Client) => {
    if (live.get(c.id) === c) live.delete(c.id);
  });
  const stopRevokes = registry.onRevoke((username) => {
    const c = live.get(username);
    if (c) c.close();
  });
  // A closed broker stops listening: the soak restarts its broker many times on one registry.
  aedes.once("closed", stopRevokes);
  return { aedes, live };
}

export async function startAedesBroker(registry: BrokerRegistry, opts: { port?: number; host?: string } = {}): Promise<EmbeddedBroker> {
  const { aedes, live } = await isolatingAedes(registry);
  const server = net.createServer(aedes.handle);
  const host = opts.host || "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port || 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    url: "mqtt://" + (host.indexOf(":") >= 0 ? "[" + host + "]" : host) + ":" + port,
    aedes,
    kick(clientId) {
      const c = live.get(clientId);
      if (c && c.conn) c.conn.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of Array.from(live.values())) c.close();
        aedes.close(() => server.close(() => resolve()));
      }),
  };
}
