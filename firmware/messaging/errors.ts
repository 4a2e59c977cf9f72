/**
 * Typed errors of the messaging layer (made with defineError, so they work on Espruino).
 *
 * `MessagingError.code` says what was wrong, for code that reacts to it:
 * - `capability`: the board cannot do SMS on its own (SPEC R64, R65, R71); nothing was
 *   sent to the modem;
 * - `bad-number`, `bad-text`, `too-long`, `bad-code`: the caller's input was refused
 *   before anything reached the AT line;
 * - `refused-locally`: a service code this device must not send (R69);
 * - `storage`: the message could not be made durable, so it was not accepted.
 * `message` is a sentence for people.
 */
import { defineError } from "../../hal/errors.js";

export type MessagingErrorCode = "capability" | "bad-number" | "bad-text" | "too-long" | "bad-code" | "refused-locally" | "storage";

export const MessagingError = defineError<{ code: MessagingErrorCode; detail: string }>("MessagingError");

/** Makes a MessagingError whose message is `message`. */
export function messagingError(code: MessagingErrorCode, message: string, detail?: string): Error {
  return MessagingError(message, { code: code, detail: detail === undefined ? message : detail });
}

/** The message of any thrown value, for logs and records. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
