import test from "ava";
import { findText, hasText } from "../../hal/text.js";
import { positionRequestKind } from "../../drivers/modems/positioning.js";

test("findText gives what indexOf gives when the match fits (Espruino's false matches at the end are checked inside it: test/espruino/entries/hal-basics.ts)", (t) => {
  for (const [text, needle, from] of [["OK\r\n", "\r\n", 0], ["xab", "abc", 0], ["a<b>c<b>", "<b>", 2], ["", "x", 0], ["abc", "", 1], ["abc", "cd", 5]] as [string, string, number][]) {
    t.is(findText(text, needle, from), text.indexOf(needle, from), JSON.stringify([text, needle, from]));
  }
  t.true(hasText("radio link failure", "link"));
  t.false(hasText("radio rl", "rlf"));
});

test("a +CPOSR line cut inside its <pos_meas> tag is not a position request", (t) => {
  t.is(positionRequestKind("+CPOSR: <pos><pos_m"), "other");
  t.is(positionRequestKind("+CPOSR: <pos><pos_meas><meas_abort/></pos_meas></pos>"), "abort");
  t.is(positionRequestKind("+CPOSR: <pos><pos_meas><RRLP_meas/></pos_meas></pos>"), "measure");
});
