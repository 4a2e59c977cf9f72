/**
 * `npm run flash -- --board <name> --port <tcp://host:port | /dev/tty... | BLE address>`
 * (`sharedline flash`): puts the firmware on an Espruino device with the `espruino`
 * command-line tool (npm `espruino`, EspruinoTools):
 *
 * 1. bundles the board (minified, tools/bundle.ts);
 * 2. writes it to Storage as the boot code (`.bootcde`, what the device runs at power-on)
 *    and the device settings beside it (`sharedline.json`, hal/espruino/settings.ts);
 * 3. reads both files' CRC-32 back from the device and fails loudly on a mismatch: the
 *    tool says "Upload Complete" and exits 0 even when whole blocks were lost;
 * 4. unless `--no-run`, restarts the device's JavaScript (`load()`) so it boots the new code.
 *
 * Progress goes to stdout, one line per step plus a tick while the upload runs.
 * Measured on the Linux interpreter over telnet: see README ("The watch on Espruino").
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, BundleError, espruinoBoards, repoRoot } from "./bundle.js";
import { crc32 } from "./espruino-repl.js";
import { SETTINGS_FILE, settingsProblems, type DeviceSettings } from "../hal/espruino/settings.js";
import { LINK_FLAGS, LINK_USAGE, linkSettingsProblems } from "./link-settings.js";
import { readOptions, usageError } from "../cli/output.js";

/** The boot code's Storage name (Espruino runs it at power-on). */
export const BOOT_FILE = ".bootcde";

/** EspruinoTools never finishes an upload of a file under 512 bytes (espruino-facts.md). */
const MIN_UPLOAD = 512;

export interface FlashOptions {
  board: string;
  port: string;
  settings: DeviceSettings;
  /** Restart the device's JavaScript afterwards (default true). */
  run: boolean;
  /** Serial baud rate for /dev/tty ports. */
  baud?: number;
  /** Where progress goes (default stdout). */
  say?: (line: string) => void;
}

export interface FlashResult {
  bundleBytes: number;
  uploadMs: number;
  totalMs: number;
}

/** A BLE address (`aa:bb:cc:dd:ee:ff`), which the tool reaches over Bluetooth. */
function isBle(port: string): boolean {
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(port);
}

function cliPath(): string {
  return createRequire(import.meta.url).resolve("espruino/bin/espruino-cli.js");
}

/**
 * Runs the espruino tool; resolves with what it printed and its exit code (null when it
 * was stopped after `limitMs`: the tool can hang on a connection made right after the
 * previous one closed).
 */
function runCli(args: string[], say: (l: string) => void, tick: string | undefined, limitMs: number, until?: RegExp): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath()].concat(args), { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const started = Date.now();
    const limit = setTimeout(() => child.kill("SIGKILL"), limitMs);
    const timer = tick
      ? setInterval(() => say(`  ${tick}... ${Math.round((Date.now() - started) / 1000)} s`), 2000)
      : undefined;
    const take = (b: Buffer) => {
      out += b.toString("latin1");
      // The tool lingers after an expression until the device has been quiet for a
      // while (measured: up to 20 s on the Linux interpreter); the answer is all we need.
      if (until && until.test(out)) child.kill("SIGKILL");
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (e) => {
      if (timer) clearInterval(timer);
      clearTimeout(limit);
      reject(e);
    });
    child.on("close", (code) => {
      if (timer) clearInterval(timer);
      clearTimeout(limit);
      resolve({ out, code });
    });
  });
}

/** Lines the tool printed that say something went wrong. */
function cliErrors(out: string): string[] {
  return out
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /error|unable|not connect|disconnected|timed? ?out/i.test(l) && !/getURL\(|No list of built-in modules|ENOTFOUND www\.espruino\.com/.test(l));
}

function pad(json: string): string {
  return json.length >= MIN_UPLOAD ? json : json + " ".repeat(MIN_UPLOAD - json.length + 16);
}

/** Flashes one board; throws with the reason on any failure (nothing is trusted unverified). */
export async function flash(o: FlashOptions): Promise<FlashResult> {
  const say = o.say ?? ((l: string) => console.log(l));
  const t0 = Date.now();
  const board = espruinoBoards().find((b) => b.name === o.board);
  if (!board) throw new Error(`no Espruino board named '${o.board}' in boards.json (have: ${espruinoBoards().map((b) => b.name).join(", ")})`);
  // The flags' own words first; the file's check then catches what no flag says.
  const linkBad = linkSettingsProblems(board, o.settings);
  const bad = linkBad.length ? linkBad : settingsProblems(o.settings);
  if (bad.length) throw new Error(bad.join("; "));
  const tmp = mkdtempSync(path.join(tmpdir(), "sharedline-flash-"));
  try {
    const b = await bundleBoard(board, path.join(repoRoot, "dist"), true);
    say(`[1/4] bundled ${board.name}: ${b.bytes} bytes (${path.relative(process.cwd(), b.stored ? b.stored.file : b.outfile)})`);
    const settings = pad(JSON.stringify(o.settings));
    const settingsFile = path.join(tmp, SETTINGS_FILE);
    writeFileSync(settingsFile, settings);
    const connect = ["-p", o.port].concat(isBle(o.port) ? [] : ["--no-ble"]).concat(o.baud ? ["-b", String(o.baud)] : []);
    // Over TCP nothing is lost to a slow UART; on serial and BLE the tool throttles
    // Storage writes (its default), and the read-back below catches a loss either way.
    const method = o.port.indexOf("tcp://") === 0 ? ["--config", "STORAGE_UPLOAD_METHOD=1"] : [];
    // The boot code, its cold modules (Storage modules it requires on demand) and the settings.
    // Each file in its Storage form (pretokenised, tools/bundle.ts): the tool reads it as
    // binary, and the CRC read-back compares those bytes.
    const files = [{ name: BOOT_FILE, file: b.stored ? b.stored.file : b.outfile, text: b.stored ? b.stored.bytes : b.text }]
      .concat((b.modules ?? []).map((m) => ({ name: m.file, file: m.stored ? m.stored.file : m.outfile, text: m.stored ? m.stored.bytes : m.text })))
      .concat([{ name: SETTINGS_FILE, file: settingsFile, text: settings }]);
    say(`[2/4] writing ${files.map((f) => `${f.name} (${f.text.length} bytes)`).join(", ")} to ${o.port}; settings ${JSON.stringify(Object.assign({}, o.settings, o.settings.password !== undefined ? { password: "***" } : {}))}`);
    const t1 = Date.now();
    // Without a file or an expression the tool turns into a terminal and uploads nothing:
    // "-e 0" gives it something harmless to end with.
    const storageArgs: string[] = [];
    for (const f of files) storageArgs.push("--storage", `${f.name}:${f.file}`);
    const up = await runCli(connect.concat(method, storageArgs, ["-e", "0"]), say, "uploading", 300000);
    const uploadMs = Date.now() - t1;
    const upErrors = cliErrors(up.out);
    if (!/Upload Complete/.test(up.out) || upErrors.length) {
      throw new Error(`upload to ${o.port} failed (espruino exited ${up.code}):\n  ` + (upErrors.length ? upErrors.join("\n  ") : up.out.trim().split("\n").slice(-6).join("\n  ")));
    }
    say(`  upload done in ${(uploadMs / 1000).toFixed(1)} s`);
    const probe = `print("SHAREDLINE_CRC "+[${files.map((f) => `E.CRC32(require("Storage").read(${JSON.stringify(f.name)})||"")`).join(",")}].join(" "))`;
    const crcLine = new RegExp("SHAREDLINE_CRC" + " (\\d+)".repeat(files.length));
    let check = { out: "", code: null as number | null };
    let m: RegExpExecArray | null = null;
    for (let attempt = 0; attempt < 3 && !m; attempt++) {
      await new Promise((r) => setTimeout(r, 500));
      check = await runCli(connect.concat(["-e", probe]), say, undefined, 30000, crcLine);
      m = crcLine.exec(check.out);
    }
    if (!m) throw new Error(`could not read the files back from ${o.port}:\n  ` + check.out.trim().split("\n").slice(-6).join("\n  "));
    const got = m.slice(1).map(Number);
    const wrong = files.filter((f, i) => got[i] !== crc32(f.text));
    if (wrong.length) {
      throw new Error(
        "VERIFY FAILED: the device holds different bytes than were sent (" +
          wrong.map((f) => `${f.name} CRC-32 ${got[files.indexOf(f)]} vs ${crc32(f.text)}`).join(", ") +
          "); the upload lost data: flash again (on serial, try a lower baud rate)",
      );
    }
    say(`[3/4] verified: ${files.map((f) => `${f.name} CRC-32 ${crc32(f.text).toString(16)}`).join(", ")} read back from the device`);
    if (o.run) {
      await new Promise((r) => setTimeout(r, 500));
      await runCli(connect.concat(["-e", "load()"]), say, undefined, 5000);
      say("[4/4] restarted: the device runs the new boot code");
    } else say("[4/4] not restarted (--no-run): the new code runs at the next power-up");
    const totalMs = Date.now() - t0;
    say(`flashed ${board.name} in ${(totalMs / 1000).toFixed(1)} s`);
    return { bundleBytes: b.bytes, uploadMs, totalMs };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const USAGE = [
  "usage: sharedline flash --board <name> --port <tcp://host:port | /dev/ttyX | BLE address> [options]",
  "",
  "  --board <name>      the Espruino board profile from boards.json",
  "  --port <where>      the device: tcp://host:port (an Espruino on the network or the Linux",
  "                      interpreter), a serial device /dev/ttyX, or a BLE address",
  "  --baud <n>          the serial device's speed in bit/s (default 9600, the espruino tool's);",
  "                      not used over tcp:// or BLE",
  "  --modem-path <tty>  Linux interpreter only: bind the modem UART to this host tty (pty)",
  "  --quiet             no console line per event",
  "  --no-words          no console words (answer, ...)",
  "  --no-run            do not restart the device's JavaScript after flashing",
  "  -h, --help          this text",
].concat(LINK_USAGE).join("\n");

/** `sharedline flash`: 0 flashed and verified, 1 failed, 2 bad usage. */
export async function run(args: string[]): Promise<number> {
  const o = readOptions(
    "flash",
    args,
    {
      board: { type: "string" },
      port: { type: "string" },
      baud: { type: "string" },
      "modem-path": { type: "string" },
      quiet: { type: "boolean" },
      "no-words": { type: "boolean" },
      "no-run": { type: "boolean" },
      apn: { type: "string" },
      mqtt: { type: "string" },
      msisdn: { type: "string" },
      "device-id": { type: "string" },
      "mqtt-password": { type: "string" },
      help: { type: "boolean", short: "h" },
    } as const,
    USAGE,
  );
  if (typeof o === "number") return o;
  if (!o.board) return usageError("flash", "--board <name> is required");
  if (!o.port) return usageError("flash", "--port <tcp://host:port | /dev/ttyX | BLE address> is required");
  const names = espruinoBoards().map((b) => b.name);
  if (names.indexOf(o.board) < 0) return usageError("flash", `no Espruino board named '${o.board}' in boards.json (have: ${names.join(", ")})`);
  if (o.baud !== undefined && !/^[1-9][0-9]*$/.test(o.baud)) return usageError("flash", `--baud needs a speed in bit/s (9600, 115200, ...), not '${o.baud}'`);
  const settings: DeviceSettings = {};
  if (o["modem-path"] !== undefined) settings.path = o["modem-path"];
  if (o.quiet) settings.quiet = true;
  if (o["no-words"]) settings.words = false;
  for (const flag of Object.keys(LINK_FLAGS)) {
    const v = (o as { [k: string]: unknown })[flag.slice(2)];
    if (typeof v === "string") settings[LINK_FLAGS[flag]] = v;
  }
  try {
    await flash({ board: o.board, port: o.port, settings, run: !o["no-run"], baud: o.baud === undefined ? undefined : Number(o.baud) });
    return 0;
  } catch (err) {
    console.error(`sharedline flash: ${err instanceof BundleError ? err.message : (err as Error).message}`);
    return 1;
  }
}
