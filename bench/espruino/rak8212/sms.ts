/**
 * The RAK8212's feature set, part 5 of 5 (bench/espruino/rak8212/hal.ts says what the
 * parts are for). One module per part, so that a stage bundles only the parts it stacks.
 */
import type { AtChannel } from "../../../drivers/at/index.js";
import type { ModemManager } from "../../../firmware/modem/manager.js";
import { Store } from "../../../firmware/messaging/store.js";
import { Inbox } from "../../../firmware/messaging/inbox.js";
import { Quarantine } from "../../../firmware/messaging/quarantine.js";
import { Incoming } from "../../../firmware/messaging/incoming.js";
import { Receiver } from "../../../firmware/messaging/receiver.js";
import type { OutboxState } from "../../../firmware/messaging/state.js";
import { kept, type RakHal } from "./hal.js";

/**
 * Part 5: SMS receive (+CMTI/+CMT, PDU decoding, concatenation, the persistent inbox and
 * quarantine) without the send side: no outbox, so a status report finds no message of
 * this device (it sends none).
 */
export function rakSmsReceive(h: RakHal, ch: AtChannel, modem: ModemManager): Receiver {
  // firmware/messaging's defaults (defaultMessagingOptions); importing them from its
  // index.ts would bundle the send side this part leaves out.
  const o = { routing: "stored" as const, readTimeoutMs: 30000, maxInbox: 50, maxSeen: 200, maxQuarantine: 20, maxPendingParts: 40, partTimeoutMs: 24 * 3600 * 1000 };
  const log = function (line: string) {
    console.log(line);
  };
  const store = new Store(h.storage);
  const inbox = new Inbox(store, o.maxInbox, o.maxSeen, function () {}, log);
  const quarantine = new Quarantine(store, o.maxQuarantine);
  const noOutbox: OutboxState = { pending: [], history: [], nextId: 1, lastMr: 0, refCount: 0, busy: false, told: false };
  const incoming = new Incoming(store, inbox, quarantine, noOutbox, h.clock, o, {
    received: function (m) {
      log("SMS from " + m.from + " (" + m.parts + " parts" + (m.missing.length ? ", missing " + m.missing.join(",") : "") + "): " + m.text);
    },
    statusReport: function () {},
    quarantined: function () {},
    log: log,
  });
  const receiver = new Receiver(ch, incoming, o, log, function () {});
  receiver.holdUntil(
    inbox
      .load()
      .then(function () {
        return quarantine.load();
      })
      .then(function () {
        return incoming.load();
      }),
  );
  modem.events.on("state", function (st) {
    if (st.name === "ready") receiver.sync();
  });
  kept.sms = receiver;
  kept.inbox = inbox;
  return receiver;
}
