/**
 * Console lines onto the API (firmware/commands.ts) and the API in words
 * (firmware/api/words.ts), on the real firmware under the virtual clock.
 */
import test from "ava";
import { simRig } from "../support/sim-rig.js";
import { COMMANDS, helpLines, runCommand, splitLine } from "../../firmware/commands.js";
import { describeEvent, describeReply, shown } from "../../firmware/api/words.js";
import type { AnyReply, CallInfo } from "../../firmware/api.js";

function reason(r: AnyReply): string {
  return r.ok ? "ok" : r.reason;
}

test("a line splits into its verb, its words and the text after the verb as typed", (t) => {
  t.deepEqual(splitLine("  sms send +8190  hello   world "), { verb: "sms", args: ["send", "+8190", "hello", "world"], rest: "send +8190  hello   world" });
  t.deepEqual(splitLine(""), { verb: "", args: [], rest: "" });
});

test("wrong lines answer usage with the command's usage; unknown verbs answer unknownCommand", async (t) => {
  const r = await simRig();
  const api = r.fw.api;
  for (const line of ["dial", "dial 1 2", "hangup x", "hangup 0", "accept", "quiet loud", "dtmf", "sms", "sms send +8190", "sms fly", "priority drop", "code", "pin", "wait", "wait call", "wait call ringing", "wait ready soon", "wait incoming -1"]) {
    const res = await runCommand(api, line);
    t.is(reason(res), "usage", line);
    if (!res.ok) t.regex(res.message, /^usage: /, line);
  }
  t.is(reason(await runCommand(api, "fly me")), "unknownCommand");
});

test("each command line reaches its API command: calls, status, sms send with --report, priority show, wait", async (t) => {
  const r = await simRig();
  const api = r.fw.api;
  t.deepEqual(await runCommand(api, "calls"), { ok: true, calls: [] });
  t.is(reason(await runCommand(api, "status")), "ok");
  t.is(reason(await runCommand(api, "answer")), "nothingToAnswer");
  t.is(reason(await runCommand(api, "pin 1234")), "pinNotNeeded");
  const sent = runCommand(api, "sms send +819011112222  two  spaces --report");
  await r.run(2000);
  const s = await sent;
  t.is(reason(s), "ok");
  t.is(r.network.sent[0].text, "two  spaces", "the text as typed, without --report");
  t.true(r.network.sent[0].statusReportRequest);
  const text = runCommand(api, "text +819011112222 old form");
  await r.run(2000);
  t.is(reason(await text), "ok");
  t.is(r.network.sent[1].text, "old form");
  t.is(reason(await runCommand(api, "priority show")), "ok");
  // The bare word (a console word on the watch) shows the same as `priority show`.
  t.deepEqual(await runCommand(api, "priority"), await runCommand(api, "priority show"));
  const w = runCommand(api, "wait incoming 1.5");
  await r.run(2000);
  t.is(reason(await w), "timeout");
  t.is(reason(await runCommand(api, "wait call none")), "ok");
  t.is(reason(await runCommand(api, "wait ready 5s")), "ok");
});

test("help lists every command once, with its usage", (t) => {
  const lines = helpLines();
  t.is(lines.length, COMMANDS.length);
  for (const c of COMMANDS) t.true(lines.some((l) => l.indexOf(c.verb + (c.usage ? " " + c.usage : "")) === 0), c.verb);
});

test("text from the network never controls the terminal: control characters and escape sequences are shown escaped", (t) => {
  t.is(shown("a\x1b[2Jb"), "a\\x1b[2Jb");
  t.is(shown("\x1b]0;pwned\x07x"), "\\x1b]0;pwned\\x07x");
  t.is(shown("line\nnext\x9b"), "line\\nnext\\x9b");
  t.is(shown("こんにちは 😀"), "こんにちは 😀");
  const sms = describeEvent("smsReceived", { from: "+8190\x1b[31m", time: "2026", parts: 1, text: "\x1b[2J\x1b]2;title\x07hi" });
  t.false([...sms].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), sms);
  t.true(sms.endsWith("\\x1b[2J\\x1b]2;title\\x07hi"));
});

test("replies in words: ok with the call, a failure's sentence, lists", (t) => {
  const call: CallInfo = { id: 1, direction: "outgoing", status: "dialing", number: "110", name: "", calledNumber: "", connectedNumber: "", emergency: true, startedAt: 0, connectedAt: null, endedAt: null, end: null };
  t.is(describeReply("dial 110", { ok: true, call }), "dial 110: ok, call 1 outgoing 110 dialing (emergency)");
  t.is(describeReply("answer", { ok: false, reason: "nothingToAnswer", message: "no call to answer" }), "answer: no call to answer");
  t.is(describeReply("calls", { ok: true, calls: [] }), "no calls");
  t.is(describeReply("sms send +8190 hi", { ok: true, id: 4 }), "sms send: stored as SMS 4, sending");
});

test("R21: the console line of a call shows the caller's name (+CNAP) and the number called (+CDIP), escaped like every text from the network", (t) => {
  const call = { id: 3, direction: "incoming", status: "incoming", number: "+818011112222", name: "Alice Sato", calledNumber: "+819012345678", emergency: false };
  t.is(describeEvent("incoming", call), "incoming call from +818011112222 (Alice Sato) to +819012345678");
  t.is(describeEvent("incoming", { ...call, number: "", name: "", calledNumber: "" }), "incoming call from a withheld number");
  t.is(describeEvent("incoming", { ...call, name: "\x1b[2JEve" }), "incoming call from +818011112222 (\\x1b[2JEve) to +819012345678");
});

test("R59 R60: an outgoing call another line answered (+COLP: forwarded) says who answered; the same line in national form does not", (t) => {
  const call = { id: 2, direction: "outgoing", status: "active", number: "0312345678", connectedNumber: "+81398765432" };
  t.is(describeEvent("callChanged", call), "call 2 outgoing 0312345678: active (answered by +81398765432)");
  t.is(describeEvent("callChanged", { ...call, connectedNumber: "+81312345678" }), "call 2 outgoing 0312345678: active");
  t.is(describeEvent("callChanged", { ...call, connectedNumber: "" }), "call 2 outgoing 0312345678: active");
  t.is(describeEvent("callChanged", { ...call, connectedNumber: "\x1b[2J" }), "call 2 outgoing 0312345678: active (answered by \\x1b[2J)");
});

test("help is a command of its own: sl(\"help\") on the watch answers the table, not 'unknown command'", async (t) => {
  const r = await simRig();
  const res = await runCommand(r.fw.api, "help");
  t.deepEqual(res, { ok: true, help: helpLines() });
  t.regex(describeReply("help", res), /^ {2}dial <number>/);
});

test("events in words: a status report says its outcome; the position given to the network is said, not named", (t) => {
  const report = { id: 2, to: "+81311112222", part: 1, parts: 1, mr: 7, status: 0, category: "delivered", delivered: true };
  t.is(describeEvent("statusReport", report), "status report for SMS 2 to +81311112222: delivered");
  t.is(describeEvent("statusReport", { ...report, status: 0x41, category: "failed", delivered: false }), "status report for SMS 2 to +81311112222: failed (TP-ST 65)");
  t.is(describeEvent("position", { given: "error", reason: "not in an emergency call", fix: null }), "position not given to the network: not in an emergency call");
  t.is(describeEvent("position", { given: "location", reason: "", fix: { lat: 35.6, lon: 139.7, accuracyM: 10, atMs: 0, source: "gnss" } }), "position given to the network");
});

test("replies to answer, hangup, reject, hold name the call without the state it had before the command", (t) => {
  const call: CallInfo = { id: 1, direction: "incoming", status: "incoming", number: "+81311112222", name: "", calledNumber: "", connectedNumber: "", emergency: false, startedAt: 0, connectedAt: null, endedAt: null, end: null };
  t.is(describeReply("answer", { ok: true, call }), "answer: ok, call 1 incoming +81311112222");
  t.is(describeReply("hangup", { ok: true, call: { ...call, id: 2, status: "active" } }), "hangup: ok, call 2 incoming +81311112222");
  t.is(describeReply("dial 110", { ok: true, call: { ...call, direction: "outgoing", number: "110", status: "dialing", emergency: true } }), "dial 110: ok, call 1 outgoing 110 dialing (emergency)");
});

test("status in words: the SIM and the SMS priority, and 'not known yet' for what no report gave", async (t) => {
  const r = await simRig();
  const st = await runCommand(r.fw.api, "status");
  const line = describeReply("status", st);
  t.regex(line, /; SIM ready; /, line);
  t.regex(line, /; SMS priority the smartphone$|; SMS priority [a-z]/, line);
  const bare = describeReply("status", { ...(st as object), sim: "", eps: null, cs: null, signal: null, operator: null } as unknown as AnyReply);
  t.regex(bare, /SIM not read yet; registration not known yet; signal not known yet; operator not known yet/, bare);
});

test("help says what code sends: the SMS priority codes only, as the refusal of another code says", async (t) => {
  const r = await simRig();
  t.true(helpLines().some((l) => /^code <service code>\s+send an SMS priority code as typed \(\*103\*1#, \*#103#\); no other codes$/.test(l)));
  const other = await runCommand(r.fw.api, "code *100#");
  t.false(other.ok);
  if (!other.ok) t.regex(other.message, /is not an SMS priority code/);
});
