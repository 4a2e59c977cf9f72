/**
 * Fuzzing the AT line from the firmware's side (issue 15): an AtChannel talks to a modem
 * that answers each command promptly, late (after the command's timeout), or never, with
 * line noise, URCs and mutated copies of other commands' answers around its own. Whatever
 * comes, the channel never throws, every command settles (an answer or a typed error), a
 * command never takes another command's information line or final, and a clean `AT` at
 * the end gets its OK (the channel is not wedged).
 */
import test from "ava";
import fc from "fast-check";
import { VirtualClock } from "../../hal/memory/clock.js";
import { memorySerialPair } from "../../hal/memory/serial.js";
import { AtAbortedError, AtChannel, AtCommandError, AtTimeoutError, type AtResponse } from "../../drivers/at/index.js";

type Timing = "prompt" | "late" | "never";

interface Plan {
  timing: Timing;
  final: "OK" | "ERROR" | "+CME ERROR: 10";
  /** Noise written before the answer. */
  noise: string[];
}

const URCS = ["RING", "+CRING: VOICE", '+CLIP: "+819012345678",145', '+CMTI: "SM",3', "+CREG: 1", "+CEREG: 5", "NO CARRIER", "+CSQ: 20,99", "^BOOT:1"];

/** Noise without line ends: a random byte soup, or a mutated copy of another command's answer. */
const noiseArb = fc.oneof(
  fc.constantFrom(...URCS).map((u) => "\r\n" + u + "\r\n"),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0x20, max: 0x7e })).map(([n, at, c]) => {
    const s = "+Z" + n + ": " + n;
    const i = at % s.length;
    return "\r\n" + s.slice(0, i) + String.fromCharCode(c) + s.slice(i + 1) + "\r\n";
  }),
);

const planArb: fc.Arbitrary<Plan> = fc.record({
  timing: fc.constantFrom<Timing>("prompt", "prompt", "prompt", "late", "never"),
  final: fc.constantFrom<Plan["final"]>("OK", "OK", "ERROR", "+CME ERROR: 10"),
  noise: fc.array(noiseArb, { maxLength: 3 }),
});

let cases = 0;
let commands = 0;
let answered = 0;
let typedErrors = 0;

async function runCase(plans: Plan[]): Promise<void> {
  const clock = new VirtualClock();
  const [dte, dce] = memorySerialPair();
  const channel = new AtChannel(dte, clock, { timeoutMs: 1000, cutGraceMs: 2000 });
  // The modem runs one command line at a time (V.250 §5.2.1): a line that comes while a
  // command still runs waits for its final, as on a real module. A command answered
  // "never" was lost on the way (the modem stays free).
  let pending = "";
  let busy = false;
  const lines: string[] = [];
  const answerAfter = (ms: number, text: string) => {
    busy = true;
    clock.setTimeout(() => {
      void dce.write(text).then(() => {
        busy = false;
        runNext();
      });
    }, ms);
  };
  const runNext = () => {
    while (!busy && lines.length > 0) {
      const line = lines.shift()!;
      const m = /^AT\+Z(\d+)\?$/.exec(line);
      if (line === "AT+CMEE?") answerAfter(5, "\r\n+CMEE: 1\r\n\r\nOK\r\n");
      else if (line === "AT") answerAfter(5, "\r\nOK\r\n");
      else if (m) {
        const n = Number(m[1]);
        const p = plans[n];
        const answer = p.noise.join("") + "\r\n+Z" + n + ": " + n + "\r\n\r\n" + p.final + "\r\n";
        if (p.timing === "prompt") answerAfter(10, answer);
        else if (p.timing === "late") answerAfter(1500, answer);
      }
    }
  };
  dce.onData((chunk) => {
    pending += chunk;
    for (;;) {
      const i = pending.indexOf("\r");
      if (i < 0) break;
      lines.push(pending.slice(0, i).split(String.fromCharCode(27)).join("").replace(/^\n+/, ""));
      pending = pending.slice(i + 1);
    }
    runNext();
  });
  const results: { n: number; r?: AtResponse; e?: unknown }[] = [];
  const all = plans.map((_p, n) => {
    commands++;
    // send() never throws: it answers a promise
    return channel.send({ cmd: "AT+Z" + n + "?", prefixes: ["+Z" + n + ":"] }).then(
      (r) => results.push({ n, r }),
      (e: unknown) => results.push({ n, e }),
    );
  });
  await clock.advance(plans.length * 6000 + 10000);
  if (results.length !== plans.length) throw new Error("only " + results.length + " of " + plans.length + " commands settled");
  await Promise.all(all);
  for (const x of results) {
    if (x.r) {
      answered++;
      for (const l of x.r.lines) if (l.indexOf("+Z" + x.n + ":") !== 0) throw new Error("command " + x.n + " took a line that is not its own: " + l);
      if (x.r.final !== "OK") throw new Error("command " + x.n + " resolved with final " + x.r.final);
      const plan = plans[x.n];
      if (plan.final !== "OK") throw new Error("command " + x.n + " resolved OK though its answer was " + plan.final + " (another command's final)");
    } else {
      typedErrors++;
      if (!AtCommandError.is(x.e) && !AtTimeoutError.is(x.e) && !AtAbortedError.is(x.e)) throw new Error("untyped error for command " + x.n + ": " + String(x.e));
      if (AtCommandError.is(x.e) && plans[x.n].final === "OK") throw new Error("command " + x.n + " failed with an error its modem never sent: " + String(x.e));
    }
  }
  const last = channel.send("AT");
  await clock.advance(12000);
  const r = await last.catch((e: unknown) => e);
  if (!(r && (r as AtResponse).final === "OK")) throw new Error("the channel is wedged: a clean AT got " + String(r));
  channel.close();
}

test("fuzz: the AT channel under noise, URCs, mutated answers, late and missing answers never throws, wedges or gives a command another's answer", async (t) => {
  await fc.assert(
    fc.asyncProperty(fc.array(planArb, { minLength: 1, maxLength: 8 }), async (plans) => {
      cases++;
      await runCase(plans);
    }),
    { numRuns: 150, seed: 1515 },
  );
  t.log("generated " + cases + " command sequences (" + commands + " commands: " + answered + " answered, " + typedErrors + " typed errors) with noise, URCs and mutated answers; fast-check seed 1515");
  t.true(answered > 0 && typedErrors > 0);
});
