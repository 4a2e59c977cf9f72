/**
 * Drives the Espruino interpreter's REPL (its Linux build started without a file, so it
 * boots the code in its Storage the way a watch does at power-on) from Node: type lines,
 * evaluate expressions, write Storage files in chunks, read the heap.
 *
 * What the interpreter needs (espruino-facts.md: The Linux interpreter as a stand-in
 * watch): standard input stays an open pipe, each instance has its own working
 * directory (Storage lives in ./espruino.flash), and it is stopped with SIGKILL (the REPL
 * traps SIGTERM). Its console reads standard input only while its input queue has room,
 * so long lines are safe; byte 0x04 on standard input makes it exit, so nothing typed
 * here may hold one.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { clean, interpreterErrors, runEspruino, withoutBanner } from "./espruino-run.js";

export interface ReplOptions {
  /** Working directory (holds espruino.flash). */
  cwd: string;
  /** Extra arguments, e.g. ["--telnet"]. */
  args?: string[];
  /** A command that runs the interpreter (its path and arguments are appended), e.g. `unshare -n ...`. */
  wrap?: string[];
}

/** CRC-32 (IEEE 802.3, as zlib and Espruino's E.CRC32) of a byte string. */
export function crc32(bytes: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) {
    crc ^= bytes.charCodeAt(i) & 0xff;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** One running interpreter with its console on a pipe. */
export class EspruinoRepl {
  private raw = "";
  private seq = 0;
  private waiters: { re: RegExp; from: number; resolve: (m: RegExpExecArray) => void }[] = [];
  private exited: number | null | undefined = undefined;
  readonly child: ChildProcess;
  private readonly closed: Promise<void>;

  constructor(bin: string, opts: ReplOptions) {
    const argv = (opts.wrap ?? []).concat([bin], opts.args ?? []);
    this.child = spawn(argv[0], argv.slice(1), { cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    const collect = (chunk: Buffer) => {
      this.raw += chunk.toString("latin1");
      this.check();
    };
    this.child.stdout!.on("data", collect);
    this.child.stderr!.on("data", collect);
    this.child.stdin!.on("error", () => undefined);
    this.closed = new Promise((resolve) => {
      this.child.on("close", (code) => {
        this.exited = code;
        resolve();
      });
      this.child.on("error", () => {
        this.exited = null;
        resolve();
      });
    });
  }

  /** Everything printed so far, escapes and carriage returns removed. */
  get output(): string {
    return clean(this.raw);
  }

  /** Whether the process is still running. */
  get running(): boolean {
    return this.exited === undefined;
  }

  private check(): void {
    const out = this.output;
    this.waiters = this.waiters.filter((w) => {
      const re = new RegExp(w.re.source, w.re.flags.replace("g", ""));
      const m = re.exec(out.slice(w.from));
      if (!m) return true;
      w.resolve(m);
      return false;
    });
  }

  /** Resolves with the first match of `re` in what is printed from now (or from `from`). */
  waitFor(re: RegExp, timeoutMs: number, from = this.output.length): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        const tail = this.output.slice(-600);
        reject(new Error(`Espruino: no ${re} within ${timeoutMs} ms` + (this.running ? "" : ` (interpreter exited ${this.exited})`) + `; output tail:\n${tail}`));
      }, timeoutMs);
      const done = (m: RegExpExecArray) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ re, from, resolve: done });
      this.check();
    });
  }

  /** Types one line on the console (0x10 first: the line is not echoed). */
  type(line: string): void {
    if (line.indexOf("\x04") >= 0 || line.indexOf("\n") >= 0) throw new Error("a console line cannot hold newline or Ctrl-D");
    this.child.stdin!.write("\x10" + line + "\n");
  }

  /** Evaluates `expr` on the device and returns its JSON text. */
  async eval(expr: string, timeoutMs = 10000): Promise<string> {
    const tag = "@@" + ++this.seq + "@@";
    const from = this.output.length;
    this.type(`print(${JSON.stringify(tag)}+JSON.stringify(${expr}))`);
    const m = await this.waitFor(new RegExp(tag + "(.*)\\n"), timeoutMs, from);
    return m[1];
  }

  /** Heap blocks in use (process.memory() collects garbage first). */
  async heap(): Promise<{ usage: number; total: number }> {
    const j = JSON.parse(await this.eval("process.memory()")) as { usage: number; total: number };
    return { usage: j.usage, total: j.total };
  }

  /**
   * Writes a Storage file in chunks of `chunk` bytes (the first creates it at full size)
   * and checks its CRC-32 read back; throws on a mismatch.
   */
  async writeFile(name: string, data: string, chunk = 1024): Promise<void> {
    for (let off = 0; off < data.length || off === 0; off += chunk) {
      const part = data.substr(off, chunk);
      const args = off === 0 ? `${JSON.stringify(name)},${JSON.stringify(part)},0,${data.length}` : `${JSON.stringify(name)},${JSON.stringify(part)},${off}`;
      const ok = await this.eval(`require("Storage").write(${args})`, 20000);
      if (ok !== "true") throw new Error(`Storage.write of ${name} at ${off} answered ${ok}`);
      if (data.length === 0) break;
    }
    const back = Number(await this.eval(`E.CRC32(require("Storage").read(${JSON.stringify(name)}))`));
    const want = crc32(data);
    if (back !== want) throw new Error(`Storage file ${name}: CRC-32 read back ${back}, written ${want}`);
  }

  /** Stops the interpreter (SIGKILL) and waits for it to go. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill("SIGKILL");
    await this.closed;
  }
}

/**
 * Writes Storage files into `cwd`'s espruino.flash in one run of the interpreter (a
 * script holding the files as string literals; `bin` should be the Linux build, whose
 * heap grows, since the script itself sits in RAM). Each file's CRC-32 is read back;
 * throws on a mismatch or an error.
 */
export async function writeStorageFiles(bin: string, cwd: string, files: { [name: string]: string }): Promise<void> {
  const names = Object.keys(files);
  const lines = ['var S=require("Storage");'];
  // Bytes 0x7F-0xFF (a pretokenised file, tools/pretokenise.ts) as \xNN escapes: the
  // script is read as UTF-8 text, and an escape gives the byte itself.
  const literal = (s: string) => JSON.stringify(s).replace(/[\x7f-\xff]/g, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"));
  for (const n of names) lines.push(`S.write(${JSON.stringify(n)},${literal(files[n])});`);
  lines.push(`print("SHAREDLINE_CRC "+[${names.map((n) => `E.CRC32(S.read(${JSON.stringify(n)})||"")`).join(",")}].join(" "));`);
  const script = path.join(cwd, "write-storage.js");
  writeFileSync(script, lines.join("\n") + "\n");
  try {
    const r = await runEspruino(bin, script, { cwd, timeoutMs: 60000, until: /SHAREDLINE_CRC[ \d]*\n/ });
    const m = /SHAREDLINE_CRC([ \d]*)\n/.exec(r.output);
    const errors = interpreterErrors(r.output);
    if (!m || errors.length) throw new Error("writing Storage failed:\n  " + (errors.length ? errors.join("\n  ") : withoutBanner(r.output).trim().split("\n").slice(-5).join("\n  ")));
    const got = m[1].trim().split(" ").map(Number);
    names.forEach((n, i) => {
      const want = crc32(files[n]);
      if (got[i] !== want) throw new Error(`Storage file ${n}: CRC-32 read back ${got[i]}, written ${want}`);
    });
  } finally {
    rmSync(script, { force: true });
  }
}

export interface BootHeap {
  /** Heap blocks in use after boot (process.memory(), which collects garbage first). */
  usage: number;
  /** The heap's size in blocks (a fixed-heap build reports its layout). */
  total: number;
  /** Everything the boot printed. */
  output: string;
  /** Lines in which the interpreter reported an error. */
  errors: string[];
}

/**
 * Boots the boot code in `cwd`'s Storage on `bin` (REPL mode, as a device powers up),
 * waits `settleMs` and reads the heap. `cwd` must already hold the files.
 */
export async function bootHeap(bin: string, cwd: string, settleMs: number): Promise<BootHeap> {
  const r = new EspruinoRepl(bin, { cwd });
  try {
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const h = await r.heap();
    return { usage: h.usage, total: h.total, output: r.output, errors: interpreterErrors(r.output) };
  } finally {
    await r.stop();
  }
}
