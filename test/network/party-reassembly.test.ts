/**
 * The outside party's reassembly of concatenated SMS (23.040 §9.2.3.24.1 leaves the wait
 * for missing parts to the receiver): a message with a lost part is closed after the
 * time limit on the network's clock, stays listed as incomplete and is logged; open
 * messages are bounded in number; a later message that reuses the reference is its own.
 */
import test from "ava";
import { Acc, CALLER, MSISDN, world } from "./harness.js";
import { encodeSubmit, joinAtPdu } from "../../sim/pdu/tpdu.js";
import { Reassembler } from "../../sim/pdu/concat.js";

const CTRL_Z = "\x1a";
const HOUR = 3600 * 1000;

async function sendPart(a: Acc, text: string, ref: number, total: number, seq: number): Promise<string> {
  const tpdu = encodeSubmit({ to: CALLER, text, concat: { ref, total, seq, bits: 8 } });
  await a.at("AT+CMGS=" + tpdu.length);
  return a.send(joinAtPdu("", tpdu) + CTRL_Z, 1);
}

test("R62: a concatenated SMS whose part 2 never arrives is closed after 24 h of network time, listed incomplete and logged", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await sendPart(a1, "first half, ", 7, 2, 1);
  const party = w.net.outside(CALLER);
  t.is(party.incompleteOpen, 1, "waiting for part 2");
  await w.run(23 * HOUR);
  t.is(party.incompleteOpen, 1, "still waiting before the time limit");
  t.deepEqual(w.net.log.entries.filter((e) => e.kind === "sms-expired"), []);
  await w.run(1 * HOUR + 1000);
  t.is(party.incompleteOpen, 0, "closed at the time limit: nothing kept waiting");
  const m = party.messages();
  t.deepEqual(m.map((x) => [x.peer, x.text, x.complete, x.received]), [[MSISDN, "first half, ", false, [1]]]);
  const logged = w.net.log.entries.filter((e) => e.kind === "sms-expired");
  t.is(logged.length, 1);
  t.is(logged[0].detail.party, CALLER);
  t.is(logged[0].detail.received, "1");
  // The lost part turning up after the close does not reopen the old message.
  await sendPart(a1, "second half", 7, 2, 2);
  t.is(party.messages().length, 2, "a late part starts a message of its own");
  t.false(party.messages()[0].complete);
});

test("R62: a completed message closes its group, so a later message reusing its 8-bit reference is not merged into it", async (t) => {
  const w = await world();
  const a1 = await w.accessory();
  await sendPart(a1, "a1", 9, 2, 1);
  await sendPart(a1, "a2", 9, 2, 2);
  await sendPart(a1, "b1", 9, 2, 1);
  await sendPart(a1, "b2", 9, 2, 2);
  t.deepEqual(w.net.outside(CALLER).messages().map((m) => [m.text, m.complete]), [["a1a2", true], ["b1b2", true]]);
});

test("Reassembler: open messages are bounded; one too many closes the oldest as it is", (t) => {
  const closed: string[] = [];
  const r = new Reassembler({ timeoutMs: HOUR, maxOpen: 3 }, (m, why) => closed.push(m.ref + ":" + why));
  for (let ref = 1; ref <= 5; ref++) r.add({ peer: "+8190", text: "p" + ref, concat: { ref, total: 2, seq: 1, bits: 8 } }, ref);
  t.is(r.openCount, 3);
  t.deepEqual(closed, ["1:overflow", "2:overflow"]);
  t.is(r.nextDeadline(), 3 + HOUR);
  t.is(r.expire(4 + HOUR), 2);
  t.deepEqual(closed.slice(2), ["3:timeout", "4:timeout"]);
  t.is(r.messages.length, 5, "every message stays listed, incomplete ones with complete: false");
  t.true(r.messages.every((m) => !m.complete));
});
