/**
 * The RAK8212 board (boards.json `rak8212-bg96`: the small RAK firmware, firmware/rak/boot.ts)
 * on the RAK8212's own heap layout: a 32-bit Linux build of Espruino with 2,500 blocks
 * (ESPRUINO_BIN_2500, with ESPRUINO_BIN to write Storage; skipped without them, and so in
 * CI), booted from Storage
 * with the files `npm run flash` writes (the pretokenised boot code, the cold module
 * `rak.pdu`, the settings file), as the device runs them.
 *
 * The modem is a pty of `sharedline sim --accessories 1 --pty` (a BG95 model of the watch
 * board: the simulator has no BG96 of its own, and the RAK firmware's BG96 bring-up runs
 * on it), bound to Serial1 through the settings file's `path`. Through the on-device API
 * (`sharedline`, as app code calls it): the modem comes up, a call rings and is answered,
 * 110 is dialled during it (R50: the call is released first, then the emergency call
 * placed), a three-part SMS arrives, is reassembled and stored, and is still in the inbox
 * after the interpreter restarts. The heap after boot and in steady state is asserted
 * within the board's budget (budgets.ramBlocks, 2,000 of the 2,500 blocks) and printed.
 * A second run boots with 20 messages on the SIM (`sharedline sim --sms`), listed by
 * AT+CMGL=4 at bring-up, and prints the heap's highest figure meanwhile; then lists them
 * with `inbox()` a page at a time (all 20 at once ran this heap out of memory) and prints
 * the heap's highest figure during a page.
 */
import test from "ava";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EspruinoRepl, writeStorageFiles } from "../../tools/espruino-repl.js";
import { interpreterErrors, layoutProblem } from "../../tools/espruino-run.js";
import { bundleBoard, espruinoBoards, repoRoot, SETTINGS_STORED_BYTES } from "../../tools/bundle.js";
import { startCli } from "../support/cli-process.js";
import { get, post } from "../support/sim-control.js";

const bin = process.env.ESPRUINO_BIN_2500 && existsSync(process.env.ESPRUINO_BIN_2500) ? process.env.ESPRUINO_BIN_2500 : undefined;
// The Storage files are written by the default build: the writing script holds each file
// as one string literal, which the 2,500 blocks cannot (OUT OF MEMORY, measured).
const writer = process.env.ESPRUINO_BIN && existsSync(process.env.ESPRUINO_BIN) ? process.env.ESPRUINO_BIN : undefined;
const board = espruinoBoards().find((b) => b.name === "rak8212-bg96")!;
const OUTSIDE = "+818011112222";
const title = "R50 R45 R73 RAK8212 on its 2,500-block layout, from Storage: the modem up, a call answered through the API, 110 during it releases the call first, a three-part SMS stored and kept over a restart; heap within 2,000 blocks";

/** Evaluates `expr` on the device until `ok(value)`; returns the last value. */
async function until(repl: EspruinoRepl, expr: string, ok: (v: string) => boolean, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let v = "";
  while (Date.now() < end) {
    v = await repl.eval(expr);
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${expr} stayed ${v}; the device's output:\n${repl.output.replace(/ {5,}/g, " ").slice(-2500)}`);
}

/** Runs an API call on the device and waits for its reply, printed as one JSON line. */
async function call(repl: EspruinoRepl, tag: string, expr: string, ms: number): Promise<{ [k: string]: unknown }> {
  const got = repl.waitFor(new RegExp(tag + " (.*)\\n"), ms);
  repl.type(`${expr}.then(function(r){print('${tag} '+JSON.stringify(r))})`);
  return JSON.parse((await got)[1]) as { [k: string]: unknown };
}

if (!bin || !writer) {
  test.skip(`${title} (set ESPRUINO_BIN and ESPRUINO_BIN_2500, the latter a 32-bit Espruino Linux build with 2,500 blocks; CI has none)`, () => undefined);
} else {
  test.serial(title, async (t) => {
    t.timeout(300000);
    const layout = await layoutProblem({ bin, layout: true, label: "ESPRUINO_BIN_2500" }, 2500);
    t.is(layout, undefined, layout);
    if (layout) return;
    const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-rak-e2e-"));
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

    // The files as tools/flash.ts writes them (the settings padded as it pads them).
    const r = await bundleBoard(board, outdir, true);
    const settings = JSON.stringify({ path: pty });
    const files: { [name: string]: string } = { ".bootcde": r.stored!.bytes, "sharedline.json": settings + " ".repeat(Math.max(0, SETTINGS_STORED_BYTES - settings.length)) };
    for (const m of r.modules ?? []) files[m.file] = m.stored!.bytes;
    await writeStorageFiles(writer, cwd, files);
    let dev = new EspruinoRepl(bin, { cwd });
    repls.push(dev);

    await until(dev, "sharedline.snapshot().modem", (v) => v === '"ready"', 90000);
    const booted = await dev.heap();

    // A call rings (with the caller's number) and is answered through the API.
    await post(`${control}/outside/${OUTSIDE}/call`, {});
    await until(dev, "sharedline.snapshot().calls.map(function(c){return c.status+' '+c.number}).join()", (v) => v === `"incoming ${OUTSIDE}"`, 30000);
    t.regex(dev.output, new RegExp("incoming call from \\" + OUTSIDE));
    const answered = await call(dev, "ANSWERED", "sharedline.answer()", 30000);
    t.true(answered.ok === true, JSON.stringify(answered));
    await until(dev, "sharedline.snapshot().calls.map(function(c){return c.status}).join()", (v) => v === '"active"', 30000);
    t.regex(JSON.stringify((await get(`${control}/outside/${OUTSIDE}`)).calls), /"state":"active"/);

    // R50: 110 during the call: the call is released first, then the emergency call is up.
    const dialled = await call(dev, "DIALLED", "sharedline.dial('110')", 60000);
    t.true(dialled.ok === true, JSON.stringify(dialled));
    t.notRegex(JSON.stringify((await get(`${control}/outside/${OUTSIDE}`)).calls), /"state":"active"/, "the caller's call was released");
    t.regex(JSON.stringify((await get(`${control}/outside/110`)).calls), /"state":"active"/, "110 answered the accessory's call");
    await until(dev, "sharedline.snapshot().calls.filter(function(c){return c.emergency&&c.status=='active'}).length", (v) => v === "1", 30000);
    await post(`${control}/outside/110/hangup`, {});
    await until(dev, "sharedline.snapshot().calls.length", (v) => v === "0", 30000);

    // A message of three parts (UCS-2, 67 characters each) reaches the inbox as one.
    const text = "\u3042".repeat(150) + " end";
    const got = dev.waitFor(/SMS from \+818011112222 \([^)]*, (\d+) parts\): (.*)\n/, 90000);
    await post(`${control}/outside/${OUTSIDE}/sms`, { text });
    const m = await got;
    t.is(m[1], "3");
    t.true(m[2].endsWith(" end"), m[2].slice(-40));
    const inbox = await call(dev, "INBOX", "sharedline.inbox()", 30000);
    const msgs = inbox.messages as { text: string; parts: number; missing: number[] }[];
    t.is(msgs.length, 1);
    t.is(msgs[0].text, text);
    t.deepEqual(msgs[0].missing, []);

    const steady = await dev.heap();
    t.deepEqual(interpreterErrors(dev.output), [], dev.output.slice(-1500));

    // The interpreter restarts (a power cycle of the JavaScript): the message is still there.
    await dev.stop();
    dev = new EspruinoRepl(bin, { cwd });
    repls.push(dev);
    await until(dev, "sharedline.snapshot().modem", (v) => v === '"ready"', 90000);
    const again = await call(dev, "INBOX", "sharedline.inbox()", 30000);
    const kept = again.messages as { text: string }[];
    t.is(kept.length, 1);
    t.is(kept[0].text, text);
    const restarted = await dev.heap();
    t.deepEqual(interpreterErrors(dev.output), [], dev.output.slice(-1500));

    const budget = board.budgets.ramBlocks!;
    t.log(
      `RAK8212 (32-bit, ${booted.total} blocks): ${booted.usage} blocks after boot (modem up), ${steady.usage} in steady state after a call, an emergency call and a three-part SMS, ${restarted.usage} after a restart with the message stored; budget ${budget}. Storage ${r.storageBytes} of ${board.budgets.bundleBytes} bytes`,
    );
    t.true(booted.usage <= budget, `after boot: ${booted.usage} blocks, budget ${budget}`);
    t.true(steady.usage <= budget, `steady state: ${steady.usage} blocks, budget ${budget}`);
    t.true(restarted.usage <= budget, `after the restart: ${restarted.usage} blocks, budget ${budget}`);
  });

  test.serial("R75 RAK8212 on its 2,500-block layout booting with 20 messages on the SIM: each stored as AT+CMGL=4 lists it, all 20 reported and kept, then listed by inbox() a page at a time, each once and in order; the live heap between UART reads, at each report and during each page within 2,000 blocks", async (t) => {
    t.timeout(300000);
    const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-rak-sim20-"));
    mkdirSync(path.join(repoRoot, "dist"), { recursive: true });
    const outdir = mkdtempSync(path.join(repoRoot, "dist", "rak8212-sim20-"));
    const repls: EspruinoRepl[] = [];
    t.teardown(async () => {
      for (const r of repls) await r.stop();
      rmSync(cwd, { recursive: true, force: true });
      rmSync(outdir, { recursive: true, force: true });
    });
    // 20 single-part messages of 150 GSM characters (a PDU of about 165 bytes, 330 hex
    // digits in the listing) on the SIM before the device starts.
    const sms: string[] = [];
    for (let i = 0; i < 20; i++) sms.push("--sms", `${OUTSIDE}=message ${String(i).padStart(2, "0")} ${"x".repeat(139)}`);
    const sim = startCli(t, ["sim", "--pty", "--board", "watch-bangle2-bg95", "--quiet", ...sms]);
    const simOut = await sim.out.waitFor(/control on (http:\/\/\S+)/, 20000);
    const pty = /modem on (\/dev\/\S+)/.exec(simOut)![1];

    const r = await bundleBoard(board, outdir, true);
    const settings = JSON.stringify({ path: pty });
    const files: { [name: string]: string } = { ".bootcde": r.stored!.bytes, "sharedline.json": settings + " ".repeat(Math.max(0, SETTINGS_STORED_BYTES - settings.length)) };
    for (const m of r.modules ?? []) files[m.file] = m.stored!.bytes;
    // The test's own probes, run before the boot code (Espruino runs .boot0 first): the
    // heap's live blocks (process.memory() collects garbage first: every module load
    // leaves a cycle the interpreter frees only when it must) every 5 ms, that is between
    // UART reads (a listing held in the heap is held across them), and inside the
    // listing at each message's smsReceived. Their own blocks are in the figures.
    // During an inbox() page (synchronous: no interval runs inside it) the live heap is
    // sampled at each Storage read the page makes and at every 7th String.fromCharCode
    // (the decoding of a message's text) while HP.on is set; HP.z is the page's own size.
    files[".boot0"] =
      "var HP={m:0,n:0,r:0,k:0,on:0,p:0,s:0,z:0};setInterval(function(){var u=process.memory().usage;if(u>HP.m)HP.m=u;HP.n++},5);" +
      "setTimeout(function(){sharedline.events.on('smsReceived',function(){var u=process.memory().usage;if(u>HP.r)HP.r=u;HP.k++})},0);" +
      "(function(){var f=require('Storage'),rd=f.read;f.read=function(n){if(HP.on){var u=process.memory().usage;if(u>HP.p)HP.p=u;HP.s++}return rd.call(f,n)}})();" +
      "(function(){var fc=String.fromCharCode,c=0;String.fromCharCode=function(){if(HP.on&&++c%7==0){var u=process.memory().usage;if(u>HP.p)HP.p=u;HP.s++}return fc.apply(String,arguments)}})();";
    await writeStorageFiles(writer, cwd, files);
    const dev = new EspruinoRepl(bin, { cwd });
    repls.push(dev);
    await until(dev, "sharedline.snapshot().modem", (v) => v === '"ready"', 90000);
    await until(dev, "require('Storage').list(/^sm/).length", (v) => v === "20", 120000);
    await until(dev, "1", () => (dev.output.match(/SMS from \+818011112222/g) || []).length >= 20, 60000);
    // Each reported once, whole.
    const said = (dev.output.match(/SMS from \+818011112222 \([^)]*\): message \d\d/g) || []).map((l) => l.slice(-10)).sort();
    t.deepEqual(said, Array.from({ length: 20 }, (_, i) => "message " + String(i).padStart(2, "0")));
    const peak = Number(await dev.eval("HP.m"));
    const samples = Number(await dev.eval("HP.n"));
    const inside = Number(await dev.eval("HP.r"));
    t.is(await dev.eval("HP.k"), "20", "the listener saw every message");
    const after = await dev.heap();
    t.deepEqual(interpreterErrors(dev.output), [], dev.output.slice(-1500));

    // The inbox a page at a time, as an app lists it: from the last page's `next` until it is null.
    const texts: string[] = [];
    const ids: number[] = [];
    const pages: { n: number; peak: number; size: number; reads: number; held: number }[] = [];
    let from: number | null = 0;
    while (from !== null && pages.length < 20) {
      await dev.eval("(HP.p=0,HP.s=0,HP.on=1)");
      const tag = "PAGE" + pages.length;
      const got = dev.waitFor(new RegExp(tag + " (.*)\\n"), 30000);
      dev.type(
        `sharedline.inbox(${pages.length ? `{from:${from}}` : ""}).then(function(r){HP.on=0;HP.z=E.getSizeOf(r);HP.h=process.memory().usage;print('${tag} '+JSON.stringify(r))})`,
      );
      const page = JSON.parse((await got)[1]) as { ok: boolean; messages: { id: number; text: string; missing: number[] }[]; next: number | null; total: number };
      t.true(page.ok, JSON.stringify(page).slice(0, 300));
      t.is(page.total, 20);
      for (const m of page.messages) {
        ids.push(m.id);
        texts.push(m.text);
        t.deepEqual(m.missing, []);
      }
      pages.push({ n: page.messages.length, peak: Number(await dev.eval("HP.p")), size: Number(await dev.eval("HP.z")), reads: Number(await dev.eval("HP.s")), held: Number(await dev.eval("HP.h")) });
      from = page.next;
    }
    t.deepEqual(
      texts,
      Array.from({ length: 20 }, (_, i) => `message ${String(i).padStart(2, "0")} ${"x".repeat(139)}`),
      "every message once, in order",
    );
    t.deepEqual(
      ids,
      ids.slice().sort((a, b) => a - b),
    );
    t.is(new Set(ids).size, 20);
    const paged = await dev.heap();
    t.deepEqual(interpreterErrors(dev.output), [], dev.output.slice(-1500));

    const budget = board.budgets.ramBlocks!;
    const pagePeak = Math.max(...pages.map((p) => p.peak));
    t.log(
      `RAK8212 (32-bit, ${after.total} blocks) booting with 20 messages on the SIM: live heap at most ${peak} blocks between UART reads (${samples} samples every 5 ms), at most ${inside} at a message's smsReceived during the listing (probes' blocks included), ${after.usage} once all were stored and reported; budget ${budget}`,
    );
    t.log(
      `inbox() by pages of ${pages[0].n}: ${pages.length} pages; live heap during a page at most ${pagePeak} blocks (sampled at each Storage read and every 7th String.fromCharCode: ${pages.map((p) => p.peak + " over " + p.reads + " samples").join(", ")}), each page ${pages.map((p) => p.size).join("/")} blocks (E.getSizeOf), ${pages.map((p) => p.held).join("/")} live with the page held, ${paged.usage} after; before, ${after.usage}`,
    );
    t.true(samples > 0);
    t.true(peak <= budget, `between reads: ${peak} blocks, budget ${budget}`);
    t.true(inside <= budget, `during the listing: ${inside} blocks, budget ${budget}`);
    t.true(after.usage <= budget, `after: ${after.usage} blocks, budget ${budget}`);
    t.true(pages.every((p) => p.reads > 0));
    t.true(pagePeak <= budget, `during a page: ${pagePeak} blocks, budget ${budget}`);
    t.true(paged.usage <= budget, `after the pages: ${paged.usage} blocks, budget ${budget}`);
  });
}
