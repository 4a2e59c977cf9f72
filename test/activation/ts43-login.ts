/** A TS.43 client's EAP-AKA login (TS.43 §2.8.1) for tests that then speak the protocol by hand. */
import { answerChallenge, eapId, phoneImsi, type Activation, type Ts43Response } from "../../sim/entitlement/index.js";

/** Authenticates as the smartphone of `msisdn` with its USIM; the answer holds the TOKEN (and the answer to `params`). */
export function login(act: Activation, msisdn: string, params: { [k: string]: string } = {}): Ts43Response {
  const identity = eapId(phoneImsi(msisdn));
  const first = act.service.handle({ app: "ap2006", terminal_id: act.net.number(msisdn).phone.imei, EAP_ID: identity, ...params });
  const packet = new Uint8Array(Buffer.from((JSON.parse(first.body) as { [k: string]: string })["eap-relay-packet"], "base64"));
  const a = answerChallenge(act.service.usimOf(msisdn), identity, packet);
  return act.service.handle({ "eap-relay-packet": Buffer.from(a.packet).toString("base64") });
}
