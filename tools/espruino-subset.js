// @ts-check
/**
 * Espruino's language subset as ESLint rules, shared by the source lint (eslint.config.js,
 * TypeScript through typescript-eslint) and the bundle check (tools/portable-check.ts,
 * esbuild's JavaScript output through ESLint's Linter and espree).
 *
 * Every restriction below was measured on Espruino 2v29 (Linux build); each message cites
 * the section of /work/shared/espruino-facts.md ("facts") that measured it. This file is
 * plain JavaScript because eslint.config.js loads it without a TypeScript loader; its
 * types are in espruino-subset.d.ts.
 */
import { builtinRules } from "eslint/use-at-your-own-risk";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { arrowThis } from "./espruino-arrow-this.js";

const FACTS = " (espruino-facts.md: ";

/** @param {string} why @param {string} section */
function cite(why, section) {
  return why + FACTS + section + ")";
}

/**
 * Syntax Espruino rejects or runs wrongly. `selector` is an esquery selector over ESTree
 * (espree and typescript-estree agree on every node used here).
 * @type {{ selector: string; message: string }[]}
 */
export const restrictedSyntax = [
  // --- functions ---------------------------------------------------------------------
  {
    selector: ":function[async=true]",
    message: cite("async functions do not run on Espruino: `async` throws ReferenceError and an async class method is an uncatchable SyntaxError; use Promise chains", "Feature table, async / await"),
  },
  {
    selector: "AwaitExpression",
    message: cite("await does not exist on Espruino; use .then()", "Feature table, async / await"),
  },
  {
    selector: ":function[generator=true]",
    message: cite("generators (`function*`) are a SyntaxError and there is no iterator protocol", "Feature table, Generators / iterators"),
  },
  {
    selector: "YieldExpression",
    message: cite("yield: generators are a SyntaxError", "Feature table, Generators / iterators"),
  },
  {
    selector: "AssignmentPattern",
    message: cite("default parameters (and destructuring defaults) are a SyntaxError in functions, arrows and methods; test `=== undefined` in the body", "Feature table, Default parameters"),
  },
  {
    selector: ":function > RestElement",
    message: cite("rest parameters: `...` is not a token on Espruino; pass an array or read `arguments`", "Feature table, Rest / spread"),
  },
  {
    selector: "SpreadElement",
    message: cite("spread (`...x` in calls, array or object literals) is a SyntaxError; use concat/apply/Object.assign", "Feature table, Rest / spread"),
  },
  {
    selector: "ObjectPattern",
    message: cite("object destructuring fails in declarations, parameters, for-of heads and assignments", "Feature table, Destructuring"),
  },
  {
    selector: "ArrayPattern",
    message: cite("array destructuring fails in declarations, parameters, for-of heads and assignments", "Feature table, Destructuring"),
  },
  // --- operators -----------------------------------------------------------------------
  {
    selector: "ChainExpression",
    message: cite("optional chaining `?.` is a SyntaxError in member, call and index forms; test for null explicitly", "Feature table, Optional chaining"),
  },
  {
    selector: ":matches(BinaryExpression[operator='**'], AssignmentExpression[operator='**='])",
    message: cite("the exponent operator `**` is a SyntaxError; use Math.pow", "Feature table, Exponent"),
  },
  {
    selector: "AssignmentExpression[operator=/^(\\?\\?|\\|\\||&&)=$/]",
    message: cite("logical assignment `??=`, `||=`, `&&=` is a SyntaxError (plain `??` is fine); write `x = x ?? y`", "Feature table, Nullish"),
  },
  // --- statements ----------------------------------------------------------------------
  {
    selector: "LabeledStatement",
    message: cite("labels are outside Espruino's subset; use a flag or a function with return", "The subset to enforce"),
  },
  {
    selector: "SwitchCase[test=null] ~ SwitchCase",
    message: cite("a `case` after `default` is a SyntaxError; put `default` last", "Feature table, switch"),
  },
  // --- literals and templates ----------------------------------------------------------
  {
    selector: "TaggedTemplateExpression",
    message: cite("tagged templates and String.raw are unsupported", "Feature table, Template literals"),
  },
  {
    selector: "TemplateElement[value.raw=/(^|[^\\\\])(\\\\\\\\)*\\\\\\$\\{/]",
    message: cite("`\\${` inside a template literal is evaluated instead of printed; build the text with concatenation", "Feature table, Template literals"),
  },
  {
    selector: ":matches(Literal[raw=/\\\\u\\{/], TemplateElement[value.raw=/\\\\u\\{/])",
    message: cite("`\\u{...}` escapes are an error; use a \\uXXXX (surrogate pair) escape", "Feature table, Unicode strings"),
  },
  // --- objects and classes -------------------------------------------------------------
  {
    selector: ":matches(Property, MethodDefinition, PropertyDefinition, TSAbstractMethodDefinition, AccessorProperty)[computed=true]",
    message: cite("computed keys (`{[k]: v}`, computed methods and getters) are a SyntaxError, uncatchable in a class body; assign `o[k] = v` after creating the object", "Feature table, Computed property names"),
  },
  {
    selector:
      ":matches(ClassDeclaration, ClassExpression)[superClass] > ClassBody:not(:has(MethodDefinition[kind='constructor'])) > PropertyDefinition[static=false][value]",
    message: cite("a subclass with field initialisers but no constructor: esbuild writes `constructor() { super(...arguments); ... }`, and spread is a SyntaxError on Espruino; write the constructor (with explicit parameters)", "Feature table, Rest / spread"),
  },
  {
    selector: "PrivateIdentifier",
    message: cite("`#private` members are a SyntaxError; use a TypeScript `private` member", "Feature table, Classes"),
  },
  {
    selector:
      ":matches(ClassDeclaration, ClassExpression)[superClass.type='Identifier'][superClass.name=/^(Error|TypeError|RangeError|SyntaxError|ReferenceError|EvalError|URIError|Array|Map|Set|Promise|RegExp|Date|Function|Object|String|Number|Boolean|ArrayBuffer|DataView|Uint8Array|Int8Array|Uint16Array|Int16Array|Uint32Array|Int32Array|Float32Array|Float64Array|Uint8ClampedArray)$/]",
    message: cite("`extends` a built-in breaks: `super(m)` throws, `instanceof` fails and the message is lost; use defineError (hal/errors.ts) for errors and composition for collections", "Feature table, Error subclasses / Classes"),
  },
  {
    selector:
      ":matches(MethodDefinition, TSAbstractMethodDefinition)[computed=false] > Identifier.key[name=/^(delete|default|new|in|of|return|catch|finally|typeof|void|if|else|do|while|for|break|continue|function|var|let|const|this|throw|try|true|false|null|undefined|instanceof|switch|case|debugger|class|extends|super|static)$/]",
    message: cite("a reserved word as a class method name is a SyntaxError on Espruino (measured: delete, default, new, in, of, return, catch, finally, typeof, void; the others are lexer keywords too, src/jslex.h); `get`, `set` and `has` are fine", "Feature table, Classes"),
  },
  {
    selector:
      ":matches(VariableDeclarator > Identifier.id, FunctionDeclaration > Identifier.id, FunctionExpression > Identifier.id, ClassDeclaration > Identifier.id, CatchClause > Identifier.param, :function > Identifier.params, AssignmentExpression > Identifier.left)[name=/^(of|static|undefined)$/]",
    message: cite("`of`, `static` and `undefined` are keywords of Espruino's lexer (src/jslex.h), so a variable with that name is a SyntaxError (`var of = 3` fails)", "How Espruino runs code"),
  },
  {
    selector: "Property[method=true] > FunctionExpression Super",
    message: cite("`super` inside an object-literal method is a SyntaxError", "Feature table, Shorthand properties / methods"),
  },
  // --- regular expressions: a minimal engine that mostly fails silently -----------------
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])\\(\\?/]",
    message: cite("`(?:...)`, lookahead/lookbehind and named groups are unsupported by Espruino's RegExp (no match, no error)", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])[*+}]\\?/]",
    message: cite("lazy quantifiers `*?` `+?` are unsupported by Espruino's RegExp", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\(*+}?])\\?/]",
    message: cite("the `?` quantifier is unsupported by Espruino's RegExp (silently no match); use indexOf/charCodeAt or two alternatives", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])\\{\\d/]",
    message: cite("`{n}` and `{n,m}` quantifiers are unsupported by Espruino's RegExp; repeat the atom or check lengths in code", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])(\\\\\\\\)*\\\\[bB]/]",
    message: cite("`\\b` word boundaries are unsupported by Espruino's RegExp", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])(\\\\\\\\)*\\\\[upPk]/]",
    message: cite("`\\uXXXX`, `\\p{...}` and `\\k<name>` are unsupported by Espruino's RegExp", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])(\\\\\\\\)*\\\\[1-9]/]",
    message: cite("backreferences throw in Espruino's RegExp", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])\\)[*+?{]/]",
    message: cite("quantified or optional groups are unsupported by Espruino's RegExp (`*` and `+` work on a single atom only)", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])\\(([^)]*[^\\\\])?\\(/]",
    message: cite("nested groups capture wrongly in Espruino's RegExp", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.pattern=/(^|[^\\\\])\\([^)]*\\|/]",
    message: cite("alternation inside a group misbehaves in Espruino's RegExp (`^(OK|ERROR)$` matches \"OKX\"); use top-level alternation or string compares", "Feature table, RegExp"),
  },
  {
    selector: "Literal[regex.flags=/[msyuvd]/]",
    message: cite("RegExp flags other than g and i are ignored by Espruino (`.` also matches \\n)", "Feature table, RegExp"),
  },
  {
    selector: ":matches(NewExpression, CallExpression)[callee.type='Identifier'][callee.name='RegExp']",
    message: cite("a RegExp built at run time cannot be checked against Espruino's minimal engine; use a literal (checked by this lint) or indexOf", "Feature table, RegExp"),
  },
  // --- library calls that are missing or wrong -----------------------------------------
  {
    selector:
      "CallExpression > MemberExpression.callee[computed=false] > Identifier.property[name=/^(codePointAt|finally|flat|flatMap|at|trimStart|trimEnd|trimLeft|trimRight|localeCompare|matchAll|search|toPrecision|reduceRight|copyWithin|toLocaleString|toLocaleUpperCase|toLocaleLowerCase)$/]",
    message: cite("this method is missing on Espruino (codePointAt, Promise finally, flat, flatMap, at, trimStart/trimEnd, localeCompare, search, matchAll, toPrecision, reduceRight, copyWithin, toLocaleString)", "Feature table, String / Array / Promise / Number rows"),
  },
  {
    selector: "CallExpression[arguments.length=0] > MemberExpression.callee[computed=false] > Identifier.property[name=/^(entries|keys|values)$/]",
    message: cite("arrays have no entries()/keys()/values() and there is no iterator protocol; use an index loop (Object.keys(o) is fine)", "Feature table, for...of"),
  },
  {
    selector: "MemberExpression[object.type='MemberExpression'][object.property.name='prototype'][object.object.name=/^(Array|String|Function)$/]",
    message: cite("Array.prototype.x, String.prototype.x and Function.prototype.x read undefined; call the method on an instance (`[].slice.call(arguments)`)", "Feature table, Built-in prototype methods"),
  },
  {
    selector: "AssignmentExpression > MemberExpression.left[computed=false][property.name='length']",
    message: cite("`arr.length = n` throws (\"Assignment to a constant\"); use splice", "Feature table, Array flat / flatMap / at"),
  },
  {
    selector: "CallExpression[callee.type='Identifier'][callee.name=/^clear(Timeout|Interval)$/]:matches([arguments.length=0], [arguments.0.type='Identifier'][arguments.0.name='undefined'])",
    message: cite("clearTimeout()/clearInterval() with no argument clears ALL timers and with undefined throws; guard the id", "Feature table, setTimeout"),
  },
  {
    selector: "CallExpression[callee.object.name='Object'][callee.property.name='create']:matches([arguments.length>1], [arguments.0.type='Literal'][arguments.0.raw='null'])",
    message: cite("Object.create(p, descriptors) throws and Object.create(null) still inherits Object.prototype; use {} with hasOwnProperty", "Feature table, Object.create"),
  },
];

/** Globals that do not exist on Espruino (or are Node's). `globalThis` exists and is allowed. */
export const restrictedGlobals = [
  ["Map", "Map, Set, WeakMap and WeakSet are not defined; use plain objects keyed by string, or arrays", "Feature table, Map, Set"],
  ["Set", "Map, Set, WeakMap and WeakSet are not defined; use an object of flags or an array", "Feature table, Map, Set"],
  ["WeakMap", "WeakMap is not defined", "Feature table, Map, Set"],
  ["WeakSet", "WeakSet is not defined", "Feature table, Map, Set"],
  ["WeakRef", "WeakRef is not defined", "Misc"],
  ["Symbol", "Symbol is not defined (no Symbol.iterator either)", "Feature table, Symbol"],
  ["Proxy", "Proxy is missing", "Misc"],
  ["Reflect", "Reflect is missing", "Misc"],
  ["BigInt", "BigInt is unsupported", "Integers / bitwise"],
  ["Intl", "Intl is missing", "Misc"],
  ["TextEncoder", "TextEncoder is missing; build byte strings with charCodeAt/fromCharCode", "Unicode strings"],
  ["TextDecoder", "TextDecoder is missing", "Unicode strings"],
  ["queueMicrotask", "queueMicrotask is missing; use Promise.resolve().then", "setTimeout row"],
  ["setImmediate", "setImmediate is missing; use setTimeout(fn, 0) (note: promise callbacks run before it)", "setTimeout row"],
  ["clearImmediate", "clearImmediate is missing", "setTimeout row"],
  ["structuredClone", "structuredClone is missing", "Misc"],
  ["RangeError", "RangeError is missing; use a defineError type", "Error basics"],
  ["EvalError", "EvalError is missing", "Error basics"],
  ["URIError", "URIError is missing", "Error basics"],
  ["AggregateError", "AggregateError is missing", "Error basics"],
  ["Buffer", "Buffer is Node's; use byte strings (hal/types.ts)", "The subset to enforce"],
  ["process", "process is Node's (Espruino's process only has version/memory); reach the host through the HAL", "The subset to enforce"],
  ["require", "require/CommonJS: `module` and `exports` are undefined at top level and events/buffer/util do not load; import modules (bundled as an iife)", "module.exports / require"],
  ["module", "`module` is undefined at the top level of an Espruino script", "module.exports / exports"],
  ["exports", "`exports` is undefined at the top level of an Espruino script", "module.exports / exports"],
  ["__dirname", "__dirname is Node's", "The subset to enforce"],
  ["__filename", "__filename is Node's", "The subset to enforce"],
].map(function (g) {
  return { name: g[0], message: cite(g[1], g[2]) };
});

/** Static members that are missing on Espruino. */
export const restrictedProperties = [
  ["Array", ["from", "of"], "Array.from/Array.of are missing; loop and push", "Feature table, Array.from / Array.of"],
  ["Object", ["freeze", "isFrozen", "is", "seal", "isSealed", "preventExtensions", "getOwnPropertySymbols", "groupBy"], "Object.freeze/isFrozen/is are missing", "Feature table, Object.freeze"],
  ["Number", ["isInteger", "isNaN", "isFinite", "isSafeInteger", "parseInt", "parseFloat", "MAX_SAFE_INTEGER", "MIN_SAFE_INTEGER", "EPSILON"], "this Number static is missing; use the global parseInt/parseFloat/isNaN/isFinite or `x % 1 === 0`", "Feature table, Number.isInteger"],
  ["Promise", ["race", "allSettled", "any", "withResolvers"], "Promise.race/allSettled/any are missing (resolve/reject/all work)", "Feature table, Promise"],
  ["String", ["fromCodePoint", "raw"], "String.fromCodePoint and String.raw are missing", "Feature table, String codePointAt / fromCodePoint"],
  ["Math", ["trunc", "log2", "log10", "hypot", "imul", "clz32", "cbrt", "fround", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "expm1", "log1p"], "this ES2015 Math function is missing (`x | 0`, Math.floor/ceil, Math.log(x)/Math.LN2 work)", "Feature table, Math"],
  ["Date", ["UTC"], "Date.UTC is missing", "Feature table, Date"],
  ["Uint8Array", ["from", "of", "BYTES_PER_ELEMENT"], "typed array from/of/BYTES_PER_ELEMENT are missing", "Feature table, Uint8Array"],
  ["Error", ["captureStackTrace"], "Error.captureStackTrace is V8's", "Feature table, Error basics"],
].flatMap(function (r) {
  return /** @type {string[]} */ (r[1]).map(function (p) {
    return { object: /** @type {string} */ (r[0]), property: p, message: cite(/** @type {string} */ (r[2]), /** @type {string} */ (r[3])) };
  });
});

/** Node's built-in modules, with and without `node:`. */
export const nodeBuiltins = builtinModules.filter(function (m) {
  return !m.startsWith("_");
});

// ---------------------------------------------------------------------------------------
// Rules that need scope analysis (esquery cannot express them).

/** @typedef {import("eslint").Rule.RuleModule} RuleModule */
/** @typedef {import("eslint").Scope.Scope} Scope */

/**
 * Closures over a loop-head `let`/`const`: on Espruino they all see the last value.
 * @type {RuleModule}
 */
const noLoopHeadClosure = {
  meta: {
    type: "problem",
    docs: { description: "disallow closures over for/for-in/for-of head bindings" },
    schema: [],
    messages: {
      captured: "`{{name}}` is a loop-head `{{kind}}` captured by a function created in the loop: on Espruino loop-head bindings are not per-iteration, so every closure sees the last value (espruino-facts.md: How Espruino runs code, trap 3). Copy it into a `let`/`const` declared inside the loop body.",
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    /** @param {import("estree").Node | null | undefined} decl */
    function check(decl) {
      if (!decl || decl.type !== "VariableDeclaration" || decl.kind === "var") return;
      const kind = decl.kind;
      for (const variable of sourceCode.getDeclaredVariables(decl)) {
        for (const ref of variable.references) {
          /** @type {Scope | null} */
          let scope = ref.from;
          while (scope && scope !== variable.scope) {
            if (scope.type === "function" || scope.type === "class-field-initializer" || scope.type === "class-static-block") {
              context.report({ node: ref.identifier, messageId: "captured", data: { name: variable.name, kind } });
              return;
            }
            scope = scope.upper;
          }
        }
      }
    }
    return {
      ForStatement(node) {
        check(node.init && node.init.type === "VariableDeclaration" ? node.init : null);
      },
      ForInStatement(node) {
        check(node.left.type === "VariableDeclaration" ? node.left : null);
      },
      ForOfStatement(node) {
        check(node.left.type === "VariableDeclaration" ? node.left : null);
      },
    };
  },
};

/**
 * A class that names itself inside its body: esbuild then emits `var X = class _X {...}`
 * and Espruino does not bind `_X` inside the class.
 * @type {RuleModule}
 */
const noClassSelfReference = {
  meta: {
    type: "problem",
    docs: { description: "disallow a class referring to its own name inside its body" },
    schema: [],
    messages: {
      self: "class `{{name}}` refers to itself inside its body: esbuild then emits the named class expression `var X = class _X {...}`, and Espruino does not bind a class expression's own name inside its body, so the reference throws ReferenceError (espruino-facts.md: How Espruino runs code, trap 7). Use `this` in static methods (`new this()`) or `this.constructor`.",
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    /** @param {import("estree").Class & { id?: import("estree").Identifier | null }} node */
    function check(node) {
      if (!node.id) return;
      const name = node.id.name;
      const body = node.body;
      for (const variable of sourceCode.getDeclaredVariables(node)) {
        if (variable.name !== name) continue;
        for (const ref of variable.references) {
          // typescript-eslint marks type-only references; esbuild erases those.
          const tsRef = /** @type {{ isValueReference?: boolean }} */ (/** @type {unknown} */ (ref));
          if (tsRef.isValueReference === false) continue;
          const r = ref.identifier.range;
          if (!r || !body.range) continue;
          if (r[0] >= body.range[0] && r[1] <= body.range[1]) {
            context.report({ node: ref.identifier, messageId: "self", data: { name } });
          }
        }
      }
    }
    return { ClassDeclaration: check, ClassExpression: check };
  },
};

/** @type {RuleModule} */
const noArrayHoles = {
  meta: {
    type: "problem",
    docs: { description: "disallow array holes" },
    schema: [],
    messages: {
      hole: "array hole (`[a, , b]`): Espruino raises a SyntaxError for holes, even in code that does not run (espruino-facts.md: How Espruino runs code, trap 4). Write `undefined`.",
    },
  },
  create(context) {
    return {
      ArrayExpression(node) {
        if (node.elements.indexOf(null) >= 0) context.report({ node, messageId: "hole" });
      },
    };
  },
};

/**
 * Folder layering: a file under one top folder must not import from the folders listed
 * in `forbid`. Relative imports are resolved against the importing file and compared
 * with the repository root (the lint's cwd), so depth does not matter.
 * Options: [{ forbid: { "<folder prefix>": "<why>" } }]
 * @type {RuleModule}
 */
const layering = {
  meta: {
    type: "problem",
    docs: { description: "enforce which folders may import which" },
    schema: [
      {
        type: "object",
        properties: { forbid: { type: "object", additionalProperties: { type: "string" } } },
        required: ["forbid"],
        additionalProperties: false,
      },
    ],
    messages: { forbidden: "{{from}} must not import {{target}}: {{why}}" },
  },
  create(context) {
    const forbid = /** @type {{ forbid: Record<string, string> }} */ (context.options[0]).forbid;
    const root = context.cwd;
    const file = context.filename;
    const fromRel = path.relative(root, file).split(path.sep).join("/");
    /** @param {import("estree").Node} node @param {unknown} source */
    function check(node, source) {
      if (!source || typeof source !== "object") return;
      const lit = /** @type {{ type: string; value?: unknown }} */ (source);
      if (lit.type !== "Literal" || typeof lit.value !== "string") return;
      const spec = lit.value;
      if (!spec.startsWith(".")) return;
      const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join("/");
      for (const prefix of Object.keys(forbid)) {
        if (target === prefix || target.startsWith(prefix + "/")) {
          context.report({ node, messageId: "forbidden", data: { from: fromRel, target: spec, why: forbid[prefix] } });
          return;
        }
      }
    }
    return {
      ImportDeclaration(node) {
        check(node, node.source);
      },
      ExportNamedDeclaration(node) {
        check(node, node.source);
      },
      ExportAllDeclaration(node) {
        check(node, node.source);
      },
      ImportExpression(node) {
        check(node, node.source);
      },
    };
  },
};

/**
 * Uses that certainly run before the definition: a reference in the same execution
 * context (no function boundary in between) that comes earlier in the text. This is the
 * precise form of trap 2 for generated code (the bundle check), where esbuild's own
 * `__export(ns, { f: () => f })` getters legitimately point forward; the source lint uses
 * the stricter core `no-use-before-define`.
 * @type {RuleModule}
 */
const noUseBeforeRun = {
  meta: {
    type: "problem",
    docs: { description: "disallow a use that runs before its definition" },
    schema: [],
    messages: {
      early: "`{{name}}` is used before its definition ran: nothing is hoisted on Espruino, so this throws ReferenceError (espruino-facts.md: How Espruino runs code, trap 2)",
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    /** @param {Scope} scope */
    function visit(scope) {
      for (const variable of scope.variables) {
        const def = variable.defs[0];
        if (!def || !def.name.range) continue;
        const defStart = def.type === "FunctionName" ? def.node.range && def.node.range[0] : def.name.range[0];
        if (defStart === undefined || defStart === null) continue;
        for (const ref of variable.references) {
          if (ref.init || !ref.identifier.range || ref.identifier.range[0] >= defStart) continue;
          /** @type {Scope | null} */
          let s = ref.from;
          let separate = false;
          while (s && s !== variable.scope) {
            if (s.type === "function" || s.type === "class-field-initializer" || s.type === "class-static-block") separate = true;
            s = s.upper;
          }
          if (!separate) context.report({ node: ref.identifier, messageId: "early", data: { name: variable.name } });
        }
      }
      for (const child of scope.childScopes) visit(child);
    }
    return {
      "Program:exit"(node) {
        visit(sourceCode.getScope(node));
      },
    };
  },
};

/**
 * ESLint's `no-use-before-define` with a message that says why it matters here.
 * @type {RuleModule}
 */
const coreUseBeforeDefine = /** @type {RuleModule} */ (builtinRules.get("no-use-before-define"));
const noUseBeforeDefine = {
  meta: Object.assign({}, coreUseBeforeDefine.meta, {
    messages: {
      usedBeforeDefined:
        "'{{name}}' is used before its definition: nothing is hoisted on Espruino, so calling a function (or reading a class or variable) before its statement has run throws ReferenceError (espruino-facts.md: How Espruino runs code, trap 2). Move the definition above its first use.",
    },
  }),
  create: coreUseBeforeDefine.create,
};

/** The local plugin: register as `espruino`. */
export const plugin = {
  meta: { name: "sharedline-espruino" },
  rules: {
    "no-loop-head-closure": noLoopHeadClosure,
    "no-class-self-reference": noClassSelfReference,
    "no-array-holes": noArrayHoles,
    "no-use-before-run": noUseBeforeRun,
    "no-use-before-define": noUseBeforeDefine,
    // Arrow functions whose `this` crashes Espruino (parsed but not run) or is silently
    // lost; measured reproducers in tools/espruino-arrow-this.js.
    "arrow-this": arrowThis,
    layering,
  },
};

/**
 * Rules for portable source and bundles. `allow` lifts some globals (hal/espruino may use
 * Espruino's own `require` and `process`).
 * @param {{ allowGlobals?: string[] }} [opts]
 * @returns {import("eslint").Linter.RulesRecord}
 */
export function subsetRules(opts) {
  const allow = (opts && opts.allowGlobals) || [];
  return {
    "no-restricted-syntax": ["error"].concat(/** @type {any[]} */ (restrictedSyntax)),
    "no-restricted-globals": ["error"].concat(
      /** @type {any[]} */ (
        restrictedGlobals.filter(function (g) {
          return allow.indexOf(g.name) < 0;
        })
      ),
    ),
    "no-restricted-properties": ["error"].concat(/** @type {any[]} */ (restrictedProperties)),
    "espruino/no-loop-head-closure": "error",
    "espruino/no-class-self-reference": "error",
    "espruino/no-array-holes": "error",
    "espruino/arrow-this": "error",
  };
}

/** Messages for imports, shared by the lint config and the bundler. */
export const importMessages = {
  node: cite("Node built-in modules do not exist on Espruino (events, buffer and util do not even load); reach the host through the HAL (hal/types.ts)", "require"),
  bare: "portable code imports only relative modules: an npm package would be bundled into the Espruino image without the subset check",
};

/**
 * `no-restricted-imports` options for portable code: Node built-ins (bare and `node:`)
 * and any npm package.
 * @returns {import("eslint").Linter.RuleEntry}
 */
export function portableImportRule() {
  const names = nodeBuiltins.filter(function (m) {
    return !m.startsWith("node:");
  });
  const escaped = names.map(function (n) {
    return n.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  });
  return [
    "error",
    {
      paths: names.map(function (n) {
        return { name: n, message: importMessages.node };
      }),
      patterns: [
        { regex: "^node:", message: importMessages.node },
        { regex: "^(?![.])(?!(?:" + escaped.join("|") + ")(?:/|$))", message: importMessages.bare },
      ],
    },
  ];
}
