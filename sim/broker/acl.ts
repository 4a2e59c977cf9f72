/**
 * Who may read and write which companion-link topics (companion-link.md §5.3), as pure
 * functions the brokers enforce: aedes through its hooks (aedes-broker.ts), mosquitto
 * through an ACL file generated from the same rules (mosquitto.ts).
 *
 * Topics live under `sl/v1/<msisdn>/`, the number as E.164 digits without `+` (MQTT
 * forbids `+` in topic names, 3.1.1 §4.7.1). A device reads its number's line state and
 * its peers' presence and state, reads its own desired state and commands, and writes
 * only its own presence, state and acknowledgements. The backend reads and writes the
 * whole `sl/v1/` tree. Nobody else reads anything, `$SYS` included.
 */

export const TOPIC_ROOT = "sl/v1";

/** Who is connected: a device of a number, or the backend. */
export type Principal = { role: "device"; device: string; msisdn: string } | { role: "backend"; name: string };

/** The digits of an E.164 number, as they appear in topics ("+819012345678" -> "819012345678"). */
export function msisdnDigits(msisdn: string): string {
  const d = msisdn.replace(/^\+/, "");
  if (!/^[0-9]{6,15}$/.test(d)) throw new Error("not an E.164 number: " + JSON.stringify(msisdn));
  return d;
}

/** `sl/v1/<digits>`. */
export function numberRoot(msisdn: string): string {
  return TOPIC_ROOT + "/" + msisdnDigits(msisdn);
}

/** The topic of a device's leaf: status, state, desired, cmd, ack. */
export function deviceTopic(msisdn: string, device: string, leaf: "status" | "state" | "desired" | "cmd" | "ack"): string {
  return numberRoot(msisdn) + "/dev/" + device + "/" + leaf;
}

export function lineTopic(msisdn: string): string {
  return numberRoot(msisdn) + "/line";
}

/** The filters a device may subscribe to: exactly these (and the concrete topics they match). */
export function readableFilters(p: Principal): string[] {
  if (p.role === "backend") return [TOPIC_ROOT + "/#"];
  const n = numberRoot(p.msisdn);
  return [n + "/line", n + "/dev/+/status", n + "/dev/+/state", n + "/dev/" + p.device + "/desired", n + "/dev/" + p.device + "/cmd"];
}

/** The topics a principal may publish to. */
export function writableTopics(p: Principal): string[] {
  if (p.role === "backend") return [TOPIC_ROOT + "/#"];
  return [deviceTopic(p.msisdn, p.device, "status"), deviceTopic(p.msisdn, p.device, "state"), deviceTopic(p.msisdn, p.device, "ack")];
}

/** MQTT topic matching (3.1.1 §4.7): `+` one level, `#` the rest; `$` topics only match filters that start with `$`. */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.charAt(0) === "$" && filter.charAt(0) !== "$") return false;
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A topic name with a wildcard is not a topic (3.1.1 §4.7.1). */
function hasWildcard(s: string): boolean {
  return s.indexOf("+") >= 0 || s.indexOf("#") >= 0;
}

/** Whether `p` may receive a message published on `topic`. */
export function canRead(p: Principal, topic: string): boolean {
  return readableFilters(p).some((f) => topicMatches(f, topic));
}

/** Whether every topic `filter` can match is matched by `allowed` (level by level: `#` covers the rest, `+` one level that is not `#`). */
export function filterCovers(allowed: string, filter: string): boolean {
  if (filter.charAt(0) === "$" && allowed.charAt(0) !== "$") return false;
  const a = allowed.split("/");
  const f = filter.split("/");
  for (let i = 0; i < f.length; i++) {
    if (a[i] === "#") return true;
    if (i >= a.length) return false;
    if (f[i] === "#") return false;
    if (a[i] === "+") continue;
    if (a[i] !== f[i]) return false;
  }
  return a.length === f.length;
}

/** Whether `p` may subscribe to `filter`: only if everything it could match is readable by `p`. */
export function canSubscribe(p: Principal, filter: string): boolean {
  return readableFilters(p).some((a) => filterCovers(a, filter));
}

/** Whether `p` may publish on `topic` (never a wildcard, never `$SYS`). */
export function canPublish(p: Principal, topic: string): boolean {
  if (hasWildcard(topic) || topic.charAt(0) === "$") return false;
  return writableTopics(p).some((f) => topicMatches(f, topic));
}

/** A will (published by the broker on the device's behalf) may only be the device's own status. */
export function willAllowed(p: Principal, topic: string): boolean {
  return p.role === "backend" ? canPublish(p, topic) : topic === deviceTopic(p.msisdn, p.device, "status");
}
