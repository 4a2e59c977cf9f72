/**
 * Runs inside Espruino (bundled by bench/espruino.ts with BENCH_OPS=1): one case, named by
 * the global OPS_CASE, 300 times inside the run's only Array.prototype.forEach, so that
 * callgrind (`--toggle-collect=jswrap_array_forEach`) counts that case's instructions and
 * nothing else. The basic cases do their operation ten times per turn (the Node side
 * divides); the channel cases are one step of the AT channel each.
 *
 * Why: Espruino runs the source text, so what a line of the channel costs is not what it
 * costs in V8; these figures are the price list its hot path is written against
 * (docs/espruino.md).
 */
import { AtChannel } from "../../drivers/at/index.js";
import { benchLink, stillClock } from "./link.js";

declare const OPS_CASE: string;

const link = benchLink(undefined);
const ch = new AtChannel(link.serial, stillClock, { timeoutMs: 60000 });
const handler = link.handler;
let urcs = 0;
const count = function () {
  urcs++;
};
ch.onUrc("RING", count);
ch.onUrc("+CREG:", count);
ch.onUrc("+CMTI:", count);

class Plain {
  m(): void {}
}
const plain = new Plain();
const obj: { [k: string]: unknown } = { a: 1, b: 2, c: 3 };
const inst = ch as unknown as { [k: string]: unknown };
const s = '+CREG: 1,"1A2B","01B2C3D4",7';
const re = /^[Aa][Tt][ !#-:<-~]*$/;
const csq = ["+CSQ:"];
const capture = function () {};

const cases: { [name: string]: (i: number) => void } = {
  empty: function () {},
  statement: function (i) {
    let a = i;
    a++; a++; a++; a++; a++; a++; a++; a++; a++; a++;
    return a;
  },
  "member read": function () {
    let v;
    v = obj.c; v = obj.c; v = obj.c; v = obj.c; v = obj.c; v = obj.c; v = obj.c; v = obj.c; v = obj.c; v = obj.c;
    return v;
  },
  "member absent (object literal)": function () {
    let v;
    v = obj.z; v = obj.z; v = obj.z; v = obj.z; v = obj.z; v = obj.z; v = obj.z; v = obj.z; v = obj.z; v = obj.z;
    return v;
  },
  "member absent (the channel)": function () {
    let v;
    v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz; v = inst.zz;
    return v;
  },
  "function call": function () {
    capture(); capture(); capture(); capture(); capture(); capture(); capture(); capture(); capture(); capture();
  },
  "method call": function () {
    plain.m(); plain.m(); plain.m(); plain.m(); plain.m(); plain.m(); plain.m(); plain.m(); plain.m(); plain.m();
  },
  "string method (indexOf)": function () {
    let v;
    v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r"); v = s.indexOf("\r");
    return v;
  },
  "string length": function () {
    let v;
    v = s.length; v = s.length; v = s.length; v = s.length; v = s.length; v = s.length; v = s.length; v = s.length; v = s.length; v = s.length;
    return v;
  },
  "string index s[0]": function () {
    let v;
    v = s[0]; v = s[0]; v = s[0]; v = s[0]; v = s[0]; v = s[0]; v = s[0]; v = s[0]; v = s[0]; v = s[0];
    return v;
  },
  "object literal, 5 members": function () {
    let v;
    v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 };
    v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 }; v = { a: 1, b: 2, c: 3, d: 4, e: 5 };
    return v;
  },
  "new Promise": function () {
    new Promise(capture); new Promise(capture); new Promise(capture); new Promise(capture); new Promise(capture);
    new Promise(capture); new Promise(capture); new Promise(capture); new Promise(capture); new Promise(capture);
  },
  "RegExp test (a command line)": function () {
    re.test("AT+CSQ"); re.test("AT+CSQ"); re.test("AT+CSQ"); re.test("AT+CSQ"); re.test("AT+CSQ");
    re.test("AT+CSQ"); re.test("AT+CSQ"); re.test("AT+CSQ"); re.test("AT+CSQ"); re.test("AT+CSQ");
  },
  "channel: send, queued behind one in flight": function () {
    void ch.send({ cmd: "AT" });
  },
  "channel: a URC chunk": function () {
    handler('\r\n+CREG: 1,"1A2B","01B2C3D4",7\r\n');
  },
  "channel: AT and its OK": function () {
    void ch.send({ cmd: "AT" });
    handler("\r\nOK\r\n");
  },
  "channel: AT+CSQ, its answer and OK": function () {
    void ch.send({ cmd: "AT+CSQ", prefixes: csq });
    handler("\r\n+CSQ: 20,99\r\n\r\nOK\r\n");
  },
};

/** The cases' names, in order (the Node side asks for this list with OPS_CASE "?"). */
if (OPS_CASE === "?") console.log("OPS " + JSON.stringify(Object.keys(cases)));
else {
  const f = cases[OPS_CASE];
  if (f === undefined) console.log("OPS no case " + OPS_CASE);
  else {
    // The "send queued" case needs a command in flight that never ends.
    if (OPS_CASE === "channel: send, queued behind one in flight") void ch.send({ cmd: "AT+CFUN?" });
    const turns: number[] = [];
    for (let i = 0; i < 300; i++) turns.push(i);
    turns.forEach(f);
    console.log("OPS done " + urcs);
  }
}
