/**
 * EmergencyDial on the channel itself: a boot banner that aborts the `ATD` is the modem's
 * sign of life, so the dial is asked for again at once, without waiting for another answer
 * (firmware/line/emergency-dial.ts). The check compared the channel's abort reason,
 * "modem rebooted (RDY)", with a text it never starts with, and the dial waited for the
 * modem's next final result instead (bring-up's first answer, in practice milliseconds
 * later; found by the new-user trial's review, not by a delay seen).
 */
import test from "ava";
import { AtChannel } from "../../drivers/at/index.js";
import { EmergencyDial, defaultEmergencyDialOptions } from "../../firmware/line/emergency-dial.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import type { Serial } from "../../hal/types.js";

test("R45: a boot banner that aborts the emergency ATD has it queued again at once: written after the channel's resync probe even if the modem says nothing more", async (t) => {
  const clock = new VirtualClock();
  const written: string[] = [];
  let feed: (chunk: string) => void = () => undefined;
  const serial: Serial = {
    write: (bytes) => {
      written.push(bytes);
      return Promise.resolve();
    },
    onData: (h) => {
      feed = h;
      return () => undefined;
    },
    onClose: () => () => undefined,
    close: () => Promise.resolve(),
  };
  const channel = new AtChannel(serial, clock);
  const dial = new EmergencyDial(channel, clock, "110", defaultEmergencyDialOptions);
  await clock.advance(10);
  t.deepEqual(written, ["ATD110;\r"]);
  feed("\r\nRDY\r\n");
  // The channel probes (AT+CMEE?, 1 s limit) before the next command after a reboot with
  // a command in flight; the dial is queued behind it, not left waiting for an answer.
  await clock.advance(1500);
  t.deepEqual(written, ["ATD110;\r", "AT+CMEE?\r", "ATD110;\r"]);
  feed("\r\nOK\r\n");
  await clock.advance(10);
  t.deepEqual(await dial.result, { kind: "placed", attempts: 2 });
});
