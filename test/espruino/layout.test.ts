/**
 * The heap layout of the Espruino builds the heap figures are measured on
 * (tools/espruino-run.ts probeLayout, layoutProblem). A board's budget means blocks of
 * its own layout: its fixed heap and the 4-character names of a 32-bit microcontroller.
 * The probe's answer is checked against the executable's own ELF class (a 32-bit build
 * holds 4 name characters in a block, a 64-bit one 8; Espruino's src/jsutils.h
 * JSVAR_DATA_STRING_NAME_LEN). Skipped without ESPRUINO_BIN (and so in CI).
 */
import test from "ava";
import { openSync, readSync, closeSync } from "node:fs";
import { layoutProblem, probeLayout } from "../../tools/espruino-run.js";

/** 32 or 64, from byte 4 of the ELF header (EI_CLASS). */
function elfBits(bin: string): number {
  const fd = openSync(bin, "r");
  try {
    const b = Buffer.alloc(5);
    readSync(fd, b, 0, 5, 0);
    if (b.toString("latin1", 1, 4) !== "ELF") throw new Error(`${bin} is not an ELF executable`);
    return b[4] === 1 ? 32 : 64;
  } finally {
    closeSync(fd);
  }
}

const builds = ["ESPRUINO_BIN", "ESPRUINO_BIN_12000", "ESPRUINO_BIN_2500"].filter((k) => process.env[k]);

if (!builds.length) {
  test.skip("Espruino heap layout: each build reports its heap and the name characters its word size gives (set ESPRUINO_BIN to run)", () => undefined);
}

for (const key of builds) {
  const bin = process.env[key]!;
  test(`Espruino heap layout: ${key} reports its heap and the name characters its word size gives`, async (t) => {
    const l = await probeLayout(bin);
    const bits = elfBits(bin);
    t.is(l.nameChars, bits === 32 ? 4 : 8, `${bin} is a ${bits}-bit build`);
    const fixed = /_(\d+)$/.exec(key);
    if (fixed) t.is(l.blocks, Number(fixed[1]), `${key} names a build with ${fixed[1]} blocks`);
    // Named as a board's layout, only a 32-bit build with that heap passes.
    const problem = await layoutProblem({ bin, layout: true, label: key }, l.blocks);
    if (bits === 32) t.is(problem, undefined);
    else t.regex(problem ?? "", /names of up to 8 characters/);
    t.regex((await layoutProblem({ bin, layout: true, label: key }, l.blocks + 1)) ?? "", new RegExp(`its heap is ${l.blocks} blocks, the board's ${l.blocks + 1}`));
  });
}
