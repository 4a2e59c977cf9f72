/**
 * The Pins contract, run against every implementation: MemoryPins, NodePins over sysfs
 * GPIO (a fake /sys/class/gpio in a temp directory) and EspruinoPins over fake
 * digitalWrite/digitalRead. The rigs wire `reset` and `ringIndicator` active-low, as
 * real boards do, and observe raw levels, so polarity is checked too.
 */
import test from "ava";
import fs from "node:fs/promises";
import path from "node:path";
import type { PinName, Pins } from "../../hal/types.js";
import { VirtualClock } from "../../hal/memory/clock.js";
import { MemoryPins } from "../../hal/memory/pins.js";
import { NodePins, NoPins, SysfsGpio } from "../../hal/node/pins.js";
import { EspruinoPins } from "../../hal/espruino/pins.js";
import { checkPinMap, PinError } from "../../hal/pin-map.js";
import type { PinMap } from "../../hal/pin-map.js";
import { removeTmpDirs, tmpDir } from "./helpers.js";

test.after.always(removeTmpDirs);

const ALL: PinName[] = ["powerKey", "reset", "status", "ringIndicator"];

interface Rig {
  pins: Pins;
  /** Test side: drive an input line (the rig applies the wiring's polarity). */
  setInput(pin: PinName, asserted: boolean): Promise<void>;
  /** Test side: whether an output line is asserted now (undefined before any write). */
  output(pin: PinName): Promise<boolean | undefined>;
}

/** A board map wiring `wired`; reset and ringIndicator are active-low. */
function boardMap(wired: PinName[], names: { [p: string]: string }): PinMap {
  const map: PinMap = {};
  for (const p of wired) map[p] = { pin: names[p], activeHigh: p !== "reset" && p !== "ringIndicator" };
  return map;
}

function pinsContract(name: string, makeRig: (wired: PinName[]) => Promise<Rig>): void {
  test(`${name}: has() tells which lines the board wires`, async (t) => {
    const all = await makeRig(ALL);
    for (const p of ALL) t.true(all.pins.has(p), p);
    const some = await makeRig(["powerKey", "status"]);
    t.deepEqual(
      ALL.filter((p) => some.pins.has(p)),
      ["powerKey", "status"],
    );
  });

  test(`${name}: writes drive the outputs, true = asserted`, async (t) => {
    const { pins, output } = await makeRig(ALL);
    await pins.write("powerKey", true);
    t.true(await output("powerKey"));
    await pins.write("reset", true);
    t.true(await output("reset"));
    await pins.write("powerKey", false);
    t.false(await output("powerKey"));
    t.true(await output("reset"));
    await pins.write("reset", false);
    t.false(await output("reset"));
    await pins.write("reset", false);
    t.false(await output("reset"));
  });

  test(`${name}: reads follow the inputs, true = asserted`, async (t) => {
    const { pins, setInput } = await makeRig(ALL);
    for (const level of [true, false, true]) {
      await setInput("status", level);
      await setInput("ringIndicator", !level);
      t.is(await pins.read("status"), level);
      t.is(await pins.read("ringIndicator"), !level);
    }
  });

  test(`${name}: wrong direction, unwired, unknown pins and non-boolean levels are a PinError`, async (t) => {
    const { pins } = await makeRig(["powerKey", "status"]);
    const refused = async (p: Promise<unknown>, re: RegExp) => {
      const e = await t.throwsAsync(p);
      t.true(PinError.is(e), e?.message);
      t.regex(e!.message, re);
    };
    await refused(pins.write("status", true), /input/);
    await refused(pins.read("powerKey"), /output/);
    await refused(pins.write("reset", true), /does not wire/);
    await refused(pins.read("ringIndicator"), /does not wire/);
    await refused(pins.write("led" as PinName, true), /unknown pin/);
    await refused(pins.read("constructor" as PinName), /unknown pin/);
    await refused(pins.write("powerKey", 1 as unknown as boolean), /true or false/);
  });
}

// --- memory ---------------------------------------------------------------------

pinsContract("memory", async (wired) => {
  const pins = new MemoryPins(new VirtualClock(), wired);
  return {
    pins,
    setInput: async (p, a) => pins.setInput(p, a),
    output: async (p) => pins.output(p),
  };
});

// --- node sysfs -----------------------------------------------------------------

const GPIO = { powerKey: "gpio23", reset: "gpio24", status: "25", ringIndicator: "gpio26" };

/**
 * A fake sysfs GPIO tree: gpioN/{direction,value}. The kernel sets `value` when
 * "high"/"low" is written to `direction`; the fake has no kernel, so the observed level
 * is `value` once written, else what `direction` says.
 */
async function fakeSysfs(): Promise<string> {
  const root = await tmpDir("gpio");
  await fs.writeFile(path.join(root, "export"), "");
  for (const n of [23, 24, 25, 26]) {
    await fs.mkdir(path.join(root, `gpio${n}`));
    await fs.writeFile(path.join(root, `gpio${n}`, "direction"), "in");
    await fs.writeFile(path.join(root, `gpio${n}`, "value"), "");
  }
  return root;
}

async function sysfsLevel(root: string, gpio: string): Promise<0 | 1 | undefined> {
  const dir = path.join(root, gpio.startsWith("gpio") ? gpio : `gpio${gpio}`);
  const value = (await fs.readFile(path.join(dir, "value"), "utf8")).trim();
  if (value === "0" || value === "1") return value === "1" ? 1 : 0;
  const direction = (await fs.readFile(path.join(dir, "direction"), "utf8")).trim();
  return direction === "high" ? 1 : direction === "low" ? 0 : undefined;
}

pinsContract("node sysfs", async (wired) => {
  const root = await fakeSysfs();
  const map = boardMap(wired, GPIO);
  const pins = new NodePins(map, new SysfsGpio(root));
  return {
    pins,
    async setInput(p, asserted) {
      const w = map[p];
      const dir = path.join(root, w.pin.startsWith("gpio") ? w.pin : `gpio${w.pin}`);
      await fs.writeFile(path.join(dir, "value"), asserted === w.activeHigh ? "1\n" : "0\n");
    },
    async output(p) {
      const level = await sysfsLevel(root, map[p].pin);
      return level === undefined ? undefined : (level === 1) === map[p].activeHigh;
    },
  };
});

// --- espruino -------------------------------------------------------------------

const BANGLE = { powerKey: "D31", reset: "D30", status: "D27", ringIndicator: "D26" };

pinsContract("espruino (fake digitalWrite/digitalRead)", async (wired) => {
  const map = boardMap(wired, BANGLE);
  const levels: { [pin: string]: number } = {};
  const pins = new EspruinoPins(map, {
    digitalWrite: (pin, value) => {
      levels[pin] = value;
    },
    digitalRead: (pin) => levels[pin] ?? 0,
  });
  return {
    pins,
    async setInput(p, asserted) {
      levels[map[p].pin] = asserted === map[p].activeHigh ? 1 : 0;
    },
    async output(p) {
      const l = levels[map[p].pin];
      return l === undefined ? undefined : (l === 1) === map[p].activeHigh;
    },
  };
});

// --- beyond the contract ----------------------------------------------------------

test("NoPins: a board without lines says so for every pin", async (t) => {
  const pins = new NoPins();
  for (const p of ALL) t.false(pins.has(p));
  for (const op of [pins.write("powerKey", true), pins.read("status")]) {
    const e = await t.throwsAsync(op);
    t.true(PinError.is(e));
    t.regex(e!.message, /does not wire/);
  }
});

test("polarity reaches the wire: asserting an active-low line drives it low", async (t) => {
  const written: [string, number][] = [];
  const pins = new EspruinoPins(boardMap(ALL, BANGLE), {
    digitalWrite: (pin, value) => {
      written.push([pin, value]);
    },
    digitalRead: (pin) => (pin === "D26" ? 0 : 1),
  });
  await pins.write("powerKey", true);
  await pins.write("reset", true);
  t.deepEqual(written, [
    ["D31", 1],
    ["D30", 0],
  ]);
  t.true(await pins.read("ringIndicator"));
  t.true(await pins.read("status"));
});

test("sysfs: the first write sets direction and level in one step, later writes go to value", async (t) => {
  const root = await fakeSysfs();
  const gpio = new SysfsGpio(root);
  await gpio.write("gpio23", 1);
  t.is(await fs.readFile(path.join(root, "gpio23", "direction"), "utf8"), "high");
  await gpio.write("gpio23", 0);
  t.is(await fs.readFile(path.join(root, "gpio23", "value"), "utf8"), "0");
  await fs.writeFile(path.join(root, "gpio25", "value"), "1\n");
  t.is(await gpio.read("25"), 1);
  t.is(await fs.readFile(path.join(root, "gpio25", "direction"), "utf8"), "in");
});

test("sysfs: a pin that is not exported is exported, and a clear error says when that fails", async (t) => {
  const root = await fakeSysfs();
  const gpio = new SysfsGpio(root);
  const e = await t.throwsAsync(gpio.write("gpio77", 1));
  t.true(PinError.is(e));
  t.regex(e!.message, /GPIO 77 did not appear/);
  t.is(await fs.readFile(path.join(root, "export"), "utf8"), "77");
  t.true(PinError.is(await t.throwsAsync(gpio.write("PA7", 1))));
  await fs.writeFile(path.join(root, "gpio25", "value"), "x");
  t.regex((await t.throwsAsync(gpio.read("gpio25")))!.message, /not 0 or 1/);
});

test("memory: writes are recorded with the clock's time and announced", async (t) => {
  const clock = new VirtualClock(1000);
  const pins = new MemoryPins(clock);
  const heard: string[] = [];
  pins.onWrite((w) => heard.push(`${w.pin}=${w.asserted}@${w.at}`));
  await pins.write("powerKey", true);
  await clock.advance(500);
  await pins.write("powerKey", false);
  t.deepEqual(pins.writes, [
    { pin: "powerKey", asserted: true, at: 1000 },
    { pin: "powerKey", asserted: false, at: 1500 },
  ]);
  t.deepEqual(heard, ["powerKey=true@1000", "powerKey=false@1500"]);
  t.throws(() => pins.setInput("powerKey", true), { message: /not an input/ });
  t.throws(() => new MemoryPins(clock, ["bogus" as PinName]), { message: /unknown pin/ });
});

test("pin maps: every board in boards.json passes, malformed maps are a PinError", async (t) => {
  const boards = JSON.parse(await fs.readFile(new URL("../../boards.json", import.meta.url), "utf8")) as {
    boards: { [name: string]: { pins: PinMap } };
  };
  for (const [name, b] of Object.entries(boards.boards)) t.notThrows(() => checkPinMap(b.pins), name);
  const bad: PinMap[] = [
    { led: { pin: "D1", activeHigh: true } },
    { powerKey: { pin: "", activeHigh: true } },
    { reset: { pin: "D2", activeHigh: "yes" as unknown as boolean } },
  ];
  for (const m of bad) t.true(PinError.is(t.throws(() => checkPinMap(m))));
  t.true(PinError.is(t.throws(() => new NodePins(bad[0], new SysfsGpio("/nonexistent")))));
  t.true(PinError.is(t.throws(() => new EspruinoPins(bad[1]))));
});
