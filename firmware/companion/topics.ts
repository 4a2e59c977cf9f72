/**
 * Topic layout and payloads of the companion link (companion-link.md §5).
 *
 *   sl/v1/<msisdn>/line               retained, line-wide facts            writer: backend
 *   sl/v1/<msisdn>/dev/<id>/status    retained, presence (+ the will)      writer: device
 *   sl/v1/<msisdn>/dev/<id>/state     retained, registration, call, signal writer: device
 *   sl/v1/<msisdn>/dev/<id>/desired   retained, what the backend wants     writer: backend
 *   sl/v1/<msisdn>/dev/<id>/cmd       QoS 1, commands with ids             writer: backend
 *   sl/v1/<msisdn>/dev/<id>/ack       QoS 1, one ack per command id        writer: device
 *
 * The number goes in as E.164 digits without `+` (3.1.1 §4.7.1 forbids `+` in topic
 * names, and mosquitto denies ACL access to names containing it). Payloads are
 * single-line ASCII JSON of at most 1 KB: under the modem stacks' limits (1548 on BG95),
 * safe for line-oriented URC parsing; anything else is escaped as `\uXXXX`.
 */
import { defineError } from "../../hal/errors.js";

export const PayloadError = defineError<{ topic: string; reason: string }>("PayloadError");

export const MAX_PAYLOAD = 1024;

export interface Topics {
  line: string;
  status: string;
  state: string;
  desired: string;
  cmd: string;
  ack: string;
}

function checkId(what: string, v: string, digitsOnly: boolean): void {
  const ok = digitsOnly ? /^[0-9]+$/.test(v) && v.length >= 6 && v.length <= 15 : /^[A-Za-z0-9_-]+$/.test(v) && v.length <= 64;
  if (!ok) throw new Error("companion: " + what + " " + JSON.stringify(v) + " cannot be a topic level");
}

/** The number as topic digits: `+819012345678` gives `819012345678`. */
export function msisdnDigits(number: string): string {
  const d = number.charAt(0) === "+" ? number.substr(1) : number;
  checkId("number", d, true);
  return d;
}

export function topicsFor(msisdn: string, deviceId: string): Topics {
  const n = msisdnDigits(msisdn);
  checkId("device id", deviceId, false);
  const dev = "sl/v1/" + n + "/dev/" + deviceId + "/";
  return { line: "sl/v1/" + n + "/line", status: dev + "status", state: dev + "state", desired: dev + "desired", cmd: dev + "cmd", ack: dev + "ack" };
}

/** JSON with every character outside printable ASCII escaped: one line, 7-bit clean. */
export function asciiJson(value: unknown): string {
  const s = JSON.stringify(value);
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) out += s.charAt(i);
    else {
      const h = "000" + c.toString(16);
      out += "\\u" + h.substr(h.length - 4);
    }
  }
  return out;
}

/** Encodes a payload to publish; refuses one over the size limit (nothing is sent). */
export function encodePayload(topic: string, value: unknown): string {
  const s = asciiJson(value);
  if (s.length > MAX_PAYLOAD) throw PayloadError(topic + ": payload of " + s.length + " bytes is over " + MAX_PAYLOAD, { topic, reason: "too long" });
  return s;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = { [key: string]: any };

/** Decodes a received payload: an object with `v: 1`, or a PayloadError saying what is wrong. */
export function decodePayload(topic: string, payload: string): Json {
  if (payload.length > MAX_PAYLOAD) throw PayloadError(topic + ": payload over " + MAX_PAYLOAD + " bytes", { topic, reason: "too long" });
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch (e) {
    throw PayloadError(topic + ": not JSON", { topic, reason: "not JSON" });
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw PayloadError(topic + ": not a JSON object", { topic, reason: "not an object" });
  const o = v as Json;
  if (o.v !== 1) throw PayloadError(topic + ": schema version " + JSON.stringify(o.v) + " is not 1", { topic, reason: "version" });
  return o;
}
