/**
 * `espruino/arrow-this` (tools/espruino-arrow-this.js) against the interpreter itself:
 * every snippet below was measured on Espruino 2v29's Linux build, and the rule must flag
 * exactly the ones that crash it or lose `this`. With ESPRUINO_BIN set each snippet is run
 * again (and on Node, which gives the right answer); without it those runs are skipped,
 * like test/espruino.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleForEspruino } from "../../tools/bundle.js";
import { checkBundle } from "../../tools/portable-check.js";
import { runEspruino } from "../../tools/espruino-run.js";

const bin = process.env.ESPRUINO_BIN || undefined;
/** A whole `ok ...` line or assertion line: output arrives in chunks, so wait for its end. */
const DONE = /^>?\s*ok [^\n]*\n|FAILED AT src\/\S+\n/m;
const dir = mkdtempSync(path.join(tmpdir(), "arrow-this-"));

interface Probe {
  title: string;
  /** Plain JavaScript that prints `ok <value>` unless the interpreter dies first. */
  code: string;
  /** What the rule reports: its message id, or null. */
  rule: "crash" | "lost" | "classSkipped" | null;
  /**
   * What Espruino does: dies on the assertion at that line of src/jsvar.c, prints a value
   * other than Node's (`this` lost), or prints what Node prints.
   */
  espruino: "jsvar.c:3324" | "jsvar.c:3384" | "differs" | "same";
}

const probes: Probe[] = [
  {
    title: "the minimal reproducer: an arrow using this on the skipped side of &&",
    code: 'var o = { m() { 0 && (() => this); return 1; } };\nconsole.log("ok " + o.m());',
    rule: "crash",
    espruino: "jsvar.c:3324",
  },
  {
    title: "the minified AtChannel.finish: both branches of ?: hold an arrow using this",
    code:
      "var o = { gapMs: 0, closed: false, n: 0, pump() { this.n++; },\n" +
      "  finish() { this.gapMs > 0 && !this.closed ? this.t = setTimeout(() => { this.pump(); }, this.gapMs) : Promise.resolve().then(() => this.pump()); return 1; } };\n" +
      'console.log("ok " + o.finish());',
    rule: "crash",
    espruino: "jsvar.c:3324",
  },
  {
    title: "an arrow using this in a brace-less if that is not taken",
    code: 'var o = { m() { if (0) setTimeout(() => { this.x = 1; }, 1); return 1; } };\nconsole.log("ok " + o.m());',
    rule: "crash",
    espruino: "jsvar.c:3324",
  },
  {
    title: "an arrow using this in a case that is not taken",
    code: 'var o = { m(k) { switch (k) { case 2: (() => this); break; default: } return 1; } };\nconsole.log("ok " + o.m(1));',
    rule: "crash",
    espruino: "jsvar.c:3324",
  },
  {
    title: "an arrow using this in an expression-bodied arrow (crashes when the outer one is created)",
    code: 'var o = { m() { var f = (p) => p.then(() => this.x); return typeof f; } };\nconsole.log("ok " + o.m());',
    rule: "crash",
    espruino: "jsvar.c:3324",
  },
  {
    title: "a skipped arrow whose this is only inside a nested function",
    code: 'var o = { m() { 0 && (() => { var g = function () { this.y = 1; }; return g; }); return 1; } };\nconsole.log("ok " + o.m());',
    rule: "crash",
    espruino: "jsvar.c:3324",
  },
  {
    title: "a class expression on the skipped side of ?:",
    code: 'var o = { m() { var C = 0 ? class {} : 1; return C; } };\nconsole.log("ok " + o.m());',
    rule: "classSkipped",
    espruino: "jsvar.c:3384",
  },
  {
    title: "this before a nested function in an expression body is lost",
    code: 'var o = { x: 5, m() { var f = () => [this.x, function () {}]; return f()[0]; } };\nconsole.log("ok " + o.m());',
    rule: "lost",
    espruino: "differs",
  },
  {
    title: "this before a nested arrow in an expression body is lost",
    code: 'var o = { x: 5, g(cb) { return this.x + cb(); }, m() { var f = () => this.g(() => 1); try { return f(); } catch (e) { return "threw"; } } };\nconsole.log("ok " + o.m());',
    rule: "lost",
    espruino: "differs",
  },
  {
    title: "this only inside a template literal is lost, even in a block body",
    code: 'var o = { x: 5, m() { var f = () => { return `x=${this.x}`; }; return f(); } };\nconsole.log("ok " + o.m());',
    rule: "lost",
    espruino: "differs",
  },
  {
    title: "arrows using this inside braced branches",
    code: 'var o = { x: 5, m() { if (0) { setTimeout(() => this.x, 1); } else { 0 && 1; } var f = () => this.x; return f(); } };\nconsole.log("ok " + o.m());',
    rule: null,
    espruino: "same",
  },
  {
    title: "an arrow using this inside a block-bodied arrow",
    code: 'var o = { x: 5, m() { var f = (p) => { return p.then(() => this.x); }; return typeof f; } };\nconsole.log("ok " + o.m());',
    rule: null,
    espruino: "same",
  },
  {
    title: "this after the nested function in an expression body",
    code: 'function g(f, n) { return f() + n; }\nvar o = { x: 5, m() { var f = () => g(function () { return 1; }, this.x); return f(); } };\nconsole.log("ok " + o.m());',
    rule: null,
    espruino: "same",
  },
  {
    title: "arrows using this inside object literals, skipped or not",
    code: 'var o = { x: 5, m() { var f = () => ({ a: this.x }); 0 && { f: () => this }; return f().a; } };\nconsole.log("ok " + o.m());',
    rule: null,
    espruino: "same",
  },
  {
    title: "an arrow using this in the branch of ?: that is taken (conservative: it runs)",
    code: 'var o = { x: 5, m() { var f = 1 ? () => this.x : 0; return f(); } };\nconsole.log("ok " + o.m());',
    rule: "crash",
    espruino: "same",
  },
];

/** The `espruino/arrow-this` message ids checkBundle reports for `code`. */
function ruleIds(code: string): string[] {
  return checkBundle(code, "probe.js")
    .map((v) => v.message)
    .map((m) => (m.includes("will not bind") ? "lost" : m.includes("a class expression") ? "classSkipped" : m.includes("Espruino then fails") ? "crash" : ""))
    .filter((id) => id !== "");
}

for (const [i, p] of probes.entries()) {
  test(`arrow-this: the bundle check ${p.rule ? "flags" : "accepts"} ${p.title}`, (t) => {
    const ids = ruleIds(p.code);
    if (p.rule === null) t.deepEqual(ids, []);
    else t.true(ids.includes(p.rule), JSON.stringify(ids));
    t.deepEqual(
      checkBundle(p.code, "probe.js").filter((v) => !/Espruino then fails|will not bind|a class expression/.test(v.message)),
      [],
      "no other rule fires: the snippet measures only this",
    );
  });

  (bin ? test : test.skip)(`arrow-this on Espruino: ${p.title} (${p.espruino})`, async (t) => {
    const file = path.join(dir, `probe${i}.js`);
    writeFileSync(file, p.code + "\n");
    const node = spawnSync(process.execPath, [file], { encoding: "utf8" });
    t.is(node.status, 0, node.stderr);
    const expected = node.stdout.trim();
    t.regex(expected, /^ok /);
    const run = await runEspruino(bin!, file, { timeoutMs: 60000, until: DONE });
    const printed = /^>?\s*(ok .*)$/m.exec(run.output);
    const assertion = /ASSERT\(\w+\(\w+\)\) FAILED AT src\/(\S+)/.exec(run.output);
    if (p.espruino === "same" || p.espruino === "differs") {
      t.is(assertion, null, run.output.slice(-500));
      t.truthy(printed, run.output.slice(-500));
      if (p.espruino === "same") t.is(printed![1], expected);
      else t.not(printed![1], expected, "Espruino lost `this`");
    } else {
      t.truthy(assertion, "the interpreter fails its assertion\n" + run.output.slice(-500));
      t.is(assertion![1], p.espruino);
      t.is(printed, null, "nothing after the crash runs");
    }
  });
}

/**
 * The AtChannel.finish shape in TypeScript: arrows using `this` in braced if/else
 * branches and in a block-bodied arrow. esbuild's minifySyntax folds both into shapes that
 * crash Espruino (`c ? a(() => this...) : b(() => this...)`, `(p) => p.then(() => this.n)`).
 */
const pumpSource = `
export class Pump {
  gapMs = 0;
  closed = false;
  gapTimer: number | undefined = undefined;
  pumped = 0;
  finish(): void {
    if (this.gapMs > 0 && !this.closed) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        this.pump();
      }, this.gapMs);
    } else {
      Promise.resolve().then(() => this.pump());
    }
  }
  wrap(): (p: Promise<number>) => Promise<number> {
    return (p) => {
      return p.then(() => this.pumped);
    };
  }
  pump(): void {
    this.pumped++;
  }
}
const pump = new Pump();
pump.finish();
pump.wrap()(Promise.resolve(1)).then((n) => console.log("ok pumped " + n));
`;

test("arrow-this: the minified bundle keeps arrows using this out of branches and expression bodies", async (t) => {
  const file = path.join(dir, "pump.ts");
  writeFileSync(file, pumpSource);
  const r = await bundleForEspruino(file, path.join(dir, "pump.min.js"), { minify: true, write: true });
  t.deepEqual(checkBundle(r.text, "pump.min.js"), []);
  t.notRegex(r.text, /\?[^:]*=>[^:]*this[^:]*:/, "no `c ? (...) => this... : ...`");
});

(bin ? test : test.skip)("arrow-this on Espruino: the minified bundle of the AtChannel.finish shape runs", async (t) => {
  const file = path.join(dir, "pump-run.ts");
  writeFileSync(file, pumpSource);
  const r = await bundleForEspruino(file, path.join(dir, "pump-run.min.js"), { minify: true });
  const run = await runEspruino(bin!, r.outfile, { timeoutMs: 60000, until: DONE });
  t.regex(run.output, /^>?\s*ok pumped 1$/m, run.output.slice(-500));
  t.notRegex(run.output, /FAILED AT/);
});
