/**
 * The RAK8212's feature set, part 5 of 5 (bench/espruino/rak8212/hal.ts says what the
 * parts are for). One module per part, so that a stage bundles only the parts it stacks.
 */
import type { AtChannel } from "../../../drivers/at/index.js";
import type { ModemManager } from "../../../firmware/modem/manager.js";
import { Emitter } from "../../../hal/emitter.js";
import type { MessagingEvents, MessagingOptions } from "../../../firmware/messaging/index.js";
import { rcvLoad, rcvRouted, rcvStored } from "../../../firmware/messaging/receiver.js";
import { syncJob } from "../../../firmware/messaging/sync.js";
import { newRxState, type SmsHost } from "../../../firmware/messaging/state.js";
import { Store } from "../../../firmware/messaging/store.js";
import { kept, type RakHal } from "./hal.js";

/**
 * Part 5: SMS receive (+CMTI/+CMT, PDU decoding, concatenation, the persistent inbox and
 * quarantine; firmware/messaging/receiver.ts and what it calls, a cold module as on the
 * watch) without the send side: no outbox, so a status report finds no message of this
 * device (it sends none). The state is the one firmware/messaging/index.ts's Messaging
 * keeps for the receive side (state.ts).
 */
export function rakSmsReceive(h: RakHal, ch: AtChannel, modem: ModemManager): SmsHost {
  // firmware/messaging's defaults (defaultMessagingOptions); importing them from its
  // index.ts would bundle the send side this part leaves out.
  const o = { routing: "stored" as const, readTimeoutMs: 30000, maxInbox: 50, maxSeen: 200, maxQuarantine: 20, maxPendingParts: 40, partTimeoutMs: 24 * 3600 * 1000 };
  const events = new Emitter<MessagingEvents>();
  const log = function (line: string) {
    console.log(line);
  };
  events.on("received", function (m) {
    log("SMS from " + m.from + " (" + m.parts + " parts" + (m.missing.length ? ", missing " + m.missing.join(",") : "") + "): " + m.text);
  });
  const s = {
    channel: ch,
    clock: h.clock,
    store: new Store(h.storage),
    opts: o as unknown as MessagingOptions,
    events: events,
    ob: { pending: [], history: [], nextId: 1, lastMr: 0, refCount: 0, busy: false, told: false },
    rx: newRxState(o.routing, function (e) {
      log("sms: receive job failed: " + String(e));
    }),
    ib: { index: [], seen: [], nextId: 1 },
    qs: { keys: [], nextId: 1 },
    held: [],
    log: log,
    armExpiry: function () {},
  } as unknown as SmsHost;
  const stored = function (line: string) {
    s.rx.jobs.add(function () {
      return rcvStored(s, line);
    }, false);
  };
  ch.onUrc("+CMTI:", stored);
  ch.onUrc("+CDSI:", stored);
  const routed = function (line: string, pdu: string | undefined) {
    s.rx.jobs.add(function () {
      return rcvRouted(s, line, pdu);
    }, true);
  };
  ch.onUrc("+CMT:", routed, { pdu: true });
  ch.onUrc("+CDS:", routed, { pdu: true });
  s.rx.jobs.hold(rcvLoad(s));
  modem.events.on("state", function (st) {
    if (st.name !== "ready") return;
    s.rx.active = true;
    s.rx.jobs.clear();
    s.rx.mem1 = "";
    s.rx.jobs.add(function () {
      return syncJob(s, false);
    }, false);
  });
  kept.sms = s;
  kept.inbox = {
    size: function () {
      return s.ib.index.length;
    },
  };
  return s;
}
