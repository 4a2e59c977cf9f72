/**
 * Which property names of the portable code the Espruino bundles may shorten, and to what
 * (esbuild `mangleProps`, tools/bundle.ts). Espruino keeps every property name in heap
 * blocks, and a name longer than JSVAR_DATA_STRING_NAME_LEN characters (8 on the Linux
 * build, 4 on the 32-bit watch; src/jsutils.h) takes an extension block for each method
 * on a prototype and each field on an instance; the names are also a good part of the
 * bundle's bytes.
 *
 * esbuild renames a property by its name alone, everywhere in a bundle, whatever the
 * object. So a name may be shortened only where every use of that name is inside the
 * bundles built together with one cache, and nothing outside them (app code on the watch,
 * the console, JSON in Storage or on the wire, boards.json, Espruino's own built-ins)
 * ever spells it. The rule used here, checked with the TypeScript compiler over the
 * portable program (tsconfig.portable.json: every file a board bundle can contain):
 *
 * 1. candidates: every property name our code declares: class members of any visibility
 *    (fields, methods, accessors, parameter properties), interface and type-literal
 *    properties and methods, object-literal keys (also shorthand ones, which esbuild
 *    writes out as `key: value`);
 * 2. dropped when an occurrence of the name resolves to anything else: a library's
 *    declaration, an index signature, `any`, nothing at all (an untyped JSON value), a
 *    destructured binding;
 * 3. dropped when reachable by type from the bundle's public surface (API_ROOTS:
 *    `FirmwareApi`, which is `sharedline` on the watch and what the console words call,
 *    and every value assigned to a property of `globalThis`): public properties and
 *    methods, the parameters and results of call signatures, type arguments
 *    (`Promise<Reply<...>>`), union members, constraints and indexed accesses (the events
 *    and their payloads), followed recursively; an internal class the API hands out keeps
 *    its public surface. Private/protected members of those classes are no surface;
 * 4. dropped when untyped data is given a type that holds the name (deeply, as (3) but
 *    with every member): a cast from `any`, `unknown`, `object` or an index-signature
 *    type (`JSON.parse(t) as Rec`, `v as Settings`), a value of type `any` where a type is
 *    expected (`return JSON.parse(t)` from a function returning `Rec`), a type guard
 *    (`v is T`), an `Object.assign` from such data, and an ambient `declare const`/
 *    `declare function` in our code (what the engine or the build fills: Bangle,
 *    SHAREDLINE_PROFILE, `require`);
 * 5. dropped when it is a string literal anywhere in the program (`x["name"]`,
 *    `"name" in x`, a table of names, an event name, a JSON key written as text) or a
 *    key of boards.json (the profile compiled in by `define`), or the name of a function
 *    a cold module exports (the boot code's stubs look those up by string);
 * 6. dropped when declared by a library declaration file (lib.es5 and the Espruino
 *    globals, e.g. `name`, `message`, `then`, `toString`) or one Espruino's interpreter
 *    looks up by itself (ENGINE_NAMES);
 * 7. dropped when an object whose type holds the name can be enumerated or serialised:
 *    the argument of `JSON.stringify` (deeply, and through the result of a function
 *    given instead of a value), `Object.keys`/`values`/`entries`, a `for…in`, or a
 *    computed access `x[k]` with a non-literal key. An argument of an opaque type
 *    (`unknown`, `any`, a type parameter, an index signature) that is a parameter of the
 *    enclosing function is followed to every call of that function; one that is the
 *    parameter under another name is followed by FOLLOWED_SINKS; an opaque argument that
 *    cannot be followed fails the analysis (`opaque`) unless REVIEWED_SINKS holds the
 *    reason it carries no names of ours, so the list errs on the side of not mangling
 *    rather than guessing. (`Object.assign` copies under the same names, so it is no sink
 *    in itself: what it copies into is judged where that is enumerated or serialised.)
 *
 * The walks of (3), (4) and (7) stop at a type met before (by identity, or spelt in full
 * with its module path: generic signatures make new type objects on every visit).
 * Measured: 990 names declared, 597 safe, 593 of them shortened (the rest are one
 * character already); 266 when only private/protected names were candidates.
 *
 * The short names are chosen here, not by esbuild, so that the boot code and every cold
 * module of a board use one mapping (one `mangleCache`), the same on every build of the
 * same source: the safe names sorted by how often they occur (then by name), each given
 * the next identifier of one or two characters that is not a keyword, not a property name
 * or string anywhere in the program, not a name in its libraries, and not a name
 * Espruino's interpreter reads by itself (a local variable may share a short name: it
 * is not a property).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

/**
 * Names Espruino's interpreter or its built-ins read from an object by themselves (not
 * through our code), beyond those lib.es5 and hal/espruino/*.d.ts declare: never
 * shortened, never used as a short name.
 */
export const ENGINE_NAMES = [
  "constructor",
  "prototype",
  "__proto__",
  "toString",
  "toJSON",
  "valueOf",
  "then",
  "catch",
  "length",
  "name",
  "message",
  "stack",
  "on",
  "emit",
  "removeListener",
  "removeAllListeners",
  "clone",
  "hasOwnProperty",
  "inspect",
  "of",
];

/** Reserved words of JS and of Espruino's lexer (`of`), never a short name. */
const KEYWORDS = new Set(
  (
    "do if in of for let new try var case else enum eval null this true void with await break catch class const false " +
    "super throw while yield delete export import public return static switch typeof default extends finally " +
    "package private continue debugger function arguments interface protected implements instanceof undefined NaN Infinity"
  ).split(" "),
);

/**
 * Enumerations and serialisations whose argument has an opaque type (so the analysis
 * cannot see which objects reach them), read and judged one by one: none of them is given
 * a name the rules leave shortenable: parsed boards.json (its keys and the Board type are
 * kept), strings, reply values (the API's types), and MQTT bodies of type `Json`, whose
 * object literals keep their keys (an object literal given as an index-signature type).
 * Keyed "file function sink"; the analysis fails on an opaque sink not listed here, and on
 * an entry that no longer matches one.
 */
export const REVIEWED_SINKS: { [key: string]: string } = {
  "firmware/board.ts checkBoard Object.keys": "parsed boards.json (JSON.parse, `any`): plain data whose keys are spelt in the JSON",
  "firmware/board.ts checkBoard JSON.stringify": "parsed boards.json: plain data",
  "firmware/board.ts loadBoards Object.keys": "parsed boards.json: plain data",
  "firmware/board.ts loadBoards callers": "given parsed boards.json (bin, tools/bundle.ts, hal/node): plain data",
  "firmware/companion/topics.ts decodePayload JSON.stringify": "a field of a parsed MQTT payload: plain data",
  "firmware/api/words.ts describeEvent JSON.stringify": "the `data` string of an `at` trace event",
  "firmware/api/waits.ts Waits.until Object.keys": "a reply value: the wait checks of firmware/api.ts return object literals",
  "firmware/api/waits.ts Waits.poke Object.keys": "the same reply values as Waits.until",
  "firmware/companion/link.ts CompanionLink.publishState JSON.stringify": "the state snapshot (`Json`): attach.ts snapshot() builds it from object literals typed `Json`, whose keys are kept",
  "firmware/companion/link.ts CompanionLink.connect JSON.stringify": "the will body, an object literal typed `Json` (willBody())",
  "firmware/companion/link.ts CompanionLink.ack JSON.stringify": "the ack body, an object literal typed `Json`",
};

/**
 * Opaque sinks whose argument is a parameter of the enclosing function under another
 * name (a local copy, or what it gives when called): keyed like REVIEWED_SINKS, the value
 * names the parameter, which is then followed to every caller like any other.
 */
export const FOLLOWED_SINKS: { [key: string]: string } = {
  "firmware/messaging/store.ts Store.put JSON.stringify": "value",
};

/**
 * The bundle's public surface ("file Name"): what `sharedline` is on the watch (boot.ts
 * assigns it to the global; the globals are followed as well) and docs/api.md describes.
 */
export const API_ROOTS = ["firmware/api.ts FirmwareApi"];

export interface MangleAnalysis {
  /** Names safe to shorten, sorted. */
  safe: string[];
  /** Every property name our code declares, and why each left out was (name -> reason). */
  candidates: string[];
  excluded: { [name: string]: string };
  /** Occurrences of each safe name as a property in the program (orders the short names). */
  counts: { [name: string]: number };
  /** Every property name and string in the program, every name in its libraries (never a short name). */
  taken: Set<string>;
  /** Enumeration/serialisation sinks whose argument could not be followed (must be empty). */
  opaque: string[];
}

export interface MangleOptions {
  /** The tsconfig of the portable program (default tsconfig.portable.json). */
  tsconfig?: string;
  /** JSON files whose keys are never shortened (default boards.json). */
  jsonFiles?: string[];
  /** Names exported by cold modules (the stubs call them by string). */
  extraReserved?: string[];
  /** The opaque sinks judged safe (default REVIEWED_SINKS). */
  reviewedSinks?: { [key: string]: string };
  /** Opaque sinks whose argument comes from a parameter of the enclosing function, by name (default FOLLOWED_SINKS). */
  followedSinks?: { [key: string]: string };
  /**
   * The bundle's public surface: "file Name" of the classes/interfaces whose public names,
   * followed by type, app code and the console use (default API_ROOTS). Values assigned to
   * properties of `globalThis` are followed too.
   */
  apiRoots?: string[];
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined;
  return !!mods && mods.some((m) => m.kind === kind);
}

/** A private/protected class member, or a parameter property declared so. */
function isHiddenMember(decl: ts.Declaration): boolean {
  const hidden = hasModifier(decl, ts.SyntaxKind.PrivateKeyword) || hasModifier(decl, ts.SyntaxKind.ProtectedKeyword);
  if (!hidden) return false;
  if (ts.isParameter(decl)) return ts.isConstructorDeclaration(decl.parent);
  return ts.isPropertyDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isGetAccessorDeclaration(decl) || ts.isSetAccessorDeclaration(decl);
}

/**
 * A declaration of a property name in our own code that could be shortened: a class
 * member (any visibility), a constructor parameter property, an interface or type-literal
 * property or method, an object-literal key (also shorthand, method, accessor).
 */
function isCandidateDecl(decl: ts.Declaration): boolean {
  if (decl.getSourceFile().isDeclarationFile) return false;
  if (ts.isParameter(decl)) return ts.isConstructorDeclaration(decl.parent) && ts.isParameterPropertyDeclaration(decl, decl.parent);
  return (
    ts.isPropertyDeclaration(decl) ||
    ts.isMethodDeclaration(decl) ||
    ts.isGetAccessorDeclaration(decl) ||
    ts.isSetAccessorDeclaration(decl) ||
    ts.isPropertySignature(decl) ||
    ts.isMethodSignature(decl) ||
    ts.isPropertyAssignment(decl) ||
    ts.isShorthandPropertyAssignment(decl)
  );
}

function jsonKeys(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) jsonKeys(v, into);
  else if (value && typeof value === "object") {
    for (const k of Object.keys(value)) {
      into.add(k);
      jsonKeys((value as { [k: string]: unknown })[k], into);
    }
  } else if (typeof value === "string") into.add(value);
}

/** Analyses the portable program: which property names are safe to shorten. */
export function analyseProps(opts: MangleOptions = {}): MangleAnalysis {
  const configPath = opts.tsconfig ?? path.join(repoRoot, "tsconfig.portable.json");
  const cfg = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  if (cfg.error) throw new Error(ts.flattenDiagnosticMessageText(cfg.error.messageText, "\n"));
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, path.dirname(configPath));
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const checker = program.getTypeChecker();
  const own = program.getSourceFiles().filter((f) => !f.isDeclarationFile);
  const libs = program.getSourceFiles().filter((f) => f.isDeclarationFile);

  const candidates = new Set<string>();
  const excluded: { [name: string]: string } = {};
  const counts: { [name: string]: number } = {};
  const taken = new Set<string>();
  const opaque: string[] = [];
  const reviewed = new Set<string>();
  const REVIEWED = opts.reviewedSinks ?? REVIEWED_SINKS;
  const FOLLOWED = opts.followedSinks ?? FOLLOWED_SINKS;
  const exclude = (name: string, why: string) => {
    if (!(name in excluded)) excluded[name] = why;
  };
  const where = (n: ts.Node) => {
    const sf = n.getSourceFile();
    const lc = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    return `${path.relative(repoRoot, sf.fileName)}:${lc.line + 1}`;
  };

  // Library declarations: every name they declare or mention is the engine's.
  const libNames = new Set<string>(ENGINE_NAMES);
  for (const f of libs) {
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) libNames.add(n.text);
      else if (ts.isStringLiteralLike(n)) libNames.add(n.text);
      ts.forEachChild(n, visit);
    };
    visit(f);
  }
  for (const n of libNames) taken.add(n);
  for (const file of opts.jsonFiles ?? [path.join(repoRoot, "boards.json")]) {
    const keys = new Set<string>();
    jsonKeys(JSON.parse(fs.readFileSync(file, "utf8")), keys);
    for (const k of keys) {
      taken.add(k);
      exclude(k, `a key or value of ${path.relative(repoRoot, file)}`);
    }
  }
  for (const n of opts.extraReserved ?? []) {
    taken.add(n);
    exclude(n, "exported by a cold module (called by string from the boot code)");
  }

  /** Every property name of `type` (deeply when `deep`): an enumerated or serialised object's names. */
  const namesOf = (type: ts.Type, deep: boolean, seen: Set<ts.Type | string>, out: Set<string>): void => {
    if (once(type, seen)) return;
    if (type.isUnionOrIntersection()) {
      for (const t of type.types) namesOf(t, deep, seen, out);
      return;
    }
    for (const p of checker.getPropertiesOfType(type)) {
      out.add(p.name);
      if (deep && p.valueDeclaration) namesOf(checker.getTypeOfSymbol(p), deep, seen, out);
    }
    if (deep) {
      // A value given as a function (written when its turn comes) is serialised by its result.
      for (const sig of type.getCallSignatures()) namesOf(sig.getReturnType(), deep, seen, out);
      const idx = checker.getIndexInfosOfType(type);
      for (const i of idx) namesOf(i.type, deep, seen, out);
      const args = checker.getTypeArguments(type as ts.TypeReference);
      if ((type as ts.TypeReference).target && args) for (const a of args) namesOf(a, deep, seen, out);
    }
  };
  /**
   * Whether a walk has met `type` already: the same type object, or the same type spelt in
   * full (generic signatures instantiate new type objects on every visit).
   */
  const FULL = ts.TypeFormatFlags.UseFullyQualifiedType | ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;
  function once(type: ts.Type, seen: Set<ts.Type | string>): boolean {
    if (seen.has(type)) return true;
    seen.add(type);
    const full = checker.typeToString(type, undefined, FULL);
    if (seen.has(full)) return true;
    seen.add(full);
    return false;
  }
  /** Where a value meets a type it is checked against (so `any` there is given that type). */
  const inValuePosition = (n: ts.Expression): boolean => {
    const p = n.parent;
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments && p.arguments.indexOf(n) >= 0) return true;
    if (ts.isReturnStatement(p) || ts.isArrayLiteralExpression(p) || ts.isSpreadElement(p)) return true;
    if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p) || ts.isParameter(p)) && p.initializer === n) return true;
    if (ts.isBinaryExpression(p) && p.right === n) return true;
    if (ts.isArrowFunction(p) && p.body === n) return true;
    if (ts.isConditionalExpression(p) && (p.whenTrue === n || p.whenFalse === n)) return true;
    return false;
  };
  /** A type that says nothing about its names: any, unknown, object, a type parameter, an index signature only. */
  const hasNoNames = (type: ts.Type): boolean => {
    if (isOpaque(type)) return true;
    if (type.isUnionOrIntersection()) return type.types.some(hasNoNames);
    return checker.getPropertiesOfType(type).length === 0 && checker.getIndexInfosOfType(type).length > 0;
  };
  const isOpaque = (type: ts.Type): boolean => {
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.NonPrimitive)) return true;
    if (type.isUnionOrIntersection()) return type.types.some(isOpaque);
    return false;
  };

  // Sinks: (function declaration, parameter index) whose argument is enumerated/serialised.
  type Sink = { fn: ts.SignatureDeclaration; index: number; deep: boolean; what: string };
  const sinks: Sink[] = [];
  const sinkKey = (s: Sink) => where(s.fn) + "#" + s.index + (s.deep ? "d" : "");
  const sinkSeen = new Set<string>();

  /** An argument reaching a sink: its type's names are dropped, or it is followed to its callers. */
  const reach = (arg: ts.Expression, deep: boolean, what: string): void => {
    const type = checker.getTypeAtLocation(arg);
    const names = new Set<string>();
    namesOf(type, deep, new Set(), names);
    for (const n of names) exclude(n, `${what} at ${where(arg)}`);
    if (!isOpaque(type) && !(deep && containsOpaque(type, new Set()))) return;
    // Follow a parameter of the enclosing function to every call of it.
    const sym = ts.isIdentifier(arg) ? checker.getSymbolAtLocation(arg) : undefined;
    const decl = sym && sym.valueDeclaration;
    if (decl && ts.isParameter(decl) && ts.isFunctionLike(decl.parent)) {
      const fn = decl.parent as ts.SignatureDeclaration;
      const s: Sink = { fn, index: fn.parameters.indexOf(decl), deep, what: `${what} (through ${where(fn)})` };
      if (!sinkSeen.has(sinkKey(s))) {
        sinkSeen.add(sinkKey(s));
        sinks.push(s);
      }
      return;
    }
    const key = path.relative(repoRoot, arg.getSourceFile().fileName) + " " + enclosing(arg) + " " + what.split(" ")[0];
    const follow = FOLLOWED[key];
    if (follow) {
      reviewed.add(key);
      let fnNode: ts.Node | undefined = arg.parent;
      while (fnNode && !((ts.isFunctionDeclaration(fnNode) || ts.isMethodDeclaration(fnNode)) && fnNode.parameters.some((q) => q.name.getText() === follow))) fnNode = fnNode.parent;
      if (!fnNode) opaque.push(`followed sink "${key}": no enclosing function has a parameter ${follow}`);
      else {
        const fn = fnNode as ts.SignatureDeclaration;
        const s: Sink = { fn, index: fn.parameters.findIndex((q) => q.name.getText() === follow), deep, what: `${what} (through ${where(fn)})` };
        if (!sinkSeen.has(sinkKey(s))) {
          sinkSeen.add(sinkKey(s));
          sinks.push(s);
        }
      }
    } else if (REVIEWED[key]) reviewed.add(key);
    else opaque.push(`${what} at ${where(arg)}: an argument of type ${checker.typeToString(type)} that is not a parameter to follow ("${key}")`);
  };
  const containsOpaque = (type: ts.Type, seen: Set<ts.Type>): boolean => {
    if (seen.has(type)) return false;
    seen.add(type);
    if (isOpaque(type)) return true;
    if (type.isUnionOrIntersection()) return type.types.some((t) => containsOpaque(t, seen));
    for (const p of checker.getPropertiesOfType(type)) if (p.valueDeclaration && containsOpaque(checker.getTypeOfSymbol(p), seen)) return true;
    for (const i of checker.getIndexInfosOfType(type)) if (containsOpaque(i.type, seen)) return true;
    return false;
  };

  /** `Object.keys(x)`, `JSON.stringify(x)`...: which arguments, how deep. */
  /** The name of the function or method around `n` ("Class.method", "function", or "top"). */
  const enclosing = (n: ts.Node): string => {
    for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
      if ((ts.isFunctionDeclaration(p) || ts.isMethodDeclaration(p) || ts.isConstructorDeclaration(p)) && (p.name || ts.isConstructorDeclaration(p))) {
        const own = ts.isConstructorDeclaration(p) ? "constructor" : p.name!.getText();
        const cls = p.parent && ts.isClassDeclaration(p.parent) && p.parent.name ? p.parent.name.text + "." : "";
        return cls + own;
      }
    }
    return "top";
  };

  const sinkCall = (call: ts.CallExpression): { deep: boolean; args: ts.Expression[]; what: string } | undefined => {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return undefined;
    const obj = callee.expression.text;
    const fn = callee.name.text;
    if (obj === "JSON" && fn === "stringify") return { deep: true, args: call.arguments.slice(0, 1), what: "JSON.stringify" };
    if (obj === "Object" && (fn === "keys" || fn === "values" || fn === "entries" || fn === "getOwnPropertyNames"))
      return { deep: false, args: call.arguments.slice(0, 1), what: "Object." + fn };
    return undefined;
  };

  const propertyNameOf = (n: ts.Node): ts.Identifier | undefined => {
    const p = n.parent;
    if (!p || !ts.isIdentifier(n)) return undefined;
    if (ts.isPropertyAccessExpression(p) && p.name === n) return n;
    if (ts.isQualifiedName(p) && p.right === n) return undefined; // a namespace/type path, not a property
    if (
      (ts.isPropertyDeclaration(p) ||
        ts.isMethodDeclaration(p) ||
        ts.isGetAccessorDeclaration(p) ||
        ts.isSetAccessorDeclaration(p) ||
        ts.isPropertySignature(p) ||
        ts.isMethodSignature(p) ||
        ts.isPropertyAssignment(p) ||
        ts.isEnumMember(p)) &&
      p.name === n
    )
      return n;
    if (ts.isShorthandPropertyAssignment(p) && p.name === n) return n;
    if (ts.isBindingElement(p) && (p.propertyName === n || (!p.propertyName && p.name === n))) return n;
    if (ts.isParameter(p) && p.name === n && ts.isConstructorDeclaration(p.parent) && ts.isParameterPropertyDeclaration(p, p.parent)) return n;
    return undefined;
  };

  // Pass 1: candidates.
  for (const f of own) {
    const visit = (n: ts.Node): void => {
      if ((ts.isPropertyDeclaration(n) || ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isParameter(n) || ts.isPropertySignature(n) || ts.isMethodSignature(n) || ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && isCandidateDecl(n)) {
        if (ts.isIdentifier(n.name)) candidates.add(n.name.text);
        else if (!ts.isObjectBindingPattern(n.name) && !ts.isArrayBindingPattern(n.name)) exclude(n.name.getText().replace(/^["'`]|["'`]$/g, ""), "a member with a computed or quoted name");
      }
      ts.forEachChild(n, visit);
    };
    visit(f);
  }

  // The public surface: every name reachable by type from the API roots and the globals.
  const apiNames = new Set<string>();
  const rootTypes: { type: ts.Type; what: string }[] = [];
  for (const r of opts.apiRoots ?? API_ROOTS) {
    const [file, name] = r.split(" ");
    const sf = program.getSourceFile(path.resolve(path.dirname(configPath), file)) ?? program.getSourceFile(path.join(repoRoot, file));
    const decl = sf && sf.statements.find((st) => (ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name && st.name.text === name);
    if (!decl) {
      opaque.push(`API root "${r}" is not in the program`);
      continue;
    }
    rootTypes.push({ type: checker.getTypeAtLocation((decl as ts.ClassDeclaration).name!), what: `reachable from the API (${name})` });
  }
  /** Whether `e` (through parentheses and casts) is `globalThis`, or a variable made from it. */
  const isGlobalObject = (e: ts.Expression): boolean => {
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    if (!ts.isIdentifier(e)) return false;
    if (e.text === "globalThis") return true;
    const sym = checker.getSymbolAtLocation(e);
    const d = sym && sym.valueDeclaration;
    return !!d && ts.isVariableDeclaration(d) && !!d.initializer && isGlobalObject(d.initializer);
  };
  for (const f of own) {
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) && isGlobalObject(n.left.expression))
        rootTypes.push({ type: checker.getTypeAtLocation(n.right), what: `reachable from a global (${where(n)})` });
      if (ts.isCallExpression(n) && /^Object\.defineProperty$/.test(n.expression.getText()) && n.arguments.length === 3 && isGlobalObject(n.arguments[0]))
        rootTypes.push({ type: checker.getTypeAtLocation(n.arguments[2]), what: `reachable from a global (${where(n)})` });
      ts.forEachChild(n, visit);
    };
    visit(f);
  }
  const isPrivateSymbol = (p: ts.Symbol): boolean => !!p.declarations && p.declarations.length > 0 && p.declarations.every((d) => isHiddenMember(d));
  for (const r of rootTypes) {
    const names = new Set<string>();
    reachable(r.type, true, new Set(), names);
    for (const n of names) {
      apiNames.add(n);
      exclude(n, r.what);
    }
  }

  /**
   * Every name reachable by type from `type`: its properties (public ones only when
   * `publicOnly`: app code cannot reach the others), the parameters and results of its
   * call and construct signatures, type arguments, union members, constraints, indexed
   * accesses. The properties of library types are theirs; only their type arguments are followed.
   */
  function reachable(type: ts.Type, publicOnly: boolean, seen: Set<ts.Type | string>, out: Set<string>): void {
    if (once(type, seen)) return;
    if (type.isUnionOrIntersection()) {
      for (const t of type.types) reachable(t, publicOnly, seen, out);
      return;
    }
    if (type.flags & ts.TypeFlags.TypeParameter) {
      const c = checker.getBaseConstraintOfType(type);
      if (c && c !== type) reachable(c, publicOnly, seen, out);
      return;
    }
    if (type.flags & ts.TypeFlags.IndexedAccess) {
      const ia = type as ts.IndexedAccessType;
      reachable(ia.objectType, publicOnly, seen, out);
      reachable(ia.indexType, publicOnly, seen, out);
      const c = checker.getBaseConstraintOfType(type);
      if (c && c !== type) reachable(c, publicOnly, seen, out);
      return;
    }
    if (type.flags & ts.TypeFlags.Index) {
      reachable((type as ts.IndexType).type, publicOnly, seen, out);
      return;
    }
    const ref = type as ts.TypeReference;
    if (ref.target) for (const a of checker.getTypeArguments(ref)) reachable(a, publicOnly, seen, out);
    const sym = type.aliasSymbol ?? type.getSymbol();
    if (type.aliasTypeArguments) for (const a of type.aliasTypeArguments) reachable(a, publicOnly, seen, out);
    const fromLib = !!sym && !!sym.declarations && sym.declarations.length > 0 && sym.declarations.every((d) => d.getSourceFile().isDeclarationFile);
    if (fromLib) return;
    for (const p of checker.getPropertiesOfType(type)) {
      if (publicOnly && isPrivateSymbol(p)) continue;
      out.add(p.name);
      reachable(checker.getTypeOfSymbol(p), publicOnly, seen, out);
    }
    for (const i of checker.getIndexInfosOfType(type)) reachable(i.type, publicOnly, seen, out);
    for (const sig of type.getCallSignatures().concat(type.getConstructSignatures())) {
      for (const prm of sig.getParameters()) reachable(checker.getTypeOfSymbol(prm), publicOnly, seen, out);
      reachable(sig.getReturnType(), publicOnly, seen, out);
      for (const tp of sig.getTypeParameters() ?? []) reachable(tp, publicOnly, seen, out);
    }
  }

  /** Every name of a type untyped data is read into, or that the engine hands us (deeply). */
  const boundary = (type: ts.Type, what: string): void => {
    const names = new Set<string>();
    reachable(type, false, new Set(), names);
    for (const n of names) exclude(n, what);
  };

  // Pass 2: every occurrence in the program.
  for (const f of own) {
    const visit = (n: ts.Node): void => {
      if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) {
        taken.add(n.text);
        // Only a whole literal can name a property: `x["name"]`, `"name" in x`, a list of names.
        if (candidates.has(n.text) && !ts.isImportDeclaration(n.parent) && !ts.isExportDeclaration(n.parent)) exclude(n.text, `a string literal at ${where(n)}`);
      }
      const id = propertyNameOf(n);
      if (id) taken.add(id.text);
      if (id && candidates.has(id.text)) {
        const p = id.parent;
        let sym: ts.Symbol | undefined;
        // A shorthand key declares the object's property (its name also reads a variable).
        if (ts.isShorthandPropertyAssignment(p)) sym = (p as unknown as { symbol?: ts.Symbol }).symbol;
        else if (ts.isBindingElement(p)) sym = undefined;
        else sym = checker.getSymbolAtLocation(id);
        const decls = sym && sym.declarations ? sym.declarations : [];
        if (ts.isBindingElement(p)) exclude(id.text, `a destructured property at ${where(id)}`);
        else if (decls.length === 0) exclude(id.text, `a property that resolves to no declaration (any, an index signature) at ${where(id)}`);
        else {
          const bad = decls.find((d) => !isCandidateDecl(d));
          if (bad) exclude(id.text, `${ts.SyntaxKind[bad.kind]} at ${where(bad)} (used at ${where(id)})`);
          else counts[id.text] = (counts[id.text] || 0) + 1;
        }
      }
      if (ts.isElementAccessExpression(n) && !ts.isStringLiteralLike(n.argumentExpression) && !ts.isNumericLiteral(n.argumentExpression)) {
        const k = checker.getTypeAtLocation(n.argumentExpression);
        // Numeric indexes never name a member; anything else may name any of them.
        if (!(k.flags & ts.TypeFlags.NumberLike)) {
          const names = new Set<string>();
          namesOf(checker.getTypeAtLocation(n.expression), false, new Set(), names);
          for (const name of names) exclude(name, `computed access at ${where(n)}`);
        }
      }
      if (ts.isForInStatement(n)) {
        const names = new Set<string>();
        namesOf(checker.getTypeAtLocation(n.expression), false, new Set(), names);
        for (const name of names) exclude(name, `for…in at ${where(n)}`);
        if (isOpaque(checker.getTypeAtLocation(n.expression))) reach(n.expression, false, "for…in");
      }
      if (ts.isCallExpression(n)) {
        const s = sinkCall(n);
        if (s) for (const a of s.args) reach(a, s.deep, s.what);
        // Object.assign copies under the same names; from untyped data it types what it copies.
        if (/^Object\.assign$/.test(n.expression.getText()) && n.arguments.some((a) => hasNoNames(checker.getTypeAtLocation(a))))
          boundary(checker.getTypeAtLocation(n), `Object.assign from untyped data at ${where(n)}`);
      }
      // Untyped data (JSON, Storage, settings, the engine) given a type: a cast from an opaque type...
      if ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && hasNoNames(checker.getTypeAtLocation(n.expression)))
        boundary(checker.getTypeAtLocation(n), `a cast from ${checker.typeToString(checker.getTypeAtLocation(n.expression))} at ${where(n)}`);
      // ...a value of type any where a type is expected (an argument, a return, an initializer)...
      if (ts.isExpression(n) && inValuePosition(n) && checker.getTypeAtLocation(n).flags & ts.TypeFlags.Any) {
        const ctx = checker.getContextualType(n);
        if (ctx && !(ctx.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) boundary(ctx, `an untyped value given the type ${checker.typeToString(ctx)} at ${where(n)}`);
      }
      // Typed data let go untyped: an object literal where `unknown`, `any` or an index
      // signature is expected (a JSON body, a payload, a record) keeps its keys.
      if (ts.isObjectLiteralExpression(n)) {
        const ctx = checker.getContextualType(n);
        if (ctx && hasNoNames(ctx))
          for (const p of n.properties) if (p.name && ts.isIdentifier(p.name)) exclude(p.name.text, `a key of an object literal given as ${checker.typeToString(ctx)} at ${where(p)}`);
      }
      // A typed value let go as `unknown` or an index-signature type (an error kept as the
      // cause, a record handed on): where it goes is no longer seen, so its names are kept.
      // (`any` here is a local declared without a type; a global's value is the API's walk.)
      if (ts.isExpression(n) && !ts.isObjectLiteralExpression(n) && inValuePosition(n) && !(ts.isBinaryExpression(n.parent) && ts.isPropertyAccessExpression(n.parent.left) && isGlobalObject(n.parent.left.expression))) {
        const ctx = checker.getContextualType(n);
        if (ctx && !(ctx.flags & ts.TypeFlags.Any) && !(ctx.flags & ts.TypeFlags.TypeParameter) && hasNoNames(ctx)) {
          const t = checker.getTypeAtLocation(n);
          if (!hasNoNames(t)) boundary(t, `a value of type ${checker.typeToString(t)} given as ${checker.typeToString(ctx)} at ${where(n)}`);
        }
      }
      // ...a type guard over an opaque value, and what an ambient declaration (`declare const`) says the engine gives.
      if (ts.isFunctionLike(n) && n.type && ts.isTypePredicateNode(n.type) && n.type.type) boundary(checker.getTypeFromTypeNode(n.type.type), `a type guard at ${where(n)}`);
      if (ts.isVariableStatement(n) && hasModifier(n, ts.SyntaxKind.DeclareKeyword))
        for (const d of n.declarationList.declarations) boundary(checker.getTypeAtLocation(d.name), `declared as given by the engine or the build at ${where(d)}`);
      if ((ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n)) && hasModifier(n, ts.SyntaxKind.DeclareKeyword)) boundary(checker.getTypeAtLocation(n.name ?? n), `declared at ${where(n)}`);
      ts.forEachChild(n, visit);
    };
    visit(f);
  }

  // Pass 3: follow sink parameters to their callers until nothing new is reached.
  if (sinks.length) {
    const calls: ts.CallLikeExpression[] = [];
    for (const f of own) {
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) || ts.isNewExpression(n)) calls.push(n);
        ts.forEachChild(n, visit);
      };
      visit(f);
    }
    for (let i = 0; i < sinks.length; i++) {
      const s = sinks[i];
      let found = 0;
      for (const c of calls) {
        const sig = checker.getResolvedSignature(c);
        const d = sig && sig.declaration;
        if (d !== s.fn) continue;
        found++;
        const arg = (c as ts.CallExpression).arguments ? (c as ts.CallExpression).arguments[s.index] : undefined;
        if (arg) reach(arg, s.deep, s.what);
      }
      // A function used as a value (passed, stored) has callers we cannot see.
      if (!found || escapes(s.fn)) {
        const key = path.relative(repoRoot, s.fn.getSourceFile().fileName) + " " + (s.fn.name ? s.fn.name.getText() : "?") + " callers";
        if (REVIEWED[key]) reviewed.add(key);
        else opaque.push(`${s.what}: ${where(s.fn)} is called where its arguments cannot be followed ("${key}")`);
      }
    }
  }

  /** Whether a function is used other than by a direct call (so its callers are unknown). */
  function escapes(fn: ts.SignatureDeclaration): boolean {
    const name = fn.name && ts.isIdentifier(fn.name) ? fn.name : undefined;
    if (!name) return true;
    const sym = checker.getSymbolAtLocation(name);
    if (!sym) return true;
    let escaped = false;
    for (const f of own) {
      const visit = (n: ts.Node): void => {
        if (escaped) return;
        if (ts.isIdentifier(n) && n !== name && checker.getSymbolAtLocation(n) === sym) {
          const p = n.parent;
          const called = (ts.isCallExpression(p) && p.expression === n) || (ts.isPropertyAccessExpression(p) && p.name === n && ts.isCallExpression(p.parent) && p.parent.expression === p);
          const imported = ts.isImportSpecifier(p) || ts.isExportSpecifier(p);
          if (!called && !imported) escaped = true;
        }
        ts.forEachChild(n, visit);
      };
      visit(f);
    }
    return escaped;
  }

  for (const k of Object.keys(REVIEWED).concat(Object.keys(FOLLOWED))) if (!reviewed.has(k)) opaque.push(`reviewed sink "${k}" is no longer in the program: drop it from REVIEWED_SINKS`);
  for (const n of candidates) if (libNames.has(n)) exclude(n, "declared by a library (lib.es5, the Espruino globals) or read by the engine");
  const safe = [...candidates].filter((n) => !(n in excluded)).sort();
  const c: { [name: string]: number } = {};
  for (const n of safe) c[n] = counts[n] || 0;
  return { safe, candidates: [...candidates].sort(), excluded, counts: c, taken, opaque };
}

const FIRST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const REST = FIRST + "0123456789_$";

/** Short names in order: one character, then two. */
function* shortNames(): Generator<string> {
  for (const a of FIRST) yield a;
  for (const a of FIRST) for (const b of REST) yield a + b;
  for (const a of FIRST) for (const b of REST) for (const c of REST) yield a + b + c;
}

/**
 * The mangle cache for esbuild: each safe name mapped to its short name, the most used
 * names first; deterministic for a given program.
 */
export function mangleCache(a: MangleAnalysis): { [name: string]: string } {
  const order = a.safe.slice().sort((x, y) => a.counts[y] - a.counts[x] || (x < y ? -1 : x > y ? 1 : 0));
  const cache: { [name: string]: string } = {};
  const gen = shortNames();
  for (const name of order) {
    let s = gen.next().value as string;
    while (a.taken.has(s) || KEYWORDS.has(s) || ENGINE_NAMES.indexOf(s) >= 0) s = gen.next().value as string;
    // Never longer than the name it replaces.
    cache[name] = s.length < name.length ? s : name;
  }
  return cache;
}

/** esbuild's `mangleProps`: exactly the names of the cache. */
export function manglePattern(cache: { [name: string]: string }): RegExp {
  const names = Object.keys(cache).filter((n) => cache[n] !== n);
  return names.length ? new RegExp("^(?:" + names.join("|") + ")$") : /^(?!)$/;
}

/** `node --import tsx tools/mangle-props.ts`: the safe list, the dropped names and why. */
if (import.meta.url === new URL("file://" + process.argv[1]).href) {
  const a = analyseProps();
  const long = a.safe.filter((n) => n.length > 8).length;
  const short = a.safe.filter((n) => n.length > 4).length;
  console.log(`${a.candidates.length} property names declared, ${a.safe.length} safe to shorten (${short} longer than 4 characters, ${long} longer than 8)`);
  if (process.argv.indexOf("--why") >= 0) for (const n of a.candidates) if (n in a.excluded) console.log(`  kept ${n}: ${a.excluded[n]}`);
  if (process.argv.indexOf("--list") >= 0) {
    const cache = mangleCache(a);
    for (const n of Object.keys(cache)) console.log(`  ${n} -> ${cache[n]} (${a.counts[n]})`);
  }
  for (const o of a.opaque) console.log("  opaque: " + o);
}
