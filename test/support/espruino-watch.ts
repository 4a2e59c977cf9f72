/**
 * What the end-to-end tests of a watch on the Espruino interpreter share: a directory for
 * the interpreter's flash file with the REPLs started in it, gone at the test's end, and
 * the simulated network with one accessory whose modem is a pseudo-terminal.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { EspruinoRepl } from "../../tools/espruino-repl.js";
import { startCli } from "./cli-process.js";

export interface ReplWorkspace {
  dir: string;
  /** Every interpreter started for the test: stopped at its end. */
  repls: EspruinoRepl[];
}

/** A fresh directory (prefix `sharedline-<name>-`); `after` runs at teardown once the REPLs are stopped. */
export function replWorkspace(t: { teardown(fn: () => Promise<void> | void): void }, name: string, after?: () => Promise<void>): ReplWorkspace {
  const w: ReplWorkspace = { dir: mkdtempSync(path.join(tmpdir(), "sharedline-" + name + "-")), repls: [] };
  t.teardown(async () => {
    for (const r of w.repls) await r.stop();
    if (after) await after();
    rmSync(w.dir, { recursive: true, force: true });
  });
  return w;
}

/** `sharedline sim --accessories 1 --pty` for `board`: the accessory's pseudo-terminal and the control URL. */
export async function simWithAccessory(t: { teardown(fn: () => void): void }, board: string): Promise<{ pty: string; control: string }> {
  const sim = startCli(t, ["sim", "--accessories", "1", "--pty", "--board", board, "--quiet"]);
  const simOut = await sim.out.waitFor(/control on (http:\/\/\S+)/, 20000);
  return { pty: /A1 .* on (\/dev\/\S+)/.exec(simOut)![1], control: /control on (http:\/\/\S+)/.exec(simOut)![1] };
}
