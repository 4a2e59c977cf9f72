/** `anotherLine` (firmware/line/same-line.ts): is the connected line another line than the one dialled? */
import test from "ava";
import { anotherLine } from "../../firmware/line/same-line.js";

test("R59 R60: the connected line is another line only when it names another subscriber, national and international forms alike", (t) => {
  t.false(anotherLine("0312345678", "+81312345678"), "national with trunk 0 versus +81");
  t.false(anotherLine("+81312345678", "0312345678"));
  t.false(anotherLine("+81312345678", "+81312345678"));
  t.false(anotherLine("0312345678", ""), "not available is not elsewhere");
  t.false(anotherLine("1417", "1417"));
  t.true(anotherLine("0312345678", "+81398765432"));
  t.true(anotherLine("+819012345678", "+81398765432"));
  t.true(anotherLine("0312345678", "0398765432"));
  t.true(anotherLine("0312345678", "+4412345678"), "another country's line");
  t.true(anotherLine("312345678", "+81312345678"), "no trunk prefix: not provably the same");
});
