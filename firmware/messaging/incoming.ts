/**
 * What happens to one PDU the modem hands over (from `+CMT`, `+CDS`, `+CMGR` or `+CMGL`):
 *
 * 1. It is decoded. A PDU that is not a well-formed SMS-DELIVER or SMS-STATUS-REPORT goes
 *    to the quarantine with the codec's error; it never throws past here.
 * 2. A status report is matched to the message this device sent (outbox.ts, R66).
 * 3. A part whose identity (R75) is known is a duplicate and is dropped.
 * 4. Otherwise the part is persisted (`sms.p.<hash>`). Only then may the caller delete it
 *    from the modem or acknowledge it: a power cut at any instant loses nothing.
 * 5. `settle` puts complete messages into the inbox (the moment a message counts as
 *    delivered to the user), then removes their parts. A cut in between leaves parts
 *    whose identities the inbox already holds; `load` removes them without delivering
 *    again.
 *
 * Incomplete messages are bounded: a message still incomplete `partTimeoutMs` after its
 * first part, or the oldest one when more than `maxPendingParts` parts are held, is put
 * into the inbox as it is, with the numbers of the missing parts (ModemManager's
 * half-built messages never expired; oFono never expired its partial ones).
 *
 * Plain functions over the hot state (state.ts: the parts held are `s.held`), part of the
 * cold receive module (receiver.ts).
 */
import { decodePdu, statusCategory, type SmsDeliver } from "../../drivers/sms/index.js";
import { errorText } from "./errors.js";
import { addToInbox, inboxKnows, trimInbox } from "./inbox.js";
import { recordReport } from "./outbox.js";
import { assemble, groupAll, groupComplete, groupFirstAt, groupParts, heldAdd, heldGroups, heldHas, heldRemove, makeHeld } from "./parts.js";
import { addToQuarantine } from "./quarantine.js";
import type { SmsHost } from "./state.js";
import { KEY } from "./store.js";

/** A status report for a message this device sent (R66). */
export interface StatusReportEvent {
  /** The outbox / history id of the message, or null when no message of ours has that reference. */
  id: number | null;
  /** The recipient the report is about. */
  to: string;
  /** Part number (1-based) and part count of the message, 0 when unmatched. */
  part: number;
  parts: number;
  mr: number;
  /** TP-ST (23.040 §9.2.3.15) and what it means. */
  status: number;
  category: "delivered" | "pending" | "failed" | "gave-up" | "reserved";
  delivered: boolean;
}

interface PartRecord {
  pdu: string;
  at: number;
}

function deliver(s: SmsHost, group: string): Promise<void> {
  const all = groupAll(s.held, group);
  const msg = assemble(groupParts(s.held, group));
  msg.ids = [];
  for (let i = 0; i < all.length; i++) msg.ids.push(all[i].hash);
  return addToInbox(s, msg, s.clock.now())
    .then(function (m) {
      s.events.emit("received", m);
      let p: Promise<void> = Promise.resolve();
      for (let i = 0; i < all.length; i++) {
        const h = all[i].hash;
        heldRemove(s.held, h);
        p = p.then(function () {
          return s.store.remove(KEY.part + h);
        });
      }
      return p;
    })
    .then(function () {
      return trimInbox(s);
    });
}

/** Delivers complete groups, expired ones and, beyond the bound, the oldest incomplete ones. */
export function settleAll(s: SmsHost): Promise<void> {
  const groups = heldGroups(s.held);
  const now = s.clock.now();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (groupComplete(s.held, g) || now - groupFirstAt(s.held, g) >= s.opts.partTimeoutMs) {
      return deliver(s, g).then(function () {
        return settleAll(s);
      });
    }
  }
  if (s.held.length > s.opts.maxPendingParts && groups.length > 0) {
    return deliver(s, groups[0]).then(function () {
      return settleAll(s);
    });
  }
  return Promise.resolve();
}

/** Delivers the group if complete, then whatever the bounds say must go. */
export function settle(s: SmsHost, group: string): Promise<void> {
  const first = group !== "" && groupComplete(s.held, group) ? deliver(s, group) : Promise.resolve();
  return first.then(function () {
    return settleAll(s);
  });
}

/** Reads the persisted parts (after the inbox is loaded), then settles what is due. */
export function loadParts(s: SmsHost): Promise<void> {
  return s.store
    .readAll(KEY.part, function (key, e) {
      s.log("sms: part " + key + " unreadable, skipped: " + errorText(e));
    })
    .then(function (recs) {
      let p: Promise<void> = Promise.resolve();
      for (let i = 0; i < recs.length; i++) {
        const key = recs[i].key;
        const rec = recs[i].value as PartRecord;
        let d: SmsDeliver | undefined = undefined;
        try {
          const pdu = decodePdu(rec.pdu);
          if (pdu.type === "deliver") d = pdu;
        } catch (e) {
          s.log("sms: part " + key + " no longer decodes: " + errorText(e));
        }
        if (!d) continue;
        const held = makeHeld(d, rec.at);
        // Delivered just before a cut: the inbox has it, the part record is left over.
        if (inboxKnows(s, held.hash)) {
          p = p.then(function () {
            return s.store.remove(key);
          });
        } else heldAdd(s.held, held);
      }
      return p;
    })
    .then(function () {
      return settleAll(s);
    });
}

/** Keeps what the modem gave aside with `error` (quarantine.ts); resolves "" once durable. */
export function setAside(s: SmsHost, hex: string, error: string, source: string): Promise<string> {
  s.log("sms: unreadable PDU from " + source + " quarantined: " + error);
  return addToQuarantine(s, hex, error, source, s.clock.now()).then(function (q) {
    s.events.emit("quarantined", q);
    return "";
  });
}

/**
 * Takes one PDU. Resolves once it is safe for the modem to forget it (persisted,
 * quarantined, or known to be a duplicate), with the group to `settle` afterwards (or
 * ""). Rejects only when it could not be made durable: then the modem must keep it.
 */
export function acceptPdu(s: SmsHost, hex: string, tpduLength: number | undefined, source: string): Promise<string> {
  let pdu;
  try {
    pdu = decodePdu(hex, tpduLength === undefined ? undefined : { tpduLength: tpduLength });
  } catch (e) {
    return setAside(s, hex, errorText(e), source);
  }
  if (pdu.type === "submit") return setAside(s, hex, "an SMS-SUBMIT is not an incoming message", source);
  if (pdu.type === "status-report") {
    const sr = pdu;
    return recordReport(s.store, s.ob, sr.mr, sr.recipient.number, sr.status).then(function (match) {
      const cat = statusCategory(sr.status);
      if (!match || match.changed) {
        s.events.emit("statusReport", {
          id: match ? match.message.id : null,
          to: match ? match.message.to : sr.recipient.number,
          part: match ? match.part + 1 : 0,
          parts: match ? match.message.mrs.length : 0,
          mr: sr.mr,
          status: sr.status,
          category: cat,
          delivered: cat === "delivered",
        });
      }
      return "";
    });
  }
  const held = makeHeld(pdu, s.clock.now());
  if (heldHas(s.held, held.hash) || inboxKnows(s, held.hash)) {
    s.log("sms: duplicate part " + held.seq + "/" + held.total + " from " + pdu.originator.number + " dropped (R75)");
    return Promise.resolve("");
  }
  const rec: PartRecord = { pdu: hex, at: held.at };
  return s.store.put(KEY.part + held.hash, rec).then(function () {
    heldAdd(s.held, held);
    return held.group;
  });
}
