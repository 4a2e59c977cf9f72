/**
 * The soak's emergencyInTime bookkeeping (tools/soak/soak.ts SoakState): a request made
 * while the modem cannot answer starts its 1 s bound when the modem is back; a request
 * the user hangs up before any ATD is withdrawn. Seed 15 (24 h, 50 numbers, 100
 * accessories) failed n43a1 at +23.008 h on the second case: the emergency was requested
 * during a modemHang, the soak's user hung it up 17 s later (the firmware cancelled the
 * dial, rightly writing no ATD), and when the modem came back the soak still waited for
 * an ATD and failed 3.7 s later.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { InvariantBook } from "../../tools/soak/invariants.js";
import { SoakState } from "../../tools/soak/soak.js";

type Acc = Parameters<SoakState["emergencyRequested"]>[0];

function rig() {
  const clock = new VirtualClock(Date.UTC(2026, 11, 1));
  const book = new InvariantBook(15, clock.now(), () => clock.now());
  const soak = new SoakState(clock, book, { emergencyBoundMs: 1000 } as ConstructorParameters<typeof SoakState>[2]);
  const acc = { name: "n43a1", modem: { hung: true } } as unknown as Acc;
  return { clock, book, soak, acc };
}

test("R45 soak: a request during a modem hang that the user hangs up before any ATD is withdrawn; the modem's return owes nothing", async (t) => {
  const { clock, soak, acc } = rig();
  soak.emergencyRequested(acc);
  t.is(soak.emergencyPending.get(acc)!.deadline, undefined, "no bound while the modem is hung");
  await clock.advance(16770);
  soak.emergencyCancelled(acc);
  await clock.advance(40000);
  soak.modemBack(acc);
  t.false(soak.emergencyPending.has(acc), "no ATD owed for a withdrawn request");
});

test("R45 soak: a request not hung up gets its bound when the modem is back, and a late ATD still fails", async (t) => {
  const { clock, book, soak, acc } = rig();
  soak.emergencyRequested(acc);
  await clock.advance(40000);
  soak.modemBack(acc);
  t.is(soak.emergencyPending.get(acc)!.deadline, clock.now() + 1000);
  await clock.advance(1500);
  soak.emergencyCancelled(acc); // too late: the bound already ran out, the check must still see it
  t.true(soak.emergencyPending.has(acc));
  soak.command(acc, "ATD110;", clock.now());
  t.is(book.failures.length, 1);
  t.is(book.failures[0].invariant, "emergencyInTime");
});
