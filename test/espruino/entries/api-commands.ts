/**
 * The firmware API's portable pieces inside the real Espruino interpreter: console lines
 * onto API calls (firmware/commands.ts, with a recording stand-in for the API), the
 * words for events and replies with network text escaped (firmware/api/words.ts), and
 * the waits with their time limits (firmware/api/waits.ts) on Espruino's own timers.
 */
import { assert, check, equal, runChecks } from "../harness.js";
import { helpLines, runCommand, splitLine } from "../../../firmware/commands.js";
import { describeEvent, describeReply, shown } from "../../../firmware/api/words.js";
import { Waits } from "../../../firmware/api/waits.js";
import type { FirmwareApi } from "../../../firmware/api.js";
import type { Clock } from "../../../hal/types.js";

/** Records each API call as "name(args)" and answers ok. */
function recordingApi(calls: string[]): FirmwareApi {
  const api: { [k: string]: unknown } = {};
  const names = ["dial", "answer", "reject", "hangup", "hold", "acceptWaiting", "dtmf", "quiet", "calls", "log", "status", "sendSms", "inbox", "outbox", "priority", "prioritySet", "priorityQuery", "serviceCode", "pin", "waitReady", "waitIncoming", "waitCall"];
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    api[name] = function () {
      const args: unknown[] = [];
      // Rest parameters are outside Espruino's subset; `arguments` is the way here.
      // eslint-disable-next-line prefer-rest-params
      const given = arguments;
      for (let k = 0; k < given.length; k++) args.push(given[k]);
      calls.push(name + JSON.stringify(args));
      return Promise.resolve({ ok: true });
    };
  }
  return api as unknown as FirmwareApi;
}

const espruinoClock: Clock = {
  now: function () {
    return Date.now();
  },
  setTimeout: function (fn, ms) {
    return setTimeout(fn, ms);
  },
  clearTimeout: function (h) {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

check("a line splits into verb, words and the text as typed", function () {
  const p = splitLine("  sms send +8190  two  spaces ");
  equal(p.verb, "sms", "verb");
  equal(p.args, ["send", "+8190", "two", "spaces"], "words");
  equal(p.rest, "send +8190  two  spaces", "rest");
});

check("console lines reach the API calls they name, with their arguments", function () {
  const calls: string[] = [];
  const api = recordingApi(calls);
  const lines = ["dial 110", "hangup 2", "accept release", "sms send +819011112222 hi  there --report", "priority query", "wait call active 2.5", "wait incoming", "pin 1234"];
  let chain: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    chain = chain.then(function () {
      return runCommand(api, line);
    });
  }
  return chain.then(function () {
    equal(
      calls,
      [
        'dial["110"]',
        "hangup[2]",
        'acceptWaiting["release"]',
        'sendSms["+819011112222","hi  there",{"statusReport":true}]',
        "priorityQuery[]",
        'waitCall["active",2500]',
        "waitIncoming[null]",
        'pin["1234"]',
      ],
      "calls",
    );
  });
});

check("wrong and unknown lines answer usage and unknownCommand without calling the API", function () {
  const calls: string[] = [];
  const api = recordingApi(calls);
  return Promise.all([runCommand(api, "dial"), runCommand(api, "wait call ringing"), runCommand(api, "fly")]).then(function (r) {
    equal(
      r.map(function (x) {
        return x.ok ? "ok" : x.reason;
      }),
      ["usage", "usage", "unknownCommand"],
      "reasons",
    );
    equal(calls, [], "no call");
  });
});

check("help has one line per command", function () {
  const lines = helpLines();
  assert(lines.length > 15, "lines: " + lines.length);
  assert(lines[0].indexOf("dial <number>") === 0, lines[0]);
});

check("network text is shown with control characters escaped", function () {
  equal(shown("a\x1b[2Jb\n"), "a\\x1b[2Jb\\n", "escaped");
  const line = describeEvent("smsReceived", { from: "+8190", time: "t", parts: 1, text: "\x1b]0;x\x07hi" });
  equal(line, "SMS from +8190 (t): \\x1b]0;x\\x07hi", "event words");
  equal(describeReply("answer", { ok: false, reason: "nothingToAnswer", message: "no call to answer" }), "answer: no call to answer", "reply words");
});

check("a wait settles when its check holds after a poke, and times out with a reason", function () {
  const waits = new Waits(espruinoClock);
  let state = 0;
  const first = waits.until(
    function () {
      return state === 1 ? { state: state } : undefined;
    },
    5000,
    "never",
  );
  const second = waits.until(
    function () {
      return undefined;
    },
    50,
    "nothing came",
  );
  state = 1;
  waits.poke();
  return Promise.all([first, second]).then(function (r) {
    equal(r[0], { ok: true, state: 1 }, "settled");
    equal(r[1], { ok: false, reason: "timeout", message: "nothing came within 0.05 s" }, "timed out");
  });
});

runChecks();
