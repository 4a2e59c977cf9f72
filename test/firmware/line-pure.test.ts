import test from "ava";
import { classifyEnd, parseCeer } from "../../firmware/line/causes.js";
import { parseClcc } from "../../firmware/line/clcc.js";
import { emergencyDialString, foreignEmergencyAdvice, isEmergencyNumber } from "../../firmware/line/emergency.js";
import { CallLog } from "../../firmware/line/log.js";
import type { Call } from "../../firmware/line/call.js";

const incomingUnanswered = { direction: "incoming" as const, connectedAt: undefined, releasedHere: false };
const outgoingUnanswered = { direction: "outgoing" as const, connectedAt: undefined, releasedHere: false };
const connected = { direction: "incoming" as const, connectedAt: 1000, releasedHere: false };

test("+CEER in the forms modules use: cause and text, text only, location/cause/ss, category and text", (t) => {
  t.deepEqual(parseCeer('+CEER: 26,"Non-selected user clearing"'), { cause: 26, text: "Non-selected user clearing" });
  t.deepEqual(parseCeer('+CEER: "Normal call clearing"'), { cause: undefined, text: "Normal call clearing" });
  t.deepEqual(parseCeer("+CEER: Normal call clearing"), { cause: undefined, text: "Normal call clearing" });
  t.deepEqual(parseCeer("+CEER: 8,34,0"), { cause: 34, text: "" });
  t.deepEqual(parseCeer('+CEER: "CC INFO","Call completed elsewhere"'), { cause: undefined, text: "Call completed elsewhere" });
  t.is(parseCeer("+CLCC: 1"), undefined);
});

test("R86: a release before answer is answered elsewhere (26 / text), declined elsewhere (21 / Busy Everywhere), else missed", (t) => {
  t.is(classifyEnd(incomingUnanswered, { cause: 26, text: "" }), "answeredElsewhere");
  t.is(classifyEnd(incomingUnanswered, { cause: undefined, text: "Call completed elsewhere" }), "answeredElsewhere");
  t.is(classifyEnd(incomingUnanswered, { cause: 21, text: "" }), "declinedElsewhere");
  t.is(classifyEnd(incomingUnanswered, { cause: undefined, text: "Busy Everywhere" }), "declinedElsewhere");
  t.is(classifyEnd(incomingUnanswered, { cause: 16, text: "" }), "missed");
  t.is(classifyEnd(incomingUnanswered, { cause: undefined, text: "" }), "missed");
});

test("R87: an active call ended with cause 25 or a preemption text is pre-empted; otherwise the other party hung up", (t) => {
  t.is(classifyEnd(connected, { cause: 25, text: "" }), "preempted");
  t.is(classifyEnd(connected, { cause: undefined, text: "Generic Preemption" }), "preempted");
  t.is(classifyEnd(connected, { cause: 16, text: "" }), "remoteHungUp");
});

test("R88: an outgoing call refused with 34 is 'line in use'; 17 busy; 18/19 no answer; R48: 25 during set-up is pre-empted", (t) => {
  t.is(classifyEnd(outgoingUnanswered, { cause: 34, text: "" }), "lineInUse");
  t.is(classifyEnd(outgoingUnanswered, { cause: undefined, text: "Line in use on another device" }), "lineInUse");
  t.is(classifyEnd(outgoingUnanswered, { cause: 17, text: "" }), "busy");
  t.is(classifyEnd(outgoingUnanswered, { cause: 19, text: "" }), "noAnswer");
  t.is(classifyEnd(outgoingUnanswered, { cause: 25, text: "" }), "preempted");
  t.is(classifyEnd(outgoingUnanswered, { cause: 1, text: "" }), "numberUnknown"); // issue 9 §4: a cause a person tells apart
  t.is(classifyEnd(outgoingUnanswered, { cause: 31, text: "" }), "failed");
});

test("a release this device asked for is hung up or declined here, whatever the cause says", (t) => {
  t.is(classifyEnd({ direction: "incoming", connectedAt: undefined, releasedHere: true }, { cause: 26, text: "" }), "declinedHere");
  t.is(classifyEnd({ direction: "outgoing", connectedAt: 5, releasedHere: true }, { cause: 25, text: "" }), "hungUpHere");
});

test("+CLCC entries (27.007 §7.18): index, direction, status, mode, multiparty, number; bad lines refused", (t) => {
  t.deepEqual(parseClcc('+CLCC: 1,1,4,0,0,"+819011112222",145'), {
    index: 1,
    direction: "incoming",
    status: "incoming",
    mode: 0,
    multiparty: false,
    number: "+819011112222",
  });
  t.is(parseClcc("+CLCC: 2,0,2,0,0")!.status, "dialing");
  t.is(parseClcc('+CLCC: 3,0,5,0,1,"110",129')!.status, "waiting");
  t.is(parseClcc("+CLCC: 0,0,0,0,0"), undefined);
  t.is(parseClcc("+CLCC: 1,2,0,0,0"), undefined);
  t.is(parseClcc("+CLCC: 1,0,9,0,0"), undefined);
  t.is(parseClcc("+CLCC: 1,0"), undefined);
});

test("R44, R52, R53, R54: emergency numbers, 184/186 stripped, the network's list, advice for foreign numbers", (t) => {
  t.true(isEmergencyNumber("110", []) && isEmergencyNumber("118", []) && isEmergencyNumber("119", []));
  t.false(isEmergencyNumber("112", []));
  t.true(isEmergencyNumber("171", ["171"]));
  t.is(emergencyDialString("184110", []), "110");
  t.is(emergencyDialString("186119", []), "119");
  t.is(emergencyDialString("184123", []), undefined);
  t.regex(foreignEmergencyAdvice("911")!, /dial 110/);
  t.is(foreignEmergencyAdvice("110"), undefined);
});

function endedCall(id: number, number: string, patch: Partial<Call>): Call {
  const base: Call = {
    id,
    index: 1,
    direction: "incoming",
    status: "released",
    number,
    name: "",
    calledNumber: "",
    connectedNumber: "",
    emergency: false,
    startedAt: 1733580000000 + id,
    connectedAt: undefined,
    endedAt: 1733580000000 + id + 5000,
    end: { reason: "missed", cause: undefined, causeText: "", message: "missed call" },
    releasedHere: false,
  };
  return Object.assign(base, patch);
}

test("the call log reads back what it recorded (packed on the watch), whatever the number holds, newest last and bounded", (t) => {
  const log = new CallLog(3);
  const added = [
    log.add(endedCall(1, "+81311112222", {})),
    log.add(endedCall(2, "110", { direction: "outgoing", emergency: true, connectedAt: 1733580001002, end: { reason: "remoteHungUp", cause: 16, causeText: "", message: "the other party hung up" } })),
    // A number is whatever the modem printed: control characters included.
    log.add(endedCall(3, "12\x0134\x01", { end: { reason: "failed", cause: 41, causeText: "", message: "call: failed | odd" } })),
  ];
  t.deepEqual(log.list(), added);
  t.is(added[1].durationMs, 5000 + 2 - 1002);
  t.is(added[0].cause, undefined);
  t.deepEqual(log.missed().map((e) => e.id), [1]);
  log.add(endedCall(4, "", { end: undefined }));
  t.deepEqual(log.list().map((e) => e.id), [2, 3, 4]);
  t.deepEqual(log.list()[2], { id: 4, direction: "incoming", number: "", emergency: false, startedAt: 1733580000004, durationMs: 0, outcome: "failed", cause: undefined, message: "" });
});
