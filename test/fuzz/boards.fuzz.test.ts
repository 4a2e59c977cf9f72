/**
 * Fuzzing boards.json (issue 15): the real file with fields deleted, replaced by random
 * JSON values of any type, or added, at any depth. `loadBoards` must give boards or throw
 * a BoardError that lists the problems: never a TypeError from a field of the wrong type.
 * A board it accepts must be usable: its modem profile exists and its capabilities are
 * the documented types.
 */
import test from "ava";
import fc from "fast-check";
import { BoardError, loadBoards } from "../../firmware/board.js";
import { findProfile } from "../../drivers/modems/index.js";
import boardsJson from "../../boards.json" with { type: "json" };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Edit = { path: number[]; op: "delete" | "replace" | "add"; value: Json; key: string };

const editArb: fc.Arbitrary<Edit> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
  op: fc.constantFrom<Edit["op"]>("delete", "replace", "add"),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  key: fc.oneof(fc.constantFrom("modem", "capabilities", "pins", "sms", "voice", "callWaiting", "__proto__", "constructor"), fc.string({ maxLength: 8 })),
});

function apply(root: Json, e: Edit): void {
  let node: Json = root;
  for (let d = 0; d < e.path.length; d++) {
    if (node === null || typeof node !== "object") return;
    const keys = Array.isArray(node) ? node.map((_v, i) => String(i)) : Object.keys(node);
    if (keys.length === 0) return;
    const k = keys[e.path[d] % keys.length];
    const child: Json = (node as { [k: string]: Json })[k];
    if (d === e.path.length - 1 || child === null || typeof child !== "object") {
      const obj = node as { [k: string]: Json };
      if (e.op === "delete") delete obj[k];
      else if (e.op === "replace") obj[k] = e.value;
      else if (child !== null && typeof child === "object" && !Array.isArray(child)) Object.defineProperty(child, e.key, { value: e.value, enumerable: true, writable: true, configurable: true });
      else obj[k] = e.value;
      return;
    }
    node = child;
  }
}

test("fuzz: a mutated boards.json gives usable boards or a BoardError listing the problems", (t) => {
  let cases = 0;
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.array(editArb, { minLength: 1, maxLength: 5 }), (edits) => {
      cases++;
      const json = JSON.parse(JSON.stringify(boardsJson)) as Json;
      for (const e of edits) apply(json, e);
      let boards;
      try {
        boards = loadBoards(json);
      } catch (e) {
        if (!BoardError.is(e)) throw new Error("loadBoards threw " + String(e) + " for " + JSON.stringify(json));
        refused++;
        return;
      }
      accepted++;
      for (const name of Object.keys(boards)) {
        const b = boards[name];
        if (!findProfile(b.modem)) throw new Error("board " + name + " accepted with an unknown modem " + String(b.modem));
        if (typeof b.capabilities.voice !== "boolean" || typeof b.capabilities.callWaiting !== "boolean") throw new Error("board " + name + " accepted with capabilities " + JSON.stringify(b.capabilities));
      }
    }),
    { numRuns: 1000, seed: 1504 },
  );
  t.log("loaded " + cases + " mutated boards.json (fields deleted, replaced by random JSON, added, at any depth): " + accepted + " accepted, " + refused + " refused with a BoardError; fast-check seed 1504");
  t.true(accepted > 0 && refused > 0);
});
