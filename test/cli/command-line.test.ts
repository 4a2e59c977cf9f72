/**
 * The command line as a new user meets it (issue 10 §3): --version, one-line errors with a
 * pointer to --help, boards.json mistakes named by file and place, unknown board fields
 * reported, plain output off a terminal, --record on start, --pin.
 */
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readBoardsFile, lineColumn } from "../../cli/boards-file.js";
import { colourWanted } from "../../cli/output.js";
import { parseTranscript } from "../../hal/node/transcript.js";
import { PROCESS_WAIT_MS, ROOT, startCli } from "../support/cli-process.js";

function tmpDir(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sharedline-cli-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("sharedline --version prints the package version", async (t) => {
  const p = startCli(t, ["--version"]);
  t.is(await p.exit, 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
  t.is(p.out.text, `sharedline ${pkg.version}\n`);
});

test("an unknown command or option is one line plus a pointer to --help, not the usage text", async (t) => {
  const a = startCli(t, ["frobnicate"]);
  t.is(await a.exit, 2);
  t.regex(a.err.text, /^sharedline: unknown command 'frobnicate' \(commands: start, run, probe, sim, .*\)\nTry 'sharedline --help' for the options\.\n$/);
  const b = startCli(t, ["run", "--bogus"]);
  t.is(await b.exit, 2);
  t.is(b.err.text, "sharedline run: unknown option '--bogus'\nTry 'sharedline run --help' for the options.\n");
  const c = startCli(t, ["run"]);
  t.is(await c.exit, 2);
  t.is(c.err.text, "sharedline run: --port <path|tcp://host:port> is required\nTry 'sharedline run --help' for the options.\n");
  const d = startCli(t, ["start", "--pin", "12a4"]);
  t.is(await d.exit, 2);
  t.is(d.err.text, "sharedline start: --pin needs the SIM PIN: 4 to 8 digits\nTry 'sharedline start --help' for the options.\n");
});

test("a boards.json syntax error names the file, line and column", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "boards.json");
  fs.writeFileSync(file, '{\n  "boards": {\n    "x": { "runtime": "node", }\n  }\n}\n');
  const e = t.throws(() => readBoardsFile(file));
  t.regex(e.message, /^\/.*\/boards\.json:3:31: not valid JSON: Expected double-quoted property name/);
  fs.writeFileSync(file, '{\n  "boards": {\n');
  t.regex(t.throws(() => readBoardsFile(file)).message, /boards\.json:3:1: not valid JSON: /);
  t.deepEqual(lineColumn("ab\ncd", 4), { line: 2, column: 2 });
});

test("unknown board fields are reported as warnings with their path; validation problems name the file", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "boards.json");
  const json = JSON.parse(fs.readFileSync(path.join(ROOT, "boards.json"), "utf8")) as { boards: { [k: string]: { [k: string]: unknown } } };
  const b = json.boards["sim-generic"];
  b.colour = "red";
  (b.capabilities as { [k: string]: unknown }).callwaiting = true;
  (json as { [k: string]: unknown }).$note = "comments are fine";
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  const r = readBoardsFile(file);
  t.truthy(r.boards["sim-generic"]);
  t.is(r.warnings.length, 2, r.warnings.join("\n"));
  t.true(r.warnings[0].endsWith("boards.sim-generic.colour: unknown field, ignored (known: description, runtime, modem, serial, pins, capabilities, budgets, entry, data, espruino)"), r.warnings[0]);
  t.regex(r.warnings[1], /boards\.sim-generic\.capabilities\.callwaiting: unknown field/);
  b.runtime = "python";
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  t.regex(t.throws(() => readBoardsFile(file)).message, /boards\.json: .*boards\.sim-generic\.runtime: must be "espruino" or "node"/s);
});

test("colour only for a person at a terminal: never in pipes, CI, NO_COLOR or a dumb terminal", (t) => {
  t.true(colourWanted({ isTTY: true }, {}));
  t.false(colourWanted({ isTTY: false }, {}));
  t.false(colourWanted({ isTTY: true }, { CI: "true" }));
  t.false(colourWanted({ isTTY: true }, { NO_COLOR: "1" }));
  t.false(colourWanted({ isTTY: true }, { TERM: "dumb" }));
  t.true(colourWanted({ isTTY: false }, { FORCE_COLOR: "1" }));
});

test("sharedline start --record writes both directions of the AT line; output off a terminal is plain", async (t) => {
  t.timeout(120000);
  const dir = tmpDir(t);
  const file = path.join(dir, "start.at.txt");
  const p = startCli(t, ["start", "--record", file, "--data", path.join(dir, "data")], "pipe");
  await p.out.waitFor("registered", PROCESS_WAIT_MS);
  p.child.stdin!.end("status\n");
  t.is(await p.exit, 0, p.err.text);
  t.false(p.out.text.includes("\x1b["), "no escape sequences in a pipe");
  t.false(p.out.text.includes("type help"), "no hint for a person when nobody types");
  const entries = parseTranscript(fs.readFileSync(file, "latin1"));
  t.true(entries.some((e) => e.dir === "C" && e.bytes === "AT\r"));
  t.true(entries.some((e) => e.dir === "M" && e.bytes.includes("OK")));
  t.true(entries.some((e) => e.dir === "C" && e.bytes === "AT+CPIN?\r"));
});

test("every command says a command-line mistake the same way: one line, the pointer to --help, exit 2", async (t) => {
  const cases: [string[], string][] = [
    [["start", "--web", "abc"], "sharedline start: --web needs a port number 0..65535"],
    [["start", "--web", "99999"], "sharedline start: --web needs a port number 0..65535"],
    [["start", "--broker-port", "99999"], "sharedline start: --broker-port needs a port number 0..65535"],
    [["run", "--port", "/dev/null", "--board", "nosuch"], 'sharedline run: unknown board "nosuch"; boards.json has: '],
    [["start", "--port"], "sharedline start: --port needs a value"],
    [["probe", "--bogus"], "sharedline probe: unknown option '--bogus'"],
    [["sim", "--bogus"], "sharedline sim: unknown option '--bogus'"],
    [["scenario", "--bogus"], "sharedline scenario: unknown option '--bogus'"],
    [["pdu", "encode", "--bogus"], "sharedline pdu: unknown option '--bogus'"],
    [["ctl", "--bogus"], "sharedline ctl: unknown option '--bogus'"],
    [["bundle", "--bogus"], "sharedline bundle: unknown option '--bogus'"],
    [["bundle", "--board", "nosuch"], "sharedline bundle: no Espruino board named 'nosuch' in boards.json (have: "],
    [["flash", "--board", "nosuch", "--port", "tcp://127.0.0.1:1"], "sharedline flash: no Espruino board named 'nosuch' in boards.json (have: "],
    [["flash", "--board", "watch-bangle2-bg95"], "sharedline flash: --port <tcp://host:port | /dev/ttyX | BLE address> is required"],
    [["flash", "--board", "watch-bangle2-bg95", "--port", "tcp://127.0.0.1:1", "--baud", "fast"], "sharedline flash: --baud needs a speed in bit/s"],
    [["portable-check", "--bogus"], "sharedline portable-check: unknown option '--bogus'"],
  ];
  const runs = cases.map(([args]) => startCli(t, args));
  for (let i = 0; i < cases.length; i++) {
    const [args, first] = cases[i];
    const p = runs[i];
    t.is(await p.exit, 2, args.join(" ") + ": " + p.err.text);
    const lines = p.err.text.split("\n");
    t.is(lines.length, 3, args.join(" ") + ": one line and the pointer, not the usage: " + p.err.text);
    t.true(lines[0].startsWith(first), lines[0]);
    t.is(lines[1], `Try 'sharedline ${args[0]} --help' for the options.`);
    t.is(p.out.text, "", args.join(" ") + " does not start anything");
  }
});

/** The columns where option descriptions start, for option lines that have one beside the flag. */
function descriptionColumns(help: string): Set<number> {
  const cols = new Set<number>();
  for (const line of help.split("\n")) {
    const m = /^( {2}(?:-\w, )?--?[\w-]+(?: <[^>]+>)?) {2,}(?=\S)/.exec(line);
    if (m) cols.add(m[0].length);
  }
  return cols;
}

test("--help texts: each flag once, a <value> for each flag that takes one, one column, -h listed, no internal references", async (t) => {
  const names = ["start", "run", "flash", "pdu", "bundle", "portable-check", "ctl"];
  const runs = names.map((n) => startCli(t, [n, "--help"]));
  const help: { [name: string]: string } = {};
  for (let i = 0; i < names.length; i++) {
    t.is(await runs[i].exit, 0, names[i]);
    help[names[i]] = runs[i].out.text;
    t.deepEqual([...descriptionColumns(help[names[i]])].length, 1, names[i] + " --help is in one column:\n" + help[names[i]]);
    t.regex(help[names[i]], /^ {2}-h, --help {2,}this text$/m, names[i]);
    t.notRegex(help[names[i]], /issue \d/, names[i]);
  }
  const start = help.start;
  t.is(start.match(/^ {2}--apn\b/gm)!.length, 1, "--apn once, with one meaning");
  for (const flag of ["--port", "--board", "--device-id", "--password", "--msisdn", "--mqtt", "--web", "--broker-port"]) {
    t.regex(start, new RegExp("^ {2}" + flag + " <[^>]+> ", "m"), flag + " shows its value");
  }
  t.regex(help.flash, /^ {2}--baud <n> +the serial device's speed in bit\/s/m);
  for (const flag of ["--no-smsc", "--length <n>", "--ref16", "--validity <minutes>", "--class <0-3>", "--smsc <number>"]) {
    t.regex(help.pdu, new RegExp("^ {2}" + flag + " {2,}\\w", "m"), flag + " is explained");
  }
  t.regex(help.pdu, /at least this many minutes/);
});
