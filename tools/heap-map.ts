/**
 * Where an Espruino board's heap goes: `node --import tsx tools/heap-map.ts [--board <name>]
 * [--modem] [--steps]` (with ESPRUINO_BIN, and ESPRUINO_BIN_<variables> for the board's
 * own heap layout).
 *
 * The board's minified bundle is built with a marker after each source module (and,
 * with --steps, before each top-level statement of firmware/main.ts's `assemble` and of
 * the boot entry) that prints `process.memory().usage` (which collects garbage first), written to
 * Storage with its cold modules and booted from there the way the device boots. What
 * each module's definitions cost is the difference between its marker and the one
 * before; what each part of the firmware costs once built is the difference between two
 * steps. With --modem the UART is bound to the pty of `sharedline sim --accessories 1`
 * and the heap is read again once the modem is up.
 *
 * The markers themselves cost a little (a print and a call per module); the figures are
 * deltas, so they cancel.
 */
import type * as esbuild from "esbuild";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, espruinoBoards, repoRoot } from "./bundle.js";
import { EspruinoRepl, writeStorageFiles } from "./espruino-repl.js";
import { interpreterFor, layoutProblem } from "./espruino-run.js";
import { storageFiles } from "./portable-check.js";

const MARK = "HEAPMARK";

function marker(label: string): string {
  return `;print(${JSON.stringify(MARK + " " + label + " ")}+process.memory().usage);\n`;
}

/** Marks the end of each module, and the steps of `assemble` and the entry when asked. */
function markerPlugin(steps: boolean, entry: string): esbuild.Plugin {
  return {
    name: "heap-map-markers",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        const rel = path.relative(repoRoot, args.path).split(path.sep).join("/");
        let text = readFileSync(args.path, "utf8");
        if (steps && (rel === "firmware/main.ts" || rel === entry)) {
          const lines = text.split("\n");
          let inside = rel !== "firmware/main.ts";
          const indent = rel === "firmware/main.ts" ? "  " : "";
          const starts = new RegExp("^" + indent + "(const|let|if|for|[a-z]\\w*\\.|return \\{)\\b");
          text = lines
            .map((l) => {
              if (rel === "firmware/main.ts") {
                if (/^function assemble/.test(l)) inside = true;
                else if (/^}/.test(l)) inside = false;
              }
              if (inside && starts.test(l) && !/^\s*(import|export)\b/.test(l)) return marker("step " + rel + ": " + l.trim().slice(0, 60)) + l;
              return l;
            })
            .join("\n");
        }
        return { contents: text + "\n" + marker("module " + rel), loader: "ts" };
      });
    },
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<number> {
  const boards = espruinoBoards();
  const board = boards.find((b) => b.name === (argValue(args, "--board") ?? boards[0].name));
  if (!board) throw new Error("no such board");
  const interp = interpreterFor(board.espruino ? board.espruino.variables : undefined);
  if (!interp) throw new Error("set ESPRUINO_BIN");
  const steps = args.includes("--steps");
  const cwd = mkdtempSync(path.join(tmpdir(), "sharedline-heapmap-"));
  let sim: ReturnType<typeof spawn> | undefined;
  let repl: EspruinoRepl | undefined;
  try {
    const entry = board.entry ?? "hal/espruino/boot.ts";
    const r = await bundleBoard(board, path.join(cwd, "dist"), true, false, [markerPlugin(steps, entry)]);
    const files = storageFiles(r);
    if (args.includes("--modem")) {
      sim = spawn(process.execPath, [path.join(repoRoot, "bin/sharedline.mjs"), "sim", "--accessories", "1", "--pty", "--board", board.name, "--quiet"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      const pty = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("sim did not start: " + out)), 30000);
        sim!.stdout!.on("data", (b: Buffer) => {
          out += b.toString();
          const m = /A1 .* on (\/dev\/\S+)/.exec(out);
          if (m && /control on/.test(out)) {
            clearTimeout(t);
            resolve(m[1]);
          }
        });
      });
      files["sharedline.json"] = JSON.stringify({ path: pty });
    }
    await writeStorageFiles(process.env.ESPRUINO_BIN!, cwd, files);
    repl = new EspruinoRepl(interp.bin, { cwd });
    if (sim) await repl.waitFor(/modem: ready/, 60000, 0);
    else await new Promise((resolve) => setTimeout(resolve, 3000));
    const after = await repl.heap();
    const lines = repl.output.split("\n");
    let prev = 0;
    const rows: { what: string; delta: number; at: number }[] = [];
    for (const l of lines) {
      const m = new RegExp("^" + MARK + " (.*) (\\d+)$").exec(l.trim());
      if (!m) continue;
      const at = Number(m[2]);
      rows.push({ what: m[1], delta: at - prev, at });
      prev = at;
    }
    console.log(`${board.name} on ${interp.label}, ${r.bytes} bytes boot code`);
    const notDevice = await layoutProblem(interp, board.espruino ? board.espruino.variables : undefined);
    if (notDevice) console.log(`(${notDevice}: these figures are fewer blocks than the device would use)`);
    for (const row of rows) console.log(`${String(row.delta).padStart(6)} ${String(row.at).padStart(6)}  ${row.what}`);
    console.log(`${String(after.usage - prev).padStart(6)} ${String(after.usage).padStart(6)}  after boot${sim ? " (modem up)" : " (3 s, no modem)"}`);
    const byDir = new Map<string, number>();
    for (const row of rows) {
      if (!row.what.startsWith("module ")) continue;
      const dir = row.what.slice(7).split("/").slice(0, -1).join("/");
      byDir.set(dir, (byDir.get(dir) ?? 0) + row.delta);
    }
    console.log("definitions by folder:");
    for (const [d, n] of [...byDir].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(6)}  ${d}`);
    for (let i = 0; i < args.length; i++) {
      if (args[i] === "--eval") console.log(args[i + 1] + " = " + (await repl.eval(args[i + 1], 60000)));
    }
    return 0;
  } finally {
    if (repl) await repl.stop();
    if (sim) sim.kill("SIGKILL");
    rmSync(cwd, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
