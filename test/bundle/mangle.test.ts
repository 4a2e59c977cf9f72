/**
 * Shortened property names in the Espruino bundles (tools/mangle-props.ts, tools/bundle.ts):
 * the analysis keeps every kind of name that crosses the bundle's boundary, the watch
 * bundle shortens private names and keeps the public API's, one mapping serves the boot
 * code and its cold modules, and Storage gets the pretokenised form. Runs on Node.
 */
import test from "ava";
import { transformSync } from "esbuild";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { boardMangleCache, bundleBoard, bundleForEspruino, espruinoBoards, repoRoot, type BundleResult } from "../../tools/bundle.js";
import { analyseProps, mangleCache, type MangleAnalysis } from "../../tools/mangle-props.js";
import { pretokenise } from "../../tools/pretokenise.js";
import { CONSOLE_WORDS } from "../../firmware/watch.js";
import { readSettings } from "../../hal/espruino/settings.js";
import { MemoryStorage } from "../../hal/memory/storage.js";
import { messagingRig } from "../messaging/rig.js";
import { apiState } from "../../firmware/companion/attach.js";

const fixture = path.join(repoRoot, "test/bundle/fixtures/mangle");
const dir = mkdtempSync(path.join(tmpdir(), "bundle-mangle-"));
const watch = espruinoBoards().find((b) => b.name === "watch-bangle2-bg95")!;

let real: MangleAnalysis | undefined;
const analysis = () => (real = real || analyseProps());
let built: Promise<BundleResult> | undefined;
const bundleOnce = () => (built = built || bundleBoard(watch, path.join(dir, "min"), true));

const fixtureOpts = {
  tsconfig: path.join(fixture, "tsconfig.json"),
  jsonFiles: [path.join(fixture, "profile.json")],
  reviewedSinks: {},
  followedSinks: { "test/bundle/fixtures/mangle/program.ts Store.put JSON.stringify": "value" },
  apiRoots: ["program.ts Api"],
};

test("the analysis shortens the names nothing outside the bundle spells, and fails on what it cannot follow", (t) => {
  const a = analyseProps(fixtureOpts);
  t.deepEqual(a.safe, [
    "exposedPrivate",
    "internal",
    "internalMethod",
    "listeners",
    "optionField",
    "put",
    "read",
    "run",
    "sharedWithInterface",
    "sharedWithPublic",
    "shortenMe",
    "shortenMethod",
    "shortenParam",
    "shortenProtected",
    "toString2",
  ]);
  const why = (n: string) => a.excluded[n] || "(shortened)";
  t.regex(why("inStringLiteral"), /string literal/);
  t.regex(why("fromJson"), /profile\.json/, "a key of the JSON the bundle is given");
  t.regex(why("enumerated"), /Object\.keys/);
  t.regex(why("serialisedDeep"), /JSON\.stringify/, "inside an object two levels down");
  t.regex(why("computedKey"), /computed access/);
  t.regex(why("viaAny"), /no declaration/, "read through `any`");
  t.regex(why("passedOn"), /JSON\.stringify \(through .*program\.ts:\d+\)/, "followed from a parameter to its caller");
  t.regex(why("writtenLater"), /given as unknown|JSON\.stringify \(through/, "what a function given as a value to serialise returns");
  // The API's surface, by type: methods, parameters, results inside a Promise, event payloads, an exposed class.
  for (const n of ["apiMethod", "argField", "ok", "replyField", "nested", "deepReplyField", "on", "eventName", "payloadField", "exposed", "exposedMethod", "sharedWithApi"])
    t.regex(why(n), /reachable from the API \(Api\)/, n);
  t.regex(why("globalField"), /reachable from a global/, "a value assigned to a property of globalThis");
  // Untyped data given a type, and what the engine hands over.
  t.regex(why("castField"), /a cast from any/);
  t.regex(why("parsedField"), /an untyped value given the type ParsedRecord/);
  t.regex(why("guardedField"), /a type guard/);
  t.regex(why("engineField"), /declared as given by the engine/);
  t.regex(why("literalKey"), /a key of an object literal given as \{ \[k: string\]: unknown; \}/);
  t.regex(why("letGoField"), /a value of type LetGoRecord given as unknown/);
  t.deepEqual(
    a.opaque.map((o) => /\("([^"]+)"\)/.exec(o)![1]),
    ["test/bundle/fixtures/mangle/program.ts Listed.keys Object.keys", "test/bundle/fixtures/mangle/program.ts writeHidden JSON.stringify"],
    "a sink whose argument cannot be followed is reported, not guessed",
  );
});

/**
 * Every string in the portable code as it runs, found without the TypeScript compiler
 * the analysis uses: each file through esbuild (which drops comments and types), then
 * every quoted or template string of its output.
 */
function portableStrings(): Set<string> {
  const out = new Set<string>();
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = path.join(d, f);
      if (statSync(p).isDirectory()) {
        if (f !== "node") walk(p);
      } else if (/\.ts$/.test(f) && !/\.node\.ts$/.test(f)) {
        const text = transformSync(readFileSync(p, "utf8"), { loader: "ts", minifyWhitespace: true, legalComments: "none" }).code;
        for (const m of text.matchAll(/"((?:\\.|[^"\\\n])*)"|'((?:\\.|[^'\\\n])*)'|`((?:\\.|[^`\\])*)`/g)) out.add(m[1] ?? m[2] ?? m[3]);
      }
    }
  };
  for (const d of ["firmware", "drivers", "hal"]) walk(path.join(repoRoot, d));
  const keys = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(keys);
    else if (v && typeof v === "object")
      for (const k of Object.keys(v)) {
        out.add(k);
        keys((v as { [k: string]: unknown })[k]);
      }
  };
  keys(JSON.parse(readFileSync(path.join(repoRoot, "boards.json"), "utf8")));
  return out;
}

test("no shortened name of the firmware is a string literal, a JSON key of boards.json or a name Espruino reads, and nothing is left unfollowed", (t) => {
  const a = analysis();
  t.deepEqual(a.opaque, [], "every enumeration or serialisation is followed or reviewed (REVIEWED_SINKS)");
  t.true(a.safe.length > 200, `${a.safe.length} names shortened`);
  const strings = portableStrings();
  t.deepEqual(
    a.safe.filter((n) => strings.has(n)),
    [],
    "a name spelt as a string can be a JSON key or a computed access",
  );
  for (const n of ["toString", "constructor", "then", "name", "message", "length"]) t.false(a.safe.indexOf(n) >= 0, n);
});

test("the mapping is the same on every analysis, short names are unique and never a property name the program spells", (t) => {
  const a = analysis();
  const first = mangleCache(a);
  t.deepEqual(mangleCache(analyseProps()), first, "deterministic");
  const shorts = Object.keys(first).map((k) => first[k]);
  t.is(new Set(shorts).size, shorts.length, "one short name per name");
  for (const s of shorts) t.false(a.taken.has(s) && !(s in first), `${s} is no property the program uses`);
  t.true(shorts.every((s) => s.length <= 2), "one or two characters");
});

test.serial("the watch bundle shortens internal names and keeps the firmware API, the console words, event names and reply fields", async (t) => {
  const r = await bundleOnce();
  const plain = await bundleBoard(watch, path.join(dir, "plain"), false, false);
  const plainAll = [plain.text].concat((plain.modules ?? []).map((m) => m.text)).join("\n");
  const all = [r.text].concat((r.modules ?? []).map((m) => m.text)).join("\n");
  // Public: the API of docs/api.md, the console words of firmware/watch.ts, events, reply fields.
  for (const n of ["answer", "reject", "dial", "hangup", "inbox", "outbox", "priority", "serviceCode", "snapshot", "waitReady"]) {
    t.true(new RegExp("\\b" + n + "\\(").test(r.text), `API method ${n} keeps its name`);
    t.false(n in r.mangled!, n);
  }
  t.true(r.text.indexOf(".events=") >= 0 && !("events" in r.mangled!), "the API's events");
  for (const w of CONSOLE_WORDS) t.true(r.text.indexOf(`"${w}"`) >= 0 || r.text.indexOf(`.${w}`) >= 0, `console word ${w}`);
  for (const e of ['"incoming"', '"smsReceived"', '"callEnded"', "ok:", ".callId", ".number", ".status"]) t.true(all.indexOf(e) >= 0, `${e} kept`);
  t.true(/\.sharedline=/.test(r.text), "the global");
  // Every field of the interfaces app code reads off replies and events (firmware/api/types.ts).
  for (const [file, iface] of [
    ["firmware/api/types.ts", "CallInfo"],
    ["firmware/api/types.ts", "StatusInfo"],
    ["firmware/messaging/inbox.ts", "InboxMessage"],
    ["firmware/messaging/outbox.ts", "OutMessage"],
    ["firmware/messaging/priority.ts", "PriorityState"],
    ["firmware/line/log.ts", "CallLogEntry"],
  ]) {
    const body = new RegExp("export interface " + iface + "[^{]*\\{([\\s\\S]*?)\\n\\}").exec(readFileSync(path.join(repoRoot, file), "utf8"))!;
    const fields = [...body[1].matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
    t.true(fields.length >= 2, `${iface}: ${fields.join(" ")}`);
    for (const f of fields) t.false(f in r.mangled!, `${iface}.${f} keeps its name`);
  }
  t.deepEqual(JSON.parse(readFileSync(path.join(dir, "min", watch.name + ".props.json"), "utf8")), r.mangled, "the mapping is written beside the bundle");
  // Internal: in the readable bundle, not in the minified one. Private members; public
  // methods of AtChannel, ModemManager and Line, which app code never gets by the API's
  // types; fields of option objects and records between modules.
  for (const n of [
    "announceTimer",
    "emergencyDial",
    "simStateSeen",
    "lostBeforeProbe",
    "keepEmergency",
    "waiters",
    "draining",
    "onUrc",
    "abortAll",
    "whenReady",
    "placeCall",
    "holdOrSwap",
    "reconcile",
    "interCommandDelayMs",
    "maxInbox",
    "timeoutMs",
    "prefixes",
  ]) {
    t.true(plainAll.indexOf("." + n) >= 0, `${n} is in the readable bundle`);
    t.false(new RegExp("\\." + n + "\\b").test(all), `${n} is shortened in the minified one`);
    t.is(typeof r.mangled![n], "string", n);
  }
});

/** Every key of a JSON-like value, deeply. */
function keysOf(v: unknown, into: Set<string>): void {
  if (Array.isArray(v)) for (const x of v) keysOf(x, into);
  else if (v && typeof v === "object")
    for (const k of Object.keys(v)) {
      into.add(k);
      keysOf((v as { [k: string]: unknown })[k], into);
    }
}

test.serial("no name the firmware API hands app code, no key of a Storage record or the settings and no key of an MQTT body is shortened (the firmware run on Node)", async (t) => {
  const cache = await boardMangleCache();
  const shortened = (names: Iterable<string>) => [...names].filter((n) => n in cache && cache[n] !== n).sort();
  // The API's methods, as docs/api.md's table calls them.
  const doc = readFileSync(path.join(repoRoot, "docs/api.md"), "utf8");
  const methods = new Set<string>();
  for (const row of doc.split("\n").filter((l) => /^\| /.test(l))) {
    const col = row.split(" | ")[1] || "";
    for (const m of col.matchAll(/`([A-Za-z]\w*)\(/g)) methods.add(m[1]);
  }
  t.true(methods.size > 25, `${methods.size} API methods in docs/api.md`);
  t.deepEqual(shortened(methods), [], "API methods");
  // Replies and events of a call, an SMS each way, priority and status, as app code gets them.
  const storage = new MemoryStorage();
  const r = await messagingRig({ storage });
  const api = r.dev.fw.api;
  // The companion link's state body (MQTT, read by the server), built from the API as it goes.
  const state = apiState(api, { deviceId: "d1", model: "m", fw: "1" }, () => false);
  const apiNames = new Set<string>();
  api.onAny((name, data) => {
    apiNames.add(name);
    keysOf(data, apiNames);
  });
  const got = async (p: Promise<unknown>, ms?: number) => keysOf(await r.act(p as Promise<unknown>, ms), apiNames);
  r.network.ringIn("+819077778888");
  await got(api.waitIncoming(5000));
  await got(api.answer());
  await got(api.calls());
  r.network.remoteHangup(undefined, 16);
  await r.run(2000);
  await got(api.log());
  r.network.deliverSms({ from: "+819077778888", text: "hello" });
  await r.run(5000);
  await got(api.inbox());
  await got(api.sendSms("+819077778888", "hi", { statusReport: true }), 5000);
  await got(api.outbox());
  await got(api.status());
  await got(api.priority());
  keysOf(api.snapshot(), apiNames);
  const body = new Set<string>();
  keysOf(state.snapshot(), body);
  t.true(body.size >= 5, `state body: ${[...body].join(" ")}`);
  t.deepEqual(shortened(body), [], "keys of the MQTT state body");
  t.true(apiNames.size > 60, `${apiNames.size} names in replies and events`);
  t.deepEqual(shortened(apiNames), [], "names in the API's replies and events");
  // Every JSON record the firmware left in Storage, and the watch's settings file.
  const stored = new Set<string>();
  const keys = await storage.list("");
  t.true(keys.length >= 3, `records: ${keys.join(", ")}`);
  for (const k of keys) {
    const text = (await storage.read(k))!;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      continue;
    }
    keysOf(v, stored);
  }
  keysOf(readSettings(() => JSON.stringify({ path: "/dev/ttyUSB0", quiet: true, words: false }), () => undefined), stored);
  t.true(stored.size > 15, `${stored.size} keys in Storage records and settings`);
  t.deepEqual(shortened(stored), [], "keys written to or read from Storage");
  r.dev.messaging.stop();
  r.dev.fw.stop();
});

test("one mapping for two bundles: an object made in one keeps its names in the other", async (t) => {
  const cache = { secretCounter: "q", otherThing: "Z" };
  const entry = (body: string) => ({ contents: "class K { private secretCounter = 1; private otherThing = 2; get() { return this.secretCounter + this.otherThing; } }\n" + body, resolveDir: repoRoot, sourcefile: "x.ts" });
  const a = await bundleForEspruino(entry("(globalThis as any).k = new K().get();"), path.join(dir, "a.js"), { minify: true, write: false, mangleProps: cache });
  const b = await bundleForEspruino(entry("(globalThis as any).j = new K();"), path.join(dir, "b.js"), { minify: true, write: false, mangleProps: cache });
  for (const r of [a, b]) {
    t.regex(r.text, /this\.q=1/);
    t.regex(r.text, /this\.Z=2/);
    t.notRegex(r.text, /secretCounter|otherThing/);
  }
  const readable = await bundleForEspruino(entry("(globalThis as any).k = new K().get();"), path.join(dir, "c.js"), { minify: false, write: false, mangleProps: cache });
  t.regex(readable.text, /secretCounter/, "only minified bundles are shortened");
});

test.serial("Storage gets the pretokenised boot code and modules, and the board's budget counts those bytes", async (t) => {
  const r = await bundleOnce();
  t.truthy(r.stored);
  t.is(r.stored!.bytes, pretokenise(r.text));
  t.is(readFileSync(r.stored!.file, "latin1"), r.stored!.bytes, "the .tok file holds the bytes");
  t.is(r.bytes, r.stored!.bytes.length);
  let total = r.bytes;
  for (const m of r.modules!) {
    t.is(m.stored!.bytes, pretokenise(m.text), m.file);
    t.is(m.bytes, m.stored!.bytes.length);
    total += m.bytes;
  }
  t.true(total <= 196608, `boot code and cold modules ${total} bytes in Storage within the watch's 196,608`);
  t.is(watch.budgets.bundleBytes, 196608, "the budget the issue set");
});
