/**
 * Two accessories of one number share the originating address, so a receiver that
 * reassembles by originator + reference + total (23.040 §9.2.3.24.1) merges their parts
 * if both pick the same concatenation reference. Each device draws its references from a
 * base of its own (from its IMEI) plus a persisted counter, in the 16-bit reference
 * (IE 0x08) by default.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { Fleet } from "../../tools/soak/fleet.js";
import { referenceBase } from "../../firmware/messaging/outbox.js";

const LONG_A =
  "Accessory one here: this message is long enough to need several parts of a concatenated SMS, and every one of them " +
  "must reach the party in one piece, never mixed with the parts of a message another device of this number sends.";
const LONG_B =
  "Accessory two speaking: a different long text, sent at the same moment to the same party from the same shared number, " +
  "which the party must receive as a message of its own and intact, whatever the other accessory does meanwhile.";

test("R62/R73: two accessories of one number send multi-part SMS at the same time to one party: the party receives two intact messages", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const fleet = new Fleet({ clock, numbers: 1, accessories: 2, parties: 1, boards: ["sim-generic"] });
  await clock.advance(5000);
  const [a1, a2] = fleet.accessories;
  t.true(a1.fw.modem.ready() && a2.fw.modem.ready(), "both accessories are up");
  const party = fleet.parties[0];
  const s1 = a1.fw.messaging.send(party.number, LONG_A);
  const s2 = a2.fw.messaging.send(party.number, LONG_B);
  await clock.advance(60000);
  await Promise.all([s1, s2]);
  const got = party.messages();
  t.deepEqual(
    got.map((m) => [m.text, m.complete]).sort(),
    [
      [LONG_A, true],
      [LONG_B, true],
    ].sort(),
  );
  t.not(got[0].ref, got[1].ref, "each device picked a reference of its own");
  fleet.stop();
});

test("R62: the reference counter is persisted: after a restart in the middle of a message, the next message takes the next reference, and both arrive intact", async (t) => {
  const clock = new VirtualClock(Date.UTC(2026, 10, 25, 1, 0, 0));
  const fleet = new Fleet({ clock, numbers: 1, accessories: 1, parties: 1, boards: ["sim-generic"] });
  await clock.advance(5000);
  const a = fleet.accessories[0];
  const party = fleet.parties[0];
  const parts: string[] = [];
  a.onCommand = (line) => {
    if (line.startsWith("AT+CMGS=")) parts.push(line);
  };
  await a.fw.messaging.send(party.number, LONG_A);
  while (parts.length < 1) await clock.advance(10);
  fleet.restart(a, false);
  await clock.advance(5000);
  await a.fw.messaging.send(party.number, LONG_B);
  await clock.advance(60000);
  const got = party.messages();
  t.deepEqual(got.map((m) => [m.text, m.complete]), [
    [LONG_A, true],
    [LONG_B, true],
  ]);
  const base = referenceBase(a.modem.identity.imei);
  t.deepEqual(
    got.map((m) => m.ref),
    [(base + 1) & 0xffff, (base + 2) & 0xffff],
    "this device's base plus its persisted counter: the restart reused nothing",
  );
  fleet.stop();
});
