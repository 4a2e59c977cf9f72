/**
 * What Espruino keeps of a settled promise: every reaction attached to it while it was
 * pending (measured on 2v29: a promise that settles after `then` keeps the callback, and
 * with it the callback's scope, for as long as the promise itself is reachable). A part
 * that holds a promise past its settling therefore holds whatever its callers attached;
 * for a reaction made in a cold Storage module (tools/bundle.ts), that is the whole
 * module. These checks run alone in their interpreter, so that no other part's commands
 * hide what the AT channel keeps.
 */
import { assert, check, equal, runChecks } from "../harness.js";
import { FakeEnd, StepClock, later } from "../rig.js";
import { AtChannel } from "../../../drivers/at/index.js";

declare const process: { memory(): { usage: number } };

check("the AT channel keeps no finished command's promise (nor what its caller attached while it ran)", function () {
  const end = new FakeEnd();
  const ch = new AtChannel(end, new StepClock(), { timeoutMs: 1000 });
  end.answers = function () {
    return "\r\nOK\r\n";
  };
  // The caller's reaction holds 200 strings (some 400 blocks) while the command runs.
  const attach = function () {
    const big: string[] = [];
    for (let i = 0; i < 200; i++) big.push("entry " + i);
    return ch.send("AT").then(function () {
      return big.length;
    });
  };
  let before = 0;
  return later()
    .then(function () {
      before = process.memory().usage;
      return attach();
    })
    .then(function (n) {
      equal(n, 200, "the reaction ran");
      return later();
    })
    .then(function () {
      const grown = process.memory().usage - before;
      equal(end.commands, ["AT"], "no command after it");
      assert(grown < 100, "the heap is given back once the command is done (it grew by " + grown + " blocks)");
    });
});

runChecks();
