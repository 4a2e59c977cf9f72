/**
 * The broker credentials of a simulated fleet (companion-link.md §4.1): one per device,
 * issued when the network registers the accessory (R11) and revoked when it is
 * unregistered (R15). The MQTT username and client id are the same opaque device id
 * (never the slot name "A1", which is reused, nor the IMEI); the broker looks the
 * device's number up here and never takes it from the client. The backend has its own
 * credential with rights on the whole tree.
 *
 * Passwords are kept as PBKDF2-SHA512 hashes in mosquitto's own format (`$7$`,
 * mosquitto 2.0 `src/password_mosq.c`), so the password file for mosquitto is written
 * straight from the registry and aedes verifies against the same hash.
 */
import { pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { Principal, msisdnDigits } from "./acl.js";

/** mosquitto_passwd's iteration count for `$7$` hashes (mosquitto 2.0). */
const ITERATIONS = 101;

export interface Credential {
  username: string;
  password: string;
}

interface Entry {
  principal: Principal;
  /** `$7$<iterations>$<salt b64>$<hash b64>`. */
  hash: string;
}

/** A `$7$` PBKDF2-SHA512 password hash, as mosquitto_passwd writes it. */
export function passwordHash(password: string, salt: Buffer = randomBytes(12), iterations = ITERATIONS): string {
  const hash = pbkdf2Sync(password, salt, iterations, 64, "sha512");
  return "$7$" + iterations + "$" + salt.toString("base64") + "$" + hash.toString("base64");
}

function verifyHash(hash: string, password: string): boolean {
  const m = /^\$7\$([0-9]+)\$([^$]+)\$([^$]+)$/.exec(hash);
  if (!m) return false;
  const want = Buffer.from(m[3], "base64");
  const got = pbkdf2Sync(password, Buffer.from(m[2], "base64"), Number(m[1]), want.length, "sha512");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Lower-case letters and digits without look-alikes: an id that is safe in topics, ACL files and client ids. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

function randomId(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET.charAt(bytes[i] % ALPHABET.length);
  return out;
}

export interface DeviceRecord {
  device: string;
  msisdn: string;
  /** The network's name for it ("A1"), for people reading logs. */
  slot: string;
}

export class BrokerRegistry {
  private readonly entries = new Map<string, Entry>();
  /** The network's slot name of each device id, for people reading logs. */
  private readonly slots = new Map<string, string>();
  private readonly revokeListeners: ((username: string) => void)[] = [];
  readonly backend: Credential;

  constructor(backendName = "sharedline-backend") {
    this.backend = { username: backendName, password: randomId(24) };
    this.entries.set(backendName, { principal: { role: "backend", name: backendName }, hash: passwordHash(this.backend.password) });
  }

  /** Issues a credential for a device of `msisdn` (R11): a fresh opaque id and password. */
  issue(msisdn: string, slot: string): Credential & DeviceRecord {
    const digits = msisdnDigits(msisdn);
    let device = randomId(8);
    while (this.entries.has(device)) device = randomId(8);
    const password = randomId(20);
    this.entries.set(device, { principal: { role: "device", device, msisdn: "+" + digits }, hash: passwordHash(password) });
    this.slots.set(device, slot);
    return { username: device, password, device, msisdn: "+" + digits, slot };
  }

  /** R15: the device's credential stops working; live connections are closed by whoever listens. */
  revoke(device: string): boolean {
    const e = this.entries.get(device);
    if (!e || e.principal.role !== "device") return false;
    this.entries.delete(device);
    this.slots.delete(device);
    for (const l of this.revokeListeners) l(device);
    return true;
  }

  /** Calls `listener` with each revoked device id; returns how to stop (a broker that closes must, or every restart leaves one behind). */
  onRevoke(listener: (username: string) => void): () => void {
    this.revokeListeners.push(listener);
    return () => {
      const i = this.revokeListeners.indexOf(listener);
      if (i >= 0) this.revokeListeners.splice(i, 1);
    };
  }

  /** The principal of a username and password, or undefined. */
  verify(username: string | undefined, password: string | Buffer | undefined): Principal | undefined {
    if (username === undefined || password === undefined) return undefined;
    const e = this.entries.get(username);
    if (!e) return undefined;
    return verifyHash(e.hash, typeof password === "string" ? password : password.toString("utf8")) ? e.principal : undefined;
  }

  /** The principal of a username still in the registry (a revoked one is gone). */
  principal(username: string): Principal | undefined {
    const e = this.entries.get(username);
    return e ? e.principal : undefined;
  }

  /** Every device with its number and slot. */
  devices(): DeviceRecord[] {
    const out: DeviceRecord[] = [];
    for (const e of Array.from(this.entries.values())) {
      const p = e.principal;
      if (p.role === "device") out.push({ device: p.device, msisdn: p.msisdn, slot: this.slots.get(p.device) || "" });
    }
    return out;
  }

  /** mosquitto's password file (`username:$7$...` per line). */
  passwordFile(): string {
    let out = "";
    for (const name of Array.from(this.entries.keys())) out += name + ":" + this.entries.get(name)!.hash + "\n";
    return out;
  }

  /** Every principal with its username, for ACL generation. */
  principals(): { username: string; principal: Principal }[] {
    return Array.from(this.entries.keys()).map((username) => ({ username, principal: this.entries.get(username)!.principal }));
  }
}
