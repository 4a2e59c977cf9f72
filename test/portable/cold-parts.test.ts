/**
 * The parts a watch needs seldom stay out of its boot code (tools/bundle.ts
 * COLD_MODULES): One Number activation's steps and the eUICC reads (sl.act), profile
 * deletion (sl.prof), answering the network's positioning requests (sl.pos), storage's
 * fault and recovery handling (sl.stf), the data session and the companion link (sl.link,
 * loaded only when the device settings turn them on); and the tables that stay hot are no objects (the
 * release causes). Each is recognised by text only its source has. Runs on Node.
 */
import test from "ava";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, COLD_LOADER_SOURCE, espruinoBoards } from "../../tools/bundle.js";

const dir = mkdtempSync(path.join(tmpdir(), "cold-parts-"));
const watch = espruinoBoards().find((b) => b.name === "watch-bangle2-bg95")!;

/** Storage file, and text only its source holds. */
const COLD: [string, string][] = [
  ["sl.act", "cannot store the registration data"], // activation/steps.ts
  ["sl.act", "BF3E035C015A00"], // activation/eid.ts: GetEID
  ["sl.prof", "BF3211A00C5A0A"], // activation/profiles.ts: DisableProfile
  ["sl.pos", "not_enough_gps_satellites"], // position-answer.ts and positioning.ts's pos_err
  ["sl.pos", "ellipsoid_point_uncert_circle"], // positioning.ts: the 23.032 shape
  ["sl.stf", '"probe"'], // storage-fault.ts: the probe record
  ["sl.link", "AT+QMTOPEN="], // companion/qmt.ts: the BG95's MQTT client
  ["sl.link", '"sl/v1/"'], // companion/topics.ts
  ["sl.link", "+QIACT"], // data: the PDP context's activation (Quectel's packet dialect)
];

test("the watch's boot code carries none of the rarely used parts; their Storage modules do", async (t) => {
  const r = await bundleBoard(watch, dir, true);
  for (const [file, text] of COLD) {
    t.false(r.text.includes(text), `${JSON.stringify(text)} is not in the boot code`);
    const m = (r.modules ?? []).find((x) => x.file === file);
    t.truthy(m, `${file} is written beside the boot code`);
    if (m) t.true(m.text.includes(text), `${JSON.stringify(text)} is in ${file}`);
  }
  // The watch's link module carries the Quectel MQTT stack only, and no socket table (nothing on a modem-mqtt board opens a socket).
  const link = (r.modules ?? []).find((x) => x.file === "sl.link");
  t.false(!!link && /CMQTTSTART|no free modem socket/.test(link.text), "no SIMCom MQTT stack and no socket table in sl.link");
  // The release causes are numbers in classifyEnd, not a table object (its member names would survive minifying).
  t.false(/nonSelectedUserClearing|recoveryOnTimerExpiry/.test(r.text), "no table of 24.008 causes in the boot code");
  // The +CME/+CMS descriptions are written inside describeCode, not held at module level.
  t.notRegex(r.text, /(?:var|let|const) [$\w]+="\|0:phone failure/, "no module-level +CME table");
  t.true(r.text.includes("|0:phone failure|"), "the texts are still there, in code");
});

/** The cold loader as the bundle has it, run with a given `require` (Espruino's loads Storage files). */
function coldLoader(load: (file: string) => unknown): (file: string, name: string, args: unknown[]) => unknown {
  const removed: string[] = [];
  const body = COLD_LOADER_SOURCE.replace("export function", "return function");
  const make = new Function("require", "Modules", body) as (r: typeof load, m: { removeCached(f: string): void }) => (file: string, name: string, args: unknown[]) => unknown;
  return make(load, { removeCached: (f) => removed.push(f) });
}

test("a cold part that does not load (missing from Storage, or no heap to parse it) is an error naming it", (t) => {
  const call = coldLoader(() => undefined);
  t.throws(() => call("sl.rcv", "rcvStored", []), { message: "cold part sl.rcv did not load (missing from Storage, or no heap left): rcvStored" });
  const partial = coldLoader(() => ({}));
  t.throws(() => partial("sl.out", "sendNext", []), { message: /cold part sl\.out did not load.*sendNext/ });
  const loaded = coldLoader(() => ({ twice: (n: number) => 2 * n }));
  t.is(loaded("sl.x", "twice", [21]), 42);
});

/** Espruino's `require` of a Storage file: it throws for a file Storage lacks, and passes on what the module's own code throws (measured on 2v29.277). */
function storageRequire(files: { [name: string]: () => unknown }): (file: string) => unknown {
  return function (file) {
    if (file === "Storage") return { read: (f: string) => (files[f] ? "exports.x=1" : undefined) };
    if (!files[file]) throw new Error('Module "' + file + '" not found');
    return files[file]();
  };
}

test("a cold part missing from Storage (a flash that did not write it) is said as that, with the fix; a module whose own code throws passes its error on", (t) => {
  const missing = coldLoader(storageRequire({}));
  t.throws(() => missing("sl.link", "moduleMqttComposer", []), { message: "cold part sl.link is missing from Storage: flash again (npm run flash)" });
  const broken = coldLoader(
    storageRequire({
      "sl.link": () => {
        throw new Error("Got ';' expected EOF");
      },
    }),
  );
  t.throws(() => broken("sl.link", "moduleMqttComposer", []), { message: "Got ';' expected EOF" });
});
