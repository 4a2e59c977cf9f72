/**
 * The SMS priority device (優先受信端末, SPEC R68–R71, R77–R82) as this accessory sees it.
 *
 * - `*103*1#` makes this accessory the priority device; it is sent from here (R69).
 * - `*103*0#` makes the smartphone the priority device and must come from the smartphone:
 *   it is refused here, with a sentence saying so, before anything reaches the modem.
 * - `*#103#` asks which device has priority.
 * - Answers (R80–R81): a state token first, `103*7*0#` (the smartphone) or `103*7*1#` (an
 *   accessory), then a readable part: `smartphone`, `this accessory`, or
 *   `another accessory: <name>`; a refusal is `NG: <reason>`.
 * - The last known state is kept in Storage and shown (R82), whether it came from a code
 *   sent here, from a query, or from the companion link when it changed on another
 *   device (`priorityChanged`). A code without an answer keeps it and says "no answer
 *   from the network" (R81).
 * - Boards without native SMS refuse all of it (R71: service codes do nothing there).
 */
import type { Clock } from "../../hal/types.js";
import type { SmsCapability } from "../board.js";
import { smsRefusal } from "./capability.js";
import { errorText, messagingError } from "./errors.js";
import { KEY, type Store } from "./store.js";
import type { CodeAnswer, Cusd, ServiceCodes } from "./ussd.js";

/** Who has priority: the smartphone, this accessory, another accessory, an accessory the answer did not name, or not known. */
export type PriorityHolder = "smartphone" | "this" | "other" | "accessory" | "unknown";

export interface PriorityState {
  holder: PriorityHolder;
  /** The other accessory's friendly name ("" when not `other` or not given). */
  name: string;
  /** Where the state came from. */
  source: "none" | "set" | "query" | "companion" | "network";
  /** The network's answer as it came ("" when none). */
  answer: string;
  /** When it was learned (clock ms; 0 never). */
  at: number;
}

export type PriorityFailure = "capability" | "refused-locally" | "bad-code" | "refused" | "no-answer" | "unreadable" | "failed";

/** What `setPriority`, `queryPriority` and `serviceCode` give back; never a rejection. */
export type PriorityResult =
  | { ok: true; state: PriorityState; message: string }
  | { ok: false; reason: PriorityFailure; message: string; state: PriorityState };

/** R77 codes. */
export const CODES = { accessory: "*103*1#", smartphone: "*103*0#", query: "*#103#" };

export const UNKNOWN: PriorityState = { holder: "unknown", name: "", source: "none", answer: "", at: 0 };

/** The state in words, as settings show it. */
export function describePriority(s: PriorityState): string {
  switch (s.holder) {
    case "smartphone":
      return "the smartphone";
    case "this":
      return "this accessory";
    case "other":
      return s.name !== "" ? "another accessory: " + s.name : "another accessory";
    case "accessory":
      return "an accessory";
    default:
      return "not known";
  }
}

export type ParsedAnswer = { kind: "state"; holder: PriorityHolder; name: string } | { kind: "ng"; reason: string } | { kind: "unreadable" };

function after(text: string, start: number): string {
  let s = text.substr(start);
  while (s.length > 0 && " :,-\t".indexOf(s.charAt(0)) >= 0) s = s.substr(1);
  return s.trim();
}

/** Reads an answer text of R80–R81. */
export function parsePriorityAnswer(text: string): ParsedAnswer {
  const t = text.trim();
  if (t.substr(0, 2).toUpperCase() === "NG") return { kind: "ng", reason: after(t, 2) };
  let token = -1;
  let at = t.indexOf("103*7*0#");
  if (at >= 0) token = 0;
  else {
    at = t.indexOf("103*7*1#");
    if (at >= 0) token = 1;
  }
  if (token < 0) return { kind: "unreadable" };
  // The token comes first; some models show it with the leading `*` or `#`.
  const readable = after(t, at + 8);
  const low = readable.toLowerCase();
  if (token === 0) return { kind: "state", holder: "smartphone", name: "" };
  if (low.indexOf("this accessory") === 0) return { kind: "state", holder: "this", name: "" };
  if (low.indexOf("another accessory") === 0) return { kind: "state", holder: "other", name: after(readable, 17) };
  return { kind: "state", holder: "accessory", name: "" };
}

/** Normalises what a person typed: spaces removed. */
function normalise(code: string): string {
  let out = "";
  for (let i = 0; i < code.length; i++) if (code.charAt(i) !== " ") out += code.charAt(i);
  return out;
}

export class Priority {
  private current: PriorityState = UNKNOWN;

  constructor(
    private readonly codes: ServiceCodes | undefined,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly sms: SmsCapability,
    private readonly changed: (s: PriorityState) => void,
    private readonly log: (line: string) => void,
  ) {}

  load(): Promise<void> {
    const self = this;
    return this.store.read(KEY.priority).then(
      function (v) {
        const s = v as PriorityState | undefined;
        if (s && typeof s.holder === "string") self.current = s;
      },
      function (e) {
        self.log("sms: priority record unreadable: " + errorText(e));
      },
    );
  }

  /** The last known state (R82). */
  state(): PriorityState {
    return this.current;
  }

  /**
   * Runs a code a person typed: `*103*1#` and `*#103#` are sent, `*103*0#` is refused here
   * (R69), anything else is not a priority code.
   */
  serviceCode(code: string): Promise<PriorityResult> {
    const c = typeof code === "string" ? normalise(code) : "";
    if (c === CODES.accessory) return this.setPriority("accessory");
    if (c === CODES.query) return this.queryPriority();
    if (c === CODES.smartphone) return this.setPriority("smartphone");
    return Promise.resolve(this.refuse("bad-code", JSON.stringify(code) + " is not an SMS priority code; this accessory sends " + CODES.accessory + " (make this accessory the priority device) and " + CODES.query + " (ask)"));
  }

  /** Makes this accessory the priority device (`*103*1#`); `smartphone` is refused (R69). */
  setPriority(target?: "accessory" | "smartphone"): Promise<PriorityResult> {
    const gate = this.gate();
    if (gate) return Promise.resolve(gate);
    if (target === "smartphone") {
      return Promise.resolve(
        this.refuse("refused-locally", CODES.smartphone + " makes the smartphone the priority device and must be sent from the smartphone; nothing was sent"),
      );
    }
    const self = this;
    return this.codes!.run(CODES.accessory).then(function (a) {
      return self.outcome(a, "set");
    });
  }

  /** Asks the network which device has priority (`*#103#`). */
  queryPriority(): Promise<PriorityResult> {
    const gate = this.gate();
    if (gate) return Promise.resolve(gate);
    const self = this;
    return this.codes!.run(CODES.query).then(function (a) {
      return self.outcome(a, "query");
    });
  }

  /**
   * The companion link reports a change made on another device (R82). Validated, kept
   * and shown; resolves with the state kept.
   */
  priorityChanged(state: { holder: PriorityHolder; name?: string }): Promise<PriorityState> {
    const ok = ["smartphone", "this", "other", "accessory", "unknown"];
    if (!state || ok.indexOf(state.holder) < 0) {
      return Promise.reject(messagingError("bad-code", "priorityChanged: holder must be one of " + ok.join(", ")));
    }
    const name = typeof state.name === "string" && state.holder === "other" ? state.name.substr(0, 64) : "";
    return this.keep({ holder: state.holder, name: name, source: "companion", answer: "", at: this.clock.now() });
  }

  /**
   * R72: the network refused this device (unregistered, R18). If it held the priority,
   * the smartphone holds it again: the shown state follows at once, without a query
   * (an unregistered device can send no service code). Resolves with the state kept.
   */
  unregistered(): Promise<PriorityState> {
    if (this.current.holder !== "this") return Promise.resolve(this.current);
    return this.keep({ holder: "smartphone", name: "", source: "network", answer: "", at: this.clock.now() });
  }

  /** A `+CUSD` nobody asked for: a network that tells the state by itself. */
  unsolicited(c: Cusd): void {
    const p = parsePriorityAnswer(c.text);
    if (p.kind !== "state") return;
    this.keep({ holder: p.holder, name: p.name, source: "network", answer: c.text, at: this.clock.now() });
  }

  private gate(): PriorityResult | undefined {
    const why = smsRefusal(this.sms);
    if (why === "") return undefined;
    return this.refuse("capability", "service codes do nothing on this device: " + why);
  }

  private refuse(reason: PriorityFailure, message: string): PriorityResult {
    return { ok: false, reason: reason, message: message, state: this.current };
  }

  /** Shows the new state at once; it is written to Storage too (a failed write is logged, the state still shown). */
  private keep(s: PriorityState): Promise<PriorityState> {
    this.current = s;
    this.changed(s);
    const log = this.log;
    return this.store.put(KEY.priority, s).then(
      function () {
        return s;
      },
      function (e) {
        log("sms: priority state not stored: " + errorText(e));
        return s;
      },
    );
  }

  private outcome(a: CodeAnswer, source: "set" | "query"): Promise<PriorityResult> {
    const last = "; last known: " + describePriority(this.current);
    if (a.kind === "failed") return Promise.resolve(this.refuse("failed", a.message + last));
    if (a.kind === "no-answer") return Promise.resolve(this.refuse("no-answer", "no answer from the network" + last));
    if (a.kind === "dialled") {
      // R80: dialled, the network applies the code and releases with cause 16.
      const normal = a.released && (a.cause === undefined || a.cause === 16);
      if (!normal) {
        const why = a.released ? "the network released the code with cause " + a.cause + (a.causeText ? " (" + a.causeText + ")" : "") : "no answer from the network";
        return Promise.resolve(this.refuse(a.released ? "refused" : "no-answer", why + last));
      }
      if (source === "query") return Promise.resolve(this.refuse("no-answer", "the network took the code but sent no answer text" + last));
      return this.keep({ holder: "this", name: "", source: "set", answer: "", at: this.clock.now() }).then(function (s) {
        return { ok: true, state: s, message: "this accessory is now the SMS priority device" } as PriorityResult;
      });
    }
    const p = parsePriorityAnswer(a.cusd.text);
    if (p.kind === "ng") return Promise.resolve(this.refuse("refused", "the network refused the code: " + (p.reason || a.cusd.text) + last));
    if (p.kind === "unreadable") return Promise.resolve(this.refuse("unreadable", "the network's answer could not be read: " + JSON.stringify(a.cusd.text) + last));
    return this.keep({ holder: p.holder, name: p.name, source: source, answer: a.cusd.text, at: this.clock.now() }).then(function (s) {
      const now = "the SMS priority device is " + describePriority(s);
      if (source === "set" && s.holder !== "this") {
        return { ok: false, reason: "refused", message: "the network answered that " + now, state: s } as PriorityResult;
      }
      return { ok: true, state: s, message: now } as PriorityResult;
    });
  }
}
