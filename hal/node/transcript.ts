/**
 * AT transcripts: every byte on a serial line with its direction and time, one chunk a
 * line, in the format of the recorded gammu sessions (test/fixtures/gammu/README.md):
 *
 *     <seconds, 3 decimals, right-aligned> C> <bytes>     the client (we) wrote
 *     <seconds, 3 decimals, right-aligned> M< <bytes>     the modem answered
 *
 * with `\r`, `\n`, `<SUB>` (Ctrl-Z), `<ESC>` and `\xNN` escapes, so that a recording of a
 * bench session (`--record`) is read back by the same reader the replay tests use.
 * Host only (files).
 */
import fs from "node:fs";
import type { Clock, Serial, Unsubscribe } from "../types.js";

export interface TranscriptEntry {
  /** C: client to modem; M: modem to client. */
  dir: "C" | "M";
  bytes: string;
  /** Seconds since the recording started. */
  at: number;
}

/** Escapes a byte string for one transcript line (inverse of `unescapeBytes`). */
export function escapeBytes(bytes: string): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c === 0x0d) out += "\\r";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x1a) out += "<SUB>";
    else if (c === 0x1b) out += "<ESC>";
    // A backslash or a '<' that would start an escape is written as \xNN so reading is unambiguous.
    else if (c < 0x20 || c >= 0x7f || c === 0x5c || c === 0x3c) out += "\\x" + c.toString(16).padStart(2, "0").toUpperCase();
    else out += bytes[i];
  }
  return out;
}

export function unescapeBytes(s: string): string {
  return s.replace(/<SUB>|<ESC>|\\r|\\n|\\x[0-9A-Fa-f]{2}/g, (e) =>
    e === "<SUB>" ? "\x1a" : e === "<ESC>" ? "\x1b" : e === "\\r" ? "\r" : e === "\\n" ? "\n" : String.fromCharCode(parseInt(e.slice(2), 16)),
  );
}

export function formatEntry(e: TranscriptEntry): string {
  return `${e.at.toFixed(3).padStart(8)} ${e.dir === "C" ? "C>" : "M<"} ${escapeBytes(e.bytes)}`;
}

/** Reads transcript text; lines that are not entries (comments, blank) are skipped. */
export function parseTranscript(text: string): TranscriptEntry[] {
  const out: TranscriptEntry[] = [];
  for (const raw of text.split("\n")) {
    const m = /^\s*([\d.]+) (C>|M<) (.*)$/.exec(raw.replace(/\r$/, ""));
    if (m) out.push({ dir: m[2] === "C>" ? "C" : "M", bytes: unescapeBytes(m[3]), at: Number(m[1]) });
  }
  return out;
}

/** Appends entries to a file as they happen (synchronously, so a crash loses nothing written before it). */
export class TranscriptWriter {
  private readonly fd: number;
  private readonly start: number;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly clock: Clock,
    header?: string,
  ) {
    this.fd = fs.openSync(path, "w");
    this.start = clock.now();
    if (header) fs.writeSync(this.fd, header.split("\n").map((l) => "# " + l).join("\n") + "\n");
  }

  add(dir: "C" | "M", bytes: string): void {
    if (this.closed || bytes === "") return;
    fs.writeSync(this.fd, formatEntry({ dir, bytes, at: (this.clock.now() - this.start) / 1000 }) + "\n");
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** A Serial that records every byte written (C>) and received (M<) through `recorder`. */
export function recordedSerial(serial: Serial, recorder: TranscriptWriter): Serial {
  serial.onData((chunk) => recorder.add("M", chunk));
  serial.onClose(() => recorder.close());
  return {
    write(bytes: string): Promise<void> {
      recorder.add("C", bytes);
      return serial.write(bytes);
    },
    onData(handler: (chunk: string) => void): Unsubscribe {
      return serial.onData(handler);
    },
    onClose(handler: (reason: string) => void): Unsubscribe {
      return serial.onClose(handler);
    },
    close(): Promise<void> {
      return serial.close().finally(() => recorder.close());
    },
  };
}
