/**
 * Each Espruino board's heap, measured the way the board runs its code: the minified
 * bundle written to Storage as `.bootcde` with its cold modules beside it, the
 * interpreter restarted so that it boots from Storage, on the board's heap layout
 * (ESPRUINO_BIN_<variables>, else ESPRUINO_BIN with a growing heap), against
 * budgets.ramBlocks. A cold module is then used at the REPL (a console command loads
 * `sl.cmd` and `sl.words` from Storage) and must be gone from the module cache after.
 * Skipped without ESPRUINO_BIN (and so in CI, which cannot build Espruino).
 */
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, espruinoBoards } from "../../tools/bundle.js";
import { EspruinoRepl, writeStorageFiles } from "../../tools/espruino-repl.js";
import { interpreterErrors, interpreterFor, layoutProblem } from "../../tools/espruino-run.js";
import { storageFiles } from "../../tools/portable-check.js";

const base = process.env.ESPRUINO_BIN || undefined;

for (const board of espruinoBoards()) {
  const title = `Espruino heap: ${board.name} booted from Storage stays within budgets.ramBlocks and loads its cold modules on demand`;
  if (!base) {
    test.skip(`${title} (set ESPRUINO_BIN to an Espruino Linux interpreter to run)`, () => undefined);
    continue;
  }
  test.serial(title, async (t) => {
    t.timeout(120000);
    const interp = interpreterFor(board.espruino ? board.espruino.variables : undefined)!;
    const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-heap-"));
    const running: EspruinoRepl[] = [];
    t.teardown(async () => {
      for (const r of running) await r.stop();
      rmSync(cwd, { recursive: true, force: true });
    });
    const r = await bundleBoard(board, path.join(cwd, "dist"), true);
    await writeStorageFiles(base, cwd, storageFiles(r));
    const repl = new EspruinoRepl(interp.bin, { cwd });
    running.push(repl);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const booted = await repl.heap();
    // Without settings the UART has no pins on Linux; only script errors count.
    t.deepEqual(
      interpreterErrors(repl.output).filter((l) => !/No path defined for device/.test(l)),
      [],
      repl.output.slice(-1500),
    );
    if (r.modules && r.modules.some((m) => m.file === "sl.cmd")) {
      const status = repl.waitFor(/modem \w+.*; line \w+/, 20000);
      repl.type('sl("status")');
      await status;
      t.is(await repl.eval('Modules.getCached().filter(function(n){return n.indexOf("sl.")===0}).length'), "0", "the cold modules are dropped after use");
    }
    const after = await repl.heap();
    const budget = board.budgets.ramBlocks!;
    const build = board.espruino ? board.espruino.build : "?";
    t.log(`${board.name} (Espruino ${build} expected; measured on ${interp.label}): ${booted.usage} blocks after boot from Storage, ${after.usage} after a console command, budget ${budget}, heap ${booted.total}`);
    // A build named as the board's layout must be it: a 64-bit one under-counts names.
    const notDevice = await layoutProblem(interp, board.espruino ? board.espruino.variables : undefined);
    if (interp.layout) t.is(notDevice, undefined);
    else if (notDevice) t.log(notDevice);
    t.true(booted.usage <= budget, `${booted.usage} blocks after boot is over the budget of ${budget}`);
    t.true(after.usage <= budget, `${after.usage} blocks after a console command is over the budget of ${budget}`);
  });
}
