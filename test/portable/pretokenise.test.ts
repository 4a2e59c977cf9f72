/**
 * tools/pretokenise.ts: Espruino's pretokenised form (src/jslex.h `LEX_TYPES`,
 * src/jslex.c `jslGetRawString`), checked byte by byte against the enum's order and, on a
 * real board bundle, token for token against the text it came from.
 */
import test from "ava";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { bundleBoard, espruinoBoards } from "../../tools/bundle.js";
import { detokenise, pretokenise, tokensOf } from "../../tools/pretokenise.js";

const bytes = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const texts = (s: string) => tokensOf(s).map((t) => (t.type === "String" ? JSON.stringify(new Function("return " + t.value)()) : t.value));

test("pretokenise: reserved words and operators become the bytes of Espruino's token enum", (t) => {
  // jslex.h: LEX_EQUAL is 138 (128 + ten value tokens), the 25 operators end with `=>`
  // (162), then LEX_R_IF (163) ... LEX_R_OF (198).
  t.deepEqual(bytes(pretokenise("a==b")), [0x61, 138, 0x62]);
  t.deepEqual(bytes(pretokenise("a=>b")), [0x61, 162, 0x62]);
  t.deepEqual(bytes(pretokenise("if(a)b")), [163, 0x28, 0x61, 0x29, 0x62]);
  t.deepEqual(bytes(pretokenise("function f(){return this}")), [170, 0x66, 0x28, 0x29, 0x7b, 171, 175, 0x7d]);
  t.deepEqual(bytes(pretokenise("for(x of y);")), [167, 0x28, 0x78, 198, 0x79, 0x29, 0x3b]);
  t.deepEqual(bytes(pretokenise("x=undefined")), [0x78, 0x3d, 183]);
});

test("pretokenise: string literals become raw strings (0xD1 length bytes); non-ASCII, NUL and empty ones stay text", (t) => {
  t.deepEqual(bytes(pretokenise('x="AT\\r\\n"')), [0x78, 0x3d, 0xd1, 4, 0x41, 0x54, 13, 10]);
  const long = "y".repeat(300);
  t.deepEqual(bytes(pretokenise(`x="${long}"`)).slice(0, 5), [0x78, 0x3d, 0xd2, 300 & 255, 300 >> 8]);
  t.is(pretokenise('x="caf\\u00e9"'), 'x="caf\\u00e9"', "a UTF-8 string on Unicode builds is not 8-bit data");
  t.is(pretokenise('x="a\\0"'), 'x="a\\0"');
  t.is(pretokenise('x=""'), 'x=""');
  t.is(pretokenise("x=`a${b}c`"), "x=`a${b}c`", "template literals are left as they are");
});

test("pretokenise: a space stays only where two names or numbers meet, or + + / - -", (t) => {
  t.deepEqual(bytes(pretokenise("var a=b in c")), [172, 0x61, 0x3d, 0x62, 185, 0x63]);
  t.is(pretokenise("a- -b"), "a- -b");
  t.is(pretokenise("a+ +b"), "a+ +b");
  t.is(pretokenise("x=a/ /b/.source"), "x=a/ /b/.source");
  t.is(pretokenise("x=1 .toFixed()"), "x=1 .toFixed()");
});

test("pretokenise: the watch's minified bundle reads back token for token, with no zero byte and fewer bytes", async (t) => {
  t.timeout(180000);
  const board = espruinoBoards()[0];
  const dir = mkdtempSync(path.join(tmpdir(), "sharedline-ptk-"));
  try {
    const r = await bundleBoard(board, dir, true, false);
    const p = pretokenise(r.text);
    t.true(p.length < r.text.length * 0.9, `${p.length} of ${r.text.length} bytes`);
    t.is(p.indexOf("\0"), -1);
    const back = detokenise(p);
    const a = texts(r.text);
    const b = texts(back);
    t.is(b.length, a.length);
    const first = a.findIndex((x, i) => x !== b[i]);
    t.is(first, -1, first >= 0 ? `token ${first}: ${a[first]} became ${b[first]}` : "");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("pretokenise: text that does not parse is refused", (t) => {
  t.throws(() => pretokenise("var = ;"), { message: /does not parse/ });
});
