// @ts-check
/**
 * How Espruino gives an arrow function its `this`, as an ESLint rule (registered as
 * `espruino/arrow-this` by tools/espruino-subset.js, for portable source and bundles).
 *
 * Espruino (2v29, src/jsparse.c jspeArrowFunction) does not resolve `this` by scope. While
 * it reads an arrow's body, its lexer raises a flag whenever it produces a `this` token
 * (src/jslex.c `hadThisKeyword`); the flag is reset at the start of every function body
 * it reads, nested ones included. If the flag is up when the arrow's body ends, it stores
 * the current `this` on the new function object:
 * `jsvObjectSetChild(funcVar, "\xFFthi", execInfo.thisVar)`. Two things follow, both
 * measured on the Linux build (`espruino file.js`, stdin kept open):
 *
 * 1. `crash`: Espruino has no pre-parse, so code that does not run is still parsed, with
 *    execution off (espruino-facts.md: How Espruino runs code, trap 1), and then no
 *    function object is made (`funcVar` is 0). An arrow whose body holds a `this` token,
 *    parsed that way, makes that call on 0, and the interpreter prints
 *    `ASSERT(jsvHasChildren(obj)) FAILED AT src/jsvar.c:3324`, a heap dump, "EXITING."
 *    and exits with code 1 (measured, Linux build). From the source (src/jsutils.c
 *    jsAssertFail, Makefile): ARM boards print "REBOOTING." and reboot instead, and only
 *    `RELEASE=1` builds (NO_ASSERT) skip the check and run on. Minimal reproducer
 *    (crashes; `ok` never prints):
 *
 *        var o = { m() { 0 && (() => this); console.log("ok"); } }; o.m();
 *
 *    Code parsed without running, each measured to crash with an arrow using `this`:
 *    the skipped side of `&&` / `||` / `?:` (`??` is lowered to `?:` at ES2015), a
 *    brace-less `if`/`else`/loop body that does not run, a `for` update, the statements of
 *    a `case` that is not taken, and the expression body of ANY arrow (`() => () => this`,
 *    `(p) => p.then(() => this.x)`: the outer arrow's body is parsed with execution off
 *    when the outer arrow is created). A `{ ... }` block, an object literal or a template
 *    literal that does not run is skipped token by token instead, which is harmless.
 *    esbuild's minifySyntax writes exactly these shapes: `if (c) { a(() => this.x); }
 *    else { b(() => this.y); }` becomes `c ? a(() => this.x) : b(() => this.y)`, and
 *    `() => { return p.then(() => this.x); }` becomes `() => p.then(() => this.x)`.
 *    Found as: test/espruino/entries/at-channel.ts, minified, died at the first check in
 *    AtChannel.finish (`this.gapMs > 0 && !this.closed ? this.gapTimer =
 *    this.clock.setTimeout(() => {...this...}) : Promise.resolve().then(() => this.pump())`).
 *    A class expression parsed that way crashes too (`0 ? class {} : 1`:
 *    `ASSERT(jsvHasChildren(target)) FAILED AT src/jsvar.c:3384`).
 *
 * 2. `lost`: the arrow uses `this` but the flag is down at the end of its body, so it
 *    silently gets the global `this` when called. Measured:
 *    `var o = { x: 5, m() { var f = () => [this.x, function () {}]; return f()[0]; } }`
 *    gives `o.m()` undefined (the nested function's body reset the flag after
 *    `this`), `() => this.g(() => 1)` throws `Function "g" not found!`, and
 *    `` () => `${this.x}` `` (also with a block body) gives undefined: a template literal
 *    is one token, so the `this` in it is never seen. With a block body
 *    (`() => { return [this.x, function () {}]; }`) the first two work (block bodies are
 *    only scanned, so nested bodies reset nothing), and a `this` after the last nested
 *    function works too (`() => g(function () {}, this.x)`).
 */

/** @typedef {import("eslint").Rule.RuleModule} RuleModule */
/** @typedef {import("estree").Node & { parent?: Node; range?: [number, number] }} Node */

/** Nodes whose contents Espruino skips token by token when not executing (never parsed then). */
const SKIPPED_WHOLE = new Set(["BlockStatement", "StaticBlock", "ObjectExpression", "TemplateLiteral", "ClassBody", "Program"]);
/** Nodes that bind their own `this` (an arrow inside them does not see the outer one). */
const OWN_THIS = new Set(["FunctionExpression", "FunctionDeclaration", "PropertyDefinition", "StaticBlock", "AccessorProperty", "TSAbstractPropertyDefinition"]);

/**
 * Whether Espruino parses `node` with execution off (maybe: a skipped branch) before or
 * instead of running it; stops at the nearest construct it would skip by tokens.
 * @param {Node} node
 * @returns {string | undefined} where, for the message
 */
function parsedWithoutRunning(node) {
  /** @type {Node} */
  let child = node;
  let parent = child.parent;
  while (parent) {
    const p = /** @type {any} */ (parent);
    if (SKIPPED_WHOLE.has(parent.type)) return undefined;
    switch (parent.type) {
      case "ArrowFunctionExpression":
        if (p.expression && p.body === child) return "in the expression body of an arrow function (parsed, not run, when that arrow is created)";
        break;
      case "LogicalExpression":
        if (p.right === child) return "on the right of `" + p.operator + "` (parsed, not run, when the left side decides)";
        break;
      case "ConditionalExpression":
        if (p.consequent === child || p.alternate === child) return "in a branch of `?:` (the branch not taken is parsed, not run)";
        break;
      case "IfStatement":
        if (p.consequent === child || p.alternate === child) return "in a brace-less `if`/`else` branch (parsed, not run, when not taken)";
        break;
      case "ForStatement":
        if (p.body === child || p.update === child) return "in a brace-less loop body or a `for` update (parsed, not run, when the loop ends)";
        break;
      case "ForInStatement":
      case "ForOfStatement":
      case "WhileStatement":
        if (p.body === child) return "in a brace-less loop body (parsed, not run, when the loop ends)";
        break;
      case "SwitchCase":
        if (p.consequent.indexOf(child) >= 0) return "in a `case` (its statements are parsed, not run, when another case is taken)";
        break;
      default:
        break;
    }
    child = parent;
    parent = child.parent;
  }
  return undefined;
}

/**
 * Calls `visit` on every node under `root` in source order; `visit` returns false to
 * skip a node's children.
 * @param {Node} root
 * @param {Record<string, readonly string[]>} keys
 * @param {(n: Node) => boolean} visit
 */
function walk(root, keys, visit) {
  if (!visit(root)) return;
  for (const key of keys[root.type] || []) {
    const v = /** @type {any} */ (root)[key];
    const list = Array.isArray(v) ? v : [v];
    for (const c of list) if (c && typeof c.type === "string") walk(c, keys, visit);
  }
}

/**
 * Where the last reset of the lexer's `this` flag happens while Espruino reads the
 * arrow's body: the start of the body, or of the last nested function body it parses.
 * Only an expression body is parsed (a block body is scanned by tokens, which resets
 * nothing); inside it, object and template literals are skipped by tokens too.
 * @param {any} arrow
 * @param {Record<string, readonly string[]>} keys
 */
function lastFlagReset(arrow, keys) {
  let last = arrow.body.range[0];
  if (!arrow.expression) return last;
  walk(arrow.body, keys, (n) => {
    const f = /** @type {any} */ (n);
    if (n.type === "ObjectExpression" || n.type === "TemplateLiteral" || n.type === "ClassExpression") return false;
    if (n.type === "FunctionExpression" || (n.type === "ArrowFunctionExpression" && !f.expression)) {
      const stmts = f.body.body;
      last = Math.max(last, stmts.length ? stmts[0].range[0] : f.body.range[1] - 1);
      return false;
    }
    if (n.type === "ArrowFunctionExpression") last = Math.max(last, f.body.range[0]);
    return true;
  });
  return last;
}

/**
 * `espruino/arrow-this`: see the file comment.
 * @type {RuleModule}
 */
export const arrowThis = {
  meta: {
    type: "problem",
    docs: { description: "disallow arrow functions whose `this` Espruino crashes on or loses" },
    schema: [],
    messages: {
      crash:
        "an arrow function using `this` {{where}}: Espruino then fails an internal assertion (`ASSERT(jsvHasChildren(obj)) FAILED AT src/jsvar.c:3324`) and exits, or reboots the board. Measured: `0 && (() => this)` inside a method. Give the arrow its own statement (`const f = () => ...;` before the branch), use a `{ ... }` block (an `if` with braces, a block-bodied outer arrow), or a `function` with a saved `self` (espruino-facts.md: How Espruino runs code; tools/espruino-arrow-this.js)",
      lost:
        "this arrow function uses `this` but Espruino will not bind it: it notes `this` only as the token it lexes, and {{why}}, so the arrow runs with the global `this` (measured: `() => [this.x, function () {}]` reads undefined, `` () => `${this.x}` `` prints undefined). Read `this` into a `const self = this;` outside the arrow, or use a block body with `this` after the nested functions (tools/espruino-arrow-this.js)",
      classSkipped:
        "a class expression {{where}}: Espruino then fails an internal assertion (`ASSERT(jsvHasChildren(target)) FAILED AT src/jsvar.c:3384`) and exits, or reboots the board. Measured: `0 ? class {} : 1`. Define the class in its own statement (tools/espruino-arrow-this.js)",
    },
  },
  create(context) {
    const keys = /** @type {Record<string, readonly string[]>} */ (context.sourceCode.visitorKeys);
    return {
      ArrowFunctionExpression(node) {
        const arrow = /** @type {any} */ (node);
        const reset = lastFlagReset(arrow, keys);
        let flag = false;
        let needs = false;
        // The flag: a `this` token lexed at or after the last reset, outside template literals.
        walk(arrow.body, keys, (n) => {
          if (n.type === "TemplateLiteral") return false;
          if (n.type === "ThisExpression" && /** @type {[number, number]} */ (n.range)[0] >= reset) flag = true;
          return !flag;
        });
        // The need: a `this` that means the arrow's own (not inside a nested function or class member).
        walk(arrow.body, keys, (n) => {
          if (OWN_THIS.has(n.type)) return false;
          if (n.type === "ThisExpression") needs = true;
          return !needs;
        });
        if (needs && !flag) {
          const why = reset > arrow.body.range[0] ? "a nested function body after the `this` resets that note" : "a `this` inside a template literal is never lexed as a token";
          context.report({ node, messageId: "lost", data: { why } });
        }
        if (flag) {
          const where = parsedWithoutRunning(/** @type {Node} */ (node));
          if (where) context.report({ node, messageId: "crash", data: { where } });
        }
      },
      ClassExpression(node) {
        const where = parsedWithoutRunning(/** @type {Node} */ (node));
        if (where) context.report({ node, messageId: "classSkipped", data: { where } });
      },
    };
  },
};
