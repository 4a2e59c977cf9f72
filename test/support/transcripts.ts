/**
 * The byte-exact gammu sessions in test/fixtures/gammu (see its README): `C>` lines are
 * what the client wrote, `M<` lines what the modem answered (with its echo). Read with the
 * same parser that reads `--record` transcripts (hal/node/transcript.ts).
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTranscript, type TranscriptEntry } from "../../hal/node/transcript.js";

export type { TranscriptEntry };

const here = dirname(fileURLToPath(import.meta.url));
/** Inside the repository: tests never read outside it. */
export const gammuDir = resolve(here, "../fixtures/gammu");

export function gammuFile(name: string): string {
  return join(gammuDir, name);
}

export function readTranscript(file: string): TranscriptEntry[] {
  return parseTranscript(readFileSync(gammuFile(file), "latin1"));
}

export function transcriptFiles(): string[] {
  return readdirSync(gammuDir).filter((f) => f.endsWith(".txt")).sort();
}

/** The PDUs gammu typed after +CMGS prompts (hex, without the Ctrl-Z). */
export function gammuPdus(name: string): string[] {
  return readTranscript(name)
    .filter((l) => l.dir === "C" && l.bytes.endsWith("\x1a"))
    .map((l) => l.bytes.slice(0, -1));
}
