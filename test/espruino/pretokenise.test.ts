/**
 * Pretokenised code (tools/pretokenise.ts) on the real interpreter (ESPRUINO_BIN; skipped
 * without it, and so in CI): every entry of test/espruino/entries, minified and
 * pretokenised, passes its checks; and the watch's boot code and cold modules,
 * pretokenised and written to Storage, boot and answer a console command that loads two
 * pretokenised Storage modules.
 */
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, bundleForEspruino, espruinoBoards, repoRoot } from "../../tools/bundle.js";
import { EspruinoRepl, writeStorageFiles } from "../../tools/espruino-repl.js";
import { interpreterErrors, interpreterFor, runEspruino } from "../../tools/espruino-run.js";
import { pretokenise } from "../../tools/pretokenise.js";
import { storageFiles } from "../../tools/portable-check.js";
import { listEntries, parseResults } from "./run.js";

const bin = process.env.ESPRUINO_BIN || undefined;
const why = "set ESPRUINO_BIN to an Espruino Linux interpreter to run";

for (const entry of listEntries()) {
  const title = `Espruino: ${path.basename(entry)} minified and pretokenised passes every check`;
  if (!bin) {
    test.skip(`${title} (${why})`, () => undefined);
    continue;
  }
  test(title, async (t) => {
    t.timeout(90000);
    const dir = mkdtempSync(path.join(tmpdir(), "sharedline-ptk-"));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const b = await bundleForEspruino(path.resolve(repoRoot, entry), path.join(dir, "entry.js"), { minify: true, write: false });
    const p = pretokenise(b.text);
    const file = path.join(dir, "entry.ptk.js");
    writeFileSync(file, Buffer.from(p, "latin1"));
    const run = await runEspruino(bin, file, { timeoutMs: 60000, until: /^>?\s*DONE \d+ passed, \d+ failed$/m });
    const r = parseResults(run.output);
    t.deepEqual(r.failed, [], run.output.slice(-1500));
    t.deepEqual(interpreterErrors(run.output), [], run.output.slice(-1500));
    t.truthy(r.done && r.done.failed === 0 && r.done.passed > 0, run.output.slice(-1500));
    t.log(`${r.passed.length} checks passed; ${b.bytes} bytes minified, ${p.length} pretokenised`);
  });
}

const board = espruinoBoards()[0];
const bootTitle = `Espruino: ${board.name} pretokenised boots from Storage and loads pretokenised Storage modules`;
if (!bin) {
  test.skip(`${bootTitle} (${why})`, () => undefined);
} else {
  test.serial(bootTitle, async (t) => {
    t.timeout(120000);
    const interp = interpreterFor(board.espruino ? board.espruino.variables : undefined)!;
    const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-ptk-boot-"));
    const started: EspruinoRepl[] = [];
    t.teardown(async () => {
      for (const r of started) await r.stop();
      rmSync(cwd, { recursive: true, force: true });
    });
    const r = await bundleBoard(board, path.join(cwd, "dist"), true);
    const plain = storageFiles(r);
    const files: { [name: string]: string } = {};
    for (const name of Object.keys(plain)) files[name] = pretokenise(plain[name]);
    await writeStorageFiles(bin, cwd, files);
    const repl = new EspruinoRepl(interp.bin, { cwd });
    started.push(repl);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const booted = await repl.heap();
    t.deepEqual(
      interpreterErrors(repl.output).filter((l) => !/No path defined for device/.test(l)),
      [],
      repl.output.slice(-1500),
    );
    const status = repl.waitFor(/modem \w+.*; line \w+/, 20000);
    repl.type('sl("status")');
    await status;
    t.is(await repl.eval('Modules.getCached().filter(function(n){return n.indexOf("sl.")===0}).length'), "0");
    const size = (f: { [n: string]: string }) => Object.keys(f).reduce((n, k) => n + f[k].length, 0);
    t.log(`${board.name} on ${interp.label}: ${size(plain)} bytes minified, ${size(files)} pretokenised; ${booted.usage} blocks after boot`);
  });
}
