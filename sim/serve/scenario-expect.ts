/**
 * Checking one expectation of a scenario against the world at the current instant:
 * whether it holds, and what was seen instead (for the failure message).
 *
 * Matching (docs/scenarios.md): an expected object matches when each of its fields
 * matches the actual one (other fields are ignored); a list matches a list of the same
 * length item by item; `{"$contains": "s"}` matches a string containing s, `{"$regex":
 * "r"}` one matching r; `null` matches a missing field; anything else must be equal.
 *
 * Histories (events, logged calls, AT lines, the network log) are looked at from the
 * start of the step; states (calls, line states, registrations) as they are now.
 */
import { partyCallView, deviceView } from "./views.js";
import type { Expectation } from "./scenario-format.js";
import type { Mark, World } from "./scenario-world.js";

export interface Verdict {
  holds: boolean;
  /** What was seen, for people. */
  saw: string;
}

/** Whether `actual` matches `expected` (see the module comment). */
export function matches(actual: unknown, expected: unknown): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e));
  }
  if (typeof expected === "object") {
    const ex = expected as { [k: string]: unknown };
    if (typeof ex.$contains === "string") return typeof actual === "string" && actual.indexOf(ex.$contains) >= 0;
    if (typeof ex.$regex === "string") return typeof actual === "string" && new RegExp(ex.$regex).test(actual);
    if (typeof actual !== "object" || actual === null) return false;
    const ac = actual as { [k: string]: unknown };
    return Object.keys(ex).every((k) => matches(ac[k], ex[k]));
  }
  return actual === expected;
}

function brief(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return "nothing";
  return s.length > 240 ? s.slice(0, 237) + "..." : s;
}

/** Items of a history; holds when some (or exactly `count`) match. */
function history(items: unknown[], pick: (x: unknown) => boolean, e: Expectation, label: string): Verdict {
  const hits = items.filter(pick).length;
  const holds = e.count === undefined ? hits > 0 : hits === e.count;
  const shown = items.length === 0 ? "no " + label : items.length + " " + label + ": " + items.slice(-8).map(brief).join("; ");
  return { holds, saw: (e.count !== undefined ? hits + " matching; " : "") + shown };
}

function accessoryCheck(w: World, e: Expectation, m: Mark): Verdict {
  const a = w.accessories[e.name];
  switch (e.check) {
    case "lineState": {
      const s = a.agent.lineState();
      return { holds: s === e.value, saw: "lineState " + s };
    }
    case "calls": {
      const calls = a.agent.calls();
      return { holds: matches(calls, e.value), saw: "calls " + brief(calls) };
    }
    case "event": {
      const evs = a.events.slice(m.events[e.name]).filter((r) => r.name === e.value);
      return history(
        evs.map((r) => r.payload),
        (p) => e.with === undefined || matches(p, e.with),
        e,
        e.value + " events",
      );
    }
    case "logged": {
      const evs = a.events.slice(m.events[e.name]).filter((r) => r.name === "logged");
      return history(
        evs.map((r) => r.payload),
        (p) => matches(p, e.value),
        e,
        "call log entries",
      );
    }
    case "at":
    case "sent": {
      const lines = (e.check === "at" ? a.atLines.slice(m.at[e.name]) : a.sentLines.slice(m.sent[e.name])).map((l) => l.line);
      // A string is a prefix; {"$regex"} / {"$contains"} match as anywhere else.
      const line = typeof e.value === "string" ? (l: unknown) => (l as string).indexOf(e.value as string) === 0 : (l: unknown) => matches(l, e.value);
      return history(lines, line, e, e.check === "at" ? "lines from the modem" : "commands to the modem");
    }
    case "registration": {
      const r = a.agent.registration();
      return { holds: r === e.value, saw: "registration " + (r || "unknown") };
    }
    case "activation": {
      const s = a.agent.activation ? a.agent.activation() : undefined;
      return { holds: s === e.value, saw: "activation " + (s || "unknown") };
    }
    case "inbox":
    case "sentHistory": {
      const box = a.agent.messages ? a.agent.messages() : undefined;
      const list = box ? (e.check === "inbox" ? box.inbox : box.sent) : undefined;
      return { holds: list !== undefined && matches(list, e.value), saw: e.check + " " + (list ? brief(list) : "not readable on this firmware") };
    }
    case "listed": {
      // R14: the registration list shows it (registered, reachable or not).
      const rows = w.activation.registrations(a.num.msisdn);
      const row = rows.filter((r) => r.imei === a.port.imei)[0];
      const listed = row !== undefined && (row.state === "registered" || row.state === "not reachable");
      return { holds: listed === e.value, saw: "registration list " + brief(rows.map((r) => [r.friendlyName, r.device, r.state])) };
    }
    default: {
      const v = deviceView(a.port);
      return { holds: matches(v, e.value), saw: "network view " + brief({ ...v, calls: v.calls.map((c) => c.state) }) };
    }
  }
}

function phoneCheck(w: World, e: Expectation, m: Mark): Verdict {
  const p = w.phones[e.name];
  switch (e.check) {
    case "calls": {
      const live = p.phone.live().map((c) => ({ ...c }));
      return { holds: matches(live, e.value), saw: "calls " + brief(live) };
    }
    case "event": {
      const evs = p.events.slice(m.events[e.name]).filter((r) => r.name === e.value);
      return history(
        evs.map((r) => r.payload),
        (x) => e.with === undefined || matches(x, e.with),
        e,
        e.value + " events",
      );
    }
    case "logged":
      return history(p.phone.callLog.slice(m.callLog[e.name]), (x) => matches(x, e.value), e, "call log entries");
    case "inbox": {
      // P's own lists (R63), in the same shape as an accessory's: {from, text}, {to, text}.
      const inbox = p.phone.inbox().map((x) => ({ from: x.peer, text: x.text }));
      return { holds: matches(inbox, e.value), saw: "inbox " + brief(inbox) };
    }
    case "sentHistory": {
      const sent = p.phone.sent.map((x) => ({ ...x }));
      return { holds: matches(sent, e.value), saw: "sentHistory " + brief(sent) };
    }
    default: {
      const v = deviceView(p.phone);
      return { holds: matches(v, e.value), saw: "network view " + brief({ ...v, calls: v.calls.map((c) => c.state) }) };
    }
  }
}

function partyCheck(w: World, e: Expectation): Verdict {
  const p = w.parties[e.name];
  if (e.check === "call") {
    const last = p.lastCall ? partyCallView(p.lastCall) : undefined;
    return { holds: last !== undefined && matches(last, e.value), saw: "last call " + brief(last) };
  }
  if (e.check === "calls") {
    const calls = p.calls.map(partyCallView);
    return { holds: matches(calls, e.value), saw: "calls " + brief(calls) };
  }
  return history(p.messages(), (x) => matches(x, e.value), e, "messages");
}

/** Whether `e` holds now, and what was seen. */
export function evaluate(w: World, e: Expectation, m: Mark): Verdict {
  switch (e.subject) {
    case "device":
      return w.accessories[e.name] ? accessoryCheck(w, e, m) : phoneCheck(w, e, m);
    case "party":
      return partyCheck(w, e);
    case "line": {
      const s = w.lineText(e.name);
      return { holds: s === e.value, saw: "line " + s };
    }
    case "log": {
      const entries = w.net.log.since(m.logSeq).map((x) => w.namedEntry(x));
      const want = e.value as { [k: string]: unknown };
      const same = entries.filter((x) => want.kind === undefined || matches(x.kind, want.kind));
      return history(same, (x) => matches(x, e.value), e, "log entries" + (want.kind !== undefined ? " of that kind" : ""));
    }
    default: {
      const r = w.results[e.name];
      if (!r || !r.settled) return { holds: false, saw: "the action has not finished" };
      return { holds: matches(r.value, e.with), saw: "result " + brief(r.value) };
    }
  }
}
