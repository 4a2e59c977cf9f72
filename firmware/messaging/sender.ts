/**
 * The sending loop: one outbox message at a time, one part at a time, through
 * `AT+CMGS=<length>` in prompt mode (27.005 §3.5.1; the engine writes the PDU and Ctrl-Z
 * after `> `). Every part the modem confirms with `+CMGS: <mr>` is written to the record
 * before the next part goes, so after any interruption only unconfirmed parts are sent
 * again.
 *
 * Exactly once (outbox.ts): each part's TP-MR is stored before the part is written; a
 * part written before but never confirmed (a time-out, a modem restart, the process
 * killed) goes again with the same TP-MR and TP-RD = 1, and the service centre's
 * "duplicate" refusal (`+CMS ERROR: 197`, 23.040 §9.2.3.22 TP-FCS 0xC5) means it had it.
 *
 * Failures: a refusal that cannot get better (a `+CMS ERROR` that names the message or the
 * recipient as the problem) ends the message at once; anything else (no network, network
 * time-out, SIM busy, a command time-out) is retried with exponential back-off, and after
 * `maxAttempts` the message fails for good with the last error. A command aborted by a
 * modem restart does not count as an attempt: the loop waits for the modem to be ready.
 *
 * A cold module on the watch (`sl.out`, tools/bundle.ts COLD_MODULES): plain functions
 * over the hot Messaging object's state (state.ts), loaded for a call and dropped after;
 * the outbox's record keeping (outbox.ts) and the PDU encoder come with it. The hot side
 * keeps the loop's flag and timer (Messaging.kick).
 */
import { AtAbortedError, AtArgumentError, AtCommandError, atInt } from "../../drivers/at/index.js";
import { requireSms } from "./capability.js";
import { errorText, messagingError } from "./errors.js";
import {
  acceptMessage,
  assignMr,
  assignRef,
  buildPart,
  buildParts,
  finishMessage,
  loadOutbox,
  readHistory,
  saveMessage,
  validateNumber,
  validateText,
  type OutMessage,
} from "./outbox.js";
import type { SmsHost } from "./state.js";

/**
 * `+CMS ERROR` codes after which trying again cannot help: 24.011 Annex E-2 RP causes
 * (unassigned number, barred, rejected, unknown subscriber, not subscribed, invalid
 * message), 23.040 §9.2.3.22 TP-FCS values 0x80–0xBF and the permanent 0xC1, 0xC3–0xC7,
 * and 27.005 §3.2.5 "operation not supported" / invalid PDU parameters.
 */
export function permanentCms(code: number): boolean {
  const rp = [1, 8, 10, 21, 29, 30, 50, 69, 96, 97, 99, 111, 127];
  if (rp.indexOf(code) >= 0) return true;
  if (code >= 0x80 && code <= 0xbf) return true;
  if (code === 0xc1 || (code >= 0xc3 && code <= 0xc7)) return true;
  return code === 303 || code === 304 || code === 305;
}

/** 23.040 §9.2.3.22 TP-FCS "SM Rejected - Duplicate SM", as `+CMS ERROR: 197`. */
export const CMS_DUPLICATE_SM = 0xc5;

/** `+CMGS: <mr>[,<scts>]` → TP-MR, or -1. */
export function parseCmgs(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].indexOf("+CMGS:") !== 0) continue;
    const mr = parseInt(lines[i].substr(6), 10);
    if (mr >= 0 && mr <= 255) return mr;
  }
  return -1;
}

function complete(s: SmsHost, m: OutMessage): Promise<void> {
  m.state = "sent";
  m.done = s.clock.now();
  return finishMessage(s.store, s.ob, m, s.opts.maxHistory).then(function () {
    s.events.emit("sent", m);
  });
}

function fail(s: SmsHost, m: OutMessage, reason: string): Promise<void> {
  m.state = "failed";
  m.error = reason;
  m.done = s.clock.now();
  return finishMessage(s.store, s.ob, m, s.opts.maxHistory).then(function () {
    s.events.emit("sendFailed", m);
  });
}

function failure(s: SmsHost, m: OutMessage, e: unknown): Promise<void> {
  const now = s.clock.now();
  const text = errorText(e);
  if (AtAbortedError.is(e)) {
    // The modem restarted or the link closed: not the message's fault.
    m.next = now + 1000;
    m.error = text;
    return saveMessage(s.store, m);
  }
  if (AtArgumentError.is(e) || (AtCommandError.is(e) && e.kind === "cms" && e.code !== undefined && permanentCms(e.code))) {
    return fail(s, m, text);
  }
  m.attempts++;
  m.error = text;
  if (m.attempts >= s.opts.maxAttempts) return fail(s, m, "gave up after " + m.attempts + " attempts: " + text);
  let wait = s.opts.retryBaseMs;
  for (let k = 1; k < m.attempts; k++) wait = wait * 3;
  m.next = now + (wait < s.opts.retryMaxMs ? wait : s.opts.retryMaxMs);
  s.log("sms: outbox " + m.id + ": attempt " + m.attempts + " failed (" + text + "), again in " + (m.next - now) + " ms");
  return saveMessage(s.store, m);
}

/** Writes part `index` with TP-MR `tpMr` (TP-RD when `repeat`) and records the outcome. */
function submit(s: SmsHost, m: OutMessage, index: number, tpMr: number, repeat: boolean): Promise<void> {
  let cmd: string;
  let hex: string;
  try {
    const part = buildPart(m, s.opts.maxParts, index, tpMr, repeat);
    hex = part.hex;
    cmd = "AT+CMGS=" + atInt("TPDU length", part.tpduLength, 1, 255);
  } catch (e) {
    return fail(s, m, errorText(e));
  }
  return s.channel.send({ cmd: cmd, mode: "prompt", payload: hex, prefixes: ["+CMGS:"], timeoutMs: s.opts.cmgsTimeoutMs }).then(
    function (r) {
      const mr = parseCmgs(r.lines);
      if (mr < 0) return failure(s, m, new Error("the modem confirmed part " + (index + 1) + " without a message reference"));
      if (mr !== tpMr && !s.ob.told) {
        s.ob.told = true;
        s.log("sms: the modem numbers messages itself (TP-MR " + tpMr + " became " + mr + "): a part interrupted mid-send may reach the recipient twice");
      }
      m.mrs[index] = mr;
      m.error = "";
      return saveMessage(s.store, m);
    },
    function (e) {
      if (repeat && AtCommandError.is(e) && e.kind === "cms" && e.code === CMS_DUPLICATE_SM) {
        // The service centre already holds this part: it was delivered before the interruption.
        s.log("sms: outbox " + m.id + " part " + (index + 1) + " had already reached the service centre (duplicate refused)");
        m.mrs[index] = tpMr;
        m.error = "";
        return saveMessage(s.store, m);
      }
      return failure(s, m, e);
    },
  );
}

/** Sends the next unconfirmed part of `m`, or finishes it. */
function step(s: SmsHost, m: OutMessage): Promise<void> {
  if (m.ref < 0 && m.mrs.length > 1) {
    return assignRef(s.store, s.ob, m, s.modem.identity ? s.modem.identity() : "").then(function () {
      return step(s, m);
    });
  }
  let parts;
  try {
    parts = buildParts(m, s.opts.maxParts);
  } catch (e) {
    return fail(s, m, "the message cannot be encoded: " + errorText(e));
  }
  if (parts.length !== m.mrs.length) return fail(s, m, "the message no longer splits into " + m.mrs.length + " parts");
  let i = 0;
  while (i < m.mrs.length && m.mrs[i] !== null) i++;
  if (i === m.mrs.length) return complete(s, m);
  const index = i;
  const known = m.tpMrs[i];
  const repeat = known !== null && known !== undefined;
  const assigned: Promise<number> = repeat ? Promise.resolve(known as number) : assignMr(s.store, s.ob, m, i);
  return assigned.then(function (tpMr) {
    return submit(s, m, index, tpMr, repeat);
  });
}

/** Reads the outbox's records into `s.ob` (at start, once). */
export function outboxLoad(s: SmsHost): Promise<void> {
  return loadOutbox(s.store, s.ob, function (line) {
    s.log(line);
  });
}

/** The sent history, oldest first. */
export function sentHistory(s: SmsHost): Promise<OutMessage[]> {
  return s.loaded.then(function () {
    return readHistory(s.store);
  });
}

/**
 * Messaging.send: validates, makes the message durable, resolves with its outbox id and
 * kicks the sender. Rejects with MessagingError before anything reaches the modem.
 */
export function sendAccept(s: SmsHost, to: string, text: string, options?: { statusReport?: boolean }): Promise<number> {
  let number: string;
  let parts: number;
  try {
    requireSms(s.caps.sms, "cannot send the message");
    number = validateNumber(to);
    parts = validateText(text, s.opts.maxParts, s.opts.concatRefBits);
  } catch (e) {
    return Promise.reject(e);
  }
  const sr = !!(options && options.statusReport);
  return s.loaded
    .then(function () {
      return acceptMessage(s.store, s.ob, number, text, sr, parts, s.clock.now(), s.opts.concatRefBits);
    })
    .then(
      function (m) {
        s.kick();
        return m.id;
      },
      function (e) {
        throw messagingError("storage", "the message could not be stored, so it was not accepted: " + errorText(e));
      },
    );
}

/**
 * One turn of the sending loop (Messaging.kick calls it when sending may go on): sends
 * the next part of the first message due and resolves with 0 (look again at once), or
 * with how long until the next one is due (ms), or -1 when nothing is pending.
 */
export function sendNext(s: SmsHost): Promise<number> {
  const now = s.clock.now();
  const list = s.ob.pending;
  let due: OutMessage | undefined = undefined;
  let earliest = Infinity;
  for (let i = 0; i < list.length; i++) {
    if (list[i].state !== "pending") continue;
    if (list[i].next <= now) {
      due = list[i];
      break;
    }
    if (list[i].next < earliest) earliest = list[i].next;
  }
  if (!due) return Promise.resolve(earliest < Infinity ? earliest - now : -1);
  const m = due;
  return step(s, m).then(
    function () {
      return 0;
    },
    function (e) {
      s.log("sms: outbox " + m.id + ": " + errorText(e));
      // Whatever failed (storage, most likely), do not spin: look again later.
      m.next = s.clock.now() + s.opts.retryBaseMs;
      return 0;
    },
  );
}

