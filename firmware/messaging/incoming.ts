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
 */
import type { Clock } from "../../hal/types.js";
import { decodePdu, statusCategory, type SmsDeliver } from "../../drivers/sms/index.js";
import { errorText } from "./errors.js";
import type { Inbox, InboxMessage } from "./inbox.js";
import { recordReport } from "./outbox.js";
import type { OutboxState } from "./state.js";
import { assemble, makeHeld, PendingParts } from "./parts.js";
import type { Quarantine, QuarantinedPdu } from "./quarantine.js";
import { KEY, type Store } from "./store.js";

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

export interface IncomingHooks {
  received(m: InboxMessage): void;
  statusReport(r: StatusReportEvent): void;
  quarantined(q: QuarantinedPdu): void;
  log(line: string): void;
}

export interface IncomingOptions {
  maxPendingParts: number;
  partTimeoutMs: number;
}

interface PartRecord {
  pdu: string;
  at: number;
}

export class Incoming {
  readonly parts = new PendingParts();

  constructor(
    private readonly store: Store,
    private readonly inbox: Inbox,
    private readonly quarantine: Quarantine,
    private readonly outbox: OutboxState,
    private readonly clock: Clock,
    private readonly opts: IncomingOptions,
    private readonly hooks: IncomingHooks,
  ) {}

  /** Reads the persisted parts (after the inbox is loaded), then settles what is due. */
  load(): Promise<void> {
    const self = this;
    return this.store
      .readAll(KEY.part, function (key, e) {
        self.hooks.log("sms: part " + key + " unreadable, skipped: " + errorText(e));
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
            self.hooks.log("sms: part " + key + " no longer decodes: " + errorText(e));
          }
          if (!d) continue;
          const held = makeHeld(d, rec.at);
          // Delivered just before a cut: the inbox has it, the part record is left over.
          if (self.inbox.knows(held.hash)) {
            p = p.then(function () {
              return self.store.remove(key);
            });
          } else self.parts.add(held);
        }
        return p;
      })
      .then(function () {
        return self.settleAll();
      });
  }

  /**
   * Takes one PDU. Resolves once it is safe for the modem to forget it (persisted,
   * quarantined, or known to be a duplicate), with the group to `settle` afterwards (or
   * ""). Rejects only when it could not be made durable: then the modem must keep it.
   */
  accept(hex: string, tpduLength: number | undefined, source: string): Promise<string> {
    let pdu;
    try {
      pdu = decodePdu(hex, tpduLength === undefined ? undefined : { tpduLength: tpduLength });
    } catch (e) {
      return this.setAside(hex, errorText(e), source);
    }
    if (pdu.type === "submit") return this.setAside(hex, "an SMS-SUBMIT is not an incoming message", source);
    if (pdu.type === "status-report") {
      const sr = pdu;
      const hooks = this.hooks;
      return recordReport(this.store, this.outbox, sr.mr, sr.recipient.number, sr.status).then(function (match) {
        const cat = statusCategory(sr.status);
        if (!match || match.changed) {
          hooks.statusReport({
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
    const held = makeHeld(pdu, this.clock.now());
    if (this.parts.has(held.hash) || this.inbox.knows(held.hash)) {
      this.hooks.log("sms: duplicate part " + held.seq + "/" + held.total + " from " + pdu.originator.number + " dropped (R75)");
      return Promise.resolve("");
    }
    const parts = this.parts;
    const rec: PartRecord = { pdu: hex, at: held.at };
    return this.store.put(KEY.part + held.hash, rec).then(function () {
      parts.add(held);
      return held.group;
    });
  }

  /** Keeps what the modem gave aside with `error` (quarantine.ts); resolves "" once durable. */
  setAside(hex: string, error: string, source: string): Promise<string> {
    const hooks = this.hooks;
    hooks.log("sms: unreadable PDU from " + source + " quarantined: " + error);
    return this.quarantine.add(hex, error, source, this.clock.now()).then(function (q) {
      hooks.quarantined(q);
      return "";
    });
  }

  /** Delivers the group if complete, then whatever the bounds say must go. */
  settle(group: string): Promise<void> {
    const self = this;
    const first = group !== "" && this.parts.complete(group) ? this.deliver(group) : Promise.resolve();
    return first.then(function () {
      return self.settleAll();
    });
  }

  /** Delivers complete groups, expired ones and, beyond the bound, the oldest incomplete ones. */
  settleAll(): Promise<void> {
    const groups = this.parts.groups();
    const now = this.clock.now();
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (this.parts.complete(g) || now - this.parts.firstAt(g) >= this.opts.partTimeoutMs) {
        const self = this;
        return this.deliver(g).then(function () {
          return self.settleAll();
        });
      }
    }
    if (this.parts.count() > this.opts.maxPendingParts && groups.length > 0) {
      const self = this;
      return this.deliver(groups[0]).then(function () {
        return self.settleAll();
      });
    }
    return Promise.resolve();
  }

  /** When the oldest incomplete message will be due, or Infinity. */
  nextExpiry(): number {
    const groups = this.parts.groups();
    return groups.length > 0 ? this.parts.firstAt(groups[0]) + this.opts.partTimeoutMs : Infinity;
  }

  private deliver(group: string): Promise<void> {
    const all = this.parts.all(group);
    const msg = assemble(this.parts.group(group));
    msg.ids = [];
    for (let i = 0; i < all.length; i++) msg.ids.push(all[i].hash);
    const self = this;
    return this.inbox
      .add(msg, this.clock.now())
      .then(function (m) {
        self.hooks.received(m);
        let p: Promise<void> = Promise.resolve();
        for (let i = 0; i < all.length; i++) {
          const h = all[i].hash;
          self.parts.remove(h);
          p = p.then(function () {
            return self.store.remove(KEY.part + h);
          });
        }
        return p;
      })
      .then(function () {
        return self.inbox.trim();
      });
  }
}
