/**
 * Which call a +CLCC entry is (firmware/line/line.ts apply()), when a normal dial and an
 * emergency dial are both not yet listed by the modem (SPEC R50, R92). The 72 h soak
 * (seed 15, n19a2 at +21.728 h) showed the emergency call released with the previous
 * call's +CEER cause (19) and adopted again: the entry for 119 had been taken by the
 * normal call dialled before it, the first unlisted outgoing call whatever its number.
 *
 * A scripted modem (exact bytes), the real channel and Line on the virtual clock.
 */
import test from "ava";
import { channelRig, outcome } from "../support/fake-modem.js";
import { defaultLineOptions, Line } from "../../firmware/line/line.js";
import type { Call } from "../../firmware/line/call.js";

function lineRig() {
  const c = channelRig();
  const line = new Line(
    c.channel,
    c.clock,
    { simReady: () => true, emergencyNumbers: () => [], emergencyAllowed: () => true, whenReady: () => Promise.resolve(true) },
    { ...defaultLineOptions, callCheckMs: 0, setupCheckMs: 0 },
  );
  const ended: Call[] = [];
  const adopted: Call[] = [];
  line.events.on("callEnded", (call) => ended.push({ ...call }));
  line.events.on("adopted", (call) => adopted.push({ ...call }));
  return { ...c, line, ended, adopted };
}

test("R50/R92: a modem busy with a normal ATD when 119 is dialled: CHUP and ATD119 after it, the +CLCC entry for 119 is the emergency call, never the normal one", async (t) => {
  const { line, modem, clock, ended, adopted } = lineRig();
  const normal = outcome(line.dial("+819011112222"));
  await modem.tx("ATD+819011112222;\r");
  await clock.advance(8500); // the modem holds its answer (the network is slow to take the call)
  const emergency = outcome(line.dial("119"));
  const emergencyId = line.current().find((c) => c.emergency)!.id;
  await clock.advance(500);
  await modem.tx("AT+CMEE?\r"); // the normal ATD stepped aside: resynchronise first
  await clock.advance(500);
  await modem.tx("AT+CHUP\r"); // the probe was held (busy, no hang): R50's release goes next
  // The modem answers in order: the normal ATD, the probe, CHUP (which ends the normal call).
  await modem.rx("\r\nOK\r\n\r\n+CMEE: 1\r\n\r\nOK\r\n\r\nOK\r\n");
  t.true(normal.settled);
  await modem.tx("ATD119;\r");
  await modem.rx("\r\nOK\r\n");
  t.true(emergency.settled);
  await modem.tx("AT+CLCC\r");
  await modem.rx('\r\n+CLCC: 1,0,2,0,0,"119",129\r\n\r\nOK\r\n');
  // The normal call is gone: its release cause is read (it is the last one released: CHUP's).
  await modem.tx("AT+CEER\r");
  await modem.rx('\r\n+CEER: 16,"Normal call clearing"\r\n\r\nOK\r\n');
  await modem.tx("AT+CLCC\r");
  await modem.rx('\r\n+CLCC: 1,0,2,0,0,"119",129\r\n\r\nOK\r\n');
  t.deepEqual(
    ended.map((c) => [c.number, c.end!.cause]),
    [["+819011112222", 16]],
    "only the normal call ended",
  );
  t.deepEqual(adopted, [], "the emergency call was never adopted again");
  const here = line.current();
  t.deepEqual(
    here.map((c) => [c.id, c.number, c.emergency, c.status, c.index]),
    [[emergencyId, "119", true, "dialing", 1]],
  );
});
