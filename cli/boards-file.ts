/**
 * Reading boards.json (or another board file) on the host: a syntax error names the file,
 * the line and the column; validation problems come from firmware/board.ts; fields it
 * does not know are returned as warnings for the caller to print.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { loadBoards, type Board } from "../firmware/board.js";

export const defaultBoardsFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "boards.json");

export interface BoardsFile {
  boards: { [name: string]: Board };
  warnings: string[];
}

/** Line and column (both from 1) of character `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(pos, text.length)));
  const nl = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: before.length - nl };
}

/**
 * Where JSON.parse stopped. Node 20 says "... at position N"; Node 22 also says
 * "(line L column C)"; a text cut short says neither, and then the end is the place.
 */
function syntaxPlace(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  return lineColumn(text, pos ? Number(pos[1]) : text.length);
}

/** Reads and validates a board file; throws an Error whose message names the file (and the place). */
export function readBoardsFile(file = defaultBoardsFile): BoardsFile {
  const rel = path.relative(process.cwd(), file);
  const name = rel && !rel.startsWith("..") ? rel : file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${name}: cannot read it: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const where = syntaxPlace(text, (e as Error).message);
    const why = (e as Error).message.replace(/ in JSON at position \d+.*$/, "").replace(/\s*\(line \d+ column \d+\)$/, "");
    throw new Error(`${name}:${where.line}:${where.column}: not valid JSON: ${why}`);
  }
  const warnings: string[] = [];
  try {
    return { boards: loadBoards(json, warnings), warnings: warnings.map((w) => `${name}: ${w}`) };
  } catch (e) {
    throw new Error(`${name}: ${(e as Error).message.replace(/^boards\.json:?\s*/, "")}`);
  }
}
