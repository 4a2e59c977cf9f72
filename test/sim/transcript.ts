/**
 * Reading the recorded gammu sessions in shared/peers/gammu (see its README): lines
 * `<seconds> C> <bytes>` (gammu to the modem) and `<seconds> M< <bytes>` (the modem's
 * answer, echo included), with `\r`, `\n`, `<SUB>`, `<ESC>` and `\xNN` escapes.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** shared/ sits beside the project (../shared from the repository root). */
export function peerFile(name: string): string {
  const shared = process.env.SHAREDLINE_SHARED || path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../shared");
  return path.join(shared, "peers", "gammu", name);
}

export interface TranscriptLine {
  dir: "C" | "M";
  bytes: string;
}

function unescape(s: string): string {
  return s
    .replace(/<SUB>/g, "\x1a")
    .replace(/<ESC>/g, "\x1b")
    .replace(/\\(r|n|x[0-9A-Fa-f]{2})/g, (_m, e: string) => (e === "r" ? "\r" : e === "n" ? "\n" : String.fromCharCode(parseInt(e.slice(1), 16))));
}

export function readTranscript(name: string): TranscriptLine[] {
  const out: TranscriptLine[] = [];
  for (const line of fs.readFileSync(peerFile(name), "utf8").split("\n")) {
    const m = /^\s*[0-9.]+ (C>|M<) (.*)$/.exec(line);
    if (m) out.push({ dir: m[1] === "C>" ? "C" : "M", bytes: unescape(m[2]) });
  }
  return out;
}

/** The PDUs gammu typed after +CMGS prompts (hex, without the Ctrl-Z). */
export function gammuPdus(name: string): string[] {
  return readTranscript(name)
    .filter((l) => l.dir === "C" && l.bytes.endsWith("\x1a"))
    .map((l) => l.bytes.slice(0, -1));
}
