/**
 * hal/emitter.ts and hal/errors.ts inside the real Espruino interpreter: the typed
 * emitter (synchronous, ordered, unsubscribe during emit, error routing) and
 * `defineError` (the Error-subclass replacement, espruino-facts.md "Error subclasses").
 */
import { assert, check, equal, runChecks, throws } from "../harness.js";
import { Emitter } from "../../../hal/emitter.js";
import { defineError, StorageCorruptError, StorageError } from "../../../hal/errors.js";
import { findText, hasText } from "../../../hal/text.js";

type Events = { line: string; count: number };

check("emitter: listeners run synchronously, in subscription order, with the payload", function () {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  e.on("line", function (s) {
    seen.push("a:" + s);
  });
  e.on("line", function (s) {
    seen.push("b:" + s);
  });
  e.emit("line", "OK");
  equal(seen, ["a:OK", "b:OK"], "order right after emit returns");
});

check("emitter: events are separate and emit without listeners is a no-op", function () {
  const e = new Emitter<Events>();
  let lines = 0;
  let counts = 0;
  e.on("line", function () {
    lines++;
  });
  e.on("count", function (n) {
    counts += n;
  });
  e.emit("count", 5);
  e.emit("count", 2);
  equal(lines, 0, "line listener untouched");
  equal(counts, 7, "count payloads");
  const empty = new Emitter<Events>();
  empty.emit("line", "nobody");
  equal(empty.listenerCount("line"), 0, "no listeners");
});

check("emitter: unsubscribe stops delivery and is harmless twice", function () {
  const e = new Emitter<Events>();
  let n = 0;
  const off = e.on("count", function (k) {
    n += k;
  });
  e.emit("count", 1);
  off();
  off();
  e.emit("count", 10);
  equal(n, 1, "only the first emit arrived");
  equal(e.listenerCount("count"), 0, "listener removed");
});

check("emitter: a listener unsubscribing during emit does not skip its neighbour", function () {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  const offA = e.on("line", function () {
    seen.push("a");
    offA();
  });
  e.on("line", function () {
    seen.push("b");
  });
  e.emit("line", "x");
  e.emit("line", "y");
  equal(seen, ["a", "b", "b"], "b ran both times, a once");
});

check("emitter: a throwing listener does not stop the others; the first error is rethrown", function () {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  e.on("line", function () {
    throw new Error("first");
  });
  e.on("line", function () {
    seen.push("second ran");
  });
  e.on("line", function () {
    throw new Error("third");
  });
  const err = throws(function () {
    e.emit("line", "x");
  }, "emit with throwing listeners") as Error;
  equal(err.message, "first", "the first error is the one rethrown");
  equal(seen, ["second ran"], "the listener after the thrower ran");
});

check("emitter: onListenerError receives the error and the event name instead", function () {
  const e = new Emitter<Events>();
  const got: string[] = [];
  e.onListenerError = function (err, event) {
    got.push(event + ":" + (err as Error).message);
  };
  e.on("count", function () {
    throw new Error("boom");
  });
  e.emit("count", 1);
  equal(got, ["count:boom"], "routed to the sink, emit did not throw");
});

check("emitter: a listener gets the event's name, so one function can serve several events", function () {
  const e = new Emitter<Events>();
  const seen: string[] = [];
  const one = function (x: unknown, ev: string) {
    seen.push(ev + "=" + String(x));
  };
  e.on("line", one);
  e.on("count", one);
  e.emit("line", "OK");
  e.emit("count", 3);
  equal(seen, ["line=OK", "count=3"], "each call named its event");
});

check("emitter: listeners() is the live list, before, between and after subscriptions and removals", function () {
  const e = new Emitter<Events>();
  let n = 0;
  const offA = e.on("count", function (k) {
    n += k;
  });
  const live = e.listeners("count");
  equal(live.length, 1, "the lone listener is in the list");
  const offB = e.on("count", function (k) {
    n += 10 * k;
  });
  equal(live.length, 2, "a later subscription goes into the same list");
  offA();
  equal(live.length, 1, "a removal too");
  e.emit("count", 1);
  equal(n, 10, "only the remaining listener ran");
  offB();
  equal(live.length, 0, "empty again");
  equal(e.listenerCount("count"), 0, "and counted so");
  const fresh = new Emitter<Events>();
  const empty = fresh.listeners("line");
  fresh.on("line", function () {
    n = -1;
  });
  equal(empty.length, 1, "a list asked for before any subscription gets the first one");
});

check("emitter: more than four payload fields and nested objects pass through (Espruino's own emitter takes at most 4 args)", function () {
  const e = new Emitter<{ rec: { a: number; b: number; c: number; d: number; e: number; f: number[] } }>();
  let sum = 0;
  e.on("rec", function (r) {
    sum = r.a + r.b + r.c + r.d + r.e + r.f[0];
  });
  e.emit("rec", { a: 1, b: 2, c: 3, d: 4, e: 5, f: [6] });
  equal(sum, 21, "all fields arrived");
});

const TimeoutError = defineError<{ command: string; ms: number }>("TimeoutError");
const OtherError = defineError<{ code: number }>("OtherError");

check("defineError: instances are instanceof Error and of their own type only", function () {
  const e = TimeoutError("no answer to AT", { command: "AT", ms: 300 });
  assert(e instanceof Error, "instanceof Error");
  assert(e instanceof TimeoutError, "instanceof TimeoutError");
  assert(!(e instanceof OtherError), "not instanceof another defined type");
  assert(TimeoutError.is(e), "TimeoutError.is");
  assert(!OtherError.is(e), "OtherError.is is false");
  assert(!TimeoutError.is(new Error("plain")), "a plain Error is not a TimeoutError");
  assert(!TimeoutError.is("TimeoutError"), "a string is not a TimeoutError");
});

check("defineError: message, name and fields are set (Espruino leaves name undefined by itself)", function () {
  const e = TimeoutError("no answer to AT+CSQ", { command: "AT+CSQ", ms: 5000 });
  equal(e.message, "no answer to AT+CSQ", "message");
  equal(e.name, "TimeoutError", "name");
  equal(e.command, "AT+CSQ", "field command");
  equal(e.ms, 5000, "field ms");
  assert(Object.getPrototypeOf(e) === TimeoutError.prototype, "prototype is the type's");
});

check("defineError: a thrown instance is caught with its type and fields intact", function () {
  let caught: unknown = undefined;
  try {
    throw OtherError("bad", { code: 42 });
  } catch (err) {
    caught = err;
  }
  assert(OtherError.is(caught), "caught value is an OtherError");
  equal((caught as { code: number }).code, 42, "field survives throw/catch");
});

check("defineError: the HAL's storage errors are distinct types", function () {
  const a = StorageError("full", { key: "k", detail: "no space" });
  const b = StorageCorruptError("crc", { key: "k", detail: "checksum" });
  assert(StorageError.is(a) && !StorageError.is(b), "StorageError");
  assert(StorageCorruptError.is(b) && !StorageCorruptError.is(a), "StorageCorruptError");
  equal(b.detail, "checksum", "detail field");
});

check("defineError: a rejection with a defined error reaches the promise's handler", function () {
  return Promise.reject(OtherError("late", { code: 7 })).then(
    function () {
      throw new Error("should have rejected");
    },
    function (err: unknown) {
      assert(OtherError.is(err), "rejection value is an OtherError");
      equal((err as { code: number }).code, 7, "code");
    },
  );
});

runChecks();

check("findText: no match where the string ends with the needle's first part (Espruino 2v29's indexOf gives one)", function () {
  equal(findText("xab", "abc"), -1, "xab / abc");
  equal(findText("OK\r", "\r\n"), -1, "OK CR / CR LF");
  equal(findText("abc", "cd", 5), -1, "start past the end");
  equal(findText("<pos><pos_m", "<pos_meas>"), -1, "a +CPOSR line cut inside a tag");
  equal(findText("a<pos_meas>b<pos_meas>", "<pos_meas>", 2), 12, "a real match after the start");
  equal(findText("OK\r\n", "\r\n"), 2, "a real match at the end");
  assert(hasText("radio link failure", "link"), "hasText finds what is there");
  assert(!hasText("radio rl", "rlf"), "hasText: not the first part at the end");
});
