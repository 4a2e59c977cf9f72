/**
 * Dial strings (drivers/at/args.ts): every 22.030 MMI code goes through, nothing can end
 * or chain the command (issue 14 §1).
 */
import test from "ava";
import { atDialString } from "../../drivers/at/index.js";

test("22.030 MMI codes are dial strings: forwarding to an international number, interrogation, erasure, CW, CLIR", (t) => {
  for (const code of ["**21*+818099990009#", "*21*+818099990009*11#", "**61*+818099990009**20#", "*#21#", "##002#", "*43#", "#43#", "*31#110", "*103*1#", "*#103#"]) {
    t.is(atDialString(code), code, code);
  }
  t.is(atDialString("+81 90-1234-5678"), "+819012345678");
});

test("a '+' anywhere else, and anything that could end or chain the command, is refused", (t) => {
  for (const bad of ["090+1234", "++81", "+81*+82", "#+81", "110;ATH", '110"', "110\r", "*21*+8180;#", "A\x1a"]) {
    t.throws(() => atDialString(bad), undefined, JSON.stringify(bad));
  }
});
