/**
 * The RAK8212's feature set (bench/espruino/rak8212: the line and SMS receive) working
 * inside Espruino against the simulated network, booted from Storage the way a board
 * runs it: so that what `npm run bench -- rak8212` measures is a set that does the job,
 * not dead code. It runs on the 12,000-block layout (ESPRUINO_BIN_12000; skipped without
 * it and ESPRUINO_BIN, and so in CI), because on the RAK8212's own 2,500 blocks it runs
 * out of memory (docs/espruino.md); the heap it needs is printed against the 2,500.
 *
 * The modem is a pty of `sharedline sim --accessories 1 --pty` (a BG95 model of the
 * watch board: the simulator has no BG96 of its own; the BG96 profile's bring-up runs on
 * it), bound to the interpreter's UART through the settings file. Then: the modem comes
 * up, a call rings and is answered, 110 is dialled during the call (R50: the call is
 * released first, then the emergency call placed), and a three-part SMS arrives and is
 * reassembled into one message.
 */
import test from "ava";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EspruinoRepl, writeStorageFiles } from "../../tools/espruino-repl.js";
import { interpreterErrors } from "../../tools/espruino-run.js";
import { repoRoot } from "../../tools/bundle.js";
import { bundleStage, PARTS, storageFiles } from "../../bench/rak8212.js";
import { startCli } from "../support/cli-process.js";
import { get, post } from "../support/sim-control.js";

/** An interpreter named by `name` that exists, or undefined (the test is then skipped). */
function interpreter(name: string): string | undefined {
  const bin = process.env[name];
  return bin && existsSync(bin) ? bin : undefined;
}

const base = interpreter("ESPRUINO_BIN");
const big = interpreter("ESPRUINO_BIN_12000");
const OUTSIDE = "+818011112222";
const title = "R50 R45 Espruino RAK8212 set: booted from Storage, the modem up, a call answered, 110 dialled during it releases the call first, a three-part SMS reassembled";

/** Evaluates `expr` on the device until `ok(value)`; returns the last value. */
async function until(repl: EspruinoRepl, expr: string, ok: (v: string) => boolean, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let v = "";
  while (Date.now() < end) {
    v = await repl.eval(expr);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${expr} stayed ${v}`);
}

if (!base || !big) {
  test.skip(`${title} (set ESPRUINO_BIN and ESPRUINO_BIN_12000 to existing Espruino Linux builds to run; CI has none)`, () => undefined);
} else {
  test.serial(title, async (t) => {
    t.timeout(240000);
    const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-rak-e2e-"));
    // dist/ is made by a build; a fresh clone has none.
    mkdirSync(path.join(repoRoot, "dist"), { recursive: true });
    const outdir = mkdtempSync(path.join(repoRoot, "dist", "rak8212-e2e-"));
    const repls: EspruinoRepl[] = [];
    t.teardown(async () => {
      for (const r of repls) await r.stop();
      rmSync(cwd, { recursive: true, force: true });
      rmSync(outdir, { recursive: true, force: true });
    });
    const sim = startCli(t, ["sim", "--accessories", "1", "--pty", "--board", "watch-bangle2-bg95", "--quiet"]);
    const simOut = await sim.out.waitFor(/control on (http:\/\/\S+)/, 20000);
    const pty = /A1 .* on (\/dev\/\S+)/.exec(simOut)![1];
    const control = /control on (http:\/\/\S+)/.exec(simOut)![1];

    const r = await bundleStage(PARTS, outdir);
    // The REPL reaches into the parts by name; the bundle shortened the names that never
    // leave it (tools/mangle-props.ts), so say each as the bundle spells it.
    const at = (name: string) => (r.mangled && r.mangled[name]) || name;
    const q = (expr: string) => expr.replace(/\.([A-Za-z]\w*)/g, (_m, name: string) => "." + at(name));
    const files = Object.assign(storageFiles(r, false), { "sharedline.json": JSON.stringify({ path: pty }) });
    await writeStorageFiles(base, cwd, files);
    const dev = new EspruinoRepl(big, { cwd });
    repls.push(dev);

    // Bring-up over the pty (the BG96 profile's chat).
    await until(dev, q("rak.modem.status().state.name"), (v) => v === '"ready"', 90000);
    const booted = await dev.heap();

    // A call rings and is answered on the device.
    await post(`${control}/outside/${OUTSIDE}/call`, {});
    await until(dev, q("rak.line.lineState()"), (v) => v === '"ringingHere"', 30000);
    const answered = dev.waitFor(/ANSWERED (\w+)\n/, 30000);
    dev.type(q("rak.line.answer().then(function(r){print('ANSWERED '+r.ok)})"));
    t.is((await answered)[1], "true");
    await until(dev, q("rak.line.lineState()"), (v) => v === '"inCallHere"', 30000);
    t.regex(JSON.stringify((await get(`${control}/outside/${OUTSIDE}`)).calls), /"state":"active"/);

    // R50: 110 during the call: the call is released first, then the emergency call is up.
    const dialled = dev.waitFor(/DIALLED (\w+)\n/, 60000);
    dev.type(q("rak.line.dial('110').then(function(r){print('DIALLED '+r.ok)})"));
    t.is((await dialled)[1], "true");
    const caller = await get(`${control}/outside/${OUTSIDE}`);
    t.notRegex(JSON.stringify(caller.calls), /"state":"active"/, "the caller's call was released");
    const psap = await get(`${control}/outside/110`);
    t.regex(JSON.stringify(psap.calls), /"state":"active"/, "110 answered the accessory's call");
    await until(dev, q("rak.line.current().filter(function(c){return c.emergency}).length"), (v) => v === "1", 30000);
    await post(`${control}/outside/110/hangup`, {});
    await until(dev, q("rak.line.current().length"), (v) => v === "0", 30000);

    // A message of three parts (UCS-2, 67 characters each) reaches the inbox as one.
    const text = "\u3042".repeat(150) + " end";
    const got = dev.waitFor(/SMS from \+818011112222 \((\d+) parts(.*?)\): (.*)\n/, 90000);
    await post(`${control}/outside/${OUTSIDE}/sms`, { text });
    const m = await got;
    t.is(m[1], "3");
    t.is(m[2], "", "no part missing");
    t.true(m[3].endsWith(" end"), m[3].slice(-40));
    t.is(await dev.eval(q("rak.inbox.size()")), "1");

    const steady = await dev.heap();
    t.deepEqual(
      interpreterErrors(dev.output).filter((l) => !/No path defined for device/.test(l)),
      [],
      dev.output.slice(-1500),
    );
    t.log(`RAK8212 set on the 12,000-block layout: ${booted.usage} blocks after boot (modem up), ${steady.usage} in steady state; the RAK8212 has 2,500`);
  });
}
