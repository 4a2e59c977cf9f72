/**
 * Pretokenises a bundle the way Espruino's own lexer reads it: every reserved word and
 * multi-character operator becomes one byte, string literals become raw strings (a tag
 * byte, their length, their bytes), small integers raw integers, and the spaces the
 * minifier kept between a keyword and a name go. What comes out is the same token
 * stream for the interpreter, in fewer bytes of Storage (measured: 18 % fewer on the
 * minified bundles of test/espruino/entries, which then pass every check on 2v29.277).
 *
 * The encoding is Espruino's, read from its source (espruino/Espruino c5ff787b1,
 * src/jslex.h `enum LEX_TYPES` and src/jslex.c `jslGetNextToken`, `jslGetRawString`,
 * `_jslNewTokenisedStringFromLexer`): a byte from 128 up is read as the token of that
 * number (`jslSingleChar`); the token list is frozen ("DO NOT MODIFY THE ORDERING OF THIS
 * LIST. The Web IDE/Bangle.js App Loader can pretokenise code"); 0xD1 len8 / 0xD2 lo hi
 * are raw strings. Reading pretokenised code is in every build (only producing it on the
 * device is left out by ESPR_NO_PRETOKENISE).
 *
 * What stays text: identifiers, numbers, template literals, regular expressions, the
 * empty string, and any string with a character outside ASCII or a NUL: a raw string is
 * 8-bit data, while on a Unicode build (ESPR_UNICODE_SUPPORT) "\u00e9" is a UTF-8 string,
 * so converting it would change what it is. No byte of the output is 0: the raw integers
 * (0xD3-0xD5) carry zero bytes for most values and a file holding them stopped loading
 * on the Linux build ("Got EOF expected '}'", measured), while they would save about 30
 * bytes in 180 KB; a raw string whose 16-bit length has a zero low byte stays text too.
 *
 * The result holds bytes 0x80-0xFF, so it is a byte string (one char per byte): write it
 * to Storage as such (tools/espruino-repl.ts `writeStorageFiles` escapes it).
 */
import { type AST, type Rule } from "eslint";
import { runRuleOnScript } from "./es2015-rule.js";

/** Espruino's multi-character operators, from LEX_EQUAL (138) on (src/jslex.h). */
const OPERATORS = ["==", "===", "!=", "!==", "<=", "<<", "<<=", ">=", ">>", ">>>", ">>=", ">>>=", "+=", "-=", "++", "--", "*=", "/=", "%=", "&=", "&&", "|=", "||", "^=", "=>"];
/** Espruino's reserved words, from LEX_R_IF on, right after the operators (src/jslex.h). */
const RESERVED = [
  "if", "else", "do", "while", "for", "break", "continue", "function", "return", "var", "let", "const", "this", "throw", "try", "catch", "finally",
  "true", "false", "null", "undefined", "new", "in", "instanceof", "switch", "case", "default", "delete", "typeof", "void", "debugger", "class",
  "extends", "super", "static", "of",
];
/** _LEX_TOKENS_START: LEX_TOKEN_START (128) plus the ten value tokens before the operators. */
const FIRST_OPERATOR = 138;
/** LEX_NULLISH: _LEX_R_LIST_END + 10 (padding in the enum). */
const NULLISH = FIRST_OPERATOR + OPERATORS.length + RESERVED.length - 1 + 10;
const RAW_STRING8 = NULLISH + 1;
const RAW_STRING16 = NULLISH + 2;

const CODES = new Map<string, number>();
OPERATORS.forEach((op, i) => CODES.set(op, FIRST_OPERATOR + i));
RESERVED.forEach((w, i) => CODES.set(w, FIRST_OPERATOR + OPERATORS.length + i));
CODES.set("??", NULLISH);

/** The byte codes, for tests and for reading pretokenised text back. */
export const PRETOKEN = { codes: CODES, RAW_STRING8, RAW_STRING16 };

/**
 * Pretokenised text back as JavaScript (every token spelled out, one space between
 * tokens where needed), the way Espruino prints a pretokenised function; for tests and
 * for reading what went to a device.
 */
export function detokenise(bytes: string): string {
  const names = new Map<number, string>();
  CODES.forEach((code, text) => names.set(code, text));
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    if (c === RAW_STRING8 || c === RAW_STRING16) {
      const len = c === RAW_STRING8 ? bytes.charCodeAt(i + 1) : bytes.charCodeAt(i + 1) | (bytes.charCodeAt(i + 2) << 8);
      const start = i + (c === RAW_STRING8 ? 2 : 3);
      out += " " + JSON.stringify(bytes.slice(start, start + len)) + " ";
      i = start + len - 1;
    } else if (c >= 128) {
      const name = names.get(c);
      if (name === undefined) throw new Error(`byte 0x${c.toString(16)} at ${i} is no token Espruino knows`);
      out += " " + name + " ";
    } else out += bytes.charAt(i);
  }
  return out;
}

type Kind = "word" | "number" | "token" | "other";

/** The ES2015 tokens of `text` (espree, through ESLint); throws when it does not parse. */
export function tokensOf(text: string): AST.Token[] {
  let tokens: AST.Token[] = [];
  const rule: Rule.RuleModule = {
    create(context) {
      return {
        Program() {
          tokens = context.sourceCode.ast.tokens;
        },
      };
    },
  };
  runRuleOnScript(text, rule, "cannot pretokenise: the text");
  return tokens;
}

/** True when `v` can be a raw string: every char 0x01-0x7F (ASCII without NUL). */
function rawSafe(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0 || c > 0x7f) return false;
  }
  return true;
}

/** The value of a string literal's source text (ES2015 escapes). */
function stringValue(src: string): string {
  return new Function("return " + src)() as string;
}

/** Pretokenised `text` (a byte string); throws when the text does not parse. */
export function pretokenise(text: string): string {
  const tokens = tokensOf(text);
  let out = "";
  let last: Kind = "other";
  let lastText = "";
  const put = (s: string, kind: Kind) => {
    // Only a name or number next to a name or number needs the space between them
    // (jslPreserveSpaceBetweenTokens), plus `+ +`, `- -` and a slash next to a regex.
    const first = s.charAt(0);
    if ((last === "word" || last === "number") && (kind === "word" || kind === "number")) out += " ";
    else if ((lastText === "+" && first === "+") || (lastText === "-" && first === "-")) out += " ";
    else if (last === "number" && first === ".") out += " ";
    else if (lastText.charAt(lastText.length - 1) === "/" && first === "/") out += " ";
    out += s;
    last = kind;
    lastText = kind === "token" ? "" : s;
  };
  for (const t of tokens) {
    const src = text.slice(t.range[0], t.range[1]);
    const code = CODES.get(src);
    if (code !== undefined && (t.type === "Keyword" || t.type === "Punctuator" || t.type === "Boolean" || t.type === "Null" || t.type === "Identifier")) {
      put(String.fromCharCode(code), "token");
    } else if (t.type === "String") {
      const v = stringValue(src);
      if (v.length === 0 || v.length > 0xffff || (v.length > 255 && (v.length & 255) === 0) || !rawSafe(v)) put(src, "other");
      else if (v.length < 256) put(String.fromCharCode(RAW_STRING8, v.length) + v, "token");
      else put(String.fromCharCode(RAW_STRING16, v.length & 255, v.length >> 8) + v, "token");
    } else if (t.type === "Numeric") put(src, "number");
    else if (t.type === "Identifier" || t.type === "Keyword") put(src, "word");
    else put(src, "other");
  }
  return out;
}
