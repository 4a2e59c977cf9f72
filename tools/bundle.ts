/**
 * Bundles portable code for Espruino: `sharedline bundle [--board <name>] [--minify] [--outdir <dir>]`
 * writes one bundle per board whose runtime is "espruino" (boards.json) into dist/.
 *
 * The esbuild settings are the ones espruino-facts.md measured to run ("TypeScript /
 * esbuild output on Espruino"): an iife (Espruino has no `module`/`exports` at top level),
 * target ES2015 (it lowers `?.`, `??`, `**`, object spread and class fields, which
 * Espruino lacks, and keeps classes, arrows, templates and for-of, which it has), and
 * `useDefineForClassFields: false` so fields become constructor assignments. On top:
 *
 * - features Espruino lacks and esbuild cannot lower (default and rest parameters,
 *   destructuring, generators, async) are declared unsupported, so the compiler itself
 *   refuses them with the source location;
 * - `\u{...}` escapes are unsupported on Espruino, so esbuild writes surrogate pairs
 *   (measured: Espruino joins them into one character) and the output is pure ASCII;
 * - `of` is a keyword of Espruino's lexer (`var of = 3` is a SyntaxError) but not of JS,
 *   so the minifier must not pick it as a name: an injected module mentions `of` as a
 *   global, which makes esbuild reserve the name (the module itself is tree-shaken away);
 * - a Node built-in import fails the build with the importing file named;
 * - Espruino's own modules (`require("Storage")` in hal/espruino) stay plain calls of the
 *   interpreter's `require` instead of esbuild's Proxy-based `__require` shim;
 * - `--minify` is whitespace and identifiers only, never esbuild's minifySyntax. That pass
 *   folds `if (c) { a(() => this.x); } else { b(() => this.y); }` into
 *   `c ? a(() => this.x) : b(() => this.y)` and `() => { return p.then(() => this.x); }`
 *   into `() => p.then(() => this.x)`; Espruino parses the branch not taken and an arrow's
 *   expression body without running them, and an arrow using `this` parsed that way
 *   kills the interpreter (measured on 2v29: `0 && (() => this)` inside a method gives
 *   `ASSERT(jsvHasChildren(obj)) FAILED AT src/jsvar.c:3324` and exit 1 on Linux; by the
 *   source a board reboots unless built with RELEASE=1; tools/espruino-arrow-this.js has
 *   the details). The minified at-channel
 *   test bundle died so at its first check, and the board's minified bundle held 5 such
 *   arrows on paths its boot does not reach. Without minifySyntax that bundle is about
 *   5 % larger (50964 to 53777 bytes, esbuild 0.28.2) and uses about 2 % more heap 0.5 s
 *   after boot on Linux (5713 to 5827 blocks, `npm run portable`).
 *   The same shapes written by hand are refused by the subset lint and the bundle check
 *   (`espruino/arrow-this`).
 */
import * as esbuild from "esbuild";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { paramsToLocals, toTopLevel } from "./bundle-global.js";
import { analyseProps, mangleCache, manglePattern } from "./mangle-props.js";
import { pretokenise } from "./pretokenise.js";
import { readOptions, usageError } from "../cli/output.js";

/** The repository root (this file lives in tools/). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The entry of an Espruino board when boards.json names none. */
export const defaultEntry = "hal/espruino/boot.ts";

/** A bundle could not be built or broke a rule; `problems` lists every reason. */
export class BundleError extends Error {
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message + (problems.length ? ":\n  " + problems.join("\n  ") : ""));
    this.name = "BundleError";
  }
}

export interface BundleOptions {
  /** Minify whitespace and identifiers, not syntax (default false; see the file comment). */
  minify?: boolean;
  /** Extra esbuild `define`s, e.g. `{ SHAREDLINE_BOARD: '"watch"' }`. */
  define?: Record<string, string>;
  /** Fail when the bundle is larger than this many bytes. */
  maxBytes?: number;
  /** Name used in messages (default: the entry path). */
  label?: string;
  /** Write the file (default true); false only returns the text. */
  write?: boolean;
  /** Extra esbuild plugins (run before the Espruino one). */
  plugins?: esbuild.Plugin[];
  /**
   * Property names to shorten, each to its given short name (tools/mangle-props.ts); the
   * same object for every bundle that shares objects (a board's boot code and its cold
   * modules). Only with `minify`.
   */
  mangleProps?: { [name: string]: string };
}

/** Source text instead of an entry file (esbuild `stdin`). */
export interface VirtualEntry {
  contents: string;
  /** Directory that the entry's relative imports resolve from. */
  resolveDir: string;
  /** Name shown in messages and in the bundle's module comments. */
  sourcefile: string;
}

export interface BundleResult {
  outfile: string;
  /** The bundle text (pure ASCII). */
  text: string;
  bytes: number;
  /** Source files that went into the bundle, relative to the repository root. */
  inputs: string[];
  /** Bytes of the bundle each source file accounts for (esbuild's metafile, before the top-level rewrite). */
  inputBytes: { [file: string]: number };
  /** The board's cold modules (Storage files the boot code `require`s on demand); bundleBoard only. */
  modules?: StorageModule[];
  /** The property names shortened (name -> short name), when minified; bundleBoard only. */
  mangled?: { [name: string]: string };
  /**
   * What goes to Storage when it is not `text`: the minified boot code pretokenised (a
   * byte string, one char per byte), and the file holding it (`<board>.min.tok`);
   * bundleBoard only.
   */
  stored?: { file: string; bytes: string };
  /**
   * What the flashed files take in the device's Storage (storageCost of each: the boot
   * code, the cold modules and the settings file tools/flash.ts writes); bundleBoard only.
   * This is what budgets.bundleBytes is checked against.
   */
  storageBytes?: number;
}

/**
 * Bytes a file takes in Espruino's Storage: a 32-byte header (src/jsflash.h
 * `JsfFileHeader`: size and the 28-byte name) and the data, rounded up to 4 (JSF_ALIGNMENT).
 */
export function storageCost(bytes: number): number {
  return (32 + bytes + 3) & ~3;
}

/** The settings file as tools/flash.ts writes it: padded to 512 + 16 bytes (shorter uploads never finish). */
export const SETTINGS_STORED_BYTES = 528;

/** A cold part of a board's firmware, written to Storage beside the boot code. */
export interface StorageModule {
  /** The Storage file name (what the boot code passes to `require`). */
  file: string;
  /** The source module it holds, relative to the repository root. */
  source: string;
  outfile: string;
  text: string;
  bytes: number;
  /** budget of this module's text (COLD_MODULES). */
  maxBytes: number;
  /** The functions it exports (the boot code has a stub for each). */
  exports: string[];
  /** What goes to Storage when it is not `text` (pretokenised, as for the boot code). */
  stored?: { file: string; bytes: string };
}

/** esbuild feature names Espruino lacks and esbuild cannot lower: the build fails on them. */
const UNSUPPORTED = {
  "default-argument": false,
  "rest-argument": false,
  destructuring: false,
  generator: false,
  "async-await": false,
  "async-generator": false,
  "for-await": false,
  "array-spread": false,
  "unicode-escapes": false,
  "class-field": false,
  "class-static-field": false,
  "class-static-blocks": false,
  "class-private-field": false,
  "class-private-method": false,
  "class-private-accessor": false,
  "class-private-static-field": false,
  "class-private-static-method": false,
  "class-private-static-accessor": false,
  "optional-chain": false,
  "nullish-coalescing": false,
  "logical-assignment": false,
  "exponent-operator": false,
  "object-rest-spread": false,
  "top-level-await": false,
  "dynamic-import": false,
  bigint: false,
};

const WHY: [RegExp, string][] = [
  [/default arguments/, "default parameters are a SyntaxError on Espruino (espruino-facts.md: Default parameters)"],
  [/rest arguments/, "rest parameters are a SyntaxError on Espruino (espruino-facts.md: Rest / spread)"],
  [/destructuring/, "destructuring fails on Espruino (espruino-facts.md: Destructuring)"],
  [/generator|async/, "async functions and generators do not run on Espruino; use Promise chains (espruino-facts.md: async / await)"],
  [/array spread/, "spread is a SyntaxError on Espruino (espruino-facts.md: Rest / spread)"],
];

/** Built-in modules of the Espruino interpreter that hal/espruino may `require`. */
export const espruinoModules = ["Storage", "Flash", "heatshrink", "crypto", "fs", "net", "http", "Wifi", "tensorflow", "neopixel"];

const nodeBuiltins = new Set(builtinModules);
const RESERVED_NAMES_MODULE = "sharedline:espruino-reserved-names";

function espruinoPlugin(): esbuild.Plugin {
  return {
    name: "sharedline-espruino",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.path === RESERVED_NAMES_MODULE) return { path: RESERVED_NAMES_MODULE, namespace: "sharedline" };
        const bare = args.path.startsWith("node:") ? args.path.slice(5) : args.path;
        if (args.path.startsWith("node:") || nodeBuiltins.has(bare)) {
          const from = args.importer ? path.relative(repoRoot, args.importer) : "(entry)";
          return {
            errors: [
              {
                text: `${from} imports the Node built-in "${args.path}": Node's modules do not exist on Espruino (espruino-facts.md: require); go through the HAL`,
              },
            ],
          };
        }
        return undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "sharedline" }, () => ({
        // Never called: mentioning `of` as a global makes esbuild's renamer reserve it.
        contents: "export function __espruinoReservedNames() { return [of]; }\n",
        loader: "js",
      }));
    },
  };
}

/**
 * esbuild's `charset: "ascii"` escapes strings, templates, regexes and identifiers, but
 * copies comments it keeps inside expressions verbatim (a `§` in a comment stays); every
 * character left above 0x7E can only be in such a comment (or an identifier), where a
 * \uXXXX spelling is harmless.
 */
function asciiOnly(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0"));
}

/** Rewrites `\u{X}` escapes (with an even number of backslashes before) as \uXXXX pairs. */
function surrogateEscapes(text: string): string {
  return text.replace(/(^|[^\\])((?:\\\\)*)\\u\{([0-9a-fA-F]+)\}/g, (_m, pre: string, slashes: string, hex: string) => {
    const cp = parseInt(hex, 16);
    const u = (n: number) => "\\u" + n.toString(16).toUpperCase().padStart(4, "0");
    if (cp < 0x10000) return pre + slashes + u(cp);
    const v = cp - 0x10000;
    return pre + slashes + u(0xd800 + (v >> 10)) + u(0xdc00 + (v & 0x3ff));
  });
}

/** Positions of characters outside ASCII, as `line:col U+XXXX` (at most `max`). */
export function nonAscii(text: string, max = 5): string[] {
  const found: string[] = [];
  let line = 1;
  let col = 1;
  for (let i = 0; i < text.length && found.length < max; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e && c !== 0x7f) found.push(`${line}:${col} U+${c.toString(16).toUpperCase().padStart(4, "0")}`);
    if (c === 10) {
      line++;
      col = 1;
    } else col++;
  }
  return found;
}

/** Text problems Espruino cannot load: non-ASCII characters and `\u{...}` escapes. */
export function textProblems(text: string): string[] {
  const problems = nonAscii(text).map((p) => `non-ASCII character at ${p}: bundles must be pure ASCII (espruino-facts.md: The Linux interpreter as a stand-in watch)`);
  const m = /\\u\{/.exec(text);
  if (m) {
    const line = text.slice(0, m.index).split("\n").length;
    problems.push(`\\u{...} escape at line ${line}: an error on Espruino (espruino-facts.md: Unicode strings)`);
  }
  return problems;
}

/**
 * Bundles `entry` (a file, or source text) for Espruino into `outfile` and checks it is
 * pure ASCII, free of `\u{...}` escapes and within `opts.maxBytes`. Throws BundleError
 * with every problem (esbuild's errors carry the source file and line).
 */
export async function bundleForEspruino(entry: string | VirtualEntry, outfile: string, opts: BundleOptions = {}): Promise<BundleResult> {
  const label = opts.label ?? (typeof entry === "string" ? path.relative(repoRoot, entry) : entry.sourcefile);
  let result: esbuild.BuildResult & { outputFiles: esbuild.OutputFile[]; metafile: esbuild.Metafile };
  const mangle = opts.minify === true && opts.mangleProps ? opts.mangleProps : undefined;
  try {
    result = await esbuild.build({
      ...(typeof entry === "string"
        ? { entryPoints: [entry] }
        : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, sourcefile: entry.sourcefile, loader: "ts" as const } }),
      absWorkingDir: repoRoot,
      outfile,
      bundle: true,
      format: "iife",
      target: "es2015",
      platform: "neutral",
      charset: "ascii",
      supported: UNSUPPORTED,
      // Never minifySyntax: it turns safe code into arrows that Espruino parses without
      // running them, which crashes the interpreter (see the file comment).
      minifyWhitespace: opts.minify === true,
      minifyIdentifiers: opts.minify === true,
      minifySyntax: false,
      // Exactly the names of the cache, to exactly its short names (never esbuild's own
      // choice, which would differ between the boot code and a cold module).
      ...(mangle ? { mangleProps: manglePattern(mangle), mangleCache: Object.assign({}, mangle) } : {}),
      legalComments: "none",
      write: false,
      metafile: true,
      logLevel: "silent",
      inject: [RESERVED_NAMES_MODULE],
      // Espruino's require of its own modules (hal/espruino) stays a call of the
      // interpreter's global, not esbuild's shim (which needs Proxy and `arguments`).
      define: Object.assign({ require: "globalThis.require" }, opts.define ?? {}),
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, target: "ES2015" } },
      plugins: (opts.plugins ?? []).concat([espruinoPlugin()]),
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    if (!failure.errors) throw err;
    throw new BundleError(
      `cannot bundle ${label} for Espruino`,
      failure.errors.map((e) => {
        const where = e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ` : "";
        const why = WHY.find((w) => w[0].test(e.text));
        return where + e.text + (why ? " (" + why[1] + ")" : "");
      }),
    );
  }
  if (mangle && result.mangleCache) {
    const own = Object.keys(result.mangleCache).filter((k) => result.mangleCache![k] !== mangle[k]);
    if (own.length) throw new BundleError(`cannot bundle ${label} for Espruino`, own.map((k) => `esbuild shortened the property ${k} to ${String(result.mangleCache![k])} on its own`));
  }
  const text = asciiOnly(surrogateEscapes(result.outputFiles[0].text));
  const bytes = Buffer.byteLength(text, "utf8");
  const problems = textProblems(text);
  if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
    problems.push(`${bytes} bytes is over the budget of ${opts.maxBytes} bytes (boards.json budgets.bundleBytes)` + (opts.minify ? "" : "; try --minify"));
  }
  if (problems.length) throw new BundleError(`bundle of ${label} is not loadable on Espruino`, problems);
  if (opts.write !== false) {
    mkdirSync(path.dirname(outfile), { recursive: true });
    writeFileSync(outfile, text);
  }
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith("sharedline:") && !f.startsWith("<stdin>"));
  const inputBytes: { [file: string]: number } = {};
  for (const out of Object.values(result.metafile.outputs)) for (const f of Object.keys(out.inputs)) if (inputs.indexOf(f) >= 0) inputBytes[f] = out.inputs[f].bytesInOutput;
  return { outfile, text, bytes, inputs, inputBytes };
}

export interface Board {
  name: string;
  runtime: string;
  /** Optional entry override; default hal/espruino/boot.ts. */
  entry?: string;
  budgets: { bundleBytes?: number; ramBlocks?: number };
  espruino?: { build: string; variables: number; supplyPin?: string };
}

/** The boards of boards.json whose runtime is Espruino. */
export function espruinoBoards(file = path.join(repoRoot, "boards.json")): Board[] {
  const json = JSON.parse(readFileSync(file, "utf8")) as { boards: { [name: string]: Omit<Board, "name"> } };
  return Object.keys(json.boards)
    .map((name) => Object.assign({ name }, json.boards[name]))
    .filter((b) => b.runtime === "espruino");
}

/**
 * Only the board's own modem profile goes into its bundle: drivers/modems/index.ts is
 * loaded with the other profiles' entries left out of its table, and their definitions
 * (marked pure) are then dropped as unused. Measured: about 260 heap blocks on the watch.
 */
function oneProfilePlugin(modem: string): esbuild.Plugin {
  return {
    name: "sharedline-one-modem-profile",
    setup(build) {
      build.onLoad({ filter: /drivers[\\/]modems[\\/]index\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        const entry = /^\s+(?:"([^"]+)"|(\w+)):\s*\w+,\s*$/;
        let kept = 0;
        const lines = text.split("\n").filter((l) => {
          const m = entry.exec(l);
          if (!m) return true;
          if ((m[1] || m[2]) === modem) kept++;
          return (m[1] || m[2]) === modem;
        });
        if (kept !== 1) return { errors: [{ text: `drivers/modems/index.ts: no table entry for the board's modem profile "${modem}"` }] };
        return { contents: lines.join("\n"), loader: "ts" };
      });
    },
  };
}

/**
 * Cold parts of the firmware: modules it needs only now and then, kept out of the boot
 * code and written to Storage as modules of their own. In the boot code each exported
 * function becomes a stub that `require`s the Storage module, calls the real function
 * and drops the module from Espruino's module cache again (`Modules.removeCached`), so
 * the module's functions and tables take heap only while a call (or a Promise it
 * returned) still uses them. Code run from Storage stays in flash either way; what a
 * module costs in RAM is its functions, objects and names (espruino-facts.md: Memory),
 * which is why parts that run rarely are worth the load each time.
 *
 * The boot code may import only plain functions from a cold module (not classes or
 * values: a stub can stand in for a call, not for `new`, `instanceof` or a constant).
 * Its own imports are bundled into it, so helpers it shares with the boot code exist
 * twice in flash but only once in RAM at a time.
 */
export interface ColdModule {
  /** The source module, relative to the repository root. */
  source: string;
  /** Its Storage file name (at most 28 characters; espruino-facts.md). */
  file: string;
  /** Budget of the minified module. */
  maxBytes: number;
}

export const COLD_MODULES: ColdModule[] = [
  // The text-command table: used when someone types a command at the console.
  { source: "firmware/commands.ts", file: "sl.cmd", maxBytes: 16384 },
  // The console's words for events and replies: used once per printed line.
  { source: "firmware/api/words.ts", file: "sl.words", maxBytes: 12288 },
  // SMS receiving: the receive jobs (read-persist-delete, routed delivery and its
  // acknowledgement, the resync after a refused +CNMA), PDU decoding (SMS-DELIVER, status
  // reports), reassembly, the inbox and the quarantine: used per received PDU and per inbox
  // listing (the sync at each bring-up stays in the boot code: firmware/messaging/sync.ts).
  { source: "firmware/messaging/receiver.ts", file: "sl.rcv", maxBytes: 32768 },
  // SMS sending: the outbox's record keeping, the sending loop with its retries, and the
  // PDU encoder (3GPP TS 23.040 SMS-SUBMIT, splitting, GSM 7-bit/UCS-2): used per send.
  // The messaging modules are plain functions over the hot state (firmware/messaging/state.ts).
  { source: "firmware/messaging/sender.ts", file: "sl.out", maxBytes: 32768 },
  // The SMS priority setting (*103*1#, *#103#; *103*0# refused) and the USSD runner under
  // it: used per service code, per +CUSD, and while a dialled code waits for its release.
  { source: "firmware/messaging/priority.ts", file: "sl.prio", maxBytes: 16384 },
  // SIM PIN/PUK entry and the tries-left readers: used only when the SIM asks.
  { source: "firmware/modem/pin.ts", file: "sl.pin", maxBytes: 8192 },
  // One Number activation's steps (the machine, the stored record, the identity reads): at bring-up and when activation changes.
  { source: "firmware/activation/steps.ts", file: "sl.act", maxBytes: 12288 },
  // Deleting a profile from the eUICC (SGP.22 ES10c): only when P's One Number app asks.
  { source: "firmware/activation/profiles.ts", file: "sl.prof", maxBytes: 8192 },
  // Answering the network's +CPOSR with the fix (23.032 shapes): during an emergency call, after its dial.
  { source: "firmware/position-answer.ts", file: "sl.pos", maxBytes: 8192 },
  // Storage's fault report, probe writes and recovery: only when storage stops working or works again.
  { source: "firmware/storage-fault.ts", file: "sl.stf", maxBytes: 4096 },
  // The RAK8212's PDU decoding and inbox (firmware/rak/pdu.ts): per received part and per
  // inbox listing; only the RAK firmware (firmware/rak/boot.ts) imports it.
  { source: "firmware/rak/pdu.ts", file: "rak.pdu", maxBytes: 20480 },
  // The data session (R83) and the companion link (issue 12) with its MQTT adapter: loaded
  // once at boot when the device settings name an APN or a broker, never otherwise. What it
  // builds stays in RAM while it runs; a watch without them pays only the stub.
  { source: "firmware/compose-module.ts", file: "sl.link", maxBytes: 49152 },
];

const COLD_LOADER = "sharedline:cold-loader";
const EXPORTS_PLACEHOLDER = "SHAREDLINE_COLD_EXPORTS";

/**
 * The one function every stub calls. `require` here is the interpreter's (the build's
 * define), which loads a Storage file as a module; the file is dropped from the module
 * cache after the call, whatever the call did. A module that did not load (the heap ran
 * out while it was parsed: `require` then gives nothing) is an error that names it, not
 * "Can't read property 'apply' of undefined". A file missing from Storage is said as
 * that, with the fix: Espruino's `require` throws `Module "<file>" not found` for it, but
 * also passes on what the module's own code throws, so Storage is asked which it was.
 */
export const COLD_LOADER_SOURCE = [
  "export function coldCall(file, name, args) {",
  "  var m;",
  "  try {",
  "    m = require(file);",
  "  } catch (e) {",
  "    if (require('Storage').read(file) === undefined) throw new Error('cold part ' + file + ' is missing from Storage: flash again (npm run flash)');",
  "    throw e;",
  "  }",
  "  try {",
  "    if (!m || typeof m[name] !== 'function') throw new Error('cold part ' + file + ' did not load (missing from Storage, or no heap left): ' + name);",
  "    return m[name].apply(undefined, args);",
  "  } finally {",
  "    Modules.removeCached(file);",
  "  }",
  "}",
  "",
].join("\n");

/**
 * The plain functions `source` exports (loaded on Node). Only they get stubs: a value or
 * a class imported by the boot code from a cold module is then a build error ("No
 * matching export"), since a stub can stand in for a call, not for `new`, `instanceof`
 * or a constant.
 */
async function coldExports(m: ColdModule): Promise<string[]> {
  const mod = (await import(pathToFileURL(path.join(repoRoot, m.source)).href)) as { [name: string]: unknown };
  return Object.keys(mod).filter((name) => {
    const v = mod[name];
    return typeof v === "function" && !/^class\b/.test(Function.prototype.toString.call(v));
  });
}

/**
 * Replaces each cold module by its stubs in the boot code and records which were used,
 * with their exports.
 */
function coldPlugin(used: Map<ColdModule, string[]>): esbuild.Plugin {
  return {
    name: "sharedline-cold-modules",
    setup(build) {
      build.onResolve({ filter: /^sharedline:cold-loader$/ }, () => ({ path: COLD_LOADER, namespace: "sharedline-cold" }));
      build.onLoad({ filter: /.*/, namespace: "sharedline-cold" }, () => ({ contents: COLD_LOADER_SOURCE, loader: "js" }));
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const rel = path.relative(repoRoot, args.path).split(path.sep).join("/");
        const m = COLD_MODULES.find((c) => c.source === rel);
        if (!m) return undefined;
        const names = await coldExports(m);
        used.set(m, names);
        const stubs = names.map((n) => `export function ${n}() { return coldCall(${JSON.stringify(m.file)}, ${JSON.stringify(n)}, arguments); }`);
        return { contents: [`import { coldCall } from "${COLD_LOADER}";`].concat(stubs).join("\n") + "\n", loader: "js" };
      });
    },
  };
}

/** Bundles one cold module as a Storage module: its functions on `exports`. */
async function bundleCold(
  m: ColdModule,
  names: string[],
  board: Board,
  outdir: string,
  minify: boolean,
  define: Record<string, string>,
  plugins: esbuild.Plugin[],
  mangled: { [name: string]: string } | undefined,
): Promise<StorageModule> {
  const outfile = path.join(outdir, `${board.name}.${m.file}${minify ? ".min.js" : ".js"}`);
  // A free `exports` would make esbuild wrap the entry as CommonJS with an exports object
  // of its own; a placeholder global is left alone and becomes the module's `exports` after.
  const contents =
    `import * as M from ${JSON.stringify("./" + m.source)};\n` +
    `declare const ${EXPORTS_PLACEHOLDER}: { [name: string]: unknown };\n` +
    names.map((n) => `${EXPORTS_PLACEHOLDER}.${n} = M.${n};`).join("\n") +
    "\n";
  const r = await bundleForEspruino({ contents, resolveDir: repoRoot, sourcefile: m.file + ".ts" }, outfile, {
    minify,
    label: `${board.name} cold module ${m.file} (${m.source})`,
    define,
    plugins,
    maxBytes: minify ? m.maxBytes : undefined,
    mangleProps: mangled,
  });
  const text = r.text.split(EXPORTS_PLACEHOLDER).join("exports");
  writeFileSync(outfile, text);
  const stored = minify ? storedForm(outfile, text) : undefined;
  const bytes = stored ? stored.bytes.length : Buffer.byteLength(text, "utf8");
  if (minify && bytes > m.maxBytes) throw new BundleError(`cold module ${m.file} of ${board.name} is too big`, [`${bytes} bytes in Storage is over its budget of ${m.maxBytes} (COLD_MODULES)`]);
  return { file: m.file, source: m.source, outfile, text, bytes, maxBytes: m.maxBytes, exports: names, stored };
}

/**
 * Bundles one board's entry (failing over budgets.bundleBytes unless `enforceBudget` is
 * false). The board's profile is validated here with the firmware's own loadBoards and
 * compiled in as `SHAREDLINE_PROFILE` (without its description), so the device neither
 * carries nor runs the validator. The result runs at the device's top level
 * (tools/bundle-global.ts) and holds only the board's modem profile.
 */
export async function bundleBoard(board: Board, outdir: string, minify: boolean, enforceBudget = true, extraPlugins: esbuild.Plugin[] = []): Promise<BundleResult> {
  const entry = path.resolve(repoRoot, board.entry ?? defaultEntry);
  const outfile = path.join(outdir, board.name + (minify ? ".min.js" : ".js"));
  const raw: { [key: string]: unknown } = Object.assign({}, board) as unknown as { [key: string]: unknown };
  delete raw.name;
  const { loadBoards } = await import("../firmware/board.js");
  let profile: { [key: string]: unknown };
  try {
    profile = Object.assign({}, loadBoards({ boards: { [board.name]: raw } })[board.name]) as unknown as { [key: string]: unknown };
  } catch (err) {
    throw new BundleError(`board ${board.name} is invalid`, [(err as Error).message]);
  }
  profile.description = "";
  // Which module is the entry is the build's business, not the device's.
  delete profile.entry;
  const define = { SHAREDLINE_PROFILE: JSON.stringify(profile) };
  const used = new Map<ColdModule, string[]>();
  // One mapping for the boot code and every cold module: an object made in one and used
  // in the other keeps its property names.
  const mangled = minify ? await boardMangleCache() : undefined;
  const r = await bundleForEspruino(entry, outfile, {
    minify,
    label: `${board.name} (${path.relative(repoRoot, entry)})`,
    define,
    plugins: [coldPlugin(used), oneProfilePlugin(String(raw.modem))].concat(extraPlugins),
    write: false,
    mangleProps: mangled,
  });
  const modules: StorageModule[] = [];
  for (const m of COLD_MODULES) {
    const names = used.get(m);
    // A module that was imported but none of whose stubs survived tree-shaking (its name
    // is then nowhere in the boot code) is never loaded: it takes no Storage.
    if (names && r.text.indexOf(JSON.stringify(m.file)) >= 0) modules.push(await bundleCold(m, names, board, outdir, minify, define, [oneProfilePlugin(String(raw.modem))], mangled));
  }
  let text: string;
  try {
    text = paramsToLocals(toTopLevel(r.text));
  } catch (err) {
    throw new BundleError(`cannot move the bundle of ${board.name} to the top level`, [(err as Error).message]);
  }
  mkdirSync(path.dirname(outfile), { recursive: true });
  const stored = minify ? storedForm(outfile, text) : undefined;
  const bytes = stored ? stored.bytes.length : Buffer.byteLength(text, "utf8");
  const all = modules.reduce((n, m) => n + m.bytes, bytes);
  // In Storage every file also has its header, and the settings file is beside them.
  const storageBytes = modules.reduce((n, m) => n + storageCost(m.bytes), storageCost(bytes) + storageCost(SETTINGS_STORED_BYTES));
  const budget = board.budgets.bundleBytes;
  if (enforceBudget && budget !== undefined && storageBytes > budget) {
    throw new BundleError(`bundle of ${board.name} is not loadable on Espruino`, [
      `${storageBytes} bytes in Storage (boot code ${bytes}` +
        modules.map((m) => ` + ${m.file} ${m.bytes}`).join("") +
        ` = ${all}, + the ${SETTINGS_STORED_BYTES}-byte settings file, + 32-byte headers) is over the budget of ${budget} bytes (boards.json budgets.bundleBytes)` +
        (minify ? "" : "; try without --no-minify"),
    ]);
  }
  writeFileSync(outfile, text);
  // The mapping beside the bundle, for reading a minified device (`--eval`, a dump).
  if (mangled) writeFileSync(path.join(path.dirname(outfile), board.name + ".props.json"), JSON.stringify(mangled, null, 1) + "\n");
  return { outfile, text, bytes, inputs: r.inputs, inputBytes: r.inputBytes, modules, mangled, stored, storageBytes };
}

/**
 * The Storage form of a minified board file: pretokenised (tools/pretokenise.ts), written
 * beside the text as `<name>.tok` (bytes 0x80-0xFF: one byte per char, latin1).
 */
function storedForm(outfile: string, text: string): { file: string; bytes: string } {
  const file = outfile.replace(/\.js$/, "") + ".tok";
  const bytes = pretokenise(text);
  writeFileSync(file, bytes, "latin1");
  return { file, bytes };
}

let cacheOnce: Promise<{ [name: string]: string }> | undefined;

/**
 * The property names every board bundle shortens, and to what (tools/mangle-props.ts):
 * derived from the portable program, so the same on every build of the same source.
 * The functions the cold modules export are never shortened (the stubs name them as
 * strings). Fails when the analysis meets an enumeration or serialisation it cannot follow.
 */
export function boardMangleCache(): Promise<{ [name: string]: string }> {
  cacheOnce =
    cacheOnce ||
    Promise.all(COLD_MODULES.map(coldExports)).then((exported) => {
      const a = analyseProps({ extraReserved: ([] as string[]).concat(...exported) });
      if (a.opaque.length) throw new BundleError("cannot shorten property names", a.opaque);
      return mangleCache(a);
    });
  return cacheOnce;
}

const USAGE = [
  "usage: sharedline bundle [--board <name>] [--no-minify] [--outdir <dir>]",
  "",
  "  --board <name>  only this Espruino board of boards.json (default: each of them)",
  "  --no-minify     a readable bundle; bundles are minified by default (every Espruino",
  "                  board's heap and flash budget needs it; --minify changes nothing)",
  "  --outdir <dir>  where the bundles go (default dist/)",
  "  -h, --help      this text",
].join("\n");

/** `sharedline bundle`: 0 when every board's bundle was written, 1 on a failure, 2 on bad usage. */
export async function run(args: string[]): Promise<number> {
  const o = readOptions(
    "bundle",
    args,
    {
      board: { type: "string" },
      minify: { type: "boolean" },
      "no-minify": { type: "boolean" },
      outdir: { type: "string" },
      help: { type: "boolean", short: "h" },
    } as const,
    USAGE,
  );
  if (typeof o === "number") return o;
  const only = o.board;
  const minify = !o["no-minify"];
  const outdir = o.outdir !== undefined ? path.resolve(o.outdir) : path.join(repoRoot, "dist");
  const all = espruinoBoards();
  const boards = all.filter((b) => only === undefined || b.name === only);
  if (only !== undefined && boards.length === 0) return usageError("bundle", `no Espruino board named '${only}' in boards.json (have: ${all.map((b) => b.name).join(", ")})`);
  if (boards.length === 0) {
    console.error("sharedline bundle: no Espruino board in boards.json");
    return 1;
  }
  let failed = 0;
  for (const board of boards) {
    try {
      const r = await bundleBoard(board, outdir, minify);
      const budget = board.budgets.bundleBytes;
      const build = board.espruino ? ` for Espruino ${board.espruino.build} (${board.espruino.variables ? board.espruino.variables + "-block heap" : "heap grows"})` : "";
      const mods = r.modules ?? [];
      const total = mods.reduce((n, m) => n + m.bytes, r.bytes);
      console.log(
        `${board.name}: ${path.relative(process.cwd(), r.stored ? r.stored.file : r.outfile)} ${r.bytes} bytes` +
          mods.map((m) => ` + ${m.file} ${m.bytes}`).join("") +
          (mods.length ? ` = ${total}` : "") +
          (budget ? ` of ${budget} (${((100 * total) / budget).toFixed(1)}%)` : "") +
          build +
          (r.stored ? `; pretokenised for Storage (text: ${[r.text].concat(mods.map((m) => m.text)).reduce((n, t) => n + t.length, 0)} bytes)` : "") +
          (r.storageBytes !== undefined ? `; ${r.storageBytes} bytes in Storage with the settings file and the file headers` : ""),
      );
    } catch (err) {
      failed++;
      console.error(err instanceof BundleError ? err.message : String(err));
    }
  }
  return failed ? 1 : 0;
}
