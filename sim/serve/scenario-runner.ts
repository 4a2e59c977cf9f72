/**
 * Runs a scenario (scenario-format.ts) in a fresh world (scenario-world.ts) on virtual
 * time: each step's actions happen at one instant, in order (a `wait` lets time pass),
 * then virtual time moves on in small ticks until every expectation of the step holds,
 * or one runs out of time (`within`), or a `not` expectation happens. The first failure
 * ends the run and says which expectation failed and what was seen instead.
 */
import type { Coverage, SharedNumber } from "../network/index.js";
import { evaluate } from "./scenario-expect.js";
import type { Action, Expectation, Scenario } from "./scenario-format.js";
import { AgentFactory, AgentResult, Mark, World } from "./scenario-world.js";

export interface RunOptions {
  /** Builds each accessory's firmware. */
  factory: AgentFactory;
  /** Gets one line per step, action and expectation. */
  print?: (line: string) => void;
  /** How far virtual time moves between two looks at pending expectations (default 50 ms). */
  tickMs?: number;
}

export interface ScenarioFailure {
  /** Where in the file: `given`, `steps[2].when[0]`, `steps[2].then[1]`. */
  path: string;
  /** The failed action or expectation in words. */
  what: string;
  /** Why: what was seen instead, or the error. */
  why: string;
}

export interface ScenarioResult {
  ok: boolean;
  title: string;
  failure?: ScenarioFailure;
  /** Virtual time the scenario took after start-up (ms). */
  elapsedMs: number;
}

class Failed extends Error {
  constructor(readonly failure: ScenarioFailure) {
    super(failure.path + " (" + failure.what + "): " + failure.why);
  }
}

function secs(ms: number): string {
  return "+" + (ms / 1000).toFixed(3) + "s";
}

function numberOf(w: World, name: unknown): SharedNumber {
  return w.numbers[name as string];
}

/** Starts an action; an accessory's comes back as a promise of the firmware's result. */
function perform(w: World, a: Action): Promise<AgentResult> | undefined {
  const g = a.args;
  if (a.kind === "accessory") {
    const acc = w.accessories[a.by];
    const fw = acc.agent;
    switch (a.verb) {
      case "answer":
        return fw.answer();
      case "reject":
        return fw.reject();
      case "hangup":
        return fw.hangup();
      case "dial":
        return fw.dial(w.resolve(g.number as string));
      case "accept-waiting":
        return fw.acceptWaiting(g.how as "hold" | "release");
      case "hold":
        return fw.holdOrSwap();
      case "dtmf":
        return fw.dtmf(g.tones as string);
      case "sms":
        return fw.sendSms(w.resolve(g.to as string), g.text as string, g.statusReport as boolean | undefined);
      case "code":
        return fw.serviceCode(g.code as string);
      case "coverage":
        acc.port.setCoverage(g.state as Coverage);
        return undefined;
      case "pdpdeact":
        acc.port.deactivateData(g.cid as number | undefined);
        return undefined;
      case "location":
        if (!fw.setLocation) throw new Error(a.by + "'s firmware has no location input");
        return fw.setLocation(g.lat as number, g.lon as number, g.accuracyM as number | undefined);
      default:
        acc.modem.reboot();
        return undefined;
    }
  }
  if (a.kind === "phone") {
    const p = w.phones[a.by].phone;
    switch (a.verb) {
      case "answer":
        return void p.answer();
      case "decline":
        return void p.decline();
      case "hangup":
        return void p.hangup();
      case "dial":
        return void p.dial(w.resolve(g.number as string), { withhold: g.withhold as boolean | undefined });
      case "sms":
        return void p.sendSms(w.resolve(g.to as string), g.text as string);
      case "code":
        return void p.serviceCode(g.code as string);
      case "dtmf":
        return void p.sendDtmf(g.tones as string);
      case "coverage":
        return void p.setCoverage(g.state as Coverage);
      case "power":
        return void (g.on ? p.powerOn() : p.powerOff());
      case "register":
      case "unregister": {
        // P's companion app through the TS.43 entitlement server (R8, R12, R13, R15).
        const acc = w.accessories[g.accessory as string];
        const run = a.verb === "register" ? w.activation.register(acc.num.msisdn, acc.port.imei) : w.activation.unregister(acc.num.msisdn, acc.port.imei);
        return Promise.resolve(JSON.parse(JSON.stringify(run)) as AgentResult);
      }
      default:
        p.doNotDisturb = g.on as boolean;
        return undefined;
    }
  }
  if (a.kind === "party") {
    const p = w.parties[a.by];
    switch (a.verb) {
      case "call":
        return void p.call(w.resolve(g.to as string), { withhold: g.withhold as boolean | undefined });
      case "answer":
        return void p.answer();
      case "reject":
        return void p.reject(undefined, g.cause as number | undefined);
      case "hangup":
        return void p.hangup();
      case "sms":
        return void p.sendSms(w.resolve(g.to as string), g.text as string, { partGapMs: g.partGapMs as number | undefined });
      case "dtmf":
        return void p.sendDtmf(g.tones as string);
      default:
        p.busy = g.on as boolean;
        return undefined;
    }
  }
  switch (a.verb) {
    case "unregister": {
      const acc = w.accessories[g.device as string];
      // The management site comes with the Multi-device option (R14); without it, ManageSubscription (R15).
      if (acc.num.multiDevice) w.site.unregister(acc.num.msisdn, acc.port.id);
      else w.net.manageSubscription(acc.num.msisdn, { operationType: 1, imei: acc.port.imei });
      return undefined;
    }
    case "multi-device":
      w.site.setMultiDevice(numberOf(w, g.number).msisdn, g.on as boolean);
      return undefined;
    case "emergency-numbers":
      w.net.setEmergencyNumbers({ ...w.net.params.emergencyNumbers, numbers: g.numbers as { number: string; categories: number }[] });
      return undefined;
    case "fail-branch": {
      const name = g.device as string;
      const cause = g.cause as number;
      if (w.phones[name]) {
        w.phones[name].phone.failBranch(cause);
        return undefined;
      }
      const port = w.accessories[name].port;
      const leg = port.legs.filter((l) => l.state === "incoming")[0];
      if (!leg) throw new Error(name + " has no ringing call whose branch could fail");
      // The network ends this branch and tells the device, as a failed paging or an incompatible terminal does.
      leg.owner.abortLeg(leg, { cause }, true);
      return undefined;
    }
    case "faults": {
      const faults = numberOf(w, g.number).faults;
      if (g.ussdSilent !== undefined) faults.ussdSilent = g.ussdSilent as boolean;
      if (g.ussdUnsupported !== undefined) faults.ussdUnsupported = g.ussdUnsupported as boolean;
      return undefined;
    }
    case "end-one-number":
      w.site.endOneNumber(numberOf(w, g.number).msisdn);
      return undefined;
    default:
      numberOf(w, g.number).changeSettings(undefined, g.settings as object, "R58");
      return undefined;
  }
}

async function runActions(w: World, actions: Action[], print: (l: string) => void): Promise<void> {
  for (const a of actions) {
    print("    when " + a.text);
    if (a.verb === "wait") {
      await w.clock.advance(a.args.ms as number);
      continue;
    }
    let p: Promise<AgentResult> | undefined;
    try {
      p = perform(w, a);
    } catch (e) {
      throw new Failed({ path: a.path, what: a.text, why: (e as Error).message });
    }
    if (p && a.as) {
      const slot: { settled: boolean; value?: AgentResult } = { settled: false };
      w.results[a.as] = slot;
      p.then(
        (v) => {
          slot.settled = true;
          slot.value = v;
        },
        (e: unknown) => {
          slot.settled = true;
          slot.value = { ok: false, error: String(e) };
        },
      );
    } else if (p) p.catch(() => undefined);
  }
  await w.clock.advance(0);
}

async function runExpectations(w: World, then: Expectation[], mark: Mark, tickMs: number, print: (l: string) => void): Promise<void> {
  const start = w.clock.now();
  const pending = then.map((e) => ({ e, deadline: start + e.withinMs, done: false }));
  for (;;) {
    const now = w.clock.now();
    for (const p of pending) {
      if (p.done) continue;
      const v = evaluate(w, p.e, mark);
      const windowed = p.e.not || p.e.count !== undefined;
      if (p.e.not && v.holds) throw new Failed({ path: p.e.path, what: p.e.text, why: "it happened at " + secs(now - mark.t) + ": " + v.saw });
      if (!windowed && v.holds) {
        p.done = true;
        print("    then ok " + p.e.text + " (" + secs(now - mark.t) + ")");
      } else if (now >= p.deadline) {
        if (!p.e.not && !v.holds) throw new Failed({ path: p.e.path, what: p.e.text, why: "not within " + p.e.withinMs + " ms; saw " + v.saw });
        p.done = true;
        print("    then ok " + p.e.text + " (through " + secs(now - mark.t) + ")");
      }
    }
    const open = pending.filter((p) => !p.done);
    if (open.length === 0) return;
    const next = Math.min(now + tickMs, Math.min.apply(null, open.map((p) => p.deadline)));
    await w.clock.advance(Math.max(0, next - now));
  }
}

/** Runs `s` with the firmware `o.factory` builds; never throws for a failing scenario (see `failure`). */
export async function runScenario(s: Scenario, o: RunOptions): Promise<ScenarioResult> {
  const print = o.print || (() => undefined);
  const tick = o.tickMs || 50;
  print("scenario: " + s.title);
  let w: World | undefined;
  let t0 = 0;
  try {
    try {
      w = new World(s.given, o.factory);
      await w.start();
    } catch (e) {
      throw new Failed({ path: "given", what: "setting up the numbers and devices", why: (e as Error).message });
    }
    for (const spec of s.given.numbers) {
      const devs = spec.devices.map((d) => d.name + " (" + d.board + (!d.profile ? ", no profile" : d.register ? "" : ", not registered") + ")");
      print("  given " + spec.name + " " + spec.msisdn + ": " + [spec.phone.name].concat(devs).join(", "));
    }
    const parties = Object.keys(s.given.parties);
    if (parties.length > 0) print("  given parties: " + parties.map((p) => p + " " + s.given.parties[p]).join(", "));
    t0 = w.clock.now();
    for (let i = 0; i < s.steps.length; i++) {
      const step = s.steps[i];
      print("  step " + (i + 1) + " at " + secs(w.clock.now() - t0) + (step.note ? ": " + step.note : ""));
      const mark = w.mark();
      await runActions(w, step.when, print);
      await runExpectations(w, step.then, mark, tick, print);
    }
    for (const name of Object.keys(w.accessories)) {
      const errs = w.accessories[name].modem.internalErrors;
      if (errs.length > 0) throw new Failed({ path: "end", what: "the simulated modem of " + name, why: "internal errors: " + errs.map(String).join("; ") });
    }
    const elapsedMs = w.clock.now() - t0;
    print("  passed (" + s.steps.length + " steps, " + (elapsedMs / 1000).toFixed(3) + " s of virtual time)");
    return { ok: true, title: s.title, elapsedMs };
  } catch (e) {
    if (!(e instanceof Failed)) throw e;
    print("  FAILED at " + e.message);
    return { ok: false, title: s.title, failure: e.failure, elapsedMs: w ? w.clock.now() - t0 : 0 };
  } finally {
    if (w) w.stop();
  }
}
