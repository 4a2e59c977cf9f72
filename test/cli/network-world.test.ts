/**
 * The simulated network's console words (cli/network-world.ts): what the network answered
 * a command is what the console says, never a bare "ok" over a refusal.
 */
import test from "ava";
import { VirtualClock } from "../../hal/memory/clock.js";
import { simWorld } from "../../cli/sim-world.js";
import { runLine } from "../../cli/sim.js";

function world() {
  const w = simWorld(new VirtualClock(Date.UTC(2026, 11, 8)), { imei: "356938035643809", sms: "native", callWaiting: true });
  const lines: string[] = [];
  w.onEvent = (l) => lines.push(l);
  return { w, lines };
}

test("phone code: a code the network refuses (NG) is a refusal with the network's words; one it takes says its answer", (t) => {
  const { w, lines } = world();
  const refused = w.world.command("phone", ["code", "*103*1#"], "code *103*1#");
  t.like(refused, { ok: false, reason: "refused" });
  t.regex((refused as { message: string }).message, /^the network says: NG: \*103\*1# must be sent from the accessory/);
  t.is(w.world.command("phone", ["code", "*#103#"], "code *#103#"), true);
  t.true(lines.indexOf("answer to the smartphone: 103*7*0# smartphone") >= 0, lines.join("\n"));
  t.deepEqual(runLine(w.world, "phone code *103*1#"), ["the network says: NG: *103*1# must be sent from the accessory that is to receive"]);
});
