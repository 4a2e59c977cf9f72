/**
 * `npm run bench -- rak8212`: the RAK8212 board (boards.json `rak8212-bg96`) as it ships,
 * the small RAK firmware (firmware/rak/boot.ts, firmware/rak/), against the board's
 * Storage and heap; and, for comparison, why the shared firmware's own parts do not fit.
 *
 * What ships: bundled as `npm run bundle` does (tools/bundle.ts bundleBoard), Storage per
 * file with headers and the settings file, the boot code's bytes per source file, and,
 * with ESPRUINO_BIN_2500, the heap booted from Storage on the 2,500-block 32-bit build
 * (no modem attached: bring-up retrying, the state a device with its modem off is in), and
 * with the cold module `rak.pdu` loaded as during an SMS or an inbox listing. The heap with
 * the modem up, after a call and an SMS is asserted by test/espruino/rak8212.test.ts.
 *
 * The comparison, the shared core stacked (the call line and SMS receive from the
 * shared firmware's parts, bench/espruino/rak8212):
 * The RAK8212 (espruino/Espruino boards/RAK8212.py at c5ff787b1): nRF52832, `'variables'
 * : 2500`, Storage `'saved_code'` 10 pages of 4096 bytes = 40,960 bytes for the boot code,
 * its Storage modules and the settings file, each file with a 32-byte header (src/jsflash.h
 * `JsfFileHeader`: size + 28-byte name) rounded up to 4 bytes (JSF_ALIGNMENT). The modem
 * wiring is the one libs/js/rak/RAK8212.js `setCellOn` uses.
 *
 * The parts are stacked one at a time (HAL, AT channel, modem manager, line, SMS receive);
 * each stage is bundled the way a board is (tools/bundle.ts bundleBoard: minified, top
 * level, the BG96 profile only, cold Storage modules) and pretokenised (tools/pretokenise.ts),
 * and, when the interpreters are named, booted from Storage on the RAK8212's heap layout
 * (ESPRUINO_BIN_2500) and on a larger one (ESPRUINO_BIN_12000, where the stages that run
 * out of memory on 2,500 still give a figure). Prints bytes and blocks per stage and per
 * part, and how far over the board each is. Benchmark, not test: nothing is asserted.
 */
import * as esbuild from "esbuild";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, espruinoBoards, repoRoot, storageCost, type Board, type BundleResult } from "../tools/bundle.js";
import { EspruinoRepl, writeStorageFiles } from "../tools/espruino-repl.js";
import { interpreterErrors, layoutProblem } from "../tools/espruino-run.js";
import { pretokenise } from "../tools/pretokenise.js";

/** The RAK8212 with the shared firmware's parts as its entry (the comparison: it does not fit, see the output). */
export const RAK8212: Board & { [k: string]: unknown } = {
  name: "rak8212-bg96",
  description: "",
  runtime: "espruino",
  modem: "quectel-bg96",
  // RAK8212.py get_pins: PD7 LTE_RX, PD9 LTE_TX, PD10 LTE_RTS; RAK8212.js setCellOn:
  // Serial1.setup(115200,{tx:D9, rx:D7, cts:D10}); the chip's only UART ('usart': 1).
  serial: { port: "Serial1", baud: 115200, rx: "D7", tx: "D9", cts: "D10", flow: "none" },
  // RAK8212.js PINS: GPRS_PWRKEY D15, GPRS_RESET D14, PWR_GPRS_ON D6 (1 = on).
  pins: { powerKey: { pin: "D15", activeHigh: true }, reset: { pin: "D14", activeHigh: true } },
  capabilities: { voice: true, sms: "native", callWaiting: false, data: true, settingsMenu: false },
  budgets: { bundleBytes: 40960, ramBlocks: 2000 },
  espruino: { build: "RAK8212", variables: 2500, supplyPin: "D6" },
} as unknown as Board & { [k: string]: unknown };

const STORAGE_BYTES = 40960;
const HEAP_BLOCKS = 2500;
/** tools/flash.ts pads the settings file to 512 bytes (+16): shorter uploads never finish. */
const SETTINGS_BYTES = 528;


const STAGES: { part: string; module: string; fn: string; code: string }[] = [
  { part: "HAL (clock, pins, Storage)", module: "hal", fn: "rakHal", code: "const h = rakHal();" },
  { part: "AT channel", module: "channel", fn: "rakChannel", code: "const ch = rakChannel(h);" },
  { part: "modem manager (BG96 bring-up)", module: "modem", fn: "rakModem", code: "const m = rakModem(h, ch);" },
  { part: "line (calls, emergency dial)", module: "line", fn: "rakLine", code: "rakLine(h, ch, m);" },
  { part: "SMS receive (receiver, reassembly, inbox; decoder cold)", module: "sms", fn: "rakSmsReceive", code: "rakSmsReceive(h, ch, m);" },
];

interface Stage {
  part: string;
  result: BundleResult;
  files: { [name: string]: string };
  plainBytes: number;
  pretokenisedBytes: number;
  heap: { [label: string]: number | string };
}

/**
 * Bundles the first `n` parts as the RAK8212's boot code (and its cold modules) into
 * `dir` (minified, top level, BG96 only; the Storage budget is not enforced).
 */
export async function bundleStage(n: number, dir: string): Promise<BundleResult> {
  mkdirSync(dir, { recursive: true });
  const entry = path.join(dir, `stage${n}.ts`);
  const parts = STAGES.slice(0, n);
  const from = path.relative(dir, path.join(repoRoot, "bench", "espruino", "rak8212")).split(path.sep).join("/");
  writeFileSync(entry, parts.map((s) => `import { ${s.fn} } from "${from}/${s.module}.js";`).concat(parts.map((s) => s.code)).join("\n") + "\n");
  const board = Object.assign({}, RAK8212, { entry: entry }) as Board;
  return bundleBoard(board, path.join(dir, "out"), true, false);
}

/** The parts there are (bundleStage takes 1 up to this). */
export const PARTS = STAGES.length;

/** The Storage files of a stage's bundle: `.bootcde` and its cold modules, pretokenised or not. */
export function storageFiles(r: BundleResult, pretok: boolean): { [name: string]: string } {
  const f = (t: string) => (pretok ? pretokenise(t) : t);
  const files: { [name: string]: string } = { ".bootcde": f(r.text) };
  for (const m of r.modules ?? []) files[m.file] = f(m.text);
  return files;
}

function storageTotal(files: { [name: string]: string }): number {
  return Object.keys(files).reduce((n, k) => n + storageCost(files[k].length), storageCost(SETTINGS_BYTES));
}

/**
 * What renaming properties would save (an estimate, never run): the final stage bundled
 * twice by esbuild with the same settings, once with `mangleProps` on every property name
 * of three or more characters except JavaScript's own (every built-in constructor and
 * prototype) and every name hal/espruino uses on Espruino's objects. An upper bound: a
 * real build would also have to keep the names of stored records, the board profile and
 * the API. Returns the fraction of bytes saved.
 */
async function manglingSaves(entry: string): Promise<number> {
  const keep = new Set<string>();
  const builtins: object[] = [Object, Array, String, Number, Boolean, Function, Promise, Date, Math, JSON, Error, RegExp, Uint8Array, globalThis];
  for (const o of builtins) {
    for (const n of Object.getOwnPropertyNames(o)) keep.add(n);
    const proto = (o as { prototype?: object }).prototype;
    if (proto) for (const n of Object.getOwnPropertyNames(proto)) keep.add(n);
  }
  const halDir = path.join(repoRoot, "hal", "espruino");
  for (const f of readdirSync(halDir)) for (const m of readFileSync(path.join(halDir, f), "utf8").matchAll(/\.([A-Za-z_$][\w$]*)/g)) keep.add(m[1]);
  const size = async (mangle: boolean) => {
    const r = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: "iife",
      target: "es2015",
      platform: "neutral",
      charset: "ascii",
      minifyWhitespace: true,
      minifyIdentifiers: true,
      write: false,
      logLevel: "silent",
      define: { SHAREDLINE_PROFILE: JSON.stringify(RAK8212), require: "globalThis.require" },
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, target: "ES2015" } },
      mangleProps: mangle ? /^[A-Za-z_$][\w$]{2,}$/ : undefined,
      reserveProps: mangle ? new RegExp("^(" + Array.from(keep).join("|").replace(/\$/g, "\\$") + ")$") : undefined,
    });
    return r.outputFiles[0].text.length;
  };
  const plain = await size(false);
  return (plain - (await size(true))) / plain;
}

/** Boots `files` from Storage on `bin`, waits 1.5 s and hands the running device to `use`. */
async function booted<T>(bin: string, files: { [name: string]: string }, use: (r: EspruinoRepl) => Promise<T>): Promise<T> {
  const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-rak-"));
  const repl = { r: undefined as EspruinoRepl | undefined };
  try {
    await writeStorageFiles(process.env.ESPRUINO_BIN || bin, cwd, files);
    const r = (repl.r = new EspruinoRepl(bin, { cwd }));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return await use(r);
  } finally {
    if (repl.r) await repl.r.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Heap blocks in use 1.5 s after booting `files` from Storage on `bin`, or what went
 * wrong: "out of memory" (the interpreter said so), an ASSERT it died on (pretokenised
 * code that runs out of memory, measured on 2v29.277), or no answer at all.
 */
async function heapOf(bin: string, files: { [name: string]: string }): Promise<number | string> {
  return booted(bin, files, async (r) => {
    let usage: number | undefined = undefined;
    try {
      usage = (await r.heap()).usage;
    } catch {
      usage = undefined;
    }
    const out = r.output;
    const died = /ASSERT\([^\n]*/.exec(out);
    if (/out of memory/i.test(out)) return "out of memory" + (died ? " (then " + died[0] + ")" : "");
    if (died) return "died: " + died[0];
    if (usage === undefined) return "no answer (" + out.trim().split("\n").slice(-1)[0].slice(0, 80) + ")";
    const errors = interpreterErrors(out).filter((l) => !/No path defined for device/.test(l));
    if (errors.length) return "error: " + errors[0];
    return usage;
  });
}

/**
 * Why the heap is what it is: boots `files` on `bin` and counts the functions reachable
 * from the global object (every class, method and closure the set keeps; the
 * interpreter's native ones apart). Each costs
 * heap blocks even though its code stays in Storage (a flash string: the Linux builds are
 * compiled with SPIFLASH_BASE, boards/LINUX.py, as the nRF52's memory-mapped flash gives
 * native strings): the function, the reference to its code and the name it is stored
 * under. Blocks per method are measured on the AT channel's prototype, found under
 * `channelKey` on the global `rak` (bench/espruino/rak8212/hal.ts `kept`): the name
 * `channel` as the bundle spells it, since the names that never leave a bundle are
 * shortened (tools/mangle-props.ts, BundleResult.mangled). The walk reads only
 * properties that exist (Object.getOwnPropertyNames lists a class's prototype, not the
 * one Espruino would make for a plain function when `prototype` is read).
 */
export async function functionCost(bin: string, files: { [name: string]: string }, channelKey: string): Promise<{ functions: number; builtins: number; perMethod: number; methods: number; usage: number } | string> {
  try {
    return await booted(bin, files, async (r) => {
      const usage = (await r.heap()).usage;
      // Before the walk: reading a function's `prototype` would make one. A channel that is
      // not there is said, not divided into a number. The methods with their names are
      // copied onto an empty object and sized there: E.getSizeOf of the prototype itself
      // would count the whole class again through `constructor`, and getOwnPropertyNames
      // lists names on a class's prototype that read as undefined there (apply, bind, call,
      // replaceWith on 2v29.277).
      const probe = await r.eval(
        "(function(k){var c=typeof rak==='object'?rak[k]:undefined;if(!c||typeof c!=='object')return 'no rak.'+k;var p=Object.getPrototypeOf(c);" +
          "var ks=Object.getOwnPropertyNames(p),q={},e=E.getSizeOf(q),n=0;for(var i=0;i<ks.length;i++){var f=p[ks[i]];if(ks[i]==='constructor'||typeof f!=='function')continue;n++;q[ks[i]]=f;}return (E.getSizeOf(q)-e)+'/'+n;})(" +
          JSON.stringify(channelKey) +
          ")",
      );
      const m = /^"(\d+)\/(\d+)"$/.exec(probe);
      const proto = m && Number(m[2]) > 0 ? Number(m[1]) / Number(m[2]) : NaN;
      // The interpreter's own functions (Object.keys, E.CRC32, ...) are reachable too, about
      // 220 of them on an empty 2v29.277: they are native, made only while read, so they are
      // counted apart ("[native code]") and left out of the figure.
      const count = await r.eval(
        "(function(){var seen=[],n=0,b=0;function walk(o,d){if(o===null||(typeof o!=='object'&&typeof o!=='function')||d>12||seen.indexOf(o)>=0)return;seen.push(o);" +
          "if(typeof o==='function'){if(String(o).indexOf('[native code]')>=0)b++;else n++;}var ks=Object.getOwnPropertyNames(o);for(var i=0;i<ks.length;i++){var v;try{v=o[ks[i]];}catch(e){continue;}walk(v,d+1);}}" +
          "walk(global,0);return n+'/'+b;})()",
        60000,
      );
      const c = /^"(\d+)\/(\d+)"$/.exec(count);
      // A reading that is not a number (the eval's error text) is reported, never printed as NaN.
      if (!isFinite(proto) || !c) return `the AT channel's prototype (rak.${channelKey}) read as ${probe}, functions as ${count}`;
      return { functions: Number(c[1]), builtins: Number(c[2]), perMethod: proto, methods: Number(m![2]), usage: usage };
    });
  } catch (e) {
    return String((e as Error).message || e).split("\n")[0];
  }
}

/** What ships: the board of boards.json, its Storage by file and its heap on the 2,500-block build. */
async function shipped(dir: string): Promise<{ storage: number; heap: (number | string)[] }> {
  const board = espruinoBoards().find((b) => b.name === "rak8212-bg96");
  if (!board) throw new Error("boards.json has no rak8212-bg96");
  const r = await bundleBoard(board, path.join(dir, "shipped"), true);
  const mods = r.modules ?? [];
  const files: { [name: string]: string } = { ".bootcde": r.stored!.bytes };
  for (const m of mods) files[m.file] = m.stored!.bytes;
  const storage = r.storageBytes!;
  console.log(`RAK8212 firmware as it ships (boards.json rak8212-bg96, entry ${board.entry}):`);
  console.log(
    `  Storage: boot code ${r.bytes} + ${mods.map((m) => `${m.file} ${m.bytes}`).join(" + ")} (pretokenised) + settings ${SETTINGS_BYTES}, each +32-byte header = ${storage} of ${STORAGE_BYTES} bytes (${((100 * storage) / STORAGE_BYTES).toFixed(0)} %; ${STORAGE_BYTES - storage} left for the inbox)`,
  );
  const by = Object.keys(r.inputBytes).sort((a, b) => r.inputBytes[b] - r.inputBytes[a]);
  console.log("  boot code by source (minified bytes before pretokenising): " + by.map((f) => `${f} ${r.inputBytes[f]}`).join(", "));
  const heap: (number | string)[] = [];
  const bin = process.env.ESPRUINO_BIN_2500;
  if (!bin) {
    console.log("  heap not measured (set ESPRUINO_BIN_2500 to the 32-bit 2,500-block Linux build)");
    return { storage, heap };
  }
  const layout = await layoutProblem({ bin, layout: true, label: "ESPRUINO_BIN_2500" }, 2500);
  if (layout) console.log("  " + layout);
  const got = await booted(bin, files, async (d) => {
    const boot = (await d.heap()).usage;
    const cold = Number(await d.eval('(function(){var m=require("rak.pdu");var u=process.memory().usage;Modules.removeCached("rak.pdu");return u;})()'));
    const after = (await d.heap()).usage;
    const errors = interpreterErrors(d.output).filter((l) => !/No path defined for device/.test(l));
    return errors.length ? ["error: " + errors[0]] : [boot, cold, after];
  });
  heap.push(...got);
  if (typeof got[0] === "string") console.log("  heap: " + got[0]);
  else
    console.log(
      `  heap on the 2,500-block build, from Storage: ${got[0]} blocks after boot (modem not answering, bring-up retrying); ${got[1]} with the cold module rak.pdu loaded (+${(got[1] as number) - (got[0] as number)}), ${got[2]} once it is dropped; budget ${board.budgets.ramBlocks} (test/espruino/rak8212.test.ts asserts it with the modem up, after a call and an SMS)`,
    );
  return { storage, heap };
}

export async function bench(): Promise<void> {
  const dir = path.join(repoRoot, "dist", "rak8212");
  mkdirSync(dir, { recursive: true });
  const ships = await shipped(dir);
  console.log("for comparison, the shared firmware's parts stacked (bench/espruino/rak8212):");
  const interps: [string, string][] = [];
  if (process.env.ESPRUINO_BIN_2500) interps.push(["2,500 blocks", process.env.ESPRUINO_BIN_2500]);
  if (process.env.ESPRUINO_BIN_12000) interps.push(["12,000 blocks", process.env.ESPRUINO_BIN_12000]);
  if (interps.length === 0) console.log("rak8212: heap not measured (set ESPRUINO_BIN, ESPRUINO_BIN_2500 and ESPRUINO_BIN_12000 to Espruino Linux builds)");
  const stages: Stage[] = [];
  for (let i = 0; i < STAGES.length; i++) {
    const result = await bundleStage(i + 1, dir);
    const plain = storageFiles(result, false);
    const pretok = storageFiles(result, true);
    const heap: { [label: string]: number | string } = {};
    console.log(`stage ${i + 1}: ${STAGES[i].part}`);
    for (const [label, bin] of interps) {
      heap[label] = await heapOf(bin, plain);
      heap[label + ", pretokenised"] = await heapOf(bin, pretok);
    }
    stages.push({ part: STAGES[i].part, result, files: plain, plainBytes: storageTotal(plain), pretokenisedBytes: storageTotal(pretok), heap });
  }
  const pct = (n: number, of: number) => ((100 * n) / of).toFixed(0) + " %";
  console.log(`RAK8212: Storage ${STORAGE_BYTES} bytes (boot code + Storage modules + the ${SETTINGS_BYTES}-byte settings file, 32-byte header each), heap ${HEAP_BLOCKS} blocks`);
  let prev: Stage | undefined = undefined;
  for (const s of stages) {
    const mods = (s.result.modules ?? []).map((m) => ` + ${m.file} ${m.bytes}`).join("");
    const dPlain = prev ? s.plainBytes - prev.plainBytes : s.plainBytes;
    const dTok = prev ? s.pretokenisedBytes - prev.pretokenisedBytes : s.pretokenisedBytes;
    console.log(`+ ${s.part}: boot code ${s.result.bytes}${mods}`);
    const was = prev ? prev.result.inputBytes : {};
    const now = s.result.inputBytes;
    const grew = (f: string) => now[f] - (was[f] || 0);
    const added = Object.keys(now)
      .filter((f) => grew(f) >= 200)
      .sort((a, b) => grew(b) - grew(a));
    console.log("    what it adds to the boot code (minified bytes per file): " + added.map((f) => `${f} ${grew(f)}`).join(", "));
    console.log(
      `    Storage ${s.plainBytes} (${pct(s.plainBytes, STORAGE_BYTES)}; part +${dPlain}), pretokenised ${s.pretokenisedBytes} (${pct(s.pretokenisedBytes, STORAGE_BYTES)}; part +${dTok})`,
    );
    for (const label of Object.keys(s.heap)) {
      const v = s.heap[label];
      const pv = prev ? prev.heap[label] : undefined;
      const part = typeof v === "number" && typeof pv === "number" ? `; part +${v - pv}` : "";
      console.log(`    heap after boot on ${label}: ${typeof v === "number" ? v + " blocks (" + pct(v, HEAP_BLOCKS) + " of the RAK8212's)" + part : v}`);
    }
    prev = s;
  }
  const last = stages[stages.length - 1];
  const saves = await manglingSaves(path.join(dir, `stage${STAGES.length}.ts`));
  // The stages are bundled as a board is, so the names tools/mangle-props.ts proves safe
  // are already short in every figure above; this is only how far renaming every name
  // could go, measured on builds without that shortening.
  console.log(
    `renaming every non-built-in property (esbuild mangleProps; an upper bound, not run) takes ${(100 * saves).toFixed(0)} % off a build without shortened names; the figures above already have the provably internal names shortened`,
  );
  // The RAK5010 (boards/RAK5010.py: nRF52840 + the same BG96, 'variables' 12500, Storage
  // 20 pages of 4096 bytes) for comparison: same modem, four times the RAM.
  const heaps = Object.keys(last.heap).filter((l) => typeof last.heap[l] === "number" && /12,000/.test(l));
  console.log(
    `on the RAK5010 (81,920 bytes of Storage, 12,500 blocks): Storage ${last.plainBytes - 81920} bytes over minified, ${last.pretokenisedBytes - 81920} pretokenised` +
      heaps.map((l) => `; heap ${last.heap[l]} of 12,500 blocks (${l.replace("12,000 blocks", "measured on the 12,000-block layout")})`).join(""),
  );
  const big = interps.find(([l]) => /12,000/.test(l));
  if (big) {
    const key = (last.result.mangled && last.result.mangled.channel) || "channel";
    const f = await functionCost(big[1], last.files, key);
    if (typeof f === "string") console.log(`functions not counted: ${f}`);
    else
      console.log(
        `why the heap: ${f.functions} functions reachable after boot (besides ${f.builtins} of the interpreter's own, native) at ${f.perMethod.toFixed(1)} blocks each (a method with its name: the AT channel's prototype has ${f.methods} at ${(f.perMethod * f.methods).toFixed(0)} blocks) = about ${Math.round(f.functions * f.perMethod)} of the ${f.usage} blocks (${pct(f.functions * f.perMethod, f.usage)}), with their code in Storage; the rest is data`,
      );
  }
  // The first stage over each limit: below it is what could fit, and it does nothing useful.
  const overStorage = stages.findIndex((s) => s.pretokenisedBytes > STORAGE_BYTES);
  const overHeap = stages.findIndex((s) => Object.keys(s.heap).some((l) => /2,500/.test(l) && typeof s.heap[l] !== "number"));
  if (overStorage >= 0) console.log(`first part over the Storage, even pretokenised: ${stages[overStorage].part} (${stages[overStorage].pretokenisedBytes} of ${STORAGE_BYTES})`);
  if (overHeap >= 0) console.log(`first part over the heap on the 2,500-block build: ${stages[overHeap].part} (${stages[overHeap].heap[Object.keys(stages[overHeap].heap).find((l) => /2,500/.test(l))!]})`);
  const fits = last.pretokenisedBytes <= STORAGE_BYTES && Object.keys(last.heap).some((l) => /2,500/.test(l) && typeof last.heap[l] === "number" && (last.heap[l] as number) <= (RAK8212.budgets.ramBlocks ?? HEAP_BLOCKS));
  console.log(`shared core stacked: ${fits ? "fits" : "does NOT fit"} (line + SMS receive: Storage ${last.pretokenisedBytes} of ${STORAGE_BYTES} pretokenised; heap budget ${RAK8212.budgets.ramBlocks} of ${HEAP_BLOCKS} blocks)`);
  console.log(
    `over the RAK8212's Storage by ${last.plainBytes - STORAGE_BYTES} bytes minified, ${last.pretokenisedBytes - STORAGE_BYTES} pretokenised` +
      Object.keys(last.heap)
        .filter((l) => typeof last.heap[l] === "number")
        .map((l) => `; heap ${l}: ${(last.heap[l] as number) - HEAP_BLOCKS} blocks over the whole 2,500`)
        .join(""),
  );
  const budget = RAK8212.budgets.ramBlocks ?? HEAP_BLOCKS;
  const heapOk = ships.heap.length > 0 && ships.heap.every((h) => typeof h === "number" && h <= budget);
  console.log(
    `RAK8212 verdict (what ships, the RAK firmware): Storage ${ships.storage} of ${STORAGE_BYTES} bytes ${ships.storage <= STORAGE_BYTES ? "fits" : "does NOT fit"}; ` +
      (ships.heap.length ? `heap ${ships.heap.join(" / ")} blocks ${heapOk ? "within" : "NOT within"} the budget of ${budget}` : "heap not measured"),
  );
}
