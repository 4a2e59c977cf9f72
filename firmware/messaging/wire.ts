/**
 * How the firmware hangs messaging on itself: build it over the firmware's channel and
 * clock, forward its log, start it each time the modem becomes ready (after every
 * bring-up: a restarted modem is re-read), stop it with the firmware.
 *
 * firmware/main.ts calls this in createFirmware (`fw.messaging = attachMessaging(...)`);
 * tests call it on a firmware they built.
 */
import type { Storage } from "../../hal/types.js";
import type { Emitter } from "../../hal/emitter.js";
import type { AtChannel } from "../../drivers/at/index.js";
import type { Clock } from "../../hal/types.js";
import type { Board } from "../board.js";
import type { ModemManager } from "../modem/manager.js";
import { Messaging, type MessagingOptions } from "./index.js";

export interface MessagingHost {
  board: Board;
  channel: AtChannel;
  modem: ModemManager;
  events: Emitter<{ log: string }>;
  /**
   * True while submissions must wait: an emergency call is being set up (R45), and a
   * `+CMGS` that holds the AT channel for the network's answer would delay its +CLCC
   * reads. Call `messaging.resume()` when it turns false.
   */
  holdSending?: () => boolean;
}

/** Builds messaging for `host`, started on every `ready`; it does nothing until then. */
export function attachMessaging(host: MessagingHost, clock: Clock, storage: Storage | undefined, options?: Partial<MessagingOptions>): Messaging {
  const modem = host.modem;
  const messaging = new Messaging(
    host.channel,
    clock,
    storage,
    host.board.capabilities,
    {
      ready: function () {
        return modem.status().state.name === "ready" && !(host.holdSending && host.holdSending());
      },
      identity: function () {
        return modem.status().info.imei;
      },
    },
    options,
  );
  messaging.events.on("log", function (m) {
    host.events.emit("log", m);
  });
  modem.events.on("state", function (st) {
    if (st.name === "ready") messaging.start();
  });
  // Already up (attached late): start now.
  if (modem.status().state.name === "ready") messaging.start();
  return messaging;
}
