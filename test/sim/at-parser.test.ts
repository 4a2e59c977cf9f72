/** The simulated modem's reading of V.250 command lines and 27.007 parameters. */
import test from "ava";
import { AtSyntaxError, parseCommandLine, splitArgs } from "../../sim/modem/at-parser.js";

test("basic and extended commands on one line, names case-insensitive, spaces ignored", (t) => {
  t.deepEqual(parseCommandLine("e0 v1&F+cmgf=0;+CNMI = 2,1 ;S0=2S3?"), [
    { name: "E", kind: "action", args: "0" },
    { name: "V", kind: "action", args: "1" },
    { name: "&F", kind: "action", args: "" },
    { name: "+CMGF", kind: "set", args: "0" },
    { name: "+CNMI", kind: "set", args: "2,1" },
    { name: "S0", kind: "set", args: "2" },
    { name: "S3", kind: "read", args: "" },
  ]);
});

test("read, test and action forms; vendor prefixes", (t) => {
  t.deepEqual(parseCommandLine("+CSQ;+CREG?;+CPMS=?;^SYSINFO;$TSSPCSW=?"), [
    { name: "+CSQ", kind: "action", args: "" },
    { name: "+CREG", kind: "read", args: "" },
    { name: "+CPMS", kind: "test", args: "" },
    { name: "^SYSINFO", kind: "action", args: "" },
    { name: "$TSSPCSW", kind: "test", args: "" },
  ]);
});

test("a ';' inside a string does not end the command; the dial string keeps its ';'", (t) => {
  t.deepEqual(parseCommandLine('+CUSD=1,"*1;0#",15;+CSQ'), [
    { name: "+CUSD", kind: "set", args: '1,"*1;0#",15' },
    { name: "+CSQ", kind: "action", args: "" },
  ]);
  t.deepEqual(parseCommandLine("DT+819012345678;+CLCC"), [
    { name: "D", kind: "action", args: "T+819012345678;" },
    { name: "+CLCC", kind: "action", args: "" },
  ]);
  t.deepEqual(parseCommandLine("D*99#"), [{ name: "D", kind: "action", args: "*99#" }]);
});

test("lines V.250 cannot read throw AtSyntaxError", (t) => {
  for (const bad of ['+CUSD=1,"open', "+", "S=1", "&1", "+CSQ?x", "+CREG=?1", "~"]) {
    t.throws(() => parseCommandLine(bad), { name: "AtSyntaxError" }, bad);
  }
  const e = t.throws(() => parseCommandLine("+CSQ?x"));
  t.true(AtSyntaxError.is(e) && e.at === 5);
});

test("parameters: numbers, strings with \\HH escapes, omitted ones", (t) => {
  t.deepEqual(splitArgs('1,"SM",,"a\\22b",SM,'), [
    { value: "1", quoted: false, omitted: false },
    { value: "SM", quoted: true, omitted: false },
    { value: "", quoted: false, omitted: true },
    { value: 'a"b', quoted: true, omitted: false },
    { value: "SM", quoted: false, omitted: false },
    { value: "", quoted: false, omitted: true },
  ]);
  t.deepEqual(splitArgs(""), []);
  t.throws(() => splitArgs('"x"y'), { name: "AtSyntaxError" });
  t.throws(() => splitArgs('1,"x'), { name: "AtSyntaxError" });
});
