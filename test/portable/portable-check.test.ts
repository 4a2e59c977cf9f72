/**
 * The bundle checker (tools/portable-check.ts) and the Espruino bundler (tools/bundle.ts)
 * proven on bad snippets: each is bundled the way the boards are and must be rejected,
 * with the reason espruino-facts.md gives.
 */
import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleForEspruino, BundleError, espruinoBoards, repoRoot, textProblems } from "../../tools/bundle.js";
import { allModulesEntry, checkBundle, portableModules } from "../../tools/portable-check.js";

const dir = mkdtempSync(path.join(tmpdir(), "portable-check-"));
let n = 0;

/** Bundles `code` (TypeScript) like a board bundle and returns the text. */
async function bundle(code: string, minify = false, name = `snippet${n++}.ts`): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, code);
  const r = await bundleForEspruino(file, file.replace(/\.ts$/, minify ? ".min.js" : ".js"), { minify, write: false });
  return r.text;
}

/** Bundles and checks; returns the violation messages. */
async function violations(code: string, minify = false): Promise<string[]> {
  return checkBundle(await bundle(code, minify), "snippet.js").map((v) => v.message);
}

async function bundleError(code: string, opts: { maxBytes?: number } = {}): Promise<BundleError> {
  const file = path.join(dir, `snippet${n++}.ts`);
  writeFileSync(file, code);
  const err = await bundleForEspruino(file, file + ".js", Object.assign({ write: false }, opts)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof BundleError)) throw new Error("expected a BundleError, got " + String(err));
  return err;
}

const has = (list: string[], fragment: string) => list.some((m) => m.includes(fragment));

test("a clean snippet bundles and passes the check", async (t) => {
  const text = await bundle(
    "export class A { static make() { return new this(); } n = 1; }\n" +
      "const xs: number[] = [];\nfor (let i = 0; i < 3; i++) xs.push(i);\n" +
      "console.log(new A().n, xs.length, (xs as number[] | undefined)?.length ?? 0, Math.pow(2, 3));\n",
  );
  t.deepEqual(checkBundle(text, "clean.js"), []);
  // Class fields became constructor assignments (useDefineForClassFields: false).
  t.regex(text, /this\.n = 1/);
});

test("the class self-reference esbuild emits (`var X = class _X`) is rejected", async (t) => {
  const text = await bundle("export class Modem { static make() { return new Modem(); } }\nconsole.log(Modem.make());\n", false, "modem.ts");
  t.regex(text, /var (\w+) = class _\w+/, "esbuild emits the named class expression");
  const v = checkBundle(text, "self.js");
  t.true(has(v.map((x) => x.message), "refers to itself"), JSON.stringify(v));
  t.is(v[0].module, path.relative(repoRoot, path.join(dir, "modem.ts")).split(path.sep).join("/"), "the violation names its source module");
});

test("the super(...arguments) esbuild writes for a subclass with fields is rejected", async (t) => {
  const text = await bundle("class A { a = 0; }\nexport class B extends A { x = 1; }\nconsole.log(new B());\n");
  t.regex(text, /super\(\.\.\.arguments\)/);
  t.true(has(checkBundle(text, "sub.js").map((v) => v.message), "spread"));
});

test("an array hole is rejected", async (t) => {
  t.true(has(await violations("export const a = [1, , 3];\nconsole.log(a);\n"), "array hole"));
});

test("an array hole on a cold path (a case that never runs) is rejected too", async (t) => {
  const v = await violations("export function f(x: number) { switch (x) { case 99: return [0, 2, , 3]; default: return []; } }\nconsole.log(f(1));\n");
  t.true(has(v, "array hole"));
});

test("a closure over a loop-head let survives bundling and is rejected", async (t) => {
  const v = await violations("const fs: (() => number)[] = [];\nfor (let i = 0; i < 3; i++) fs.push(() => i);\nconsole.log(fs[0]());\n");
  t.true(has(v, "loop-head `let`"));
});

test("a missing global (Map) and a missing static (Array.from) are rejected", async (t) => {
  const v = await violations("console.log(new Map(), Array.from([1]));\n");
  t.true(has(v, "Map, Set, WeakMap"));
  t.true(has(v, "Array.from/Array.of are missing"));
});

test("a call that runs before its function statement is rejected", async (t) => {
  const v = await violations("export const x = later();\nconsole.log(x);\nfunction later() { return 1; }\n");
  t.true(has(v, "used before its definition ran"));
});

test("a regex outside Espruino's engine is rejected", async (t) => {
  t.true(has(await violations('console.log(/^\\+CSQ: (\\d{1,2}),/.test("x"));\n'), "`{n}`"));
});

test("syntax the compiler refuses: default and rest parameters, destructuring, spread, generators, async", async (t) => {
  for (const [code, why] of [
    ["export function f(a = 1) { return a; }\nconsole.log(f());", "default parameters"],
    ["export function f(...a: number[]) { return a; }\nconsole.log(f());", "rest parameters"],
    ["export function f(o: { a: number }) { const { a } = o; return a; }\nconsole.log(f({ a: 1 }));", "destructuring"],
    ["export function f(xs: number[]) { return Math.max(...xs); }\nconsole.log(f([1]));", "spread"],
    ["export function* g() { yield 1; }\nconsole.log(g());", "generators"],
    ["export async function h() { return 1; }\nconsole.log(h());", "async"],
  ]) {
    const err = await bundleError(code);
    t.true(err.problems.some((p) => p.includes(why) && p.includes("snippet")), `${why}: ${err.message}`);
  }
});

test("a Node built-in import fails the bundle and names the importer", async (t) => {
  for (const mod of ["fs", "node:events", "buffer"]) {
    const err = await bundleError(`import * as m from "${mod}";\nconsole.log(m);\n`);
    t.true(err.problems.some((p) => p.includes(`imports the Node built-in "${mod}"`) && p.includes("snippet")), err.message);
  }
});

test("require of a Node module in the bundle is rejected; Espruino's own modules pass as plain calls", async (t) => {
  const ok = await bundle('declare const require: (m: string) => unknown;\nconsole.log(require("Storage"));\n');
  t.false(ok.includes("__require"), "no esbuild require shim (it needs Proxy)");
  t.regex(ok, /globalThis\.require\)?\("Storage"\)/);
  t.deepEqual(checkBundle(ok, "storage.js"), []);
  const bad = await violations('declare const require: (m: string) => unknown;\nconsole.log(require("events"));\n');
  t.true(has(bad, 'require("events"): Espruino has no such module'));
});

test("astral characters become surrogate pairs, never \\u{...}; non-ASCII in comments is escaped", async (t) => {
  const text = await bundle('export const s = "\\u{1F600} é";\nconsole.log([\n  // 27.007 §9.1 comment kept by esbuild\n  s,\n]);\n');
  t.false(text.includes("\\u{"));
  t.true(text.includes("\\uD83D\\uDE00"));
  t.deepEqual(textProblems(text), []);
  t.false(/[\u007f-\uffff]/.test(text), "pure ASCII");
  t.deepEqual(checkBundle(text, "unicode.js"), []);
});

test("raw bundle text with \\u{...}, non-ASCII or post-ES2015 syntax is rejected", (t) => {
  t.true(has(checkBundle('var s = "\\u{1F600}";\n', "a.js").map((v) => v.message), "\\u{...} escape"));
  t.true(has(checkBundle('var s = "é";\n', "b.js").map((v) => v.message), "non-ASCII character at 1:10"));
  t.true(has(checkBundle("var o = {}; var x = o?.a;\n", "c.js").map((v) => v.message), "not ES2015"));
  t.true(has(checkBundle("var M = class _M { static f() { return new _M(); } };\n", "d.js").map((v) => v.message), "refers to itself"));
  t.true(has(checkBundle("var of = 3;\n", "e.js").map((v) => v.message), "keywords of Espruino's lexer"));
});

test("the minifier never names a variable `of` (a keyword of Espruino's lexer)", async (t) => {
  // Enough names in one scope that esbuild hands out two-letter names, `of` among them
  // unless it is reserved.
  const names = Array.from({ length: 1500 }, (_v, i) => "v" + i);
  const code = "export function f(k: number) {\n" + names.map((v, i) => `  let ${v} = k * ${i};`).join("\n") + `\n  return [${names.join(", ")}];\n}\nconsole.log(f(2).length);\n`;
  const text = await bundle(code, true);
  t.notRegex(text, /[^\w$.]of\s*[=,;)]/, "no binding named of");
  t.deepEqual(checkBundle(text, "big.min.js"), []);
});

test("a bundle over the board's budget fails with the numbers", async (t) => {
  const err = await bundleError('console.log("' + "x".repeat(2000) + '");\n', { maxBytes: 1000 });
  t.regex(err.message, /\d+ bytes is over the budget of 1000 bytes/);
});

test("the all-modules entry lists every portable module and no host or board-entry file", (t) => {
  const mods = portableModules();
  t.true(mods.includes("hal/emitter.ts"));
  t.true(mods.includes("hal/errors.ts"));
  t.true(mods.some((m) => m.startsWith("drivers/")));
  t.false(mods.some((m) => m.endsWith(".d.ts") || m.includes("/node/") || m.startsWith("hal/memory/") || m.startsWith("sim/")));
  t.false(mods.includes("hal/espruino/boot.ts"));
  t.false(mods.includes("firmware/rak/boot.ts"), "a board's own entry (boards.json entry) is not a module of all");
  t.true(mods.includes("firmware/rak/phone.ts"));
  const entry = allModulesEntry(["hal/emitter.ts", "hal/errors.ts"]);
  t.regex(entry, /import \* as m0 from "\.\/hal\/emitter\.ts";/);
  t.regex(entry, /__sharedlinePortable = \[m0, m1\]/);
});

test("boards.json has an Espruino board with a bundle budget", (t) => {
  const boards = espruinoBoards();
  t.true(boards.length > 0);
  for (const b of boards) t.true((b.budgets.bundleBytes ?? 0) > 0, b.name);
});
