/**
 * Turns an esbuild iife bundle (`(() => { ... })();`) into code that runs at the top
 * level of the device, with every name the bundle declares at its top renamed with a
 * prefix (`$`, or a longer one when `$` would clash), so that the firmware's names
 * cannot collide with Espruino's globals (`E`, `D9`, `Serial1`, ...) nor with an app's.
 *
 * Why: on Espruino each function defined inside a function keeps a link to its scope,
 * one heap block per function; functions defined at the top level have none. Measured
 * on the watch bundle loaded from Storage (Linux build 2v29.277, `npm run portable`):
 * 6788 blocks after boot as an iife, 6019 at the top level (-11 %). The cost is that
 * the firmware's internal names are globals (prefixed, so apps do not meet them by
 * accident); `sharedline` is the one public name.
 *
 * The scopes come from ESLint's scope analysis (a one-rule Linter run), so renaming
 * follows real bindings: shorthand properties (`{a}`) are expanded, and a prefix is
 * chosen that no inner scope declares, so no renamed name can be shadowed.
 */
import { type Rule, type Scope } from "eslint";
import { runRuleOnScript } from "./es2015-rule.js";

interface Edit {
  start: number;
  end: number;
  text: string;
}

interface Found {
  /** The iife's body range (between its braces). */
  body: [number, number] | undefined;
  /** Each top-level binding and the ranges of its identifiers. */
  names: { name: string; ids: { range: [number, number]; shorthand: boolean }[] }[];
  /** Names declared in any inner scope. */
  inner: Set<string>;
  problem: string | undefined;
}

type Node = { type: string; range: [number, number]; parent?: Node; [k: string]: unknown };

function collect(found: Found): Rule.RuleModule {
  return {
    create(context) {
      return {
        "Program:exit"(program: unknown) {
          const prog = program as Node & { body: Node[] };
          const stmt = prog.body.length === 1 ? prog.body[0] : undefined;
          const call = stmt && stmt.type === "ExpressionStatement" ? (stmt.expression as Node) : undefined;
          const fn = call && call.type === "CallExpression" ? (call.callee as Node) : undefined;
          const body = fn && (fn.type === "ArrowFunctionExpression" || fn.type === "FunctionExpression") ? (fn.body as Node) : undefined;
          if (!fn || !body || body.type !== "BlockStatement" || (call!.arguments as unknown[]).length !== 0) {
            found.problem = "the bundle is not a single iife without arguments";
            return;
          }
          found.body = [body.range[0] + 1, body.range[1] - 1];
          const sm = context.sourceCode.scopeManager;
          const top = sm.acquire(fn as never) as Scope.Scope | null;
          if (!top) {
            found.problem = "no scope for the iife";
            return;
          }
          for (const v of top.variables) {
            if (v.name === "arguments") continue;
            const ids: Found["names"][number]["ids"] = [];
            const seen = new Set<number>();
            const add = (id: Node) => {
              if (seen.has(id.range[0])) return;
              seen.add(id.range[0]);
              const p = id.parent;
              ids.push({ range: id.range, shorthand: !!p && p.type === "Property" && p.shorthand === true && p.value === id });
            };
            for (const d of v.defs) add(d.name as unknown as Node);
            for (const r of v.references) add(r.identifier as unknown as Node);
            found.names.push({ name: v.name, ids });
          }
          const walk = (s: Scope.Scope) => {
            for (const c of s.childScopes) {
              for (const v of c.variables) found.inner.add(v.name);
              walk(c);
            }
          };
          walk(top);
          // Class scopes and the like also hold names: include every scope below the top.
          for (const s of sm.scopes) if (s !== top && s.type !== "global" && s.type !== "module") for (const v of s.variables) found.inner.add(v.name);
        },
      };
    },
  };
}

const PREFIXES = ["$", "$_", "_$", "$$", "$S"];

/** The top-level version of `iife`; throws when the text is not an iife bundle. */
export function toTopLevel(iife: string): string {
  const found: Found = { body: undefined, names: [], inner: new Set(), problem: undefined };
  runRuleOnScript(iife, collect(found), "bundle");
  if (found.problem || !found.body) throw new Error(found.problem || "no iife body");
  const topNames = new Set(found.names.map((n) => n.name));
  const prefix = PREFIXES.find((p) => found.names.every((n) => !found.inner.has(p + n.name) && !topNames.has(p + n.name)));
  if (!prefix) throw new Error("no prefix avoids every inner name; extend PREFIXES");
  const edits: Edit[] = [];
  for (const n of found.names) {
    for (const id of n.ids) {
      edits.push({ start: id.range[0], end: id.range[1], text: id.shorthand ? n.name + ":" + prefix + n.name : prefix + n.name });
    }
  }
  edits.sort((a, b) => a.start - b.start);
  const [from, to] = found.body;
  let out = "";
  let at = from;
  for (const e of edits) {
    if (e.start < from || e.end > to) continue;
    out += iife.slice(at, e.start) + e.text;
    at = e.end;
  }
  out += iife.slice(at, to);
  return out.trim() + "\n";
}

/**
 * Moves function parameters into locals: `function (a, b) {...}` becomes
 * `function () {var $P=arguments,a=$P[0],b=$P[1];...}`.
 *
 * Why: Espruino keeps each declared parameter name as a heap block on the function
 * object for the function's whole life, while locals exist only during a call. The watch
 * bundle declares about 800 parameters (`npm run portable` on the unminified bundle). The
 * call semantics stay (missing arguments are undefined; `arguments` still holds them
 * all); what changes is `fn.length` (0), which nothing here reads. Arrow functions keep
 * theirs: Espruino's arrows have no `arguments` of their own (espruino-facts.md), and
 * setters must declare their one parameter. So do functions made inside other functions
 * (closures): measured on 2v29.277, `function mk(){var n=arguments[0]; return
 * function(){return arguments[0]}}` called as `mk("N")("S")` gives "N". What is left are
 * the top-level functions and the methods of top-level classes, most of the parameters.
 * The cost is one `arguments` array per call.
 */
export function paramsToLocals(text: string): string {
  const edits: Edit[] = [];
  let alias = "$P";
  while (text.indexOf(alias) >= 0) alias += "_";
  const rule: Rule.RuleModule = {
    create() {
      const visit = (node: unknown) => {
        const fn = node as Node & { params: Node[]; body: Node };
        const parent = fn.parent;
        if (fn.params.length === 0 || fn.body.type !== "BlockStatement") return;
        if (parent && (parent.type === "Property" || parent.type === "MethodDefinition") && parent.kind === "set") return;
        if (!fn.params.every((p) => p.type === "Identifier")) return;
        // Only functions that no function encloses: measured on 2v29, `arguments` in a
        // function made inside another one can give the outer call's arguments.
        for (let up = parent; up; up = up.parent) if (/Function/.test(up.type)) return;
        const names = fn.params.map((p) => p.name as string);
        const decl =
          names.length === 1 ? `var ${names[0]}=arguments[0];` : `var ${alias}=arguments,` + names.map((n, i) => `${n}=${alias}[${i}]`).join(",") + ";";
        edits.push({ start: fn.params[0].range[0], end: fn.params[fn.params.length - 1].range[1], text: "" });
        edits.push({ start: fn.body.range[0] + 1, end: fn.body.range[0] + 1, text: decl });
      };
      return { FunctionDeclaration: visit, FunctionExpression: visit };
    },
  };
  runRuleOnScript(text, rule, "bundle");
  edits.sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}
