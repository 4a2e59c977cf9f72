/**
 * Capability gating (SPEC R5, R64, R65, R71): a board whose `sms` capability is not
 * `native` refuses every SMS operation with a sentence that says why, before anything
 * reaches the modem. Bring-up already keeps deliveries off such a board
 * (drivers/modems/generic.ts sets `AT+CNMI=0,...`).
 */
import type { SmsCapability } from "../board.js";
import { messagingError } from "./errors.js";

/** Why SMS cannot be used on a board with this capability; "" when it can (native). */
export function smsRefusal(sms: SmsCapability): string {
  if (sms === "native") return "";
  if (sms === "relay") {
    // R64: an Apple-Watch-type device sends only through its paired phone; on its own
    // cellular link sending fails at once. R71: service codes do nothing there either.
    return "SMS go only through the paired phone, not this device's own cellular link";
  }
  // R65: a BMW-type device has no SMS at all; say so before the user writes a message.
  return "this device has no SMS: it can neither send nor receive messages";
}

/** Throws a `capability` MessagingError unless the board has native SMS. */
export function requireSms(sms: SmsCapability, what: string): void {
  const why = smsRefusal(sms);
  if (why !== "") throw messagingError("capability", what + ": " + why, sms);
}
