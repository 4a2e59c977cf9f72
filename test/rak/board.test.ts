/**
 * The RAK8212 in boards.json, validated by firmware/board.ts as the other boards are: its
 * entry (the small RAK firmware) is checked, and only an Espruino board may name one.
 */
import test from "ava";
import boardsJson from "../../boards.json" with { type: "json" };
import { loadBoards, pickBoard } from "../../firmware/board.js";

test("rak8212-bg96: an Espruino board on the RAK8212 build with the RAK firmware as its entry and its budgets", (t) => {
  const warnings: string[] = [];
  const b = pickBoard(loadBoards(boardsJson, warnings), "rak8212-bg96");
  t.deepEqual(warnings, []);
  t.is(b.runtime, "espruino");
  t.is(b.modem, "quectel-bg96");
  t.is(b.entry, "firmware/rak/boot.ts");
  t.deepEqual(b.espruino, { build: "RAK8212", variables: 2500, supplyPin: "D6" });
  t.deepEqual(b.budgets, { bundleBytes: 40960, ramBlocks: 2000 });
  t.false(b.capabilities.callWaiting);
  t.is(b.serial.port, "Serial1");
});

test("an entry must be a .ts module, and only on an Espruino board", (t) => {
  const rak = JSON.parse(JSON.stringify(boardsJson.boards["rak8212-bg96"])) as { [k: string]: unknown };
  const bad = Object.assign({}, rak, { entry: "firmware/rak/boot.js" });
  t.throws(() => loadBoards({ boards: { x: bad } }), { message: /boards\.x\.entry: the path of a \.ts module/ });
  const car = Object.assign({}, boardsJson.boards["car-linux-eg91"], { entry: "firmware/rak/boot.ts" });
  t.throws(() => loadBoards({ boards: { y: car } }), { message: /boards\.y\.entry: only an Espruino board names the entry/ });
});
