/**
 * Reader for the byte-exact gammu sessions in ../shared/peers/gammu: `C>` lines are what
 * the client wrote, `M<` lines what the modem answered (with its echo).
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface TranscriptEntry {
  dir: "C" | "M";
  bytes: string;
}

const here = dirname(fileURLToPath(import.meta.url));
export const peersDir = resolve(here, "../../../shared/peers/gammu");

function unescape(s: string): string {
  return s
    .replace(/<SUB>/g, "\x1a")
    .replace(/<ESC>/g, "\x1b")
    .replace(/\\x([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\r/g, "\r")
    .replace(/\\n/g, "\n");
}

export function readTranscript(file: string): TranscriptEntry[] {
  const text = readFileSync(join(peersDir, file), "latin1");
  const out: TranscriptEntry[] = [];
  for (const raw of text.split("\n")) {
    const m = /^\s*[\d.]+ ([CM])[<>] (.*)$/.exec(raw);
    if (m) out.push({ dir: m[1] as "C" | "M", bytes: unescape(m[2]) });
  }
  return out;
}

export function transcriptFiles(): string[] {
  return readdirSync(peersDir).filter((f) => f.endsWith(".txt")).sort();
}
